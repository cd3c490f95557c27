"""Every piece of interface text reaches the English catalog, and none bypasses gettext.

The first test extracts messages from the code and templates as `make translations` does, so a Thai string added
tomorrow without an English translation fails here. The scans below catch Thai text that gettext never sees.
"""

from __future__ import annotations

import ast
import re

from tests.i18n.catalogs import ROOT, TRANSLATIONS_DIR, extract_messages, read_catalog

ENGLISH_PO = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
THAI = re.compile("[\u0e00-\u0e7f]")
GETTEXT_NAMES = frozenset({"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext"})

# Thai that is data or tooling, not interface text: demo content, parsers of Thai pages and dates, Thai-language
# text processing, and command-line help (the CLI stays in Thai).
PYTHON_EXEMPT_FILES = frozenset(
    {
        "app/demo.py",
        "app/cli.py",
        "app/entries/cli.py",
        "app/search/cli.py",
        "app/uploads/cli.py",
        "app/ops/cli.py",
        "app/search/analyzer.py",
        "app/search/snippets.py",
        "app/importer/parser.py",
        "app/text/dates.py",
        "app/text/markdown.py",
        "app/text/normalize.py",
    }
)
PYTHON_EXEMPT_LITERALS = frozenset(
    {
        ("app/i18n.py", "ไทย"),  # the language's own name, shown as is in every language
        ("app/licenses.py", "สงวนสิทธิ์ทุกประการ"),  # how GotoKnow prints it; matched when importing
        ("app/licenses.py", "สงวนสิทธิ์"),
        ("app/importer/services.py", "(ไม่มีชื่อเรื่อง)"),  # stored as the title of an untitled import
    }
)


def _english_entries() -> dict[tuple[str | None, str], object]:
    return {(message.context, message.id): message for message in read_catalog(ENGLISH_PO) if message.id}


def test_every_extracted_message_has_an_english_translation(tmp_path) -> None:
    extracted = [message for message in extract_messages(tmp_path) if message.id]
    english = _english_entries()
    assert len(extracted) > 400  # the extraction really read the code and templates

    missing = []
    for message in extracted:
        translated = english.get((message.context, message.id))
        strings = translated.string if translated is not None else ""
        strings = strings if isinstance(strings, tuple) else (strings,)
        if translated is None or translated.fuzzy or not all(strings):
            where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
            missing.append(f"{message.id!r} ({where})")
    assert not missing, (
        "Untranslated interface text. Run `make translations`, translate these in "
        f"{ENGLISH_PO.relative_to(ROOT)} (clear any `fuzzy` flag), then `make translations` again:\n  "
        + "\n  ".join(missing)
    )


def test_translations_keep_every_placeholder() -> None:
    problems = [f"{message.id!r}: {errors}" for message, errors in read_catalog(ENGLISH_PO).check()]
    assert not problems, "\n".join(problems)


def _without_jinja(source: str) -> str:
    """The template with every {{ }}, {% %} and {# #} blanked out (line breaks kept for line numbers)."""
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), source, flags=re.S)


def _jinja_expressions_without_gettext(source: str) -> list[str]:
    """Jinja expressions with Thai left in them once the gettext calls' string arguments are removed."""
    calls = r"\b(?:_|gettext|ngettext|pgettext)\(\s*(?:(['\"]).*?\1\s*,\s*)*(['\"]).*?\2"
    found = []
    for match in re.finditer(r"\{\{.*?\}\}|\{%.*?%\}", source, flags=re.S):
        if THAI.search(re.sub(calls, "", match.group(0), flags=re.S)):
            found.append(match.group(0))
    return found


def test_templates_have_no_thai_outside_gettext() -> None:
    problems = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if not path.is_file():
            continue
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        for number, line in enumerate(_without_jinja(source).splitlines(), start=1):
            if THAI.search(line):
                problems.append(f"{name}:{number}: {line.strip()}")
        problems += [f"{name}: {expression}" for expression in _jinja_expressions_without_gettext(source)]
    assert not problems, "Wrap this text in {{ _('…') }}:\n" + "\n".join(problems)


def _gettext_argument_ids(tree: ast.AST) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in GETTEXT_NAMES:
                inside.update(id(child) for child in ast.walk(node))
    return inside


def _docstring_ids(tree: ast.AST) -> set[int]:
    owners = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, owners) and node.body and isinstance(node.body[0], ast.Expr)
    }


def test_python_has_no_thai_text_outside_gettext() -> None:
    problems = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in PYTHON_EXEMPT_FILES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed = _gettext_argument_ids(tree) | _docstring_ids(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and THAI.search(node.value)
                and id(node) not in allowed
                and (name, node.value) not in PYTHON_EXEMPT_LITERALS
            ):
                problems.append(f"{name}:{node.lineno}: {node.value!r}")
    assert not problems, "Wrap this text in gettext (or lazy_gettext at module level):\n" + "\n".join(problems)


def test_javascript_has_no_thai_strings() -> None:
    """Scripts cannot call gettext: their words come from the page, e.g. in data-* attributes rendered with _()."""
    literal = re.compile(r"""(["'`])(?:\\.|(?!\1)[^\\])*\1""", re.S)
    problems = []
    for path in sorted((ROOT / "static").rglob("*.js")):
        if "vendor" in path.parts or path.name.endswith(".min.js"):
            continue
        for match in literal.finditer(path.read_text(encoding="utf-8")):
            if THAI.search(match.group(0)):
                problems.append(f"{path.relative_to(ROOT)}: {match.group(0)[:80]}")
    assert not problems, "\n".join(problems)
