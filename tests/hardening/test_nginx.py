"""11. The built site behind Debian's nginx with the shipped deploy/nginx.conf snippet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .deployed import get, nginx, nginx_available

pytestmark = pytest.mark.skipif(not nginx_available(), reason="nginx is not installed at /usr/sbin/nginx (bash .ci/run installs it)")


@pytest.fixture(scope="module")
def port(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with nginx(sample_site, tmp_path_factory.mktemp("nginx")) as port:
        yield port


def test_pretty_urls(port: int, sample_site: Path) -> None:
    status, headers, body = get(port, "/news/")
    assert status == 200 and body == (sample_site / "news/index.html").read_bytes()
    assert headers["content-type"] == "text/html; charset=utf-8"
    status, headers, _ = get(port, "/news")
    assert status == 301 and headers["location"] == "/news/"
    assert get(port, "/")[2] == (sample_site / "index.html").read_bytes()
    assert get(port, "/zh/projects/")[0] == 200


def test_not_found_page(port: int, sample_site: Path) -> None:
    for path in ("/no/such/page/", "/assets/css/missing.css", "/news/../../etc/passwd"):
        status, headers, body = get(port, path)
        if status == 400:  # nginx refuses a path that climbs above the root outright
            continue
        assert status == 404, path
        assert body == (sample_site / "404.html").read_bytes()
        assert "content-security-policy" in headers


def test_a_missing_page_under_a_language_gets_that_languages_404_page(port: int, sample_site: Path) -> None:
    # deploy/nginx.conf's error_page 404 $newshub_404, set per language by the build's _redirects.conf
    status, headers, body = get(port, "/zh/no/such/page/")
    assert status == 404 and body == (sample_site / "zh/404.html").read_bytes()
    assert '<html lang="zh">' in body.decode() and "content-security-policy" in headers


def test_security_headers_on_every_response(port: int) -> None:
    for path in ("/", "/news/", "/feed.xml", "/sitemap.xml", "/robots.txt", "/missing/", "/milestones.ics"):
        _, headers, _ = get(port, path)
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp and "base-uri 'self'" in csp and "'unsafe-inline'" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "server" not in headers or "/" not in headers["server"]  # no version


def test_cache_control(port: int, sample_site: Path) -> None:
    [css] = sample_site.glob("assets/css/site.*.css")
    status, headers, body = get(port, "/" + css.relative_to(sample_site).as_posix())
    assert status == 200 and body == css.read_bytes()
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-type"].startswith("text/css")
    _, headers, _ = get(port, "/news/")
    assert headers["cache-control"] == "public, max-age=300, must-revalidate"
    _, headers, _ = get(port, "/feed.xml")
    assert "immutable" not in headers["cache-control"]


def test_an_alias_is_a_301_to_the_new_address(port: int) -> None:
    status, headers, _ = get(port, "/news/agreement-signed/")
    assert status == 301 and headers["location"].endswith("/news/hospital-universities-agreement/")


def test_calendars_are_text_calendar(port: int, sample_site: Path) -> None:
    # nginx's mime.types has no .ics: without deploy/nginx.conf's location, calendar apps get octet-stream.
    for path in ("/milestones.ics", "/zh/projects/acupoint-robot/milestones.ics"):
        status, headers, body = get(port, path)
        assert status == 200 and body == (sample_site / path.lstrip("/")).read_bytes()
        assert headers["content-type"] == "text/calendar; charset=utf-8"
        assert headers["cache-control"] == "public, max-age=3600"
