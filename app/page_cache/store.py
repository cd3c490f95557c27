"""Kept values (pages, totals) in this process's memory, and the versions that say whether they are current.

Every dependency tag (app/page_cache/tags.py) falls in one of `SLOTS` version slots; a slot's version is a
random token in the shared cache (Flask-Caching: files in CACHE_DIR by default, Redis when CACHE_REDIS_URL is
set), so a commit in any worker or machine retires what every process keeps. A value is kept with the versions
its slots had when it was computed and is used only while they are unchanged. Slots keep the shared cache
small and bounded whatever the number of rows; two tags sharing a slot only retire a page a little early.

Reading a page's versions on every request would cost more than the page. So a site-wide *generation* token
changes on every bump, before and after the slots: while the generation is the one a kept value was last found
current under, it is still current, and a request costs one read of the generation.
"""

from __future__ import annotations

import os
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app, has_app_context

from app.extensions import cache
from app.page_cache import tags

SLOTS = 16384
GENERATION_KEY = "page-generation"
EXTENSION_KEY = "sala.page_cache.memo"
AUDIENCES_KEY = "sala.page_cache.audiences"
T = TypeVar("T")


def slot(tag: str) -> str:
    return f"slot:{zlib.crc32(tag.encode()) % SLOTS}"


def new_token() -> str:
    return os.urandom(8).hex()


@dataclass
class Kept:
    value: Any
    versions: dict[str, str]
    expires: float
    made: float  # when it was computed (a page's Last-Modified)
    checked: str  # the generation it was last found current under
    headers: list[tuple[str, str]] | None = None  # a page's HTTP validators, worked out when first served
    readers: dict[int, dict[int, bytes]] = field(default_factory=dict)  # a page's own parts (parts.py), by reader


class Memo:
    """This process's kept values, least recently used out first."""

    def __init__(self, size: int) -> None:
        self.lock = threading.Lock()
        self.size = size
        self.values: OrderedDict[str, Kept] = OrderedDict()

    def get(self, key: str) -> Kept | None:
        with self.lock:
            kept = self.values.get(key)
            if kept is not None:
                self.values.move_to_end(key)
            return kept

    def put(self, key: str, kept: Kept) -> None:
        with self.lock:
            self.values[key] = kept
            self.values.move_to_end(key)
            while len(self.values) > self.size:
                self.values.popitem(last=False)


def tracking() -> bool:
    """Whether values are kept and commits retire them (a real cache backend is configured)."""
    return has_app_context() and EXTENSION_KEY in current_app.extensions


def generation() -> str:
    found = cache.get(GENERATION_KEY)
    if found is None:
        cache.add(GENERATION_KEY, new_token(), timeout=0)
        found = cache.get(GENERATION_KEY)
    return found


def _versions(slots: Iterable[str]) -> dict[str, str]:
    """The current version of each slot, giving a first one to slots that have none (a concurrent bump wins)."""
    names = sorted(set(slots))
    values = cache.get_many(*names)
    if None in values:
        for name, value in zip(names, values, strict=True):
            if value is None:
                cache.add(name, new_token(), timeout=0)
        values = cache.get_many(*names)
    return dict(zip(names, values, strict=True))


def current(key: str, now_generation: str) -> Kept | None:
    """The value kept under `key` if nothing it depends on has changed since it was computed."""
    kept = current_app.extensions[EXTENSION_KEY].get(key)
    if kept is None or kept.expires <= time.time():
        return None
    if kept.checked != now_generation:
        if _versions(kept.versions) != kept.versions:
            return None
        kept.checked = now_generation
    return kept


def keep(key: str, value: Any, depends: Iterable[str], since: str, timeout: int) -> Kept | None:
    """Keep `value`, computed from what `depends` names, unless a commit has bumped anything since `since`."""
    versions = _versions(slot(tag) for tag in {tags.SITE, *depends})
    if generation() != since:
        return None
    now = time.time()
    kept = Kept(value, versions, now + timeout, now, since)
    current_app.extensions[EXTENSION_KEY].put(key, kept)
    return kept


def bump(changed: Iterable[str]) -> None:
    """Give the tags' slots new versions; the generation changes before and after them (see the docstring)."""
    slots = {slot(tag) for tag in changed}
    if slots:
        cache.set(GENERATION_KEY, new_token(), timeout=0)
        cache.set_many({name: new_token() for name in slots}, timeout=0)
        cache.set(GENERATION_KEY, new_token(), timeout=0)


def remember(name: str, depends: Iterable[str], compute: Callable[[], T]) -> T:
    """`compute()` (a total, a ranking), or what it gave before if none of `depends` has changed since; the page
    being rendered, if any, then depends on them too."""
    depends = set(depends)
    tags.shows(*depends)
    if not tracking():
        return compute()
    try:
        since = generation()
        kept = current("derived:" + name, since)
    except Exception:  # noqa: BLE001 - a cache outage must not fail the page: compute as if nothing were kept
        current_app.logger.exception("page cache unavailable")
        return compute()
    if kept is not None:
        return kept.value
    value = compute()
    try:
        keep("derived:" + name, value, depends, since, current_app.config["DERIVED_CACHE_TIMEOUT"])
    except Exception:  # noqa: BLE001 - computed; failing to keep it must not fail the request
        current_app.logger.exception("could not keep a derived value")
    return value


def init_app(app: Any) -> None:
    app.extensions[EXTENSION_KEY] = Memo(app.config["PAGE_CACHE_MEMO_PAGES"])
    app.extensions[AUDIENCES_KEY] = Memo(4 * app.config["PAGE_CACHE_MEMO_PAGES"])
