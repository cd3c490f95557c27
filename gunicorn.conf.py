"""Gunicorn settings for serving Sala: `gunicorn -c gunicorn.conf.py wsgi:app` (`make serve`).

Every setting can be changed from the environment (names below); gunicorn's own command-line flags win over
this file.

The application is loaded once in the master and forked into the workers (preload): start-up errors show
before any worker runs, and the workers share the loaded code's memory. This is safe because `create_app`
opens nothing: no database connection and no search index writer exist before a request needs one. A Whoosh
writer's lock is an flock on an open file, and a lock held across fork() would be shared by every child;
that is why nothing may open a writer at import time. `post_fork` still drops any pooled database connection
a worker might have inherited, so no two processes ever use one connection.

Served by gunicorn, Sala runs the production settings unless SALA_CONFIG says otherwise (`flask run` and
`make run` keep the development settings of wsgi.py), so a forgotten SALA_CONFIG can never serve a site with
the public development key and the debugger's settings; production then refuses to start without SECRET_KEY and
SITE_URL.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import re

os.environ.setdefault("SALA_CONFIG", "production")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


# Beyond 2 × cores + 1 more sync workers only wait on one another; 12 caps it on large machines, where the
# database (SQLite takes one writer at a time) is the limit rather than the CPUs.
MAX_WORKERS = 12

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, MAX_WORKERS))
worker_class = "sync"
# A request that has not finished in this time is killed and its worker replaced (a rebuild of the search
# index runs from the command line, never in a request).
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Recycle workers now and then so a slow leak never grows without bound; the jitter keeps them from all
# restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)
# A search of 2,000 Thai characters is about 18 KB once percent-encoded (9 bytes per character), but gunicorn
# refuses any request line over its default of 4,094 bytes with 400, and cuts every setting above 8,190 down
# to 8,190. Only 0 lifts that: the request line is then bounded by gunicorn's parser at 1 MB, and the search
# form by its own length limit. A reverse proxy in front must allow long lines too (nginx:
# `large_client_header_buffers 4 32k;`).
limit_request_line = _int("GUNICORN_LIMIT_REQUEST_LINE", 0)
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
# Access and error logs to stdout/stderr ("-"), for the process manager to collect.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
proc_name = "sala"
# gunicorn's control socket (for `gunicornc`) is one path per user by default, so a second instance took over
# the first one's socket, and removed it on exit. Each instance gets its own, named after the addresses it
# listens on (`on_starting`), in gunicorn's socket directory; GUNICORN_CONTROL_SOCKET sets a path, or "off".
CONTROL_SOCKET = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = CONTROL_SOCKET == "off"
if CONTROL_SOCKET and not control_socket_disable:
    control_socket = CONTROL_SOCKET
MAX_SOCKET_NAME = 48


def control_socket_for(binds: list[str], default_path: str) -> str:
    """A control socket path of this instance's own: gunicorn's default directory, the addresses in the name."""
    name = re.sub(r"[^A-Za-z0-9.]+", "-", "_".join(binds)).strip("-")
    if len(name) > MAX_SOCKET_NAME:  # a Unix socket path may not be much over 100 bytes
        name = hashlib.sha256(name.encode()).hexdigest()[:16]
    return os.path.join(os.path.dirname(default_path), f"sala-{name}.ctl")


def on_starting(server) -> None:
    """Name the control socket after the final bind addresses (command-line flags included), unless it was set."""
    settings = server.cfg.settings["control_socket"]
    if server.cfg.control_socket_disable or settings.value != settings.default:
        return
    server.cfg.set("control_socket", control_socket_for(server.cfg.bind, settings.default))


def post_fork(server, worker) -> None:
    """Forget database connections inherited from the master (there should be none; this makes it certain)."""
    app = getattr(worker.app, "callable", None)  # the preloaded Flask app; None without preload
    if app is None or "sqlalchemy" not in getattr(app, "extensions", {}):
        return  # not preloaded, or another app served with these settings (bench/http's ceiling)
    from app.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)


def pre_fork(server, worker) -> None:
    """Load what a new worker's first requests would (app/warm.py: templates, the search backend and its
    lexicons), then freeze what the master has loaded before forking (Python's advice for fork without exec).

    The collector then never scans those objects in the worker, so a full collection does not walk the whole
    loaded application (a pause that showed as latency spikes), and their memory pages stay shared with the
    master instead of being copied into every worker when the collector touches them.
    """
    app = getattr(worker.app, "callable", None)  # the preloaded Flask app; None without preload
    if app is not None and "sqlalchemy" in getattr(app, "extensions", {}):
        from app.warm import warm

        try:
            templates = warm(app)
            server.log.info("worker %s starts warm: %d templates compiled, search loaded", worker.age, templates)
        except Exception:  # noqa: BLE001 - a worker that starts cold still serves: it does this on its own
            server.log.exception("could not warm the application before forking a worker")
    gc.freeze()
