"""Community stations (ชุมชน): membership, moderators and the blogs whose entries feed a station.

Add and flush; never commit. Who may call what is decided by `app.permissions.can` in the views; these
functions enforce the rules of meaning (a slug is taken, a user is not a member, a request is not pending).

Decisions worth knowing:
- A member who leaves keeps their accepted blogs in the station: moderators accepted the blog itself, and the
  blog owner (or a moderator) can still remove it explicitly.
- A rejected join request or blog submission is deleted, so the person may ask again later.
- Switching a station to the open join policy accepts every pending join request: an open station has no one
  waiting at the door.
- `active_stations` orders by the newest published entry in each station's feed (activity, not size), then by
  member count, so a busy station surfaces on the home page even while it is small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, select, tuple_
from sqlalchemy.orm import contains_eager, joinedload

from app.changes import lists
from app.database import plain_rows, thai_order
from app.entries.cards import card_query
from app.errors import Conflict, DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import Blog, Entry, Station, StationBlog, StationMember, User
from app.models.entry import STATUS_PUBLISHED
from app.models.station import (
    JOIN_APPROVAL,
    JOIN_OPEN,
    ROLE_MEMBER,
    ROLE_MODERATOR,
    ROLE_OWNER,
    STATUS_ACCEPTED,
    STATUS_ACTIVE,
    STATUS_PENDING,
)
from app.models.types import utcnow
from app.page_cache import remember
from app.page_cache import tags as shown
from app.permissions import can, moderated_stations
from app.text.normalize import normalize_text

SLUG_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,59}$")
NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
JOIN_POLICIES = (JOIN_OPEN, JOIN_APPROVAL)
# Words that read as actions or pages under /c/ rather than as a station's name.
RESERVED_SLUGS = frozenset(
    {
        "new",
        "edit",
        "create",
        "feed",
        "feeds",
        "atom",
        "rss",
        "admin",
        "api",
        "static",
        "search",
        "login",
        "logout",
        "register",
        "settings",
        "members",
        "submit",
        "join",
        "leave",
        "help",
        "about",
    }
)


@dataclass(frozen=True, slots=True)
class ShownStation:
    """A station as a link to it, read as plain columns."""

    id: int
    slug: str
    name: str


# Built once, like the station page's statements below.
_STATIONS_OF_BLOG = (
    select(Station.id, Station.slug, Station.name)
    .join(StationBlog, StationBlog.station_id == Station.id)
    .where(StationBlog.blog_id == bindparam("blog_id"), StationBlog.status == STATUS_ACCEPTED)
    .order_by(thai_order(Station.name), Station.id)
)


def stations_of_blog(blog: Blog) -> list[ShownStation]:
    """Stations that have accepted this blog, by name (plain rows, declared with `shows`)."""
    stations = [ShownStation(*found) for found in plain_rows(_STATIONS_OF_BLOG, {"blog_id": blog.id})]
    shown.shows(*(lists.row("stations", station.id) for station in stations))
    return stations


# Built once: a statement made anew for every request cost SQLAlchemy as much to key as to run.
_STATION_BY_SLUG_KEY = select(Station).where(Station.slug_key == bindparam("slug_key"))
_STATIONS_BY_ID = select(Station).where(Station.id.in_(bindparam("ids", expanding=True)))


def find_station(slug: str) -> Station | None:
    """The station for this slug in any letter case."""
    return db.session.scalar(_STATION_BY_SLUG_KEY, {"slug_key": slug.lower()})


def _clean_line(value: str) -> str:
    return " ".join(normalize_text(value or "").split())


def _validate_slug(slug: str) -> str:
    slug = (slug or "").strip()
    if not SLUG_PATTERN.match(slug):
        raise DomainError(
            _l("ชื่อย่อต้องยาว 3–60 ตัว ใช้ตัวอักษรอังกฤษ ตัวเลข - หรือ _ และขึ้นต้นด้วยตัวอักษรหรือตัวเลข"),
            field="slug",
        )
    if slug.lower() in RESERVED_SLUGS:
        raise DomainError(_l("ชื่อย่อ “%(slug)s” สงวนไว้ใช้งานในระบบ", slug=slug), field="slug")
    taken = db.session.scalar(select(Station.id).where(Station.slug_key == slug.lower()))
    if taken is not None:
        raise Conflict(_l("ชื่อย่อ “%(slug)s” มีชุมชนอื่นใช้แล้ว", slug=slug), field="slug")
    return slug


def _validate_details(name: str, description: str, join_policy: str) -> tuple[str, str]:
    clean_name = _clean_line(name)
    if not clean_name:
        raise DomainError(_l("กรุณากรอกชื่อชุมชน"), field="name")
    if len(clean_name) > NAME_MAX_LENGTH:
        raise DomainError(_l("ชื่อชุมชนยาวได้ไม่เกิน 200 ตัวอักษร"), field="name")
    clean_description = normalize_text(description or "").strip()
    if len(clean_description) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(_l("คำอธิบายยาวได้ไม่เกิน 5,000 ตัวอักษร"), field="description")
    if join_policy not in JOIN_POLICIES:
        raise DomainError(_l("กรุณาเลือกวิธีรับสมาชิก"), field="join_policy")
    return clean_name, clean_description


def create_station(
    owner: User, slug: str, name: str, description: str = "", *, join_policy: str = JOIN_OPEN
) -> Station:
    """Create a station; its owner becomes its first member (role owner)."""
    slug = _validate_slug(slug)
    clean_name, clean_description = _validate_details(name, description, join_policy)
    station = Station(
        slug=slug,
        slug_key=slug.lower(),
        name=clean_name,
        description=clean_description,
        join_policy=join_policy,
        owner_id=owner.id,
    )
    db.session.add(station)
    db.session.flush()
    owner_row = StationMember(station_id=station.id, user_id=owner.id, role=ROLE_OWNER, status=STATUS_ACTIVE)
    db.session.add(owner_row)
    db.session.flush()
    return station


def update_station(station: Station, *, name: str, description: str, join_policy: str) -> Station:
    """Change name, description and join policy; the slug stays so links keep working."""
    clean_name, clean_description = _validate_details(name, description, join_policy)
    station.name = clean_name
    station.description = clean_description
    if join_policy == JOIN_OPEN and station.join_policy != JOIN_OPEN:
        for row in pending_members(station):
            row.status = STATUS_ACTIVE
    station.join_policy = join_policy
    db.session.flush()
    return station


def membership(station: Station, user: User) -> StationMember | None:
    """The user's membership row in the station (active or pending), or None."""
    return db.session.get(StationMember, (station.id, user.id))


