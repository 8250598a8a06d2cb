"""tools/accountable.py: every number and finding of the notebooks' text is claimed by an assertion
in tests/test_claims.py or registered in tests/claims_registry.json (issue 33). Trains nothing."""

import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import accountable  # noqa: E402


@pytest.fixture(scope="module")
def report():
    return accountable.lint()


def _messages(report) -> list[str]:
    return [p.line() for p in report.problems]


def test_every_number_and_finding_of_the_covered_notebooks_is_accounted_for(report):
    assert report.ok, "\n".join(_messages(report))
    covered = {"00_start_here", "01_generative_models", "02_minimax", "03_building_blocks", "04_live_lab",
               "05_dynamics", "06_mode_collapse", "07_wasserstein", "08_dcgan", "09_conditional",
               "10_evaluation", "11_gan_vs_others", "12_open_problems"}  # fmt: skip
    assert set(report.counts) == covered and all(sum(c.values()) > 20 for c in report.counts.values())
    # a notebook not yet covered would be skipped in one visible list, each with its reason: none is now
    assert set(report.skipped) == set(accountable.PENDING) == set()
    assert all("issue" in why for why in report.skipped.values())
    # what has no check yet stays visible, as warnings
    assert report.warnings and all(w.message.startswith("unchecked: needs ") for w in report.warnings)


def test_removing_an_assertion_makes_the_lint_fail_naming_its_text(tmp_path):
    claims = (ROOT / "tests" / "test_claims.py").read_text()
    line = next(x for x in claims.splitlines() if x.endswith('# "0.0017 at the paper\'s c = 0.01"'))
    copy = tmp_path / "test_claims.py"
    copy.write_text(claims.replace(line + "\n", ""))
    problems = accountable.lint(claims_file=copy).problems
    assert any(
        (p.notebook, p.cell, p.text) == ("07_wasserstein", "c15", "0.0017") and "not accounted" in p.message
        for p in problems
    ), "\n".join(p.line() for p in problems)
    # the same quote on a statement that asserts nothing does not count either
    copy.write_text(claims.replace(line, line.replace("assert ", "_ = ", 1)))
    problems = accountable.lint(claims_file=copy).problems
    assert any("asserts nothing" in p.message and p.text.startswith("0.0017") for p in problems)


@pytest.fixture
def notebooks(tmp_path):
    """A copy of notebooks/ to change, and a function that edits one markdown cell's source."""
    folder = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", folder)

    def edit(notebook: str, cell: str, old: str, new: str) -> None:
        path = folder / f"{notebook}.ipynb"
        nb = json.loads(path.read_text())
        target = next(c for c in nb["cells"] if c["id"] == cell)
        source = "".join(target["source"])
        assert old in source
        target["source"] = source.replace(old, new, 1)
        path.write_text(json.dumps(nb))

    return folder, edit


def test_a_number_added_to_the_text_is_reported_with_notebook_cell_and_text(notebooks):
    folder, edit = notebooks
    edit("05_dynamics", "c18", "both runs cover 8 modes,", "both runs cover 8 modes in 42 seconds,")
    problems = accountable.lint(notebooks=folder).problems
    assert [(p.notebook, p.cell, p.text) for p in problems if "number" in p.message] == [
        ("05_dynamics", "c18", "42 seconds")
    ]


def test_a_new_finding_without_an_assertion_is_reported(notebooks):
    folder, edit = notebooks
    edit("06_mode_collapse", "c05", "Two things to notice.", "The blob then settles. Two things to notice.")
    problems = [p for p in accountable.lint(notebooks=folder).problems if "finding" in p.message]
    assert [(p.notebook, p.cell, p.text) for p in problems] == [
        ("06_mode_collapse", "c05", "The blob then settles.")
    ]


def test_a_setting_whose_code_says_otherwise_fails(notebooks, tmp_path):
    folder, edit = notebooks
    edit("00_start_here", "c14", "We draw 2,500 samples", "We draw 2,000 samples")
    registry = tmp_path / "claims_registry.json"
    text = (ROOT / "tests" / "claims_registry.json").read_text()
    registry.write_text(text.replace("We draw 2,500 samples", "We draw 2,000 samples"))
    problems = accountable.lint(notebooks=folder, registry=registry).problems
    assert [(p.notebook, p.cell) for p in problems] == [("00_start_here", "c14")]
    assert problems[0].message.startswith("setting: the text says 2,000, `") and problems[0].message.endswith(
        "` is 2500"
    )


def test_a_stale_registry_entry_fails(notebooks):
    folder, edit = notebooks
    edit("04_live_lab", "c16", "at most 11 regions", "at most eleven regions")
    problems = accountable.lint(notebooks=folder).problems
    assert any(p.cell == "c16" and "not in the markdown" in p.message for p in problems)


def test_what_counts_as_a_number():
    text = (
        "## 3 · A section\n"
        "1. Run `GANTrainer(lr_D=2e-4)` for 3,000 steps (Metz et al. 2017, notebook 04, sections 2 and 5).\n"
        "R1 on AVX-512 with 2-D noise covers 8 of 8 modes, 95% of samples, $\\lambda = 10$, $10^{-4}$,\n"
        "in $\\log 4$ and $$x^2 + 1$$; about 45 s, 3 minutes, 8.8 ± 8.0 and a 10x speed-up.\n"
    )
    counted, aside = accountable.numbers(text)
    assert [n.text for n in counted] == [
        "3,000", "8 of 8", "95%", "10", "10^-4", "45 s", "3 minutes", "8.8", "8.0", "10x"]  # fmt: skip
    reasons = {(s.text, s.reason) for s in aside}
    assert {("3", "structure"), ("1", "structure"), ("2017", "year"), ("04", "cross-reference"),
            ("2", "cross-reference"), ("5", "cross-reference"), ("1", "name"), ("512", "name"),
            ("2", "name")} <= reasons  # fmt: skip
    assert {"code", "equation"} <= {s.reason for s in aside}


def test_a_setting_compares_the_value_as_the_text_prints_it():
    same = accountable.same_as_printed
    assert same(0.0884, 0.09, "0.09") and not same(0.0834, 0.09, "0.09")
    assert same(5e-5, 5e-5, "5 × 10^-5") and same(1e-3, 1e-3, "10^-3") and not same(2e-3, 1e-3, "10^-3")
    assert same(0.946, 0.95, "95%") and not same(0.946, 0.94, "94%")
    assert accountable.parse_numbers("3,000 steps, 65%, 1/2, 2e-4 and 2.13.0") == [
        3000.0,
        0.65,
        0.5,
        2e-4,
        "2.13.0",
    ]
