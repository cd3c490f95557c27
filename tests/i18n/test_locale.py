"""Which language a reader gets: the switcher's cookie, then Accept-Language, then Thai."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

import pytest

from app.extensions import db
from tests.factories import make_blog, make_entry, make_user

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]*)">', response.get_data(as_text=True))
    assert match, "no <html lang> on the page"
    return match.group(1)


class LanguageLinks(HTMLParser):
    """The <a> elements inside nav.lang-switch, as attribute dicts with their text."""

    def __init__(self) -> None:
        super().__init__()
        self.nav_label: str | None = None
        self.links: list[dict[str, str | None]] = []
        self._in_nav = False
        self._link: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "nav" and "lang-switch" in (attributes.get("class") or "").split():
            self._in_nav = True
            self.nav_label = attributes.get("aria-label")
        elif tag == "a" and self._in_nav:
            self._link = {**attributes, "text": ""}

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append(self._link)
            self._link = None
        elif tag == "nav":
            self._in_nav = False


def language_links(response) -> LanguageLinks:
    parser = LanguageLinks()
    parser.feed(response.get_data(as_text=True))
    return parser


def test_thai_is_the_default(client):
    response = client.get("/")

    html = response.get_data(as_text=True)
    assert html_lang(response) == "th"
    assert ">ชุมชน</a>" in html and ">คำสำคัญ</a>" in html and ">เข้าสู่ระบบ</a>" in html
    assert "Communities" not in html and "Log in" not in html


def test_a_language_other_than_thai_or_english_gets_thai(client):
    response = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,de;q=0.5"})

    assert html_lang(response) == "th"


def test_accept_language_english_gives_english_without_a_cookie(client):
    response = client.get("/", headers={"Accept-Language": "fr;q=0.9,en-GB;q=0.8,th;q=0.1"})

    html = response.get_data(as_text=True)
    assert html_lang(response) == "en"
    assert '<nav class="site-nav" aria-label="Main menu">' in html
    assert ">Communities</a>" in html and ">Tags</a>" in html
    assert ">Log in</a>" in html and ">Sign up</a>" in html
    assert 'placeholder="Search entries…"' in html
    assert "ชุมชน</a>" not in html
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_the_switcher_sets_a_cookie_and_the_next_page_is_english(client):
    response = client.get("/lang/en?next=/tags")

    assert response.status_code == 302
    assert response.headers["Location"] == "/tags"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("sala_lang=en;")
    assert "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Path=/" in cookie

    page = client.get("/tags")
    html = page.get_data(as_text=True)
    assert html_lang(page) == "en"
    assert "<h1>Popular tags</h1>" in html
    assert ">Communities</a>" in html and ">Log in</a>" in html
    assert "คำสำคัญยอดนิยม" not in html


def test_switching_back_to_thai(client):
    client.get("/lang/en?next=/")
    client.get("/lang/th?next=/")

    response = client.get("/", headers={"Accept-Language": "en"})

    assert html_lang(response) == "th"
    assert ">ชุมชน</a>" in response.get_data(as_text=True)


def test_the_cookie_beats_accept_language(client):
    client.set_cookie("sala_lang", "th")

    response = client.get("/", headers={"Accept-Language": "en"})

    assert html_lang(response) == "th"
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_an_unknown_cookie_value_is_ignored(client):
    client.set_cookie("sala_lang", "xx")

    assert html_lang(client.get("/", headers={"Accept-Language": "en"})) == "en"
    assert html_lang(client.get("/")) == "th"


def test_an_unknown_language_code_is_404_and_sets_nothing(client):
    response = client.get("/lang/fr?next=/tags")

    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers or "sala_lang" not in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "tags", ""],
)
def test_an_unsafe_next_goes_home(client, target):
    response = client.get("/lang/en", query_string={"next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert response.headers["Set-Cookie"].startswith("sala_lang=en;")


def test_the_switcher_links_both_languages_and_marks_the_current_one(client):
    response = client.get("/tags", headers={"Accept-Language": "en"})

    switch = language_links(response)
    assert switch.nav_label == "Language"
    by_lang = {link["hreflang"]: link for link in switch.links}
    assert set(by_lang) == {"th", "en"}
    assert by_lang["th"]["lang"] == "th" and by_lang["th"]["text"].strip() == "ไทย"
    assert by_lang["en"]["lang"] == "en" and by_lang["en"]["text"].strip() == "English"
    assert by_lang["en"].get("aria-current") == "true"
    assert "aria-current" not in by_lang["th"]
    assert by_lang["th"]["href"] == "/lang/th?next=/tags"


def test_a_switcher_link_comes_back_to_the_same_page_with_its_query(client):
    links = {link["hreflang"]: link["href"] for link in language_links(client.get("/search?q=KM&sort=newest")).links}

    response = client.get(links["en"])

    assert response.status_code == 302
    assert response.headers["Location"] == "/search?q=KM&sort=newest"
    assert html_lang(client.get(response.headers["Location"])) == "en"


def test_responses_that_never_looked_at_the_language_do_not_vary_on_it(client):
    response = client.get("/static/css/sala.css")

    assert response.status_code == 200
    assert "Accept-Language" not in response.vary


def test_form_errors_are_in_english_when_english_is_chosen(client):
    client.get("/lang/en")

    response = client.post("/register", data={"username": "", "display_name": "", "email": "x", "password": "short"})

    html = response.get_data(as_text=True)
    assert "Please enter a username." in html
    assert "Please enter a display name." in html
    assert "This is not a valid email address." in html
    assert "The password must be at least 8 characters long." in html
    assert "กรุณากรอกชื่อผู้ใช้" not in html


def test_form_errors_stay_thai_by_default(client):
    response = client.post("/register", data={"username": "", "display_name": "", "email": "x", "password": "short"})

    html = response.get_data(as_text=True)
    assert "กรุณากรอกชื่อผู้ใช้" in html
    assert "Please enter a username." not in html


def test_a_length_limit_speaks_the_readers_language(client):
    """WTForms has no Thai catalog, so every limit carries its own message."""
    thai = client.post("/login", data={"login": "a" * 300, "password": "x"}).get_data(as_text=True)
    client.get("/lang/en")
    english = client.post("/login", data={"login": "a" * 300, "password": "x"}).get_data(as_text=True)

    assert "ยาวได้ไม่เกิน 254 ตัวอักษร" in thai and "Field cannot be longer" not in thai
    assert "At most 254 characters." in english


def test_service_errors_are_in_english(client, auth):
    make_user("somchai")
    auth.login("somchai")
    client.get("/lang/en")

    response = client.post(
        "/blogs/new", data={"slug": "x", "title": "Notes", "description": "", "allow_guest_comments": "y"}
    )

    assert "A blog address must be 3–60 characters long" in response.get_data(as_text=True)


def test_error_pages_are_in_english(client):
    client.get("/lang/en")

    not_found = client.get("/no-such-page")
    assert not_found.status_code == 404
    assert re.search(r"<h1[^>]*>Page not found</h1>", not_found.get_data(as_text=True))
    assert html_lang(not_found) == "en"

    api = client.get("/api/v1/search?q=KM&page=0")
    assert api.status_code == 400
    assert api.get_json()["error"] == "The page number must be a whole number, 1 or more."


@pytest.mark.fresh_app
def test_a_500_page_is_in_english(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client.get("/lang/en")

    response = client.get("/boom")

    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html and "ขออภัย" not in html
    assert html_lang(response) == "en"


def test_a_method_not_allowed_error_has_an_english_message_not_werkzeugs(client):
    client.get("/lang/en")

    response = client.put("/login")

    assert response.status_code == 405
    html = response.get_data(as_text=True)
    assert "This action cannot be done this way." in html
    assert "The method is not allowed" not in html


def test_the_login_required_message_is_in_english(client):
    client.get("/lang/en")

    response = client.get("/dashboard", follow_redirects=True)

    assert "Please log in first." in response.get_data(as_text=True)


def test_entry_dates_use_the_buddhist_era_in_thai_and_the_common_era_in_english(client):
    entry = make_entry(make_blog(make_user("somchai")))
    entry.published_at = datetime(2006, 5, 23, 8, 32)  # UTC; 15:32 in Bangkok
    db.session.commit()

    thai = client.get(f"/posts/{entry.number}").get_data(as_text=True)
    client.get("/lang/en")
    english = client.get(f"/posts/{entry.number}").get_data(as_text=True)

    assert "23 พ.ค. 2549 15:32" in thai and "2006 15:32" not in thai
    assert "23 May 2006 15:32" in english and "2549" not in english


def test_the_profile_date_without_time_follows_the_language(client):
    user = make_user("somchai")
    user.created_at = datetime(2013, 9, 5, 20, 0)  # 6 September 03:00 in Bangkok
    db.session.commit()

    thai = client.get("/u/somchai").get_data(as_text=True)
    client.get("/lang/en")
    english = client.get("/u/somchai").get_data(as_text=True)

    assert "6 ก.ย. 2556" in thai
    assert "member since" in english and "6 Sep 2013" in english and "2556" not in english


def test_a_thai_address_survives_the_round_trip_through_the_switcher(client):
    make_entry(make_blog(make_user("somchai")), tags="ความรู้")
    links = {link["hreflang"]: link["href"] for link in language_links(client.get("/tags/ความรู้")).links}

    response = client.get(links["en"])
    page = client.get(response.headers["Location"])

    assert page.status_code == 200
    assert page.request.path == "/tags/ความรู้"
    assert html_lang(page) == "en"


def test_the_language_is_worked_out_once_per_request_and_parsed_once_per_language(app, client, monkeypatch):
    from flask_babel import get_locale

    from app import i18n

    asked = []
    locale_for = i18n.locale_for
    monkeypatch.setattr(i18n, "locale_for", lambda incoming: asked.append(1) or locale_for(incoming))
    with app.test_request_context("/", environ_base=ENGLISH):
        assert i18n.select_locale() == i18n.select_locale() == "en"
        assert get_locale().language == "en" and i18n.current_locale() == "en"
        assert get_locale() is i18n.babel_locale()  # one Locale per language, whatever the request
    assert len(asked) == 1
    # Each request works it out afresh.
    assert html_lang(client.get("/", environ_base=ENGLISH)) == "en"
    assert html_lang(client.get("/")) == "th"
