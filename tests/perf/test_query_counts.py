"""No N+1: each page runs the same number of SQL statements whether it shows two items or thirty.

Both worlds (tests/perf/world.py) are built once for the module, each in its own app and database; every page
is then fetched by each kind of viewer and its statements counted. The small world shows one entry per page
(ENTRIES_PER_PAGE=1), so its page 2 exists and shows one card where the large world's shows ten.

PAGES records how many statements each page runs today. A page that starts running more fails here by
name; one that runs fewer should have its number lowered.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from typing import NamedTuple

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import User
from tests.conftest import AuthActions, IsolatedClient
from tests.perf.query_counter import QueryLog, count_queries
from tests.perf.world import COMMON_TAG, LARGE, SEARCH_WORD, SMALL, WorldSize, build_world

ANONYMOUS, READER, OWNER = "anonymous", "reader", "owner"
VIEWERS = (ANONYMOUS, READER, OWNER)


class Page(NamedTuple):
    """A page, what marks one item on it, the statements it may run for each viewer (None: members only),
    and what else it must show in both worlds, so a count is never low because a part went missing."""

    url: str
    item: str
    anonymous: int | None
    reader: int
    owner: int
    shows: tuple[str, ...] = ()


CARD, HIT, FEED_ITEM, PERSON = 'class="entry-card', 'class="entry-card search-hit"', "<entry>", 'href="/u/'

# Statements per page: anonymous, the signed-in reader, the owner of the blog and the station. The cache is off
# here, so values app/page_cache/derived.py keeps are computed each time (the home page's active stations are
# ranked by id, then loaded: one statement more than a single query, none at all once the ranking is kept).
# A signed-in viewer costs at least one statement more than a guest even when the page loads their user row
# anyway: every request checks that their sign-in still exists (user_sessions, app/auth/signins.py).
PAGES: dict[str, Page] = {
    "home": Page("/", CARD, 6, 7, 7),
    "home, page 2": Page("/?page=2", CARD, 6, 7, 7),
    "entry with comments": Page(
        "/posts/{featured}",
        '<article class="comment',
        8,
        9,
        9,
        shows=('id="related-heading"', 'class="meta stations"', 'rel="tag"', 'rel="prev"', "หมายเลขบันทึก"),
    ),
    "blog": Page("/b/main-blog", CARD, 6, 8, 7, shows=('href="/u/coauthor0"', 'href="/c/main-station"')),
    "blog, page 2": Page("/b/main-blog?page=2", CARD, 6, 8, 7),
    "blog feed": Page("/b/main-blog/feed.atom", FEED_ITEM, 3, 4, 4),
    # A member's audience (the station, their membership, whether they own a blog) is asked on every request,
    # so that a page kept for it can be served; a render asks for the station and membership again.
    "station": Page("/c/main-station", CARD, 8, 11, 14, shows=('href="/u/person0"', 'href="/b/person-blog-')),
    "station, page 2": Page("/c/main-station?page=2", CARD, 8, 11, 14),
    "station feed": Page("/c/main-station/feed.atom", FEED_ITEM, 3, 4, 4),
    "station members": Page("/c/main-station/members", PERSON, 3, 5, 6),
    "stations": Page("/c", 'class="entry-card station-card"', 4, 5, 5),
    "tag": Page(f"/tags/{COMMON_TAG}", CARD, 4, 5, 5),
    "tag, page 2": Page(f"/tags/{COMMON_TAG}?page=2", CARD, 4, 5, 5),
    "tag feed": Page(f"/tags/{COMMON_TAG}/feed.atom", FEED_ITEM, 3, 4, 4),
    "tags": Page("/tags", 'href="/tags/', 1, 2, 2),
    "profile": Page("/u/owner", CARD, 6, 8, 8),
    "profile, page 2": Page("/u/owner?page=2", CARD, 6, 8, 8),
    "followers": Page("/u/owner/followers", PERSON, 4, 5, 5),
    "following": Page("/u/owner/following", PERSON, 4, 5, 5),
    "search": Page(f"/search?q={SEARCH_WORD}", HIT, 2, 3, 3),
    "search, page 2": Page(f"/search?q={SEARCH_WORD}&page=2", HIT, 2, 3, 3),
    # A member's answer is sent private, no-store, which needs their sign-in checked (one statement).
    "search API": Page(f"/api/v1/search?q={SEARCH_WORD}", '"number"', 3, 4, 4),
    "dashboard": Page("/dashboard", 'href="/posts/', None, 10, 11, shows=('class="followed-list"',)),
}


@dataclass(frozen=True)
class Measured:
    status: int
    items: int
    missing: list[str]
    log: QueryLog


def _pages_for(viewer: str) -> list[str]:
    return [page for page in PAGES if getattr(PAGES[page], viewer) is not None]


def _measure_world(tmp_dir, migrated_template, size: WorldSize, per_page: int) -> dict[tuple[str, str], Measured]:
    db_path = tmp_dir / "sala.db"
    shutil.copy(migrated_template, db_path)
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SEARCH_INDEX_DIR": str(tmp_dir / "index"),
            "UPLOAD_DIR": str(tmp_dir / "uploads"),
            "ENTRIES_PER_PAGE": per_page,
            # Reads are written in batches after the response; keep that batch out of the page's count.
            "READ_FLUSH_BATCH": 10_000,
            "READ_FLUSH_INTERVAL_SECONDS": 10_000,
        },
    )
    app.test_client_class = IsolatedClient
    measured: dict[tuple[str, str], Measured] = {}
    with app.app_context():
        featured = build_world(size).number
        for viewer in VIEWERS:
            client = app.test_client()
            if viewer != ANONYMOUS:
                assert AuthActions(client).login(viewer).status_code == 302
            for page in _pages_for(viewer):
                url = PAGES[page].url.format(featured=featured)
                with count_queries(db.engine) as log:
                    response = client.get(url)
                body = response.get_data(as_text=True)
                missing = [part for part in PAGES[page].shows if part not in body]
                measured[page, viewer] = Measured(response.status_code, body.count(PAGES[page].item), missing, log)
        db.session.remove()
        db.engine.dispose()
    return measured


@pytest.fixture(scope="module")
def counts(tmp_path_factory, migrated_template) -> dict[str, dict[tuple[str, str], Measured]]:
    return {
        "small": _measure_world(tmp_path_factory.mktemp("small"), migrated_template, SMALL, per_page=1),
        "large": _measure_world(tmp_path_factory.mktemp("large"), migrated_template, LARGE, per_page=10),
    }


def test_the_counter_counts_each_statement(app):
    with count_queries(db.engine) as log:
        db.session.execute(select(1))
        db.session.scalars(select(User)).all()
    assert log.count == 2
    assert "FROM users" in log.statements[1]


def test_the_counter_stops_counting_after_its_block(app):
    with count_queries(db.engine) as log:
        db.session.execute(select(1))
    db.session.execute(select(1))
    assert log.count == 1


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_runs_as_many_queries_for_many_items_as_for_few(counts, page, viewer):
    budget = getattr(PAGES[page], viewer)
    if budget is None:
        pytest.skip("a page for members only")
    small, large = counts["small"][page, viewer], counts["large"][page, viewer]
    assert (small.status, large.status) == (200, 200)
    assert (small.missing, large.missing) == ([], [])
    assert 0 < small.items < large.items, f"{page} ({viewer}) should show more items in the large world"
    assert large.log.count == small.log.count, (
        f"{page} ({viewer}): {small.log.count} statements for {small.items} items, "
        f"{large.log.count} for {large.items}\n"
        f"--- small ---\n{small.log.summary()}\n--- large ---\n{large.log.summary()}"
    )
    assert large.log.count <= budget, f"{page} ({viewer}): {large.log.count} statements\n{large.log.summary()}"
