"""External links: is every http(s) URL the site links to still there? (`newshub check --external`)

One stage, separate from the build: it reads the network, and nothing of the project but the
links it is handed and its cache file. `check_links` takes each external URL with the places
that link it, asks each unique URL once (its fragment is not sent) and returns positioned
problems, one per place and URL, sorted:

- errors: a 4xx or 5xx answer that a GET confirms (`HTTP 404 Not Found`), a timeout, a host that
  does not exist, a refused connection, a TLS failure, a redirect loop or more than 10 redirects;
- warnings: a permanent redirect (301, 308), naming the URL to link instead, and a server that is
  busy (429 or a 5xx other than 501) on both tries: the page may well be there.

Each URL is asked with HEAD; a server that refuses HEAD (405, 501, or any other 4xx, which some
send to HEAD alone) is asked again with GET, whose body is not read. A busy answer is retried once
with GET after waiting as long as its Retry-After says, at most `_MAX_WAIT` seconds. Redirects are
followed by hand (up to `_MAX_REDIRECTS`), each with the cookies the chain has set, so that a site
that redirects to itself to set a cookie is not taken for a loop.

Requests go through urllib: the environment's proxy settings (`https_proxy`, `no_proxy`) apply,
certificates are verified against the system's, and every request names newshub in its
User-Agent. A thread pool runs `workers` requests at a time, at most `per_host` to one host name.

The cache is a JSON file (msgspec, every field's type checked as it is read: data, never code)
of the good results, each with the time it was checked; a good result is reused for `max_age`
seconds, a failure or warning is never stored and so is asked again on every run. A cache that
cannot be read or decoded is discarded with a warning and written anew.

Nothing raises for a network problem: each becomes a problem in plain words.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import socket
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.cookiejar import CookieJar
from itertools import chain, zip_longest
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import msgspec

from . import __version__
from .errors import Problem

USER_AGENT = f"newshub/{__version__} (external link checker)"
_SCHEMES = ("http", "https")
_MAX_REDIRECTS = 10
_MAX_WAIT = 5.0  # seconds: the longest Retry-After honoured before the one retry of a busy server
_DEFAULT_WAIT = 1.0  # seconds before that retry when the server does not say
_PERMANENT = {301, 308}
_REDIRECTS = {301, 302, 303, 307, 308}
_CACHE_VERSION = 1
# What percent-encoding leaves of a path or query: RFC 3986 reserved and unreserved characters, and '%'.
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"


@dataclass(frozen=True)
class Result:
    """What asking one URL gave."""

    url: str  # as asked: the link without its fragment
    status: int  # the final HTTP status; 0 when there was no answer (timeout, DNS, refused, TLS)
    error: str  # '' when fine; else plain words: 'HTTP 404 Not Found', 'timed out after 10 s', 'redirect loop', ...
    redirected_to: str  # the final URL when the request was redirected, else ''
    moved_to: str = ""  # where the leading permanent redirects (301, 308) lead: the URL to link instead; else ''

    @property
    def busy(self) -> bool:
        """An error that says the server is busy (429, or a 5xx other than 501), not that the page is gone."""
        return bool(self.error) and _busy(self.status)


def check_links(
    links: Mapping[str, Sequence[tuple[str, int]]],
    cache: Path | None,
    timeout: float = 10.0,
    per_host: int = 2,
    workers: int = 16,
    max_age: float = 24 * 3600,
    now: float | None = None,
) -> tuple[list[Problem], list[Problem]]:
    """Ask every http(s) URL of `links` once; (errors, warnings), each sorted, one per place and URL.

    links: external URL -> the places that link it, as (path relative to the project root, line).
      URLs that differ only in their fragment are asked once. Other schemes (mailto:, tel:) are
      skipped.
    cache: a JSON file of good results (e.g. .newshub-cache/external.json), read and rewritten;
      None: none. A cache that cannot be read or written is a warning, never an exception.
    timeout: seconds each request may wait to connect and for each read of the answer's headers.
    per_host: requests to one host name at a time, at most. workers: requests at a time overall.
    max_age: seconds a cached good result is reused. now: seconds since the epoch (for tests).

    Raises only ValueError, for a timeout, per_host or workers that is not positive."""
    if timeout <= 0 or per_host < 1 or workers < 1:
        raise ValueError("timeout, per_host and workers must be positive")
    now = time.time() if now is None else now
    asked: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for url, places in links.items():
        if _scheme(url) in _SCHEMES:
            asked[_without_fragment(url.strip())][url].extend(places)
    warnings: list[Problem] = []
    stored, count, damaged = _read_cache(cache, now, max_age) if cache is not None else ({}, 0, "")
    if damaged and cache is not None:
        warnings.append(Problem(_shown(cache), 0, f"{damaged}; rebuilding it"))
    results = {url: Result(url, entry.status, "", entry.redirected_to) for url, entry in stored.items() if url in asked}
    results.update(_ask_all([url for url in asked if url not in results], timeout, per_host, workers))
    if cache is not None:
        fresh = {
            url: _Entry(now, result.status, result.redirected_to) for url, result in results.items() if url not in stored and _good(result)
        }
        if fresh or damaged or len(stored) != count:  # new results, or old ones to drop
            why = _write_cache(cache, {**stored, **fresh})
            if why:
                warnings.append(Problem(_shown(cache), 0, why))
    errors: list[Problem] = []
    for key, urls in asked.items():
        result = results[key]
        for url, places in urls.items():
            found = _problem(url, result)
            if found is not None:
                is_error, message = found
                (errors if is_error else warnings).extend(Problem(path, line, message) for path, line in set(places))
    return sorted(set(errors)), sorted(set(warnings))


def check_url(url: str, timeout: float = 10.0) -> Result:
    """Ask one URL, as check_links does (HEAD, then GET if needed; one retry when busy); its fragment is
    not sent. A URL that is not http or https is not asked: its Result says so."""
    url = _without_fragment(url.strip())
    if _scheme(url) not in _SCHEMES:
        return Result(url, 0, "not an http or https URL", "")
    return _Checker(timeout, 1).check(url)


def _problem(url: str, result: Result) -> tuple[bool, str] | None:
    """(is it an error, the message) for a link to `url` whose request gave `result`; None: fine."""
    if result.error:
        after = f" (redirected to {result.redirected_to})" if result.redirected_to else ""
        if result.busy:
            return False, f"external link {url} not confirmed: {result.error} twice{after}; the server is busy, check again later"
        kind = "dead" if result.status else "unreachable"
        return True, f"{kind} external link {url}: {result.error}{after}"
    if result.moved_to:
        fragment = url.partition("#")[2]
        target = result.moved_to if not fragment or "#" in result.moved_to else f"{result.moved_to}#{fragment}"
        return False, f"external link {url} moved permanently to {target}; link there instead"
    return None


def _good(result: Result) -> bool:
    """A result worth caching: an answer below 400, reached by no permanent redirect."""
    return not result.error and not result.moved_to and 200 <= result.status < 400


def _busy(status: int) -> bool:
    return status == 429 or (status >= 500 and status != 501)


def _scheme(url: str) -> str:
    """The scheme, lower-case; '' when there is none. Unlike urlsplit, never raises."""
    scheme, colon, _rest = url.strip().partition(":")
    return scheme.lower() if colon else ""


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _ask_all(urls: list[str], timeout: float, per_host: int, workers: int) -> dict[str, Result]:
    """Each URL's result, asked on a thread pool; hosts interleaved so that workers spread over them."""
    if not urls:
        return {}
    checker = _Checker(timeout, per_host)
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in sorted(urls):
        by_host[_host(url)].append(url)
    order = [url for url in chain.from_iterable(zip_longest(*by_host.values())) if url is not None]
    pool = ThreadPoolExecutor(max_workers=min(workers, len(order)), thread_name_prefix="newshub-external")
    try:
        found = dict(zip(order, pool.map(checker.check, order), strict=True))
    except BaseException:  # Ctrl-C: do not ask the URLs still queued
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return found


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@dataclass(frozen=True)
class _Answer:
    """One chain of requests (the URL and its redirects) with one method."""

    status: int
    error: str
    final: str  # the last URL asked
    moved_to: str
    retry_after: float  # seconds the last answer asked to wait; _DEFAULT_WAIT when it did not say


