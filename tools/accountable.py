"""Every number and every finding in a notebook's text, accounted for (issue 33).

    python tools/accountable.py [--explain] [--unchecked]

reads the markdown of every notebook not in `PENDING` and fails (exit code 1, with a report that
names the notebook, the cell id and the text) when a number or a finding in it is not accounted
for. It trains nothing: it reads the notebooks, the claims in `tests/test_claims.py` and the
registry `tests/claims_registry.json`, and evaluates the settings it names (a few imports).

**Claims: a quoted text in an assertion's comment.** In `tests/test_claims.py` a double-quoted
text in the comment of an assertion registers that text as what the assertion checks:

    assert m["modes_captured"] == 8  # "8 of 8"

The text must occur, literally, in the markdown of the test's notebook: the notebook passed to
`run_notebook_with_checks`, else the `NN` of a test named `test_NN_...`. A comment may quote
several texts, and a quote may name its notebook, its cell or both: `# 02: "0.47"`,
`# @c16: "0.47"`, `# 02@c16: "0.47"`. (Outside `test_claims.py`, in the other `tests/test_*.py`,
only quotes that name their notebook register.) A quote counts only on a statement that asserts:
an `assert` (on any of its lines), the header of a `for`/`with`/`if` whose body asserts, or a
`with pytest.raises(...)`; a quote on any other statement is an error. A text that occurs in more
than one cell of its notebook must name its cell or quote more words. So removing an assertion
removes its registration, and the numbers it quoted become unaccounted. The quote is compared
after both sides are normalised (`normalise`: markup dropped, LaTeX words as their symbols, dashes
as "-"), so `"$-4 \\times 10^9$"` and `"-4 × 10^9"` are the same text. Quote only what the
assertion checks as the text prints it: `round(x, 2) == 0.54` checks "0.54"; `0.6 < x < 0.8` does
not check "68%" (register that as `unchecked`).

**The registry** (`tests/claims_registry.json`) accounts for the rest: per notebook, items with a
`cell` id (or a list of ids), the literal `text` and a `kind`:

- `setting`: a value the code uses. `code` is a Python expression over `gan_edu`'s modules (by
  name, imported when named), `math`, `np` and the helpers `default(func, name)`,
  `notebook_value(notebook, cell, name)`, `literal_in(where, pattern)`, `module_value(path, name)`,
  `tuple_in(path, *first)` and `stored(name)`. The numbers the entry accounts for (those the lint
  counts in its text and no assertion claims) must print as its value, or as its items in order
  (`same_as_printed`); a text without numbers must name a string value. The number is read from
  the code, not typed twice.
- `derived`: follows on the page, from other stated numbers or arithmetic; `how` says how, and an
  optional `check` (a Python expression, as above) must be true.
- `cited`: what a paper reports: `source` (its short form, which `docs/references.md` must list)
  and `reports`; with `code` (and `scale`, 0.01 for a stored 98.2 and a printed "98.2%"), the
  numbers must match where the code stores them (`gan_edu/remedies.py`'s published rows).
- `unchecked`: a number or finding of our runs that no assertion checks (as printed) yet; `needs`
  says what check it needs. Reported as a WARNING count, not a failure, so the gap stays visible.
- `explanation`: a sentence of a findings cell that reports no run (a definition, reasoning,
  advice, a pointer); `why` says so. It accounts for the sentence, never for a number.

An entry whose text no longer occurs in its cell is an error, and so is an entry whose text an
assertion claims wholly (delete the entry). Each number is counted under the strongest kind that
covers it: claimed, setting, derived, cited, unchecked.

**What counts as a number.** Every numeral in the markdown of a cell: decimals, percentages,
"N of M", "N/M", "N×"/"Nx", times ("45 s", "3 minutes"), numbers with thousands separators
("3,000"), "a ± b" (each side), version numbers ("2.13.0"), and, inside inline math, a stated
value (below). These are not numbers of the text, by rule:

1. *Code.* Inside backticks or a fenced block: code the notebook runs or the reader types.
2. *Equations.* Inside `$$...$$`, and inside inline `$...$` except a stated value: the whole math
   when it is a number (`$10^{-4}$`, `$5 \\times 10^{-5}$`), or what follows its last `=`,
   `\\approx`, `<`, `>`, `\\le`, `\\ge` when that is a number or a tuple of numbers (`$c = 0.01$`,
   `$2 \\log 2 \\approx 1.39$`, `$(\\theta, \\psi) = (1, 1)$`). Exponents, coefficients and indices
   of a formula (`$\\log 4$`, `$-2\\lambda$`, `$c^2$`) are the formula's, not stated results.
3. *Cross-references.* A number after "notebook", "section", "§", "exercise", "experiment",
   "mystery", "bug", "hint", "solution", "algorithm", "figure", "table", "proposition",
   "theorem" or "appendix" (and the numbers listed after it with ",", "and", "or", "to", "–"), and
   any zero-padded two-digit number ("00", "04": the course's notebook numbers).
4. *Citation years.* A four-digit integer from 1900 to 2099 without a thousands separator. (The
   course writes every quantity of 1,000 or more with its separator, "3,000 steps".)
5. *Names.* Digits joined to a letter or an underscore ("R1", "W_1", "PacGAN2", "AVX2") or
   hyphenated to a word ("AVX-512", "Wasserstein-1", "1-Lipschitz", "2-D").
6. *Structure.* A heading's section number ("## 3 · ..."), a numbered list's item number ("1. "),
   link targets, HTML tags.

**Findings.** In the cells that open with "What we saw" (and 06's "Reading it honestly", the
findings over seeds) and in each notebook's Summary (not its "Next" line), every sentence must
overlap a claim or a registry entry: a sentence that says what a run did needs an assertion that
would fail if it were false; one that reports no run is registered as an `explanation`.

**Notebooks not yet covered** are listed in `PENDING`, each with its reason, and reported as
skipped; to bring one under the lint, delete its line and account for what the lint reports.

`--explain` lists every number the rules set aside and why; `--unchecked` lists the `unchecked`
entries. `tests/test_accountable.py` runs the lint and shows that it fails when an assertion is
removed, a number or a finding added, a setting changed or an entry left stale.
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib
import inspect
import io
import json
import math
import re
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CLAIMS = ROOT / "tests" / "test_claims.py"
REGISTRY = ROOT / "tests" / "claims_registry.json"
REFERENCES = ROOT / "docs" / "references.md"

# Notebooks the lint does not read yet, and why: their numbers are being re-measured elsewhere.
PENDING: dict[str, str] = {}

KINDS = ("setting", "derived", "cited", "unchecked", "explanation")
FINDING_OPENINGS = ("What we saw", "Reading it honestly")

# ---------------------------------------------------------------------------------------------
# Normalising text: what a quote is compared with


_LATEX_WORDS = {
    r"\times": "×",
    r"\approx": "≈",
    r"\pm": "±",
    r"\cdot": "·",
    r"\sqrt": "√",
    r"\le": "≤",
    r"\leq": "≤",
    r"\ge": "≥",
    r"\geq": "≥",
    r"\ne": "≠",
    r"\lvert": "|",
    r"\rvert": "|",
    r"\lVert": "‖",
    r"\rVert": "‖",
    r"\infty": "∞",
    r"\to": "→",
}
_UNICODE = {"−": "-", "–": "-", "—": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "’": "'"}


def normalise(raw: str) -> tuple[str, list[int]]:
    """`raw` as it reads: markup (`$`, `*`, backticks, braces, `\\text`) dropped, LaTeX words as
    their symbols, dashes as "-", whitespace collapsed; with each character's index in `raw`."""
    out: list[str] = []
    where: list[int] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+)", raw[i:])
            if m:
                word = m.group(0)
                symbol = _LATEX_WORDS.get(word)
                if symbol is None:
                    symbol = (
                        "" if m.group(1) in ("text", "mathrm", "operatorname", "big", "Big") else m.group(1)
                    )
                for ch in symbol:
                    out.append(ch)
                    where.append(i)
                i += len(word)
                continue
            if raw[i + 1 : i + 2] in (",", ";", "!", " "):  # LaTeX spaces
                out.append(" ")
                where.append(i)
                i += 2
                continue
            if raw[i + 1 : i + 2] in ("{", "}", "%", "$", "_", "*", "|"):
                out.append(raw[i + 1])
                where.append(i)
                i += 2
                continue
            i += 1
            continue
        if c in "$*`{}":
            i += 1
            continue
        c = _UNICODE.get(c, c)
        if c.isspace():
            if out and out[-1] == " ":
                i += 1
                continue
            c = " "
        out.append(c)
        where.append(i)
        i += 1
    while out and out[-1] == " ":
        out.pop()
        where.pop()
    while out and out[0] == " ":
        out.pop(0)
        where.pop(0)
    return "".join(out), where


