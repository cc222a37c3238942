"""The house: each app imports only the apps beneath it.

    clinic_site   configuration: may import every app
    conditions    builds on content
    content       Markdown documents, publishing, the clinic profile
    inquiries     a leaf with health data: imports only core, and nobody imports it
    accounts      how staff sign in
    core          what the whole site shares: imports none of our apps

Imports are read from the source (every `import` and `from … import`, at any depth, including those
inside functions), so a hidden import inside a function counts too. Migrations and tests are left out:
migrations name other apps' migrations by string, and tests may use anything.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

ALLOWED = {
    "core": set(),
    "accounts": {"core"},
    "content": {"core", "accounts"},
    "conditions": {"core", "accounts", "content"},
    "inquiries": {"core"},
    "clinic_site": {"core", "accounts", "content", "conditions", "inquiries"},
}
OURS = set(ALLOWED)


def imported_apps(path):
    """The first-party apps a Python file imports, with the line of each import."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in OURS:
                yield node.lineno, top


def source_files(app):
    return [path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.relative_to(ROOT).parts]


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_beneath_it(app):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in source_files(app)
        for line, target in imported_apps(path)
        if target != app and target not in ALLOWED[app]
    ]
    assert wrong == []


def test_dotted_paths_in_settings_follow_the_same_arrows():
    """Settings name classes by string (middleware, context processors, callables). Those belong to
    clinic_site's arrows, but a string in one app naming another is an import in disguise."""
    wrong = []
    for app in OURS - {"clinic_site"}:
        for path in source_files(app):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    top = node.value.split(".")[0]
                    dotted = node.value.count(".") >= 2 and " " not in node.value
                    if dotted and top in OURS and top != app and top not in ALLOWED[app]:
                        wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} names {node.value}")
    assert wrong == []


def test_the_table_catches_a_wrong_arrow(tmp_path):
    """The parser sees imports at any depth, so the test above would fail on an import like this."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    from conditions.models import Condition\n    import inquiries.services\n"
    )
    assert list(imported_apps(sample)) == [(2, "conditions"), (3, "inquiries")]


def test_every_app_of_ours_is_in_the_table():
    from django.apps import apps

    ours = {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}
    assert ours <= OURS
