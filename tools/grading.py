"""Graded exercises with nbgrader, from its command-line steps (no extension needed).

The notebooks are nbgrader's source: each graded exercise is an answer cell (nbgrader "solution",
our answer between `### BEGIN SOLUTION` and `### END SOLUTION`) followed by a locked check cell
(nbgrader "tests", 2 points) that calls `gan_edu.selfcheck.check`. One assignment per notebook
that has graded cells.

    python tools/grading.py release [02 07 ...]        # make release: student copies in release/
    python tools/grading.py autograde FILE --student S  # grade one student's notebook; prints the score

`release` writes release/<notebook>/<notebook>.ipynb: answers replaced by `raise NotImplementedError()`,
outputs cleared, the answer cells unfolded. `autograde` runs the student's copy top to bottom in
quick mode, in a fresh kernel, with the check cells restored from the gradebook (a student cannot
edit them away), and reads the score from the gradebook in build/grading/.

nbgrader's JupyterLab extension (formgrader, assignment list) is installed with it and loads in our
pinned JupyterLab 4.6 (`jupyter labextension list` says OK), but it is not needed for any of this.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "grading"


def graded_notebooks() -> list[Path]:
    """The notebooks that have at least one nbgrader cell."""
    from gan_edu.notebook import course

    found = []
    for path in course():
        cells = json.loads(path.read_text())["cells"]
        if any("nbgrader" in cell.get("metadata", {}) for cell in cells):
            found.append(path)
    return found


def api(work: Path):
    """nbgrader's API on a course folder `work`: source/, release/, submitted/, autograded/, gradebook."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    # nbgrader runs the `alembic` command of its environment: make it findable without activating .venv
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    config = Config()
    config.CourseDirectory.root = str(work)
    config.CourseDirectory.db_url = f"sqlite:///{work / 'gradebook.db'}"
    config.Execute.timeout = 600  # seconds per cell; quick mode needs far less
    config.Execute.kernel_name = "python3"
    return NbGraderAPI(config=config)


def release(work: Path, only: list[str] | None = None) -> list[Path]:
    """Student copies of the graded notebooks: work/release/<name>/<name>.ipynb."""
    grader, made = api(work), []
    for path in graded_notebooks():
        if only and path.name[:2] not in only:
            continue
        source = work / "source" / path.stem
        source.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, source / path.name)
        result = grader.generate_assignment(path.stem, force=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not release {path.name}:\n{result['error']}\n{result['log']}")
        released = work / "release" / path.stem / path.name
        unfold_answers(released)
        made.append(released)
    return made


def unfold_answers(path: Path) -> None:
    """Our notebooks fold the answer cells (they hold our answer); a student's copy shows them."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        cell.get("metadata", {}).get("jupyter", {}).pop("source_hidden", None)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def autograde(work: Path, notebook: Path, student: str) -> tuple[float, float]:
    """Grade one student's copy of a released notebook; (score, maximum) from the gradebook."""
    from nbgrader.api import Gradebook

    assignment = notebook.stem
    if not (work / "release" / assignment).exists():
        raise FileNotFoundError(f"{assignment} was not released in {work}: run `release` first")
    submitted = work / "submitted" / student / assignment
    submitted.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, submitted / f"{assignment}.ipynb")
    os.environ["GAN_EDU_QUICK"], os.environ["GAN_EDU_THREADS"] = "1", "1"
    result = api(work).autograde(assignment, student, force=True, create=True)
    if not result["success"]:
        raise RuntimeError(f"nbgrader could not grade {notebook}:\n{result['error']}\n{result['log']}")
    with Gradebook(f"sqlite:///{work / 'gradebook.db'}") as book:
        graded = book.find_submission_notebook(assignment, assignment, student)
        return graded.score, graded.max_score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True)
    steps.add_parser("release", help="student copies in release/").add_argument("only", nargs="*")
    grade = steps.add_parser("autograde", help="grade one student's notebook")
    grade.add_argument("notebook", type=Path)
    grade.add_argument("--student", required=True)
    args = parser.parse_args()
    if args.step == "release":
        for path in release(WORK, args.only):
            target = ROOT / "release" / path.parent.name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(path.parent, target)
            print(f"released {target.relative_to(ROOT) / path.name}")
        return 0
    score, maximum = autograde(WORK, args.notebook, args.student)
    print(f"{args.student}, {args.notebook.stem}: {score:g} of {maximum:g} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
