"""LiveDashboard: train a real GAN with sliders and buttons while the plots move (notebooks 00, 04).

Threads (docs/architecture.md): Play starts one worker that calls `trainer.step()` until Pause;
controls change the config under a lock, between two steps. `frames` draws with matplotlib's
object-oriented API into JPEG bytes for an `ipywidgets.Image` (no pyplot, no `Output` from the
thread). `run(steps)` trains in the calling thread, for notebooks that show a result without a click.
"""

from __future__ import annotations

import base64
import html
import threading
import time
import traceback
from collections import deque
from dataclasses import asdict, fields

import ipywidgets as W

from . import checks, evaluator, images, losses, nets, toy, views
from .config import NOISES, OPTIMIZERS, GANConfig
from .frames import DashboardFrame
from .metrics import mode_report
from .presets import PRESETS, get_preset
from .runtime import available_devices
from .train import GANTrainer, TrainingDiverged

STEP_MODES = {"D and G": (True, True), "D only": (True, False), "G only": (False, True)}


def model_diagram(d: bool, g: bool) -> str:
    """GAN Lab's model view as SVG: noise -> G -> fake -> D <- real, the networks that train lit up."""

    def box(x, label, on, color):
        fill, stroke, weight = (color, "#222", "bold") if on else ("#f2f2f2", "#aaa", "normal")
        return (f"<rect x='{x}' y='8' width='46' height='30' rx='5' fill='{fill}' stroke='{stroke}' "
                f"stroke-width='{2 if on else 1}'/><text x='{x + 23}' y='28' text-anchor='middle' "
                f"font-weight='{weight}' font-size='14'>{label}</text>")  # fmt: skip

    def text(x, label, color="#333"):
        return f"<text x='{x}' y='28' text-anchor='middle' font-size='13' fill='{color}'>{label}</text>"

    arrow = "stroke='#555' stroke-width='1.5' marker-end='url(#arrowhead)'"
    trained = " and ".join(n for n, on in (("D", d), ("G", g)) if on)
    return (
        "<svg width='470' height='62' role='img' aria-label='noise to G to fake to D, real to D'>"
        "<defs><marker id='arrowhead' markerWidth='8' markerHeight='8' refX='7' refY='4' orient='auto'>"
        "<path d='M0,0 L8,4 L0,8 z' fill='#555'/></marker></defs>"
        + text(30, "noise z")
        + f"<line x1='62' y1='23' x2='86' y2='23' {arrow}/>"
        + box(90, "G", g, "#ffbf80")
        + f"<line x1='138' y1='23' x2='162' y2='23' {arrow}/>"
        + text(200, "fake G(z)", "#ff7f0e")
        + f"<line x1='240' y1='23' x2='264' y2='23' {arrow}/>"
        + box(268, "D", d, "#9fd49f")
        + f"<line x1='360' y1='23' x2='318' y2='23' {arrow}/>"
        + text(392, "real x", "#1f77b4")
        + f"<text x='235' y='56' text-anchor='middle' font-size='12' fill='#333'>trained in each step: "
        f"<tspan font-weight='bold'>{trained}</tspan></text></svg>"
    )


PENALTIES = {"none": None, "R1": "r1_weight", "gradient penalty": "gp_weight"}
CLIPS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)  # WGAN weight clipping; 0 = off
IMAGE_SAMPLES = 500  # generated and real images the evaluator compares at each metrics step
IMAGE_CAPTION = (
    "<small>top left: G's images from the same 64 noise vectors in every frame, so you "
    "see each one sharpen (a conditional G: 60, one class per column); top right: real images; "
    "bottom right (Fashion-MNIST): the "
    "evaluator's Fréchet distance (lower is better), precision, recall and the share of "
    f"samples it classifies with probability over 0.9, on {IMAGE_SAMPLES} samples</small>"
)
REMEDIES = ["spectral_norm", "unroll_steps", "pack", "minibatch_std", "weight_clip"]


def _log_slider(description: str, value: float, low: float, high: float) -> W.FloatLogSlider:
    return W.FloatLogSlider(value=value, base=10, min=low, max=high, step=0.1, description=description,
                            readout_format=".1e", continuous_update=False)  # fmt: skip


def _int_slider(description: str, value: int, low: int, high: int) -> W.IntSlider:
    return W.IntSlider(value=value, min=low, max=high, description=description, continuous_update=False)


