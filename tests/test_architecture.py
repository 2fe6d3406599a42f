"""The structure of docs/architecture.md, checked rather than remembered (issue 16): the apps
stand in layers and import one way, no module imports in a loop, no module is too big."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "portal",
    "accounts",
    "audit",
    "activity",
    "notifications",
    "channels",
    "breaches",
    "consents",
    "policies",
    "escrow",
    "dashboard",
]
# "About 600 lines": 600 for the application; test modules, long tables of cases, may run to
# 650 (tests/channels/test_services.py has 624).
MAX_LINES = 600
MAX_TEST_LINES = 650


def test_import_linter_layers_contract_is_kept():
    """`lint-imports` reads the layers from pyproject.toml: a lower app never imports a
    higher one."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_loop():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_in_a_loop():
    """Function-level imports count too: a lazy import that closes a loop is still a loop."""
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert _cycles(edges) == []


def test_no_module_outside_migrations_is_over_about_600_lines():
    too_big = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "node_modules", "var", "staticfiles"} or "migrations" in parts:
            continue
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > (MAX_TEST_LINES if parts[0] == "tests" else MAX_LINES):
            too_big.append(f"{path.relative_to(ROOT)}: {lines}")
    assert too_big == []
