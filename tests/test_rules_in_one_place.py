"""Rules stay in their one place, checked by reading the source.

- Views do not catch domain errors themselves: `app.forms_util.refusals` (or the app's error handler) does.
- Services and other non-view modules never answer HTTP (`abort`, `*_or_404`): they return None or raise a
  domain error, and the view decides the status.
- Templates never work out who the reader is to decide what to show (`current_user.id == ...`): they ask
  `can(action, obj)`, whose rules live in app/permissions.py.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from app.errors import DomainError

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"

# View modules that catch one particular refusal to answer it differently, each with the reason.
CATCHING_VIEWS = {
    "app/editor/routes.py": "the live preview answers the entry form's size refusal (a 400 there) as a 413",
}
# Modules of the web layer that are not views but may answer a 404 for them, each with the reason.
WEB_HELPERS = {
    "app/errors_setup.py": "or_404 turns a service's None into the views' 404",
    "app/pagination.py": "a page number past any list's end, read from the request for the views",
}
# A template that compares the reader with something itself instead of asking can().
READER_COMPARISON = re.compile(r"current_user\.id\b|current_user\s*[!=]=|[!=]=\s*current_user\b")


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _is_view_module(path: Path, source: str) -> bool:
    return path.name == "routes.py" or "Blueprint(" in source


def _python_modules() -> list[tuple[Path, str]]:
    return [(path, path.read_text(encoding="utf-8")) for path in sorted(APP.rglob("*.py"))]


def _caught_names(handler: ast.ExceptHandler) -> list[ast.expr]:
    if handler.type is None:
        return []
    return list(handler.type.elts) if isinstance(handler.type, ast.Tuple) else [handler.type]


def _resolve(module: object, node: ast.expr) -> object:
    """The object an `except` clause names (`Conflict`, `errors.Conflict`), looked up in its module."""
    if isinstance(node, ast.Name):
        return getattr(module, node.id, None)
    if isinstance(node, ast.Attribute):
        owner = _resolve(module, node.value)
        return getattr(owner, node.attr, None)
    return None


def domain_error_catches(source: str, module: object) -> list[int]:
    """Lines of `except` clauses in `source` that catch DomainError or one of its subclasses."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ExceptHandler):
            caught = [_resolve(module, name) for name in _caught_names(node)]
            if any(isinstance(kind, type) and issubclass(kind, DomainError) for kind in caught):
                lines.append(node.lineno)
    return lines


def http_answers(source: str) -> list[int]:
    """Lines in `source` that call `abort(...)` or an `..._or_404(...)` helper (Flask-SQLAlchemy's too)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "abort" or name.endswith("_or_404"):
                lines.append(node.lineno)
    return lines


def test_views_leave_domain_errors_to_refusals():
    found = [
        f"{_relative(path)}:{line}"
        for path, source in _python_modules()
        if _is_view_module(path, source) and _relative(path) not in CATCHING_VIEWS
        for line in domain_error_catches(source, importlib.import_module(_module_name(path)))
    ]
    assert found == [], "catch a service's refusal with app.forms_util.refusals, not try/except DomainError"
    assert all((ROOT / path).exists() for path in (*CATCHING_VIEWS, *WEB_HELPERS)), "an exemption outlived its file"


def test_services_and_other_non_views_never_answer_http():
    found = [
        f"{_relative(path)}:{line}"
        for path, source in _python_modules()
        if not _is_view_module(path, source) and _relative(path) not in WEB_HELPERS
        for line in http_answers(source)
    ]
    assert found == [], "return None or raise a DomainError; the view decides the status (app.errors_setup.or_404)"


def test_templates_ask_can_instead_of_comparing_the_reader():
    found = [
        f"{_relative(path)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.suffix in {".html", ".xml", ".txt"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if READER_COMPARISON.search(line)
    ]
    assert found == [], "ask can('action', obj) and put the rule in app/permissions.py"


def test_the_scans_find_what_they_look_for():
    """The checks above pass on the real tree; here each one is shown a violation, so they cannot pass blindly."""
    import app.errors as errors_module

    catching = "try:\n    pass\nexcept (ValueError, errors.Conflict):\n    pass\nexcept DomainError:\n    pass\n"
    namespace = type("Module", (), {"errors": errors_module, "DomainError": DomainError})
    assert domain_error_catches(catching, namespace) == [3, 5]
    assert domain_error_catches("try:\n    pass\nexcept KeyError:\n    pass\n", namespace) == []
    assert http_answers("abort(404)\ndb.get_or_404(User, 1)\nflask.abort(403)\nfind(1)\n") == [1, 2, 3]
    template_lines = [
        "{% if current_user.id == user.id %}",
        "{% if blog.owner_id != current_user.id %}",
        "{% if user == current_user %}",
        "{% if can('edit_profile', user) %}",
    ]
    assert [bool(READER_COMPARISON.search(line)) for line in template_lines] == [True, True, True, False]
