"""What a new worker process would do on its first requests, done once in gunicorn's master before it forks.

gunicorn replaces each worker after `max_requests` (gunicorn.conf.py). The new worker's first page of each kind
compiled its templates, and its first search imported the search backend (numpy, Whoosh's searching) and read
the index's Thai lexicons: 0.5–1.9 s for a search, during which the requests queued on that worker waited.
`pre_fork` calls `warm(app)`, so every worker starts with them loaded (and shares their memory with the master,
frozen by `gc.freeze()`). Nothing opened here stays open: a file inherited by forked workers would share its
read position among them.
"""

from __future__ import annotations

from flask import Flask

from app.search import backends


def warm(app: Flask) -> int:
    """Returns how many templates were compiled."""
    with app.app_context():
        names = app.jinja_env.list_templates()
        for name in names:
            app.jinja_env.get_template(name)
        backends.current().warm()
    return len(names)
