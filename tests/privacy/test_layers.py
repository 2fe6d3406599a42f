"""Imports run one way (docs/architecture.md): no app imports the privacy app, which sits on
top; the audit layer's personal-data module imports no app at all (the apps above register
their data subjects with it)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LOWER_APPS = [
    "accounts",
    "audit",
    "notifications",
    "channels",
    "escrow",
    "consents",
    "breaches",
    "policies",
    "dashboard",
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_lower_app_imports_privacy():
    offenders = [
        str(path.relative_to(ROOT))
        for app in LOWER_APPS
        for path in (ROOT / app).rglob("*.py")
        if any(m == "privacy" or m.startswith("privacy.") for m in imported_modules(path))
    ]
    assert not offenders


def test_audit_personal_data_imports_no_app():
    apps = set(LOWER_APPS) | {"privacy"}
    for name in ("personal.py", "chain.py", "keys.py", "models.py"):
        imported = imported_modules(ROOT / "audit" / name)
        assert not {m.split(".")[0] for m in imported} & apps, name
