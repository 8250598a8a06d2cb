import os

import pytest
import torch

os.environ.setdefault("GAN_EDU_DEVICE", "cpu")  # unit tests are CPU-only and deterministic


@pytest.fixture(autouse=True)
def _fixed_torch_seed():
    torch.manual_seed(0)
