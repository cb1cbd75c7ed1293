"""newshub.external against a real HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newshub import external
from newshub.errors import Problem
from newshub.external import Result, check_links, check_url

CACHE = ".newshub-cache/external.json"


class Server(ThreadingHTTPServer):
    """Records every request (method, path, User-Agent) and the most requests it served at once."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []
        self.agents: set[str] = set()
        self.active = 0
        self.max_active = 0
        self.flaky = 0  # requests /flaky has answered

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def count(self, path: str, method: str | None = None) -> int:
        return sum(1 for m, p in self.requests if p == path and method in (None, m))

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out and left: the slow route's write fails, as it should


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.answer()

    def do_GET(self) -> None:
        self.answer()

    def answer(self) -> None:
        server = self.server
        with server.lock:
            server.requests.append((self.command, self.path))
            server.agents.add(self.headers.get("User-Agent", ""))
            server.active += 1
            server.max_active = max(server.max_active, server.active)
        self.counted = True
        try:
            self.route()
        finally:
            self.done()

    def done(self) -> None:
        """The request no longer counts as active: before its answer is written, since the client
        may send its next request as soon as it has read it (counted after, a busy machine saw three
        at once with a limit of two)."""
        if self.counted:
            with self.server.lock:
                self.server.active -= 1
            self.counted = False

    def send(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.done()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route(self) -> None:
        path = self.path
        if path in ("/ok", "/new", "/final", "/%C3%BC%20x") or path.startswith("/many/10"):
            self.send(200)
        elif path == "/missing":
            self.send(404)
        elif path == "/slow":
            time.sleep(1.5)
            self.send(200)
        elif path == "/old":
            self.send(301, {"Location": "/new"})
        elif path == "/http-old":
            self.send(308, {"Location": f"{self.server.base}/new"})
        elif path == "/temp":
            self.send(302, {"Location": "/ok"})
        elif path == "/chain":  # permanent, permanent, then temporary: link to the last permanent target
            self.send(301, {"Location": "/chain-2"})
        elif path == "/chain-2":
            self.send(308, {"Location": "/temp-final"})
        elif path == "/temp-final":
            self.send(307, {"Location": "/final"})
        elif path == "/loop-a":
            self.send(302, {"Location": "/loop-b"})
        elif path == "/loop-b":
            self.send(302, {"Location": "/loop-a"})
        elif path.startswith("/many/"):  # /many/0 -> /many/1 -> ... -> /many/10 (200) or beyond
            self.send(302, {"Location": f"/many/{int(path.split('/')[2]) + 1}"})
        elif path == "/cookie":  # redirects to itself once to set a cookie, like some news sites
            if "seen=1" in self.headers.get("Cookie", ""):
                self.send(200)
            else:
                self.send(302, {"Location": "/cookie", "Set-Cookie": "seen=1; Path=/"})
        elif path == "/no-head":
            self.send(405 if self.command == "HEAD" else 200)
        elif path == "/head-404":
            self.send(404 if self.command == "HEAD" else 200)
        elif path == "/flaky":  # busy for the first request, asking for a second's wait
            with self.server.lock:
                self.server.flaky += 1
                busy = self.server.flaky == 1
            self.send(503 if busy else 200, {"Retry-After": "1"})
        elif path == "/flaky-get":  # refuses HEAD; busy for the first GET
            with self.server.lock:
                self.server.flaky += self.command == "GET"
                busy = self.server.flaky == 1
            self.send(405 if self.command == "HEAD" else 503 if busy else 200, {"Retry-After": "0"})
        elif path == "/busy":
            self.send(503, {"Retry-After": "0"})
        elif path == "/limited":
            self.send(429, {"Retry-After": "0"})
        elif path.startswith("/wait/"):
            time.sleep(0.25)
            self.send(200)
        else:
            self.send(500)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy in the environment must not see requests to the test server."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = Server()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port bound but not listening: connecting to it is refused, and no one else can take it meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def one(url: str, **options: float) -> tuple[list[Problem], list[Problem]]:
    return check_links({url: [("content/news/a.md", 12)]}, None, **options)


def test_ok(server: Server) -> None:
    assert one(f"{server.base}/ok") == ([], [])
    assert server.requests == [("HEAD", "/ok")]
    assert all("newshub" in agent for agent in server.agents)


def test_not_found_is_an_error_after_a_get(server: Server) -> None:
    url = f"{server.base}/missing"
    errors, warnings = one(url)
    assert [str(p) for p in errors] == [f"content/news/a.md:12: dead external link {url}: HTTP 404 Not Found"]
    assert warnings == []
    assert server.requests == [("HEAD", "/missing"), ("GET", "/missing")]


def test_timeout(server: Server) -> None:
    url = f"{server.base}/slow"
    started = time.monotonic()
    errors, _ = one(url, timeout=0.5)
    assert time.monotonic() - started < 1.4
    assert [p.message for p in errors] == [f"unreachable external link {url}: timed out after 0.5 s"]
    assert server.requests == [("HEAD", "/slow")]  # a timeout is not asked again with GET


def test_permanent_redirect_is_a_warning_naming_the_new_url(server: Server) -> None:
    url = f"{server.base}/old"
    assert one(url) == (
        [],
        [Problem("content/news/a.md", 12, f"external link {url} moved permanently to {server.base}/new; link there instead")],
    )
    # The fragment of the link goes with it.
    _, warnings = one(f"{url}#section")
    assert warnings[0].message.endswith(f"moved permanently to {server.base}/new#section; link there instead")
    assert check_url(f"{server.base}/http-old") == Result(f"{server.base}/http-old", 200, "", f"{server.base}/new", f"{server.base}/new")


def test_a_chain_suggests_the_last_permanent_target(server: Server) -> None:
    result = check_url(f"{server.base}/chain")
    assert result == Result(f"{server.base}/chain", 200, "", f"{server.base}/final", f"{server.base}/temp-final")


def test_temporary_redirect_is_fine(server: Server) -> None:
    assert one(f"{server.base}/temp") == ([], [])
    assert check_url(f"{server.base}/temp") == Result(f"{server.base}/temp", 200, "", f"{server.base}/ok")
    assert server.count("/ok", "HEAD") == 2


def test_redirect_loop(server: Server) -> None:
    url = f"{server.base}/loop-a"
    errors, _ = one(url)
    assert [p.message for p in errors] == [f"dead external link {url}: redirect loop"]
    assert server.requests == [("HEAD", "/loop-a"), ("HEAD", "/loop-b")]


def test_at_most_ten_redirects(server: Server) -> None:
    assert check_url(f"{server.base}/many/0").error == ""  # ten redirects: followed
    result = check_url(f"{server.base}/many/-1")  # eleven
    assert (result.status, result.error) == (302, "more than 10 redirects")


def test_a_redirect_to_itself_that_sets_a_cookie_is_no_loop(server: Server) -> None:
    assert check_url(f"{server.base}/cookie") == Result(f"{server.base}/cookie", 200, "", "")


@pytest.mark.parametrize("path", ["/no-head", "/head-404"])
def test_a_server_that_refuses_head_is_asked_with_get(server: Server, path: str) -> None:
    assert one(f"{server.base}{path}") == ([], [])
    assert server.requests == [("HEAD", path), ("GET", path)]


def test_busy_then_fine_is_retried_after_the_wait_asked(server: Server) -> None:
    started = time.monotonic()
    assert one(f"{server.base}/flaky") == ([], [])
    assert time.monotonic() - started >= 0.9  # Retry-After: 1
    assert server.requests == [("HEAD", "/flaky"), ("GET", "/flaky")]  # the retry is a GET


def test_busy_get_is_retried_once(server: Server) -> None:
    assert one(f"{server.base}/flaky-get") == ([], [])
    assert server.requests == [("HEAD", "/flaky-get"), ("GET", "/flaky-get"), ("GET", "/flaky-get")]


@pytest.mark.parametrize(("path", "answer"), [("/busy", "HTTP 503 Service Unavailable"), ("/limited", "HTTP 429 Too Many Requests")])
def test_still_busy_is_a_warning(server: Server, path: str, answer: str) -> None:
    url = f"{server.base}{path}"
    errors, warnings = one(url)
    assert errors == []
    assert [p.message for p in warnings] == [f"external link {url} not confirmed: {answer} twice; the server is busy, check again later"]
    assert server.count(path) == 2  # HEAD, then one GET after the wait


def test_refused_connection(refused_port: int) -> None:
    url = f"http://127.0.0.1:{refused_port}/x"
    errors, _ = one(url)
    assert [str(p) for p in errors] == [f"content/news/a.md:12: unreachable external link {url}: connection refused"]


def test_tls_failure(server: Server) -> None:
    url = f"https://127.0.0.1:{server.server_address[1]}/ok"  # a TLS handshake with a plain HTTP server
    errors, _ = one(url)
    assert len(errors) == 1
    assert errors[0].message.startswith(f"unreachable external link {url}: TLS failed (")


def test_address_as_sent(server: Server) -> None:
    assert (
        external._address("https://Bücher.example/wiki/中文 x?q=ä b")
        == "https://xn--bcher-kva.example/wiki/%E4%B8%AD%E6%96%87%20x?q=%C3%A4%20b"
    )
    assert external._address("http://[::1]:8080") == "http://[::1]:8080/"
    assert external._address("http://example.org/a%20b?x=1&y=%2F") == "http://example.org/a%20b?x=1&y=%2F"  # escapes kept
    assert one(f"{server.base}/ü x") == ([], [])
    assert server.requests == [("HEAD", "/%C3%BC%20x")]


def test_network_failures_in_words() -> None:
    assert external._in_words(socket.gaierror(socket.EAI_NONAME, "Name or service not known"), 10) == "no such host"
    assert external._in_words(TimeoutError("timed out"), 10) == "timed out after 10 s"
    assert external._in_words(ConnectionResetError(104, "Connection reset by peer"), 10) == "connection reset by the server"


def test_invalid_urls_are_errors_not_tracebacks(refused_port: int) -> None:
    links = {
        f"http://127.0.0.1:{refused_port}0000/": [("a.md", 1)],  # port out of range
        "http://[::1/": [("a.md", 2)],
        "https:///no-host": [("a.md", 3)],
        "mailto:someone@example.org": [("a.md", 4)],  # not checked
        "tel:+4912345": [("a.md", 5)],
        "//example.org/protocol-relative": [("a.md", 6)],  # the caller resolves these
    }
    errors, warnings = check_links(links, None)
    assert [(p.line, "not a valid URL" in p.message) for p in errors] == [(1, True), (2, True), (3, True)]
    assert warnings == []
    assert check_url("ftp://example.org/") == Result("ftp://example.org/", 0, "not an http or https URL", "")


def test_per_host_limit(server: Server) -> None:
    links = {f"{server.base}/wait/{i}": [("a.md", i + 1)] for i in range(8)}
    assert check_links(links, None, per_host=2, workers=8) == ([], [])
    assert server.max_active == 2  # in parallel, but never more than two at once
    assert len(server.requests) == 8


def test_each_url_asked_once_every_place_reported(server: Server) -> None:
    dead, fine = f"{server.base}/missing", f"{server.base}/ok"
    places = [("content/news/c.md", 3), ("content/news/a.md", 7), ("content/pages/b.md", 1)]
    links = {dead: places, fine: places, f"{fine}#one": places[:1], f"{fine}#two": places[1:]}
    errors, warnings = check_links(links, None)
    assert [str(p) for p in errors] == [
        f"content/news/a.md:7: dead external link {dead}: HTTP 404 Not Found",
        f"content/news/c.md:3: dead external link {dead}: HTTP 404 Not Found",
        f"content/pages/b.md:1: dead external link {dead}: HTTP 404 Not Found",
    ]
    assert warnings == []
    assert Counter(server.requests) == {("HEAD", "/missing"): 1, ("GET", "/missing"): 1, ("HEAD", "/ok"): 1}  # no fragment sent


def test_cache_keeps_good_results_only(server: Server, tmp_path: Path) -> None:
    cache = tmp_path / CACHE
    links = {f"{server.base}/ok": [("a.md", 1)], f"{server.base}/missing": [("a.md", 2)], f"{server.base}/temp": [("a.md", 3)]}
    first = check_links(links, cache, now=1000.0)
    assert len(first[0]) == 1
    stored = json.loads(cache.read_text())
    assert sorted(stored["results"]) == [f"{server.base}/ok", f"{server.base}/temp"]
    asked = len(server.requests)

    assert check_links(links, cache, now=1000.0 + 3600) == first
    assert server.requests[asked:] == [("HEAD", "/missing"), ("GET", "/missing")]  # only the failure is asked again

    asked = len(server.requests)
    assert check_links(links, cache, now=1000.0 + 24 * 3600) == first  # a day later: every link asked again
    assert server.count("/ok", "HEAD") == 4  # /ok itself, and as /temp's target, in the first and the last run
    assert Counter(p for _, p in server.requests[asked:]) == {"/ok": 2, "/temp": 1, "/missing": 2}


def test_permanent_redirects_and_busy_servers_are_not_cached(server: Server, tmp_path: Path) -> None:
    cache = tmp_path / CACHE
    links = {f"{server.base}/old": [("a.md", 1)], f"{server.base}/busy": [("a.md", 2)]}
    check_links(links, cache, now=1000.0)
    check_links(links, cache, now=1001.0)
    assert server.count("/old") == 2
    assert server.count("/busy") == 4


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"[]",
        b'{"version": 1, "results": {"http://x/": {"checked": "yesterday", "status": 200}}}',
        b"\xff\xfe",
        b'{"version": 99, "results": {}}',
    ],
)
def test_damaged_cache_is_discarded_and_rewritten(server: Server, tmp_path: Path, content: bytes) -> None:
    cache = tmp_path / CACHE
    cache.parent.mkdir()
    cache.write_bytes(content)
    url = f"{server.base}/ok"
    errors, warnings = check_links({url: [("a.md", 1)]}, cache, now=1000.0)
    assert errors == []
    assert [str(p) for p in warnings] == [f"{CACHE}: {p.message}" for p in warnings]
    assert len(warnings) == 1 and "discarded; rebuilding it" in warnings[0].message
    assert json.loads(cache.read_text()) == {"version": 1, "results": {url: {"checked": 1000.0, "status": 200, "redirected_to": ""}}}


def test_unwritable_cache_is_a_warning(server: Server, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    cache = tmp_path / "file" / "external.json"  # its folder is a file
    errors, warnings = check_links({f"{server.base}/ok": [("a.md", 1)]}, cache)
    assert errors == []
    assert len(warnings) == 1
    assert warnings[0].message.startswith("cannot write the link cache (")
    assert warnings[0].message.endswith("); the next check asks every link again")


def test_retry_after() -> None:
    assert external._retry_after("0") == 0
    assert external._retry_after("2") == 2
    assert external._retry_after("3600") == external._MAX_WAIT
    assert external._retry_after("") == external._DEFAULT_WAIT
    assert external._retry_after("soon") == external._DEFAULT_WAIT
    assert external._retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # a date in the past