def norm(text: str) -> str:
    return normalise(text)[0]


def find_all(haystack: str, needle: str) -> list[int]:
    found, start = [], haystack.find(needle)
    while start >= 0 and needle:
        found.append(start)
        start = haystack.find(needle, start + 1)
    return found


# ---------------------------------------------------------------------------------------------
# Numbers in markdown


@dataclass
class Number:
    start: int  # in the cell's raw source
    end: int
    text: str  # as it reads (normalised)


@dataclass
class SetAside:
    start: int
    end: int
    text: str
    reason: str
    context: str = ""


_NUMERAL = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)*"
_UNIT = (
    r"(?:\s?%|\s?×|x(?![\w])|\s?σ|\s(?:ms|s|seconds?|minutes?|min|hours?)(?![\w])"
    r"|\s(?:times)(?![\w]))?"
)
_NUMBER = re.compile(
    rf"(?P<num>(?:{_NUMERAL})(?:[eE][-−]?\d+)?½?)(?:/(?:{_NUMERAL}))?(?:\s+of\s+(?:{_NUMERAL}))?{_UNIT}"
)
_XREF = re.compile(
    r"(?:notebooks?|sections?|§|exercises?|experiments?|myster(?:y|ies)|bugs?|hints?|solutions?|"
    r"algorithm|figures?|fig\.|tables?|proposition|theorem|appendix|chapters?)\s*$",
    re.I,
)
_LIST_JOIN = re.compile(r"^(?:\s*,\s*|\s+and\s+|\s+or\s+|\s+to\s+|\s*[–-]\s*|\s*→\s*)$")
_LATEX_NUMBER = (
    r"[-−+]?\s*(?:\\pm\s*)?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*\\times\s*10\^\{?-?\d+\}?|\s*/\s*\d+|\s*\\%)?"
    r"|[-−+]?\s*10\^\{?[-−]?\d+\}?"
)
_LATEX_VALUE = re.compile(
    rf"\s*(?:{_LATEX_NUMBER}|\(\s*(?:{_LATEX_NUMBER})(?:\s*,\s*(?:{_LATEX_NUMBER}))+\s*\))\s*"
)
_RELATION = re.compile(r"=|\\approx|<|>|\\le(?:q)?(?![A-Za-z])|\\ge(?:q)?(?![A-Za-z])")


