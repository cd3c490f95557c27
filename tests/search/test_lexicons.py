"""Each Whoosh segment's Thai lexicon is kept in a file beside the index, so a new process does not read every
term through Whoosh on its first search; and `warm()` (gunicorn's master, before it forks) loads the templates
and those lexicons, leaving no file open."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from app.extensions import db
from app.search.backends.whoosh import lexicons, writing
from app.search.backends.whoosh.index import current_dir
from app.warm import warm
from tests.factories import make_blog, make_entry, make_user
from tests.search.helpers import found

pytestmark = pytest.mark.search_backends("whoosh")


def _segment_lexicons() -> dict[str, str]:
    """Each live segment's Thai terms, as read from Whoosh."""
    with whoosh_index.open_dir(str(current_dir())).reader() as reader:
        leaves = [leaf for leaf, _offset in reader.leaf_readers()]
        return {leaf.segment().segment_id(): lexicons._from_index(leaf).text() for leaf in leaves}


def _saved() -> dict[str, str]:
    folder = current_dir() / lexicons.FOLDER
    return {path.stem: path.read_text(encoding="utf-8") for path in folder.glob("*.txt")}


def _write_entries(count: int) -> list[int]:
    blog = make_blog(make_user("somchai"), "school", title="บันทึกครู")
    numbers = []
    for number in range(count):
        entry = make_entry(blog, title=f"โรงเรียนบ้านนา ครั้งที่ {number}", body="ความรู้สึกของนักเรียนในพื้นที่")
        db.session.commit()
        numbers.append(entry.number)
    return numbers


def test_every_commit_saves_its_segments_lexicons_and_drops_those_of_merged_segments(app, monkeypatch):
    monkeypatch.setattr(writing, "MERGE_TIER", 3)
    blog = make_blog(make_user("somchai"), "school", title="บันทึกครู")
    for number in range(4):
        make_entry(blog, title=f"โรงเรียนบ้านนา ครั้งที่ {number}", body="ความรู้สึกของนักเรียน")
        db.session.commit()
        saved, live = _saved(), _segment_lexicons()
        assert saved == live
    assert len(live) == 1  # the fourth commit merged three segments: their files are gone
    assert "โรงเรียน" in next(iter(saved.values())).split("\n")


def test_a_new_process_searches_with_the_saved_lexicons_without_reading_whooshs(app, monkeypatch):
    numbers = _write_entries(2)
    monkeypatch.setattr(lexicons, "_memo", {})

    def no_whoosh_lexicon(reader):
        raise AssertionError("read Whoosh's lexicon although the file was there")

    with monkeypatch.context() as patched:
        patched.setattr(lexicons, "_from_index", no_whoosh_lexicon)
        assert found("เรียน") == set(numbers)  # inside โรงเรียน and นักเรียน: found through the lexicon


def test_a_process_that_finds_no_file_reads_whooshs_lexicon_and_saves_it(app, monkeypatch):
    numbers = _write_entries(2)
    expected = _saved()
    for path in (current_dir() / lexicons.FOLDER).iterdir():
        path.unlink()
    monkeypatch.setattr(lexicons, "_memo", {})
    assert found("รู้สึก") == set(numbers)
    assert _saved() == expected


def _open_files_under(directory: Path) -> list[str]:
    opened = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            opened.append(target)
    return opened


def test_warm_compiles_every_template_and_loads_the_lexicons_leaving_no_index_file_open(app, monkeypatch):
    _write_entries(2)
    monkeypatch.setattr(lexicons, "_memo", {})
    app.jinja_env.cache.clear()
    directory = current_dir()
    before = _open_files_under(directory)
    warm(app)
    assert _open_files_under(directory) == before
    compiled = {template.name for template in app.jinja_env.cache.values()}
    assert compiled >= set(app.jinja_env.list_templates())
    assert set(lexicons._memo) == set(_segment_lexicons())
