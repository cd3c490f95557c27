"""Result pages are consecutive slices of one ordering: walking every page gives each hit once, in the order of
one big window, whatever the sort, the filter or the page size.

The corpus has many entries with the same words in the same places (equal scores) and the same publication
time (equal dates), so the order rests on its tie-break; a common multi-piece word appears in well over one
page of them, in varied contexts, sometimes split apart so that a phrase check turns entries away.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from whoosh import index as whoosh_index

from app.entries.services import create_entry
from app.extensions import db
from app.search.backends.whoosh import postings
from app.search.backends.whoosh.index import current_dir
from app.search.query import SearchFilters, search
from tests.conftest import built_once
from tests.factories import make_blog, make_user

ENTRIES = 160
BATCH = 20
# Texts repeat so that many entries score alike; "ทีม งาน" apart does not hold the phrase ทีมงาน.
BODIES = (
    "ทีมงานแลกเปลี่ยนความรู้กันทุกสัปดาห์",
    "ทีมงานลงพื้นที่ชุมชน",
    "ความรู้จากการปฏิบัติของทีมงานและชุมชน ทีมงานเขียนบันทึกไว้",
    "ทีม งาน และความรู้ในโรงเรียน",
    "บันทึกความรู้ของชุมชน",
)
SAME_TIME = datetime(2026, 3, 1, 9, 0)


def build() -> dict[str, str]:
    owner = make_user("paging")
    blogs = [make_blog(owner, "paging-one"), make_blog(owner, "paging-two")]
    for i in range(ENTRIES):
        create_entry(
            blogs[i % 2],
            owner,
            title=f"บันทึกที่ {i % 7}",
            body_markdown=BODIES[i % len(BODIES)],
            tags="ทีมงาน" if i % 3 else "",
            publish=True,
            published_at=SAME_TIME if i % 4 else datetime(2026, 1, 1 + i % 28, 8, 0),
        )
        if i % BATCH == BATCH - 1:
            # A commit per batch rather than per entry: the index still holds several segments (pages cross them).
            db.session.commit()
    return {"blog": blogs[1].slug}


@pytest.fixture
def corpus(request, app):
    return built_once(request, app, build)


def walked(q: str, filters: SearchFilters, sort: str, per_page: int) -> list[int]:
    """Entry ids of every page in turn, up to the first empty page."""
    ids: list[int] = []
    page = 1
    while True:
        hits = search(q, filters, sort=sort, page=page, per_page=per_page).hits
        if not hits:
            return ids
        ids += [hit.entry.id for hit in hits]
        page += 1


@pytest.mark.parametrize("q", ["ทีมงาน", "ความรู้", "ทีมงาน ความรู้", '"ทีมงาน"'])
@pytest.mark.parametrize("sort", ["relevance", "newest"])
@pytest.mark.parametrize("filtered", [False, True])
def test_pages_are_slices_of_one_ordering(corpus, q, sort, filtered):
    filters = SearchFilters(blog=corpus["blog"]) if filtered else SearchFilters()
    whole = search(q, filters, sort=sort, per_page=100)
    every = [hit.entry.id for hit in whole.hits]
    every += [hit.entry.id for hit in search(q, filters, sort=sort, page=2, per_page=100).hits]
    assert len(every) == len(set(every)) > 40
    for per_page in (7, 10, 30):
        assert walked(q, filters, sort, per_page) == every, per_page


@pytest.mark.search_backends("whoosh")
def test_the_corpus_spans_several_index_segments(corpus):
    """The pages above cross segment boundaries (each segment numbers its documents from zero)."""
    with whoosh_index.open_dir(str(current_dir())).reader() as reader:
        sizes = sorted(leaf.doc_count_all() for leaf, _offset in reader.leaf_readers())
    assert len(sizes) > 1 and sum(sizes) == ENTRIES


def test_the_best_few_among_equal_keys_start_the_whole_order():
    """Whoosh's array ranking: the first `limit` by score or date are the start of the full order even when
    the cut falls inside a run of equal keys (a partial sort alone takes any of them)."""
    rng = np.random.default_rng(7)
    ids = np.arange(0, 3000, 3, dtype=np.int64)
    matches = postings.Matches(ids, rng.integers(0, 4, len(ids)).astype(np.float64))
    published = rng.integers(0, 3, 3000).astype(np.int64)
    whole_top = postings.top(matches, None)
    whole_newest = postings.newest(matches, published, None)
    for limit in (1, 7, 100, 333, 999):
        assert postings.top(matches, limit) == whole_top[:limit]
        assert postings.newest(matches, published, limit) == whole_newest[:limit]


@pytest.mark.search_backends("postgres")
@pytest.mark.parametrize("q", ["ทีมงาน", "ความรู้", "ทีมงาน ความรู้"])
@pytest.mark.parametrize("filtered", [False, True])
def test_bounded_ranking_pages_are_slices_of_one_ordering(corpus, monkeypatch, q, filtered):
    """The PostgreSQL backend's bounded ranking of common queries (its newest matches ranked first, then the
    rest): the same hits, each once, on pages cut anywhere, across the candidates' end and their equal keys."""
    from app.search.backends import postgres

    filters = SearchFilters(blog=corpus["blog"]) if filtered else SearchFilters()
    every = set(walked(q, filters, "relevance", 100))
    monkeypatch.setattr(postgres, "BOUNDED_RANK", 15)
    monkeypatch.setattr(postgres, "BOUNDED_MIN_MATCHES", 1)
    monkeypatch.setattr(postgres, "BOUNDED_READ_ROWS", 10**6)
    monkeypatch.setattr(postgres, "_documents", lambda session: float(ENTRIES))
    calls = []
    newest = postgres._newest_own_matches
    monkeypatch.setattr(postgres, "_newest_own_matches", lambda *args: calls.append(1) or newest(*args))
    bounded = walked(q, filters, "relevance", 100)
    assert calls and len(bounded) == len(set(bounded)) and set(bounded) == every
    for per_page in (7, 10, 30):
        assert walked(q, filters, "relevance", per_page) == bounded, per_page
