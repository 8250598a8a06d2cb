"""How long until a GAN draws recognisable garments? Our DCGAN preset against a plain tutorial loop.

Both train on the same shipped Fashion-MNIST subset in one run, one after the other, with the same
thread count. Every 10 seconds of *training* time (evaluation not counted) each is measured on
1,000 samples from fixed noise against 1,000 test images by the evaluator
(`gan_edu.evaluator.report`): Fréchet distance, precision, recall, the confident share and
whether it is "recognisable" (`gan_edu.metrics.RECOGNISABLE`).

The plain loop is the PyTorch DCGAN tutorial's recipe scaled to 28 x 28, written here on its own
(no gan_edu training code): 32 base channels, batch norm in G and D, sigmoid + BCELoss, batch 128,
Adam 2e-4 with beta1 = 0.5, shuffled epochs.

    .venv/bin/python bench/image_time_to_quality.py [--seconds 240] [--threads 2] [--out FILE.json]

Before the race it prints how close our training step is to the machine's limit: the step's
floating-point operations (counted by `torch.utils.flop_counter`) per second of its measured time,
against the same machine's fp32 matrix-multiply throughput at the same thread count, and against
the throughput of the step's own convolutions run alone (forward and backward, same shapes).
`--set key=value` changes a setting of our preset (repeatable; values are read as JSON, else text):

    .venv/bin/python bench/image_time_to_quality.py --seconds 60 --set g_ema=0.999 --set sample_stats=standing

With `--dataset digits` it times our `dcgan_digits` preset alone on scikit-learn's 8 x 8 digits,
measured every 2 seconds against the 297 test digits by the digits evaluator (the plain loop's
networks are written for 28 x 28):

    .venv/bin/python bench/image_time_to_quality.py --dataset digits --seconds 20 --threads 1
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from gan_edu import GANTrainer, evaluator, images
from gan_edu.presets import get_preset


class PlainLoop:
    """The tutorial's DCGAN, 28 x 28: its own networks, losses, optimizers and epoch loop."""

    def __init__(self, data: torch.Tensor, seed: int = 0, nz: int = 100, ngf: int = 32, batch: int = 128):
        torch.manual_seed(seed)
        self.data, self.nz, self.batch = data, nz, batch
        self.G = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 7, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, 1, 4, 2, 1, bias=False), nn.Tanh(),
        )  # fmt: skip
        self.D = nn.Sequential(
            nn.Conv2d(1, ngf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ngf, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ngf * 2, 1, 7, 1, 0, bias=False), nn.Sigmoid(), nn.Flatten(),
        )  # fmt: skip
        for m in [*self.G.modules(), *self.D.modules()]:  # the tutorial's weights_init
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.normal_(m.weight, 1.0, 0.02), nn.init.zeros_(m.bias)
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.loss, self.order, self.cursor = nn.BCELoss(), torch.randperm(len(data)), 0

    def step(self) -> None:
        if self.cursor + self.batch > len(self.data):
            self.order, self.cursor = torch.randperm(len(self.data)), 0
        real = self.data[self.order[self.cursor : self.cursor + self.batch]]
        self.cursor += self.batch
        ones, zeros = torch.ones(len(real), 1), torch.zeros(len(real), 1)
        fake = self.G(torch.randn(len(real), self.nz, 1, 1))
        d_loss = self.loss(self.D(real), ones) + self.loss(self.D(fake.detach()), zeros)
        self.opt_D.zero_grad(), d_loss.backward(), self.opt_D.step()
        g_loss = self.loss(self.D(fake), ones)
        self.opt_G.zero_grad(), g_loss.backward(), self.opt_G.step()

    @torch.no_grad()
    def sample(self, n: int) -> torch.Tensor:
        return self.G(torch.randn(n, self.nz, 1, 1, generator=torch.Generator().manual_seed(1)))


def race(name: str, step, sample, seconds: float, real: torch.Tensor, every: float = 10.0) -> list[dict]:
    """Train with `step()` until `seconds` of training time or recognisable; measure every `every` s."""
    curve, trained, steps, next_check = [], 0.0, 0, every
    while trained < seconds:
        start = time.perf_counter()
        step()
        trained, steps = trained + time.perf_counter() - start, steps + 1
        if trained >= next_check:
            next_check += every
            r = evaluator.report(sample(1000), real)
            keys = ("frechet", "precision", "recall", "confident", "classes_present", "recognisable")
            c = {"seconds": round(trained, 1), "steps": steps, **{k: r[k] for k in keys}}
            curve.append(c)
            print(f"{name:6s} {c['seconds']:5.0f} s {steps:6d} steps  {evaluator.summary(r)}", flush=True)
            if c["recognisable"]:
                break
    return curve


