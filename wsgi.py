"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import os

from app import create_app

app = create_app(os.environ.get("SALA_CONFIG", "development"))
