import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import torch

os.environ.setdefault("GAN_EDU_DEVICE", "cpu")  # unit tests are CPU-only and deterministic
ROOT = Path(__file__).resolve().parents[1]
BOOK: dict = {}  # the quick-mode site of tests/test_book.py, built in the background (see `site`)


@pytest.fixture(autouse=True)
def _fixed_torch_seed():
    torch.manual_seed(0)


def _cost(item) -> float:
    marker = item.get_closest_marker("cost")
    return marker.args[0] if marker else 0.0


def pytest_collection_modifyitems(config, items):
    """Claims run costliest first (a class of tests that share a trained run counts as one unit, as
    `--dist loadscope` sends it to one worker), so that the workers finish together instead of one
    starting the longest claim last. Other tests keep their order, except that the tests of the
    site run last: the site is built in the background meanwhile."""
    if any("site" in getattr(item, "fixturenames", ()) for item in items):
        items.sort(key=lambda item: "site" in getattr(item, "fixturenames", ()))  # stable
        _start_book()
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


def _start_book() -> None:
    """Run tools/book.py (every notebook in quick mode, then the site) at the lowest CPU priority
    while the other tests run: they keep most of their speed, and the book uses the core they leave
    idle (it pauses for the tests that wait on a clock). This is where `make test` runs every notebook."""
    folder = Path(tempfile.mkdtemp(prefix="gan-edu-book-"))
    command = [
        sys.executable,
        str(ROOT / "tools" / "book.py"),
        "--quick",
        "--out",
        str(folder / "site"),
        "--jobs",
        "2",
        "--timeout",
        "300",
    ]  # fmt: skip  (the slowest quick cell: about 40 s alone)
    with open(folder / "build.log", "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                   preexec_fn=lambda: os.nice(19), start_new_session=True)  # fmt: skip
    BOOK.update(process=process, folder=folder)


@pytest.fixture(scope="session")
def site():
    """The whole course built in quick mode by tools/book.py: waits for the background build."""
    if not BOOK:
        pytest.fail("the site's build was not started: `site` is meant for the tests of tests/test_book.py")
    returncode = BOOK["process"].wait()
    log = (BOOK["folder"] / "build.log").read_text()
    assert returncode == 0, log[-6000:]
    return BOOK["folder"] / "site"


def _signal_book(sig: int) -> None:
    """Send `sig` to the build and all its processes (its kernels run in sessions of their own)."""
    import psutil

    try:
        build = psutil.Process(BOOK["process"].pid)
        processes = [build, *build.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for process in processes:
        try:
            process.send_signal(sig)
        except psutil.NoSuchProcess:
            pass


@pytest.fixture(autouse=True)
def _pause_the_build_for_timed_tests(request):
    """A test that waits on a clock (a browser's, a hub's) runs with the background build stopped
    (SIGSTOP, then SIGCONT): at nice 19 the build still slowed the browser tests about threefold."""
    node = request.node
    timed = node.get_closest_marker("browser") or node.get_closest_marker("timed")
    if not timed or not BOOK or BOOK["process"].poll() is not None:
        yield
        return
    _signal_book(signal.SIGSTOP)
    try:
        yield
    finally:
        _signal_book(signal.SIGCONT)


def pytest_sessionfinish(session, exitstatus):
    """Stop a build still running (tests interrupted or failed early) and remove its folder."""
    if BOOK:
        if BOOK["process"].poll() is None:
            _signal_book(signal.SIGCONT)
            _signal_book(signal.SIGTERM)
            BOOK["process"].wait()
        shutil.rmtree(BOOK["folder"], ignore_errors=True)
