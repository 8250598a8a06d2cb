"""Stored tables: runs too long for a student to wait for, kept in results/ with the command that
re-makes them (notebooks 01, 06, 09, 11 and 12 read them).

    python -m gan_edu.experiments NAME [options]   # re-make results/NAME.json; NAME --help: its options
    python -m gan_edu.experiments mode_table --seeds 1 --steps 100 --out /tmp/t.json   # a smoke run

Each table is one record of TABLES: its name, the notebooks that read it, its arguments (options on
the command line, keywords in Python), its runs, the row function that makes one row of one run, and
the settings stored beside the rows. One runner (`run`) makes any table and stores it stamped with the
command, settings and versions; one loader (`load`) reads it back. Row functions live with what they
measure: `remedies` (06), `comparison` (11), `small_data` (12); the rest are here.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import torch

from . import baselines, checks, comparison, evaluator, remedies, small_data, toy
from .comparison import summarize_binary, summarize_models  # noqa: F401 -- notebook 11 reads them here
from .conditional import N_CLASSES, class_code
from .metrics import mode_stats
from .presets import PRESETS, get_preset
from .remedies import DATASETS, METHODS, format_table, summarize, table_row, train_method  # noqa: F401
from .runtime import REPO
from .small_data import summarize_augmentation  # noqa: F401 -- notebook 12 reads it here
from .train import GANTrainer

RESULTS = REPO / "results"


@dataclass(frozen=True)
class Arg:
    """One argument of a table: `--per-class 10 50` on the command line, per_class=(10, 50) in Python."""

    flag: str
    default: object = None
    help: str = ""
    type: type = int
    many: bool = False  # one value or more
    choices: tuple = ()  # the values it may take
    shown: bool = False  # always in the stored command (else only where it is not the default)
    quoted: bool = False  # each value in '' in the stored command (names with spaces)

    @property
    def name(self) -> str:
        return self.flag[2:].replace("-", "_")

    def checked(self, value):
        """`value`, checked before anything runs: a name from `choices`, or a positive integer (or None)."""
        for v in value if self.many else [value]:
            if self.choices:
                checks.choose(self.choices, v, self.name.removesuffix("s"))
            elif self.type is int and v is not None:
                checks.integer(self.name, v, meaning=self.help)
        return value

    def words(self, value) -> list[str]:
        """This argument in the command that re-makes a table: nothing for an unshown default."""
        values, default = (list(value), list(self.default)) if self.many else ([value], [self.default])
        if values == default and not self.shown:
            return []
        return [self.flag, *(f"'{v}'" if self.quoted else str(v) for v in values)]


@dataclass(frozen=True)
class Table:
    """One stored table, results/<name>.json: the row `row(*run)` of each run of `runs(args)`."""

    name: str
    notebooks: tuple[str, ...]  # the notebooks that read it
    help: str
    args: tuple[Arg, ...]
    runs: Callable  # args -> the runs, each a tuple of `row`'s arguments
    row: Callable  # one run -> one stored row (a module-level function: rows run in other processes)
    settings: Callable  # (args, rows) -> what is stored beside the rows (and the seeds, if it has them)
    echo: Callable  # a row -> the line printed when it is made
    report: Callable | None = None  # the table -> what the command line prints at the end
    merge: Callable | None = None  # (stored, new) -> one table: `--update` re-makes only some rows


def class_accuracy_row(preset: str, seed: int, steps: int | None = None) -> dict:
    """A conditional preset trained from `seed`; the share of 1,000 samples (100 asked of each class)
    that the evaluator names as the class asked, overall and per class (notebook 09, section 3)."""
    config = get_preset(preset).config
    if config.condition != "class":
        raise ValueError(f"preset {preset!r} is not class-conditional (condition={config.condition!r})")
    trainer = GANTrainer(config, seed=seed)
    trainer.run(get_preset(preset).steps if steps is None else steps, progress=False)
    asked = torch.arange(1000) % N_CLASSES
    per_class = evaluator.class_accuracy(trainer.sample(1000, code=class_code(asked)), asked)
    accuracy, per_class = round(float(per_class.mean()), 4), [round(float(a), 4) for a in per_class]
    return {"preset": preset, "seed": seed, "steps": trainer.step_count, "accuracy": accuracy,
            "per_class": per_class}  # fmt: skip


def _ring_exercise(budget: int, classifier_steps: int) -> dict:
    """01's exercise 1: the diffusion model's high-quality share on notebook 01's ring."""
    ring = toy.get_dataset("ring")
    points = ring.sample(2000, torch.Generator().manual_seed(0)).numpy()  # notebook 01's train["ring"]
    model = baselines.make("diffusion").fit(points, 10 * budget)
    return {"high_quality": mode_stats(model.sample(1000, seed=1), ring.modes, ring.std)["high_quality"]}


