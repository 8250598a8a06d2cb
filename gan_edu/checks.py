"""The checks on what a student passes in, in one wording: a name from a list, a whole number, a real
number in a range, a builder's options, a thing built by its name. Each error names the argument,
says what was wrong and what to give instead."""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Iterable


def choose(valid: Iterable, value, what: str, *, note: str = "", error: type[Exception] = ValueError):
    """`value` if it is one of `valid` (names, or a dict's keys), else
    error("unknown {what} {value!r}; choose one of: a, b, c"), with " ({note})" at the end if given."""
    names = list(valid)
    try:
        known = value in set(names)
    except TypeError:  # an unhashable value (a list, an array) is no name
        known = False
    if not known:
        raise error(f"unknown {what} {value!r}; choose one of: {', '.join(map(str, names))}"
                    + (f" ({note})" if note else ""))  # fmt: skip
    return value


def integer(name: str, value, least: int = 1, meaning: str = "", *, most: int | None = None) -> int:
    """`value` as an int (NumPy integers too; not bools, not floats such as 12.0), or a ValueError
    naming `name` when it is not one from `least` (to `most`). `meaning` says what the number counts."""
    whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not whole or value < least or (most is not None and value > most):
        if most is not None:
            kind = f"an integer from {least} to {most}"
        elif least == 1:
            kind = "a positive integer"
        elif least == 0:
            kind = "zero or a positive integer"
        else:
            kind = f"an integer >= {least}"
        raise ValueError(f"{name} must be {kind}{f' ({meaning})' if meaning else ''}, got {value!r}")
    return int(value)


def number(name: str, value, low: float | None = None, high: float | None = None, *, low_open: bool = False,
           high_open: bool = False, meaning: str = "", note: str = "") -> float:  # fmt: skip
    """`value` as a float if it is a finite real number (NumPy's too; not a bool) within low..high
    (each end included unless `low_open`/`high_open`; None: no bound), or a ValueError naming `name`.
    `meaning` (what the number is) stands before the value in the message, `note` (advice) after it."""
    real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = real and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        if low == 0 and high is None:
            kind = "a positive number" if low_open else "zero or positive"
        elif high is None:
            kind = f"a number {'>' if low_open else '>='} {low:g}"
        elif low is None:
            kind = f"a number {'<' if high_open else '<='} {high:g}"
        else:
            kind = f"a number in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be {kind}{f' ({meaning})' if meaning else ''}, got {value!r}"
                         + (f" ({note})" if note else ""))  # fmt: skip
    return float(value)


def keywords(valid, given: Iterable[str], what: str, *, error: type[Exception] = ValueError) -> None:
    """Refuse the first of `given` that `valid` does not take: `valid` is a list of option names, or
    a function (its parameters; one that takes **keywords takes any). The error names `what`."""
    if callable(valid):
        parameters = inspect.signature(valid).parameters.values()
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            return
        valid = [p.name for p in parameters if p.kind is not inspect.Parameter.VAR_POSITIONAL]
    valid = list(valid)
    unknown = [k for k in given if k not in valid]
    if unknown:
        raise error(f"{what} has no option {unknown[0]!r}; its options are: {', '.join(valid)}")


def build(table: dict[str, Callable], name: str, what: str, **options):
    """table[name](**options), or a ValueError naming the valid names (or options) when one is wrong."""
    choose(table, name, what)
    keywords(table[name], options, f"{what} {name!r}")
    return table[name](**options)
