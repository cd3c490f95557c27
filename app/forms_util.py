"""Bridging domain errors back onto forms."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from app.errors import DomainError


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's error beside its field, or as a message when it names no field of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        flash(error.message, "error")