#: The long exercises, each a function of (budget, classifier_steps) that returns its answer.
EXERCISES = {"ring": _ring_exercise, "digits": lambda budget, _: comparison.longer_diffusion(budget),
             "classifiers": lambda _, steps: small_data.longer_classifiers(steps)}  # fmt: skip


def exercise_row(name: str, budget: int = 3000, classifier_steps: int = 3 * small_data.CLASSIFIER_STEPS):
    """The answer to one exercise of EXERCISES that trains for a minute, as its solution states it:
    the diffusion model's with 10 x `budget` updates, or the classifiers' with `classifier_steps`."""
    value = EXERCISES[checks.choose(EXERCISES, name, "stored exercise")](budget, classifier_steps)
    updates = classifier_steps if name == "classifiers" else 10 * budget
    return {"exercise": name, "updates": updates} | {k: round(float(v), 4) for k, v in value.items()}


_SEEDS = functools.partial(Arg, "--seeds", help="how many seeds, from 0", shown=True)
_BUDGET = Arg("--budget", 3000, "updates per model", shown=True)
_MODELS, _OPTIONS, _PRESETS = tuple(baselines.MODELS), comparison.OPTIONS, tuple(PRESETS)
TABLES = {table.name: table for table in [
    Table("mode_table", ("06_mode_collapse",), "every remedy, ring and grid, several seeds",
          (_SEEDS(5), Arg("--steps", None, "training steps per run (default: the preset's)"),
           Arg("--preset", "mode_collapse", "the GAN every remedy is added to", str, choices=_PRESETS),
           Arg("--datasets", tuple(DATASETS), type=str, many=True, choices=tuple(DATASETS)),
           Arg("--methods", tuple(METHODS), type=str, many=True, choices=tuple(METHODS), quoted=True)),
          lambda a: [(m, d, s, a.steps, a.preset) for d in a.datasets for m in a.methods
                     for s in range(a.seeds)],
          remedies.row, lambda a, rows: remedies.settings(a.steps, a.preset, a.datasets, a.methods),
          ("{dataset:5} {method:15} seed {seed}: {modes}/{n_modes} modes, {high_quality:5.1f}% HQ, "
           "reverse KL {reverse_kl:.3f}, {ms_per_step:.2f} ms/step").format_map,
          report=format_table, merge=remedies.merged),
    Table("model_table", ("11_gan_vs_others",), "every model on 8x8 digits, several seeds",
          (_SEEDS(5), _BUDGET, Arg("--models", _MODELS, type=str, many=True, choices=_MODELS)),
          lambda a: [(m, s, a.budget) for m in a.models for s in range(a.seeds)], comparison.run_one,
          lambda a, rows: {"budget": a.budget, "samples": comparison.SAMPLES, "options": _OPTIONS,
                           "models": list(a.models)},
          "{model:12} seed {seed}: Fréchet {frechet:6.2f}, copy {copy:.2f}, bits/dim {bpd}".format_map),
    Table("binary_table", ("11_gan_vs_others",), "likelihoods of binarised digits, several seeds",
          (_SEEDS(5), _BUDGET), lambda a: [(s, a.budget) for s in range(a.seeds)], comparison.binary_row,
          lambda a, rows: {"budget": a.budget, "rbm": _OPTIONS["rbm"], "dbn": _OPTIONS["dbn"],
                           "ais": {"runs": 100, "betas": 10_000}},
          lambda r: f"seed {r['seed']}: bits per pixel "
                    + ", ".join(f"{k} {v:.4f}" for k, v in r["bits"].items())),
    Table("augmentation", ("12_open_problems",), "cGAN samples as extra training data, several seeds",
          (_SEEDS(5), Arg("--per-class", (10, 50), "real training images per class", many=True, shown=True)),
          lambda a: [(n, s) for n in a.per_class for s in range(a.seeds)], small_data.augmentation_row,
          lambda a, rows: {"per_class": list(a.per_class), "shares": list(small_data.SHARES),
                           "pool": small_data.POOL, "classifier_steps": small_data.CLASSIFIER_STEPS,
                           "classifier_batch": small_data.CLASSIFIER_BATCH, "gan_preset": "cgan_fashion",
                           "test_images": 2000},
          ("{per_class:4} per class, seed {seed}: accuracy by GAN share {accuracy}, classic {classic}, "
           "purity {purity}").format_map),
    Table("class_accuracy", ("09_conditional",), "a conditional preset's class accuracy, several seeds",
          (_SEEDS(3), Arg("--preset", "cgan_projection_fashion", "a class-conditional preset", str,
                          choices=_PRESETS, shown=True), Arg("--steps", None, "default: the preset's")),
          lambda a: [(a.preset, s, a.steps) for s in range(a.seeds)], class_accuracy_row,
          lambda a, rows: {"preset": a.preset, "steps": rows[0]["steps"], "samples": 1000},
          "{preset} seed {seed}, {steps} steps: class accuracy {accuracy:.1%}".format_map),
    Table("exercises", ("01_generative_models", "11_gan_vs_others", "12_open_problems"),
          "the answers of the long exercises, which their solutions quote",
          (Arg("--budget", 3000, "the notebooks' budget (the diffusion models get 10x)"),
           Arg("--classifier-steps", 3 * small_data.CLASSIFIER_STEPS, "batches per classifier (12)")),
          lambda a: [(name, a.budget, a.classifier_steps) for name in EXERCISES], exercise_row,
          lambda a, rows: {"budget": a.budget, "classifier_steps": a.classifier_steps},
          lambda r: ", ".join(f"{k} {v}" for k, v in r.items())),
]}  # fmt: skip