def join_station(station: Station, user: User) -> StationMember:
    """Join an open station at once, or ask to join one that approves its members."""
    existing = membership(station, user)
    if existing is not None and existing.status == STATUS_PENDING:
        raise DomainError(_l("คุณส่งคำขอเข้าร่วมชุมชนนี้ไว้แล้ว กำลังรอการอนุมัติ"))
    if existing is not None or station.owner_id == user.id:
        raise DomainError(_l("คุณเป็นสมาชิกของชุมชนนี้อยู่แล้ว"))
    status = STATUS_ACTIVE if station.join_policy == JOIN_OPEN else STATUS_PENDING
    row = StationMember(station_id=station.id, user_id=user.id, role=ROLE_MEMBER, status=status)
    db.session.add(row)
    db.session.flush()
    return row


def leave_station(station: Station, user: User) -> None:
    """Leave the station, or withdraw a pending request. The owner cannot leave. Accepted blogs stay."""
    if station.owner_id == user.id:
        raise Forbidden(_l("เจ้าของชุมชนออกจากชุมชนไม่ได้"))
    row = membership(station, user)
    if row is None:
        raise DomainError(_l("คุณไม่ได้เป็นสมาชิกของชุมชนนี้"))
    db.session.delete(row)
    db.session.flush()


def _pending_request(station: Station, user: User) -> StationMember:
    row = membership(station, user)
    if row is None or row.status != STATUS_PENDING:
        raise NotFound(_l("ไม่พบคำขอเข้าร่วมของ %(name)s", name=user.display_name))
    return row


