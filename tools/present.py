"""Present a notebook as live slides: reveal.js slides whose widgets work (a dashboard trains on them).

    .venv/bin/python tools/present.py 00_start_here      # or `make present NB=00_start_here`
    .venv/bin/python tools/present.py notebooks/04_live_lab.ipynb --port 8890 --no-browser

Voilà runs the notebook in a fresh kernel and serves it as a slideshow: one slide per `#`/`##`
heading, one vertical sub-slide per `###` heading (the tags of tools/slides.py), code shown, outputs
live. The template `slides/voila/templates/gan-edu` is Voilà's reveal template with reveal.js's
style sheets shipped in the repository, so the slideshow loads nothing from the network.

Why not jupyterlab-rise alone: its slideshow (Alt+R in JupyterLab) does not draw ipywidgets 8
widgets (jupyterlab-contrib/rise#119, #126), so a dashboard would be a still picture there.
Stop the slideshow with Ctrl-C. Use arrow keys to move, Space for the next slide.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "slides"  # holds voila/templates/gan-edu, found through JUPYTER_PATH
TEMPLATE = "gan-edu"


def find_notebook(name: str) -> Path:
    """`00_start_here`, `00_start_here.ipynb`, `00` or a path -> the notebook's path, or a clear error."""
    path = Path(name)
    if path.suffix == ".ipynb" and path.is_file():
        return path.resolve()
    from gan_edu.notebook import course

    matches = [p for p in course() if p.stem.startswith(path.stem)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(p.stem for p in course())
    what = "matches several notebooks" if matches else "is not a notebook of the course"
    raise SystemExit(f"present: {name!r} {what}; give one of: {known}")


def command(notebook: Path, port: int, browser: bool) -> tuple[list[str], dict]:
    """The Voilà command line and environment that present `notebook` on 127.0.0.1:`port`."""
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(TEMPLATES), env.get("JUPYTER_PATH")]))
    env.setdefault("GAN_EDU_THREADS", "1")  # one core per kernel, as in class (README, teachers)
    args = [sys.executable, "-m", "voila", str(notebook), f"--template={TEMPLATE}",
            "--VoilaConfiguration.strip_sources=False", "--Voila.ip=127.0.0.1", f"--port={port}"]  # fmt: skip
    return args + ([] if browser else ["--no-browser"]), env


def main(argv: list[str] | None = None) -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("notebook", help="e.g. 00_start_here, 04, or notebooks/04_live_lab.ipynb")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--no-browser", action="store_true", help="print the address, open nothing")
    args = parser.parse_args(argv)
    args_, env = command(find_notebook(args.notebook), args.port, not args.no_browser)
    print(f">> presenting at http://127.0.0.1:{args.port}/ (Ctrl-C to stop)", flush=True)
    os.execve(args_[0], args_, env)  # Voilà replaces this process: Ctrl-C and kill reach it directly


if __name__ == "__main__":
    sys.exit(main())
