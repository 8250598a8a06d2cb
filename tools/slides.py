"""Tag every notebook's cells for RISE, so a teacher can present any notebook as live slides.

Markdown cells are split so that each heading starts a cell. A level-1 or level-2 heading (`# `,
`## `) starts a slide, a level-3 heading (`### `) a sub-slide
(reached with the down arrow), and every other cell continues the slide above it. Notebook metadata
turns on scrolling, since a slide that holds a dashboard or a long derivation is taller than a
screen. Cells a teacher has tagged by hand keep their tags (`--force` re-tags them).

    .venv/bin/python tools/slides.py [--force] [notebooks/04_live_lab.ipynb ...]

`tests/test_slides.py` checks the result: every cell tagged, every heading where it should be.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

RISE = {"scroll": True, "enable_chalkboard": False, "transition": "none"}


def slide_type(cell: dict) -> str:
    """The RISE slide type this course gives a cell: 'slide', 'subslide' or '-' (continue)."""
    text = "".join(cell["source"]).lstrip()
    if cell["cell_type"] == "markdown" and (text.startswith("# ") or text.startswith("## ")):
        return "slide"
    if cell["cell_type"] == "markdown" and text.startswith("### "):
        return "subslide"
    return "-"


def split_at_headings(nb: dict) -> dict:
    """Split markdown cells so that every heading starts a cell (a slide can only start at a cell).

    Headings inside a fenced code block or a <details> block (the hidden solutions) stay where they
    are. The first part keeps the cell's id, the others get `<id>-<k>`.
    """
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            cells.append(cell)
            continue
        parts, fence, details = [[]], False, 0
        for line in "".join(cell["source"]).splitlines(keepends=True):
            if line.startswith("#") and line.lstrip("#").startswith(" ") and not fence and not details:
                if "".join(parts[-1]).strip():
                    parts.append([])
            parts[-1].append(line)
            fence ^= line.lstrip().startswith("```")
            details += line.count("<details") - line.count("</details>")
        for k, part in enumerate(parts):
            text = "".join(part).rstrip("\n")
            new = dict(cell, id=cell["id"] if k == 0 else f"{cell['id']}-{k}", source=[])
            new["metadata"] = dict(cell["metadata"]) if k == 0 else {}
            new["source"] = text.splitlines(keepends=True)
            cells.append(new)
    nb["cells"] = cells
    return nb


def tag(nb: dict, force: bool = False) -> dict:
    nb = split_at_headings(nb)
    for i, cell in enumerate(nb["cells"]):
        show = cell["metadata"].setdefault("slideshow", {})
        if force or "slide_type" not in show:
            show["slide_type"] = "slide" if i == 0 else slide_type(cell)
    nb["metadata"]["rise"] = RISE
    return nb


def main() -> None:
    from gan_edu.notebook import course

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--force", action="store_true", help="re-tag cells tagged by hand")
    args = parser.parse_args()
    for path in args.notebooks or course():
        nb = tag(json.loads(path.read_text()), args.force)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        count = sum(c["metadata"]["slideshow"]["slide_type"] == "slide" for c in nb["cells"])
        print(f"{path.name}: {count} slides")


if __name__ == "__main__":
    main()
