"""A site of a given size, built through the services, so query counts can be compared between sizes.

Every list a page shows has at least one item in the smallest world too: SQLAlchemy skips a selectinload
when there are no parent rows, so an empty list would make a page look cheaper than it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.auth.services import register_user
from app.blogs.services import add_coauthor, create_blog
from app.comments.services import add_comment
from app.entries.services import create_entry
from app.extensions import db
from app.models import Blog, Entry, User
from app.models.station import JOIN_APPROVAL
from app.stations.services import (
    approve_blog,
    approve_member,
    create_station,
    join_station,
    set_moderator,
    submit_blog,
)
from app.users.services import follow
from tests.factories import PASSWORD

START = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
SEARCH_WORD = "การจัดการความรู้"
COMMON_TAG = "km"


@dataclass(frozen=True)
class WorldSize:
    entries: int  # published entries in the main blog, by the owner and the first co-author in turn
    comments: int  # on the featured entry; every fourth is a guest's, every fifth hidden
    tags: int  # per entry besides COMMON_TAG, from a pool of twice as many
    coauthors: int  # of the main blog; each also owns a blog the owner co-writes
    people: int  # station members who follow the owner, are followed back and submit a blog
    stations: int  # that accepted the main blog
    drafts: int  # the owner's
    pending: int  # join requests (from people beyond `people`) and blog submissions waiting in the station


SMALL = WorldSize(entries=3, comments=2, tags=1, coauthors=1, people=2, stations=1, drafts=1, pending=1)
LARGE = WorldSize(entries=30, comments=40, tags=6, coauthors=5, people=16, stations=6, drafts=8, pending=6)


def _user(username: str) -> User:
    return register_user(username, f"{username}@example.org", f"คุณ{username}", PASSWORD, affiliation="สำนักงาน KM")


def _entry(blog: Blog, author: User, n: int, tags: list[str]) -> Entry:
    return create_entry(
        blog,
        author,
        title=f"{SEARCH_WORD} ตอนที่ {n}",
        body_markdown=f"เล่าเรื่อง{SEARCH_WORD}ในชุมชน ครั้งที่ {n}\n\n**ลปรร.** กับทีมงาน",
        tags=[COMMON_TAG, *tags],
        published_at=START + timedelta(hours=n),
    )


def _blogs(owner: User, coauthors: list[User]) -> tuple[Blog, list[Blog]]:
    """The main blog (all co-authors) and one blog per co-author, which the owner co-writes."""
    blog = create_blog(owner, "main-blog", "บล็อกหลักของเจ้าของ", "บันทึกจากหน้างาน")
    side_blogs = []
    for i, coauthor in enumerate(coauthors):
        add_coauthor(blog, coauthor.username)
        side = create_blog(coauthor, f"side-blog-{i}", f"บล็อกของผู้เขียนร่วม {i}")
        add_coauthor(side, owner.username)
        side_blogs.append(side)
    return blog, side_blogs


def _entries(size: WorldSize, blog: Blog, owner: User, coauthors: list[User], side_blogs: list[Blog]) -> Entry:
    """Entries in every blog and the owner's drafts; returns the featured (newest) entry of the main blog."""
    pool = [f"คำที่{i}" for i in range(2 * size.tags)]
    # Only the first co-author writes in the main blog, so the others' names on the blog page load on their own.
    # The newest entry is the owner's in every world, so both worlds load the same people along with it.
    writers = [owner, coauthors[0]]
    entries = [
        _entry(blog, writers[(size.entries - 1 - n) % 2], n, [pool[(n + k) % len(pool)] for k in range(size.tags)])
        for n in range(size.entries)
    ]
    for i, side in enumerate(side_blogs):
        _entry(side, coauthors[i], size.entries + i, pool[: size.tags])
    for i in range(size.drafts):
        create_entry(blog, owner, title=f"ร่างที่ {i}", body_markdown="ยังไม่เสร็จ", publish=False)
    return entries[-1]


def _comments(size: WorldSize, entry: Entry, commenters: list[User]) -> None:
    for i in range(size.comments):
        body = f"ขอบคุณสำหรับบันทึก ความเห็นที่ {i}"
        hidden = i % 5 == 4
        if i % 4 == 3:
            add_comment(entry, body, guest_name=f"ผู้อ่าน {i}", ip_address="203.0.113.9", hidden=hidden)
        else:
            add_comment(entry, body, user=commenters[i % len(commenters)], ip_address="198.51.100.7", hidden=hidden)


def _follows(owner: User, reader: User, coauthors: list[User], people: list[User]) -> None:
    for target in [owner, *coauthors]:
        follow(reader, target)
    for person in people:
        follow(person, owner)
        follow(owner, person)
    for target in [*coauthors, reader]:
        follow(owner, target)


def _stations(size: WorldSize, owner: User, blog: Blog, people: list[User]) -> None:
    """The main station (members, moderators, accepted and pending blogs, join requests) and others."""
    station = create_station(owner, "main-station", "ชุมชนคนทำ KM", "แลกเปลี่ยนเรียนรู้", join_policy=JOIN_APPROVAL)
    submit_blog(station, blog, owner)
    for i in range(1, size.stations):
        submit_blog(create_station(owner, f"station-{i}", f"ชุมชนที่ {i}"), blog, owner)
    members = people[: size.people]
    for person in people:
        join_station(station, person)
    for i, person in enumerate(members):
        approve_member(station, person)
        person_blog = create_blog(person, f"person-blog-{i}", f"บล็อกของสมาชิก {i}")
        _entry(person_blog, person, 1000 + i, [])
        submit_blog(station, person_blog, person)
        if i >= size.pending:
            approve_blog(station, person_blog)
    for person in members[::3]:
        set_moderator(station, person, True)


def build_world(size: WorldSize) -> Entry:
    """Build the site and commit once (so the search index is brought up to date once); returns the featured
    entry, the one with the comments."""
    owner, reader = _user("owner"), _user("reader")
    coauthors = [_user(f"coauthor{i}") for i in range(size.coauthors)]
    people = [_user(f"person{i}") for i in range(size.people + size.pending)]
    blog, side_blogs = _blogs(owner, coauthors)
    featured = _entries(size, blog, owner, coauthors, side_blogs)
    _comments(size, featured, [reader, *coauthors, *people])
    _follows(owner, reader, coauthors, people)
    _stations(size, owner, blog, people)
    db.session.commit()
    return featured
