"""The comment services on their own: rules, counting and who sees what."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_login import AnonymousUserMixin

from app.comments import services
from app.errors import DomainError
from app.extensions import db
from app.models import Comment
from tests.comments.helpers import assert_count
from tests.factories import make_blog, make_entry, make_user


def test_add_comment_renders_once_and_counts(cast):
    comment = services.add_comment(cast.entry, "สวัสดี\nครับ", user=cast.commenter, ip_address=" 192.0.2.9 ")
    db.session.commit()
    assert comment.body_text == "สวัสดี\nครับ"
    assert "สวัสดี" in comment.body_html
    assert comment.ip_address == "192.0.2.9"
    assert_count(cast.entry, 1)


def test_add_comment_keeps_imported_dates_and_hidden_state(cast):
    when = datetime(2008, 3, 1, 2, 30, tzinfo=UTC)
    services.add_comment(cast.entry, "เก่า", guest_name="ผู้อ่าน", created_at=when, hidden=True)
    db.session.commit()
    comment = db.session.scalar(db.select(Comment))
    assert comment.created_at == when
    assert comment.is_hidden
    assert_count(cast.entry, 0)


@pytest.mark.parametrize(
    ("entry_kwargs", "blog_kwargs", "as_member"),
    [
        ({"comments_enabled": False}, {}, True),
        ({"comments_enabled": False}, {}, False),
        ({"publish": False}, {}, True),
        ({}, {"allow_guest_comments": False}, False),
    ],
)
def test_add_comment_refuses_closed_entries(app, entry_kwargs, blog_kwargs, as_member):
    owner = make_user("somchai")
    entry = make_entry(make_blog(owner, **blog_kwargs), **entry_kwargs)
    with pytest.raises(DomainError):
        services.add_comment(entry, "ลองดู", user=owner if as_member else None, guest_name="นิด")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"body": "  "}, "body"),
        ({"body": "ก" * 10_001}, "body"),
        ({"guest_name": " "}, "guest_name"),
        ({"guest_name": "ก" * 101}, "guest_name"),
        ({"guest_email": "nobody@"}, "guest_email"),
    ],
)
def test_add_comment_validates_fields(cast, kwargs, field):
    arguments = {"body": "ความเห็น", "guest_name": "นิด", **kwargs}
    with pytest.raises(DomainError) as raised:
        services.add_comment(cast.entry, arguments.pop("body"), **arguments)
    assert raised.value.field == field


def test_recount_repairs_a_drifted_counter(cast):
    services.add_comment(cast.entry, "หนึ่ง", guest_name="นิด")
    services.add_comment(cast.entry, "สอง", guest_name="หน่อย")
    cast.entry.comment_count = 99
    db.session.flush()
    assert services.recount_comments(cast.entry) == 2
    db.session.commit()
    assert_count(cast.entry, 2)


def test_comments_for_entry_oldest_first_and_hidden_only_for_moderators(cast):
    def at(day: int) -> datetime:
        return datetime(2024, 1, day, tzinfo=UTC)

    later = services.add_comment(cast.entry, "ทีหลัง", guest_name="ข", created_at=at(3))
    hidden = services.add_comment(cast.entry, "ซ่อน", guest_name="ค", created_at=at(2), hidden=True)
    earlier = services.add_comment(cast.entry, "ก่อน", guest_name="ก", created_at=at(1))
    db.session.commit()

    def shown(viewer) -> list[int]:
        return [comment.id for comment in services.comments_for_entry(cast.entry, viewer)]

    reader_view = [earlier.id, later.id]
    moderator_view = [earlier.id, hidden.id, later.id]
    assert shown(AnonymousUserMixin()) == reader_view
    assert shown(None) == reader_view
    assert shown(cast.other) == reader_view
    assert shown(cast.author) == moderator_view
    assert shown(cast.owner) == moderator_view
    assert [c.is_hidden for c in services.comments_for_entry(cast.entry, cast.owner)] == [False, True, False]


def test_comments_for_entry_show_what_the_comment_shows(cast):
    """The plain rows carry what a `Comment` would give the templates and the comment rules."""
    guest = services.add_comment(cast.entry, "จากผู้เยี่ยมชม", guest_name="แขก", ip_address="10.1.2.3")
    member = services.add_comment(cast.entry, "จากสมาชิก", user=cast.other)
    db.session.commit()

    shown = {comment.id: comment for comment in services.comments_for_entry(cast.entry, None)}
    for comment in (guest, member):
        row = shown[comment.id]
        for name in ("entry_id", "author_id", "guest_name", "body_html", "ip_address", "is_hidden", "created_at"):
            assert getattr(row, name) == getattr(comment, name), name
        assert row.display_name == comment.display_name
        assert row.entry is cast.entry
    assert shown[guest.id].author is None
    assert (shown[member.id].author.username, shown[member.id].author.is_suspended) == (cast.other.username, False)


def test_hide_unhide_delete_keep_the_count(cast):
    a = services.add_comment(cast.entry, "ก", user=cast.commenter)
    b = services.add_comment(cast.entry, "ข", guest_name="นิด")
    db.session.commit()
    assert_count(cast.entry, 2)
    services.hide_comment(a)
    db.session.commit()
    assert_count(cast.entry, 1)
    services.unhide_comment(a)
    db.session.commit()
    assert_count(cast.entry, 2)
    services.hide_comment(b)
    services.delete_comment(b)
    db.session.commit()
    assert_count(cast.entry, 1)
    services.delete_comment(a)
    db.session.commit()
    assert_count(cast.entry, 0)
