"""Real browser, real JupyterLab: open 04_live_lab (points) and 08_dcgan (images), run each, press
Play, move a slider, press Pause; open 09_conditional and choose a class; present 00 as slides
(JupyterLab's RISE, and Voilà's live slides, where Play trains).

JupyterLab is started on loopback with a token; Debian's Chromium is driven by Playwright.
Skipped, with the reason, where no Chromium is installed (CI installs it, so CI runs this).
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's chromium package"),
]
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


ALL_CELLS_RAN = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = [...panel.content.model.cells].filter(c => c.type === 'code');
    return panel.sessionContext.session.kernel.status === 'idle' && cells.every(c => c.executionCount);
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port, token = _free_port(), "gan-edu-browser-test"
    home = tmp_path_factory.mktemp("jupyter")
    env = dict(os.environ, GAN_EDU_QUICK="1", GAN_EDU_DEVICE="cpu")
    for name, folder in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                         ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):  # fmt: skip
        env[name] = str(home / folder)  # a clean JupyterLab, whatever the user has configured
    # render every cell; no news; no autosave, which would write the run's outputs into notebooks/
    for plugin, settings in (("notebook-extension/tracker", '{"windowingMode": "none"}'),
                             ("apputils-extension/notification", '{"fetchNews": "false"}'),
                             ("docmanager-extension/plugin", '{"autosave": false}')):  # fmt: skip
        path = home / "settings" / f"@jupyterlab/{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(settings)
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
         "--LabApp.expose_app_in_browser=True", "--allow-root"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    if not _answers(f"{url}/api/status?token={token}"):
        server.kill()
        pytest.fail(f"JupyterLab did not start; see {home / 'lab.log'}")
    yield url, token
    server.terminate()
    server.wait(timeout=30)


def _answers(url: str, seconds: float = 60) -> bool:
    """Whether a server started answering `url` within `seconds`."""
    for _ in range(int(seconds * 2)):
        try:
            urllib.request.urlopen(url, timeout=1)
            return True
        except OSError:
            time.sleep(0.5)
    return False


def _step(page) -> int:
    return int(page.locator(".gan-edu-step").first.inner_text())


def _open_and_run_all(p, url: str, token: str, notebook: str):
    """Chromium on `notebook` in JupyterLab, every cell run without a traceback: (browser, page)."""
    browser = p.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--disable-gpu"],
    )  # fmt: skip
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # a workspace of its own: JupyterLab reopens a workspace's earlier tabs, and a hidden notebook
    # from an earlier test would be the first `.jp-Notebook` on the page
    workspace = f"test-{Path(notebook).stem}"
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/notebooks/{notebook}?token={token}")
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=60_000)
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    page.wait_for_function(
        "window.jupyterapp.shell.currentWidget.sessionContext?.session?.kernel?.status === 'idle'",
        timeout=60_000,
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_CELLS_RAN, timeout=300_000)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert "Traceback" not in " ".join(errors.all_inner_texts())
    return browser, page


@pytest.mark.parametrize("notebook", ["04_live_lab.ipynb", "08_dcgan.ipynb"])  # points, then images
def test_live_lab_in_chromium(lab, tmp_path, notebook):
    url, token = lab
    with playwright.sync_playwright() as p:
        browser, page = _open_and_run_all(p, url, token, notebook)
        dash = page.locator(".gan-edu-dashboard").first
        dash.scroll_into_view_if_needed()
        dash.screenshot(path=tmp_path / "01_after_run_all.png")
        first_step = _step(page)
        frame = dash.locator("img").first.get_attribute("src")

        dash.get_by_role("button", name="Play").click()
        counter = "Number(document.querySelector('.gan-edu-step').innerText)"
        page.wait_for_function(f"{counter} > {first_step + 20}", timeout=30_000)
        page.wait_for_function(
            "src => document.querySelector('.gan-edu-dashboard img').src !== src", arg=frame
        )
        dash.screenshot(path=tmp_path / "02_playing.png")

        readout = dash.locator(".widget-slider", has_text="lr G").locator(".widget-readout")
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("3.0e-3")
        page.keyboard.press("Enter")
        said = "document.querySelector('.gan-edu-dashboard').innerText.includes('lr_G=0.003')"
        page.wait_for_function(said, timeout=15_000)  # the kernel applied the change and said so

        dash.get_by_role("button", name="Pause").click()
        status = "document.querySelector('.gan-edu-step').closest('.widget-html').innerText"
        page.wait_for_function(f"{status}.includes('paused')", timeout=15_000)  # the last frame is drawn
        paused = _step(page)
        time.sleep(1.5)
        assert _step(page) == paused, "the step counter kept growing after Pause"
        assert paused > first_step
        assert re.search(r"paused", dash.inner_text())
        dash.screenshot(path=tmp_path / "03_paused.png")
        page.screenshot(path=tmp_path / "04_page.png", full_page=False)
        browser.close()


def test_class_chooser_of_09_redraws_in_chromium(lab, tmp_path):
    """09_conditional: choose a class with the chooser's buttons; the kernel redraws the grid; the
    conditional G's live dashboard is there, its grid laid out one class per column."""
    url, token = lab
    with playwright.sync_playwright() as p:
        browser, page = _open_and_run_all(p, url, token, "09_conditional.ipynb")
        chooser = page.locator(".gan-edu-class-chooser").first
        chooser.scroll_into_view_if_needed()
        before = chooser.locator("img").first.get_attribute("src")
        chooser.get_by_role("button", name="Sneaker").click()
        page.wait_for_function(
            "src => document.querySelector('.gan-edu-class-chooser img').src !== src",
            arg=before,
            timeout=15_000,
        )
        chooser.screenshot(path=tmp_path / "09_sneakers.png")
        dashboard = page.locator(".gan-edu-dashboard").first  # the conditional G, one class per column
        dashboard.scroll_into_view_if_needed()
        assert dashboard.locator("img").first.is_visible()
        assert "one class per column" in dashboard.inner_text()
        browser.close()


