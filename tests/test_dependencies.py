"""The site runs on requirements.txt alone: no module outside tests imports a test-only package."""

import ast
import re
from importlib.metadata import packages_distributions
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)


def _pinned(path):
    return {
        re.split(r"[=\s]", line, maxsplit=1)[0].lower()
        for line in path.read_text().splitlines()
        if re.match(r"^[A-Za-z0-9]", line)
    }


def _normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_code_outside_tests_imports_no_test_only_package():
    test_only = {
        _normal(n) for n in _pinned(BASE / "requirements-test.txt") - _pinned(BASE / "requirements.txt")
    }
    module_to_dists = packages_distributions()
    offenders = []
    for path in BASE.rglob("*.py"):
        if any(part in {".venv", "tests", "var", "node_modules"} for part in path.relative_to(BASE).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else (
                    [node.module]
                    if isinstance(node, ast.ImportFrom) and node.module and not node.level
                    else []
                )
            )
            for name in names:
                dists = {_normal(d) for d in module_to_dists.get(name.split(".")[0], [])}
                if dists & test_only:
                    offenders.append(f"{path.relative_to(BASE)} imports {name}")
    assert test_only and not offenders, offenders
