"""Pictures of a GAN at work, as matplotlib Figures (object-oriented API, no pyplot state).

`draw_*` functions draw onto an Axes you pass; the others return a new Figure. All take plain
NumPy data (a view of a trainer, `views.of(trainer)`, and its `history`), so they are safe to call
from any thread.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from . import theory

REAL, FAKE = "#1f77b4", "#ff7f0e"  # blue real, orange fake, in every figure of the course
# D's map in greens that stop at a mid green, so that blue real points stay visible on it
D_CMAP = ListedColormap(colormaps["Greens"](np.linspace(0.0, 0.6, 256)), name="d_greens")


def _figure(ncols: int = 1, size: float = 4.0) -> tuple[Figure, list]:
    fig = Figure(figsize=(size * ncols, size), layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def draw_heatmap(ax, view: dict) -> None:
    """D's output over the plane: dark green where D says 'real', white where it says 'fake'."""
    lim = view["extent"]
    grid = view["d_grid"]
    vmin, vmax = (0.0, 1.0) if view["d_is_probability"] else (grid.min(), grid.max() + 1e-9)
    image = ax.imshow(grid, origin="lower", extent=(-lim, lim, -lim, lim), cmap=D_CMAP,
                      vmin=vmin, vmax=vmax, interpolation="bilinear")  # fmt: skip
    label = "D(x) = P(real)" if view["d_is_probability"] else "D(x) score"
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label=label)


def draw_samples(ax, real: np.ndarray | None, fake: np.ndarray | None, modes=None) -> None:
    """Real points in blue, generated points in orange, mode centres as black crosses."""
    if real is not None:
        ax.scatter(real[:, 0], real[:, 1], s=7, c=REAL, alpha=0.8, edgecolors="white", linewidths=0.3,
                   label="real x")  # fmt: skip
    if fake is not None:
        ax.scatter(fake[:, 0], fake[:, 1], s=7, c=FAKE, alpha=0.8, label="fake G(z)")
    if modes is not None:
        ax.scatter(modes[:, 0], modes[:, 1], marker="x", c="k", s=30, label="mode centre")


ARROW_EVERY = 4  # draw an arrow on every 4th fake point


