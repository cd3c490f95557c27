"""Sala: a Thai community-of-practice blogging platform."""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask

from config import CONFIGS

ROOT = Path(__file__).resolve().parent.parent

BLUEPRINT_MODULES = (
    "app.main.routes",
    "app.auth.routes",
    "app.users.routes",
    "app.blogs.routes",
    "app.entries.routes",
    "app.tags.routes",
    "app.comments.routes",
    "app.stations.routes",
    "app.search.routes",
    "app.api.routes",
    "app.editor.routes",
    "app.uploads.routes",
    "app.reports.routes",
    "app.admin.routes",
    "app.i18n",
    "app.ops.routes",
)


def create_app(config_name: str | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints and CLI — nothing else."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(CONFIGS[config_name or os.environ.get("SALA_CONFIG", "development")])
    if test_config:
        app.config.update(test_config)

    from app import security

    security.init_app(app)  # first: production refuses to start without a real SECRET_KEY
    from app import page_cache

    page_cache.init_app(app)  # its guest-page lookup wraps the WSGI app, inside the proxy fix (applied last)
    # As in Flask's tutorial: the default SQLite file lives in the instance folder, which must exist.
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from app import database  # importing registers the SQLite connection settings
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, render_item=database.render_migration_item
    )
    login_manager.init_app(app)
    from app import input_guard

    input_guard.init_app(app)  # before CSRF: its check reads the form
    csrf.init_app(app)
    from app.page_cache import parts

    parts.init_app(app)  # after Flask-WTF: templates ask for tokens through `csrf_token()`, a reader's part
    limiter.init_app(app)

    from app import auth_setup, errors_setup, i18n, reads, static_files, templating

    babel.init_app(app, locale_selector=i18n.babel_locale)
    i18n.init_app(app)
    auth_setup.init_app(app)
    static_files.init_app(app)
    templating.init_app(app)
    errors_setup.init_app(app)
    reads.init_app(app)

    for module_name in BLUEPRINT_MODULES:
        app.register_blueprint(import_module(module_name).bp)

    from app.cli import register_cli

    register_cli(app)
    # Outermost, so everything inside sees the client's address and scheme.
    security.apply_proxy_fix(app)
    return app
