"""Dependencies are declared where they are used: every third-party package imported is named in
pyproject.toml (not only pulled in by another package), the lock files pin all of them, and the site runs
on requirements.txt alone: no module outside tests imports a test-only package."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
PYPROJECT = tomllib.loads((BASE / "pyproject.toml").read_text())["project"]
MODULE_TO_DISTS = packages_distributions()


def _pinned(path):
    return {
        re.split(r"[=\s]", line, maxsplit=1)[0].lower()
        for line in path.read_text().splitlines()
        if re.match(r"^[A-Za-z0-9]", line)
    }


def _normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(requirements):
    """Distribution names in pyproject requirement strings such as "psycopg[binary]>=3.2"."""
    return {_normal(re.match(r"[A-Za-z0-9._-]+", requirement).group()) for requirement in requirements}


def _first_party():
    """Our own top-level modules: the apps, and the helper modules tests import from tests/."""
    names = {path.parent.name for path in BASE.glob("*/__init__.py")} | {"clinic_site"}
    return names | {path.stem for path in (BASE / "tests").rglob("*.py")}


def _imports():
    """(file, imported module name) for every absolute import in the project's own Python files."""
    for path in sorted(BASE.rglob("*.py")):
        relative = path.relative_to(BASE)
        if any(part in {".venv", "var", "node_modules"} or part.startswith(".") for part in relative.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                yield relative, name


def test_code_outside_tests_imports_no_test_only_package():
    test_only = {
        _normal(n) for n in _pinned(BASE / "requirements-test.txt") - _pinned(BASE / "requirements.txt")
    }
    offenders = []
    for path, name in _imports():
        if path.parts[0] == "tests":
            continue
        dists = {_normal(d) for d in MODULE_TO_DISTS.get(name.split(".")[0], [])}
        if dists & test_only:
            offenders.append(f"{path} imports {name}")
    assert test_only and not offenders, offenders


def test_every_imported_package_is_declared_directly_in_pyproject():
    """A package we import must be ours to pin: one that only arrives through another package (as Pillow
    did through django-markdownx) disappears the day that package stops needing it."""
    runtime = _declared(PYPROJECT["dependencies"])
    test = runtime | _declared(PYPROJECT["optional-dependencies"]["test"])
    ours = _first_party()
    missing = []
    for path, name in _imports():
        top = name.split(".")[0]
        if top in sys.stdlib_module_names or top in ours:
            continue
        dists = {_normal(d) for d in MODULE_TO_DISTS.get(top, [])}
        allowed = test if path.parts[0] == "tests" else runtime
        if not dists & allowed:
            missing.append(f"{path} imports {name} ({', '.join(sorted(dists)) or 'not installed'})")
    assert not missing, "not declared in pyproject.toml:\n" + "\n".join(missing)


def test_the_lock_files_pin_every_declared_package():
    runtime = _declared(PYPROJECT["dependencies"])
    test = _declared(PYPROJECT["optional-dependencies"]["test"])
    assert runtime - {_normal(n) for n in _pinned(BASE / "requirements.txt")} == set()
    assert (runtime | test) - {_normal(n) for n in _pinned(BASE / "requirements-test.txt")} == set()