class _Checker:
    """Asks URLs, at most `per_host` requests at a time to one host name across threads."""

    def __init__(self, timeout: float, per_host: int) -> None:
        self.timeout = timeout
        self.per_host = per_host
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self._proxies = urllib.request.getproxies()
        self._tls = ssl.create_default_context()

    def check(self, url: str) -> Result:
        """HEAD; GET when HEAD is refused; one GET more after a wait when the server is busy."""
        method, retried = "HEAD", False
        while True:
            answer = self._chain(url, method)
            status = answer.status
            if not status or status < 400 or (method == "GET" and (retried or not _busy(status))):
                break
            if _busy(status):
                if retried:
                    break
                retried = True
                time.sleep(answer.retry_after)
            method = "GET"
        redirected = answer.final if answer.final != url else ""
        return Result(url, status, answer.error, redirected, answer.moved_to)

    def _chain(self, url: str, method: str) -> _Answer:
        """One request, then one for each redirect, with the cookies they set."""
        opener = urllib.request.OpenerDirector()
        jar = CookieJar()
        for handler in (
            urllib.request.ProxyHandler(self._proxies),
            urllib.request.HTTPHandler(),
            urllib.request.HTTPSHandler(context=self._tls),
            urllib.request.HTTPCookieProcessor(jar),
            urllib.request.HTTPDefaultErrorHandler(),  # a 3xx, 4xx or 5xx raises HTTPError: redirects are ours to follow
            urllib.request.HTTPErrorProcessor(),
        ):
            opener.add_handler(handler)
        seen: dict[str, int] = {}  # URL -> cookies held when it was asked
        moved_to, permanent = "", True
        current, status = url, 0
        for _hop in range(_MAX_REDIRECTS + 1):
            if seen.get(current, -1) == len(jar):
                return _Answer(status, "redirect loop", current, moved_to, _DEFAULT_WAIT)
            seen[current] = len(jar)
            status, reason, location, wait, problem = self._request(opener, current, method)
            if problem:
                return _Answer(status, problem, current, moved_to, wait)
            if status not in _REDIRECTS:
                error = f"HTTP {status} {reason}".rstrip() if status >= 400 else ""
                return _Answer(status, error, current, moved_to, wait)
            if not location:
                return _Answer(status, f"HTTP {status} {reason} without a Location to go to".replace("  ", " "), current, moved_to, wait)
            try:
                target = _without_fragment(urljoin(current, location.strip()))
            except ValueError:  # a Location such as 'http://[oops/'
                return _Answer(status, f"HTTP {status} to an invalid URL ({location.strip()})", current, moved_to, wait)
            if _scheme(target) not in _SCHEMES:
                return _Answer(status, f"redirected to {target}, which is not an http or https URL", current, moved_to, wait)
            permanent = permanent and status in _PERMANENT
            if permanent:
                moved_to = target
            current = target
        return _Answer(status, f"more than {_MAX_REDIRECTS} redirects", current, moved_to, _DEFAULT_WAIT)

    def _request(self, opener: urllib.request.OpenerDirector, url: str, method: str) -> tuple[int, str, str, float, str]:
        """(status, reason, Location, seconds Retry-After asks, problem in words ('' if none)); the body is not read."""
        try:
            address = _address(url)
        except ValueError as exc:
            return 0, "", "", _DEFAULT_WAIT, f"not a valid URL ({exc})"
        request = urllib.request.Request(address, method=method, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"})
        try:
            with self._slot(_host(address)):
                try:
                    response = opener.open(request, timeout=self.timeout)
                except urllib.error.HTTPError as answer:  # 3xx, 4xx or 5xx: an answer all the same
                    with answer:
                        headers, status = answer.headers, answer.code
                else:
                    with response:
                        headers, status = response.headers, response.status
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return 0, "", "", _DEFAULT_WAIT, _in_words(exc, self.timeout)
        reason = _reason(status)
        return status, reason, headers.get("Location", ""), _retry_after(headers.get("Retry-After", "")), ""

    @contextlib.contextmanager
    def _slot(self, host: str) -> Iterator[None]:
        with self._lock:
            slot = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with slot:
            yield


def _address(url: str) -> str:
    """The URL as sent: an international host name in IDNA, anything else outside ASCII
    percent-encoded as UTF-8. ValueError (UnicodeError is one) for a URL that cannot be sent."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise ValueError("no host name")
    port = parts.port  # ValueError for a port that is not a number in range
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"'{host}' is not a valid international domain name") from None
    if ":" in ascii_host:
        ascii_host = f"[{ascii_host}]"  # an IPv6 address
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{quote(userinfo, safe=_URL_SAFE)}@" if userinfo else "") + ascii_host + (f":{port}" if port is not None else "")
    path = quote(parts.path or "/", safe=_URL_SAFE)
    return urlunsplit((parts.scheme.lower(), netloc, path, quote(parts.query, safe=_URL_SAFE), ""))


def _reason(status: int) -> str:
    """The standard reason phrase ('Not Found'), not the server's, which may say anything."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _retry_after(value: str) -> float:
    """Seconds a Retry-After header (a number of seconds or an HTTP date) asks to wait, within [0, _MAX_WAIT]."""
    value = value.strip()
    if not value:
        return _DEFAULT_WAIT
    try:
        seconds = float(value) if value.isdigit() else parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError, OverflowError):
        return _DEFAULT_WAIT
    return min(max(seconds, 0.0), _MAX_WAIT)