def _segments(raw: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of what is not prose: fenced code, code spans, display and inline math,
    HTML tags, link targets."""
    spans = []
    pattern = re.compile(
        r"(?P<fence>```.*?```)|(?P<code>`[^`]+`)|(?P<display>\$\$.*?\$\$)|(?P<inline>(?<!\\)\$(?:\\\$|[^$])+?\$)"
        r"|(?P<html></?[A-Za-z][^>]*>)|(?P<link>\]\([^)]*\))",
        re.S,
    )
    for m in pattern.finditer(raw):
        spans.append((m.lastgroup, m.start(), m.end()))
    return spans


def numbers(raw: str) -> tuple[list[Number], list[SetAside]]:
    """The numbers of a markdown cell that its rules count, and those they set aside (and why)."""
    counted: list[Number] = []
    aside: list[SetAside] = []
    masked = list(raw)
    for kind, start, end in _segments(raw):
        body = raw[start:end]
        if kind == "inline":
            inner = body[1:-1]
            value = _math_value(inner)
            if value is not None:
                a, b = start + 1 + value[0], start + 1 + value[1]
                counted.append(Number(a, b, norm(raw[a:b])))
                rest = (inner[: value[0]] + inner[value[1] :]).strip()
                if re.search(r"\d", rest):
                    aside.append(SetAside(start, end, norm(body), "equation"))
            elif re.search(r"\d", inner):
                aside.append(SetAside(start, end, norm(body), "equation"))
        elif re.search(r"\d", body):
            reason = {
                "fence": "code",
                "code": "code",
                "display": "equation",
                "html": "markup",
                "link": "link",
            }[kind]
            aside.append(SetAside(start, end, body[:60], reason))
        for k in range(start, end):
            masked[k] = " " if masked[k] != "\n" else "\n"
    text = "".join(masked)
    previous_xref_end = -10
    for m in _NUMBER.finditer(text):
        a, b = m.start(), m.end()
        token = raw[a:b]
        before, after = text[max(0, a - 40) : a], text[b : b + 3]  # enough context for every rule
        line_start = text.rfind("\n", 0, a) + 1
        line_head = text[line_start:a]
        reason = None
        if re.search(r"[\w.]\Z", before):
            reason = "name"  # R1, W_1, AVX2, 2.13 inside 2.13.0 is matched whole
        elif re.search(r"[A-Za-z]-\Z", before) or re.match(r"-[A-Za-z]", after):
            reason = "name"  # AVX-512, 1-Lipschitz, 2-D
        elif re.match(r"[A-Za-z_α-ω]", after):
            reason = "name"  # 10_evaluation, 1b
        elif re.fullmatch(r"\s*#+\s*", line_head) and re.match(r"\s*·", after):
            reason = "structure"  # "## 3 · ..."
        elif re.fullmatch(r"\s*", line_head) and re.match(r"\.\s", after) and re.fullmatch(r"\d+", token):
            reason = "structure"  # "1. " a list item
        elif _XREF.search(before):
            reason = "cross-reference"
        elif previous_xref_end >= 0 and _LIST_JOIN.match(text[previous_xref_end:a] or "x"):
            reason = "cross-reference"
        elif re.fullmatch(r"0\d", token):
            reason = "cross-reference"  # a notebook's number
        elif re.fullmatch(r"(19|20)\d\d", token):
            reason = "year"
        if reason == "cross-reference":
            previous_xref_end = b
        if reason:
            aside.append(SetAside(a, b, norm(token), reason, raw[max(0, a - 30) : b + 15]))
        else:
            counted.append(Number(a, b, norm(token)))
    counted.sort(key=lambda n: n.start)
    return counted, aside


def _math_value(inner: str) -> tuple[int, int] | None:
    """Where the stated value of inline math `inner` is (start, end within `inner`), or None."""
    if _LATEX_VALUE.fullmatch(inner):
        return _strip_span(inner, 0, len(inner))
    relations = list(_RELATION.finditer(inner))
    if relations:
        tail = relations[-1].end()
        if _LATEX_VALUE.fullmatch(inner[tail:]):
            return _strip_span(inner, tail, len(inner))
    return None


def _strip_span(s: str, a: int, b: int) -> tuple[int, int]:
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    return a, b


def parse_numbers(text: str) -> list[float | str]:
    """The values a text states, in order, as a setting is compared with them: "3,000" 3000.0,
    "10^-4" 1e-4, "5 × 10^-5" 5e-5, "65%" 0.65, "2.13.0" "2.13.0"."""
    t = norm(text)
    values: list[float | str] = []
    pattern = re.compile(
        r"(?P<ver>\d+\.\d+\.\d+)|(?P<frac>(?<![\w.])(?P<fa>\d+)/(?P<fb>\d+)(?![\w.]))|(?P<sci>(?P<m>\d+(?:\.\d+)?)\s*×\s*10\^(?P<e>-?\d+))|(?P<pow>10\^(?P<pe>-?\d+))"
        r"|(?P<num>(?P<sign>(?<![\w.])-)?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:e-?\d+)?|(?P<sign2>(?<![\w.])-)?\d+(?:\.\d+)?(?:e-?\d+)?)"
        r"(?P<pct>\s?%)?"
    )
    for m in pattern.finditer(t):
        if m.group("ver"):
            values.append(m.group("ver"))
        elif m.group("frac"):
            values.append(int(m.group("fa")) / int(m.group("fb")))
        elif m.group("sci"):
            values.append(float(m.group("m")) * 10.0 ** int(m.group("e")))
        elif m.group("pow"):
            values.append(10.0 ** int(m.group("pe")))
        else:
            v = float(m.group("num").replace(",", ""))
            values.append(v / 100 if m.group("pct") else v)
    return values


def _decimals(text: str) -> int:
    m = re.search(r"\.(\d+)", text)
    return len(m.group(1)) if m else 0


def same_as_printed(value, stated: float | str, token: str) -> bool:
    """Whether `value` (from the code) prints as the text's number `stated`, read from `token`: to
    the token's decimals (a percentage's two more), or for "5 × 10^-5", "2e-4" and "10^-4" to the
    decimals of the mantissa."""
    if isinstance(stated, str) or isinstance(value, str):
        return str(value) == str(stated)
    value = float(value)
    if re.search(r"\^|\de", token) and stated:
        exponent = 10.0 ** math.floor(math.log10(abs(stated)))
        digits = _decimals(re.split(r"×|e", token)[0]) if re.search(r"×|\de", token) else 0
        return round(value / exponent, digits) == round(stated / exponent, digits)
    digits = _decimals(token) + (2 if "%" in token else 0)
    return round(value, digits) == round(stated, digits)


# ---------------------------------------------------------------------------------------------
# Findings: the sentences of "What we saw" and Summary cells


@dataclass
class Sentence:
    start: int
    end: int
    text: str


_ABBREV = re.compile(r"(?:et al|e\.g|i\.e|vs|cf|approx|Fig|fig)\.$")


def finding_sentences(raw: str) -> list[Sentence]:
    """The sentences of a findings cell ("What we saw", a Summary): each one must be accounted for."""
    text, _ = normalise(raw)
    lines = raw.split("\n")
    heading = lines[0].strip() if lines else ""
    if re.fullmatch(r"#+\s*Summary\s*", heading):
        region_start = len(lines[0]) + 1
        nxt = raw.find("**Next:**")
        region_end = nxt if nxt >= 0 else len(raw)
    elif any(text.startswith(opening) for opening in FINDING_OPENINGS):
        region_start, region_end = 0, len(raw)
    else:
        return []
    out: list[Sentence] = []
    # split on bullets and on sentence ends; positions are in raw
    pieces = re.split(r"(\n\s*-\s+|\n\s*\n)", raw[region_start:region_end])
    offset = region_start
    for piece in pieces:
        if re.fullmatch(r"\n\s*-\s+|\n\s*\n", piece):
            offset += len(piece)
            continue
        start = 0
        for m in re.finditer(r"(?<=[.!?])(\*\*|\))?\s+(?=[A-Z(*\"“$0-9])", piece):
            if _ABBREV.search(piece[: m.start()]):
                continue
            out.append(Sentence(offset + start, offset + m.start(), ""))
            start = m.end()
        out.append(Sentence(offset + start, offset + len(piece), ""))
        offset += len(piece)
    result = []
    for s in out:
        t = norm(raw[s.start : s.end]).strip()
        if not t or re.fullmatch(r"(?:What we saw|Reading it honestly)[^.]*[.:]?", t) or len(t) < 3:
            continue
        if re.fullmatch(r"-?\s*", t):
            continue
        result.append(Sentence(s.start, s.end, t))
    return result


# ---------------------------------------------------------------------------------------------
# Claims: quoted texts in assertion comments


@dataclass
class Claim:
    notebook: str | None  # the notebook's stem, "00_start_here"
    cell: str | None
    text: str
    where: str  # file:line
    test: str


@dataclass
class Problem:
    notebook: str
    cell: str
    text: str
    message: str

    def line(self) -> str:
        cell = f" cell {self.cell}" if self.cell else ""
        return f"{self.notebook}{cell}: {self.text!r}: {self.message}"


_QUOTE = re.compile(r'(?:(?P<nb>\d\d)?(?:@(?P<cell>[\w-]+))?:\s*)?"(?P<text>[^"]+)"')


def notebook_stems(folder: Path = NOTEBOOKS) -> dict[str, str]:
    """{"00": "00_start_here", ...}"""
    return {p.stem[:2]: p.stem for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))}


def _asserts(node: ast.AST) -> bool:
    """Whether a statement asserts: an `assert`, a `with pytest.raises(...)`, or a compound
    statement with an `assert` in its body."""
    if isinstance(node, ast.With) and any(
        isinstance(item.context_expr, ast.Call) and ast.unparse(item.context_expr.func).endswith("raises")
        for item in node.items
    ):
        return True
    return any(isinstance(n, ast.Assert) for n in ast.walk(node))


def _comments(source: str) -> list[tuple[int, str]]:
    """(line, text) of every comment in Python `source` that follows code on its line."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    layout = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    code_lines = {line for t in tokens if t.type not in layout for line in range(t.start[0], t.end[0] + 1)}
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT and t.start[0] in code_lines]


