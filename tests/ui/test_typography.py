"""Thai typography and layout rules in sala.css: room for vowels and tone marks, 16 px or more, no sideways scroll."""

from __future__ import annotations

import re

from tests.ui.stylesheet import all_declarations, rule_declarations

BODY_PX = 17  # body font-size 1.0625rem on the browsers' 16 px root


def _px(value: str, parent_px: float = BODY_PX) -> float | None:
    match = re.fullmatch(r"([\d.]+)(rem|em|px)", value.strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    return number * {"rem": 16, "em": parent_px, "px": 1}[unit]


def test_body_text_is_large_and_well_spaced():
    body = rule_declarations("body")
    assert _px(body["font-size"]) >= 16
    assert 1.7 <= float(body["line-height"]) <= 1.8


def test_no_text_is_set_below_16px():
    too_small = [
        (selector, value)
        for selector, name, value in all_declarations()
        if name == "font-size" and (px := _px(value)) is not None and px < 15.9
    ]
    assert not too_small


def test_headings_buttons_and_fields_leave_room_above_the_line():
    cramped = [
        (selector, value)
        for selector, name, value in all_declarations()
        if name == "line-height" and re.fullmatch(r"[\d.]+", value) and float(value) < 1.45
    ]
    assert not cramped
    text_boxes = re.compile(r"\b(button|select|textarea|h[1-4])\b|input(?!\[type=(checkbox|radio)\])")
    fixed = [
        selector
        for selector, name, _ in all_declarations()
        if name in ("height", "max-height") and text_boxes.search(selector)
    ]
    assert not fixed, f"fixed heights clip Thai ascenders: {fixed}"


def test_focus_is_always_visible_and_the_skip_link_appears_on_focus():
    focus = rule_declarations(":focus-visible")
    assert re.match(r"\d+px solid var\(--focus\)", focus["outline"])
    # Only <main>, focused by the skip link rather than by a reader tabbing, may drop the ring.
    removed = [s for s, name, v in all_declarations() if name == "outline" and v in ("none", "0")]
    assert removed == ["main:focus"]
    assert rule_declarations(".skip-link")["position"] == "absolute"
    assert rule_declarations(".skip-link:focus")["left"] != rule_declarations(".skip-link")["left"]


def test_wide_content_scrolls_in_its_own_box():
    table = rule_declarations(".entry-body table, .table")
    assert table["overflow-x"] == "auto" and table["max-width"] == "100%"
    assert rule_declarations(".entry-body pre")["overflow-x"] == "auto"
    assert rule_declarations("img")["max-width"] == "100%"
    assert rule_declarations(".header-row")["flex-wrap"] == "wrap"


def test_the_dark_theme_follows_the_system_setting():
    assert "color-scheme" in rule_declarations(":root")
