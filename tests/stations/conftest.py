"""Shared people and a station for the stations tests."""

from __future__ import annotations

import pytest

from tests.factories import make_station, make_user


@pytest.fixture
def people(app):
    """An owner, a moderator-to-be and two ordinary users."""
    return {name: make_user(name) for name in ("somchai", "malee", "prasit", "wipa")}


@pytest.fixture
def open_station(people):
    return make_station(people["somchai"])


@pytest.fixture
def approval_station(people):
    return make_station(people["somchai"], "Nan-Teachers", name="ครูน่าน", join_policy="approval")
