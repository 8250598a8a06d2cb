"""A class on one JupyterHub, simulated: N students log in at once, run notebook 00 and press Play.

Starts a real JupyterHub on 127.0.0.1 with deploy/jupyterhub_config.py (the configuration a teacher
uses, with its course-copying hook and idle culler), changed only where a simulation must differ:
a dummy authenticator (one shared password), local processes without systemd (so the 1-CPU, 2-GB
limits are not enforced here: what each student uses is measured instead), homes in a temporary
folder. The proxy is configurable-http-proxy from the npm registry, installed on first use into
build/classroom/. Each student, all at the same time:

  1. logs in (a token requested with name and password) and starts a server;
  2. opens notebooks/00_start_here.ipynb from their own copy of the course and runs every code cell
     in quick mode (GAN_EDU_QUICK=1) through the Jupyter REST and kernel (websocket) APIs;
  3. presses Play on the live dashboard (`dash.play()`: training in the kernel's background thread,
     frames sent to the browser as a real click would) and pauses after --steps steps.

Reports whether all N finished, the time for the whole class, the median and worst per-student
time, the peak memory of all servers and kernels together, and whether any kernel died. Bounded:
at most 32 students, --timeout seconds in all (then everything is stopped), loopback only.

    .venv/bin/python bench/classroom.py [--students 8] [--steps 300] [--timeout 900] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import nbformat
import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parents[1]
PROXY_DIR = ROOT / "build" / "classroom"
PROXY = PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
NOTEBOOK = "gan-edu/notebooks/00_start_here.ipynb"  # in each student's home (deploy/'s hook copies it)
PASSWORD = secrets.token_urlsafe(12)
MAX_STUDENTS = 32


class Skip(RuntimeError):
    """The benchmark cannot run on this machine (no proxy): the reason, for a clear skip."""


def proxy() -> Path:
    """configurable-http-proxy, installed from the npm registry into build/classroom on first use."""
    if PROXY.exists():
        return PROXY
    if shutil.which("npm") is None:
        raise Skip(
            "npm (Node.js) is not installed; JupyterHub's proxy, configurable-http-proxy, comes from npm"
        )
    PROXY_DIR.mkdir(parents=True, exist_ok=True)
    command = [
        "npm",
        "install",
        "--prefix",
        str(PROXY_DIR),
        "--no-audit",
        "--no-fund",
        "configurable-http-proxy@5",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not PROXY.exists():
        raise Skip(f"npm could not install configurable-http-proxy: {result.stderr.strip()[-400:]}")
    return PROXY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_config(folder: Path, port: int, token: str) -> Path:
    """deploy/jupyterhub_config.py, with the simulation's differences on top."""
    config = folder / "jupyterhub_config.py"
    root_flag = ["--allow-root"] if os.geteuid() == 0 else []
    config.write_text(textwrap.dedent(f"""
        load_subconfig({str(ROOT / "deploy" / "jupyterhub_config.py")!r})
        c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
        c.JupyterHub.hub_ip = "127.0.0.1"
        c.ConfigurableHTTPProxy.command = [{str(proxy())!r}]
        c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
        c.JupyterHub.authenticator_class = "dummy"
        c.DummyAuthenticator.password = {PASSWORD!r}
        c.JupyterHub.spawner_class = "simple"  # local processes, no systemd: limits measured, not enforced
        c.SimpleLocalProcessSpawner.home_dir_template = {str(folder / "home" / "{username}")!r}
        c.Spawner.cmd = [{sys.executable!r}, "-m", "jupyterhub.singleuser"]
        c.Spawner.args = {root_flag!r}
        c.Spawner.environment.update(GAN_EDU_QUICK="1")
        c.JupyterHub.services.append({{"name": "bench", "api_token": {token!r}}})
        c.JupyterHub.load_roles.append({{"name": "bench", "services": ["bench"],
            "scopes": ["admin:users", "admin:servers", "list:users", "access:servers"]}})
        c.JupyterHub.db_url = "sqlite:///{folder / "jupyterhub.sqlite"}"
        c.JupyterHub.cookie_secret_file = {str(folder / "cookie_secret")!r}
        c.ConfigurableHTTPProxy.pid_file = {str(folder / "proxy.pid")!r}
    """))  # fmt: skip
    return config


