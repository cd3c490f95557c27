"""`flask demo`: a small Thai demo set, loaded once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import (
    STATUS_DRAFT,
    STATUS_PUBLISHED,
    Blog,
    BlogAuthor,
    Comment,
    Entry,
    Follow,
    Station,
    StationBlog,
    Tag,
    User,
)
from app.models.station import STATUS_ACCEPTED
from tests.conftest import IsolatedCliRunner
from tests.security.production import production_app


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def _counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (User, Blog, BlogAuthor, Station, StationBlog, Entry, Comment, Tag, Follow)
    }


def test_demo_loads_the_promised_set(runner):
    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.stdout
    assert "somchai" in result.stdout
    counts = _counts()
    assert counts["User"] >= 3
    assert counts["Blog"] >= 3
    assert counts["Station"] >= 2
    assert counts["Follow"] >= 1
    published = _count(select(Entry).where(Entry.status == STATUS_PUBLISHED))
    assert published >= 12
    assert _count(select(Entry).where(Entry.status == STATUS_DRAFT)) >= 1
    untagged = [entry.title for entry in db.session.scalars(select(Entry)) if not entry.tags]
    assert untagged == []


def test_demo_details(runner):
    runner.invoke(args=["demo"])
    db.session.expire_all()

    assert db.session.scalar(select(Station).where(Station.slug == "Chumphon-KM-Station")) is not None
    authors_per_blog = db.session.execute(
        select(Entry.blog_id, func.count(Entry.author_id.distinct()))
        .join(BlogAuthor, BlogAuthor.blog_id == Entry.blog_id)
        .group_by(Entry.blog_id)
    ).all()
    assert any(authors >= 2 for _, authors in authors_per_blog)
    bodies = [entry.body_html for entry in db.session.scalars(select(Entry))]
    assert any("<table" in html for html in bodies)
    assert any("<blockquote" in html for html in bodies)
    assert any('href="https://' in html for html in bodies)
    assert any("๒๕๖๘" in entry.body_markdown for entry in db.session.scalars(select(Entry)))
    member_comments = db.session.scalars(select(Comment).where(Comment.author_id.is_not(None))).all()
    guest_comments = db.session.scalars(select(Comment).where(Comment.author_id.is_(None))).all()
    assert member_comments
    assert any(
        comment.guest_name and comment.ip_address and comment.ip_address.count(".") == 3 for comment in guest_comments
    )
    accepted = select(StationBlog.blog_id).where(StationBlog.status == STATUS_ACCEPTED)
    in_both = db.session.execute(
        accepted.group_by(StationBlog.blog_id).having(func.count(StationBlog.station_id) >= 2)
    ).all()
    assert in_both
    dates = {entry.published_at.date() for entry in db.session.scalars(select(Entry)) if entry.published_at}
    assert (max(dates) - min(dates)).days >= 60
    months = {(day.year, day.month) for day in dates}
    assert len(months) >= 3


def test_demo_twice_adds_nothing(runner):
    runner.invoke(args=["demo"])
    before = _counts()

    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "มีข้อมูลตัวอย่างอยู่แล้ว" in result.stdout
    assert _counts() == before


def test_demo_users_can_log_in_and_pages_render(runner, client, auth):
    runner.invoke(args=["demo"])

    assert auth.login("somchai", DEMO_PASSWORD).status_code == 302
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert "คำขอที่รอคุณพิจารณา" in dashboard.get_data(as_text=True)
    home = client.get("/")
    assert home.status_code == 200
    assert "Chumphon-KM-Station" in home.get_data(as_text=True)
    for path in ("/u/somchai", "/u/malee/followers", "/c/Chumphon-KM-Station", "/b/chumphon-km", "/tags"):
        assert client.get(path).status_code == 200, path


def test_demo_refuses_a_production_site_unless_forced(app):
    production = production_app(app)
    production.test_cli_runner_class = IsolatedCliRunner
    runner = production.test_cli_runner()

    refused = runner.invoke(args=["demo"])
    assert refused.exit_code == 1
    assert "production" in refused.output and "--force" in refused.output
    assert _counts()["User"] == 0

    forced = runner.invoke(args=["demo", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _counts()["User"] >= 3
