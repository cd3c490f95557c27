"""Running behind a proxy (ProxyFix settings) and the production check on SECRET_KEY."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import request

from app import create_app
from config import DEVELOPMENT_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def _seen_by_app(tmp_path, **settings) -> dict[str, str]:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", **settings})

    @app.get("/whoami-for-test")
    def whoami():
        return {"remote_addr": request.remote_addr, "scheme": request.scheme}

    return app.test_client().get("/whoami-for-test", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"}).json


def test_forwarded_headers_are_ignored_by_default(tmp_path):
    assert _seen_by_app(tmp_path) == {"remote_addr": "10.0.0.2", "scheme": "http"}


def test_forwarded_headers_are_trusted_when_configured(tmp_path):
    seen = _seen_by_app(tmp_path, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)
    assert seen == {"remote_addr": "203.0.113.9", "scheme": "https"}


def test_only_the_configured_headers_are_trusted(tmp_path):
    seen = _seen_by_app(tmp_path, PROXY_FIX_X_FOR=1)
    assert seen == {"remote_addr": "203.0.113.9", "scheme": "http"}


@pytest.mark.parametrize("key", [None, "", DEVELOPMENT_SECRET_KEY, "short-but-not-default", " " * 40])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_production_starts_with_a_long_random_key(tmp_path):
    settings = {
        "SECRET_KEY": "Zq3" * 11,
        "SITE_URL": "https://sala.example.go.th",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
    }
    assert create_app("production", settings).config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_the_development_key_among_the_fallbacks(tmp_path):
    settings = {
        "SECRET_KEY": "Zq3" * 11,
        "SECRET_KEY_FALLBACKS": [DEVELOPMENT_SECRET_KEY],
        "SITE_URL": "https://sala.example.go.th",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
    }
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", settings)


def _import_wsgi(tmp_path, **env) -> subprocess.CompletedProcess:
    """Start the app the way gunicorn does (`import wsgi`), with the given environment."""
    ignored = ("SECRET_KEY", "SALA_CONFIG", "SITE_URL", "TRUSTED_HOSTS")
    environment = {key: value for key, value in os.environ.items() if key not in ignored}
    environment.update(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", **env)
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_the_wsgi_entry_point_refuses_production_without_secret_key(tmp_path):
    result = _import_wsgi(tmp_path, SALA_CONFIG="production")
    assert result.returncode != 0
    assert "RuntimeError: SECRET_KEY is missing" in result.stderr
    started = _import_wsgi(tmp_path, SALA_CONFIG="production", SECRET_KEY="Zq3" * 11, SITE_URL="https://sala.test")
    assert started.returncode == 0, started.stderr
    assert _import_wsgi(tmp_path).returncode == 0  # development (make run) needs no key


@pytest.mark.parametrize("config_name", ["development", "testing"])
def test_development_and_testing_start_with_their_default_keys(tmp_path, config_name):
    app = create_app(config_name, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["SECRET_KEY"]
