"""Fast frames for the live lab: figures drawn once, then only their moving parts (notebook 04).

A full matplotlib draw of four panels costs about 100 ms, mostly laying out tick labels and
text. Blitting redraws only the artists that move on top of a saved background, so a frame costs
a few milliseconds and training keeps the CPU. The background is redrawn only when an axis
range must grow.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from . import conditional, plots


def _jpeg(rgba: np.ndarray) -> bytes:
    # JPEG encodes about 5x faster than PNG and sends about 3x fewer bytes to the browser
    buffer = io.BytesIO()
    Image.fromarray(rgba[..., :3]).save(buffer, format="jpeg", quality=85)
    return buffer.getvalue()


class _Blitter:
    """A figure whose `moving` artists are drawn over a cached background."""

    def __init__(self, fig: Figure, moving: list):
        self.fig, self.moving = fig, moving
        FigureCanvasAgg(fig)  # an Agg canvas keeps pixels we can copy and restore
        for artist in moving:
            artist.set_animated(True)
        self.refresh()
        fig.set_layout_engine("none")  # keep the first layout: later draws must not move the axes

    def refresh(self) -> None:
        self.fig.canvas.draw()
        self.background = self.fig.canvas.copy_from_bbox(self.fig.bbox)

    def rgba(self) -> np.ndarray:
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba()).copy()


class PlaneFrame:
    """Left: D's heatmap, real and fake points, G's arrows. Right: G's map of the noise grid."""

    def __init__(self, view: dict, size: float = 3.4, dpi: int = 64):
        self.key = (view["extent"], view["d_is_probability"], view["fake"].shape)
        fig = Figure(figsize=(2 * size + 0.9, size), dpi=dpi, layout="constrained")
        a, b = fig.subplots(1, 2)
        plots.draw_gan_panel(a, view, title="D's view (green = 'real') and G's pull")
        self.heat, self.fake, self.arrows = a.images[0], a.collections[1], a.collections[-1]
        points = a.collections[:-1]  # real, fake and mode centres: drawn over D's map, not under it
        if not view["d_is_probability"]:  # raw critic scores: only their order matters
            self.heat.set_clim(0, 1)
            self.heat.colorbar.set_ticks([0, 1], labels=["low", "high"])
            self.heat.colorbar.set_label("D(x) score")
        a.get_legend().remove()  # the dashboard's caption names the colours; a legend would need redrawing
        self.lines = plots.draw_manifold(b, view)
        self.blit = _Blitter(fig, [self.heat, *points, self.arrows, self.lines])

    def matches(self, view: dict) -> bool:
        return "d_grid" in view and self.key == (view["extent"], view["d_is_probability"], view["fake"].shape)

    def rgba(self, view: dict) -> np.ndarray:
        grid = view["d_grid"]
        if not view["d_is_probability"]:
            grid = (grid - grid.min()) / (np.ptp(grid) + 1e-12)
        self.heat.set_data(grid)
        self.fake.set_offsets(view["fake"])
        u, v = plots.arrow_vectors(view["fake"], view["arrows"])
        self.arrows.set_offsets(view["fake"][:: plots.ARROW_EVERY])
        self.arrows.set_UVC(u, v)
        self.lines.set_segments(plots.grid_lines(view["manifold"]))
        return self.blit.rgba()


def _nice_limit(x: float) -> float:
    """The next of 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, ... at or above x."""
    exponent = 10 ** np.floor(np.log10(max(x, 1.0)))
    return next(m * exponent for m in (1, 1.5, 2, 3, 4, 5, 6, 8, 10) if m * exponent >= x)


POINT_METRICS = {"title": "mode coverage", "left": ("modes_captured", "modes captured", "k"),
                 "right": [("high_quality", "high-quality fraction", "tab:green"),
                           ("reverse_kl", "reverse KL", "tab:red")],
                 "right_label": "HQ fraction, reverse KL", "right_max": 2.2}  # fmt: skip
IMAGE_METRICS = {"title": "the evaluator's verdict", "left": ("frechet", "Fréchet distance", "k"),
                 "right": [("precision", "precision", "tab:green"), ("recall", "recall", "tab:blue"),
                           ("confident", "share confident > 0.9", "tab:red")],
                 "right_label": "precision, recall, share", "right_max": 1.05}  # fmt: skip


