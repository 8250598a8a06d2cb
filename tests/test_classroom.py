"""A class on JupyterHub: deploy/'s two configurations, and bench/classroom.py with 3 students."""

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from traitlets.config import PyFileConfigLoader

from gan_edu import notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import classroom  # noqa: E402


def hub_config():
    return PyFileConfigLoader("jupyterhub_config.py", path=str(ROOT / "deploy")).load_config()


def test_one_server_config_limits_each_student_and_culls_idle_servers():
    c = hub_config()
    assert c.Spawner.mem_limit == "2G" and c.Spawner.cpu_limit == 1.0
    assert c.JupyterHub.spawner_class == "systemdspawner.SystemdSpawner"  # enforces the limits
    culler = next(s for s in c.JupyterHub.services if s["name"] == "idle-culler")
    assert "jupyterhub_idle_culler" in culler["command"] and "--timeout=3600" in culler["command"]
    assert c.Spawner.default_url.endswith("/notebooks/00_start_here.ipynb")


def test_each_new_student_gets_the_course_once(tmp_path):
    hook = hub_config().Spawner.pre_spawn_hook
    spawner = SimpleNamespace(home_dir=str(tmp_path), user=SimpleNamespace(name="no-such-account-here"))
    hook(spawner)
    copied = {p.name for p in (tmp_path / "gan-edu" / "notebooks").glob("*.ipynb")}
    assert {p.name for p in notebook.course()} <= copied
    mine = tmp_path / "gan-edu" / "notebooks" / "00_start_here.ipynb"
    mine.write_text("the student's own work")
    hook(spawner)  # a second start
    assert mine.read_text() == "the student's own work"


def test_kubernetes_config_gives_each_student_one_core_and_2_gb():
    values = yaml.safe_load((ROOT / "deploy" / "config.yaml").read_text())
    user = values["singleuser"]
    assert user["cpu"]["limit"] == 1 and user["memory"]["limit"] == "2G"
    assert values["cull"]["enabled"] and values["cull"]["timeout"] == 3600
    # the student's disk must not hide the image's copy of the course (package and data)
    assert user["storage"]["homeMountPath"] != "/home/jovyan"
    assert user["defaultUrl"].startswith("/lab/tree/" + user["storage"]["homeMountPath"].split("/")[-1])


def test_the_benchmark_refuses_a_class_it_cannot_bound():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "classroom.py"), "--students", "100"],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 2 and "between 1 and 32" in result.stderr


@pytest.mark.timed
def test_three_students_run_notebook_00_and_play_on_one_hub(tmp_path):
    try:
        classroom.proxy()
    except classroom.Skip as reason:
        pytest.skip(str(reason))
    out = tmp_path / "class.json"
    command = [sys.executable, str(ROOT / "bench" / "classroom.py"), "--students", "3", "--steps", "100",
               "--timeout", "300", "--json", str(out)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    summary = json.loads(out.read_text())
    assert summary["finished"] == 3 and summary["kernels_died"] == 0 and not summary["failures"]
    assert summary["fewest_steps_played"] >= 100
    assert summary["peak_memory_mib"] > 3 * 200  # three servers with torch kernels were really running
