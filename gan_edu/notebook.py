"""Run the code that a course notebook teaches, so tests and benchmarks can compare gan_edu with it."""

from __future__ import annotations

import json
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def tagged_code(notebook: str, tag: str) -> dict:
    """Execute the code cells of `notebook` tagged `tag`, in order; return their namespace."""
    path = NOTEBOOKS / notebook
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: tagged_code needs the course's notebooks/ folder")
    cells = json.loads(path.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if tag in c.get("metadata", {}).get("tags", [])]
    if not sources:
        raise ValueError(f"no cell of {notebook} is tagged {tag!r}")
    namespace: dict = {}
    exec(compile("\n\n".join(sources), f"{notebook}[{tag}]", "exec"), namespace)
    return namespace


POLL_SECONDS = 1.0


def client(nb, timeout: int, **options):
    """An nbclient `NotebookClient` that runs `nb` in a fresh python3 kernel, from notebooks/.

    The one way the course's tools run a notebook (tools/book.py, tests/test_claims.py,
    bench/course.py). It differs from nbclient's in one thing: it waits for each cell's reply in
    polls of POLL_SECONDS, not in one wait as long as the cell's `timeout`. With one long wait, a
    reply that has arrived is sometimes not seen until the wait ends (nbclient#312, after a widget
    cell; the fix proposed there, nbclient#311, polls the same way), and a quick notebook in CI then
    stood still for its whole cell timeout.
    """
    from nbclient import NotebookClient
    from nbclient.util import run_sync

    class PollingClient(NotebookClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            _poll_in_steps(kc.shell_channel)
            return kc

        start_new_kernel_client = run_sync(async_start_new_kernel_client)

    return PollingClient(nb, timeout=timeout, kernel_name="python3",
                         resources={"metadata": {"path": str(NOTEBOOKS)}}, **options)  # fmt: skip


def _poll_in_steps(channel) -> None:
    """Make `channel.get_msg(timeout=T)` ask the socket every POLL_SECONDS until T has passed."""
    import time
    from queue import Empty

    wait = channel.get_msg

    async def get_msg(timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_SECONDS if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await wait(timeout=min(POLL_SECONDS, left))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    channel.get_msg = get_msg
