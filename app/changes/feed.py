"""The change feed: every committed change to a registered model, collected once and handed to its consumers.

Before each flush the feed notes the rows the flush updates and deletes (with the lists they leave, read while
the old rows still exist); after it, the rows it inserted (their keys are known only then). Each flush's
changes go at once to the `in_transaction` consumers, on the flush's own connection, so what they write commits
or rolls back with the change. The transaction's changes, merged per row, go to the `after_commit` consumers
once the outermost transaction has committed. A rolled-back savepoint forgets the changes made inside it.

Bulk UPDATE and DELETE statements bypass the flush, so on a registered model they are refused unless they go
through `bulk_update` (which records a change for each row) or are marked `lock_only`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import MANYTOONE, ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.dml import UpdateBase

from app.changes.lists import row
from app.extensions import db

logger = logging.getLogger(__name__)

INSERT, UPDATE, DELETE = "insert", "update", "delete"
# A row's kind after two changes in one transaction; any other pair takes the later kind.
_KIND_AFTER = {(INSERT, UPDATE): INSERT, (DELETE, INSERT): UPDATE}
_OPTION = "sala_change_feed"  # execution option of statements the feed lets through
_FLUSHING = "change_feed_flushing"  # (changes noted before the flush, objects it inserts)
_LAYERS = "change_feed_layers"  # {transaction or savepoint: {(table, key): Change}}

ListsOf = Callable[[Session, Any, str], Iterable[str | None]]


class UnregisteredModel(LookupError):
    """A model the feed was not told about (app/changes/registry.py)."""


class BulkChangeRefused(RuntimeError):
    """A bulk UPDATE or DELETE of a registered model that the feed would not see."""


@dataclass(frozen=True)
class Change:
    table: str  # the model's __tablename__
    key: tuple  # its primary-key values
    kind: str  # INSERT, UPDATE or DELETE
    fields: frozenset[str]  # attributes changed; every column for an insert or a delete
    lists: frozenset[str] = frozenset()  # lists the row moved into or out of (app/changes/lists.py)
    refs: Mapping[str, frozenset] = field(default_factory=dict, hash=False)  # foreign keys: old and new values

    @property
    def row(self) -> str:
        return row(self.table, *self.key)

    def then(self, later: Change) -> Change:
        """This change followed by a later one to the same row, as one change."""
        names = {*self.refs, *later.refs}
        refs = {name: self.refs.get(name, frozenset()) | later.refs.get(name, frozenset()) for name in names}
        kind = _KIND_AFTER.get((self.kind, later.kind), later.kind)
        return Change(self.table, self.key, kind, self.fields | later.fields, self.lists | later.lists, refs)


@dataclass(frozen=True)
class _Registration:
    lists: ListsOf | None
    feed: bool


@dataclass(frozen=True)
class _Consumer:
    in_transaction: Callable[[Session, list[Change]], None] | None
    after_commit: Callable[[list[Change]], None] | None


_models: dict[type, _Registration] = {}
_consumers: dict[str, _Consumer] = {}


def register(model: type, *, lists: ListsOf | None = None, feed: bool = True) -> None:
    """Declare a model: `lists(session, obj, kind)` names the lists a change moves its row in or out of;
    `feed=False` says its changes are nobody's concern (bookkeeping tables)."""
    _models[model] = _Registration(lists, feed)


def registered_models() -> set[type]:
    return set(_models)


def subscribe(
    name: str,
    *,
    in_transaction: Callable[[Session, list[Change]], None] | None = None,
    after_commit: Callable[[list[Change]], None] | None = None,
) -> None:
    """Hand changes to a consumer; consumers are called in the order they first subscribed."""
    _consumers[name] = _Consumer(in_transaction, after_commit)


def unsubscribe(name: str) -> None:
    _consumers.pop(name, None)


def consumers() -> list[str]:
    """Names of the consumers, in the order they are called."""
    return list(_consumers)


def _registration(obj_or_model: Any) -> _Registration:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    try:
        return _models[model]
    except KeyError:
        raise UnregisteredModel(f"{model.__name__} is not registered in app/changes/registry.py") from None