def run(name: str, *, out: Path | None = RESULTS, jobs: int = 1, echo=print, update: bool = False,
        **values) -> dict:  # fmt: skip
    """Make table `name` (a key of TABLES) with `values` for its arguments (their defaults otherwise):
    its rows, `jobs` at a time in processes of one CPU thread each (jobs=1: here, on this process's
    threads), each printed by `echo` (None: silent); stamped, stored at `out` (a file, or a folder
    for NAME.json; None: nowhere) and returned. update=True puts these rows into the stored table."""
    table = TABLES[checks.choose(TABLES, name, "table")]
    checks.keywords([arg.name for arg in table.args], values, name, error=TypeError)
    a = SimpleNamespace(**{arg.name: arg.checked(values.get(arg.name, arg.default)) for arg in table.args})
    jobs = checks.integer("jobs", jobs, meaning="runs at once")
    if update and table.merge is None:
        raise ValueError(f"{name} is made whole: run it without update")
    rows = []
    for row in _parallel(table.row, table.runs(a), jobs):
        rows.append(row)
        if echo:
            echo(table.echo(row))
    seeds = {"seeds": list(range(a.seeds))} if hasattr(a, "seeds") else {}
    made = _stamped(command(table, a), seeds | table.settings(a, rows), rows, jobs)
    path = _path(table, out)
    made = table.merge(load(name, path), made) if update else made
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(made, indent=1) + "\n")
    return made


