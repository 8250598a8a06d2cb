"""GANTrainer: the training step of notebook 03, packaged so later notebooks do not copy it."""

from __future__ import annotations

import copy
import math
import time
import warnings
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import torch
from tqdm.auto import tqdm

from . import checkpoints, checks, conditional, images, losses, nets, toy, unroll
from .config import REBUILD_FIELDS, GANConfig, get_dataset, make_config
from .history import History
from .runtime import pick_device, seeded


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the trainer has gone back to its last good state."""


def _optimizer_kind(group: dict) -> str:
    """Which of the config's optimizers wrote a saved parameter group, by a setting only it has."""
    for key, kind in (("betas", "adam"), ("alpha", "rmsprop"), ("dampening", "sgd")):
        if key in group:
            return kind
    return "unknown"


class GANTrainer:
    """Owns G, D, their optimizers, the data sampler and the config; trains one step at a time."""

    def __init__(self, config: GANConfig | None = None, data=None, **changes):
        self.config = make_config(config, **changes)
        # your own data: an (N, dim) array of points, or an images.ImageDataset
        self.custom_data = (
            data if data is None or isinstance(data, images.ImageDataset) else toy.from_array(data)
        )
        if data is not None:
            self.config.dataset = "custom"
        self.reset()

    # ---- set-up -------------------------------------------------------------------------------
    def reset(self) -> None:
        """Rebuild data, G, D and optimizers from the config's seed; clear the history."""
        cfg = self.config
        self.data = self._dataset()
        self.device = pick_device(cfg.device)
        self.loss = losses.get_loss(cfg.loss)
        self.cond = conditional.Conditioning(cfg.condition, cfg.info_weight)
        with seeded(cfg.seed):  # build from the seed without touching the session's random state
            G, D = nets.build(cfg, self.data.shape)
        self.G, self.D = G.to(self.device), D.to(self.device)
        self.G_avg = copy.deepcopy(self.G) if cfg.g_ema else None  # the averaged G, if the config asks
        self._standing = None  # G with standing statistics, built when first drawn from at this step
        self.data_shape = self.data.shape  # what G makes and D judges
        self.opt_G = self._optimizer(self.G, cfg.lr_G)
        self.opt_D = self._optimizer(self.D, cfg.lr_D)
        self.rng = torch.Generator().manual_seed(cfg.seed)  # data and noise for training only
        self.step_count = 0
        self.history = History(cfg.history_size)
        self._good = self.snapshot()

    def _dataset(self) -> toy.ToyDataset | images.ImageDataset:
        if self.config.dataset != "custom":
            return get_dataset(self.config.dataset, **self.config.dataset_kwargs)
        if self.custom_data is None:
            raise ValueError("dataset 'custom' needs your points: GANTrainer(data=array_of_shape_N_by_2)")
        return self.custom_data

    def _optimizer(self, net: torch.nn.Module, lr: float) -> torch.optim.Optimizer:
        if self.config.optimizer == "adam":
            return torch.optim.Adam(net.parameters(), lr=lr, betas=self.config.betas)
        if self.config.optimizer == "rmsprop":
            return torch.optim.RMSprop(net.parameters(), lr=lr)
        return torch.optim.SGD(net.parameters(), lr=lr)

    def configure(self, **changes) -> bool:
        """Change config fields between steps; returns True when G and D had to be rebuilt.

        All or nothing: if any change is refused, the trainer is left exactly as it was.
        """
        saved = dict(vars(self))  # every attribute, whatever a change replaces (no list to keep)
        snap = self.snapshot()
        try:
            return self._configure(changes)
        except Exception:
            vars(self).clear()
            vars(self).update(saved)
            self.G.to(self.device), self.D.to(self.device)
            self.restore(snap)
            self._good = saved["_good"]
            raise

    def _configure(self, changes: dict) -> bool:
        old = self.config
        self.config = make_config(old, **changes)
        if (old.dataset, old.dataset_kwargs) != (self.config.dataset, self.config.dataset_kwargs):
            self.data = self._dataset()
        rebuild = any(getattr(old, k) != getattr(self.config, k) for k in REBUILD_FIELDS)
        if rebuild or self.data.shape != self.data_shape:  # new data shape: new networks
            self.reset()
            return True
        if old.device != self.config.device:
            snap = self.snapshot()
            self.device = pick_device(self.config.device)
            self.G.to(self.device), self.D.to(self.device)
            self.restore(snap)  # optimizer state follows the parameters to the new device
        self.loss = losses.get_loss(self.config.loss)
        self.cond = conditional.Conditioning(self.config.condition, self.config.info_weight)
        if bool(old.g_ema) != bool(self.config.g_ema):  # the average starts from G as it is now
            self.G_avg = copy.deepcopy(self.G) if self.config.g_ema else None
        self._standing = None
        self._apply_optimizer_settings()
        return False

    def _apply_optimizer_settings(self) -> None:
        """Make the optimizers train with the config's learning rates (what the sliders show) and
        Adam's betas, whatever a loaded optimizer state held."""
        for opt, lr in ((self.opt_D, self.config.lr_D), (self.opt_G, self.config.lr_G)):
            for group in opt.param_groups:
                group["lr"] = lr
                if "betas" in group:
                    group["betas"] = tuple(self.config.betas)

    # ---- sampling ---------------------------------------------------------------------------------
    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """z of shape (n, latent_dim) on the trainer's device: N(0, I) or U(-1, 1)."""
        shape = (n, self.config.latent_dim)
        if self.config.noise == "gaussian":
            z = torch.randn(shape, generator=generator)
        else:
            z = torch.rand(shape, generator=generator) * 2 - 1
        return z.to(self.device)

    def real(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n real points of shape (n, dim) on the trainer's device."""
        return self.data.sample(n, generator).to(self.device)

    @torch.no_grad()
    def sample(self, n: int, seed: int | None = None, code: torch.Tensor | None = None,
               truncation: float = 1.0) -> torch.Tensor:  # fmt: skip
        """n generated points on the CPU, from fixed noise (seed + 1 unless given): same z each call.
        A conditional G takes `code` (`conditional.class_code`, `info_code`; default classes 0..9).
        `truncation` < 1 shrinks z towards its mean, 0 (the truncation trick of notebook 09); it needs
        G in evaluation mode: with `sample_stats="batch"` batch norm divides the common factor out."""
        n = checks.integer("n", n, meaning="how many samples")
        seed = None if seed is None else checks.integer("seed", seed, 0, "or None: the trainer's fixed noise")
        checks.number("truncation", truncation, 0, 1, low_open=True, meaning="1: no truncation")
        if truncation < 1 and self.config.sample_stats == "batch" and nets.batch_norms(self.G):
            message = ("truncation has no effect on z's scale while G draws in training mode: batch norm "
                       "divides it out. Set sample_stats='standing' (trainer.configure) first")  # fmt: skip
            warnings.warn(message, stacklevel=3)
        g = torch.Generator().manual_seed(self.config.seed + 1 if seed is None else seed)
        return self.generate(self.noise(n, g) * truncation, code)

    @torch.no_grad()
    def generate(
        self, z: torch.Tensor, code: torch.Tensor | None = None, averaged: bool = True
    ) -> torch.Tensor:
        """G's output on the CPU for the noise z (n, latent_dim) you give (a conditional G: and code).
        The averaged G draws when the config keeps one (`g_ema`), unless `averaged=False`; batch norm
        normalises as `config.sample_stats` says (`drawing`). Never changes the trainer's state."""
        try:
            z = torch.as_tensor(z, dtype=torch.float32)
        except (TypeError, ValueError, RuntimeError) as error:
            raise TypeError(f"z must be a tensor or array of shape (n, {self.config.latent_dim}), "
                            f"not {type(z).__name__}") from error  # fmt: skip
        if z.ndim != 2 or z.shape[1] != self.config.latent_dim or not len(z):
            raise ValueError(
                f"z must have shape (n, {self.config.latent_dim}) with n >= 1, not {tuple(z.shape)}"
            )
        if not torch.isfinite(z).all():
            raise ValueError("z holds NaN or infinite values")
        code = self.cond.check_code(len(z), code)
        with self.drawing(averaged) as G:
            return G(self.cond.g_input(z.to(self.device), code)).cpu()

    @contextmanager
    def drawing(self, averaged: bool = True):
        """The network that draws images, ready to use: the averaged G (if kept and `averaged`) or G,
        with batch norm set as `config.sample_stats` says. "batch": training mode, its statistics put
        back afterwards; "running": evaluation mode; "standing": evaluation mode with statistics
        re-estimated from 8 fresh batches of the training batch size (fixed noise: seed + 2), once
        per step. Nothing the trainer trains with changes."""
        net = self.G_avg if averaged and self.G_avg is not None else self.G
        how = self.config.sample_stats
        if how == "batch" or not nets.batch_norms(net):
            with nets.statistics_kept(net):
                yield net
            return
        if how == "standing":
            key = (self.step_count, net is self.G_avg)
            if self._standing is None or self._standing[0] != key:
                g, n = torch.Generator().manual_seed(self.config.seed + 2), self.config.batch_size
                batches = (self.cond.g_input(self.noise(n, g), self.cond.random_code(n, g)) for _ in range(8))
                self._standing = (key, nets.standing_statistics(net, batches))
            yield self._standing[1]
            return
        net.eval()
        try:
            yield net
        finally:
            net.train()

    # ---- training ---------------------------------------------------------------------------------
    def d_step(self) -> torch.Tensor:
        """One update of D: real points labelled real, G's points (detached) labelled fake."""
        cfg, cond = self.config, self.cond
        x_real, c_real = cond.real(self.data, cfg.batch_size, self.rng)  # c_real: the class, if D sees it
        z, c_fake = self.noise(cfg.batch_size, self.rng), cond.random_code(cfg.batch_size, self.rng)
        x_fake = self.G(cond.g_input(z, c_fake)).detach()  # D's update must not change G
        D = cond.judge(self.D)  # D itself, or its logit alone when D also carries InfoGAN's Q head
        d_loss = self._d_objective(
            D, cond.d_input(x_real.to(self.device), c_real), cond.d_input(x_fake, c_fake)
        )
        d_loss = d_loss + cond.q_loss(self.D, x_fake, c_fake)  # InfoGAN: Q learns to read the codes
        self.opt_D.zero_grad()
        d_loss.backward()
        self.opt_D.step()
        if cfg.weight_clip:
            losses.clip_weights(self.D, cfg.weight_clip)
        return d_loss.detach()

    def _d_objective(self, D, x_real: torch.Tensor, x_fake: torch.Tensor) -> torch.Tensor:
        """D's loss with its penalties; D is the network or a function standing for it."""
        cfg = self.config
        d_loss = self.loss.d_loss(D(x_real), D(x_fake))
        if cfg.gp_weight:
            d_loss = d_loss + cfg.gp_weight * losses.gradient_penalty(D, x_real, x_fake, self.rng)
        if cfg.r1_weight:
            d_loss = d_loss + cfg.r1_weight / 2 * losses.r1_penalty(D, x_real)
        return d_loss

    def g_step(self) -> torch.Tensor:
        """One update of G through D's judgement of fresh fakes (D's weights are not stepped).

        With unroll_steps = k, G's loss is taken against D as it will be after k more updates
        (Metz et al. 2017): the look-ahead is differentiated through, so G's gradient includes how
        D would react to G's change (`gan_edu.unroll`). With unroll_first_order, D is stepped ahead
        for real, G's gradient is taken there without that reaction term, and D is put back.
        """
        cfg = self.config
        if cfg.unroll_steps and not cfg.unroll_first_order:
            return unroll.g_step(self)
        saved = self._d_state() if cfg.unroll_steps else None
        for _ in range(cfg.unroll_steps):
            self.d_step()
        z, code = self.noise(cfg.batch_size, self.rng), self.cond.random_code(cfg.batch_size, self.rng)
        out = self.D(self.cond.d_input(self.G(self.cond.g_input(z, code)), code))
        g_loss = self.loss.g_loss(self.cond.logit(out)) + self.cond.info_loss(out, code)
        self.opt_G.zero_grad()
        g_loss.backward()
        self.opt_G.step()
        if saved is not None:
            self.D.load_state_dict(saved["D"])
            self.opt_D.load_state_dict(saved["opt_D"])
        return g_loss.detach()

    def _d_state(self) -> dict:
        return copy.deepcopy({"D": self.D.state_dict(), "opt_D": self.opt_D.state_dict()})

    def step(self, d: bool = True, g: bool = True) -> dict:
        """d_steps updates of D, then g_steps updates of G; record losses; stop cleanly on NaN."""
        start = time.perf_counter()
        d_loss = g_loss = torch.tensor(float("nan"))
        for _ in range(self.config.d_steps if d else 0):
            d_loss = self.d_step()
        for _ in range(self.config.g_steps if g else 0):
            g_loss = self.g_step()
            if self.G_avg is not None:
                nets.average_into(self.G_avg, self.G, self.config.g_ema, self.step_count)
        self._standing = None
        stats = {"step": self.step_count + 1, "d_loss": d_loss.item(), "g_loss": g_loss.item()}
        for who, key, ran in (("D", "d_loss", d), ("G", "g_loss", g)):
            if ran and not math.isfinite(stats[key]):
                self.restore(self._good)
                raise TrainingDiverged(
                    f"{who}'s loss became {stats[key]} at step {stats['step']}. Training stopped "
                    f"and went back to step {self.step_count}, the last good state. Try smaller "
                    f"learning rates (now lr_D={self.config.lr_D:g}, lr_G={self.config.lr_G:g}), "
                    "a gradient penalty (r1_weight or gp_weight), or the non_saturating loss."
                )
        self.step_count += 1
        stats["g_grad_norm"] = nets.grad_norm(self.G) if g else float("nan")
        stats["seconds"] = time.perf_counter() - start
        self.history.append(stats)
        if self.step_count % 100 == 0 and nets.finite(self.G) and nets.finite(self.D):
            self._good = self.snapshot()
        return stats

    def run(self, steps: int, callback=None, every: int = 1, progress: bool = True) -> History:
        """Train for `steps` steps; call `callback(trainer, stats)` every `every` steps (False stops)."""
        steps, every = checks.integer("steps", steps), checks.integer("every", every)
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be a function callback(trainer, stats) or None, got {callback!r}")
        bar = tqdm(range(steps), desc="training", disable=not progress, mininterval=0.5)
        for i in bar:
            stats = self.step()
            if callback is not None and (i + 1) % every == 0 and callback(self, stats) is False:
                break
            if progress and i % 100 == 0:
                bar.set_postfix(d_loss=f"{stats['d_loss']:.3f}", g_loss=f"{stats['g_loss']:.3f}")
        bar.close()
        return self.history

    # ---- state ------------------------------------------------------------------------------------
    def snapshot(self) -> dict:
        """A deep copy of everything training changes: weights, optimizer state, RNG, step count."""
        return copy.deepcopy({
            "G": self.G.state_dict(), "D": self.D.state_dict(),
            "G_avg": None if self.G_avg is None else self.G_avg.state_dict(),
            "opt_G": self.opt_G.state_dict(), "opt_D": self.opt_D.state_dict(),
            "rng": self.rng.get_state(), "step": self.step_count,
        })  # fmt: skip

    def restore(self, snap: dict) -> None:
        """Go back to a snapshot's weights, optimizer state and step; history after it is dropped.

        The learning rates and betas stay those of the current config: the state that trains is the
        state the config (and the dashboard's sliders) show. A snapshot that does not fit (other
        networks, another optimizer, a damaged file's missing parts) is refused before anything
        changes. The restored state becomes the NaN guard's last good state, so a loaded run is
        never dropped for the untrained networks.
        """
        self._check_snapshot(snap)
        self.G.load_state_dict(snap["G"])
        self.D.load_state_dict(snap["D"])
        if self.G_avg is not None:  # a snapshot without an average (taken with g_ema=0): start it from G
            self.G_avg.load_state_dict(snap.get("G_avg") or snap["G"])
        self._standing = None
        self.opt_G.load_state_dict(snap["opt_G"])
        self.opt_D.load_state_dict(snap["opt_D"])
        self._apply_optimizer_settings()
        self.rng.set_state(snap["rng"])
        self.step_count = int(snap["step"])  # a NumPy integer passes the check: keep a Python int
        self.history.truncate(self.step_count)
        self._good = self.snapshot()

    def _check_snapshot(self, snap) -> None:
        """Raise a ValueError (and change nothing) unless `snap` can be restored into this trainer."""
        missing = [
            k
            for k in ("G", "D", "opt_G", "opt_D", "rng", "step")
            if not isinstance(snap, dict) or k not in snap
        ]
        if missing:
            raise ValueError(f"this snapshot lacks {', '.join(missing)} (it is damaged or not a trainer's "
                             "snapshot); nothing was changed. trainer.snapshot() makes one")  # fmt: skip
        try:
            checks.integer("this snapshot's step", snap["step"], 0)
        except ValueError as error:
            raise ValueError(f"{error}; nothing was changed") from None
        if not isinstance(snap["rng"], torch.Tensor) or snap["rng"].dtype != torch.uint8:
            raise ValueError("this snapshot's random state is damaged; nothing was changed")
        if self.G_avg is not None and snap.get("G_avg") is not None:
            try:
                copy.deepcopy(self.G_avg).load_state_dict(snap["G_avg"])
            except (RuntimeError, KeyError, TypeError, AttributeError) as error:
                raise ValueError("this snapshot's averaged G does not fit this trainer's G; nothing was "
                                 f"changed. Details: {checkpoints.first_line(error)}") from error  # fmt: skip
        for name in ("G", "D"):
            net = copy.deepcopy(getattr(self, name))
            try:
                net.load_state_dict(snap[name])
            except (RuntimeError, KeyError, TypeError, AttributeError) as error:
                raise ValueError(
                    f"this snapshot does not fit this trainer's {name} (it was taken from networks of "
                    f"another shape); nothing was changed. Details: {checkpoints.first_line(error)}"
                ) from error
            opt, state = getattr(self, f"opt_{name}"), snap[f"opt_{name}"]
            groups = state.get("param_groups") if isinstance(state, dict) else None
            theirs = _optimizer_kind(groups[0] if groups and isinstance(groups[0], dict) else {})
            if theirs != self.config.optimizer:
                raise ValueError(
                    f"this snapshot's optimizer of {name} is {theirs!r}, this trainer's is "
                    f"{self.config.optimizer!r}; nothing was changed. GANTrainer.load(path) rebuilds the "
                    f"trainer a checkpoint came from, or call configure(optimizer={theirs!r}) first"
                )
            try:
                type(opt)(net.parameters(), **opt.defaults).load_state_dict(state)
            except (ValueError, KeyError, TypeError, RuntimeError) as error:
                raise ValueError(f"this snapshot's optimizer state of {name} does not fit; nothing was "
                                 f"changed. Details: {checkpoints.first_line(error)}") from error  # fmt: skip

    # ---- checkpoints (gan_edu.checkpoints reads and checks the file) ---------------------------
    def save(self, path) -> Path:
        """Write a checkpoint: config, weights, optimizer and random state, step (not the history)."""
        return checkpoints.save(self, path)

    @classmethod
    def load(cls, path, data=None) -> GANTrainer:
        """A trainer rebuilt from a checkpoint written by `save` (pass `data` again for a custom dataset)."""
        ckpt = checkpoints.read(path)
        trainer = cls(ckpt["config"], data=data)
        trainer.restore(ckpt["state"])
        return trainer

    def load_state(self, path) -> None:
        """Load a checkpoint of networks like these into this trainer; others are refused, nothing changes."""
        self.restore(checkpoints.read(path, fits=self.config_dict())["state"])

    def config_dict(self) -> dict:
        """The config as a plain dict: GANTrainer(**d) rebuilds the same experiment."""
        return asdict(self.config)
