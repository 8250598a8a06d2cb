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
    """Claims run costliest first (a class of tests that share a trained run counts as one unit, as
    `--dist loadscope` sends it to one worker), so that the workers finish together instead of one
    starting the longest claim last. Other tests keep their order."""
    if not any(item.get_closest_marker("cost") for item in items):
        return
    unit_cost: dict[str, float] = {}
    for item in items:
        unit = item.cls.__name__ if item.cls else item.nodeid
        unit_cost[unit] = unit_cost.get(unit, 0.0) + _cost(item)

    def key(item):
        unit = item.cls.__name__ if item.cls else item.nodeid
        return -unit_cost[unit], unit if item.cls else ""

    items.sort(key=key)  # stable: a class's tests stay in file order


def pytest_xdist_make_scheduler(config, log):
    """Under `--dist loadscope`, a class is one unit (its tests share a trained run) and every other
    test is a unit of its own. xdist's own loadscope makes a whole *module* one unit, which sent all
    of test_claims.py's module-level claims to one worker (37 of the 42 minutes of CI)."""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ClassOrTest(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            parts = nodeid.split("::")  # path::Class::test (a class) or path::test (its own unit)
            return "::".join(parts[:2])

    return ClassOrTest(config, log)
