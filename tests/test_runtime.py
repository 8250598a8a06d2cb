import os

import pytest
import torch

import gan_edu
from gan_edu import runtime


def test_pick_device_cpu_and_auto():
    assert runtime.pick_device("cpu") == torch.device("cpu")
    assert runtime.pick_device("auto").type == runtime.available_devices()[0]
    assert runtime.available_devices()[-1] == "cpu"


def test_unavailable_device_falls_back_to_cpu_with_message(capsys, monkeypatch):
    monkeypatch.setattr(runtime, "available_devices", lambda: ["cpu"])
    assert runtime.pick_device("cuda") == torch.device("cpu")
    out = capsys.readouterr().out
    assert "'cuda' is not available" in out and "cpu" in out


def test_device_from_environment(monkeypatch):
    monkeypatch.setenv("GAN_EDU_DEVICE", "cpu")
    assert runtime.pick_device() == torch.device("cpu")


def test_cgroup_quota_v2_and_v1(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert runtime._cgroup_cpu_limit(tmp_path) == 1.5
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert runtime._cgroup_cpu_limit(tmp_path) is None
    v1 = tmp_path / "v1"
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("100000")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000")
    assert runtime._cgroup_cpu_limit(v1) == 1.0
    assert runtime._cgroup_cpu_limit(tmp_path / "missing") is None


def test_threads_follow_quota_and_override(monkeypatch):
    monkeypatch.delenv("GAN_EDU_THREADS", raising=False)
    monkeypatch.setattr(runtime, "_cgroup_cpu_limit", lambda: 1.0)
    assert runtime.cpu_threads() == 1  # Binder: one core even when the host shows many
    monkeypatch.setenv("GAN_EDU_THREADS", "3")
    assert runtime.cpu_threads() == 3
    monkeypatch.setenv("GAN_EDU_THREADS", "two")
    with pytest.warns(UserWarning, match="GAN_EDU_THREADS='two' is not a positive whole number; ignoring it"):
        assert runtime.cpu_threads() == 1  # the quota, as if it were unset


def test_a_bad_thread_setting_does_not_break_import():
    import subprocess
    import sys

    env = dict(os.environ, GAN_EDU_THREADS="lots")
    done = subprocess.run([sys.executable, "-c", "import gan_edu"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "ignoring it" in done.stderr


def test_budget_and_quick_mode(monkeypatch):
    monkeypatch.setenv("GAN_EDU_QUICK", "1")
    assert runtime.is_quick() and runtime.budget(full=1000, quick=10) == 10
    monkeypatch.setenv("GAN_EDU_QUICK", "0")
    assert not runtime.is_quick() and runtime.budget(full=1000, quick=10) == 1000


def test_seed_everything_repeats():
    runtime.seed_everything(3)
    a = torch.randn(4)
    runtime.seed_everything(3)
    assert torch.equal(a, torch.randn(4))


def test_banner_names_device_threads_and_mode(capsys, monkeypatch):
    monkeypatch.setenv("GAN_EDU_QUICK", "1")
    gan_edu.banner()
    out = capsys.readouterr().out
    assert "device: cpu" in out and "CPU threads" in out and "quick" in out and torch.__version__ in out
