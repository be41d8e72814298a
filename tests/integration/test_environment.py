"""Keep pyproject.toml, environment.yml and constraints.txt in step.

* environment.yml must list the same packages as pyproject.toml (runtime
  dependencies plus the ``dev`` extra) with equivalent version ranges.
* every direct dependency must be pinned in constraints.txt, and the pin must
  satisfy the range in pyproject.toml.

environment.yml is read with the small line-based reader below rather than
PyYAML: PyYAML is only a transitive dependency (via papermill), and the file is
a deliberately simple, flat conda spec, so a strict reader that rejects any line
it does not understand is enough and adds no dependency.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
ENVIRONMENT = ROOT / "environment.yml"
CONSTRAINTS = ROOT / "constraints.txt"

# Packages that a conda environment needs but are not dependencies of the
# Python package itself.
CONDA_ONLY = {"python", "pip"}


# --------------------------------------------------------------------------
# readers


def pyproject_requirements(path: Path = PYPROJECT) -> dict[str, SpecifierSet]:
    """Runtime dependencies plus the ``dev`` extra, by canonical name."""
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    lines = list(project.get("dependencies", []))
    lines += project.get("optional-dependencies", {}).get("dev", [])
    out: dict[str, SpecifierSet] = {}
    for line in lines:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name not in out, f"pyproject.toml lists {name} twice"
        out[name] = req.specifier
    return out


def requires_python(path: Path = PYPROJECT) -> SpecifierSet:
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    return SpecifierSet(project.get("requires-python", ""))


_ITEM = re.compile(r"^(?P<indent> *)- +(?P<value>.*)$")
_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):\s*(?P<value>.*)$")
_CONDA_SPEC = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<spec>.*)$")


def _strip_comment(line: str) -> str:
    # environment.yml has no quoted strings, so any " #" starts a comment.
    if line.lstrip().startswith("#"):
        return ""
    return re.split(r"\s+#", line, maxsplit=1)[0].rstrip()


def read_environment(path: Path = ENVIRONMENT) -> dict:
    """Parse the simple conda environment file.

    Returns ``{"name": str, "channels": [str], "conda": [str], "pip": [str]}``
    with the raw dependency strings. Raises ``ValueError`` on any line outside
    this simple shape, so that nothing is skipped silently.
    """
    env: dict = {"name": None, "channels": [], "conda": [], "pip": []}
    section = None
    pip_indent = None  # indent of the "- pip:" item while inside its sublist
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = _strip_comment(raw)
        if not line.strip():
            continue
        where = f"{path.name}:{lineno}: {raw!r}"
        if "\t" in line:
            raise ValueError(f"tab in {where}")
        key = _KEY.match(line)
        if key:  # top-level key (no indent)
            section, pip_indent = key["key"], None
            if section == "name":
                env["name"] = key["value"].strip()
            elif key["value"].strip():
                raise ValueError(f"unexpected inline value in {where}")
            elif section not in ("channels", "dependencies"):
                raise ValueError(f"unexpected key in {where}")
            continue
        item = _ITEM.match(line)
        if not item:
            raise ValueError(f"cannot read {where}")
        indent, value = len(item["indent"]), item["value"].strip()
        if section == "channels":
            env["channels"].append(value)
        elif section == "dependencies":
            if pip_indent is not None and indent > pip_indent:
                env["pip"].append(value)
                continue
            pip_indent = None
            if value == "pip:":
                pip_indent = indent
            else:
                env["conda"].append(value)
        else:
            raise ValueError(f"list item outside channels/dependencies in {where}")
    return env


def parse_conda_spec(text: str) -> tuple[str, SpecifierSet]:
    """``"pandas >=3.1.0,<3.2"`` -> ("pandas", SpecifierSet(">=3.1.0,<3.2")).

    Only the ``name [op version[,op version...]]`` style used in
    environment.yml is accepted (no ``1.*`` globs, no build strings).
    """
    m = _CONDA_SPEC.match(text)
    if not m:
        raise ValueError(f"cannot read conda spec {text!r}")
    spec = m["spec"].replace(" ", "")
    return canonicalize_name(m["name"]), SpecifierSet(spec)


def environment_requirements(path: Path = ENVIRONMENT) -> dict[str, SpecifierSet]:
    env = read_environment(path)
    out: dict[str, SpecifierSet] = {}
    entries = [parse_conda_spec(s) for s in env["conda"]]
    for line in env["pip"]:
        req = Requirement(line)
        entries.append((canonicalize_name(req.name), req.specifier))
    for name, spec in entries:
        assert name not in out, f"environment.yml lists {name} twice"
        out[name] = spec
    return out


def read_constraints(path: Path = CONSTRAINTS) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", (
            f"{path.name}:{lineno}: {raw!r} is not an exact '==' pin"
        )
        pins[canonicalize_name(req.name)] = Version(specs[0].version)
    return pins


# --------------------------------------------------------------------------
# comparing specifiers


def _bump(version: str, parts: int) -> str:
    """Upper bound of a compatible-release range: ``_bump("3.1.0", 2) == "3.2"``."""
    release = Version(version).release[:parts]
    return ".".join(map(str, (*release[:-1], release[-1] + 1)))


def normalise(spec: SpecifierSet) -> frozenset[tuple[str, Version]]:
    """A SpecifierSet as comparable (operator, Version) bounds.

    ``~=X.Y.Z`` becomes ``>=X.Y.Z`` and ``<X.(Y+1)``, as conda has no ``~=``
    in the style used here; versions compare as PEP 440 versions so that
    ``3.1`` and ``3.1.0`` are equal.
    """
    out: set[tuple[str, Version]] = set()
    for s in spec:
        if s.operator == "~=":
            release = Version(s.version).release
            out.add((">=", Version(s.version)))
            out.add(("<", Version(_bump(s.version, len(release) - 1))))
        elif s.version.endswith(".*"):
            raise ValueError(f"wildcard specifier {s} is not supported; use >=,<")
        else:
            out.add((s.operator, Version(s.version)))
    return frozenset(out)


def requirement_differences(
    pyproject: dict[str, SpecifierSet], environment: dict[str, SpecifierSet]
) -> list[str]:
    diffs = []
    for name in sorted(pyproject.keys() - environment.keys()):
        diffs.append(f"{name}: in pyproject.toml ({pyproject[name] or 'any'}) but not in environment.yml")
    for name in sorted(environment.keys() - pyproject.keys()):
        diffs.append(f"{name}: in environment.yml ({environment[name] or 'any'}) but not in pyproject.toml")
    for name in sorted(pyproject.keys() & environment.keys()):
        if normalise(pyproject[name]) != normalise(environment[name]):
            diffs.append(
                f"{name}: pyproject.toml says {pyproject[name] or 'any'!s}, "
                f"environment.yml says {environment[name] or 'any'!s}"
            )
    return diffs


# --------------------------------------------------------------------------
# tests


def test_normalise_expands_compatible_release():
    assert normalise(SpecifierSet("~=3.1.0")) == normalise(SpecifierSet(">=3.1,<3.2"))
    assert normalise(SpecifierSet("~=9.0")) == normalise(SpecifierSet(">=9.0,<10"))
    assert normalise(SpecifierSet("~=3.1.0")) != normalise(SpecifierSet(">=3.1,<4"))
    assert normalise(SpecifierSet("")) == frozenset()


def test_reader_rejects_unknown_lines(tmp_path):
    bad = tmp_path / "environment.yml"
    bad.write_text("name: x\ndependencies:\n  - pandas\n  pyarrow\n", encoding="utf-8")
    try:
        read_environment(bad)
    except ValueError as e:
        assert "pyarrow" in str(e)
    else:
        raise AssertionError("a malformed line was accepted")


def test_environment_header():
    env = read_environment()
    assert env["name"] == "budgetkit"
    assert env["channels"] == ["conda-forge"]
    conda_names = {parse_conda_spec(s)[0] for s in env["conda"]}
    assert CONDA_ONLY <= conda_names, "environment.yml must list python and pip"


def test_environment_python_matches_requires_python():
    conda = dict(parse_conda_spec(s) for s in read_environment()["conda"])
    assert normalise(conda["python"]) == normalise(requires_python()), (
        f"environment.yml python {conda['python']} != requires-python {requires_python()}"
    )


def test_environment_matches_pyproject():
    env = {k: v for k, v in environment_requirements().items() if k not in CONDA_ONLY}
    diffs = requirement_differences(pyproject_requirements(), env)
    assert not diffs, "environment.yml and pyproject.toml differ:\n  " + "\n  ".join(diffs)


def test_every_direct_dependency_is_pinned():
    pins = read_constraints()
    missing = sorted(pyproject_requirements().keys() - pins.keys())
    assert not missing, (
        "not pinned in constraints.txt (regenerate it with `make constraints`): "
        + ", ".join(missing)
    )


def test_pins_satisfy_pyproject():
    pins = read_constraints()
    bad = [
        f"{name}=={pins[name]} does not satisfy pyproject.toml's {spec}"
        for name, spec in sorted(pyproject_requirements().items())
        if name in pins and not spec.contains(pins[name], prereleases=True)
    ]
    assert not bad, "constraints.txt conflicts with pyproject.toml:\n  " + "\n  ".join(bad)


def test_constraints_do_not_pin_budgetkit():
    assert "budgetkit" not in read_constraints()
