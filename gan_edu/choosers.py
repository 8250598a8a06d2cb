"""Widgets that steer a trained conditional GAN or InfoGAN (notebook 09): choose a class and see a
grid of it; move InfoGAN's codes and see what each one changes. Each redraw is one forward pass of
G on at most 80 noise vectors plus one PNG of a tiled grid: well under a second on one CPU core."""

from __future__ import annotations

import io

import ipywidgets as W
import numpy as np
import torch
from PIL import Image

from . import conditional, plots


def grid_png(images: torch.Tensor, columns: int, scale: int = 3) -> bytes:
    """Images (N, 1, H, W) in [-1, 1] tiled `columns` wide, enlarged `scale` times, as PNG bytes."""
    tiled = plots.tile(images, columns)  # 0 = background, 1 = full ink
    pixels = (255 * (1 - np.clip(tiled, 0, 1))).astype(np.uint8)  # dark garments on white, like imshow gray_r
    image = Image.fromarray(pixels).resize((pixels.shape[1] * scale, pixels.shape[0] * scale), Image.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    return buffer.getvalue()


def _check(trainer, condition: str) -> None:
    if trainer.config.condition != condition:
        raise ValueError(f"this widget needs a trainer with condition={condition!r}; "
                         f"this one has condition={trainer.config.condition!r}")  # fmt: skip


class _Shown:
    """A widget of this module: `self.widget`, shown when the object ends a cell."""

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class ClassChooser(_Shown):
    """A class chooser and a grid of `n` samples of the chosen class (new noise with the seed slider)."""

    def __init__(self, trainer, n: int = 32, columns: int = 8):
        _check(trainer, "class")
        self.trainer, self.n, self.columns = trainer, n, columns
        names = trainer.data.classes
        self.choice = W.ToggleButtons(options=[(name, i) for i, name in enumerate(names)], value=0,
                                      description="class", style={"button_width": "90px"})  # fmt: skip
        self.seed = W.IntSlider(value=0, min=0, max=99, description="noise seed")
        self.image = W.Image(format="png")
        for control in (self.choice, self.seed):
            control.observe(lambda _: self.draw(), names="value")
        self.widget = W.VBox([self.choice, self.seed, self.image])
        self.widget.add_class("gan-edu-class-chooser")  # the browser test finds it by this
        self.draw()

    def draw(self) -> None:
        code = conditional.class_code(torch.full((self.n,), self.choice.value))
        self.image.value = grid_png(
            self.trainer.sample(self.n, seed=1000 + self.seed.value, code=code), self.columns
        )


class CodeSliders(_Shown):
    """InfoGAN's codes by hand: rows are the ten categorical values, columns vary one continuous
    code from -2 to 2 while the other stays at its slider's value and the noise stays fixed."""

    def __init__(self, trainer, columns: int = 8):
        _check(trainer, "infogan")
        self.trainer, self.columns = trainer, columns
        self.varied = W.ToggleButtons(
            options=[("vary c1", 0), ("vary c2", 1)], value=0, description="columns"
        )
        self.other = W.FloatSlider(value=0.0, min=-2, max=2, step=0.1, description="other code")
        self.seed = W.IntSlider(value=0, min=0, max=99, description="noise seed")
        self.image = W.Image(format="png")
        for control in (self.varied, self.other, self.seed):
            control.observe(lambda _: self.draw(), names="value")
        self.widget = W.VBox([self.varied, self.other, self.seed, self.image])
        self.widget.add_class("gan-edu-code-sliders")
        self.draw()

    def codes(self) -> torch.Tensor:
        """(10 * columns, 12): row r is categorical value r; the varied code runs across the columns."""
        rows, cols = conditional.N_CLASSES, self.columns
        continuous = torch.full((rows * cols, conditional.N_CONTINUOUS), float(self.other.value))
        continuous[:, self.varied.value] = torch.linspace(-2, 2, cols).repeat(rows)
        return conditional.info_code(torch.arange(rows).repeat_interleave(cols), continuous)

    def draw(self) -> None:
        codes = self.codes()
        z = self.trainer.noise(1, torch.Generator().manual_seed(1000 + self.seed.value)).cpu()
        x = self.trainer.generate(z.repeat(len(codes), 1), codes)  # one z for the grid: only the codes change
        self.image.value = grid_png(x, self.columns)
