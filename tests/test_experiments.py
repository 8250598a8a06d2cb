"""The multi-seed experiment script behind notebooks 06 and 11, and their stored results."""

import json
import shlex
from types import SimpleNamespace

import pytest

from gan_edu import experiments, notebook


def test_train_method_refuses_unknown_names():
    with pytest.raises(ValueError, match="unknown method 'pacgan'.*PacGAN2"):
        experiments.train_method("pacgan")
    with pytest.raises(ValueError, match="unknown dataset 'spiral'.*ring, grid"):
        experiments.train_method("GAN", "spiral")


def test_table_settings_are_checked(tmp_path):
    with pytest.raises(ValueError, match="seeds must be a positive integer"):
        experiments.run("mode_table", seeds=0, out=tmp_path / "t.json", echo=None)
    with pytest.raises(ValueError, match="jobs must be a positive integer"):
        experiments.run("mode_table", seeds=1, jobs=0, out=tmp_path / "t.json", echo=None)
    with pytest.raises(ValueError, match="unknown preset 'nope'"):
        experiments.run("mode_table", seeds=1, steps=2, preset="nope", out=tmp_path / "t.json", echo=None)
    assert not (tmp_path / "t.json").exists()  # nothing written for a refused request


def test_small_table_round_trip(tmp_path):
    out = tmp_path / "t.json"
    table = experiments.run("mode_table", seeds=2, steps=4, datasets=["ring"], methods=["GAN", "PacGAN2"],
                            out=out, echo=None)  # fmt: skip
    assert table["command"] == (
        "python -m gan_edu.experiments mode_table --seeds 2 --steps 4 --datasets ring "
        "--methods 'GAN' 'PacGAN2'"
    )
    assert experiments.load_mode_table(out) == json.loads(json.dumps(table))
    assert [(r["method"], r["seed"]) for r in table["rows"]] == [("GAN", 0), ("GAN", 1), ("PacGAN2", 0),
                                                                 ("PacGAN2", 1)]  # fmt: skip
    summary = experiments.summarize(table)
    gan = [r["modes"] for r in table["rows"] if r["method"] == "GAN"]
    assert summary[0]["modes"] == pytest.approx(sum(gan) / 2)
    text = experiments.format_table(table)
    assert (
        "| ring | GAN | ours, 2 seeds |" in text and "| ring | PacGAN2 | PacGAN | 7.9 | 95.6 | 0.07 |" in text
    )
    assert "| grid |" not in text  # only the datasets that were run


def test_same_seed_same_row():
    a = experiments.train_method("PacGAN2", steps=30)[1]
    b = experiments.train_method("PacGAN2", steps=30)[1]
    assert {k: v for k, v in a.items() if k != "ms_per_step"} == {
        k: v for k, v in b.items() if k != "ms_per_step"
    }


