"""Graded exercises: nbgrader releases student copies, and autogrades solved and unsolved ones."""

import json
import sys
from pathlib import Path

import pytest

from gan_edu import notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import grading  # noqa: E402

GRADED = grading.graded_notebooks()


def test_every_graded_exercise_has_an_answer_cell_and_a_check_cell():
    assert GRADED == notebook.course()  # every notebook of the course
    for path in GRADED:
        cells = json.loads(path.read_text())["cells"]
        marks = [c["metadata"]["nbgrader"] for c in cells if "nbgrader" in c["metadata"]]
        answers = [m for m in marks if m["solution"]]
        checks = [m for m in marks if m["grade"]]
        assert len(answers) == len(checks) >= 1 and all(m["locked"] for m in checks), path.name
        assert len({m["grade_id"] for m in marks}) == len(marks), f"{path.name}: grade ids must be unique"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    work = tmp_path_factory.mktemp("grading")
    return work, grading.release(work)


def test_release_removes_our_answers_and_keeps_the_checks(course):
    _, released = course
    assert [p.name for p in released] == [p.name for p in GRADED]
    for path in released:
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text
        assert "source_hidden" not in text  # the student's answer cell is unfolded
        assert '"outputs": []' in text and "check(" in text


# nbgrader runs the whole notebook in quick mode: three of the quickest here (6-10 s each). The others'
# answers run with every notebook in `make test` (tests/test_book.py; a passing check cell is full
# marks) and their unanswered stubs in tests/test_selfcheck.py.
@pytest.mark.parametrize("index", [1, 2, 3])  # 02, 03, 05
def test_autograde_gives_full_marks_when_solved_and_zero_when_not(course, index):
    work, released = course
    solved_score, maximum = grading.autograde(work, GRADED[index], "solved")
    unsolved_score, _ = grading.autograde(work, released[index], "unsolved")
    assert maximum > 0 and solved_score == maximum and unsolved_score == 0


def test_a_notebook_edited_to_cheat_is_graded_with_the_original_checks(course, tmp_path):
    work, released = course
    nb = json.loads(released[1].read_text())
    check = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade"))
    check["source"] = ["print('all good')\n"]  # a student deletes the check
    cheat = tmp_path / released[1].name
    cheat.write_text(json.dumps(nb))
    score, _ = grading.autograde(work, cheat, "cheater")
    assert score == 0