def _claims_in_code(
    source: str,
    first_line: int,
    owner,
    only_prefixed: bool,
    stems: dict[str, str],
    problems: list[Problem],
    path: str,
) -> list[Claim]:
    """The claims that the comments of Python `source` register. `source`'s line 1 is line
    `first_line` of `path`; `owner(line)` gives (test, notebook) for a line of `path`."""
    tree = ast.parse(source)
    statements = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]
    claims = []
    for line, comment in _comments(source):
        quotes = list(_QUOTE.finditer(comment.lstrip("#")))
        if not quotes:
            continue
        at = first_line + line - 1
        test, notebook = owner(at)
        where = f"{path}:{at}"
        enclosing = [n for n in statements if n.lineno <= line <= (n.end_lineno or n.lineno)]
        statement = max(enclosing, key=lambda n: n.lineno, default=None)
        body = getattr(statement, "body", None)
        asserts = isinstance(statement, ast.Assert) or bool(
            isinstance(body, list) and body and line < body[0].lineno and _asserts(statement)
        )  # a compound statement's comment counts on its header, if its body asserts
        for match in quotes:
            target = stems.get(match.group("nb") or "") or (None if only_prefixed else notebook)
            if only_prefixed and target is None:
                continue
            claim = Claim(target, match.group("cell"), match.group("text"), where, test or "?")
            if asserts:
                claims.append(claim)
            elif target not in PENDING:
                problems.append(
                    Problem(
                        target or "?",
                        claim.cell or "",
                        claim.text,
                        f"quoted at {where} ({test}) on a statement that asserts nothing",
                    )
                )
    return claims