def approve_member(station: Station, user: User) -> StationMember:
    row = _pending_request(station, user)
    row.status = STATUS_ACTIVE
    db.session.flush()
    return row


def reject_member(station: Station, user: User) -> None:
    db.session.delete(_pending_request(station, user))
    db.session.flush()


def set_moderator(station: Station, user: User, on: bool) -> StationMember:
    """Make an active member a moderator (on) or a plain member again (off)."""
    row = membership(station, user)
    if station.owner_id == user.id or (row is not None and row.role == ROLE_OWNER):
        raise DomainError(_l("เจ้าของชุมชนเป็นผู้ดูแลอยู่แล้ว"))
    if row is None or row.status != STATUS_ACTIVE:
        raise DomainError(_l("ผู้ดูแลต้องเป็นสมาชิกของชุมชน"))
    row.role = ROLE_MODERATOR if on else ROLE_MEMBER
    db.session.flush()
    return row


def submit_blog(station: Station, blog: Blog, user: User) -> StationBlog:
    """Offer one's own blog to the station; moderators' (and the owner's) submissions are accepted at once."""
    row = membership(station, user)
    if row is None or row.status != STATUS_ACTIVE:
        raise Forbidden(_l("ต้องเป็นสมาชิกของชุมชนก่อนจึงจะส่งบล็อกได้"))
    if blog.owner_id != user.id:
        raise Forbidden(_l("ส่งได้เฉพาะบล็อกที่คุณเป็นเจ้าของ"), field="blog")
    existing = db.session.get(StationBlog, (station.id, blog.id))
    if existing is not None:
        if existing.status == STATUS_ACCEPTED:
            raise Conflict(_l("บล็อกนี้อยู่ในชุมชนแล้ว"), field="blog")
        raise Conflict(_l("ส่งบล็อกนี้ไว้แล้ว กำลังรอผู้ดูแลอนุมัติ"), field="blog")
    accepted = can(user, "moderate_station", station)
    link = StationBlog(
        station_id=station.id,
        blog_id=blog.id,
        submitted_by_id=user.id,
        status=STATUS_ACCEPTED if accepted else STATUS_PENDING,
        decided_at=utcnow() if accepted else None,
    )
    db.session.add(link)
    db.session.flush()
    return link


def submittable_blogs(user: User) -> list[Blog]:
    """Blogs the user may offer to a station: the ones they own (co-authors do not speak for a blog)."""
    stmt = select(Blog).where(Blog.owner_id == user.id).order_by(thai_order(Blog.title), Blog.id)
    return list(db.session.scalars(stmt))


def get_station_blog(station: Station, blog: Blog) -> StationBlog | None:
    return db.session.get(StationBlog, (station.id, blog.id))


def _pending_submission(station: Station, blog: Blog) -> StationBlog:
    link = get_station_blog(station, blog)
    if link is None or link.status != STATUS_PENDING:
        raise NotFound(_l("ไม่พบบล็อก “%(title)s” ในรายการรออนุมัติ", title=blog.title))
    return link


def approve_blog(station: Station, blog: Blog) -> StationBlog:
    link = _pending_submission(station, blog)
    link.status = STATUS_ACCEPTED
    link.decided_at = utcnow()
    db.session.flush()
    return link


def reject_blog(station: Station, blog: Blog) -> None:
    db.session.delete(_pending_submission(station, blog))
    db.session.flush()


def remove_blog(station: Station, blog: Blog) -> None:
    """Take a blog (accepted or pending) out of the station; its entries leave the feed."""
    link = get_station_blog(station, blog)
    if link is None:
        raise NotFound(_l("บล็อก “%(title)s” ไม่ได้อยู่ในชุมชนนี้", title=blog.title))
    db.session.delete(link)
    db.session.flush()


def _accepted_blog_ids(station_id: int) -> Select:
    return select(StationBlog.blog_id).where(
        StationBlog.station_id == station_id, StationBlog.status == STATUS_ACCEPTED
    )


