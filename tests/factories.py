"""Builders for test data, going through the same services the views use (then committing)."""

from __future__ import annotations

from app.extensions import db

PASSWORD = "password123"


def make_user(
    username: str = "somchai", *, display_name: str | None = None, email: str | None = None, is_admin: bool = False
):
    from app.auth.services import register_user

    user = register_user(
        username,
        email or f"{username.lower()}@example.org",
        display_name or f"คุณ{username}",
        PASSWORD,
        is_admin=is_admin,
    )
    db.session.commit()
    return user


def make_blog(
    owner,
    slug: str = "km-notes",
    *,
    title: str = "บันทึกการจัดการความรู้",
    description: str = "",
    allow_guest_comments: bool = True,
):
    from app.blogs.services import create_blog

    blog = create_blog(owner, slug, title, description, allow_guest_comments=allow_guest_comments)
    db.session.commit()
    return blog


def make_entry(
    blog,
    author=None,
    *,
    title: str = "ลปรร. ครั้งแรกของทีม KM",
    body: str = "เนื้อหาบันทึก",
    tags: str = "",
    publish: bool = True,
    **kwargs,
):
    from app.entries.services import create_entry

    entry = create_entry(
        blog, author or blog.owner, title=title, body_markdown=body, tags=tags, publish=publish, **kwargs
    )
    db.session.commit()
    return entry


def make_station(
    owner, slug: str = "Chumphon-KM-Station", *, name: str = "ชุมชนคนทำ KM ชุมพร", join_policy: str = "open"
):
    from app.stations.services import create_station

    station = create_station(owner, slug, name, "", join_policy=join_policy)
    db.session.commit()
    return station
