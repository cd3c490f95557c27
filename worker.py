"""The task worker's entry point: `huey_consumer worker.huey` (started by `make run`; DEPLOY.md, "The task worker").

The application is built as for the web server (wsgi.py, SALA_CONFIG), so tasks run with the same settings.
"""

from app.tasks import queue
from wsgi import app

huey = queue(app).huey
