"""`newshub serve`: the preview server. Drives a build.Build: tells it what the watcher saw change
and serves the pages browsers ask for, rendered on request, with live reload, an error overlay,
and nothing written into site/. An open page reloads only when its own bytes (or the errors) changed.

The reload script and the overlay are added to HTML responses only here, at serve time, as
same-origin files (a strict Content-Security-Policy still allows them); the build never sees them.
"""

from __future__ import annotations

import hashlib
import html
import mimetypes
import os
import signal
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Sequence
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .build import Build
from .cache import Cache
from .errors import Problem
from .images import FORMATS
from .options import Options
from .watch import WATCHED, Batch, Watcher

PREFIX = "/__newshub__/"
# Served only by the preview, as same-origin files: a strict Content-Security-Policy still allows them.
RELOAD_JS = (Path(__file__).parent / "preview" / "reload.js").read_bytes()
OVERLAY_CSS = (Path(__file__).parent / "preview" / "overlay.css").read_bytes()
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
DEFER_AT = 256  # news files (as listed) from which a first start reads only the front matter of those not cached
IDLE = 0.3  # seconds without requests or rebuilds before pages are rendered ahead of being asked for
KEEPALIVE = 15.0


TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml; charset=utf-8", ".txt": "text/plain; charset=utf-8"}
TYPES[".ics"] = "text/calendar; charset=utf-8"  # RFC 5545, 8.1
TYPES.update({f".{ext}": mime for ext, mime in FORMATS.values()} | {".avif": "image/avif"})  # not in every mime.types


def resolve(raw: str) -> str | None:
    """The output file a request path names, or None for anything that could leave the site: `..`
    in any encoding, backslashes, NUL, empty segments (`//host`), absolute-form targets."""
    path = raw.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    try:
        decoded = unquote(path, errors="strict") if "%" in path else path
    except UnicodeDecodeError:
        return None
    if any(c in decoded for c in ("\\", "\x00", "%")):  # '%' left after one decoding: double encoding
        return None
    parts = decoded[1:].split("/")
    if any(part in (".", "..") for part in parts) or any(part == "" for part in parts[:-1]):
        return None
    rel = "/".join(parts)
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


def host_allowed(header: str | None, bound: str, port: int) -> bool:
    """Against DNS rebinding: only loopback names, or the name the server was bound to, with its port."""
    if not header:
        return False
    names = set(LOOPBACK)
    if bound not in ("", "0.0.0.0", "::"):
        names.add(f"[{bound.lower()}]" if ":" in bound else bound.lower())
    value = header.strip().lower()
    if value in names:
        return port == 80
    name, sep, given = value.rpartition(":")
    return bool(sep) and name in names and given == str(port)


def inject(page: bytes, build: str, problems: Sequence[Problem], warnings: Sequence[Problem] = ()) -> bytes:
    """The overlay (when there are errors), the warnings panel (when there are warnings) and the
    reload script, before the last </body>. The panel can be dismissed; it stays away (reload.js
    remembers it for the tab) until the warnings change."""
    parts = []
    if problems:
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in problems)
        parts.append(
            f'<link rel="stylesheet" href="{PREFIX}overlay.css"><div id="newshub-overlay" role="alert">'
            f"<h2>newshub: a build would stop on {_count(problems, 'problem')}; the site shown is the last good one</h2>"
            f"<ul>{items}</ul><p>Fix the file and this page reloads.</p></div>"
        )
    if warnings:
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in warnings)
        digest = hashlib.sha256(repr(warnings).encode()).hexdigest()[:16]
        parts.append(
            ("" if problems else f'<link rel="stylesheet" href="{PREFIX}overlay.css">')
            + f'<aside id="newshub-warnings" role="status" data-digest="{digest}">'
            '<button type="button" class="newshub-dismiss" aria-label="Dismiss the warnings">\u00d7</button>'
            f"<h2>newshub: {_count(warnings, 'warning')}</h2><ul>{items}</ul></aside>"
        )
    parts.append(f'<script src="{PREFIX}reload.js" data-build="{html.escape(build)}" defer></script>')
    extra = "".join(parts).encode()
    at = page.rfind(b"</body>")
    return page + extra if at < 0 else page[:at] + extra + page[at:]