def arrow_vectors(fake: np.ndarray, arrows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arrow components scaled so the longest is 15% of the spread of the fake points."""
    scale = 0.15 * (np.ptp(fake) + 1e-6) / (np.linalg.norm(arrows, axis=1).max() + 1e-12)
    a = arrows[::ARROW_EVERY] * scale
    return a[:, 0], a[:, 1]


def draw_arrows(ax, fake: np.ndarray, arrows: np.ndarray) -> None:
    """The pull of G's loss on each of its samples, -d g_loss / d x: up D's slope towards 'real'."""
    f = fake[::ARROW_EVERY]
    u, v = arrow_vectors(fake, arrows)
    ax.quiver(
        f[:, 0], f[:, 1], u, v, angles="xy", scale_units="xy", scale=1, color="0.2", width=0.004, alpha=0.8
    )


def _square(ax, lim: float, title: str) -> None:
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)


def draw_gan_panel(
    ax, view: dict, heatmap: bool = True, arrows: bool = True, title: str | None = None
) -> None:
    """GAN Lab's picture: D's heatmap, real and fake points, and G's gradient arrows."""
    if heatmap:
        draw_heatmap(ax, view)
    draw_samples(ax, view["real"], view["fake"], view.get("modes"))
    if arrows:
        draw_arrows(ax, view["fake"], view["arrows"])
    _square(ax, view["extent"], title or f"step {view['step']}: D's view and G's pull")
    ax.legend(loc="upper right", fontsize=8, markerscale=1.5)


def moving_mean(steps: np.ndarray, values: np.ndarray, window: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """The mean of each `window` consecutive values, at the step that ends the window (empty if too few)."""
    if len(values) < window:
        return steps[:0], values[:0]
    return steps[window - 1 :], np.convolve(values, np.ones(window) / window, mode="valid")


def draw_losses(ax, history, window: int = 50) -> None:
    """D's and G's losses against the step, smoothed over `window` steps."""
    steps = history["step"]
    for key, color, label in (("d_loss", "tab:green", "D loss"), ("g_loss", FAKE, "G loss")):
        values = history[key]
        ax.plot(steps, values, color=color, alpha=0.25, lw=0.8)
        ax.plot(*moving_mean(steps, values, window), color=color, label=f"{label} ({window}-step mean)")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("losses")
    ax.legend(fontsize=8)


def grid_lines(warped: np.ndarray) -> list[np.ndarray]:
    """The lines of a warped (lines, lines, 2) grid: rows, then columns."""
    return [*warped, *warped.transpose(1, 0, 2)]


def draw_manifold(ax, view: dict) -> LineCollection:
    """How G bends a square grid of noise: each line is G applied to a line of z values."""
    draw_samples(ax, view["real"], None, view.get("modes"))
    lines = LineCollection(grid_lines(view["manifold"]), colors=FAKE, linewidths=0.6, alpha=0.8)
    ax.add_collection(lines)
    d = view.get("latent_dim", 2)
    title = "G's map of its noise grid" if d <= 2 else f"G on a 2-D slice of its {d}-D noise"
    _square(ax, view["extent"], title)
    return lines


def scatter_real_fake(real, fake, modes=None, lim: float | None = None, title="real vs fake") -> Figure:
    """Real and generated points side by side on one square plot."""
    fig, (ax,) = _figure()
    draw_samples(ax, real, fake, modes)
    _square(ax, lim or float(np.abs(np.concatenate([real, fake])).max()) * 1.1, title)
    ax.legend(loc="upper right", fontsize=7, markerscale=2)
    return fig


def gan_figure(view: dict, history=None) -> Figure:
    """The GAN panel, and the loss curves beside it when a history is given."""
    fig, axes = _figure(2 if history is not None and len(history) else 1, size=4.5)
    draw_gan_panel(axes[0], view)
    if len(axes) == 2:
        draw_losses(axes[1], history)
    return fig


def loss_curves(history, window: int = 50) -> Figure:
    """D's and G's losses over training."""
    fig, (ax,) = _figure(size=4.5)
    draw_losses(ax, history, window)
    return fig


def to_png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes (for an ipywidgets.Image, or to save)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def draw_dirac(ax, method: str, scheme: str = "simultaneous", lim: float = 4.0, arrows: int = 21,
               **trajectory) -> np.ndarray:  # fmt: skip
    """One Dirac-GAN panel (notebook 05): the vector field in grey, a trajectory from (1, 1) in red
    (`trajectory` goes to `theory.dirac_trajectory`), the equilibrium as a star. Returns the path."""
    theta, psi = np.meshgrid(np.linspace(-lim, lim, arrows), np.linspace(-lim, lim, arrows))
    if arrows:
        ax.quiver(theta, psi, *theory.dirac_field(method, theta, psi, trajectory.get("param")), color="0.6")
    path = theory.dirac_trajectory(method, scheme, **trajectory)
    ax.plot(path[:, 0], path[:, 1], color="tab:red", lw=1)
    ax.plot(*path[0], "ko", ms=4), ax.plot(0, 0, "k*", ms=10)
    ax.set(xlabel="θ (generator)", ylabel="ψ (discriminator)", aspect="equal")
    return path


def collapse_strip(snapshots, real: np.ndarray, modes: np.ndarray) -> Figure:
    """Notebook 06: one panel per (step, samples, metrics) snapshot, the mode most samples are
    nearest to marked, on shared axes that never cut a far-off blob off."""
    lim = max(3.0, 1.05 * max(np.abs(fake).max() for _, fake, _ in snapshots))
    fig = Figure(figsize=(16, 3.7), layout="constrained")
    for ax, (step, fake, m) in zip(fig.subplots(1, len(snapshots), squeeze=False)[0], snapshots, strict=True):
        top = int(np.argmax(m["shares"]))
        ax.scatter(*real.T, s=2, color=REAL, label="data")
        ax.scatter(*fake.T, s=2, color=FAKE, alpha=0.5, label="G's samples")
        ax.plot(*modes[top], "k+", ms=12, mew=2, label="mode most samples are nearest to")
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xlabel="$x_1$", ylabel="$x_2$")
        ax.set_title(f"step {step}\n{m['shares'][top]:.0%} nearest to mode {top}\n"
                     f"{m['high_quality']:.0%} high quality", fontsize=8)  # fmt: skip
    fig.legend(*fig.axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3, markerscale=2)
    fig.suptitle("mode collapse: one blob that moves from mode to mode")
    return fig


def sample_panels(panels: dict, real: np.ndarray, lim: float, columns: int = 6, size: float = 2.6) -> Figure:
    """Notebook 01: one small panel per {title: samples (N, 2)}, each over the same real data."""
    rows = -(-len(panels) // columns)
    fig = Figure(figsize=(size * columns, size * rows + 0.3), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for ax, (title, samples) in zip(axes, panels.items(), strict=False):  # spare axes stay empty
        ax.scatter(*real.T, s=2, color="0.75")
        if samples is not None:
            ax.scatter(*np.asarray(samples).T, s=2, color=FAKE, alpha=0.6)
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[])
        ax.set_title(title, fontsize=9)
    for ax in axes[len(panels) :]:
        ax.set_axis_off()
    return fig


def tile(images, columns: int = 8, pad: int = 1) -> np.ndarray:
    """(N, 1, H, W) images in [-1, 1] -> one (rows * (H + pad), columns * (W + pad)) array in [0, 1]."""
    x = np.asarray(images.detach().cpu() if hasattr(images, "detach") else images, dtype=np.float32)
    if x.ndim != 4 or x.shape[1] != 1:
        raise ValueError(f"tile() takes grey images of shape (N, 1, H, W), got {x.shape}")
    n, _, h, w = x.shape
    rows = -(-n // columns)
    canvas = np.zeros((rows * (h + pad) + pad, columns * (w + pad) + pad), dtype=np.float32)
    for i, image in enumerate((x[:, 0].clip(-1, 1) + 1) / 2):
        r, c = divmod(i, columns)
        canvas[
            pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w
        ] = image
    return canvas


def draw_grid(ax, images, columns: int = 8, title: str = "") -> None:
    """A grid of grey images on one Axes (white background lines between them)."""
    ax.imshow(tile(images, columns), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set(xticks=[], yticks=[], title=title)


def image_grids(grids: dict, columns: int = 8, size: float = 3.0, per_row: int | None = None) -> Figure:
    """One panel per {title: images}, side by side, `per_row` panels to a row (default: all)."""
    per_row = per_row or len(grids)
    rows = -(-len(grids) // per_row)
    height, width = tile(next(iter(grids.values())), columns).shape  # panels as tall as their grids
    fig = Figure(figsize=(size * per_row, (size * min(1, height / width) + 0.4) * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, per_row)).ravel()
    for ax, (title, images) in zip(axes, grids.items(), strict=False):  # spare axes stay empty
        draw_grid(ax, images, columns, title)
    for ax in axes[len(grids) :]:
        ax.set_axis_off()
    return fig


def race_curves(runs: dict, key: str = "frechet", ylim=(0, 30)) -> Figure:
    """bench/image_time_to_quality.py's stored curves: one panel per thread count, `key` over the
    seconds of training, our preset against the plain tutorial loop (notebook 08)."""
    fig = Figure(figsize=(10, 3.4), layout="constrained")
    for ax, (threads, run) in zip(fig.subplots(1, len(runs), sharey=True), sorted(runs.items()), strict=True):
        for name, color, label in (
            ("ours", FAKE, "our dcgan_fashion preset"),
            ("plain", "0.4", "plain tutorial loop"),
        ):
            curve = run["curves"][name]
            ax.plot(
                [c["seconds"] for c in curve], [c[key] for c in curve], "o-", ms=3, color=color, label=label
            )
        label = "Fréchet distance (lower is better)" if key == "frechet" else key
        title = f"{threads} CPU thread{'s' if str(threads) != '1' else ''}"
        ax.set(xlabel="seconds of training", ylabel=label, title=title, ylim=ylim)
        ax.legend(fontsize=8)
    return fig


def losses_beside_quality(runs: dict[str, list[dict]]) -> Figure:
    """`evaluation.track` rows of several runs: their losses (left: D solid, G dashed) beside the
    evaluator's Fréchet distance (right, log scale) at the same steps (notebook 10)."""
    fig = Figure(figsize=(11, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    for (name, rows), color in zip(runs.items(), ["C0", "C1", "C2", "C3", "C4"], strict=False):
        steps = [r["step"] for r in rows]
        left.plot(steps, [r["d_loss"] for r in rows], "o-", ms=3, color=color, label=f"{name}: D")
        left.plot(steps, [r["g_loss"] for r in rows], "o--", ms=3, color=color, label=f"{name}: G")
        right.plot(steps, [r["frechet"] for r in rows], "o-", ms=3, color=color, label=name)
    left.set(xlabel="step", ylabel="loss (mean since the last check)", title="what the loss curves say")
    right.set(xlabel="step", ylabel="Fréchet distance (log scale; lower is better)", yscale="log",
              title="what the evaluator says")  # fmt: skip
    left.legend(fontsize=7, ncols=len(runs)), right.legend(fontsize=8)
    return fig


def frechet_by_n(by_n: dict[str, dict[int, np.ndarray]], fits: dict[str, tuple[float, float]]) -> Figure:
    """Fréchet distance against 1/n (`evaluation.frechet_by_n`), one panel per pair of sets, with
    the straight line of `evaluation.extrapolate` run out to 1/n = 0, the infinite sample."""
    fig = Figure(figsize=(11, 3.6), layout="constrained")
    for ax, (name, rows) in zip(fig.subplots(1, len(by_n)), by_n.items(), strict=True):
        inv = np.array([1 / n for n in rows])
        ax.errorbar(inv, [v.mean() for v in rows.values()], yerr=[v.std() for v in rows.values()], fmt="o",
                    color=FAKE, capsize=3, label="measured (mean ± sd over repeats)")  # fmt: skip
        fd_inf, slope = fits[name]
        line = np.linspace(0, inv.max() * 1.05, 50)
        ax.plot(line, fd_inf + slope * line, "--", color="0.4", label=f"fit; at n = ∞: {fd_inf:.2f}")
        for x, n in zip(inv, rows, strict=True):
            ax.annotate(
                f"n={n}", (x, rows[n].mean()), textcoords="offset points", xytext=(4, -12), fontsize=7
            )
        ax.set(xlabel="1 / n", ylabel="Fréchet distance", title=name, xlim=(-0.0001, None))
        ax.legend(fontsize=8)
    return fig


def precision_recall_bars(reports: dict[str, dict]) -> Figure:
    """Precision, recall, density and coverage of several `evaluator.report`s, side by side."""
    keys = ("precision", "recall", "density", "coverage")
    fig = Figure(figsize=(11, 3.4), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(reports)
    for k, (name, r) in enumerate(reports.items()):
        ax.bar(np.arange(len(keys)) + (k - (len(reports) - 1) / 2) * width, [r[key] for key in keys], width,
               label=name)  # fmt: skip
    ax.set_xticks(range(len(keys)), keys)
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set(ylabel="value (1 = like real data)", title="four numbers, two failure modes", ylim=(0, 1.3))
    ax.legend(fontsize=8, ncols=len(reports), loc="upper center")
    return fig


def memorisation_curves(curve: list[dict], by_size: dict[int, dict], quantile: float) -> Figure:
    """Notebook 12, rows from `small_data.copying`: the memorised share (pixels, features) along the
    smallest set's longer run, the same by training-set size, and D's membership AUC by size."""
    fig = Figure(figsize=(12, 3.6), layout="constrained")
    steps_ax, size_ax, auc_ax = fig.subplots(1, 3)
    for key, style in (("pixel", "o-"), ("feature", "s-")):
        steps_ax.plot([r["step"] for r in curve], [100 * r[key] for r in curve], style, ms=4,
                      label=f"memorised, {key}s")  # fmt: skip
    sizes, x = [f"{r['images']:,}" for r in by_size.values()], np.arange(len(by_size))
    for k, key in enumerate(("pixel", "feature")):
        size_ax.bar(x + (k - 0.5) * 0.4, [100 * r[key] for r in by_size.values()], 0.4, label=f"{key}s")
    auc_ax.bar(x, [r["auc"] for r in by_size.values()], 0.5, color="C2")
    auc_ax.axhline(0.5, color="0.5", lw=0.8, ls="-.", label="a coin flip: 0.5")
    for ax in (steps_ax, size_ax):
        ax.axhline(100 * quantile, color="0.5", lw=0.8, ls=":", label=f"new real images: {quantile:.0%}")
        ax.set(ylabel="memorised samples (%)")
        ax.legend(fontsize=7)
    step = next(iter(by_size.values()))["step"]
    steps_ax.set(xlabel="training step", title=f"{curve[0]['images']:,} training images, trained longer")
    size_ax.set_xticks(x, sizes)
    size_ax.set(xlabel="training images", title=f"by training set, at step {step:,}")
    auc_ax.set_xticks(x, sizes)
    auc_ax.set(xlabel="training images", ylabel="ROC AUC", ylim=(0, 1.02),
               title=f"membership AUC of D, at step {step:,}")  # fmt: skip
    auc_ax.legend(fontsize=7)
    return fig


def accuracy_by_share(summary: dict[int, dict], shares) -> Figure:
    """Notebook 12: a classifier's test accuracy (mean ± sd over seeds) against the share of each
    batch drawn from the GAN's samples, one line per real-set size; classic augmentation as a cross."""
    fig = Figure(figsize=(6.5, 3.8), layout="constrained")
    ax = fig.add_subplot()
    for (per_class, s), color in zip(summary.items(), ["C0", "C1", "C2"], strict=False):
        mean = [s[str(k)][0] for k in shares]
        ax.errorbar(shares, mean, yerr=[s[str(k)][1] for k in shares], fmt="o-", color=color, capsize=3,
                    label=f"{per_class} real images per class ({s['seeds']} seeds)")  # fmt: skip
        ax.errorbar([-0.06], [s["classic"][0]], yerr=[s["classic"][1]], fmt="x", color=color, capsize=3)
    ax.annotate("x: classic augmentation\n(shifts, flips), no GAN", (-0.06, ax.get_ylim()[0]), fontsize=7,
                xytext=(2, 4), textcoords="offset points")  # fmt: skip
    ax.set(xlabel="share of each batch from the GAN (0: real only; 1: GAN only)", ylabel="test accuracy",
           title="does adding GAN samples help a classifier?")  # fmt: skip
    ax.legend(fontsize=8)
    return fig


def drift_curve(rows: list[dict], nudge: float) -> Figure:
    """How far apart two runs from one seed drift, one of them nudged at the start (notebook 00)."""
    fig, (ax,) = _figure(1, size=4.0)
    fig.set_size_inches(6.0, 3.2)
    ax.semilogy([0] + [r["step"] for r in rows], [nudge] + [r["gap"] for r in rows], "o-", color=FAKE)
    ax.set(xlabel="training step", ylabel="mean distance between the two G's points",
           title=f"the same seed, one weight of D changed by {nudge:g} at step 0")  # fmt: skip
    ax.grid(alpha=0.3)
    return fig
