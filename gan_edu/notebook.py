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
