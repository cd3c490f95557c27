"""The layout every HTML page shares, as the UI tests check it."""

from __future__ import annotations

from tests.ui.html_tree import Element


def assert_site_layout(doc: Element) -> None:
    """The shared frame: skip link, header with search and a labelled nav, main#main, footer, a way home."""
    skip = doc.find("a", class_="skip-link")
    assert skip is not None and skip.attrs["href"] == "#main"
    header = doc.find("header", class_="site-header")
    assert header is not None
    nav = header.find("nav")
    assert nav is not None and nav.attrs.get("aria-label")
    assert header.find("a", href="/") is not None
    assert doc.find("main", id="main") is not None
    assert doc.find("footer") is not None
