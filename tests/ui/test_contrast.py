"""WCAG AA contrast of the palette, computed from the colours sala.css declares for both themes."""

from __future__ import annotations

import pytest

from tests.ui.stylesheet import (
    colour_tokens,
    contrast_pairs,
    contrast_ratio,
    decorative_tokens,
    hex_to_rgb,
    theme_properties,
)

THEMES = theme_properties()
PAIRS = contrast_pairs()
TEXT_MINIMUM = 4.5  # WCAG 1.4.3, normal-size text
NON_TEXT_MINIMUM = 3.0  # WCAG 1.4.11, field and button borders, the focus ring

# Pairs the site cannot do without: if one of these disappears from the table the check has lost its teeth.
ESSENTIAL = {
    ("--text", "--bg"): TEXT_MINIMUM,
    ("--text", "--surface"): TEXT_MINIMUM,
    ("--muted", "--surface"): TEXT_MINIMUM,
    ("--link", "--bg"): TEXT_MINIMUM,
    ("--link", "--surface"): TEXT_MINIMUM,
    ("--accent-text", "--accent"): TEXT_MINIMUM,
    ("--error", "--surface"): TEXT_MINIMUM,
    ("--field-border", "--surface"): NON_TEXT_MINIMUM,
    ("--focus", "--bg"): NON_TEXT_MINIMUM,
}


def test_the_ratio_arithmetic_matches_known_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near-miss
    assert contrast_ratio("#0000ff", "#ffffff") == pytest.approx(8.59, abs=0.01)
    assert contrast_ratio("#fff", "#767676") == pytest.approx(4.54, abs=0.01)
    with pytest.raises(ValueError):
        hex_to_rgb("rgba(0, 0, 0, 0.5)")


def test_both_themes_define_the_same_colours():
    light = colour_tokens(THEMES["light"])
    assert len(light) >= 10
    assert colour_tokens(THEMES["dark_overrides"]) == light


def test_the_table_lists_the_essential_pairs_with_their_wcag_minimum():
    declared = {(pair.foreground, pair.background): pair.minimum for pair in PAIRS}
    for pair, minimum in ESSENTIAL.items():
        assert declared.get(pair, 0) >= minimum, pair


def test_every_colour_is_checked_or_declared_decorative():
    checked = {pair.foreground for pair in PAIRS} | {pair.background for pair in PAIRS}
    unchecked = colour_tokens(THEMES["light"]) - checked - decorative_tokens()
    assert not unchecked, f"colours in no contrast pair: {sorted(unchecked)}"


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p.foreground}-on-{p.background}")
def test_each_pair_meets_its_minimum(theme, pair):
    colours = THEMES[theme]
    ratio = contrast_ratio(colours[pair.foreground], colours[pair.background])
    assert ratio >= pair.minimum, f"{theme}: {pair.foreground} on {pair.background} is {ratio:.2f}"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_figures_in_the_comment_are_the_computed_ones(theme):
    colours = THEMES[theme]
    wrong = {
        (pair.foreground, pair.background): (
            pair.stated[theme],
            round(contrast_ratio(colours[pair.foreground], colours[pair.background]), 2),
        )
        for pair in PAIRS
        if abs(pair.stated[theme] - contrast_ratio(colours[pair.foreground], colours[pair.background])) > 0.006
    }
    assert not wrong, f"stated vs computed: {wrong}"