def claims_from(
    path: Path, stems: dict[str, str], problems: list[Problem], only_prefixed: bool = False
) -> list[Claim]:
    """The claims registered in one test file: its comments, and those of the checks it passes to
    `run_notebook_with_checks` (see the module's docstring)."""
    source = path.read_text()
    if only_prefixed and not re.search(r'#.*\b\d\d(?:@[\w-]+)?:\s*"', source):
        return []  # no comment names a notebook: nothing to parse
    tree = ast.parse(source)
    tests = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    tests += [
        m for c in tree.body if isinstance(c, ast.ClassDef) for m in c.body if isinstance(m, ast.FunctionDef)
    ]
    notebook_of, checks = {}, []
    for test in tests:
        named = re.match(r"test_(\d\d)_", test.name)
        notebook_of[test.name] = stems.get(named.group(1)) if named else None
        for call in ast.walk(test):
            if (
                isinstance(call, ast.Call)
                and ast.unparse(call.func) == "run_notebook_with_checks"
                and len(call.args) >= 2
                and isinstance(call.args[0], ast.Constant)
            ):
                notebook_of[test.name] = Path(call.args[0].value).stem
                checks.append(call.args[1])

    def owner(line: int) -> tuple[str | None, str | None]:
        test = next((t for t in tests if t.lineno <= line <= (t.end_lineno or t.lineno)), None)
        return (test.name, notebook_of[test.name]) if test else (None, None)

    claims = _claims_in_code(source, 1, owner, only_prefixed, stems, problems, path.name)
    lines = source.splitlines(keepends=True)
    for literal in checks:  # the check cell: its own lines, as written in the file (escapes unprocessed)
        first, last = lines[literal.lineno - 1 : literal.end_lineno], literal.end_col_offset
        segment = "".join(first)[literal.col_offset : len("".join(first)) - len(first[-1]) + last]
        quote = re.match(r'^[rRuUbBfF]*("""|\'\'\'|"|\')', segment)
        inner = segment[len(quote.group(0)) : -len(quote.group(1))] if quote else ""
        claims += _claims_in_code(inner, literal.lineno, owner, only_prefixed, stems, problems, path.name)
    return claims


# ---------------------------------------------------------------------------------------------
# The registry


@dataclass
class Entry:
    notebook: str
    cell: str
    text: str
    kind: str
    fields: dict = field(default_factory=dict)


_REQUIRED = {
    "setting": "code",
    "derived": "how",
    "cited": "reports",
    "unchecked": "needs",
    "explanation": "why",
}