class LiveDashboard:
    """Controls bound to a GANTrainer, Play/Pause/Step/Reset, and frames of the training.

    `LiveDashboard("balanced")` builds a trainer from a preset; `LiveDashboard(trainer)` uses
    yours; `LiveDashboard("balanced", data=points)` trains on your own (N, 2) array.
    """

    def __init__(self, trainer: GANTrainer | str = "balanced", data=None, fps: float = 5.0,
                 metrics_every: int = 100, dpi: int = 80):  # fmt: skip
        if isinstance(trainer, str):
            trainer = GANTrainer(get_preset(trainer).config, data=data)
        elif not isinstance(trainer, GANTrainer):
            raise ValueError(f"LiveDashboard needs a GANTrainer or a preset name ({', '.join(PRESETS)})")
        checks.number("fps", fps, 0, 60, low_open=True, meaning="frames per second")
        metrics_every, dpi = checks.integer("metrics_every", metrics_every), checks.integer("dpi", dpi)
        self.trainer = trainer
        self.fps, self.metrics_every, self.dpi = fps, metrics_every, dpi
        self.lock = threading.Lock()  # held for each step and each config change
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self.metric_rows: deque[dict] = deque(maxlen=1000)
        self._rate = 0.0
        self._jpeg = b""
        self._until: int | None = None  # where the step axes end: the end of the last run(steps)
        self._syncing = False
        self._frame = DashboardFrame(dpi)
        self._render_lock = threading.Lock()
        self._build()
        self._sync_controls()
        self.draw()

    # ---- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        cfg = self.trainer.config
        datasets = [*[d for d in toy.DATASETS if d != "mixture_1d"], *images.DATASETS]
        if self.trainer.custom_data is not None:
            datasets.append("custom")
        c = self.controls = {
            "dataset": W.Dropdown(options=datasets, description="data"),
            "arch": W.Dropdown(options=list(nets.ARCHITECTURES), description="networks"),
            "loss": W.Dropdown(options=list(losses.LOSSES), description="loss"),
            "optimizer": W.Dropdown(options=list(OPTIMIZERS), description="optimizer"),
            "lr_D": _log_slider("lr D", cfg.lr_D, -5, -1),
            "lr_G": _log_slider("lr G", cfg.lr_G, -5, -1),
            "d_steps": _int_slider("D steps", cfg.d_steps, 1, 10),
            "g_steps": _int_slider("G steps", cfg.g_steps, 1, 10),
            "batch_size": W.SelectionSlider(
                options=[16, 32, 64, 128, 256, 512, 1024], description="batch", continuous_update=False
            ),  # fmt: skip
            "g_depth": _int_slider("G depth", cfg.g_depth, 1, 6),
            "g_width": W.SelectionSlider(
                options=[4, 8, 16, 32, 64, 128, 256, 512], description="G width", continuous_update=False
            ),  # fmt: skip
            "d_depth": _int_slider("D depth", cfg.d_depth, 1, 6),
            "d_width": W.SelectionSlider(
                options=[4, 8, 16, 32, 64, 128, 256, 512], description="D width", continuous_update=False
            ),  # fmt: skip
            "latent_dim": _int_slider("noise dim", cfg.latent_dim, 1, 256),
            "noise": W.Dropdown(options=list(NOISES), description="noise"),
            "penalty": W.Dropdown(options=list(PENALTIES), description="penalty"),
            "penalty_weight": _log_slider("weight", 1.0, -3, 2),
            "spectral_norm": W.Checkbox(description="spectral norm on D"),
            "unroll_steps": _int_slider("unroll k", cfg.unroll_steps, 0, 10),
            "pack": W.SelectionSlider(options=[1, 2, 3, 4, 8], description="pack m", continuous_update=False),
            "minibatch_std": W.Checkbox(description="minibatch std layer in D"),
            "weight_clip": W.SelectionSlider(
                options=CLIPS,
                value=cfg.weight_clip if cfg.weight_clip in CLIPS else 0.0,
                description="clip D",
                continuous_update=False,
            ),  # fmt: skip
            "device": W.Dropdown(options=available_devices(), description="device"),
            "seed": W.BoundedIntText(min=0, max=2**31 - 1, description="seed"),
        }
        for widget in c.values():
            widget.style.description_width = "80px"
            widget.layout.width = "370px"
            widget.observe(self._on_control, names="value")
        b = self.buttons = {
            "play": W.Button(description="Play", icon="play", button_style="success"),
            "pause": W.Button(description="Pause", icon="pause", disabled=True),
            "step": W.Button(description="Step", icon="step-forward"),
            "reset": W.Button(description="Reset", icon="undo"),
            "copy": W.Button(description="Copy config", icon="copy"),
        }
        b["play"].on_click(lambda _: self.play())
        b["pause"].on_click(lambda _: self.pause())
        b["step"].on_click(lambda _: self.step_once())
        b["reset"].on_click(lambda _: self.reset())
        b["copy"].on_click(lambda _: self.copy_config())
        self.step_mode = W.ToggleButtons(options=list(STEP_MODES), description="step")
        self.diagram = W.HTML(model_diagram(True, True))
        self.step_mode.observe(self._on_step_mode, names="value")
        self.preset = W.Dropdown(options=["(choose)", *PRESETS], description="preset")
        self.preset.observe(self._on_preset, names="value")
        self.image = W.Image(format="jpeg", layout=W.Layout(width="100%", max_width="780px"))
        self.status = W.HTML()
        self.message = W.HTML()
        self.config_text = W.Textarea(layout=W.Layout(width="100%", height="0px", display="none"))
        names = ["dataset", "arch", "loss", "penalty", "penalty_weight", "optimizer", "lr_D", "lr_G",
                 "d_steps", "g_steps", "batch_size", "g_depth", "g_width", "d_depth", "d_width", "latent_dim",
                 "noise", "device", "seed"]  # fmt: skip
        heading = W.HTML("<b>remedies for mode collapse and instability</b> (notebooks 06, 07)")
        panel = W.VBox(
            [self.preset, *[c[n] for n in names], heading, *[c[n] for n in REMEDIES]],
            layout=W.Layout(width="380px", min_width="380px"),
        )
        bar = W.HBox([b["play"], b["pause"], b["step"], b["reset"], b["copy"]])
        self.caption = W.HTML()
        points_caption = ("<small>top left: <b style='color:#1f77b4'>real</b> and <b style='color:#ff7f0e'>"
                         "generated</b> points on D's output (green: D says real), arrows: the pull of G's "
                         "loss on each point; top right: how G maps a grid of noise values (a 2-D "
                         "slice through typical noise when it has more than 2 dimensions); crosses: "
                         "mode centres</small>")  # fmt: skip
        self._captions = {"points": points_caption, "images": IMAGE_CAPTION}
        view = W.VBox([bar, W.HBox([self.step_mode, self.diagram]), self.status, self.image, self.caption,
                       self.message])  # fmt: skip
        self.widget = W.VBox([W.HBox([panel, view]), self.config_text])
        self.widget.add_class("gan-edu-dashboard")

    def _sync_controls(self) -> None:
        """Show the trainer's config in the controls without triggering changes."""
        cfg, c = self.trainer.config, self.controls
        self._syncing = True
        try:
            for name in c:
                if name in GANConfig.__dataclass_fields__ and name != "device":
                    value = getattr(cfg, name)
                    if isinstance(c[name], W.SelectionSlider) and value not in c[name].options:
                        c[name].options = sorted({*c[name].options, value})
                    c[name].value = value
            penalty = "R1" if cfg.r1_weight else "gradient penalty" if cfg.gp_weight else "none"
            c["penalty"].value = penalty
            if PENALTIES[penalty]:
                c["penalty_weight"].value = getattr(cfg, PENALTIES[penalty])
            c["device"].value = self.trainer.device.type
        finally:
            self._syncing = False

    # ---- control callbacks ------------------------------------------------------------------------
    def _on_control(self, change) -> None:
        if self._syncing:
            return
        name = next(n for n, w in self.controls.items() if w is change["owner"])
        if name in ("penalty", "penalty_weight"):
            field = PENALTIES[self.controls["penalty"].value]
            weight = self.controls["penalty_weight"].value
            changes = {"r1_weight": 0.0, "gp_weight": 0.0} | ({field: weight} if field else {})
        else:
            changes = {name: change["new"]}
        self.configure(**changes)

    def configure(self, **changes) -> None:
        """Change the trainer's config between steps; a bad value is refused and explained."""
        try:
            with self.lock:
                rebuilt = self.trainer.configure(**changes)
        except ValueError as error:
            self._say(f"Not applied: {error}", error=True)
            self._sync_controls()
            return
        if rebuilt:
            self.metric_rows.clear()
        self._say(f"Applied {', '.join(f'{k}={v!r}' for k, v in changes.items())}"
                  + (" (G and D rebuilt from the seed)" if rebuilt else ""))  # fmt: skip
        if not self.playing:
            self.draw()

    def _on_step_mode(self, change) -> None:
        self.diagram.value = model_diagram(*STEP_MODES[change["new"]])

    def _on_preset(self, change) -> None:
        if change["new"] in PRESETS:
            self.apply_preset(change["new"])

    def apply_preset(self, name: str) -> None:
        """Set every config field to the preset's values (defaults elsewhere) and rebuild."""
        preset = get_preset(name)
        values = asdict(preset.config)
        if self.trainer.config.dataset == "custom" and "dataset" not in preset.changes:
            values["dataset"] = "custom"
        self.pause()
        self.configure(**values)
        self.reset()
        self._sync_controls()
        self._say(f"Preset {name!r}: {preset.description}")

    # ---- training ---------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def play(self) -> None:
        """Start the worker thread (does nothing if it is already running)."""
        if self.playing:
            return
        self._stop.clear()
        self._worker = threading.Thread(target=self._loop, name="gan-edu-worker", daemon=True)
        self._set_playing(True)
        self._worker.start()

    def pause(self, timeout: float = 5.0) -> None:
        """Stop the worker after its current step and wait for it."""
        self._stop.set()
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join(timeout)
        self._set_playing(False)

    def _set_playing(self, playing: bool) -> None:
        self.buttons["play"].disabled = playing
        self.buttons["pause"].disabled = not playing
        self.buttons["step"].disabled = playing

    def _loop(self) -> None:
        next_frame = time.perf_counter()
        while not self._stop.is_set():
            if not self._train(1):
                break
            now = time.perf_counter()
            if now >= next_frame:
                next_frame = max(next_frame + 1 / self.fps, now)  # a steady rate, no catching up
                self.draw()
        self.draw()
        self._set_playing(False)

    def _train(self, steps: int) -> bool:
        """Train `steps` steps under the lock; on a fault, explain it and return False."""
        d, g = STEP_MODES[self.step_mode.value]
        try:
            for _ in range(steps):
                start = time.perf_counter()
                with self.lock:
                    self.trainer.step(d=d, g=g)
                    if self.trainer.step_count % self.metrics_every == 0:
                        self._record_metrics()
                self._rate = 0.98 * self._rate + 0.02 / max(time.perf_counter() - start, 1e-9)
        except TrainingDiverged as error:
            self._say(f"Paused: {error}", error=True)
            return False
        except Exception:  # shown in the dashboard, not lost in a log
            self._say("Paused: training raised an error:\n" + traceback.format_exc(limit=4), error=True)
            return False
        return True

    def _record_metrics(self) -> None:
        t = self.trainer
        if t.data.modes is not None:
            self.metric_rows.append({"step": t.step_count, **mode_report(t, 1000)})
        elif t.config.dataset in evaluator.WEIGHTS:  # Fashion-MNIST and the digits have evaluators
            test = images.get_dataset(t.config.dataset, split="test").images  # digits: 297 of them
            real = evaluator.reference(min(IMAGE_SAMPLES, len(test)), t.config.dataset)
            row = evaluator.report(t.sample(IMAGE_SAMPLES), real)
            self.metric_rows.append({"step": t.step_count, **row})

    def step_once(self, steps: int = 1) -> None:
        """The Step button: `steps` steps of the kind chosen (D and G, D only, G only)."""
        if not self.playing:
            self._train(steps)
            self.draw()

    def run(self, steps: int) -> LiveDashboard:
        """Train `steps` steps in this thread (blocking), then draw: what notebooks call."""
        steps = checks.integer("steps", steps)
        self.pause()
        self._until = self.trainer.step_count + steps
        self._train(steps)
        self.draw()
        return self

    def reset(self) -> None:
        """Re-initialise G and D from the seed and clear the history."""
        was_playing = self.playing
        self.pause()
        with self.lock:
            self.trainer.reset()
            self.metric_rows.clear()
        self._until = None
        self.draw()
        if was_playing:
            self.play()

    # ---- output -----------------------------------------------------------------------------------
    def draw(self) -> None:
        """Render one frame: the view is taken under the lock, the drawing happens outside it."""
        with self.lock:
            view = views.of(self.trainer)
            history = self.trainer.history.copy()
            rows = list(self.metric_rows)
            step, device = self.trainer.step_count, self.trainer.device
        self.caption.value = self._captions["images" if "d_grid" not in view else "points"]
        with self._render_lock:  # the worker and a button click may both draw
            self._jpeg = self._frame.jpeg(view, history, rows, self._until)
            self.image.value = self._jpeg
        state = "playing" if self.playing and not self._stop.is_set() else "paused"
        self.status.value = (f"<b>step <span class='gan-edu-step'>{step}</span></b> · "
                             f"{self._rate:.0f} steps/s · device {device} · {state}")  # fmt: skip

    def copy_config(self) -> dict:
        """Show the config as code you can paste into a cell to rebuild this experiment."""
        cfg = asdict(self.trainer.config)
        default = asdict(GANConfig())
        changed = {f.name: cfg[f.name] for f in fields(GANConfig) if cfg[f.name] != default[f.name]}
        self.config_text.value = f"from gan_edu import GANTrainer\ntrainer = GANTrainer(**{changed!r})"
        self.config_text.layout = W.Layout(width="100%", height="70px")
        return cfg

    def _say(self, text: str, error: bool = False) -> None:
        color = "#b00020" if error else "#333"
        self.message.value = f"<pre style='color:{color};white-space:pre-wrap'>{html.escape(text)}</pre>"

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["image/jpeg"] = base64.b64encode(self._jpeg).decode()  # shown where widgets cannot run
        return bundle
