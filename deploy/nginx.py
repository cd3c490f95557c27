"""The nginx site of DEPLOY.md (deploy/nginx-site.conf) with its placeholders filled in, and a private nginx
that serves it: `python deploy/nginx.py --help` prints a site for /etc/nginx/sites-available/; the nginx test
(tests/ops/test_nginx.py) and `bench/http/run.py --nginx` run the same site in front of a local gunicorn.
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
SITE_TEMPLATE = ROOT / "deploy" / "nginx-site.conf"
NGINX = Path(os.environ.get("NGINX", "/usr/sbin/nginx"))
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")

# What a private nginx (not the system's) needs around the site: its own pid file, logs and temporary folders.
_MAIN_CONF = """\
{user}daemon off;
worker_processes {workers};
pid {run_dir}/nginx.pid;
error_log {run_dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path {run_dir}/body;
    proxy_temp_path {run_dir}/proxy;
    fastcgi_temp_path {run_dir}/fastcgi;
    uwsgi_temp_path {run_dir}/uwsgi;
    scgi_temp_path {run_dir}/scgi;
    include {site};
}}
"""


def render_site(**values: str) -> str:
    """deploy/nginx-site.conf with every {{name}} replaced; a missing or unknown value is an error."""
    template = SITE_TEMPLATE.read_text()
    wanted = set(_PLACEHOLDER.findall(template))
    if missing := wanted - values.keys():
        raise ValueError(f"values missing for {sorted(missing)}")
    if unknown := values.keys() - wanted:
        raise ValueError(f"no placeholder for {sorted(unknown)}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def upstream_lines(addresses: list[str]) -> str:
    return "\n    ".join(f"server {address} max_fails=3 fail_timeout=10s;" for address in addresses)


def self_signed_certificate(folder: Path, host: str) -> tuple[Path, Path]:
    """A throw-away certificate for `host` (openssl), for serving the site over HTTPS on a test machine."""
    certificate, key = folder / "cert.pem", folder / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={host}"]
    command += ["-keyout", str(key), "-out", str(certificate)]
    subprocess.run(command, check=True, capture_output=True)
    return certificate, key


def local_site(run_dir: Path, upstream: str, https_port: int, http_port: int, host: str = "localhost") -> Path:
    """The DEPLOY.md site for one machine: HTTPS on `host`:`https_port` in front of `upstream`, files in run_dir."""
    certificate, key = self_signed_certificate(run_dir, host)
    site = render_site(
        cache_dir=str(run_dir / "cache"),
        upstream_servers=upstream_lines([upstream]),
        http_listen=f"{host}:{http_port}",
        https_listen=f"{host}:{https_port}",
        server_name=host,
        site_url=f"https://{host}:{https_port}",
        ssl_certificate=str(certificate),
        ssl_certificate_key=str(key),
        static_dir=str(ROOT / "static"),
    )
    path = run_dir / "sala-site.conf"
    path.write_text(site)
    return path


@contextmanager
def running(
    run_dir: Path, site: Path, port: int, workers: int = 1, timeout: float = 20.0
) -> Iterator[subprocess.Popen]:
    """nginx serving `site` in the foreground until the block ends, once it accepts connections on `port` of
    localhost; its configuration is tested first."""
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / folder).mkdir(parents=True, exist_ok=True)
    conf = run_dir / "nginx.conf"
    # Started as root, nginx would run its workers as nobody, who cannot enter a private run_dir (pytest's).
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    conf.write_text(_MAIN_CONF.format(user=user, workers=workers, run_dir=run_dir, site=site))
    command = [str(NGINX), "-p", str(run_dir), "-c", str(conf)]
    check = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused the configuration: {check.stderr}")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _wait_until_listening(port, process, timeout)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_listening(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("localhost", port), timeout=1).close()
            return
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nginx did not start within {timeout:.0f} s")
        time.sleep(0.05)


def available() -> bool:
    return NGINX.exists() and shutil.which("openssl") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description="Print the nginx site of DEPLOY.md for a server.")
    parser.add_argument("--site-url", required=True, help="SITE_URL, e.g. https://sala.example.go.th")
    parser.add_argument("--upstream", action="append", required=True, help="host:port of a gunicorn (repeat)")
    parser.add_argument("--certificate", default="/etc/ssl/sala/fullchain.pem")
    parser.add_argument("--certificate-key", default="/etc/ssl/sala/privkey.pem")
    parser.add_argument("--static-dir", default="/srv/sala/static")
    parser.add_argument("--cache-dir", default="/var/cache/nginx/sala")
    args = parser.parse_args()
    host = urlsplit(args.site_url).hostname
    print(
        render_site(
            cache_dir=args.cache_dir,
            upstream_servers=upstream_lines(args.upstream),
            http_listen="80",
            https_listen="443",
            server_name=host,
            site_url=args.site_url.rstrip("/"),
            ssl_certificate=args.certificate,
            ssl_certificate_key=args.certificate_key,
            static_dir=args.static_dir.rstrip("/"),
        ),
        end="",
    )


if __name__ == "__main__":
    main()
