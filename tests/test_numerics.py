import pytest

from gan_edu import numerics


def test_reference_raises_on_the_reference_numerics_and_warns_elsewhere(monkeypatch):
    monkeypatch.setenv("GAN_EDU_REFERENCE_NUMERICS", "1")
    with pytest.raises(AssertionError), numerics.reference("a number"):
        assert 1 == 2
    monkeypatch.setenv("GAN_EDU_REFERENCE_NUMERICS", "0")
    with pytest.warns(numerics.DiffersFromReference, match="a number: our run's number differs"):
        with numerics.reference("a number"):
            assert 1 == 2
    with numerics.reference("a number"):  # nothing to report when it holds
        assert 1 == 1


def test_reference_does_not_hide_other_errors(monkeypatch):
    monkeypatch.setenv("GAN_EDU_REFERENCE_NUMERICS", "0")
    with pytest.raises(KeyError), numerics.reference("a number"):
        {}["missing"]


def test_kernel_set_and_the_banner_line():
    k = numerics.kernel_set()
    assert k["capability"] and k["vendor"] and k["threads"] >= 1
    assert k["capability"] in numerics.describe()


def test_the_stored_table_reads_and_prints():
    table = numerics.load_table()
    text = numerics.format_runs(table)
    assert "balanced, 0" in text and "mode_collapse, 0" in text and "of 8" in text
    assert {"avx512", "default"} <= {r["kernel_set"] for r in table["runs"]}


def test_a_missing_table_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="restore it with git"):
        numerics.load_table(tmp_path / "numerics.json")


def test_drift_starts_equal_and_moves_apart():
    from gan_edu.presets import get_preset

    rows, (a, b) = numerics.drift(get_preset("balanced").config, 20, every=10)
    assert [r["step"] for r in rows] == [10, 20] and all(r["gap"] > 0 for r in rows)
    assert a.step_count == b.step_count == 20
