"""Blogs: creating, editing and deleting them, and who may write in them. Add and flush; never commit."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.auth.services import find_user_by_username
from app.database import thai_order
from app.entries.services import delete_entry, published_entries_query
from app.errors import Conflict, DomainError
from app.extensions import db
from app.models import Blog, BlogAuthor, Entry, User
from app.text.normalize import normalize_text

SLUG_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,59}")
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000

# Words that name pages or are likely to in future; a blog called "new" would shadow /blogs/new links.
RESERVED_SLUGS = frozenset(
    {
        "about",
        "account",
        "admin",
        "administrator",
        "api",
        "atom",
        "authors",
        "b",
        "blog",
        "blogs",
        "c",
        "dashboard",
        "delete",
        "edit",
        "entries",
        "entry",
        "feed",
        "feeds",
        "help",
        "login",
        "logout",
        "new",
        "register",
        "root",
        "rss",
        "sala",
        "search",
        "settings",
        "static",
        "station",
        "stations",
        "support",
        "system",
        "tag",
        "tags",
        "u",
        "user",
        "users",
        "write",
        "www",
    }
)


def validate_slug(slug: str) -> str:
    """The slug, stripped, when it is well formed and not reserved; otherwise a DomainError on `slug`."""
    slug = (slug or "").strip()
    if not SLUG_PATTERN.fullmatch(slug):
        raise DomainError(
            _l("ที่อยู่บล็อกต้องยาว 3–60 ตัว ใช้ได้เฉพาะตัวอักษรอังกฤษ ตัวเลข - และ _ และต้องขึ้นต้นด้วยตัวอักษรหรือตัวเลข"),
            field="slug",
        )
    if slug.lower() in RESERVED_SLUGS:
        raise DomainError(_l("“%(slug)s” เป็นคำสงวนของระบบ กรุณาเลือกที่อยู่อื่น", slug=slug), field="slug")
    return slug


def _clean_title(title: str) -> str:
    cleaned = " ".join(normalize_text(title or "").split())
    if not cleaned:
        raise DomainError(_l("กรุณากรอกชื่อบล็อก"), field="title")
    if len(cleaned) > TITLE_MAX_LENGTH:
        raise DomainError(_l("ชื่อบล็อกยาวได้ไม่เกิน 200 ตัวอักษร"), field="title")
    return cleaned


def _clean_description(description: str) -> str:
    cleaned = normalize_text(description or "").replace("\r\n", "\n").strip()
    if len(cleaned) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(_l("คำอธิบายยาวได้ไม่เกิน 2,000 ตัวอักษร"), field="description")
    return cleaned


def _slug_taken(slug: str) -> Conflict:
    return Conflict(_l("ที่อยู่บล็อก “%(slug)s” มีผู้ใช้แล้ว กรุณาเลือกที่อยู่อื่น", slug=slug), field="slug")


def find_blog(slug: str) -> Blog | None:
    """The blog at `slug`, ignoring case."""
    return db.session.scalar(select(Blog).where(Blog.slug_key == slug.lower()))


def find_blog_for_page(slug: str) -> Blog | None:
    """The blog at `slug` with its owner and co-authors loaded, as its page names them."""
    stmt = (
        select(Blog)
        .where(Blog.slug_key == slug.lower())
        .options(joinedload(Blog.owner), selectinload(Blog.coauthor_links).joinedload(BlogAuthor.user))
    )
    return db.session.scalar(stmt)


def create_blog(
    owner: User, slug: str, title: str, description: str = "", *, allow_guest_comments: bool = True
) -> Blog:
    """Create a blog owned by `owner`; Conflict on `slug` when the address is taken in any letter case."""
    slug = validate_slug(slug)
    blog = Blog(
        slug=slug,
        slug_key=slug.lower(),
        title=_clean_title(title),
        description=_clean_description(description),
        owner_id=owner.id,
        allow_guest_comments=allow_guest_comments,
    )
    if find_blog(slug) is not None:
        raise _slug_taken(slug)
    db.session.add(blog)
    try:
        db.session.flush()
    except IntegrityError:
        # Someone took the slug between the check and the insert; the view rolls the session back.
        raise _slug_taken(slug) from None
    return blog


def update_blog(
    blog: Blog,
    *,
    title: str | None = None,
    description: str | None = None,
    allow_guest_comments: bool | None = None,
) -> Blog:
    """Change what is given (None leaves a field as it is); the slug stays, so links keep working."""
    if title is not None:
        blog.title = _clean_title(title)
    if description is not None:
        blog.description = _clean_description(description)
    if allow_guest_comments is not None:
        blog.allow_guest_comments = allow_guest_comments
    db.session.flush()
    return blog


def is_coauthor(blog: Blog, user: User) -> bool:
    return db.session.get(BlogAuthor, (blog.id, user.id)) is not None


def add_coauthor(blog: Blog, username: str) -> User:
    """Let the member named `username` write in the blog; errors name the `username` field."""
    name = (username or "").strip().lstrip("@")
    user = find_user_by_username(name) if name else None
    if user is None:
        raise DomainError(_l("ไม่พบสมาชิกชื่อผู้ใช้ “%(name)s”", name=name), field="username")
    if user.id == blog.owner_id:
        raise DomainError(_l("เจ้าของบล็อกเขียนบันทึกในบล็อกได้อยู่แล้ว ไม่ต้องเพิ่มเป็นผู้เขียนร่วม"), field="username")
    if is_coauthor(blog, user):
        raise Conflict(_l("%(name)s เป็นผู้เขียนร่วมของบล็อกนี้อยู่แล้ว", name=user.username), field="username")
    if user.is_suspended:
        raise DomainError(_l("บัญชี %(name)s ถูกระงับอยู่ จึงเพิ่มเป็นผู้เขียนร่วมไม่ได้", name=user.username), field="username")
    blog.coauthor_links.append(BlogAuthor(user=user))
    db.session.flush()
    return user


def remove_coauthor(blog: Blog, user: User) -> None:
    """Stop `user` writing in the blog; the entries they already wrote stay in it."""
    link = db.session.get(BlogAuthor, (blog.id, user.id))
    if link is None:
        raise DomainError(_l("%(name)s ไม่ได้เป็นผู้เขียนร่วมของบล็อกนี้", name=user.username))
    blog.coauthor_links.remove(link)
    db.session.flush()


def delete_blog(blog: Blog) -> None:
    """Delete the blog with its entries; comments, tags links and station links go with them by FK cascade."""
    for entry in db.session.scalars(select(Entry).where(Entry.blog_id == blog.id)).all():
        delete_entry(entry)
    db.session.delete(blog)
    db.session.flush()


def count_entries(blog: Blog) -> int:
    """Every entry in the blog, drafts included: what deleting the blog would delete."""
    return db.session.scalar(select(func.count()).select_from(Entry).where(Entry.blog_id == blog.id)) or 0


def writable_blog_ids(user: User) -> Select:
    """The ids of the blogs the user owns or co-authors (where `can(user, "write_in_blog", ...)` holds)."""
    coauthored = select(BlogAuthor.blog_id).where(BlogAuthor.user_id == user.id)
    return select(Blog.id).where(or_(Blog.owner_id == user.id, Blog.id.in_(coauthored)))


def blogs_writable_by(user: User) -> list[Blog]:
    """Blogs the user owns or co-authors, by title: the dashboard list and the editor's blog picker."""
    stmt = select(Blog).where(Blog.id.in_(writable_blog_ids(user))).order_by(thai_order(Blog.title), Blog.id)
    return list(db.session.scalars(stmt))


def blog_entries_query(blog: Blog) -> Select:
    """The blog's published entries, newest first (suspended authors' entries are left out)."""
    return published_entries_query().where(Entry.blog_id == blog.id)
