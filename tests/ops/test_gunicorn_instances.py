"""gunicorn with gunicorn.conf.py: production unless SALA_CONFIG says otherwise (so the development key is refused),
and each instance with a control socket of its own."""

from __future__ import annotations

import http.client
import json
import os
import runpy
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import ROOT
from config import DEVELOPMENT_SECRET_KEY

GUNICORN = Path(sys.executable).parent / "gunicorn"
PORTS = (8151, 8152)  # this slice's port range is 8100-8199
KEY = "Zq3" * 11


def _environment(app, runtime_dir: Path, **extra: str) -> dict[str, str]:
    """The test's database and folders; SALA_CONFIG, SECRET_KEY and SITE_URL only as given."""
    env = {key: value for key, value in os.environ.items() if key not in ("SALA_CONFIG", "SECRET_KEY", "SITE_URL")}
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"],
        UPLOAD_DIR=app.config["UPLOAD_DIR"],
        CACHE_DIR=str(runtime_dir / "page-cache"),
        XDG_RUNTIME_DIR=str(runtime_dir),  # where gunicorn puts control sockets by default
        WEB_CONCURRENCY="1",
        GUNICORN_ACCESS_LOG=os.devnull,
        **extra,
    )
    for name in ("GUNICORN_CONTROL_SOCKET", "TRUSTED_HOSTS", "GUNICORN_BIND"):
        env.pop(name, None)
    return env


def _start(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response


def _wait_until_serving(process: subprocess.Popen, port: int, socket_path: Path) -> http.client.HTTPResponse:
    """The first answer from /healthz, once the instance's control socket exists too."""
    deadline = time.monotonic() + 60
    while True:
        try:
            response = _get(port, "/healthz")
            if socket_path.is_socket():
                return response
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"gunicorn on {port} did not start: {process.communicate()[1][-3000:]}")
        time.sleep(0.1)


def _master_behind(socket_path: Path) -> int:
    """The pid of the gunicorn master that answers on this control socket (gunicornc's `show stats`)."""
    command = [str(GUNICORN.with_name("gunicornc")), "-s", str(socket_path), "-c", "show stats", "-j"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
    return json.loads(result.stdout)["pid"]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_instances_serve_production_each_with_its_own_control_socket(app, tmp_path):
    env = _environment(app, tmp_path, SECRET_KEY=KEY, SITE_URL="http://127.0.0.1")  # no SALA_CONFIG
    sockets = [tmp_path / f"sala-127.0.0.1-{port}.ctl" for port in PORTS]
    processes = [_start(env, port) for port in PORTS]
    try:
        for process, port, socket_path in zip(processes, PORTS, sockets, strict=True):
            response = _wait_until_serving(process, port, socket_path)
            assert response.status in (200, 503)
            assert response.getheader("Strict-Transport-Security")  # the production settings
            assert stat.S_IMODE(socket_path.stat().st_mode) == 0o600
            assert _master_behind(socket_path) == process.pid  # each socket answers for its own instance
        assert not (tmp_path / "gunicorn.ctl").exists()  # the one socket both used to share
    finally:
        for process in processes:
            _stop(process)
    assert not any(path.exists() for path in sockets)


@pytest.mark.parametrize("key", [None, DEVELOPMENT_SECRET_KEY])
def test_gunicorn_without_sala_config_refuses_the_development_key(app, tmp_path, key):
    env = _environment(app, tmp_path, SITE_URL="http://127.0.0.1", **({"SECRET_KEY": key} if key else {}))
    process = _start(env, PORTS[0])
    try:
        _, errors = process.communicate(timeout=60)
    finally:
        _stop(process)
    assert process.returncode != 0
    assert "SECRET_KEY is missing, the development default" in errors


def test_gunicorn_without_site_url_refuses_to_start(app, tmp_path):
    process = _start(_environment(app, tmp_path, SECRET_KEY=KEY), PORTS[0])
    try:
        _, errors = process.communicate(timeout=60)
    finally:
        _stop(process)
    assert process.returncode != 0
    assert "SITE_URL" in errors


def _settings(monkeypatch, **env) -> dict:
    """gunicorn.conf.py's settings; the environment (SALA_CONFIG, which the file sets) is restored after the test."""
    for name in ("GUNICORN_CONTROL_SOCKET", "SALA_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_sala_config_is_production_under_gunicorn_unless_set(monkeypatch):
    _settings(monkeypatch)
    assert os.environ["SALA_CONFIG"] == "production"
    _settings(monkeypatch, SALA_CONFIG="development")
    assert os.environ["SALA_CONFIG"] == "development"


def test_the_control_socket_can_be_set_or_turned_off(monkeypatch):
    assert _settings(monkeypatch, GUNICORN_CONTROL_SOCKET="/run/sala/a.ctl")["control_socket"] == "/run/sala/a.ctl"
    assert _settings(monkeypatch, GUNICORN_CONTROL_SOCKET="off")["control_socket_disable"] is True
    settings = _settings(monkeypatch)
    assert settings["control_socket_disable"] is False and "control_socket" not in settings
    name = settings["control_socket_for"](["unix:/run/sala/web.sock", "127.0.0.1:8000"], "/home/s/.gunicorn/g.ctl")
    assert name == "/home/s/.gunicorn/sala-unix-run-sala-web.sock-127.0.0.1-8000.ctl"
    long_name = settings["control_socket_for"]([f"unix:/{'x' * 200}"], "/r/gunicorn.ctl")
    assert len(long_name) < 100
