"""The on-disk index: the link-to-version layout, rebuilding from the database, and the atomic swap."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select
from whoosh import index as whoosh_index

from app.extensions import db
from app.models import SearchTask
from app.search.backends.whoosh import writing
from app.search.backends.whoosh.index import open_index
from app.search.index import reindex
from tests.factories import make_blog, make_entry, make_user
from tests.search.helpers import ranked

# Index directories, versions and the swap are the Whoosh backend's (tests/search/test_postgres.py has the
# PostgreSQL rebuild).
pytestmark = pytest.mark.search_backends("whoosh")

QUERIES = ["ทุเรียน", "มังคุด", "ผลไม้", "สมชาย", "orchard", '"ทุเรียน หมอนทอง"', "ทุเรียน OR มังคุด"]


@pytest.fixture
def entries(app):
    blog = make_blog(make_user("somchai", display_name="สมชาย ใจดี"), "orchard", title="บันทึกชาวสวน")
    made = [
        make_entry(blog, title="ทุเรียนหมอนทอง", body="ปีนี้ทุเรียนหมอนทองออกผลดี", tags="ผลไม้"),
        make_entry(blog, title="มังคุดคัดเกรด", body="มังคุดผิวมันขายได้ราคา", tags="ผลไม้"),
        make_entry(blog, title="ขายส่ง", body="ส่งทุเรียนและมังคุดเข้าตลาด"),
        make_entry(blog, title="ร่าง", body="ทุเรียนร่าง", publish=False),
    ]
    return made


def results() -> dict[str, list[int]]:
    return {q: ranked(q) for q in QUERIES}


def index_path(app) -> Path:
    return Path(app.config["SEARCH_INDEX_DIR"])


def pending() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchTask))


def live(app) -> Path:
    return index_path(app).resolve()


def test_the_configured_path_is_a_link_to_a_versioned_sibling(app, entries):
    path = index_path(app)
    assert path.is_symlink()
    assert not os.path.isabs(os.readlink(path))  # relative, so the pair can be moved together
    assert live(app).parent == path.parent.resolve() and live(app).name.startswith("index.v")


def test_reindex_gives_the_same_results_from_a_new_directory(app, entries):
    before = results()
    old = live(app)
    result = reindex()
    assert result.documents == 3
    assert live(app) == result.directory.resolve() != old
    assert open_index().doc_count() == 3
    assert results() == before


def test_reindex_keeps_the_previous_version_and_removes_older_ones(app, entries):
    first = live(app)
    second = reindex().directory.resolve()
    third = reindex().directory.resolve()
    assert not first.exists()
    assert second.exists() and third.exists()
    assert live(app) == third


def test_reindex_covers_tasks_pending_before_it_started(app, entries):
    app.config["SEARCH_SYNC_ON_COMMIT"] = False
    durian = entries[0]
    durian.title = "ทุเรียนก้านยาว"
    db.session.commit()
    assert pending() == 1
    reindex()
    assert pending() == 0
    assert ranked("ก้านยาว") == [durian.number]


def test_a_change_committed_during_the_rebuild_is_applied_after_the_swap(app, entries, monkeypatch):
    blog = entries[0].blog
    build = writing.build
    during = []

    def build_then_write(version, session):
        count = build(version, session)
        # Another request commits while the new index is being built: the old index is locked, so its task
        # stays pending, and the rebuild applies it to the new index once swapped in.
        during.append(make_entry(blog, title="ลองกอง", body="ลองกองตันหยงมัส"))
        assert pending() == 1
        return count

    monkeypatch.setattr(writing, "build", build_then_write)
    reindex()
    assert pending() == 0
    assert ranked("ลองกอง") == [during[0].number]


def test_the_default_layout_keeps_other_files_beside_the_link(app, tmp_path):
    parent = tmp_path / "search_index"
    parent.mkdir()
    (parent / ".gitkeep").write_text("")
    app.config["SEARCH_INDEX_DIR"] = str(parent / "current")
    blog = make_blog(make_user("somchai"), "orchard", title="บันทึกชาวสวน")
    entry = make_entry(blog, title="ทุเรียนหมอนทอง", body="ปีนี้ทุเรียนออกผลดี")
    reindex()
    reindex()
    assert ranked("ทุเรียน") == [entry.number]
    assert (parent / ".gitkeep").exists()
    assert sorted(p.name.split(".v")[0] for p in parent.iterdir() if not p.name.startswith(".")) == [
        "current",
        "current",
        "current",  # the link, the live version and the previous one
    ]


def test_a_missing_index_directory_is_created_on_first_search(app):
    path = index_path(app)
    assert not path.exists()
    assert ranked("ทุเรียน") == []
    assert path.is_symlink() and live(app).is_dir()


def test_the_parallel_rebuild_gives_the_same_results(app, entries):
    before = results()
    app.config.update(SEARCH_REINDEX_PROCS=2, SEARCH_REINDEX_SEGMENT_DOCS=1)
    result = reindex()
    assert result.documents == 3
    assert len(whoosh_index.open_dir(str(result.directory)).reader().leaf_readers()) == 3  # one per worker job
    assert results() == before


def test_an_index_in_a_plain_directory_is_used_until_a_rebuild_moves_it_aside(app, tmp_path):
    from whoosh import index as whoosh_index

    from app.search.backends.whoosh.index import SCHEMA_FILE
    from app.search.schema import SCHEMA_VERSION, build_schema

    path = tmp_path / "old-layout"
    path.mkdir()
    whoosh_index.create_in(str(path), build_schema())
    (path / SCHEMA_FILE).write_text(f"{SCHEMA_VERSION}\n")
    app.config["SEARCH_INDEX_DIR"] = str(path)
    blog = make_blog(make_user("somchai"), "orchard", title="บันทึกชาวสวน")
    entry = make_entry(blog, title="ทุเรียนหมอนทอง", body="ปีนี้ทุเรียนออกผลดี")
    assert not path.is_symlink()
    assert ranked("ทุเรียน") == [entry.number]
    reindex()
    assert path.is_symlink()
    assert ranked("ทุเรียน") == [entry.number]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith("-legacy")]  # kept as the previous version
    reindex()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith("-legacy")]
    assert ranked("ทุเรียน") == [entry.number]


def test_a_stray_plain_directory_is_moved_aside(app, tmp_path):
    path = tmp_path / "stray"
    path.mkdir()
    (path / "notes.txt").write_text("left by hand")
    app.config["SEARCH_INDEX_DIR"] = str(path)
    blog = make_blog(make_user("somchai"), "orchard", title="บันทึกชาวสวน")
    entry = make_entry(blog, title="ทุเรียนหมอนทอง", body="ปีนี้ทุเรียนออกผลดี")
    assert path.is_symlink()
    assert ranked("ทุเรียน") == [entry.number]
    reindex()
    reindex()
    [aside] = [p for p in tmp_path.iterdir() if p.name.endswith("-legacy")]
    assert (aside / "notes.txt").read_text() == "left by hand"
