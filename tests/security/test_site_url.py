"""Absolute URLs come from SITE_URL, never from the request's Host; production requires SITE_URL and answers only
its own host (TRUSTED_HOSTS); a Host no URL can be built for gets 400, never a 500."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.extensions import db
from app.stations.services import create_station, submit_blog
from tests.factories import PASSWORD, make_blog, make_entry, make_user
from tests.security.production import STRONG_KEY, production_app

SITE_URL = "https://sala.example.go.th/km"
FORGED = {"Host": "evil.example"}
LONG_LABEL_HOST = "a" * 64 + ".example"
BAD_REQUEST = "คำขอไม่ถูกต้อง กรุณาตรวจสอบข้อมูลแล้วลองใหม่"


@pytest.fixture
def app_config() -> dict:
    return {"SITE_URL": SITE_URL}


def test_a_reset_mail_asked_for_under_a_forged_host_links_to_the_site(client, mailbox):
    make_user("somchai")

    response = client.post("/password/forgot", data={"email": "somchai@example.org"}, headers=FORGED)

    assert response.status_code == 302
    (message,) = mailbox()
    assert "evil.example" not in message
    link = re.search(r"https://\S+", message).group(0)
    assert link.startswith(f"{SITE_URL}/password/reset/")
    path = link.removeprefix(SITE_URL)
    assert client.get(path).status_code == 200  # the link's token is the real one


def test_a_reset_link_ignores_forwarded_host_scheme_and_prefix(app, mailbox):
    make_user("somchai")
    proxied = create_app(
        "testing", {**app.config, "PROXY_FIX_X_HOST": 1, "PROXY_FIX_X_PROTO": 1, "PROXY_FIX_X_PREFIX": 1}
    )
    headers = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http", "X-Forwarded-Prefix": "/x"}

    proxied.test_client().post("/password/forgot", data={"email": "somchai@example.org"}, headers=headers)

    (message,) = mailbox()
    assert f"{SITE_URL}/password/reset/" in message and "evil.example" not in message


def test_feeds_under_a_forged_host_link_to_the_site(client):
    somchai = make_user("somchai")
    blog = make_blog(somchai, "km-notes")
    entry = make_entry(blog, title="บันทึกแรก", tags="km")
    station = create_station(somchai, "km-station", "ชุมชน KM", "")
    submit_blog(station, blog, somchai)
    db.session.commit()

    for path in ("/b/km-notes/feed.atom", "/tags/km/feed.atom", "/c/km-station/feed.atom"):
        response = client.get(path, headers=FORGED)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert "evil.example" not in body, path
        links = re.findall(r'(?:href="|<id>|<uri>)(http[^"<]+)', body)
        assert links and all(link.startswith(f"{SITE_URL}/") for link in links), (path, links)
        assert f"{SITE_URL}/posts/{entry.number}" in links
        assert f"{SITE_URL}/u/somchai" in links


def test_the_api_under_a_forged_host_links_to_the_site(client):
    entry = make_entry(make_blog(make_user("somchai"), "km-notes"), title="ประชุมที่ชุมพร", body="ชุมพร")

    payload = client.get("/api/v1/search?q=ชุมพร", headers=FORGED).get_json()

    assert [result["url"] for result in payload["results"]] == [f"{SITE_URL}/posts/{entry.number}"]


def test_production_refuses_to_start_without_site_url(tmp_path):
    settings = {"SECRET_KEY": STRONG_KEY, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"}
    with pytest.raises(RuntimeError, match="SITE_URL"):
        create_app("production", {**settings, "SITE_URL": ""})


@pytest.mark.parametrize(
    "site_url",
    ["sala.example.go.th", "ftp://sala.example.go.th", "https://", "https://sala.example.go.th:port",
     "https://user:pw@sala.example.go.th", "https://sala.example.go.th/?a=1", f"https://{'a' * 64}.example"],
)  # fmt: skip
def test_a_site_url_that_is_not_an_address_is_refused(tmp_path, site_url):
    with pytest.raises(RuntimeError, match="SITE_URL"):
        create_app("testing", {"SITE_URL": site_url, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


@pytest.mark.parametrize("config_name", ["development", "testing"])
def test_development_and_testing_have_a_local_site_url(tmp_path, config_name, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    app = create_app(config_name, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["SITE_URL"] in ("http://127.0.0.1:5000", "http://localhost")
    assert app.config["TRUSTED_HOSTS"] is None


def test_production_answers_400_to_a_foreign_host(app, mailbox):
    make_user("somchai")
    production = production_app(app, SITE_URL="https://sala.example.go.th")
    client = production.test_client()

    assert production.config["TRUSTED_HOSTS"] == ["sala.example.go.th"]
    assert client.get("/", base_url="https://sala.example.go.th").status_code == 200
    assert client.get("/", base_url="https://sala.example.go.th:443").status_code == 200
    for headers in (FORGED, {"Host": "sala.example.go.th.evil.example"}, {"Host": "localhost"}):
        response = client.get("/", headers=headers, base_url="https://x")
        assert response.status_code == 400, headers
        assert response.get_data(as_text=True) == BAD_REQUEST
    forgot = client.post("/password/forgot", data={"email": "somchai@example.org"}, headers=FORGED)
    assert forgot.status_code == 400
    assert mailbox() == []


def test_trusted_hosts_can_be_set_instead_of_derived(app):
    production = production_app(app, SITE_URL="https://sala.example.go.th", TRUSTED_HOSTS=["10.0.0.11", "localhost"])
    client = production.test_client()

    assert client.get("/healthz", headers={"Host": "10.0.0.11:8000"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "sala.example.go.th"}).status_code == 400


def _app_for(kind: str, app):
    if kind == "testing":
        return app
    if kind == "production":
        return production_app(app, WTF_CSRF_ENABLED=False)
    folders = {name: app.config[name] for name in ("SQLALCHEMY_DATABASE_URI", "SEARCH_INDEX_DIR", "UPLOAD_DIR")}
    return create_app("development", {**folders, "CACHE_TYPE": "NullCache", "WTF_CSRF_ENABLED": False})


@pytest.mark.parametrize("kind", ["development", "testing", "production"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_host_label_over_63_characters_gets_400_not_500(app, kind, method):
    make_user("somchai")
    client = _app_for(kind, app).test_client()
    assert client.post("/login", data={"login": "somchai", "password": PASSWORD}).status_code == 302

    for path in ("/", "/login", "/api/v1/search?q=x", "/no-such-page"):
        response = client.open(path, method=method, headers={"Host": LONG_LABEL_HOST})
        assert response.status_code == 400, path
        expected = {"error": BAD_REQUEST} if path.startswith("/api/") else BAD_REQUEST
        assert (response.get_json() if path.startswith("/api/") else response.get_data(as_text=True)) == expected


@pytest.mark.fresh_app
def test_an_error_page_that_cannot_render_is_answered_in_plain_text(app, client, caplog):
    @app.get("/broken-for-test")
    def broken():
        raise RuntimeError("a fault")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as outside tests: the 500 handler answers
    app.jinja_env.globals["url_for"] = None  # every page with the layout now fails to render

    response = client.get("/broken-for-test")

    assert response.status_code == 500
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "เกิดข้อผิดพลาดในระบบ กรุณาลองใหม่อีกครั้ง"
    assert "could not be rendered" in caplog.text


def test_registration_mails_under_a_forged_host_link_to_the_site(app, mailbox):
    make_user("somchai")
    form = {"display_name": "ผู้สมัคร", "password": "longenough1", "confirm": "longenough1"}
    client = app.test_client()
    client.post("/register", data={**form, "username": "malee", "email": "malee@example.org"}, headers=FORGED)
    client = app.test_client()
    client.post("/register", data={**form, "username": "mana", "email": "somchai@example.org"}, headers=FORGED)

    confirm, notice = mailbox()
    assert "evil.example" not in confirm + notice
    assert f"{SITE_URL}/email/confirm/" in confirm
    assert f"{SITE_URL}/login" in notice and f"{SITE_URL}/password/forgot" in notice


def test_no_absolute_url_in_the_code_is_built_from_the_request():
    """Absolute links go through app.urls.site_url; url_for(_external=True) or the request's host would not."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"_external\s*=\s*True|request\.(host|host_url|url_root|root_url)\b")
    found = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("app", "templates")
        for path in (root / folder).rglob("*")
        if path.suffix in {".py", ".html", ".xml", ".txt"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and path.name != "urls.py"
    ]
    assert found == []
