"""Reading static/css/sala.css with tinycss2: theme colours, the contrast table, @font-face rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import tinycss2

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
CSS_PATH = STATIC / "css" / "sala.css"


def css_text() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def _rules(css: str):
    return tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)


def _declarations(block) -> dict[str, str]:
    decls = tinycss2.parse_declaration_list(block, skip_comments=True, skip_whitespace=True)
    return {d.name: tinycss2.serialize(d.value).strip() for d in decls if d.type == "declaration"}


def _is_root(rule) -> bool:
    return rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == ":root"


def theme_properties(css: str | None = None) -> dict[str, dict[str, str]]:
    """Custom properties of the light theme (`:root`) and the dark one (light overridden by the media query)."""
    css = css if css is not None else css_text()
    light: dict[str, str] = {}
    dark_overrides: dict[str, str] = {}
    for rule in _rules(css):
        if _is_root(rule):
            light.update(_declarations(rule.content))
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media":
            prelude = tinycss2.serialize(rule.prelude)
            if re.search(r"prefers-color-scheme\s*:\s*dark", prelude):
                for inner in tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True):
                    if _is_root(inner):
                        dark_overrides.update(_declarations(inner.content))
    return {"light": light, "dark": {**light, **dark_overrides}, "dark_overrides": dark_overrides}


def colour_tokens(properties: dict[str, str]) -> set[str]:
    return {name for name, value in properties.items() if name.startswith("--") and value.startswith("#")}


# --- WCAG 2.1 relative luminance and contrast ratio ----------------------------------------------------------


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    digits = value.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", digits):
        raise ValueError(f"not an opaque hex colour: {value!r}")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def relative_luminance(value: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in hex_to_rgb(value))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# --- The contrast table kept in the stylesheet's header comment ----------------------------------------------


@dataclass(frozen=True)
class Pair:
    foreground: str
    background: str
    minimum: float
    stated: dict[str, float]


PAIR_LINE = re.compile(r"^\s*(--[\w-]+)\s+(--[\w-]+)\s+(\d+(?:\.\d+)?)\s+(\d+\.\d\d)\s+(\d+\.\d\d)\s*$", re.MULTILINE)


def _contrast_comment(css: str) -> str:
    for comment in re.findall(r"/\*.*?\*/", css, flags=re.S):
        if "Contrast pairs" in comment:
            return comment
    raise AssertionError("sala.css has no 'Contrast pairs' comment")


def contrast_pairs(css: str | None = None) -> list[Pair]:
    comment = _contrast_comment(css if css is not None else css_text())
    return [
        Pair(fg, bg, float(minimum), {"light": float(light), "dark": float(dark)})
        for fg, bg, minimum, light, dark in PAIR_LINE.findall(comment)
    ]


def decorative_tokens(css: str | None = None) -> set[str]:
    match = re.search(r"decorative:\s*([^\n*]+)", _contrast_comment(css if css is not None else css_text()))
    return set(match.group(1).split()) if match else set()


# --- @font-face ------------------------------------------------------------------------------------------------


def font_faces(css: str | None = None) -> list[dict[str, str]]:
    return [
        _declarations(rule.content)
        for rule in _rules(css if css is not None else css_text())
        if rule.type == "at-rule" and rule.lower_at_keyword == "font-face"
    ]


def urls_in(value: str) -> list[str]:
    tokens = tinycss2.parse_component_value_list(value)
    found = []
    for token in tokens:
        if token.type == "url":
            found.append(token.value)
        elif token.type == "function" and token.lower_name == "url":
            found.extend(arg.value for arg in token.arguments if arg.type == "string")
    return found


def unicode_ranges(value: str) -> list[range]:
    """The code points a `unicode-range` descriptor covers, one range per item."""
    return [
        range(token.start, token.end + 1)
        for token in tinycss2.parse_component_value_list(value)
        if token.type == "unicode-range"
    ]


def rule_declarations(selector: str, css: str | None = None) -> dict[str, str]:
    """Declarations of the top-level rules whose selector is exactly `selector`, merged in order."""
    merged: dict[str, str] = {}
    for rule in _rules(css if css is not None else css_text()):
        if rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == selector:
            merged.update(_declarations(rule.content))
    return merged


def all_declarations(css: str | None = None):
    """(selector, property, value) for every declaration, media queries included."""

    def walk(rules, within=""):
        for rule in rules:
            if rule.type == "qualified-rule":
                selector = tinycss2.serialize(rule.prelude).strip()
                for name, value in _declarations(rule.content).items():
                    yield selector, name, value
            elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content is not None:
                yield from walk(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))

    yield from walk(_rules(css if css is not None else css_text()))
