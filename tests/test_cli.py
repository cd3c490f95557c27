"""`flask users create` and `flask blogs create`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Blog, User
from tests.factories import make_blog, make_user


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _user(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username_key == username.lower()))


def test_users_create(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Malee",
            "Malee@Example.org",
            "--password",
            "longenough1",
            "--display-name",
            "มาลี ศรีสุข",
        ]
    )

    assert result.exit_code == 0, result.output
    assert "Malee" in result.stdout
    user = _user("malee")
    assert user.username == "Malee"
    assert user.email == "malee@example.org"
    assert user.display_name == "มาลี ศรีสุข"
    assert user.check_password("longenough1")
    assert not user.is_admin


def test_users_create_defaults_the_display_name_to_the_username(runner):
    result = runner.invoke(args=["users", "create", "wichai", "wichai@example.org", "--password", "longenough1"])

    assert result.exit_code == 0, result.output
    assert _user("wichai").display_name == "wichai"


def test_users_create_admin(runner):
    result = runner.invoke(
        args=["users", "create", "admin", "admin@example.org", "--password", "longenough1", "--admin"]
    )

    assert result.exit_code == 0, result.output
    assert _user("admin").is_admin


def test_users_create_prompts_for_the_password_twice(runner):
    result = runner.invoke(args=["users", "create", "pranee", "pranee@example.org"], input="longenough1\nlongenough1\n")

    assert result.exit_code == 0, result.output
    assert "longenough1" not in result.output
    assert _user("pranee").check_password("longenough1")


def test_created_member_can_log_in(runner, auth):
    runner.invoke(args=["users", "create", "malee", "malee@example.org", "--password", "longenough1"])

    response = auth.login("malee", "longenough1")

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SOMCHAI", "new@example.org"], "มีผู้ใช้แล้ว"),
        (["somchai", "new@example.org"], "มีผู้ใช้แล้ว"),
        (["newbie", "somchai@example.org"], "อีเมลนี้ลงทะเบียนไว้แล้ว"),
        (["newbie", "SomChai@Example.org"], "อีเมลนี้ลงทะเบียนไว้แล้ว"),
        (["สมชาย", "new@example.org"], "ใช้ไม่ได้"),
        (["bad name", "new@example.org"], "ใช้ไม่ได้"),
        (["ab", "new@example.org"], "ใช้ไม่ได้"),
        (["newbie", "not-an-email"], "รูปแบบไม่ถูกต้อง"),
    ],
)
def test_users_create_fails_clearly_and_writes_nothing(runner, args, message):
    make_user("somchai")

    result = runner.invoke(args=["users", "create", *args, "--password", "longenough1"])

    assert result.exit_code != 0
    assert message in result.stderr
    assert _count(User) == 1


def test_users_create_refuses_a_short_password(runner):
    result = runner.invoke(args=["users", "create", "newbie", "new@example.org", "--password", "short"])

    assert result.exit_code != 0
    assert "อย่างน้อย 8 ตัวอักษร" in result.stderr
    assert _count(User) == 0


def test_blogs_create(runner):
    make_user("somchai")

    result = runner.invoke(args=["blogs", "create", "Chumphon-KM", "--owner", "SOMCHAI", "--title", "บันทึก KM ชุมพร"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    blog = db.session.scalar(select(Blog).where(Blog.slug_key == "chumphon-km"))
    assert blog.slug == "Chumphon-KM"
    assert blog.title == "บันทึก KM ชุมพร"
    assert blog.owner.username == "somchai"


def test_blogs_create_with_an_unknown_owner(runner):
    result = runner.invoke(args=["blogs", "create", "chumphon-km", "--owner", "nobody", "--title", "บล็อก"])

    assert result.exit_code != 0
    assert "ไม่พบผู้ใช้" in result.stderr
    assert _count(Blog) == 0


@pytest.mark.parametrize("slug", ["chumphon-km", "CHUMPHON-KM"])
def test_blogs_create_with_a_taken_slug(runner, slug):
    make_blog(make_user("somchai"), "chumphon-km")

    result = runner.invoke(args=["blogs", "create", slug, "--owner", "somchai", "--title", "อีกบล็อก"])

    assert result.exit_code != 0
    assert "มีผู้ใช้แล้ว" in result.stderr
    assert _count(Blog) == 1


def test_blogs_create_with_a_bad_slug(runner):
    make_user("somchai")

    result = runner.invoke(args=["blogs", "create", "บล็อกไทย", "--owner", "somchai", "--title", "บล็อก"])

    assert result.exit_code != 0
    assert "ที่อยู่บล็อก" in result.stderr
    assert _count(Blog) == 0


def test_blogs_create_requires_owner_and_title(runner):
    result = runner.invoke(args=["blogs", "create", "chumphon-km"])

    assert result.exit_code != 0
    assert _count(Blog) == 0
