"""Train an evaluator (gan_edu/evaluator.py) and save its weights in data/.

    python data/train_evaluator.py                    # Fashion-MNIST: about 4 minutes on 2 CPU cores
    python data/train_evaluator.py --dataset digits   # 8 x 8 digits: well under a minute

Seeded. Fashion-MNIST: the 10,000 shipped training images with random shifts of up to 2 pixels and
horizontal flips, 20 epochs. Digits: scikit-learn's first 1,500 digits with shifts of up to 1 pixel
(no flips: a flipped 2 is not a 2), 60 epochs. Both: AdamW with a one-cycle learning rate; the
script reports accuracy on the held-out test images.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gan_edu import evaluator, images  # noqa: E402

BATCH = 128
# dataset -> (epochs, largest shift in pixels, horizontal flips)
RECIPES = {"fashion_mnist": (20, 2, True), "digits": (60, 1, False)}


@torch.no_grad()
def accuracy(net, data) -> float:
    net.eval()
    return (net(data.images).argmax(1) == data.labels).float().mean().item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(RECIPES), default="fashion_mnist")
    dataset = parser.parse_args().dataset
    epochs, shift, flips = RECIPES[dataset]
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    train, test = images.DATASETS[dataset]("train"), images.DATASETS[dataset]("test")
    net = evaluator.Evaluator()
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = epochs * (len(train) // BATCH)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    start = time.perf_counter()
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(train), generator=g)
        for i in range(len(train) // BATCH):
            idx = order[i * BATCH : (i + 1) * BATCH]
            loss = F.cross_entropy(net(images.augment(train.images[idx], g, shift, flips)), train.labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
        seconds = time.perf_counter() - start
        print(f"epoch {epoch + 1}: test accuracy {accuracy(net, test):.4f} ({seconds:.0f} s)")
    out = images.DATA / evaluator.WEIGHTS[dataset]
    torch.save(net.state_dict(), out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB), sha256 {images.sha256(out)} (record it in "
          "gan_edu/images.py SHA256), "
          f"test accuracy {accuracy(net, test):.4f}, train accuracy {accuracy(net, train):.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
