"""Domain errors raised by services and turned into messages or statuses by views."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; `message` is user-facing (Thai), `field` names a form field."""

    status_code = 400

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class Conflict(DomainError):
    """Something with that name already exists."""

    status_code = 409


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404
