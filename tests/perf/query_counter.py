"""Count the SQL statements an engine executes, e.g. while the test client serves one request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class QueryLog:
    """The statements executed, in order (one per cursor execute, whatever the number of parameter sets)."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def summary(self) -> str:
        """One numbered line per statement, shortened, for an assertion message."""
        return "\n".join(f"{n:3}. {' '.join(sql.split())[:200]}" for n, sql in enumerate(self.statements, 1))


@contextmanager
def count_queries(engine: Engine) -> Iterator[QueryLog]:
    """Record every statement `engine` sends to the database inside the block."""
    log = QueryLog()

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany) -> None:
        log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
