"""The built sample site behind a real nginx (with the shipped deploy/nginx.conf) or a tiny Python
server that sends the shipped deploy/_headers: how the CSP and cache tests see a deployment."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from tests.conftest import REPO
from tests.preview_server import free_port

NGINX = "/usr/sbin/nginx"
MIME_TYPES = "/etc/nginx/mime.types"


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def nginx_conf(prefix: Path, site: Path, port: int) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""  # pytest's temp folders are 0700: workers must read them
    temps = "".join(f"  {name}_temp_path {prefix / name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log stderr;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  include {MIME_TYPES};\n  default_type application/octet-stream;\n  access_log off;\n{temps}"
        f"  server {{\n    listen 127.0.0.1:{port};\n    root {site};\n    include {REPO / 'deploy' / 'nginx.conf'};\n"
        f"    include {site}/_redirects*.conf;\n  }}\n}}\n"
    )


def _wait(port: int, proc: subprocess.Popen[str] | None = None, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {proc.communicate()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")


@contextmanager
def nginx(site: Path, prefix: Path) -> Iterator[int]:
    """nginx in the foreground on a free loopback port, serving `site`; yields the port."""
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf(prefix, site, port))
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf), "-e", "stderr"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-e", "stderr"], stderr=subprocess.PIPE, text=True)
    try:
        _wait(port, proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def headers_file() -> dict[str, dict[str, str]]:
    """deploy/_headers as {path pattern: {header: value}}."""
    rules: ClassVar[dict[str, dict[str, str]]] = {}
    current: dict[str, str] | None = None
    for line in (REPO / "deploy" / "_headers").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            current = rules.setdefault(line.strip(), {})
        else:
            assert current is not None
            name, value = line.strip().split(":", 1)
            current[name.strip()] = value.strip()
    return rules


class _Handler(SimpleHTTPRequestHandler):
    """Static files with deploy/_headers applied, as Netlify or Cloudflare Pages would send them."""

    rules: ClassVar[dict[str, dict[str, str]]] = {}

    def end_headers(self) -> None:
        for pattern, headers in self.rules.items():
            if pattern == "/*" or (pattern.endswith("*") and self.path.startswith(pattern[:-1])):
                for name, value in headers.items():
                    self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def static_server(site: Path) -> Iterator[int]:
    handler = type("Handler", (_Handler,), {"rules": headers_file()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def nginx_available() -> bool:
    return shutil.which(NGINX) is not None or Path(NGINX).is_file()
