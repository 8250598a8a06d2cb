"""Build a thing by its name from a table of builders, with errors that list the valid choices."""

from __future__ import annotations

import inspect
from collections.abc import Callable


def build(table: dict[str, Callable], name: str, what: str, **options):
    """table[name](**options), or a ValueError naming the valid names (or options) when one is wrong."""
    if name not in table:
        raise ValueError(f"unknown {what} {name!r}; choose one of: {', '.join(table)}")
    known = list(inspect.signature(table[name]).parameters)
    unknown = [k for k in options if k not in known]
    if unknown and "kwargs" not in known:
        raise ValueError(f"{what} {name!r} has no option {unknown[0]!r}; its options are: {', '.join(known)}")
    return table[name](**options)
