"""Templates build URLs through a memo (app/urls.py, memo_url_for): the same URLs as Flask's `url_for`, whatever
the path prefix."""

from __future__ import annotations

from flask import render_template_string, url_for

from app.urls import memo_url_for

CASES = [
    ("entries.show", {"number": 7}),
    ("tags.show", {"name": "km/lo"}),
    ("tags.show", {"name": "การจัดการความรู้ 2567"}),
    ("users.profile", {"username": "somchai"}),
    ("blogs.show", {"slug": "km-notes"}),
    ("main.home", {"page": "2"}),
    ("search.index", {"q": "a&b=c ?#", "page": 3}),
    ("static", {"filename": "css/sala.css"}),
]


def test_urls_depend_on_the_path_prefix_alone(app):
    """What the memo assumes: no URL defaults, no host or subdomain matching."""
    assert not any(app.url_default_functions.values())
    assert not app.url_map.host_matching and not app.subdomain_matching


def test_memo_builds_what_url_for_builds(app):
    for script_root in ["", "/sala", "", "/sala"]:  # built, then remembered, under each prefix
        with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
            for endpoint, values in CASES:
                assert memo_url_for(endpoint, **values) == url_for(endpoint, **values)
                assert memo_url_for(endpoint, **values).startswith(f"{script_root}/")


def test_templates_use_the_memo_and_keep_url_for_options(app):
    with app.test_request_context("/", base_url="http://localhost/sala/"):
        assert render_template_string("{{ url_for('entries.show', number=3) }}") == "/sala/posts/3"
        external = render_template_string("{{ url_for('entries.show', number=3, _external=True) }}")
        assert external == url_for("entries.show", number=3, _external=True)
        anchored = render_template_string("{{ url_for('entries.show', number=3, _anchor='comments') }}")
        assert anchored == "/sala/posts/3#comments"