def station_entries_query(station: Station) -> Select:
    """Published entries (author not suspended) of the station's accepted blogs, newest first."""
    from app.entries.services import published_entries_query

    return published_entries_query().where(Entry.blog_id.in_(_accepted_blog_ids(station.id)))


# `station_entries_query` as entry cards, built once (app/pagination.py, paginate_cards); "station_id" is a bind
# parameter.
STATION_CARDS = card_query(
    Entry.blog_id.in_(
        select(StationBlog.blog_id).where(
            StationBlog.station_id == bindparam("station_id"), StationBlog.status == STATUS_ACCEPTED
        )
    )
)


@dataclass(frozen=True, slots=True)
class ShownPerson:
    """A person as the station page lists them, read as plain columns (the attributes of a `User` it shows)."""

    id: int
    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class ShownBlog:
    id: int
    slug: str
    title: str
    owner_id: int
    owner: ShownPerson


@dataclass(frozen=True, slots=True)
class ShownBlogLink:
    """An accepted blog's link as the station page shows it, read as plain columns: the attributes of a
    `StationBlog` that the page and the rule of who may remove it read, under the same names."""

    station_id: int
    blog_id: int
    blog: ShownBlog
    station: Station


_ACCEPTED_BLOG_LINKS = (
    select(Blog.id, Blog.slug, Blog.title, Blog.owner_id, User.username, User.display_name)
    .join(StationBlog, StationBlog.blog_id == Blog.id)
    .join(User, User.id == Blog.owner_id)
    .where(StationBlog.station_id == bindparam("station_id"), StationBlog.status == STATUS_ACCEPTED)
    .order_by(thai_order(Blog.title), Blog.id)
)


def accepted_blog_links(station: Station) -> list[ShownBlogLink]:
    """The station's accepted blogs (as links, so pages can ask who may remove each), by blog title.

    The station page's lists are read as plain rows, which the page cache does not record by itself: the rows
    read are declared with `shows`."""
    links, rows = [], []
    for blog_id, slug, title, owner_id, username, display_name in plain_rows(
        _ACCEPTED_BLOG_LINKS, {"station_id": station.id}
    ):
        rows += [
            lists.row("station_blogs", station.id, blog_id),
            lists.row("blogs", blog_id),
            lists.row("users", owner_id),
        ]
        owner = ShownPerson(owner_id, username, display_name)
        links.append(ShownBlogLink(station.id, blog_id, ShownBlog(blog_id, slug, title, owner_id, owner), station))
    shown.shows(*rows)
    return links


def blog_links_by_key(keys: list[tuple[int, ...]]) -> dict[tuple[int, ...], StationBlog]:
    """Blogs' links by (station id, blog id), with their station and blog, in one statement."""
    stmt = (
        select(StationBlog)
        .where(tuple_(StationBlog.station_id, StationBlog.blog_id).in_(keys))
        .options(joinedload(StationBlog.station), joinedload(StationBlog.blog))
    )
    return {(link.station_id, link.blog_id): link for link in db.session.scalars(stmt)}


def pending_blogs(station: Station) -> list[StationBlog]:
    """Blog submissions waiting for a moderator, oldest first, with the blog, its owner and the submitter."""
    stmt = (
        select(StationBlog)
        .where(StationBlog.station_id == station.id, StationBlog.status == STATUS_PENDING)
        .options(joinedload(StationBlog.blog).joinedload(Blog.owner), joinedload(StationBlog.submitted_by))
        .order_by(StationBlog.created_at)
    )
    return list(db.session.scalars(stmt))


def pending_members(station: Station) -> list[StationMember]:
    """Join requests waiting for a moderator, oldest first."""
    stmt = (
        select(StationMember)
        .where(StationMember.station_id == station.id, StationMember.status == STATUS_PENDING)
        .options(joinedload(StationMember.user))
        .order_by(StationMember.created_at)
    )
    return list(db.session.scalars(stmt))