def load_registry(path: Path, stems: dict[str, str], problems: list[Problem]) -> list[Entry]:
    """The registry's entries, one per (item, cell): an item's "cell" may list several cells."""
    entries = []
    for key, items in json.loads(path.read_text()).get("notebooks", {}).items():
        stem = stems.get(key[:2], key)
        for item in items:
            kind, text, cells = item.get("kind", ""), item.get("text", ""), item.get("cell", "")
            fields = {k: v for k, v in item.items() if k not in ("cell", "text", "kind")}
            missing = [
                f
                for f in (_REQUIRED.get(kind), "source" if kind == "cited" else None)
                if f and not fields.get(f)
            ]
            for cell in cells if isinstance(cells, list) else [cells]:
                if kind not in KINDS:
                    problems.append(
                        Problem(stem, cell, text, f"registry: unknown kind {kind!r}; one of {KINDS}")
                    )
                elif missing or not cell or not text:
                    needs = ", ".join(
                        repr(f) for f in missing + ["cell"] * (not cell) + ["text"] * (not text)
                    )
                    problems.append(Problem(stem, cell, text, f"registry: a {kind} entry needs {needs}"))
                else:
                    entries.append(Entry(stem, cell, text, kind, fields))
    return entries


class _Modules(dict):
    """Names in a setting's expression: gan_edu's modules, imported when first named."""

    def __missing__(self, name):
        try:
            module = importlib.import_module(f"gan_edu.{name}" if name not in ("torch", "scipy") else name)
        except ImportError:
            raise KeyError(name) from None  # then Python looks in the globals and the builtins
        self[name] = module
        return module


def default(func, name: str):
    """The default value of `func`'s parameter `name`: a setting that lives in a signature."""
    return inspect.signature(func).parameters[name].default


_NOTEBOOK_DIR = [NOTEBOOKS]  # where notebook_value reads (lint() sets it)


@functools.cache
def _code_cells(notebook: str) -> dict[str, str]:
    """{cell id: source} of a notebook's code cells (the cache is cleared by each lint)."""
    path = next(_NOTEBOOK_DIR[0].glob(f"{notebook}*.ipynb"))
    cells = json.loads(path.read_text())["cells"]
    return {c.get("id", ""): "".join(c["source"]) for c in cells if c["cell_type"] == "code"}


def notebook_value(notebook: str, cell: str, name: str):
    """The value a notebook's code cell gives `name`: `name = <literal>`, `name = budget(full=<literal>,
    ...)` (its full budget), `for name in <literal>` or a keyword argument `name=<literal>`."""
    if cell not in _code_cells(notebook):
        raise LookupError(f"{notebook} has no code cell {cell!r}")
    source = "\n".join(line for line in _code_cells(notebook)[cell].splitlines() if not line.startswith("%"))
    for node in ast.walk(ast.parse(source)):
        value = None
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            value = node.value
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Name) and node.target.id == name:
            value = node.iter
        elif isinstance(node, ast.keyword) and node.arg == name:
            value = node.value
        if value is None:
            continue
        if isinstance(value, ast.Call) and ast.unparse(value.func).endswith("budget"):
            full = [k.value for k in value.keywords if k.arg == "full"] or value.args[:1]
            value = full[0]
        return ast.literal_eval(value)
    raise LookupError(f"{notebook} cell {cell}: no literal value for {name!r}")


def _source(where) -> tuple[str, str]:
    """(source, name) of a function, a repository file ("gan_edu/metrics.py") or a notebook's code
    cell ("02_minimax@c10")."""
    if isinstance(where, str) and "@" in where:
        notebook, cell = where.split("@")
        return _code_cells(notebook).get(cell, ""), where
    if isinstance(where, str):
        return (ROOT / where).read_text(), where
    return inspect.getsource(where), where.__qualname__


def literal_in(where, pattern: str):
    """The literal that `pattern`'s first group finds in the source of `where` (see `_source`): a
    setting written inline. Reading a module's file instead of importing it keeps the lint fast."""
    source, name = _source(where)
    found = re.search(pattern, source)
    if not found:
        raise LookupError(f"{pattern!r} is not in the source of {name}")
    return ast.literal_eval(found.group(1))


@functools.cache
def _parsed(path: str) -> ast.Module:
    return ast.parse((ROOT / path).read_text())


def module_value(path: str, name: str):
    """The literal value of the top-level assignment `name = ...` in a repository file."""
    for node in _parsed(path).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{path} assigns no literal {name}")


def tuple_in(path: str, *first):
    """The first tuple literal in a repository file that starts with `first`: a stored row, such as
    a paper's published numbers in gan_edu/remedies.py."""
    for node in ast.walk(_parsed(path)):
        if isinstance(node, ast.Tuple) and len(node.elts) > len(first):
            try:
                row = ast.literal_eval(node)
            except ValueError:
                continue
            if row[: len(first)] == first:
                return row
    raise LookupError(f"{path} has no tuple starting with {first!r}")


def stored(name: str) -> dict:
    """results/NAME.json, a stored table."""
    return json.loads((ROOT / "results" / f"{name}.json").read_text())


@functools.cache
def evaluate(expression: str):
    """Evaluate a registry expression: gan_edu's modules by name (imported when named), math,
    np and the helpers above. Cached for one lint (each lint clears the cache)."""
    import builtins

    import numpy as np

    helpers = (default, notebook_value, literal_in, module_value, tuple_in, stored)
    namespace = _Modules({f.__name__: f for f in helpers}, math=math, np=np)
    return eval(expression, {"__builtins__": builtins}, namespace)  # noqa: S307 (the registry is ours)