def test_a_notebook_presents_as_slides_with_rise(lab):
    """jupyterlab-rise's slideshow of 09_conditional: one reveal.js slide per `slide` cell, one
    vertical slide per `subslide` cell (tools/slides.py's tags), math typeset without a CDN."""
    import json

    url, token = lab
    cells = json.loads((ROOT / "notebooks" / "09_conditional.ipynb").read_text())["cells"]
    kinds = [c["metadata"]["slideshow"]["slide_type"] for c in cells]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{url}/rise/notebooks/09_conditional.ipynb?token={token}")
        page.wait_for_selector(".reveal .slides > section", timeout=60_000)
        page.wait_for_selector(".reveal mjx-container", timeout=60_000)  # MathJax, bundled
        outer = page.evaluate("document.querySelectorAll('.reveal .slides > section').length")
        inner = page.evaluate("document.querySelectorAll('.reveal .slides > section > section').length")
        assert outer == kinds.count("slide") and inner == kinds.count("slide") + kinds.count("subslide")
        browser.close()


def test_a_notebook_presents_as_live_slides_with_voila(tmp_path):
    """`make present NB=00_start_here` (tools/present.py): a reveal.js slideshow whose dashboard
    trains when Play is pressed on its slide; one slide per `slide` tag; nothing from the network."""
    import json

    cells = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text())["cells"]
    kinds = [c["metadata"]["slideshow"]["slide_type"] for c in cells]
    port = _free_port()
    env = dict(os.environ, GAN_EDU_QUICK="1", GAN_EDU_DEVICE="cpu")
    log = open(tmp_path / "voila.log", "w")
    server = subprocess.Popen(
        [sys.executable, "tools/present.py", "00_start_here", f"--port={port}", "--no-browser"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            requests = []
            page.on("request", lambda r: requests.append(r.url))
            assert _answers(f"http://127.0.0.1:{port}/voila/static/reveal.js"), "Voilà did not start"
            page.goto(f"http://127.0.0.1:{port}/", timeout=300_000)  # Voilà runs the notebook first
            page.wait_for_selector(".reveal .slides > section", state="attached", timeout=300_000)
            assert page.locator(".reveal .slides > section").count() == kinds.count("slide")
            here = "section.present:not(.stack)"  # the slide on screen
            play = page.locator(f"{here} button:has-text('Play')")
            page.wait_for_selector(".gan-edu-step", state="attached", timeout=120_000)
            for _ in range(len(kinds)):  # next slide (down into a stack first) until Play is on screen
                if play.count():
                    break
                down = page.locator(".navigate-down.enabled")
                (down if down.count() else page.locator(".navigate-right.enabled")).first.click()
                time.sleep(0.3)
            first_step = int(page.locator(f"{here} .gan-edu-step").inner_text())
            play.click()
            counter = f"Number(document.querySelector('{here} .gan-edu-step').innerText)"
            page.wait_for_function(f"{counter} > {first_step + 20}", timeout=60_000)
            page.screenshot(path=tmp_path / "slides_playing.png")
            page.locator(f"{here} button:has-text('Pause')").click()
            remote = [u for u in requests if not u.startswith((f"http://127.0.0.1:{port}", "blob:", "data:"))]
            assert not remote, f"the slideshow loaded from the network: {remote}"
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
