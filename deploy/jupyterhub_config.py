# A class on one server: JupyterHub serving gan-edu to every student.
#
# For a teacher who has a Linux server (a lab machine, a cloud VM) and a class of students. Each
# student logs in with an account on that server, gets their own JupyterLab with their own copy of
# the course, limited to 1 CPU core and 2 GB of memory (what every notebook was measured to fit;
# see bench/README.md), and is stopped after an hour without activity so the next class gets the
# cores back. This is The Littlest JupyterHub's model; with TLJH installed, set the same limits with
#   sudo tljh-config set limits.memory 2G && sudo tljh-config set limits.cpu 1 && sudo tljh-config reload
# and skip this file.
#
# Set up (as root, on the server; one Python environment for the hub and the students):
#   git clone <this repository> /opt/gan-edu && cd /opt/gan-edu
#   python3 -m venv /opt/gan-edu/.venv && . /opt/gan-edu/.venv/bin/activate
#   pip install -c constraints.txt -e ".[classroom]" jupyterhub-systemdspawner
#   npm install -g configurable-http-proxy          # the hub's proxy (Node.js)
#   jupyterhub -f /opt/gan-edu/deploy/jupyterhub_config.py
# then students open http://<server>:8000 and log in with their server account (put HTTPS in
# front of it before the class uses real passwords: see JupyterHub's "Security" docs).
#
# How big a server? bench/classroom.py starts this very configuration with simulated students and
# measures it: see the README's teachers' section for what it measured per core.
import os
import pwd
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub defines get_config when it reads this file)

# Where the course lives on the server; every new student gets a copy of its notebooks.
COURSE = Path(os.environ.get("GAN_EDU_COURSE", Path(__file__).resolve().parents[1]))
STUDENT_FOLDER = "gan-edu"  # in each student's home: ~/gan-edu/notebooks/...


def student_home(spawner) -> Path:
    """The student's home folder: the spawner's own setting, else the system account's."""
    home = getattr(spawner, "home_dir", None)  # SimpleLocalProcessSpawner (bench/classroom.py)
    return Path(home) if home else Path(pwd.getpwnam(spawner.user.name).pw_dir)


def copy_course(spawner) -> None:
    """Before a student's server starts: copy the course into their home, once.

    A student's own edits are never overwritten; to hand out a fresh copy, they rename their folder.
    """
    target = student_home(spawner) / STUDENT_FOLDER
    if target.exists():
        return
    shutil.copytree(COURSE / "notebooks", target / "notebooks", ignore=shutil.ignore_patterns(".ipynb_*"))
    try:  # the hub runs as root: give the copy to the student
        account = pwd.getpwnam(spawner.user.name)
    except KeyError:  # simulated students have no system account
        return
    for path in [target, *target.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid)


c.JupyterHub.bind_url = "http://:8000"
# Students log in with their account on this server (PAM, JupyterHub's default authenticator).
# Local processes under systemd: the local spawner that enforces per-student limits (the plain
# LocalProcessSpawner only passes them on as environment variables).
c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
c.Spawner.mem_limit = "2G"  # every notebook peaks under 1.5 GB (bench/course.py)
c.Spawner.cpu_limit = 1.0  # one core per student, as on Binder
c.Spawner.environment = {"GAN_EDU_THREADS": "1"}  # torch uses the one core it has, no more
c.Spawner.default_url = f"/lab/tree/{STUDENT_FOLDER}/notebooks/00_start_here.ipynb"
c.Spawner.pre_spawn_hook = copy_course
c.Spawner.http_timeout = 120  # seconds a server may take to start when the whole class logs in at once

# Stop servers idle for an hour (their kernels and trained models go with them; notebooks stay).
c.JupyterHub.services = [
    {"name": "idle-culler", "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600"]}
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
# The teacher: an admin who can see and restart every student's server from the hub's admin page.
c.Authenticator.admin_users = {os.environ.get("GAN_EDU_TEACHER", "teacher")}
c.Authenticator.allow_all = (
    True  # every account on this server may log in; list names in allowed_users instead
)
