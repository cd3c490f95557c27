"""Whoosh segments merge by tiers: a commit of one change writes one small segment, and a tier's segments (about
the same size) become one of the next tier once MERGE_TIER of them have piled up, so the index stays a few
segments however many single changes it takes, and a document is copied once per tier."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from whoosh import index as whoosh_index

from app.extensions import db
from app.search.backends.whoosh import writing
from app.search.backends.whoosh.index import current_dir
from tests.factories import make_blog, make_entry, make_user
from tests.search.helpers import found

pytestmark = pytest.mark.search_backends("whoosh")


def _segment_sizes() -> list[int]:
    with whoosh_index.open_dir(str(current_dir())).reader() as reader:
        return sorted(leaf.doc_count_all() for leaf, _offset in reader.leaf_readers())


def test_single_changes_pile_up_in_tiers_and_every_entry_is_found(app, monkeypatch):
    tier = 3
    monkeypatch.setattr(writing, "MERGE_TIER", tier)
    blog = make_blog(make_user("somchai"), "orchard", title="บันทึกชาวสวน")
    sizes = []
    for number in range(18):
        make_entry(blog, title=f"ทุเรียนหมอนทอง แปลงที่ {number}", body="การจัดการความรู้ของกลุ่มเกษตรกร")
        db.session.commit()
        sizes.append(_segment_sizes())
    assert sizes[:4] == [[1], [1, 1], [1, 1, 1], [4]]  # a full tier and the next change became one segment
    assert sizes[-1] == [1, 4, 13]  # three segments of the second tier and a change became one of the third
    for seen in sizes:
        assert max(Counter(int(math.log(size, tier)) for size in seen).values()) <= tier
    assert len(found("ทุเรียน")) == 18
