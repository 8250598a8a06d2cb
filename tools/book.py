"""The course as a static site you can read without running anything: `make book` (`QUICK=1`).

1. Run every notebook top to bottom in a fresh kernel (nbclient; full budget unless --quick; one
   torch thread per kernel, --jobs kernels at a time), keeping each widget's last state.
2. Replace every widget by a still of that last state, drawn as plain HTML: a dashboard shows its
   last frame, an interactive plot its last figure, a slider its value. The pages then need no
   widget manager, which would be fetched from a CDN: nothing in the site needs the network.
3. Render with Sphinx and myst-nb (their execution off: the notebooks already ran), MathJax
   copied into the site (sphinx-mathjax-offline), into build/book/html.

Why Sphinx + myst-nb and not Jupyter Book 2: the latter's HTML theme is downloaded when a site is
built, and it needs Node.js; Sphinx needs only PyPI. sphinx-book-theme gives Jupyter Book 1's look
and a Binder launch button on every page, built from the one setting in tools/links.py.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from links import ROOT, binder_url  # noqa: E402

from gan_edu import notebook  # noqa: E402

BUILD = ROOT / "build" / "book"
NOTEBOOKS = ROOT / "notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CONTROLS = {
    f"{kind}Model"
    for kind in "IntSlider FloatSlider FloatLogSlider IntRangeSlider FloatRangeSlider Dropdown ToggleButtons "
    "RadioButtons SelectionSlider Checkbox IntText FloatText BoundedIntText BoundedFloatText Text Button "
    "ToggleButton".split()
}
STILL_NOTE = "a still of this widget's last state: run the notebook to use it"


def execute(path: Path, build: Path, timeout: int, quick: bool) -> tuple[str, float]:
    """Run the notebook at `path` (`gan_edu.notebook.run`: a fresh kernel on one torch thread, as on
    Binder); write it, widgets drawn as stills, to build/src.

    Each notebook runs in a process of its own (ProcessPoolExecutor): with two clients in threads of
    one process, one CI run hung after a widget cell, the kernel idle and the reply never read (see
    nbclient#312). Later a CI run hung the same way with one client per process, so the client now
    polls for replies (`gan_edu.notebook.client`). A cell that still runs past `timeout` is given one
    more try in a fresh kernel.
    """
    start = time.perf_counter()
    nb = notebook.run(path, timeout, quick=quick, threads=1, retries=1, store_widget_state=True)
    still_widgets(nb)
    for cell in nb.cells:  # an exercise's answer, folded in JupyterLab: behind a toggle on the page
        if cell.metadata.get("jupyter", {}).get("source_hidden"):
            cell.metadata.setdefault("tags", []).append("hide-input")
    nbformat.write(nb, build / "src" / "notebooks" / path.name)
    return path.name, time.perf_counter() - start


def still_widgets(nb) -> None:
    """Swap each widget output for an HTML still of its last state (in place)."""
    state = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                continue
            body = render_widget(view["model_id"], state)
            note = f"<p class='gan-edu-still-note'>({STILL_NOTE})</p>"
            output["data"] = {"text/html": f"<div class='gan-edu-still'>{body}{note}</div>"}


def _children(model: dict) -> list[str]:
    return [c.removeprefix("IPY_MODEL_") for c in model["state"].get("children", [])]


def _buffer(model: dict, key: str) -> str | None:
    for buffer in model.get("buffers", []):
        if buffer.get("path") == [key]:
            return buffer["data"]
    return None


def render_widget(model_id: str, state: dict) -> str:
    """Plain HTML for one widget and its children, from the saved widget state."""
    model = state.get(model_id)
    if model is None:
        return "<em>(widget not saved)</em>"
    kind, s = model["model_name"].removesuffix("Model"), model["state"]
    label = html.escape(s.get("description", "") or "")
    if kind in ("HBox", "VBox", "Box", "GridBox", "Tab", "Accordion", "Stack"):
        if kind == "HBox":
            inner = "".join(render_widget(child, state) for child in _children(model))
            return f"<div style='display:flex;flex-wrap:wrap;gap:6px;align-items:flex-start'>{inner}</div>"
        # a column: its controls flow along a line (as many as fit), everything else on its own line
        parts = [render_widget(child, state) if state.get(child, {}).get("model_name") in CONTROLS
                 else f"<div>{render_widget(child, state)}</div>" for child in _children(model)]  # fmt: skip
        return f"<div>{''.join(parts)}</div>"
    if kind == "Image":
        data = _buffer(model, "value")
        width = f" width='{s['width']}'" if s.get("width") else ""
        return f"<img src='data:image/{s.get('format', 'png')};base64,{data}'{width}/>" if data else ""
    if kind == "Output":
        return "".join(render_output(out) for out in s.get("outputs", []))
    if kind in ("HTML", "HTMLMath"):
        return s.get("value", "")
    if kind == "Label":
        return f"<span>{html.escape(s.get('value', ''))}</span>"
    if kind == "Play":  # an animation's play control: nothing to show in a still
        return ""
    if kind in ("Button", "ToggleButton"):
        icon = html.escape(s.get("icon", ""))
        return f"<button disabled style='margin-right:4px'>{label or icon}</button>"
    if "_options_labels" in s:  # Dropdown, ToggleButtons, RadioButtons, SelectionSlider
        index = s.get("index")
        value = s["_options_labels"][index] if isinstance(index, int) else "—"
        return _value(label, value)
    if "value" in s:  # sliders, checkboxes, text boxes
        return _value(label, s["value"])
    return ""


def _value(label: str, value) -> str:
    style = "display:inline-block;margin-right:1.2em"
    return f"<span style='{style}'>{label} <b>{html.escape(str(value))}</b></span>"


def render_output(out: dict) -> str:
    data = out.get("data", {})
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            return f"<img src='data:{mime};base64,{data[mime]}'/>"
    if "text/html" in data:
        return "".join(data["text/html"])
    text = out.get("text") or "".join(data.get("text/plain", ""))
    return f"<pre>{html.escape(''.join(text))}</pre>" if text else ""


def sources(chosen: list[str]) -> None:
    """BUILD/src: conf.py, the course map, the glossary and references, and the run notebooks."""
    src = BUILD / "src"
    shutil.rmtree(src, ignore_errors=True)
    (src / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / "book" / "conf.py", src / "conf.py")
    for page in ("glossary.md", "references.md"):
        shutil.copy(ROOT / "docs" / page, src / page)
    (src / "index.md").write_text(index_page(chosen))


def index_page(chosen: list[str]) -> str:
    """The course map: README's table, each notebook's name linked to its page."""
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- course-table:start", "<!-- course-table:end -->"
    if start not in readme or end not in readme:
        raise SystemExit(f"README.md has lost the markers around the course table ({start} ... {end})")
    table = readme.split(start, 1)[1].split("-->", 1)[1].split(end, 1)[0].strip()
    for nb in chosen:
        table = table.replace(f"`{nb[:-6]}`", f"[{nb[:-6]}](notebooks/{nb})", 1)
    toc = "\n".join(f"notebooks/{nb[:-6]}" for nb in chosen)
    return (f"# gan-edu: Generative Adversarial Networks you can run, change and break\n\n"
            f"Every page is a notebook of the course, run top to bottom; every figure comes from that "
            f"run. Widgets are shown as stills of their last state. To train and change things, open "
            f"a notebook [on Binder]({binder_url()}) (the rocket button on each page) or on your "
            f"machine (`make lab`).\n\n## The course\n\n{table}\n\n"
            f"```{{toctree}}\n:maxdepth: 1\n:caption: Notebooks\n\n{toc}\n```\n\n"
            f"```{{toctree}}\n:maxdepth: 1\n:caption: Reference\n\nglossary\nreferences\n```\n")  # fmt: skip


def main() -> int:
    global BUILD  # --out
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick mode (GAN_EDU_QUICK=1): loops cut short")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks run at once")
    parser.add_argument("--only", nargs="*", help="notebooks to run (default: all), e.g. 00 02")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell (then one retry)")
    parser.add_argument("--out", type=Path, default=BUILD, help="build folder (default build/book)")
    args = parser.parse_args()
    BUILD = args.out.resolve()
    chosen = [p for p in notebook.course(NOTEBOOKS) if not args.only or p.name[:2] in args.only]
    sources([p.name for p in chosen])
    print(f">> running {len(chosen)} notebooks ({'quick' if args.quick else 'full budget'}), "
          f"{args.jobs} at a time")  # fmt: skip
    with ProcessPoolExecutor(args.jobs) as pool:
        # the image notebooks (the later ones) take longest: started first, the kernels finish together
        jobs = {pool.submit(execute, p, BUILD, args.timeout, args.quick): p.name for p in reversed(chosen)}
        for job in as_completed(jobs):
            try:
                name, seconds = job.result()
            except Exception as error:  # a failing cell: say which notebook, keep nothing half-built
                print(f"!! {jobs[job]} failed; the site was not built.\n{error}", file=sys.stderr)
                pool.shutdown(cancel_futures=True)  # the notebooks not yet started are not run
                return 1
            print(f"   {name}: {seconds:.0f} s")
    html_dir = BUILD / "html"
    shutil.rmtree(html_dir, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(BUILD / "src"), str(html_dir)]
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "tools"), os.environ.get("PYTHONPATH", "")])
    )
    if subprocess.call(command, env=env) != 0:
        return 1
    print(f">> the course as a site: {html_dir / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