def command(table: Table, a: SimpleNamespace) -> str:
    """The shell command that re-makes `table` with the arguments `a`."""
    words = [word for arg in table.args for word in arg.words(getattr(a, arg.name))]
    return " ".join(["python -m gan_edu.experiments", table.name, *words])


def _path(table: Table, out: Path | None) -> Path | None:
    """Where `run` stores a table: the file `out`, or NAME.json in the folder `out`; None: nowhere."""
    return None if out is None else Path(out) / f"{table.name}.json" if Path(out).is_dir() else Path(out)


def _parallel(function, runs: list, jobs: int):
    """function(*run) for every run, `jobs` at a time in processes of one CPU thread each."""
    if jobs == 1:
        yield from (function(*run) for run in runs)
        return
    with ProcessPoolExecutor(jobs, initializer=torch.set_num_threads, initargs=(1,)) as pool:
        yield from pool.map(function, *zip(*runs, strict=True))


def _stamped(command: str, settings: dict, rows: list, jobs: int) -> dict:
    """A stored table: the command that makes it, when, its settings, the versions, its rows."""
    return {
        "command": command,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "settings": settings,
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "threads": 1 if jobs > 1 else torch.get_num_threads(), "jobs": jobs,
                     "machine": platform.machine(), "cpu": platform.processor() or "unknown"},
        "rows": rows,
    }  # fmt: skip


def load(name: str, path: Path | None = None) -> dict:
    """Stored table `name` (a key of TABLES) from `path` (default: its file in results/), with a
    clear message if it is missing or damaged."""
    path = Path(path or RESULTS / f"{checks.choose(TABLES, name, 'table')}.json")
    remake = f"`python -m gan_edu.experiments {name}`"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run {remake} to make it")
    try:
        table = json.loads(path.read_text())
        table["rows"], table["command"], table["settings"]  # noqa: B018 -- must all be there
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        what = name.replace("_", " ") + ("" if name.endswith("table") else " table")
        what = ("an " if what[0] in "aeiou" else "a ") + what
        raise ValueError(f"{path} is not {what} ({error}); re-create it with {remake}") from error
    return table


# The loaders the notebooks call: load_mode_table() is load("mode_table").
load_mode_table = functools.partial(load, "mode_table")
load_model_table = functools.partial(load, "model_table")
load_binary_table = functools.partial(load, "binary_table")
load_augmentation = functools.partial(load, "augmentation")
load_class_accuracy = functools.partial(load, "class_accuracy")


def load_exercises(path: Path | None = None) -> dict:
    """The stored answers of the long exercises, {name: row}, with a clear message if missing or damaged."""
    return {row["exercise"]: row for row in load("exercises", path)["rows"]}


def parse(argv: list[str] | None = None) -> tuple[Table, dict]:
    """A command line (the words after `python -m gan_edu.experiments`) as (its table, `run`'s keywords)."""
    parser = argparse.ArgumentParser("python -m gan_edu.experiments", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    sub = parser.add_subparsers(dest="table", required=True)
    for table in TABLES.values():
        p = sub.add_parser(table.name, help=f"{table.help} (read by {', '.join(table.notebooks)})")
        for arg in table.args:
            p.add_argument(arg.flag, type=arg.type, nargs="+" if arg.many else None, help=arg.help,
                           default=list(arg.default) if arg.many else arg.default,
                           choices=arg.choices or None)  # fmt: skip
        p.add_argument("--out", type=Path, default=RESULTS, help="a file, or a folder (default: results/)")
        p.add_argument("--jobs", type=int, default=1, help="runs at once, one CPU thread each")
        if table.merge:
            p.add_argument("--update", action="store_true", help="re-make only these rows in the stored one")
    keywords = vars(parser.parse_args(argv))
    return TABLES[keywords.pop("table")], keywords


def main(argv: list[str] | None = None) -> int:
    table, keywords = parse(argv)
    made = run(table.name, **keywords)
    if table.report:
        print(table.report(made))
    print(f"stored in {_path(table, keywords['out'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