class CurveFrame:
    """Left: D's and G's losses. Right: the metrics over steps (POINT_METRICS or IMAGE_METRICS).

    `left_max` is the left metric axis's upper limit (e.g. the number of modes); None means the data
    has no such metric (a curve without modes, or images without an evaluator), said in the title.
    """

    def __init__(self, spec: dict, left_max: float | None, size: float = 3.4, dpi: int = 64,
                 max_points: int = 500, missing: str = ""):  # fmt: skip
        self.spec, self.left_max, self.max_points = spec, left_max, max_points
        fig = Figure(figsize=(2 * size + 1.0, size * 0.8), dpi=dpi, layout="constrained")
        self.loss_ax, self.metric_ax = fig.subplots(1, 2)
        c, d = self.loss_ax, self.metric_ax
        colors = (("d_loss", "tab:green", "D loss"), ("g_loss", plots.FAKE, "G loss"))
        self.loss_lines = {k: (c.plot([], [], color=col, alpha=0.3, lw=0.8)[0],
                               c.plot([], [], color=col, label=f"{name}, 50-step mean")[0])
                           for k, col, name in colors}  # fmt: skip
        c.set(xlabel="step", ylabel="loss", title="losses", xlim=(0, 100), ylim=(0, 2))
        c.legend(fontsize=8, loc="upper right")
        key, label, color = spec["left"]
        d.set(xlabel="step", ylabel=label, xlim=(0, 100), ylim=(0, (left_max or 8) * 1.06))
        d.set_title(spec["title"] + (f" ({missing})" if left_max is None and missing else ""))
        right = d.twinx()
        right.set(ylabel=spec["right_label"], ylim=(0, spec["right_max"]))
        self.metric_lines = {key: d.plot([], [], color=color, label=label)[0]}
        for key, label, color in spec["right"]:
            self.metric_lines[key] = right.plot([], [], color=color, label=label)[0]
        handles = list(self.metric_lines.values())
        d.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="center right")
        self.blit = _Blitter(fig, [*sum(self.loss_lines.values(), ()), *handles])

    def rgba(self, history, rows: list[dict], until: int | None = None) -> np.ndarray:
        refresh = False
        if len(history):
            steps = history["step"]
            stride = max(1, len(history) // self.max_points)
            low, high = np.inf, -np.inf
            for key, (raw, smooth) in self.loss_lines.items():
                values = history[key]
                finite = values[np.isfinite(values)]
                if len(finite):
                    low, high = min(low, finite.min()), max(high, finite.max())
                raw.set_data(steps[::stride], values[::stride])
                mean_steps, mean = plots.moving_mean(steps, values, 50)
                smooth.set_data(mean_steps[::stride], mean[::stride])
            refresh |= self._fit_x(steps[-1], until)
            y0, y1 = self.loss_ax.get_ylim()
            if np.isfinite(low) and (low < y0 or high > y1):
                pad = 0.1 * (high - low + 1e-3)
                self.loss_ax.set_ylim(low - pad, high + pad)
                refresh = True
        for key, line in self.metric_lines.items():
            line.set_data([r["step"] for r in rows], [r[key] for r in rows])
        left = [r[self.spec["left"][0]] for r in rows]
        if left and max(left) > self.metric_ax.get_ylim()[1]:  # e.g. a Fréchet distance: grow to fit
            self.metric_ax.set_ylim(0, _nice_limit(max(left) * 1.1))
            refresh = True
        if refresh:
            self.blit.refresh()
        return self.blit.rgba()

    def _fit_x(self, last_step: float, until: int | None) -> bool:
        """The step axis ends where a planned run ends (`until`), else grows ahead of the last step."""
        current = self.loss_ax.get_xlim()[1]
        if until is not None and last_step <= until:
            limit = until
        elif last_step <= current:
            return False
        else:
            limit = _nice_limit(last_step * 1.2)
        if limit == current:
            return False
        self.loss_ax.set_xlim(0, limit)
        self.metric_ax.set_xlim(0, limit)
        return True


class ImageFrame:
    """Left: G's images from the same fixed noise every frame, so each one sharpens in place.
    Right: real images of the data set, for comparison."""

    def __init__(self, view: dict, size: float = 3.4, dpi: int = 64):
        self.columns = view.get("columns", 8)
        self.key = (view["fake"].shape, self.columns, view.get("averaged", False))
        by_class = self.columns == conditional.N_CLASSES
        h, w = plots.tile(view["fake"], self.columns).shape  # a wide grid gets a lower figure
        fig = Figure(figsize=(2 * size + 0.9, size * min(1.0, h / w + 0.1)), dpi=dpi, layout="constrained")
        a, b = fig.subplots(1, 2)
        who = "the averaged G's samples" if view.get("averaged") else "G's samples"
        title = f"{who}, one class per column" if by_class else f"{who} (the same noise every frame)"
        title = title[0].upper() + title[1:]
        plots.draw_grid(a, view["fake"], self.columns, title=title)
        plots.draw_grid(
            b, view["real"], self.columns, title="real images" + (", by class" if by_class else "")
        )
        self.fake = a.images[0]
        self.blit = _Blitter(fig, [self.fake])

    def matches(self, view: dict) -> bool:
        key = (view["fake"].shape, view.get("columns", 8), view.get("averaged", False))
        return "d_grid" not in view and self.key == key

    def rgba(self, view: dict) -> np.ndarray:
        self.fake.set_data(plots.tile(view["fake"], self.columns))
        return self.blit.rgba()


class DashboardFrame:
    """The whole live-lab picture: the data view (planes or image grids) above the curves, one JPEG."""

    def __init__(self, dpi: int = 64):
        self.dpi = dpi
        self.top: PlaneFrame | ImageFrame | None = None
        self.curves: CurveFrame | None = None

    def jpeg(self, view: dict, history, rows: list[dict], until: int | None = None) -> bytes:
        images = "d_grid" not in view
        if self.top is None or not self.top.matches(view):
            self.top = (ImageFrame if images else PlaneFrame)(view, dpi=self.dpi)
        if images:
            spec, left_max, missing = (
                IMAGE_METRICS,
                (None if not view["evaluated"] else 10.0),
                "no evaluator for this data",
            )
        else:
            modes = view.get("modes")
            spec, left_max, missing = (
                POINT_METRICS,
                (None if modes is None else len(modes)),
                "needs ring or grid data",
            )
        if (
            self.curves is None
            or len(history) == 0
            or (self.curves.spec, self.curves.left_max) != (spec, left_max)
        ):
            self.curves = CurveFrame(spec, left_max, dpi=self.dpi, missing=missing)
        top, bottom = self.top.rgba(view), self.curves.rgba(history, rows, until)
        width = max(top.shape[1], bottom.shape[1])
        pad = [
            np.pad(p, ((0, 0), (0, width - p.shape[1]), (0, 0)), constant_values=255) for p in (top, bottom)
        ]
        return _jpeg(np.concatenate(pad, axis=0))