@cache
def _references(model: type) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each foreign-key attribute of the model with the many-to-one relationships that set it."""
    mapper = inspect(model)
    found = []
    for prop in mapper.column_attrs:
        if any(column.foreign_keys for column in prop.columns):
            setters = tuple(
                rel.key
                for rel in mapper.relationships
                if rel.direction is MANYTOONE and set(rel.local_columns) & set(prop.columns)
            )
            found.append((prop.key, setters))
    return tuple(found)


def _refs(obj: Any) -> dict[str, frozenset]:
    """Old and new values of each foreign key, also when only the relationship was set."""
    attrs = inspect(obj).attrs
    refs = {}
    for column, setters in _references(type(obj)):
        getattr(obj, column)  # load an expired value, or its history would be empty
        values = set(attrs[column].history.sum())
        for name in setters:
            for related in attrs[name].history.sum():
                state = inspect(related, raiseerr=False)  # None for None, or a "no value" marker
                if state is not None:
                    values.update(state.mapper.primary_key_from_instance(related)[:1])
        refs[column] = frozenset(values - {None})
    return refs


def _change(session: Session, obj: Any, kind: str, fields: frozenset[str]) -> Change:
    lists_of = _registration(obj).lists
    lists = frozenset(lists_of(session, obj, kind) if lists_of else ()) - {None}
    key = tuple(inspect(type(obj)).primary_key_from_instance(obj))
    return Change(obj.__tablename__, key, kind, fields, lists, _refs(obj))


def _columns(obj: Any) -> frozenset[str]:
    return frozenset(prop.key for prop in inspect(type(obj)).column_attrs)


def _changed_fields(obj: Any) -> frozenset[str]:
    return frozenset(attr.key for attr in inspect(obj).attrs if attr.history.has_changes())


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    changes = []
    with session.no_autoflush:
        for obj in session.dirty:
            if _registration(obj).feed and session.is_modified(obj) and (fields := _changed_fields(obj)):
                changes.append(_change(session, obj, UPDATE, fields))
        for obj in session.deleted:
            if _registration(obj).feed:
                changes.append(_change(session, obj, DELETE, _columns(obj)))
    session.info[_FLUSHING] = (changes, [obj for obj in session.new if _registration(obj).feed])


def _after_flush(session: Session, flush_context: Any) -> None:
    changes, inserted = session.info.pop(_FLUSHING, ([], []))
    with session.no_autoflush:
        changes += [_change(session, obj, INSERT, _columns(obj)) for obj in inserted]
    record(session, changes)


def _merge(into: dict, changes: Iterable[Change]) -> None:
    for change in changes:
        ident = (change.table, change.key)
        into[ident] = into[ident].then(change) if ident in into else change


def record(session: Session, changes: list[Change]) -> None:
    """Hand changes made on the session's connection to the in-transaction consumers; keep them for the commit."""
    if not changes:
        return
    for consumer in _consumers.values():
        if consumer.in_transaction:
            consumer.in_transaction(session, changes)
    innermost = session.get_nested_transaction() or session.get_transaction()
    _merge(session.info.setdefault(_LAYERS, {}).setdefault(innermost, {}), changes)


def _enclosing(savepoint: SessionTransaction) -> SessionTransaction:
    outer = savepoint.parent
    while outer.parent is not None and not outer.nested:
        outer = outer.parent
    return outer


def _after_commit(session: Session) -> None:
    """A released savepoint passes its changes outwards; the outermost commit delivers them all."""
    layers = session.info.get(_LAYERS) or {}
    if session.in_nested_transaction():
        savepoint = session.get_nested_transaction()
        _merge(layers.setdefault(_enclosing(savepoint), {}), layers.pop(savepoint, {}).values())
        return
    merged: dict = {}
    for layer in layers.values():
        _merge(merged, layer.values())
    session.info.pop(_LAYERS, None)
    if merged:
        _deliver(list(merged.values()))


def _deliver(changes: list[Change]) -> None:
    for name, consumer in _consumers.items():
        if consumer.after_commit is None:
            continue
        try:
            consumer.after_commit(changes)
        except Exception:  # noqa: BLE001 - the change is committed; a consumer's failure must not undo the request
            logger.exception("change feed consumer %r failed after commit", name)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """A savepoint still holding changes here was rolled back; an outermost transaction leaves nothing behind."""
    layers = session.info.get(_LAYERS)
    if transaction.nested and layers:
        layers.pop(transaction, None)
    elif transaction.parent is None:
        session.info.pop(_LAYERS, None)
        session.info.pop(_FLUSHING, None)


def _refuse_unseen_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete) or state.execution_options.get(_OPTION):
        return
    table = getattr(state.statement.table, "name", None)
    if any(registration.feed and model.__tablename__ == table for model, registration in _models.items()):
        raise BulkChangeRefused(
            f"a bulk {'UPDATE' if state.is_update else 'DELETE'} of {table} would bypass the change feed: "
            "use app.changes.bulk_update, or change the rows through the ORM"
        )


def bulk_update(model: type, ids: Iterable[Any], values: dict[str, Any]) -> None:
    """UPDATE the rows with primary keys `ids` in one statement, recorded as a change of each row.

    Meant for columns that move no row into or out of a list (counters): the changes name no lists.
    """
    ids = list(ids)
    _registration(model)
    if not ids:
        return
    (key,) = inspect(model).primary_key
    stmt = update(model).where(key.in_(ids)).values(values).execution_options(**{_OPTION: True})
    db.session.execute(stmt)
    record(db.session(), [Change(model.__tablename__, (id_,), UPDATE, frozenset(values)) for id_ in ids])


def lock_only(stmt: UpdateBase) -> UpdateBase:
    """Mark an UPDATE that sets columns to their own values to take a row's write lock: it changes nothing."""
    return stmt.execution_options(**{_OPTION: True})


def register_listeners() -> None:
    """Attach the feed to every SQLAlchemy session, once per process."""
    for name, listener in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("after_commit", _after_commit),
        ("after_transaction_end", _after_transaction_end),
        ("do_orm_execute", _refuse_unseen_bulk),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
