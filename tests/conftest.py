import os

import pytest
import torch

os.environ.setdefault("GAN_EDU_DEVICE", "cpu")  # unit tests are CPU-only and deterministic


@pytest.fixture(autouse=True)
def _fixed_torch_seed():
    torch.manual_seed(0)


def _cost(item) -> float:
    marker = item.get_closest_marker("cost")
    return marker.args[0] if marker else 0.0


def pytest_collection_modifyitems(config, items):
    """Claims run costliest first (a group of shared runs counts as one), so that two workers finish
    together instead of one starting the longest claim last. Other tests keep their order."""
    group_cost: dict[str, float] = {}
    for item in items:
        group = item.get_closest_marker("xdist_group")
        if group:
            group_cost[group.args[0]] = group_cost.get(group.args[0], 0.0) + _cost(item)

    def key(item):
        group = item.get_closest_marker("xdist_group")
        return (-group_cost[group.args[0]], group.args[0]) if group else (-_cost(item), "")

    if any(item.get_closest_marker("cost") for item in items):
        items.sort(key=key)  # stable: a group's tests stay in file order
