"""The course's notebooks for tests, tools and benchmarks: which they are, and the one way to run them.

- `course()`: the notebooks of the course, in order. Every test, tool and benchmark asks it.
- `run(notebook, timeout, quick=...)`: execute a notebook top to bottom in a fresh kernel (the site,
  the claims); `kernel(...)` starts that kernel for a caller that runs the cells itself (bench/course.py).
- `tagged_code(notebook, tag)`: execute only the cells with a tag, here, for a test that compares
  gan_edu with what a notebook teaches (notebook 03's training step).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from pathlib import Path

from .runtime import REPO

NOTEBOOKS = REPO / "notebooks"
COURSE_PATTERN = "[0-9][0-9]_*.ipynb"  # 00_start_here.ipynb ... : two digits, then the topic


def course(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course's notebooks in order, notebooks/NN_topic.ipynb: the one definition that tests, tools
    and benchmarks share (a scratch notebook without the two digits is not part of the course)."""
    return sorted(Path(folder).glob(COURSE_PATTERN))


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


def environment(quick: bool | None = None, threads: int | None = None) -> dict[str, str]:
    """The environment of a notebook's kernel: this process's, with GAN_EDU_QUICK=1 (quick=True) or
    without it (quick=False: the full budget, whatever this process has), and GAN_EDU_THREADS."""
    env = dict(os.environ)
    if quick is not None:
        env.pop("GAN_EDU_QUICK", None)
        env.update({"GAN_EDU_QUICK": "1"} if quick else {})
    if threads is not None:
        env["GAN_EDU_THREADS"] = str(threads)
    return env


def read(notebook, append: str = ""):
    """A notebook (a path, a name in notebooks/, or a notebook already read) with the code `append`
    as one more cell at its end (a test's checks), on a copy: the notebook given is left as it was."""
    import nbformat

    if isinstance(notebook, (str, Path)):
        path = Path(notebook)
        notebook = nbformat.read(path if path.exists() else NOTEBOOKS / path, as_version=4)
    elif append:
        notebook = copy.deepcopy(notebook)
    if append:
        notebook.cells.append(nbformat.v4.new_code_cell(append))
    return notebook


def run(notebook, timeout: int = 1800, *, quick: bool | None = None, threads: int | None = None,
        append: str = "", retries: int = 0, **options):  # fmt: skip
    """Execute `notebook` (see `read`) top to bottom in a fresh python3 kernel started in notebooks/,
    with the budget `quick` and `threads` CPU threads (`environment`), `append` run last; return it
    executed. A cell that runs past `timeout` seconds raises CellTimeoutError, after `retries` more
    tries of the whole notebook in fresh kernels; an error in a cell raises CellExecutionError.
    `options` go to the client (store_widget_state=True keeps the widgets' last state, for the site)."""
    from nbclient.exceptions import CellTimeoutError

    name = Path(notebook).name if isinstance(notebook, (str, Path)) else "the notebook"
    for attempt in range(retries + 1):
        nb = read(notebook, append)
        try:
            client(nb, timeout, **options).execute(env=environment(quick, threads))
            return nb
        except CellTimeoutError:
            if attempt == retries:
                raise
            print(f"   {name}: a cell ran past {timeout} s; running the notebook again", flush=True)


@contextlib.contextmanager
def kernel(notebook, timeout: int = 1800, *, quick: bool | None = None, threads: int | None = None):
    """`run`'s client with its kernel started, for a caller that runs the cells one by one
    (`client.execute_cell(cell, index)` for each of `client.nb.cells`) and watches the kernel's
    process (`client.km.provisioner.process`); the kernel is shut down when the block ends."""
    runner = client(read(notebook), timeout)
    with runner.setup_kernel(env=environment(quick, threads)):
        yield runner


POLL_SECONDS = 1.0


def client(nb, timeout: int, **options):
    """An nbclient `NotebookClient` that runs `nb` in a fresh python3 kernel, from notebooks/.

    The client of `run` and `kernel`. It differs from nbclient's in one thing: it waits for each
    cell's reply in polls of POLL_SECONDS, not in one wait as long as the cell's `timeout`. With
    one long wait, a reply that has arrived is sometimes not seen until the wait ends (nbclient#312,
    after a widget cell; the fix proposed there, nbclient#311, polls the same way), and a quick
    notebook in CI then stood still for its whole cell timeout.
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