class Class:
    def __init__(self, url: str, token: str, steps: int):
        self.url, self.admin, self.steps = url, token, steps
        self.http = AsyncHTTPClient(force_instance=True, defaults={"request_timeout": 600})

    async def api(self, path: str, token: str, method: str = "GET", body=None) -> dict:
        headers = {"Authorization": f"token {token}"}
        data = None if body is None else json.dumps(body)
        request = HTTPRequest(f"{self.url}{path}", method, headers, data, allow_nonstandard_methods=True)
        response = await self.http.fetch(request)
        return json.loads(response.body) if response.body else {}

    async def student(self, name: str) -> dict:
        start = time.perf_counter()
        login = {"auth": {"username": name, "password": PASSWORD}}
        request = HTTPRequest(
            f"{self.url}/hub/api/users/{name}/tokens", method="POST", body=json.dumps(login)
        )
        token = json.loads((await self.http.fetch(request)).body)["token"]  # 1. log in
        await self.api(f"/hub/api/users/{name}/server", token, "POST", {})
        while (
            not (await self.api(f"/hub/api/users/{name}", token)).get("servers", {}).get("", {}).get("ready")
        ):
            await asyncio.sleep(0.5)
        ready = time.perf_counter() - start
        # 2. open the notebook and run it. (The server's API is called with the teacher's token: the
        # student's token, made before their server existed, was sometimes refused by that server.)
        base, token = f"/user/{name}/api", self.admin
        content = (await self.api(f"{base}/contents/{NOTEBOOK}", token))["content"]
        session = {"path": NOTEBOOK, "type": "notebook", "kernel": {"name": "python3"}}
        kernel = (await self.api(f"{base}/sessions", token, "POST", session))["kernel"]["id"]
        ws_url = f"{self.url.replace('http', 'ws', 1)}{base}/kernels/{kernel}/channels"
        ws = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}))
        cells = [c["source"] for c in nbformat.from_dict(content).cells if c["cell_type"] == "code"]
        play = (
            f"t0 = trainer.step_count\ndash.play()\nwhile trainer.step_count < t0 + {self.steps}:\n"
            f"    time.sleep(0.05)\ndash.pause()\nprint(trainer.step_count - t0)"
        )  # 3. Play, then Pause
        try:
            for source in cells:
                await self.execute(ws, source)
            played = int((await self.execute(ws, play)).split()[-1])
        finally:
            ws.close()
        died = (await self.api(f"{base}/kernels/{kernel}", token)).get("execution_state") == "dead"
        await self.api(f"/hub/api/users/{name}/server", self.admin, "DELETE")
        return {
            "name": name,
            "seconds": time.perf_counter() - start,
            "server_ready_s": ready,
            "kernel_died": died,
            "played": played,
        }

    async def execute(self, ws, source: str) -> str:
        """Run one cell in the kernel; its printed output."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "username": "",
            "session": "",
            "version": "5.3",
        }
        content = {"code": source, "silent": False, "store_history": True, "allow_stdin": False}
        await ws.write_message(json.dumps({"header": header, "parent_header": {}, "metadata": {},
                                           "content": content, "channel": "shell"}))  # fmt: skip
        printed, replied, idle = [], False, False
        while True:
            raw = await ws.read_message()
            if raw is None:
                raise RuntimeError("the kernel's connection closed while a cell ran (did the kernel die?)")
            msg = json.loads(raw) if isinstance(raw, str) else {}
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "error":
                raise RuntimeError(f"a cell failed: {msg['content']['ename']}: {msg['content']['evalue']}")
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])
            replied |= msg["msg_type"] == "execute_reply"  # the reply (shell) and the last output
            idle |= msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"  # (iopub)
            if replied and idle:  # may come in either order
                return "".join(printed)


def memory_of(hub: psutil.Process) -> float:
    """MiB resident in the students' servers and kernels (every process under the hub but the proxy)."""
    total = 0
    for process in hub.children(recursive=True):
        try:
            if "configurable-http-proxy" not in " ".join(process.cmdline()):
                total += process.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


