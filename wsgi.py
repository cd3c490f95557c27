"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`.

Without SALA_CONFIG this is the development site (`make run`); gunicorn.conf.py sets SALA_CONFIG to production
before this is imported, so serving with gunicorn is production unless told otherwise.
"""

import os

from app import create_app

app = create_app(os.environ.get("SALA_CONFIG", "development"))
