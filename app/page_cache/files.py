"""The default page-cache store: Flask-Caching's FileSystemCache, pruned in batches.

cachelib prunes a full cache on every write: once there are CACHE_THRESHOLD files, each `set` opens every file
to read its expiry, sorts them and deletes just enough to get back under the threshold, so the next write
does it all again. At 100,000 entries, where readers' pages keep arriving, that put a scan of thousands of files
on every stored page, and workers hit gunicorn's timeout. It also deleted the never-expiring tag versions
first (expiry 0 sorts lowest), retiring the pages that depended on them.

`PageFiles` prunes once to PRUNE_TO of the threshold, so a scan comes once per many writes, and removes
expired files first, then those that expire soonest; versions (no expiry) go last.
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
import time

from flask_caching.backends.filesystemcache import FileSystemCache

PRUNE_TO = 0.8


class PageFiles(FileSystemCache):
    def _prune(self) -> None:
        if not self._over_threshold():
            return
        now = time.time()
        kept: list[tuple[float, str]] = []
        for name in self._list_dir():
            try:
                with open(name, "rb") as stored:
                    expires = struct.unpack("I", stored.read(4))[0]
            except (OSError, struct.error):
                continue  # removed meanwhile by another process, or being written
            if expires != 0 and expires < now:
                _remove(name)
            else:
                kept.append((expires or math.inf, name))
        target = int(self._threshold * PRUNE_TO)
        if len(kept) > target:
            kept.sort()
            for _, name in kept[: len(kept) - target]:
                _remove(name)
        self._update_count(value=min(len(kept), target))


def _remove(name: str) -> None:
    with contextlib.suppress(FileNotFoundError):  # another process pruned it first
        os.remove(name)
