"""People and a blog for the entry tests: an owner, a co-author and a member with no part in the blog."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest

from app.blogs.services import add_coauthor
from app.extensions import db
from tests.factories import make_blog, make_user


@dataclass
class Cast:
    owner: object
    coauthor: object
    stranger: object
    blog: object


@pytest.fixture
def cast(app) -> Cast:
    owner = make_user("somchai")
    coauthor = make_user("malee")
    stranger = make_user("prasert")
    blog = make_blog(owner, "km-notes")
    add_coauthor(blog, "malee")
    db.session.commit()
    return Cast(owner, coauthor, stranger, blog)


def entry_form(**overrides) -> dict:
    """A filled-in editor form, as a browser would post it."""
    data = {
        "title": "ลปรร. ครั้งแรกของทีม KM",
        "body": "เนื้อหาบันทึก",
        "tags": "",
        "license": "all-rights-reserved",
        "status": "published",
        "comments_enabled": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def page_text(response) -> str:
    """The page as a reader sees it: tags removed, entities decoded, whitespace collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())
