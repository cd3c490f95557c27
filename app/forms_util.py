"""Bridging domain errors back onto forms and pages: the one place a view catches a service's refusal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash
from flask_wtf import FlaskForm

from app.errors import DomainError
from app.extensions import db


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's error beside its field, or as a message when it names no field of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        flash(error.message, "error")


class Refusal:
    """What a `refusals()` block caught: the service's `DomainError`, or None while nothing was refused."""

    error: DomainError | None = None

    def status(self, form: FlaskForm | None = None) -> int:
        """The status of the page answered instead: the refusal's, else 400 for a form with errors, else 200."""
        if self.error is not None:
            return self.error.status_code
        return 400 if form is not None and form.errors else 200


@contextmanager
def refusals(form: FlaskForm | None = None) -> Iterator[Refusal]:
    """Run a view's action; when a service refuses it (`DomainError`), undo the request's changes and tell
    the reader, beside `form`'s field it names or as a flash message, then carry on after the block.

    The block holds the action and its success answer (commit, flash, redirect); the code after it answers
    a refusal, usually by rendering the page again with `refusal.status(form)`.
    """
    refusal = Refusal()
    try:
        yield refusal
    except DomainError as error:
        db.session.rollback()
        refusal.error = error
        if form is not None:
            attach_error(form, error)
        else:
            flash(error.message, "error")