def pending_count(station: Station) -> int:
    """Join requests and blog submissions waiting for a moderator, counted in one query."""
    members = (
        select(func.count())
        .select_from(StationMember)
        .where(StationMember.station_id == station.id, StationMember.status == STATUS_PENDING)
        .scalar_subquery()
    )
    blogs = (
        select(func.count())
        .select_from(StationBlog)
        .where(StationBlog.station_id == station.id, StationBlog.status == STATUS_PENDING)
        .scalar_subquery()
    )
    return db.session.scalar(select(members + blogs)) or 0


def _role_order():
    return case((StationMember.role == ROLE_OWNER, 0), (StationMember.role == ROLE_MODERATOR, 1), else_=2)


def _active_conditions(station_id: ColumnElement[int] | int) -> tuple[ColumnElement[bool], ...]:
    return (StationMember.station_id == station_id, StationMember.status == STATUS_ACTIVE, User.is_suspended.is_(False))


def _member_order() -> tuple[ColumnElement, ...]:
    return (_role_order(), StationMember.created_at, StationMember.user_id)


def _active_members(station_id: ColumnElement[int] | int) -> Select:
    return (
        select(StationMember)
        .join(StationMember.user)
        .where(*_active_conditions(station_id))
        .options(contains_eager(StationMember.user))
        .order_by(*_member_order())
    )


def active_members_query(station: Station) -> Select:
    """Active membership rows (with their users): owner, then moderators, then members, earliest first."""
    return _active_members(station.id)


# Built once, as the station page asks them on every view: building them cost as much as running them.
_FIRST_MEMBERS = (
    select(User.id, User.username, User.display_name)
    .join(StationMember, StationMember.user_id == User.id)
    .where(*_active_conditions(bindparam("station_id")))
    .order_by(*_member_order())
    .limit(bindparam("limit"))
)
_MODERATORS = (
    select(User.id, User.username, User.display_name)
    .join(StationMember, StationMember.user_id == User.id)
    .where(
        StationMember.station_id == bindparam("station_id"),
        StationMember.status == STATUS_ACTIVE,
        StationMember.role.in_((ROLE_OWNER, ROLE_MODERATOR)),
    )
    .order_by(_role_order(), StationMember.created_at)
)


def first_members(station: Station, limit: int) -> list[ShownPerson]:
    """The first `limit` people of the member list, in its order (plain rows, declared with `shows`)."""
    people = [ShownPerson(*found) for found in plain_rows(_FIRST_MEMBERS, {"station_id": station.id, "limit": limit})]
    shown.shows(
        *(tag for p in people for tag in (lists.row("users", p.id), lists.row("station_members", station.id, p.id)))
    )
    return people


def moderators(station: Station) -> list[ShownPerson]:
    """The owner and moderators, owner first (plain rows, declared with `shows`)."""
    people = [ShownPerson(*found) for found in plain_rows(_MODERATORS, {"station_id": station.id})]
    shown.shows(*(lists.row("users", person.id) for person in people))
    return people


def _counted_members() -> Select:
    """Active members whose accounts are not suspended: the people the member list shows."""
    return (
        select(func.count())
        .select_from(StationMember)
        .join(User, User.id == StationMember.user_id)
        .where(StationMember.status == STATUS_ACTIVE, User.is_suspended.is_(False))
    )


def _member_count_column():
    return _counted_members().where(StationMember.station_id == Station.id).correlate(Station).scalar_subquery()


_MEMBER_COUNT = _counted_members().where(StationMember.station_id == bindparam("station_id"))


def member_count(station: Station) -> int:
    return db.session.scalar(_MEMBER_COUNT, {"station_id": station.id}) or 0


def stations_query() -> Select:
    """All stations, newest first, for the station list."""
    return select(Station).order_by(Station.created_at.desc(), Station.id.desc())


