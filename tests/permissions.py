"""The permission table: every URL name × persona × expected status (pretix style).

Each app lists its rows in tests/<app>/permission_rows*.py as `ROWS`. A URL name that no row
mentions fails `test_every_url_is_in_the_table`, so no view can be added unprotected.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

import tests

# Third-party and framework URL names the table does not need row by row. Django admin is
# covered through admin:index (the whole site sits behind the same has_permission check).
EXEMPT_PREFIXES = ("admin:",)
EXEMPT_EXACT = {"healthz"}
ALWAYS_REQUIRED = {"admin:index"}


@dataclass(frozen=True)
class Row:
    url_name: str
    persona: str
    status: int
    method: str = "get"
    # kwargs(world) -> URL kwargs; objects are built inside the test's transaction.
    kwargs: Callable[[Any], dict] | None = None
    data: Callable[[Any], dict] | None = field(default=None)
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.url_name}|{self.persona}|{self.method}->{self.status}"


def all_rows() -> list[Row]:
    """ROWS of every tests/<app>/permission_rows*.py module."""
    rows: list[Row] = []
    for pkg in pkgutil.iter_modules(tests.__path__):
        if not pkg.ispkg:
            continue
        package = importlib.import_module(f"tests.{pkg.name}")
        for mod in pkgutil.iter_modules(package.__path__):
            if mod.name.startswith("permission_rows"):
                rows.extend(importlib.import_module(f"tests.{pkg.name}.{mod.name}").ROWS)
    return rows


def all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    return names


def required_url_names() -> set[str]:
    names = {
        n for n in all_url_names() if not n.startswith(EXEMPT_PREFIXES) and n not in EXEMPT_EXACT
    }
    return names | ALWAYS_REQUIRED
