"""403, 404, 413 and 500 pages in the site's own layout, with the right status and a way on."""

from __future__ import annotations

import pytest

from tests.factories import make_blog, make_user
from tests.ui.html_tree import page
from tests.ui.layout import assert_site_layout


def _error_section(response):
    doc = page(response)
    assert_site_layout(doc)
    section = doc.find("section", class_="error-page")
    assert section is not None
    assert section.find("h1") is not None
    home = section.find("a", href="/")
    assert home is not None and home.text() == "กลับหน้าแรก"
    assert doc.find("meta", name="robots", content="noindex") is not None
    return doc, section


def test_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    doc, section = _error_section(response)
    assert section.find("h1").text() == "ไม่พบหน้านี้"
    search = section.find("form", role="search")
    assert search.attrs["action"] == "/search"
    field = search.find("input", name="q")
    assert doc.find("label", for_=field.attrs["id"]) is not None


def test_403_page(client, auth):
    owner = make_user("somchai")
    make_blog(owner, "km-notes")
    make_user("malee")
    auth.login("malee")
    response = client.get("/b/km-notes/edit")
    assert response.status_code == 403
    _, section = _error_section(response)
    assert section.find("h1").text() == "คุณไม่มีสิทธิ์ทำรายการนี้"
    assert section.find("a", href="/dashboard") is not None


def test_413_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"login": "x" * 4096, "password": "y"})
    assert response.status_code == 413
    _, section = _error_section(response)
    assert section.find("h1").text() == "ข้อมูลที่ส่งมาใหญ่เกินไป"


@pytest.mark.fresh_app
def test_500_page(app, client):
    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/broken-for-test")
    assert response.status_code == 500
    _, section = _error_section(response)
    assert section.find("h1").text() == "ขออภัย ระบบขัดข้องชั่วคราว"


@pytest.mark.parametrize(
    ("method", "path", "status"), [("post", "/", 405), ("get", "/?page=2", 404), ("get", "/?page=0", 400)]
)
def test_other_statuses_use_the_same_frame(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    _error_section(response)


def test_the_api_still_answers_in_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json and "error" in response.get_json()