def _in_words(exc: BaseException, timeout: float) -> str:
    """A network failure as a reader would say it: 'timed out after 10 s', 'no such host', ..."""
    while isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(exc, socket.gaierror):
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            return "no such host"
        return f"host name lookup failed ({exc.strerror})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not accepted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(exc, http.client.InvalidURL):
        return f"not a valid URL ({exc})"
    if isinstance(exc, http.client.HTTPException):
        return f"not a valid HTTP answer ({type(exc).__name__})"
    if isinstance(exc, OSError):
        words = {errno.ENETUNREACH: "network unreachable", errno.EHOSTUNREACH: "host unreachable"}
        return words.get(exc.errno or 0) or exc.strerror or str(exc) or type(exc).__name__
    return f"not a valid URL ({exc})"


# The cache file.


class _Entry(msgspec.Struct, frozen=True):
    checked: float  # seconds since the epoch
    status: int
    redirected_to: str = ""


class _CacheFile(msgspec.Struct):
    version: int
    results: dict[str, _Entry]


_DECODER = msgspec.json.Decoder(_CacheFile)
_ENCODER = msgspec.json.Encoder(order="sorted")


def _read_cache(path: Path, now: float, max_age: float) -> tuple[dict[str, _Entry], int, str]:
    """(the good results still valid at `now`, how many results the file held, why it was discarded:
    '' when it was not). A missing file is an empty cache."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return {}, 0, ""
    except OSError as exc:
        return {}, 0, f"link cache unreadable ({exc.strerror or exc}), discarded"
    try:
        stored = _DECODER.decode(data)
    except msgspec.DecodeError:  # ValidationError is one
        return {}, 0, "damaged link cache discarded"
    if stored.version != _CACHE_VERSION:
        return {}, 0, "link cache from another newshub version discarded"
    valid = {url: entry for url, entry in stored.results.items() if 0 <= now - entry.checked < max_age and 200 <= entry.status < 400}
    return valid, len(stored.results), ""


def _write_cache(path: Path, entries: dict[str, _Entry]) -> str:
    """Write atomically (a crash leaves the old file or none); '' or why it could not be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_ENCODER.encode(_CacheFile(_CACHE_VERSION, entries)))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        return f"cannot write the link cache ({exc.strerror or exc}); the next check asks every link again"
    return ""


def _shown(path: Path) -> str:
    """The cache file as a problem names it: '.newshub-cache/external.json' when it is in one."""
    return f"{path.parent.name}/{path.name}" if path.parent.name == ".newshub-cache" else path.as_posix()
