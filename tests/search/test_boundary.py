"""The backend boundary, read from the source with `ast`: the backends import nothing of the query layer.

The query layer reads the reader's request and shows results; it reaches a backend only through
app.search.backends (`current()`, `Lookup`, `Window`). Every import is followed, also those inside functions,
so a lazy import cannot hide a way back up.
"""

from __future__ import annotations

import ast
from pathlib import Path

from app import ROOT

APP = ROOT / "app"
WHOOSH = "app.search.backends.whoosh"
# What answers readers and operators: above the boundary.
QUERY_LAYER = frozenset(
    {
        "app.search.query",
        "app.search.parse",
        "app.search.snippets",
        "app.search.routes",
        "app.search.forms",
        "app.search.cli",
        "app.search.sync",
        "app.search.index",
    }
)
# The search modules a backend may use: the boundary itself and what both sides share below it.
BACKEND_MAY_IMPORT = frozenset(
    {
        "app.search.backends",
        "app.search.analyzer",
        "app.search.schema",
        "app.search.documents",
        "app.search.outbox",
        "app.search.substring",
    }
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in APP.rglob("*.py")}


def imports_of(module: str) -> set[str]:
    """The app modules `module` imports anywhere in its file (`from a import b` counts as a.b when b is one)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                kept = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*kept, base] if base else kept)
            for alias in node.names:
                name = f"{base}.{alias.name}"
                found.add(name if name in MODULES else base)
    return {name for name in found if name in MODULES}


def reachable(start: set[str]) -> dict[str, str]:
    """Every app module imported, directly or not, from `start`, with the module that first imports it."""
    reached: dict[str, str] = {}
    stack = list(start)
    while stack:
        module = stack.pop()
        for imported in imports_of(module):
            if imported not in reached and imported not in start:
                reached[imported] = module
                stack.append(imported)
    return reached


def whoosh_modules() -> set[str]:
    return {name for name in MODULES if name == WHOOSH or name.startswith(WHOOSH + ".")}


def test_the_whoosh_package_is_where_whoosh_code_lives():
    assert {f"{WHOOSH}.{part}" for part in ("index", "searching", "postings", "writing", "bulk")} <= whoosh_modules()
    for moved in ("postings", "bulk"):
        assert f"app.search.{moved}" not in MODULES


def test_the_whoosh_package_imports_only_the_boundary_and_what_lies_below_it():
    for module in whoosh_modules():
        search_imports = {name for name in imports_of(module) if name.startswith("app.search")}
        outside = {name for name in search_imports if name not in BACKEND_MAY_IMPORT and name not in whoosh_modules()}
        assert not outside, f"{module} imports {outside}"


def test_the_thai_substring_matcher_both_backends_use_is_a_leaf():
    """app.search.substring lies below the boundary for both backends: it imports no app module at all."""
    assert imports_of("app.search.substring") == set()


def test_no_backend_reaches_the_query_layer_even_indirectly():
    backends = whoosh_modules() | {"app.search.backends", "app.search.backends.postgres"}
    reached = reachable(backends)
    for module in QUERY_LAYER & reached.keys():
        chain = [module]
        while chain[-1] in reached:
            chain.append(reached[chain[-1]])
        raise AssertionError(f"a backend reaches the query layer: {' <- '.join(chain)}")


def test_the_query_layer_reaches_whoosh_only_through_the_boundary():
    for module in QUERY_LAYER:
        assert not {name for name in imports_of(module) if name.startswith(WHOOSH)}, module


def test_the_import_reader_sees_imports_inside_functions():
    """The reader itself: an import inside a function counts (the old circle ran through such imports)."""
    assert "app.search.backends.whoosh" in imports_of("app.search.backends")  # inside current()
    assert "app.search.sync" in imports_of("app.search.index")