async def run_class(
    url: str, token: str, n: int, steps: int, hub: psutil.Process
) -> tuple[list, float, float]:
    peak = 0.0

    async def watch():
        nonlocal peak
        while True:
            peak = max(peak, memory_of(hub))
            await asyncio.sleep(0.5)

    names = [f"student{i:02d}" for i in range(1, n + 1)]
    room = Class(url, token, steps)
    await room.api("/hub/api/users", token, "POST", {"usernames": names})  # the teacher adds the class
    watcher = asyncio.ensure_future(watch())
    start = time.perf_counter()
    results = await asyncio.gather(*(room.student(name) for name in names), return_exceptions=True)
    watcher.cancel()
    return results, time.perf_counter() - start, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8, help=f"how many (1 to {MAX_STUDENTS})")
    parser.add_argument("--steps", type=int, default=300, help="training steps each student plays")
    parser.add_argument("--timeout", type=int, default=900, help="seconds for the whole benchmark")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if not 1 <= args.students <= MAX_STUDENTS:
        parser.error(f"--students must be between 1 and {MAX_STUDENTS}, not {args.students}")
    try:
        proxy()
    except Skip as reason:
        print(f"skipped: {reason}")
        return 0
    folder = Path(tempfile.mkdtemp(prefix="gan-edu-classroom-"))
    port, token = free_port(), secrets.token_hex(32)
    command = ["jupyterhub", "-f", str(hub_config(folder, port, token))]
    log = open(folder / "hub.log", "w")
    hub = subprocess.Popen(
        [sys.executable, "-m", *command], cwd=folder, stdout=log, stderr=log, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_hub(url, hub, folder)
        coroutine = run_class(url, token, args.students, args.steps, psutil.Process(hub.pid))
        results, seconds, peak = asyncio.run(asyncio.wait_for(coroutine, args.timeout))
    except (TimeoutError, asyncio.TimeoutError):
        print(f"!! the class did not finish within --timeout {args.timeout} s; hub log: {folder / 'hub.log'}")
        return 1
    finally:
        os.killpg(hub.pid, signal.SIGTERM)
        try:
            hub.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, signal.SIGKILL)
    return report(results, seconds, peak, args, folder)


def wait_for_hub(url: str, hub: subprocess.Popen, folder: Path, limit: float = 120) -> None:
    import urllib.request

    deadline = time.time() + limit
    while time.time() < deadline:
        if hub.poll() is not None:
            raise RuntimeError(f"JupyterHub exited: see {folder / 'hub.log'}")
        try:
            urllib.request.urlopen(f"{url}/hub/api", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"JupyterHub did not answer within {limit:.0f} s: see {folder / 'hub.log'}")


def report(results: list, seconds: float, peak: float, args, folder: Path) -> int:
    done = [r for r in results if isinstance(r, dict)]
    failed = [repr(r) for r in results if not isinstance(r, dict)]
    times = sorted(r["seconds"] for r in done)
    summary = {
        "students": args.students, "finished": len(done), "steps_played": args.steps,
        "class_seconds": round(seconds, 1),
        "median_student_seconds": round(statistics.median(times), 1) if times else None,
        "worst_student_seconds": round(times[-1], 1) if times else None,
        "median_server_ready_seconds": (
            round(statistics.median(r["server_ready_s"] for r in done), 1) if done else None),
        "peak_memory_mib": round(peak), "kernels_died": sum(r["kernel_died"] for r in done),
        "fewest_steps_played": min((r["played"] for r in done), default=None),
        "cpu_cores": len(os.sched_getaffinity(0)), "failures": failed,
    }  # fmt: skip
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1) + "\n")
    if failed:
        print(f"hub log: {folder / 'hub.log'}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if len(done) == args.students and not summary["kernels_died"] else 1


if __name__ == "__main__":
    sys.exit(main())
