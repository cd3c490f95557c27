"""Only administrators reach /admin: guests are sent to sign in, everybody else gets 403."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import User
from tests.admin.helpers import make_cast


@pytest.fixture
def cast(app):
    return make_cast()


def _routes(cast) -> list[tuple[str, str]]:
    user_id = cast.writer.id
    return [
        ("GET", "/admin/"),
        ("GET", "/admin/users"),
        ("GET", f"/admin/users/{user_id}"),
        ("POST", f"/admin/users/{user_id}/suspend"),
        ("POST", f"/admin/users/{user_id}/restore"),
        ("GET", "/admin/reports"),
        ("POST", "/admin/reports/1/resolve"),
        ("POST", "/admin/reports/1/dismiss"),
        ("POST", "/admin/reports/1/hide-comment"),
    ]


def test_guests_are_sent_to_sign_in(client, cast):
    for method, url in _routes(cast):
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("login", ["malee", "somchai"])
def test_members_and_authors_get_403_everywhere(client, auth, cast, login):
    auth.login(login)
    for method, url in _routes(cast):
        assert client.open(url, method=method).status_code == 403, url
    assert db.session.get(User, cast.writer.id).is_suspended is False


def test_a_demoted_administrator_loses_the_area_at_once(client, auth, runner, cast):
    auth.login("admin")
    assert client.get("/admin/").status_code == 200
    runner.invoke(args=["users", "revoke-admin", "admin"])
    assert client.get("/admin/").status_code == 403


def test_administrators_see_the_area_and_a_header_link(client, auth, cast):
    auth.login("admin")
    for url in ("/admin/", "/admin/users", f"/admin/users/{cast.writer.id}", "/admin/reports"):
        assert client.get(url).status_code == 200, url
    assert 'href="/admin/reports"' in client.get("/").get_data(as_text=True)


def test_members_see_no_admin_link(client, auth, cast):
    auth.login("malee")
    assert "/admin/" not in client.get("/").get_data(as_text=True)


def test_unknown_ids_and_bad_filters_are_404(client, auth, cast):
    auth.login("admin")
    assert client.get("/admin/users/99999").status_code == 404
    assert client.post("/admin/users/99999/suspend", data={"reason": "x", "confirm": "y"}).status_code == 404
    assert client.post("/admin/users/99999/restore", data={"confirm": "y"}).status_code == 404
    assert client.post("/admin/reports/99999/resolve").status_code == 404
    assert client.post("/admin/reports/99999/dismiss").status_code == 404
    assert client.post("/admin/reports/99999/hide-comment").status_code == 404
    assert client.get("/admin/reports?status=weird").status_code == 404
    assert client.get("/admin/users?show=weird").status_code == 404
    assert client.get("/admin/users?page=0").status_code == 400