def test_command_line_entry_point(tmp_path, capsys):
    out = tmp_path / "cli.json"
    assert experiments.main(["mode_table", "--seeds", "1", "--steps", "3", "--datasets", "grid", "--methods",
                             "GAN", "--out", str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "| grid | GAN | ours, 1 seeds |" in printed and f"stored in {out}" in printed
    assert experiments.load_mode_table(out)["rows"][0]["n_modes"] == 25


@pytest.mark.parametrize("name", list(experiments.TABLES))
def test_missing_or_damaged_tables_are_explained(tmp_path, name):
    """One loader for every table: a missing file says the command that makes it, a damaged one
    what it should have been (`load_mode_table` and the like are `load` with the name)."""
    what = {"augmentation": "an augmentation table", "class_accuracy": "a class accuracy table",
            "exercises": "an exercises table"}.get(name, "a " + name.replace("_", " "))  # fmt: skip
    with pytest.raises(FileNotFoundError, match=f"run `python -m gan_edu.experiments {name}` to make it"):
        experiments.load(name, tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    for text in ("{not json", '{"rows": []}'):
        bad.write_text(text)
        with pytest.raises(ValueError, match=f"is not {what} .*`python -m gan_edu.experiments {name}`"):
            experiments.load(name, bad)
    with pytest.raises(ValueError, match="unknown table 'modes'; choose one of: mode_table"):
        experiments.load("modes")


@pytest.mark.parametrize("name", list(experiments.TABLES))
def test_each_stored_command_re_makes_its_table(name):
    """The command stored in results/NAME.json parses with today's command line to the same
    arguments: the same command back, and the stored settings (results are never re-made to fit)."""
    stored = experiments.load(name)
    table, keywords = experiments.parse(shlex.split(stored["command"])[3:])
    assert table is experiments.TABLES[name] and keywords["out"] == experiments.RESULTS
    args = SimpleNamespace(**{a.name: keywords[a.name] for a in table.args})
    assert experiments.command(table, args) == stored["command"]
    seeds = {"seeds": list(range(args.seeds))} if hasattr(args, "seeds") else {}
    assert seeds | table.settings(args, stored["rows"]) == stored["settings"]
    assert len(table.runs(args)) == len(stored["rows"])


def test_every_table_names_notebooks_of_the_course_and_its_row_runs_in_other_processes():
    import pickle

    course = {p.stem for p in notebook.course()}
    for table in experiments.TABLES.values():
        assert set(table.notebooks) <= course, table.name
        assert pickle.loads(pickle.dumps(table.row)) is table.row  # --jobs sends it to other processes
        assert {a.name for a in table.args}.isdisjoint({"out", "jobs", "echo", "update"})
    with pytest.raises(TypeError, match="model_table has no option 'steps'"):
        experiments.run("model_table", steps=3, out=None)
    with pytest.raises(ValueError, match="model_table is made whole"):
        experiments.run("model_table", update=True, out=None)


def test_stored_table_is_complete_and_says_how_it_was_made():
    table = experiments.load_mode_table()
    assert table == experiments.load("mode_table")  # the notebooks' loaders are the one loader
    s = table["settings"]
    assert table["command"] == "python -m gan_edu.experiments mode_table --seeds 5"
    assert s["preset"] == "mode_collapse" and s["steps"] == 3000 and s["seeds"] == [0, 1, 2, 3, 4]
    assert s["methods"] == experiments.METHODS and set(s["datasets"]) == set(experiments.DATASETS)
    runs = {(r["dataset"], r["method"], r["seed"]) for r in table["rows"]}
    assert runs == {(d, m, k) for d in experiments.DATASETS for m in experiments.METHODS for k in range(5)}


def test_update_re_makes_only_the_named_rows(tmp_path):
    out = tmp_path / "t.json"
    kw = {"seeds": 1, "steps": 3, "datasets": ("ring",), "out": out, "echo": None}
    experiments.run("mode_table", methods=("GAN", "PacGAN2"), **kw)
    first = experiments.load_mode_table(out)
    experiments.run("mode_table", methods=("unrolled (k=5)",), update=True, **kw)
    table = experiments.load_mode_table(out)
    assert [r["method"] for r in table["rows"]] == ["GAN", "unrolled (k=5)", "PacGAN2"]  # METHODS order
    assert table["rows"][0] == first["rows"][0] and table["command"] == first["command"]
    assert table["updates"][0]["command"].endswith("--methods 'unrolled (k=5)' --update")
    with pytest.raises(ValueError, match="--update needs the stored table's preset and steps"):
        experiments.run("mode_table", methods=("GAN",), update=True, **(kw | {"steps": 4}))


def test_model_table_round_trip_and_its_checks(tmp_path):
    """Notebook 11's head-to-head in miniature: rows per (model, seed), the command that re-makes
    it, the summary over seeds, and clear errors for bad requests or a damaged file."""
    out = tmp_path / "m.json"
    table = experiments.run("model_table", seeds=2, budget=3, models=["mixture", "vae"], out=out, echo=None)
    assert (
        table["command"]
        == "python -m gan_edu.experiments model_table --seeds 2 --budget 3 --models mixture vae"
    )
    assert [(r["model"], r["seed"]) for r in table["rows"]] == [
        ("mixture", 0),
        ("mixture", 1),
        ("vae", 0),
        ("vae", 1),
    ]
    assert experiments.load_model_table(out) == json.loads(json.dumps(table))
    summary = experiments.summarize_models(table)
    assert summary["vae"]["seeds"] == 2 and summary["vae"]["bpd"][1] >= 0
    with pytest.raises(ValueError, match="unknown model 'pixelcnn'"):
        experiments.run("model_table", seeds=1, models=["pixelcnn"], out=None, echo=None)
    out.write_text("{not json")
    with pytest.raises(ValueError, match="not a model table.*model_table"):
        experiments.load_model_table(out)
    with pytest.raises(FileNotFoundError, match="run `python -m gan_edu.experiments model_table`"):
        experiments.load_model_table(tmp_path / "missing.json")


def test_stored_model_table_is_complete():
    table = experiments.load_model_table()
    assert table["settings"]["budget"] == 3000 and table["settings"]["seeds"] == [0, 1, 2, 3, 4]
    assert {(r["model"], r["seed"]) for r in table["rows"]} == {
        (m, s) for m in experiments.baselines.MODELS for s in range(5)
    }


def test_binary_table_round_trip(tmp_path):
    """Notebook 11's likelihoods of binary digits in miniature: one row per seed with every model's
    bits per pixel, its command, the summary, and a clear error for a bad request."""
    out = tmp_path / "b.json"
    table = experiments.run("binary_table", seeds=1, budget=3, out=out, echo=None)
    assert table["command"] == "python -m gan_edu.experiments binary_table --seeds 1 --budget 3"
    bits = table["rows"][0]["bits"]
    assert set(bits) == {"independent pixels", "rbm", "dbn", "made", "made, training digits"}
    assert all(0 < b < 1.5 for b in bits.values())  # bits per binary pixel: around 1 or less
    assert experiments.load_binary_table(out) == json.loads(json.dumps(table))
    assert experiments.summarize_binary(table)["rbm"] == (bits["rbm"], 0.0)
    with pytest.raises(ValueError, match="seeds must be a positive integer"):
        experiments.run("binary_table", seeds=0, out=None, echo=None)


def test_class_accuracy_round_trip(tmp_path):
    """Notebook 09's stored seeds in miniature: one row per seed, its command, clear errors."""
    out = tmp_path / "c.json"
    table = experiments.run("class_accuracy", seeds=1, steps=2, out=out, echo=None)
    assert table["command"] == (
        "python -m gan_edu.experiments class_accuracy --seeds 1 --preset cgan_projection_fashion --steps 2"
    )
    row = table["rows"][0]
    assert row["steps"] == 2 and len(row["per_class"]) == 10 and 0 <= row["accuracy"] <= 1
    assert row["accuracy"] == pytest.approx(sum(row["per_class"]) / 10, abs=1e-4)
    assert experiments.load_class_accuracy(out) == json.loads(json.dumps(table))
    with pytest.raises(ValueError, match="not class-conditional"):
        experiments.run("class_accuracy", seeds=1, preset="dcgan_fashion", steps=1, out=None, echo=None)
    with pytest.raises(FileNotFoundError, match="experiments class_accuracy"):
        experiments.load_class_accuracy(tmp_path / "missing.json")


def test_stored_class_accuracy_is_complete():
    table = experiments.load_class_accuracy()
    assert table["settings"] == {"seeds": [0, 1, 2], "preset": "cgan_projection_fashion", "steps": 3000,
                                 "samples": 1000}  # fmt: skip
    assert [r["seed"] for r in table["rows"]] == [0, 1, 2]


def test_stored_binary_table_is_complete():
    table = experiments.load_binary_table()
    assert table["settings"]["budget"] == 3000 and [r["seed"] for r in table["rows"]] == [0, 1, 2, 3, 4]


def test_exercises_round_trip(tmp_path):
    """The long exercises' stored answers in miniature: one row each, its command, clear errors."""
    out = tmp_path / "e.json"
    table = experiments.run("exercises", budget=2, classifier_steps=3, out=out, echo=None)
    assert table["command"] == "python -m gan_edu.experiments exercises --budget 2 --classifier-steps 3"
    answers = experiments.load_exercises(out)
    assert list(answers) == list(experiments.EXERCISES)
    assert answers["ring"]["updates"] == answers["digits"]["updates"] == 20
    assert 0 <= answers["ring"]["high_quality"] <= 1 and answers["digits"]["frechet"] > 0
    assert answers["classifiers"]["updates"] == 3 and 0 <= answers["classifiers"]["classic"] <= 1
    with pytest.raises(ValueError, match="unknown stored exercise 'moons'"):
        experiments.exercise_row("moons")
    with pytest.raises(FileNotFoundError, match="experiments exercises"):
        experiments.load_exercises(tmp_path / "missing.json")


def test_stored_exercises_are_complete():
    table = experiments.load_exercises()
    assert table.keys() == set(experiments.EXERCISES)
    assert [table[k]["updates"] for k in experiments.EXERCISES] == [30000, 30000, 1500]
