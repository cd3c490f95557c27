"""One change feed: what a transaction changed, collected once and handed to every consumer.

- feed.py: `Change`, `register`, `subscribe`, `bulk_update`, `lock_only` and the session listeners;
- lists.py: the names of the lists a row can be in;
- registry.py: every model and the lists its changes move rows in or out of.

Consumers: search sync (app/search/sync.py), then page-cache invalidation (app/page_cache/invalidation.py).
"""

from __future__ import annotations

from app.changes import registry  # noqa: F401 - every model is registered on import
from app.changes.feed import (
    DELETE,
    INSERT,
    UPDATE,
    BulkChangeRefused,
    Change,
    UnregisteredModel,
    bulk_update,
    consumers,
    lock_only,
    record,
    register,
    register_listeners,
    registered_models,
    subscribe,
    unsubscribe,
)

__all__ = [
    "DELETE",
    "INSERT",
    "UPDATE",
    "BulkChangeRefused",
    "Change",
    "UnregisteredModel",
    "bulk_update",
    "consumers",
    "lock_only",
    "record",
    "register",
    "registered_models",
    "subscribe",
    "unsubscribe",
]

register_listeners()
