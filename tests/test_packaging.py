"""The course's packaging: one dependency list in two places, stripped notebooks, pinned torch."""

import json
import re
from pathlib import Path

import tomllib
from packaging.specifiers import SpecifierSet

from gan_edu.notebook import course

ROOT = Path(__file__).parents[1]
CONDA_NAMES = {"pytorch-cpu": "torch"}  # conda-forge name -> PyPI name


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = project["dependencies"] + extras["test"]
    for own in [r for r in extras["test"] if r.startswith("gan_edu[")]:  # test includes these extras
        wanted += [dep for extra in own[len("gan_edu[") : -1].split(",") for dep in extras[extra]]
    pip_names = {_name(r) for r in wanted} - {"gan-edu"}
    conda = []
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"\s*-\s+([A-Za-z0-9_.\-]+)", line)
        if m and not line.strip().startswith("#"):
            conda.append(_name(m.group(1).split("=")[0]))
    conda_names = {CONDA_NAMES.get(n, n) for n in conda} - {"python", "pip", "conda-forge", "nodefaults"}
    assert conda_names == pip_names


def test_environment_yml_uses_conda_forge_and_cpu_torch_only():
    text = (ROOT / "environment.yml").read_text()
    assert "conda-forge" in text and "pytorch-cpu" in text
    assert "pytorch::" not in text and "cuda" not in text.lower().replace("keeps cuda out", "")


BROKEN = {"ipykernel": ["7.0.0", "7.0.1", "7.0.2"]}  # widget updates from threads (ipywidgets#4001)
FIXED = {"ipykernel": ["6.29.5", "7.1.0", "7.4.0"]}


def _conda_allows(spec: str, version: str) -> bool:
    """conda's version spec: ',' is 'and', '|' is 'or' (',' binds tighter)."""
    return any(SpecifierSet(part).contains(version) for part in spec.split("|"))


def test_no_dependency_list_allows_a_version_known_to_break_the_course():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = dict(
        line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line
    )
    for name, broken in BROKEN.items():
        pip_spec = SpecifierSet(next(r for r in project["dependencies"] if _name(r) == name)[len(name) :])
        conda_line = next(
            line for line in (ROOT / "environment.yml").read_text().splitlines() if f"- {name}" in line
        )
        conda_spec = conda_line.split("#")[0].strip()[len(f"- {name}") :]
        for version in broken:
            assert not pip_spec.contains(version) and not _conda_allows(conda_spec, version), (name, version)
        for version in FIXED[name] + [pins[name]]:
            assert pip_spec.contains(version) and _conda_allows(conda_spec, version), (name, version)


def test_constraints_pin_cpu_torch():
    pins = (ROOT / "constraints.txt").read_text().splitlines()
    assert "torch==2.13.0" in pins


def test_committed_notebooks_hold_no_outputs():
    notebooks = course()
    assert notebooks, "no notebooks found"
    dirty = []
    for path in notebooks:
        nb = json.loads(path.read_text())
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count")):
                dirty.append(f"{path.name} cell {i}")
    assert not dirty, f"strip outputs before committing: {dirty}"


def test_every_notebook_sets_up_with_the_banner():
    for path in course():
        sources = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]]
        assert any("banner()" in s for s in sources), f"{path.name} has no setup cell with banner()"


def test_notebook_cell_ids_are_unique():
    for path in course():
        ids = [c.get("id") for c in json.loads(path.read_text())["cells"]]
        assert len(ids) == len(set(ids)), f"{path.name} has repeated cell ids"


def test_the_chinese_readme_and_the_glossary_keep_up_with_the_course():
    """README.zh-CN.md maps every notebook; the glossary names only notebooks that exist."""
    stems = {p.stem for p in course()}
    readme = (ROOT / "README.zh-CN.md").read_text()
    assert not [s for s in sorted(stems) if f"`{s}`" not in readme], "README.zh-CN.md misses a notebook"
    numbers = {s[:2] for s in stems}
    lines = (ROOT / "docs" / "glossary.md").read_text().splitlines()
    rows = [line for line in lines if line.startswith("| ")]
    cited = {n for row in rows for n in re.findall(r"\b(\d\d)\b", row.rsplit("|", 2)[-2])}
    assert cited and cited <= numbers, f"the glossary cites notebooks that do not exist: {cited - numbers}"
    assert all(re.search(r"[\u4e00-\u9fff]", row) for row in rows), "every glossary row has its Chinese term"


def test_the_module_map_lists_every_module_once():
    """`help(gan_edu)` shows the architecture: a module missing from the map, or a name in the map
    that is no module, fails here. A package's modules stand indented under it (`baselines.base`)."""
    import gan_edu

    folder = Path(gan_edu.__file__).parent
    modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    modules |= {p.parent.name for p in folder.glob("*/__init__.py")}
    modules |= {f"{p.parent.name}.{p.stem}" for p in folder.glob("*/*.py") if p.stem != "__init__"}
    listed, package = [], None
    for indent, name in re.findall(r"^( {4}| {6})([a-z_]+) +\S", gan_edu.__doc__, flags=re.M):
        package = name if len(indent) == 4 else package
        listed.append(name if len(indent) == 4 else f"{package}.{name}")
    assert sorted(listed) == sorted(set(listed)), "a module is listed twice"
    assert set(listed) == modules, {
        "not in the map": modules - set(listed),
        "no such module": set(listed) - modules,
    }
