"""Template translations: bound once per render, in macros imported without context as in the page itself."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
MACRO = "{% macro label() %}{{ _('ค้นหา') }}{% endmacro %}"
PAGE = (
    "{% from 'translated_macro.html' import label %}"
    "{{ _('ค้นหา') }}|{{ label() }}|{{ _('ความเห็น %(n)s', n='<b>') }}|{{ pgettext('role', 'ผู้เขียนร่วม') }}"
)


def _with_macro_template(app) -> None:
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_env.loader = ChoiceLoader([DictLoader({"translated_macro.html": MACRO}), app.jinja_env.loader])


def test_page_and_imported_macro_in_english(app):
    _with_macro_template(app)
    with app.test_request_context("/", environ_base=ENGLISH):
        assert render_template_string(PAGE) == "Search|Search|Comments: &lt;b&gt;|Co-author"


def test_page_and_imported_macro_in_thai(app):
    _with_macro_template(app)
    with app.test_request_context("/"):
        assert render_template_string(PAGE) == "ค้นหา|ค้นหา|ความเห็น &lt;b&gt;|ผู้เขียนร่วม"


def test_a_render_under_force_locale_gets_that_catalog(app):
    """A request in Thai that renders, say, a mail in English gets English, and Thai again afterwards."""
    _with_macro_template(app)
    with app.test_request_context("/"):
        assert render_template_string(PAGE).startswith("ค้นหา|ค้นหา|")
        with force_locale("en"):
            assert render_template_string(PAGE).startswith("Search|Search|")
        assert render_template_string(PAGE).startswith("ค้นหา|ค้นหา|")


def test_a_template_rendered_outside_render_template_is_translated(app):
    """Jinja used directly (no binding before the render) still finds the request's catalog."""
    with app.test_request_context("/", environ_base=ENGLISH):
        assert app.jinja_env.from_string("{{ _('ค้นหา') }}").render() == "Search"