def check_setting(entry: Entry, tokens: list[str]) -> str | None:
    """None if the numbers the entry accounts for (`tokens`: those the lint counts in its text and no
    assertion claims, in order) print as the value of its `code` (or as its items, in order); else
    why not. A text without numbers must name a string value ("Adam"). An optional `scale` (one
    number, or one per value) multiplies the values first: a stored 98.2 for the text's "98.2%"."""
    code = entry.fields["code"]
    try:
        value = evaluate(code)
    except Exception as error:  # noqa: BLE001 (any failure is reported, with its type)
        return f"setting: `{code}` fails: {type(error).__name__}: {error}"
    if isinstance(value, str) and not tokens:
        return (
            None
            if value.lower() in norm(entry.text).lower()
            else f"setting: `{code}` is {value!r}, not in the text"
        )
    pairs = [(v, t) for t in tokens for v in parse_numbers(t)]  # "(1, 1)" states two numbers
    values = list(value) if isinstance(value, (tuple, list)) else [value]
    scale = entry.fields.get("scale", 1)
    scales = scale if isinstance(scale, list) else [scale] * len(values)
    values = [v if isinstance(v, str) else v * k for v, k in zip(values, scales, strict=False)]
    if len(values) != len(pairs):
        stated = [t for _, t in pairs]
        return f"setting: the text states {len(pairs)} number(s) {stated}, `{code}` gives {value!r}"
    for v, (stated, token) in zip(values, pairs, strict=True):
        if not same_as_printed(v, stated, token):
            return f"setting: the text says {token}, `{code}` is {v!r}"
    return None


# ---------------------------------------------------------------------------------------------
# The lint


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # notebook -> {kind: n}
    aside: dict = field(default_factory=dict)  # notebook -> [(cell, SetAside)]
    skipped: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def markdown_cells(path: Path) -> list[tuple[str, str]]:
    nb = json.loads(path.read_text())
    return [
        (c.get("id", f"#{i}"), "".join(c["source"]))
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "markdown"
    ]


@dataclass
class _Cell:
    id: str
    raw: str
    text: str  # normalised
    where: list[int]  # text[k] is raw[where[k]]
    numbers: list[Number]
    aside: list[SetAside]
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, kind) in raw


def _cells(path: Path) -> list[_Cell]:
    out = []
    for cid, raw in markdown_cells(path):
        text, where = normalise(raw)
        counted, aside = numbers(raw)
        out.append(_Cell(cid, raw, text, where, counted, aside))
    return out


def _place(
    cells: list[_Cell], text: str, cell: str | None
) -> tuple[list[tuple[_Cell, int, int]], str | None]:
    """Where `text` occurs (in `cell`, if given): [(cell, start, end)] in raw coordinates, or why not.
    A text found in two cells is ambiguous: the caller must quote more or name the cell."""
    needle, places = norm(text), []
    for c in cells:
        if cell and c.id != cell:
            continue
        for k in find_all(c.text, needle):
            a, b = c.where[k], c.where[k + len(needle) - 1] + 1
            while a > 0 and c.raw[a - 1] in "{$*`":  # markup next to the text belongs to it
                a -= 1
            while b < len(c.raw) and c.raw[b] in "}$*`":
                b += 1
            places.append((c, a, b))
    if not places:
        return [], "not in the markdown" + (f" of cell {cell}" if cell else "")
    if len({c.id for c, _, _ in places}) > 1:
        return (
            [],
            f"occurs in cells {sorted({c.id for c, _, _ in places})}; quote more or name the cell (@id:)",
        )
    return places, None


def _check_entry(entry: Entry, places, claimed: dict[str, list], references: str) -> str | None:
    """None if the entry's own check passes (a setting's value, a derivation's check, a citation's
    source and stored value); else the problem."""
    cell, a, b = places[0]
    tokens = [
        n.text
        for n in cell.numbers
        if a <= n.start and n.end <= b and not any(x <= n.start and n.end <= y for x, y in claimed[cell.id])
    ]
    if entry.kind == "setting":
        return check_setting(entry, tokens)
    if entry.kind == "derived" and entry.fields.get("check"):
        try:
            good = bool(evaluate(entry.fields["check"]))
        except Exception as error:  # noqa: BLE001 (any failure is reported, with its type)
            return f"derived: `{entry.fields['check']}` fails: {type(error).__name__}: {error}"
        return None if good else f"derived: `{entry.fields['check']}` is false"
    if entry.kind == "cited":
        author = entry.fields["source"].split(",")[0].split(";")[0].strip()
        if author not in references:
            return f"cited: {author!r} is not in docs/references.md"
        if entry.fields.get("code"):  # where the code stores the paper's number (gan_edu/remedies.py)
            error = check_setting(entry, tokens)
            return error.replace("setting:", "cited:", 1) if error else None
    return None


