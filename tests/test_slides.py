"""Every notebook can be presented as live slides (RISE, `jupyterlab-rise`): tools/slides.py's tags."""

import json
import sys
from pathlib import Path

import pytest

from gan_edu import notebook

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import slides  # noqa: E402

NOTEBOOKS = notebook.course()
TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_is_tagged_and_every_slide_has_something_to_show(path):
    nb = json.loads(path.read_text())
    kinds = [c["metadata"].get("slideshow", {}).get("slide_type") for c in nb["cells"]]
    missing = [i for i, k in enumerate(kinds) if k not in TYPES]
    assert not missing, f"{path.name}: cells {missing} have no slide type; run `python tools/slides.py`"
    assert kinds[0] == "slide" and nb["metadata"].get("rise", {}).get("scroll") is True
    starts = [i for i, k in enumerate(kinds) if k in ("slide", "subslide")] + [len(kinds)]
    for start, end in zip(starts, starts[1:], strict=False):
        shown = [i for i in range(start, end) if kinds[i] not in ("skip", "notes")]
        opening = "".join(nb["cells"][start]["source"]).strip()
        assert shown and opening, f"{path.name}: empty slide at cell {start}"
    for i, cell in enumerate(nb["cells"]):  # each section heading opens its own slide
        if slides.slide_type(cell) != "-":
            assert kinds[i] in ("slide", "subslide"), f"{path.name} cell {i} is a heading inside a slide"


def test_tagging_leaves_a_teachers_own_tags_alone():
    nb = {"metadata": {}, "cells": [  # a heading inside a cell is split off into a cell of its own
        {"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# Title"]},
        {"cell_type": "code", "id": "b", "metadata": {"slideshow": {"slide_type": "fragment"}},
         "source": ["x = 1"]},
        {"cell_type": "markdown", "id": "c", "metadata": {}, "source": ["Text.\n", "\n", "### A detail"]},
    ]}  # fmt: skip
    kinds = [c["metadata"]["slideshow"]["slide_type"] for c in slides.tag(nb)["cells"]]
    assert kinds == ["slide", "fragment", "-", "subslide"] and nb["metadata"]["rise"]["scroll"]
    assert [c["id"] for c in nb["cells"]] == ["a", "b", "c", "c-1"] and nb["cells"][2]["source"] == ["Text."]
    assert slides.tag(nb, force=True)["cells"][1]["metadata"]["slideshow"]["slide_type"] == "-"