def station_counts(stations: list[Station]) -> dict[int, tuple[int, int]]:
    """(active members, accepted blogs) for each station id, in two grouped queries for the whole page."""
    ids = [station.id for station in stations]
    if not ids:
        return {}
    members = dict(
        db.session.execute(
            _counted_members()
            .with_only_columns(StationMember.station_id, func.count())
            .where(StationMember.station_id.in_(ids))
            .group_by(StationMember.station_id)
        ).all()
    )
    blogs = dict(
        db.session.execute(
            select(StationBlog.station_id, func.count())
            .where(StationBlog.station_id.in_(ids), StationBlog.status == STATUS_ACCEPTED)
            .group_by(StationBlog.station_id)
        ).all()
    )
    return {station_id: (members.get(station_id, 0), blogs.get(station_id, 0)) for station_id in ids}


def active_stations(limit: int = 5) -> list[Station]:
    """Stations with the most recent published entry in their feed first, then the most members.

    The ranking reads every published entry of every station, so it is kept (app/page_cache/store.py)
    until an entry, a station, a membership or a station's blogs change.
    """
    ids = remember(
        f"active-stations:{limit}", [lists.ALL_STATIONS, lists.ALL_ENTRIES], lambda: _active_station_ids(limit)
    )
    found = {station.id: station for station in db.session.scalars(_STATIONS_BY_ID, {"ids": ids})} if ids else {}
    return [found[station_id] for station_id in ids if station_id in found]


def _active_station_ids(limit: int) -> list[int]:
    latest = (
        select(StationBlog.station_id, func.max(Entry.published_at).label("latest"))
        .join(Entry, Entry.blog_id == StationBlog.blog_id)
        .join(User, User.id == Entry.author_id)
        .where(
            StationBlog.status == STATUS_ACCEPTED,
            Entry.status == STATUS_PUBLISHED,
            User.is_suspended.is_(False),
        )
        .group_by(StationBlog.station_id)
        .subquery()
    )
    stmt = (
        select(Station.id)
        .outerjoin(latest, latest.c.station_id == Station.id)
        .order_by(
            latest.c.latest.is_(None),
            latest.c.latest.desc(),
            _member_count_column().desc(),
            Station.created_at.desc(),
        )
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def stations_moderated_by(user: User) -> list[Station]:
    """Stations the user owns or moderates, by name."""
    stmt = select(Station).where(moderated_stations(user)).order_by(thai_order(Station.name), Station.id)
    return list(db.session.scalars(stmt))


def stations_of_user(user: User) -> list[Station]:
    """Stations the user is an active member of (any role), by name."""
    stmt = (
        select(Station)
        .join(StationMember, and_(StationMember.station_id == Station.id, StationMember.user_id == user.id))
        .where(StationMember.status == STATUS_ACTIVE)
        .order_by(thai_order(Station.name), Station.id)
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class PendingRequest:
    """Something waiting for a moderator: a join request (kind "member") or a blog submission (kind "blog").

    `user` is the person asking to join, or the person who submitted the blog; `blog` is None for join
    requests. Both kinds are reviewed on the station's members page (`stations.members`).
    """

    kind: str
    station: Station
    user: User | None
    blog: Blog | None
    created_at: datetime


def pending_requests_for_moderator(user: User) -> list[PendingRequest]:
    """Join requests and blog submissions waiting in stations the user owns or moderates, oldest first."""
    station_ids = select(Station.id).where(moderated_stations(user))
    members = db.session.scalars(
        select(StationMember)
        .where(StationMember.station_id.in_(station_ids), StationMember.status == STATUS_PENDING)
        .options(joinedload(StationMember.station), joinedload(StationMember.user))
    )
    blogs = db.session.scalars(
        select(StationBlog)
        .where(StationBlog.station_id.in_(station_ids), StationBlog.status == STATUS_PENDING)
        .options(joinedload(StationBlog.station), joinedload(StationBlog.submitted_by), joinedload(StationBlog.blog))
    )
    requests = [PendingRequest("member", row.station, row.user, None, row.created_at) for row in members]
    requests += [PendingRequest("blog", link.station, link.submitted_by, link.blog, link.created_at) for link in blogs]
    requests.sort(key=lambda request: request.created_at)
    return requests
