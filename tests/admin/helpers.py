"""Shared set-up for the administration tests: an administrator, a member with content, a reader."""

from __future__ import annotations

from dataclasses import dataclass

from app.comments.services import add_comment
from app.extensions import db
from app.models import Comment, Entry, User
from app.stations.services import submit_blog
from tests.factories import make_blog, make_entry, make_station, make_user


@dataclass
class Cast:
    admin: User
    writer: User
    reader: User
    entry: Entry  # by writer, tagged and in a station
    others_entry: Entry  # by reader, with a comment by writer
    comment: Comment  # writer's comment on reader's entry


def make_cast() -> Cast:
    admin = make_user("admin", is_admin=True)
    writer = make_user("somchai", display_name="สมชาย ใจดี")
    reader = make_user("malee", display_name="มาลี ศรีสุข")
    blog = make_blog(writer, "somchai-notes", title="บล็อกของสมชาย")
    station = make_station(writer, "Orchard-Station", name="ชุมชนคนทำสวน")
    submit_blog(station, blog, writer)
    db.session.commit()
    entry = make_entry(blog, title="น้ำหมักชีวภาพสูตรเด็ด", body="สูตรน้ำหมักชีวภาพ", tags="เกษตร")
    others_entry = make_entry(make_blog(reader, "malee-notes", title="บล็อกของมาลี"), title="ปลูกผักบุ้ง")
    comment = add_comment(others_entry, "ความเห็นเรื่องปุ๋ยหมักของสมชาย", user=writer)
    db.session.commit()
    return Cast(admin, writer, reader, entry, others_entry, comment)
