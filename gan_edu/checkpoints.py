"""Checkpoints: a trainer's config, weights, optimizer and random state in one file, read back
safely. `trainer.save(path)`, `GANTrainer.load(path)` and `trainer.load_state(path)` call these."""

from __future__ import annotations

from pathlib import Path

import torch

from .config import REBUILD_FIELDS

FORMAT = "gan_edu checkpoint 1"


def first_line(error: BaseException) -> str:
    """An exception's first line for a message, or its type where it has no text (EOFError)."""
    return (str(error).splitlines() or [type(error).__name__])[0]


def save(trainer, path) -> Path:
    """Write `trainer`'s config and snapshot to `path`; `GANTrainer.load(path)` continues from it."""
    path = Path(path)
    torch.save({"format": FORMAT, "config": trainer.config_dict(), "state": trainer.snapshot()}, path)
    return path


def read(path, fits: dict | None = None) -> dict:
    """The checkpoint at `path` as {"config", "state"}, with clear errors for a missing, unreadable
    or foreign file. With `fits` (a config dict), refuse a checkpoint of other networks."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}; trainer.save({str(path)!r}) writes one")
    if path.stat().st_size == 0:
        raise ValueError(f"{path} cannot be read as a checkpoint: the file is empty (an interrupted save?)")
    try:  # weights_only: a checkpoint is data (tensors, numbers, strings), never code to run
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ValueError(f"{path} cannot be read as a checkpoint (truncated or not a checkpoint): "
                         f"{first_line(error)}") from error  # fmt: skip
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"{path} is not a gan_edu checkpoint (write one with trainer.save(path))")
    if not isinstance(ckpt.get("config"), dict) or not isinstance(ckpt.get("state"), dict):
        raise ValueError(f"{path} is a damaged gan_edu checkpoint (its config or state is missing); "
                         "nothing was changed. Save it again with trainer.save(path)")  # fmt: skip
    if fits is not None:
        theirs = ckpt["config"]
        differ = [
            k for k in sorted(REBUILD_FIELDS - {"seed", "betas", "optimizer"}) if theirs.get(k) != fits[k]
        ]
        if differ:  # (same settings on data of another shape: trainer.restore() refuses it)
            shown = ", ".join(f"{k}: {theirs.get(k)!r} there, {fits[k]!r} here" for k in differ)
            hint = f"GANTrainer.load({str(path)!r}) rebuilds the trainer it came from"
            raise ValueError(
                f"{path} holds other networks than this trainer's ({shown}); nothing was changed. {hint}."
            )
    return {"config": ckpt["config"], "state": ckpt["state"]}