def lint(
    notebooks: Path = NOTEBOOKS,
    claims_file: Path = CLAIMS,
    registry: Path = REGISTRY,
    other_tests: list[Path] | None = None,
    references: Path = REFERENCES,
) -> Report:
    """Account for every number and finding of the notebooks in `notebooks` not in PENDING."""
    report = Report()
    problems = report.problems
    _NOTEBOOK_DIR[0] = notebooks
    _code_cells.cache_clear()
    evaluate.cache_clear()
    stems = notebook_stems(notebooks)
    if other_tests is None:
        other_tests = [
            p
            for p in sorted((ROOT / "tests").glob("test_*.py"))
            if p.name not in (CLAIMS.name, "test_accountable.py")
        ]
    claims = claims_from(claims_file, stems, problems)
    for path in other_tests:
        claims += claims_from(path, stems, problems, only_prefixed=True)
    entries = load_registry(registry, stems, problems)
    cited = references.read_text() if references.exists() else ""
    report.skipped = {stem: PENDING[stem] for stem in stems.values() if stem in PENDING}
    cells = {stem: _cells(notebooks / f"{stem}.ipynb") for stem in stems.values()}

    for claim in claims:  # a quote in a test that names no notebook: the one notebook it occurs in
        if claim.notebook is None:
            needle = norm(claim.text)
            homes = [stem for stem, cs in cells.items() if any(needle in c.text for c in cs)]
            if len(homes) == 1:
                claim.notebook = homes[0]
            elif not any(h in PENDING for h in homes):
                problems.append(
                    Problem(
                        "?",
                        "",
                        claim.text,
                        f"{claim.where} ({claim.test}): occurs in "
                        f'{len(homes)} notebooks; name one (# NN: "...")',
                    )
                )

    for stem in (s for s in stems.values() if s not in PENDING):
        claimed: dict[str, list[tuple[int, int]]] = {c.id: [] for c in cells[stem]}
        for claim in (c for c in claims if c.notebook == stem):
            places, error = _place(cells[stem], claim.text, claim.cell)
            if error:
                problems.append(
                    Problem(
                        stem,
                        claim.cell or "",
                        claim.text,
                        f"claimed at {claim.where} ({claim.test}): {error}",
                    )
                )
            for cell, a, b in places:
                cell.spans.append((a, b, "claimed"))
                claimed[cell.id].append((a, b))
        for entry in (e for e in entries if e.notebook == stem):
            places, error = _place(cells[stem], entry.text, entry.cell)
            if error:
                problems.append(Problem(stem, entry.cell, entry.text, f"registry ({entry.kind}): {error}"))
                continue
            if entry.kind != "explanation" and all(
                any(x <= a and b <= y for x, y in claimed[cell.id]) for cell, a, b in places
            ):
                problems.append(
                    Problem(
                        stem,
                        entry.cell,
                        entry.text,
                        f"registry ({entry.kind}): an assertion claims this text; delete the entry",
                    )
                )
            error = _check_entry(entry, places, claimed, cited)
            if error:
                problems.append(Problem(stem, entry.cell, entry.text, error))
            if entry.kind == "unchecked":
                report.warnings.append(
                    Problem(stem, entry.cell, entry.text, f"unchecked: needs {entry.fields['needs']}")
                )
            for cell, a, b in places:
                cell.spans.append((a, b, entry.kind))

        counts = dict.fromkeys(("claimed", "setting", "derived", "cited", "unchecked"), 0)
        report.aside[stem] = []
        for cell in cells[stem]:
            report.aside[stem] += [(cell.id, s) for s in cell.aside]
            for n in cell.numbers:
                kinds = [k for a, b, k in cell.spans if a <= n.start and n.end <= b and k in counts]
                if kinds:
                    counts[min(kinds, key=list(counts).index)] += 1
                else:
                    problems.append(
                        Problem(stem, cell.id, n.text, "number not accounted for (claim it, or register it)")
                    )
            for s in finding_sentences(cell.raw):
                if not any(a < s.end and s.start < b for a, b, _ in cell.spans):
                    text = s.text[:100] + ("..." if len(s.text) > 100 else "")
                    problems.append(
                        Problem(
                            stem,
                            cell.id,
                            text,
                            "finding not accounted for (quote it in its assertion, or register it)",
                        )
                    )
        report.counts[stem] = counts
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS)
    parser.add_argument("--claims", type=Path, default=CLAIMS)
    parser.add_argument("--registry", type=Path, default=REGISTRY)
    parser.add_argument(
        "--explain", action="store_true", help="list the numbers the rules set aside, and why"
    )
    parser.add_argument("--unchecked", action="store_true", help="list the registry's unchecked entries")
    args = parser.parse_args(argv)
    report = lint(args.notebooks, args.claims, args.registry)
    if args.explain:
        for stem, items in report.aside.items():
            for cid, s in items:
                print(f"set aside  {stem} cell {cid}: {s.text!r} ({s.reason}) in {norm(s.context)!r}")
    if args.unchecked:
        for w in report.warnings:
            print(f"unchecked  {w.line()}")
    for stem, counts in report.counts.items():
        print(f"{stem}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    for stem, why in report.skipped.items():
        print(f"{stem}: skipped ({why})")
    if report.warnings:
        print(
            f"WARNING: {len(report.warnings)} stated number(s) or finding(s) have no check yet "
            "(kind 'unchecked' in the registry; --unchecked lists them)"
        )
    if report.problems:
        print(f"\n{len(report.problems)} problem(s):")
        for p in report.problems:
            print(f"  {p.line()}")
        return 1
    print("every number and finding is accounted for")
    return 0


if __name__ == "__main__":
    sys.exit(main())
