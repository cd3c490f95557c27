"""The Thai webfont: vendored from its package into static/, referenced by the CSS, served as a font."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.ui.stylesheet import CSS_PATH, ROOT, STATIC, font_faces, rule_declarations, unicode_ranges, urls_in

FONT_DIR = STATIC / "fonts" / "sarabun"
FACES = font_faces()
THAI = range(0x0E01, 0x0E5B + 1)  # consonants, vowels, tone marks, digits
BASIC_LATIN = range(0x20, 0x7E + 1)


def _font_urls() -> list[str]:
    return [url for face in FACES for url in urls_in(face["src"])]


def _static_path(url: str) -> Path:
    return (CSS_PATH.parent / url).resolve()


def test_every_face_swaps_and_has_a_local_source():
    assert FACES, "no @font-face rules in sala.css"
    for face in FACES:
        assert face["font-display"] == "swap"
        assert face["font-family"].strip("\"'") == "Sarabun"
        for url in urls_in(face["src"]):
            assert not re.match(r"^(https?:)?//", url), f"font fetched from elsewhere: {url}"


def _covers(ranges: list[range], block: range) -> bool:
    return all(any(point in r for r in ranges) for point in block)


def test_each_weight_covers_thai_and_latin():
    by_weight: dict[str, list[range]] = {}
    for face in FACES:
        by_weight.setdefault(face["font-weight"], []).extend(unicode_ranges(face["unicode-range"]))
    assert set(by_weight) >= {"400", "700"}
    for weight, ranges in by_weight.items():
        assert _covers(ranges, THAI), f"weight {weight} does not cover Thai"
        assert _covers(ranges, BASIC_LATIN), f"weight {weight} does not cover Latin"


@pytest.mark.parametrize("url", _font_urls())
def test_font_urls_resolve_to_vendored_woff2_files(url):
    path = _static_path(url)
    assert path.is_relative_to(FONT_DIR)
    assert path.is_file(), f"{url} → {path} is missing"
    assert path.read_bytes()[:4] == b"wOF2"


@pytest.mark.parametrize("url", _font_urls())
def test_fonts_are_served_with_a_font_content_type(client, url):
    static_url = "/static/" + _static_path(url).relative_to(STATIC).as_posix()
    response = client.get(static_url)
    assert response.status_code == 200
    assert response.mimetype == "font/woff2"
    assert response.data[:4] == b"wOF2"
    response.close()


def test_the_stylesheet_is_linked_and_served(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/static/css/sala.css">' in page
    css = client.get("/static/css/sala.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    css.close()


def test_the_font_stack_falls_back_to_thai_system_fonts():
    stack = [name.strip().strip('"') for name in rule_declarations(":root")["--font"].split(",")]
    assert stack[0] == "Sarabun"
    assert {"Loma", "Garuda"} <= set(stack)
    assert stack[-1] == "sans-serif"


def test_the_licence_and_version_are_recorded():
    assert "SIL Open Font License" in (FONT_DIR / "LICENSE").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    version = re.search(r"^FONT_VERSION := (\S+)$", makefile, re.M).group(1)
    package = re.search(r"^FONT_PACKAGE := (\S+)$", makefile, re.M).group(1)
    readme = (STATIC / "fonts" / "README.md").read_text(encoding="utf-8")
    assert f"`{package}`" in readme and version in readme
    assert re.search(r"^vendor-fonts:", makefile, re.M)


def test_no_page_asset_comes_from_another_host():
    """Closed network: stylesheets, scripts, images and fonts are all served by Sala itself."""
    external = re.compile(r"""<(?:link|script|img|iframe)\b[^>]*\b(?:href|src)=["'](?:https?:)?//""", re.I)
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if external.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", CSS_PATH.read_text(encoding="utf-8"))
    assert "@import" not in CSS_PATH.read_text(encoding="utf-8")
