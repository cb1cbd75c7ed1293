"""Security of the preview server: paths, redirects, Host headers, CORS, binding, concurrency.

Requests go through http.client or raw sockets, which send the path exactly as written."""

from __future__ import annotations

import os
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newshub.assets import hashed_name
from newshub.serve import host_allowed, resolve

from .conftest import MINIMAL_CONFIG, REPO, MakeSite, run_cli
from .preview_server import Running, running

SECRET = b"top secret outside the project"
ARTICLE = "---\ntitle: Hello\ndate: 2024-05-01\n---\n\nHello world.\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    base = tmp_path_factory.mktemp("security")
    (base / "secret.txt").write_bytes(SECRET)
    root = base / "project"
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "assets", root / "assets")
    (root / "content/news").mkdir(parents=True)
    (root / "content/site.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    (root / "content/news/2024-05-01-hello.md").write_text(ARTICLE, encoding="utf-8")
    (root / "assets/leak.txt").symlink_to(base / "secret.txt")
    with running(root, "--no-cache") as srv:
        yield srv


def raw(server: Running, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


TRAVERSALS = [
    "/../content/site.yaml",
    "/news/../../content/site.yaml",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/content/site.yaml",
    "/news/%2e%2e%2f%2e%2e%2fcontent/site.yaml",
    "/%252e%252e/%252e%252e/etc/passwd",
    "/..%5c..%5ccontent%5csite.yaml",
    "/\\..\\content\\site.yaml",
    "/news\\..\\..\\etc\\passwd",
    "/etc/passwd",
    "/%2fetc%2fpasswd",
    "//etc/passwd",
    "/C:/Windows/win.ini",
    "/%00/index.html",
    "/.%2e/content/site.yaml",
    "/news/./../../etc/passwd",
    "/%c0%ae%c0%ae/etc/passwd",
    "http://127.0.0.1/../etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_404(server: Running, path: str) -> None:
    status, _, body = server.get(path)
    assert status == 404
    assert b"root:" not in body and b"base_url" not in body and SECRET not in body


def test_resolve_refuses_every_escape() -> None:
    for path in TRAVERSALS:
        assert resolve(path) in (None, "etc/passwd", "C:/Windows/win.ini"), path  # the last two are simply not site files
    assert resolve("/") == "index.html"
    assert resolve("/news/") == "news/index.html"
    assert resolve("/tags/%E5%8C%BB%E7%96%97/") == "tags/医疗/index.html"


def test_a_symlink_pointing_outside_is_404(server: Running) -> None:
    url = "/assets/" + hashed_name("leak.txt", SECRET)
    status, _, body = server.get(url)
    assert status == 404 and SECRET not in body
    status, _, _ = server.get("/assets/" + hashed_name("css/site.css", (REPO / "assets/css/site.css").read_bytes()))
    assert status == 200  # a real asset is served


def test_a_content_file_linked_outside_while_serving_is_refused_like_a_build(make_site: MakeSite, tmp_path: Path) -> None:
    # Saved as a link after the start, so it is read by the preview's own per-file path, not discover.
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\ndate: 2024-05-02\n---\n\n" + SECRET.decode() + "\n", encoding="utf-8")
    root = make_site({"content/news/2024-05-01-hello.md": ARTICLE})
    for path in [root, *root.rglob("*")]:  # older than the start: the server's catch-up scan stays out of it
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    with running(root, "--no-cache") as srv:
        time.sleep(0.5)  # the watcher is running
        (root / "content/news/2024-05-02-leak.md").symlink_to(secret)
        deadline = time.monotonic() + 10
        while b"newshub-overlay" not in srv.get("/news/hello/")[2] and time.monotonic() < deadline:
            time.sleep(0.05)
        body = srv.get("/news/hello/")[2]
        assert b"content/news/2024-05-02-leak.md" in body and b"outside the project" in body
        assert srv.get("/news/leak/")[0] == 404 and SECRET not in srv.get("/news/")[2]
    result = run_cli(root, "build")
    assert result.returncode == 1 and "content/news/2024-05-02-leak.md: is a symbolic link to a file outside the project" in result.stderr


REDIRECTS = ["//evil.example/", "//evil.example/news", "///evil.example/news", "/\\evil.example/news", "/%2f%2fevil.example/news"]


@pytest.mark.parametrize("path", REDIRECTS)
def test_no_open_redirect(server: Running, path: str) -> None:
    _, headers, _ = server.get(path)
    location = headers.get("location", "")
    assert not location or (location.startswith("/") and not location.startswith("//") and "evil" not in location)


def test_a_folder_without_slash_redirects_within_the_site(server: Running) -> None:
    status, headers, _ = server.get("/news")
    assert status == 301 and headers["location"] == "/news/"


FOREIGN = ["evil.example", "evil.example:{port}", "localhost.evil.example:{port}", "127.0.0.1.nip.io:{port}"]
FOREIGN += ["localhost:1", "", "[::2]:{port}"]


@pytest.mark.parametrize("host", FOREIGN)
def test_a_foreign_host_header_is_400(server: Running, host: str) -> None:
    status, _, body = server.get("/", host=host.format(port=server.port))
    assert status == 400 and b"Hello" not in body


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}", "LOCALHOST:{port}"])
def test_loopback_host_headers_are_served(server: Running, host: str) -> None:
    status, _, body = server.get("/news/hello/", host=host.format(port=server.port))
    assert status == 200 and b"Hello world." in body


def test_missing_or_repeated_host_is_400(server: Running) -> None:
    assert raw(server, b"GET / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.1 400")
    host = f"Host: 127.0.0.1:{server.port}\r\n".encode()
    assert raw(server, b"GET / HTTP/1.1\r\n" + host + b"Host: evil.example\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 400")


def test_no_wildcard_cors(server: Running) -> None:
    for path in ["/", "/news/hello/", "/feed.xml", "/__newshub__/reload.js", "/nope/"]:
        _, headers, _ = server.get(path)
        assert "access-control-allow-origin" not in headers
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nOrigin: https://evil.example\r\nConnection: close\r\n\r\n"
    response = raw(server, request.encode())
    assert b"access-control-allow-origin" not in response.lower()


def test_requests_are_served_concurrently(server: Running) -> None:
    # A live-reload stream and a client that never finishes its request both hold a connection open.
    events = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    stuck = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        events.sendall(f"GET /__newshub__/events?since=x HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
        stuck.sendall(b"GET / HTTP/1.1\r\n")
        status, _, body = server.get("/news/hello/")
        assert status == 200 and b"Hello world." in body
        received = b""
        while b"event: reload" not in received:  # its page is out of date: reload at once
            chunk = events.recv(4096)
            assert chunk, received
            received += chunk
    finally:
        events.close()
        stuck.close()


def test_reload_script_is_injected_only_when_serving(server: Running, tmp_path: Path) -> None:
    _, _, body = server.get("/news/hello/")
    assert body.count(b'<script src="/__newshub__/reload.js"') == 1
    assert body.index(b"/__newshub__/reload.js") < body.rindex(b"</body>")
    assert b"<style" not in body and b"style=" not in body and b"<script>" not in body  # strict CSP friendly
    _, headers, feed = server.get("/feed.xml")
    assert b"__newshub__" not in feed and headers["content-type"].startswith("application/xml")


def test_host_allowed_rules() -> None:
    assert host_allowed("localhost:8000", "127.0.0.1", 8000)
    assert host_allowed("[::1]:8000", "127.0.0.1", 8000)
    assert host_allowed("devbox:8000", "devbox", 8000)
    assert not host_allowed("devbox:8000", "0.0.0.0", 8000)
    assert not host_allowed("localhost:8001", "127.0.0.1", 8000)
    assert not host_allowed(None, "127.0.0.1", 8000)


def test_binds_loopback_by_default_and_warns_for_another_host(make_site: MakeSite) -> None:
    root = make_site({})
    with running(root, "--no-cache") as srv:
        time.sleep(0.1)
        lines = [line for line in Path(f"/proc/{srv.proc.pid}/net/tcp").read_text().splitlines()[1:] if line.split()[3] == "0A"]
        port_hex = f"{srv.port:04X}"
        listening = [line.split()[1] for line in lines if line.split()[1].endswith(":" + port_hex)]
        assert listening == [f"0100007F:{port_hex}"]  # 127.0.0.1 only
        _, err = srv.output()
        assert "warning" not in err
    with running(root, "--no-cache", "--host", "0.0.0.0") as srv:
        status, _, _ = srv.get("/", host=f"localhost:{srv.port}")
        assert status == 200
        _, err = srv.output()
        assert "warning: serving on 0.0.0.0" in err
    assert run_cli(root, "serve", "--help").stdout.count("--host") >= 1


def test_the_server_starts_when_the_first_build_fails(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-05-01-hello.md": "---\ntitle: [Hello\n---\nText.\n"})
    with running(root, "--no-cache") as srv:
        status, headers, body = srv.get("/")
        assert status == 500 and headers["content-type"].startswith("text/html")
        assert b'id="newshub-overlay"' in body and b"content/news/2024-05-01-hello.md:" in body
        assert b"/__newshub__/overlay.css" in body and b"/__newshub__/reload.js" in body
        _, err = srv.output()
    assert "Traceback" not in err
    assert err.count("error: content/news/2024-05-01-hello.md:") == 1


def test_warnings_are_printed_once_like_a_build_prints_them(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-05-01-hello.md": "---\ntitle: Hello\n---\nText.\n\n<script>alert(1)</script>\n"})
    article = root / "content/news/2024-05-01-hello.md"
    with running(root, "--no-cache") as srv:
        article.write_text("---\ntitle: Hello\n---\nText, edited.\n\n<script>alert(1)</script>\n", encoding="utf-8")
        deadline = time.monotonic() + 10
        while b"edited" not in srv.get("/news/hello/")[2] and time.monotonic() < deadline:
            time.sleep(0.05)
        _, err = srv.output()
    build = run_cli(root, "check")
    expected = [line for line in build.stderr.splitlines() if line.startswith("warning: content/news/")]
    assert expected, build.stderr
    for line in expected:
        assert err.count(line) == 1, err
