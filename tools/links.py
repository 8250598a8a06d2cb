"""Binder links, built from one setting: the `Repository` URL in pyproject.toml's [project.urls].

A fork changes that one line and runs `python tools/links.py --write`: the Binder badge and the
per-notebook launch links in README.md and README.zh-CN.md are rewritten between their markers, and
`make book` puts the same launch button on every page. tests/test_book.py fails while a README
disagrees with the setting.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READMES = [ROOT / "README.md", ROOT / "README.zh-CN.md"]
START, END = "<!-- binder-links:start", "<!-- binder-links:end -->"
BINDER = "https://mybinder.org/v2/gh"


def repository() -> tuple[str, str]:
    """(owner, name) of the GitHub repository, from pyproject.toml's [project.urls] Repository."""
    # a regular expression rather than tomllib, which Python 3.10 lacks
    found = re.search(r'^Repository\s*=\s*"([^"]*)"', (ROOT / "pyproject.toml").read_text(), re.M)
    url = found.group(1) if found else "(missing)"
    match = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)/?", url)
    if not match:
        raise ValueError(f"pyproject.toml: Repository = {url!r} is not https://github.com/<owner>/<name>")
    return match.group(1), match.group(2)


def notebooks() -> list[str]:
    """The file names of the course's notebooks (`gan_edu.notebook.course`)."""
    from gan_edu.notebook import course

    return [p.name for p in course()]


def binder_url(notebook: str = "00_start_here.ipynb", branch: str = "HEAD") -> str:
    owner, name = repository()
    return f"{BINDER}/{owner}/{name}/{branch}?labpath=notebooks/{notebook}"


def block() -> str:
    """The README's generated lines: the badge, then one launch link per notebook."""
    owner, name = repository()
    links = " · ".join(f"[{nb[:2]}]({binder_url(nb)})" for nb in notebooks())
    return (f"{START} (written by `python tools/links.py --write` from pyproject.toml's Repository; "
            f"do not edit) -->\n"
            f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url()}) "
            f"github.com/{owner}/{name} · one notebook: {links}\n{END}")  # fmt: skip


def rewrite(text: str, path: Path) -> str:
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"{path.name}: expected one block between '{START} ...' and '{END}'")
    return pattern.sub(lambda _: block(), text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the READMEs' link blocks")
    args = parser.parse_args()
    stale = []
    for path in READMES:
        text = path.read_text()
        new = rewrite(text, path)
        if new != text:
            stale.append(path.name)
            if args.write:
                path.write_text(new)
    if stale and not args.write:
        print(f"out of date: {', '.join(stale)} (run python tools/links.py --write)")
        return 1
    print("rewritten: " + ", ".join(stale) if stale else "the READMEs' Binder links match pyproject.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
