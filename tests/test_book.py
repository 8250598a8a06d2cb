"""The static site (`make book`) and the Binder links (tools/links.py)."""

import base64
import re
import sys
from pathlib import Path

import nbformat
import pytest

from gan_edu import notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import links  # noqa: E402

import book  # noqa: E402

NOTEBOOKS = [p.name for p in notebook.course()]


def test_the_site_index_is_the_readmes_marked_course_table_with_every_notebook_linked():
    page = book.index_page(NOTEBOOKS)
    assert all(f"[{nb[:-6]}](notebooks/{nb})" in page for nb in NOTEBOOKS)
    assert "course-table" not in page and "## How it is built" not in page


def test_readmes_binder_links_follow_the_one_setting():
    owner, name = links.repository()
    for path in links.READMES:
        text = path.read_text()
        assert links.rewrite(text, path) == text, f"{path.name} is stale: run python tools/links.py --write"
        urls = re.findall(r"https://mybinder\.org/v2/gh/[^)\s]+", text)
        assert {u.split("labpath=notebooks/")[-1] for u in urls} >= set(NOTEBOOKS)
        assert all(f"/gh/{owner}/{name}/HEAD?labpath=notebooks/" in u for u in urls), path.name


def test_a_fork_changes_one_line(monkeypatch):
    monkeypatch.setattr(links, "repository", lambda: ("a-teacher", "gan-edu-fork"))
    text = links.rewrite((ROOT / "README.md").read_text(), ROOT / "README.md")
    assert text.count("/gh/a-teacher/gan-edu-fork/HEAD?labpath=notebooks/") == len(NOTEBOOKS) + 1
    assert "/gh/gan-edu/" not in text


def test_a_readme_without_its_markers_is_refused():
    with pytest.raises(ValueError, match="binder-links"):
        links.rewrite("no markers here", Path("README.md"))


def _state(**models):
    return {
        key: {"model_name": kind + "Model", "state": state, **extra}
        for key, (kind, state, extra) in models.items()
    }


def test_widgets_become_stills_of_their_last_state():
    jpeg = base64.b64encode(b"\xff\xd8last frame").decode()
    png = base64.b64encode(b"\x89PNGfigure").decode()
    state = _state(
        box=("VBox", {"children": ["IPY_MODEL_controls", "IPY_MODEL_image", "IPY_MODEL_out"]}, {}),
        controls=("VBox", {"children": ["IPY_MODEL_slider", "IPY_MODEL_choice"]}, {}),
        slider=("FloatSlider", {"description": "lr", "value": 0.0002}, {}),
        choice=("Dropdown", {"description": "loss", "_options_labels": ["bce", "hinge"], "index": 1}, {}),
        image=("Image", {"format": "jpeg"}, {"buffers": [{"path": ["value"], "data": jpeg}]}),
        out=("Output", {"outputs": [{"output_type": "display_data", "data": {"image/png": png}}]}, {}),
    )
    still = book.render_widget("box", state)
    assert f"data:image/jpeg;base64,{jpeg}" in still and f"data:image/png;base64,{png}" in still
    assert "lr <b>0.0002</b>" in still and "loss <b>hinge</b>" in still
    assert "<div><span style='display:inline-block" in still  # the sliders flow along a line
    assert book.render_widget("gone", state) == "<em>(widget not saved)</em>"


def test_a_failing_notebook_is_named_and_no_site_is_built(tmp_path, monkeypatch, capsys):
    (tmp_path / "notebooks").mkdir()
    broken = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    nbformat.write(broken, tmp_path / "notebooks" / "99_broken.ipynb")
    monkeypatch.setattr(book, "NOTEBOOKS", tmp_path / "notebooks")  # the course: 99_broken.ipynb
    monkeypatch.setattr(sys, "argv", ["book.py", "--quick", "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert book.main() == 1
    error = capsys.readouterr().err
    assert "99_broken.ipynb failed; the site was not built" in error and "ZeroDivisionError" in error
    assert not (tmp_path / "out" / "html").exists()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_has_a_page_with_its_figures(site, name):
    page = (site / "html" / "notebooks" / name.replace(".ipynb", ".html")).read_text()
    nb = nbformat.read(site / "src" / "notebooks" / name, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    figures = sum("image/png" in o.get("data", {}) for o in outputs)
    stills = sum("gan-edu-still" in "".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert figures + stills > 0, f"{name} ran without a figure"
    assert len(re.findall(r"<img ", page)) >= figures
    assert page.count("gan-edu-still'") == stills
    assert "widget-view+json" not in page and "Loading widget" not in page


def test_the_site_needs_no_network(site):
    html_dir = site / "html"
    assert (html_dir / "_static" / "mathjax" / "tex-chtml.js").exists()
    for page in html_dir.rglob("*.html"):
        text = page.read_text()
        loaded = re.findall(r"<(?:script|img|link)\b[^>]*?(?:src|href)=[\"']([^\"']+)", text)
        remote = [u for u in loaded if u.startswith(("http:", "https:", "//"))]
        assert not remote, f"{page.name} loads {remote[:3]}"


def test_the_course_map_links_every_page_and_the_launch_buttons_follow_the_setting(site):
    index = (site / "html" / "index.html").read_text()
    for name in NOTEBOOKS:
        assert f'href="notebooks/{name.replace(".ipynb", ".html")}"' in index
    page = (site / "html" / "notebooks" / "09_conditional.html").read_text()
    owner, repo = links.repository()
    assert f"mybinder.org/v2/gh/{owner}/{repo}/HEAD?urlpath=lab/tree/notebooks/09_conditional.ipynb" in page


def test_the_course_runner_reads_replies_in_polls_and_still_times_out(monkeypatch):
    """gan_edu.notebook.run and .kernel, the one runner of the site, the claims and the benchmark:
    the reply to a cell longer than one poll is read (sync and async paths), the kernel gets the
    budget asked for, whatever this process has, and a cell past its timeout still fails, at that
    timeout, after the retries asked for."""
    import time

    from nbclient.exceptions import CellTimeoutError

    monkeypatch.setenv("GAN_EDU_QUICK", "1")
    code = "import os, time; time.sleep(2.5); os.environ.get('GAN_EDU_QUICK'), os.environ['GAN_EDU_THREADS']"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    with notebook.kernel(nb, 20, quick=False, threads=1) as runner:  # bench/course.py's way: cell by cell
        assert "_poll_in_steps" in runner.kc.shell_channel.get_msg.__qualname__
        runner.execute_cell(nb.cells[0], 0)
    assert nb.cells[0].outputs[0]["data"]["text/plain"] == "(None, '1')"
    checks = "import os; os.environ['GAN_EDU_QUICK']"
    ran = notebook.run(nbformat.v4.new_notebook(), append=checks, quick=True)
    assert ran.cells[-1].outputs[0]["data"]["text/plain"] == "'1'"  # the claims' way: checks appended
    slow = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time; time.sleep(60)")])
    start = time.monotonic()
    with pytest.raises(CellTimeoutError):
        notebook.run(slow, 3)  # tools/book.py's way (with one retry there)
    assert 3 <= time.monotonic() - start < 30