def _per_second(work, flops: float, repeat: int = 20) -> float:
    """flops / the median time of `work()` over `repeat` calls (after two warm-up calls)."""
    work(), work()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return flops / sorted(times)[len(times) // 2]


def step_efficiency(trainer: GANTrainer) -> dict:
    """The training step's FLOPs and FLOP/s, against fp32 matrix multiplication on this machine and
    against the step's convolutions run alone with the same shapes (all at the current thread count)."""
    trainer.step()
    convs = []  # (layer, input shape) of every convolution the step runs

    def record(module, args):
        convs.append((module, tuple(args[0].shape)))

    layers = [
        m for net in (trainer.G, trainer.D) for m in net.modules() if isinstance(m, nn.modules.conv._ConvNd)
    ]
    hooks = [m.register_forward_pre_hook(record) for m in layers]
    with FlopCounterMode(display=False) as counter:
        trainer.step()
    for h in hooks:
        h.remove()
    flops = counter.get_total_flops()
    snap = trainer.snapshot()
    step_rate = _per_second(trainer.step, flops)
    trainer.restore(snap)

    def convolutions():
        for layer, shape in convs:
            x = torch.randn(shape, requires_grad=True)
            layer(x).sum().backward()

    with FlopCounterMode(display=False) as counter:
        convolutions()
    conv_rate = _per_second(convolutions, counter.get_total_flops())
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    matmul_rate = _per_second(lambda: a @ b, 2 * 1024**3)
    rates = {"step_gflops": step_rate, "convolutions_alone_gflops": conv_rate, "matmul_gflops": matmul_rate}
    return {"gflop_per_step": flops / 1e9, **{k: v / 1e9 for k, v in rates.items()},
            "share_of_matmul": step_rate / matmul_rate}  # fmt: skip


def first_recognisable(curve: list[dict]) -> float | None:
    return next((c["seconds"] for c in curve if c["recognisable"]), None)


def digits(args) -> None:
    """Our digits preset alone: seconds until recognisable on 1,000 samples (297 real test digits)."""
    ours = GANTrainer(get_preset("dcgan_digits").config, device="cpu")
    real = evaluator.reference(297, "digits")
    curve = race("digits", ours.step, lambda n: ours.sample(n), args.seconds, real, every=2.0)
    t = first_recognisable(curve)
    print(f"\n{args.threads} CPU thread(s): digits recognisable " + (f"after {t:.0f} s" if t else "not yet"))
    if args.out:
        flags = f"--dataset digits --seconds {args.seconds:g} --threads {args.threads}"
        command = f"python bench/image_time_to_quality.py {flags}"
        record = {"command": command, "torch": torch.__version__, "threads": args.threads, "curve": curve}
        Path(args.out).write_text(json.dumps(record, indent=1))


def _setting(text: str) -> tuple[str, object]:
    """'key=value' -> (key, value), the value read as JSON where it parses (0.999, true, [1, 2])."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise SystemExit(f"--set takes key=value, such as g_ema=0.999; got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=240, help="training-time limit for each loop")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dataset", choices=("fashion_mnist", "digits"), default="fashion_mnist")
    parser.add_argument("--out", help="write the curves to this JSON file")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="change a setting of our preset, e.g. --set g_ema=0.999")  # fmt: skip
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.dataset == "digits":
        return digits(args)
    train, real = images.load_fashion_mnist("train").images, images.load_fashion_mnist("test").images[:1000]

    preset = get_preset("dcgan_fashion")
    changes = dict(_setting(text) for text in args.set)
    ours = GANTrainer(preset.config, device="cpu", **changes)
    e = step_efficiency(GANTrainer(preset.config, device="cpu", **changes))
    print(
        f"our step: {e['gflop_per_step']:.2f} GFLOP, {e['step_gflops']:.1f} GFLOP/s; its convolutions alone "
        f"{e['convolutions_alone_gflops']:.1f} GFLOP/s; fp32 matmul (1024^2) {e['matmul_gflops']:.1f} "
        "GFLOP/s "
        f"on {args.threads} thread(s): the step runs at {e['share_of_matmul']:.2f} of matmul throughput"
    )
    plain = PlainLoop(train)
    curves = {"ours": race("ours", ours.step, lambda n: ours.sample(n), args.seconds, real),
              "plain": race("plain", plain.step, plain.sample, args.seconds, real)}  # fmt: skip
    t_ours, t_plain = first_recognisable(curves["ours"]), first_recognisable(curves["plain"])

    def when(t):
        return f"after {t:.0f} s" if t else f"not within {args.seconds:.0f} s"

    print(
        f"\n{args.threads} CPU threads; recognisable: {preset.name} preset {when(t_ours)}, "
        f"plain loop {when(t_plain)}"
    )
    if t_ours and t_plain:
        print(f"plain / ours = {t_plain / t_ours:.2f}x")
    # A second yardstick that both reach: the Fréchet distance the plain loop ends with.
    target = curves["plain"][-1]["frechet"]
    t_ours_fd = next((c["seconds"] for c in curves["ours"] if c["frechet"] <= target), None)
    if t_ours_fd:
        print(
            f"Fréchet distance {target:.2f} (the plain loop's after {curves['plain'][-1]['seconds']:.0f} s): "
            f"ours after {t_ours_fd:.0f} s, {curves['plain'][-1]['seconds'] / t_ours_fd:.1f}x sooner"
        )
    if args.out:
        with open(args.out, "w") as f:
            command = (
                f"python bench/image_time_to_quality.py --seconds {args.seconds:g} --threads {args.threads}"
                + "".join(f" --set {text}" for text in args.set)
            )
            record = {"command": command, "torch": torch.__version__, "threads": args.threads,
                      "changes": changes, "efficiency": e, "curves": curves}  # fmt: skip
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main()
