"""The message catalogs as the build sees them: extracted with the Makefile's arguments, compiled like `make`."""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS_DIR = ROOT / "translations"


def po_paths() -> list[Path]:
    return sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def compile_stale_catalogs() -> None:
    """Write each .mo that is missing or older than its .po, as `make install` does (fuzzy entries left out).

    The file is replaced atomically, so two test runs at once never read half a catalog.
    """
    for po_path in po_paths():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalog = read_catalog(po_path)
        fd, tmp_name = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog)
        os.replace(tmp_name, mo_path)


def extraction_args() -> list[str]:
    """`PYBABEL_EXTRACT_ARGS` from the Makefile, so the test finds exactly what `make translations` finds."""
    match = re.search(r"^PYBABEL_EXTRACT_ARGS\s*:?=\s*(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, "the Makefile must define PYBABEL_EXTRACT_ARGS on one line"
    return shlex.split(match.group(1))


def extract_messages(output_dir: Path) -> Catalog:
    """Run `pybabel extract` in-process over the source tree and read the template it writes."""
    output = output_dir / "messages.pot"
    cwd = Path.cwd()
    os.chdir(ROOT)  # babel.cfg and its patterns are relative to the project root
    try:
        CommandLineInterface().run(["pybabel", "--quiet", "extract", *extraction_args(), "-o", str(output), "."])
    finally:
        os.chdir(cwd)
    return read_catalog(output)