def _count(items: Sequence[Problem], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


EMPTY_PAGE = b'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>newshub preview</title></head>\n<body></body></html>\n'


class PreviewServer:
    """The preview, the watcher, the background renderer and the HTTP server of one `serve`."""

    def __init__(self, options: Options, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        server_class = type("Server", (ThreadingHTTPServer,), {"address_family": family, "daemon_threads": True})
        self.httpd: ThreadingHTTPServer = server_class((host, port), _handler(self))
        self.host = host
        self.port = int(self.httpd.server_address[1])
        url_host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else (f"[{host}]" if ":" in host else host)
        self.url = f"http://{url_host}:{self.port}"
        self.options = replace(options, base_url=self.url, progress=False)
        self.build = Build(self.options, defer_at=DEFER_AT)
        self.watcher = Watcher(options.root, self.apply)
        self.active = time.monotonic()
        self.stopping = threading.Event()
        self.printed: list[Problem] = []
        self.warned: set[Problem] = set()
        self.started = time.perf_counter()

    # --- lifecycle ----------------------------------------------------------------------------

    def load(self) -> None:
        """The first build, before any thread starts (so it may parse in worker processes)."""
        self.loaded_at = time.time()
        cache = Cache.open(self.options.root, self.options.cache)
        self.build.load(cache)
        job = self.build.background
        if job is None:
            cache.save()  # else finish_loading() saves it, with the bodies
        later = f"; parsing {len(job.sources)} articles in the background" if job is not None else ""
        self.report(f"Loaded {len(self.build.routes)} pages in {time.perf_counter() - self.started:.2f} s{later}")

    def start(self) -> None:
        self.watcher.start()
        if self.build.background is not None:
            threading.Thread(target=self._complete, name="newshub-parse", daemon=True).start()
        threading.Thread(target=self._render_ahead, name="newshub-render", daemon=True).start()
        threading.Thread(target=self._catch_up, name="newshub-catch-up", daemon=True).start()

    def _catch_up(self) -> None:
        """A file saved while the first build ran (before the watcher started): look at everything
        again. A file or folder changed since then has a newer mtime (a deletion changes its folder's)."""
        since = self.loaded_at - 2.0  # file systems with coarse timestamps
        for name in WATCHED:
            for folder, _dirs, files in os.walk(self.options.root / name):
                for entry in [folder, *(os.path.join(folder, f) for f in files)]:
                    try:
                        if os.stat(entry).st_mtime >= since:
                            self.watcher.push(Batch.everything())
                            return
                    except OSError:
                        continue

    def _complete(self) -> None:
        try:
            self.build.finish_loading()
        except Exception as exc:  # not a dead worker (BackgroundParse parses its share here): say so, keep serving
            print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        self.report()

    def stop(self) -> None:
        self.stopping.set()
        self.build.stop()
        self.watcher.stop()
        self.httpd.shutdown()
        self.httpd.server_close()

    def shown(self, data: bytes, since: str | None = None) -> tuple[str, bytes]:
        """(token, page) of an HTML page's bytes as served: with the overlay, the warnings panel and
        the reload script (inject); the page is b"" when the token is `since`. The token stands for
        what an open page holds, its bytes and the errors and warnings over it; the page reloads
        when that changes."""
        errors, warnings = self.build.errors, self.build.warnings
        digest = hashlib.sha256(data)
        digest.update(repr((errors, warnings)).encode())
        token = digest.hexdigest()[:16]
        return token, b"" if token == since else inject(data, token, errors, warnings)

    def served(self, path: str) -> tuple[int, bytes, str]:
        """(status, bytes before injection, file) of what a request for `path` gets."""
        self.build.tick()  # an item due or a milestone fallen due since the last request: the Site moves on
        file = resolve(path)
        if file is not None and not self._inside(file):
            file = None
        data = self.build.page(file) if file is not None else None
        if data is not None and file:
            return 200, data, file
        # The 404 page of the language the address is under (/zh/... gets zh/404.html), as on a host
        # set up with the build's _redirects; else the default language's.
        top = file.split("/", 1)[0] if file and "/" in file else ""
        missing = f"{top}/404.html" if top and self.build.is_file(f"{top}/404.html") else "404.html"
        page = self.build.page(missing)
        return (404 if self.build.site is not None else 500), page or EMPTY_PAGE, missing

    # --- rebuilding ---------------------------------------------------------------------------

    def apply(self, batch: Batch) -> None:
        start = time.perf_counter()
        self.active = time.monotonic()
        try:
            if self.build.take(batch):
                self.report(f"Rebuilt in {(time.perf_counter() - start) * 1000:.0f} ms")
        except Exception as exc:  # e.g. an unreadable folder: say so and keep serving; the next save retries
            print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        self.active = time.monotonic()

    def report(self, success: str = "") -> None:
        """New warnings once; problems once each time they change, never a traceback; else the success line."""
        for warning in self.build.warnings:
            if warning not in self.warned:  # each once, like the errors: not again on every save
                self.warned.add(warning)
                print(f"warning: {warning}", file=sys.stderr, flush=True)
        problems = self.build.errors
        if problems != self.printed:
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr, flush=True)
            if not problems:
                print("Fixed: serving the new build", file=sys.stderr, flush=True)
            self.printed = problems
        elif success and not problems:
            print(success, file=sys.stderr, flush=True)

    def _render_ahead(self) -> None:
        """Render pages nobody asked for while nobody is waiting, so that a page that fails to render
        shows among the errors, as a build would stop on it."""
        announced = False
        while not self.stopping.is_set():
            if time.monotonic() - self.active < IDLE:
                self.stopping.wait(IDLE / 3)
                continue
            errors = self.build.errors
            if self.build.render_ahead():
                if self.build.errors != errors:
                    self.report()
                continue
            if not announced and not errors and self.build.background is None:
                announced = True
                count = len(self.build.output(search=False))  # the search index is made when first asked for
                print(f"All {count} files ready after {time.perf_counter() - self.started:.1f} s", file=sys.stderr, flush=True)
            self.stopping.wait(IDLE / 3)

    # --- answering ----------------------------------------------------------------------------

    def respond(self, handler: BaseHTTPRequestHandler, head: bool) -> None:
        self.active = time.monotonic()
        hosts = handler.headers.get_all("Host") or []
        if len(hosts) != 1 or not host_allowed(hosts[0], self.host, self.port):
            handler.close_connection = True
            return self._send(handler, 400, b"Bad Request: unexpected Host header\n", "text/plain; charset=utf-8", head)
        path = handler.path
        if path.startswith(PREFIX):
            return self._internal(handler, path, head)
        status, data, file = self.served(path)
        if status != 200 and (folder := resolve(path)) is not None and self.build.is_folder(folder):
            query = urlsplit(path).query  # kept: '/news/x?utm=1' goes to '/news/x/?utm=1'
            return self._redirect(handler, "/" + quote(folder) + "/" + (f"?{query}" if query else ""))
        return self._send(handler, status, data, _content_type(file), head)

    def _inside(self, file: str) -> bool:
        """An asset whose source is a symbolic link out of assets/ is never served."""
        if not file.startswith("assets/"):
            return True
        folder = (self.options.root / "assets").resolve()
        for asset in list(self.build.assets.values()):
            if asset.url == "/" + file:
                return (folder / asset.name).resolve().is_relative_to(folder)
        return True

    def _internal(self, handler: BaseHTTPRequestHandler, path: str, head: bool) -> None:
        parts = urlsplit(path)
        if parts.path == PREFIX + "reload.js":
            return self._send(handler, 200, RELOAD_JS, "text/javascript; charset=utf-8", head)
        if parts.path == PREFIX + "overlay.css":
            return self._send(handler, 200, OVERLAY_CSS, "text/css; charset=utf-8", head)
        if parts.path == PREFIX + "events" and not head:
            query = parse_qs(parts.query)
            return self._events(handler, query.get("page", ["/"])[0], query.get("since", [""])[0])
        return self._send(handler, 404, b"Not Found\n", "text/plain; charset=utf-8", head)

    def _events(self, handler: BaseHTTPRequestHandler, page: str, since: str) -> None:
        """Server-Sent Events for one open page: 'reload' once what the page would show now differs
        from what it holds (`since`). After every change the page is rendered again to know; the
        event carries that page as it would be served (reload.js swaps it in, with no request of its
        own), or nothing when it is not HTML."""
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("Connection", "close")  # the stream has no length: it ends with the connection
        handler.close_connection = True
        handler.end_headers()
        changed, seen = self.build.changed, -1
        try:
            while not self.stopping.is_set():
                with changed:
                    if self.build.generation == seen:
                        changed.wait(timeout=KEEPALIVE)
                    seen = self.build.generation
                _, data, file = self.served(page)
                now, shown = self.shown(data, since)
                if now != since:
                    shown = shown if _content_type(file).startswith("text/html") else b""
                    # An event's data is lines, each after "data: "; the browser joins them with "\n",
                    # which HTML reads as it reads "\r\n" or "\r" (bytes.splitlines splits at just those).
                    lines = b"".join(b"data: " + line + b"\n" for line in shown.splitlines()) or b"data:\n"
                    handler.wfile.write(b"event: reload\n" + lines + b"\n")
                    handler.wfile.flush()
                    return
                handler.wfile.write(b": keep-alive\n\n")
                handler.wfile.flush()
        except OSError:  # the page went away
            return

    def _redirect(self, handler: BaseHTTPRequestHandler, location: str) -> None:
        handler.send_response(301)
        handler.send_header("Location", location)  # a path of this site: one leading slash, never //host
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _send(self, handler: BaseHTTPRequestHandler, status: int, data: bytes, kind: str, head: bool) -> None:
        if kind.startswith("text/html"):
            data = self.shown(data)[1]
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("X-Content-Type-Options", "nosniff")
        handler.end_headers()
        if not head:
            handler.wfile.write(data)


def _content_type(file: str) -> str:
    suffix = Path(file).suffix
    return TYPES.get(suffix) or mimetypes.guess_type(file)[0] or "application/octet-stream"


def _handler(server: PreviewServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "newshub-preview"
        sys_version = ""
        protocol_version = "HTTP/1.1"  # keep-alive: a page and its files come on open connections
        disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed-ACK stall per request

        def do_GET(self) -> None:
            server.respond(self, head=False)

        def do_HEAD(self) -> None:
            server.respond(self, head=True)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal shows builds and errors, not every request

    return Handler


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the server as Ctrl+C does: through the clean-up that stops the parse workers."""
    raise KeyboardInterrupt


def serve(options: Options, host: str = "127.0.0.1", port: int = 8000, drafts: bool = True, open_browser: bool = False) -> int:
    options = replace(options, drafts=drafts, future=drafts)  # --no-drafts hides scheduled items too, as a build does
    try:
        server = PreviewServer(options, host, port)
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {host}: other machines can read this preview, drafts included", file=sys.stderr, flush=True)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    server.load()
    # Saves hop across threads (watcher, rebuild, event stream, request) while the renderer thread
    # renders ahead: handing the GIL over within 0.5 ms instead of 5 keeps a save's reload quick.
    sys.setswitchinterval(0.0005)
    server.start()
    print(f"Serving {options.root.name} at {server.url}/ (drafts {'shown' if drafts else 'hidden'}; Ctrl+C to stop)", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(server.url + "/",), daemon=True).start()
    try:
        server.httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server.build.stop()
        server.watcher.stop()
        server.httpd.server_close()
    return 0
