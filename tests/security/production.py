"""The production settings (ProductionConfig) on a test's database, with a strong key and the test client's host."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app import create_app
from tests.conftest import IsolatedClient

STRONG_KEY = "k" * 16 + "9f3b2c7e1a5d4f60"  # 32 characters, not the development default
# What the test client sends as Host; production answers only the host of SITE_URL.
SITE_URL = "http://localhost"


def production_app(app: Flask, **settings: Any) -> Flask:
    """A production app sharing `app`'s database, index and uploads; `settings` override the defaults."""
    production = create_app(
        "production",
        {
            "SECRET_KEY": STRONG_KEY,
            "SITE_URL": SITE_URL,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "CACHE_TYPE": "NullCache",
            **settings,
        },
    )
    production.test_client_class = IsolatedClient
    return production
