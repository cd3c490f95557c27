"""People, a blog and an entry to comment on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.extensions import db
from tests.factories import make_blog, make_entry, make_user


@pytest.fixture
def cast(app) -> SimpleNamespace:
    """somchai owns the blog, suda (a co-author) wrote the entry, malee comments, preecha is someone else."""
    from app.blogs.services import add_coauthor

    owner = make_user("somchai")
    author = make_user("suda")
    commenter = make_user("malee")
    other = make_user("preecha")
    blog = make_blog(owner)
    add_coauthor(blog, "suda")
    db.session.commit()
    entry = make_entry(blog, author)
    return SimpleNamespace(owner=owner, author=author, commenter=commenter, other=other, blog=blog, entry=entry)
