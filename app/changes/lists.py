"""Names of the lists a row can be in, shared by the change feed and everything that shows lists.

A list is anything a row can join or leave without the page that shows the list having loaded it: a blog's
entries, an entry's comments, the newest entries site-wide. Each `Change` names the lists its row moved into
or out of (old and new); the page cache keeps a page under the lists it declared it shows.
"""

from __future__ import annotations

SITE = "site"  # every page: rare changes that reach across the whole site (a member suspended or deleted, ...)
ALL_ENTRIES = "entries"  # the newest published entries: any entry published, unpublished, moved or deleted
ALL_STATIONS = "stations"  # the list of stations and their member and blog counts
ALL_TAGS = "tags"  # the popular-tags list and its counts
RELATED_ENTRIES = "entry-texts"  # which entries are related to an entry: any entry's text, tags or status


def row(table: str, *key: object) -> str:
    """The name of one row: ``"<table>:<primary key>"`` (parts of a composite key joined by "-")."""
    return f"{table}:{'-'.join(str(part) for part in key)}"


def blog_entries(blog_id: int) -> str:
    return f"blog-entries:{blog_id}"


def blog_stations(blog_id: int) -> str:
    return f"blog-stations:{blog_id}"


def user_entries(user_id: int) -> str:
    return f"user-entries:{user_id}"


def user_blogs(user_id: int) -> str:
    return f"user-blogs:{user_id}"


def user_follows(user_id: int) -> str:
    """Who follows the member and whom they follow (both lists and both counts)."""
    return f"user-follows:{user_id}"


def tag_entries(tag_id: int) -> str:
    return f"tag-entries:{tag_id}"


def entry_comments(entry_id: int) -> str:
    return f"entry-comments:{entry_id}"


def station_entries(station_id: int) -> str:
    return f"station-entries:{station_id}"


def station_members(station_id: int) -> str:
    return f"station-members:{station_id}"


def station_blogs(station_id: int) -> str:
    return f"station-blogs:{station_id}"
