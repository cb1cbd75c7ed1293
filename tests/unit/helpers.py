"""Plain values for unit tests: a site config without a site.yaml."""

from __future__ import annotations

from newshub.config import DEFAULT_HTML_TAGS, HtmlPolicy, SiteConfig
from newshub.discover import Source
from newshub.markdown import MarkdownRenderer
from newshub.model import Article, Content, Page, Partner, Project
from newshub.parse import parse


def config(**changes: object) -> SiteConfig:
    values: dict[str, object] = dict(
        title={"en": "Hub", "zh": "中心"},
        base_url="https://hub.example.org",
        languages=("en", "zh"),
        per_page=10,
        timezone="Asia/Shanghai",
        description={},
        author="",
        retain=(),
        html=HtmlPolicy(tuple(sorted(DEFAULT_HTML_TAGS)), ()),
    )
    values.update(changes)
    return SiteConfig(**values)  # type: ignore[arg-type]


def content(files: dict[str, str], site_config: SiteConfig | None = None) -> Content:
    """Parse in-memory files ({'content/news/x.md': '...'}) into Content; any problem fails the test."""
    cfg = site_config or config()
    renderer = MarkdownRenderer(cfg.html)
    items: dict[type, list[object]] = {Article: [], Page: [], Project: [], Partner: []}
    for rel, text in sorted(files.items()):
        parsed = parse(Source(rel, rel.split("/")[1], text.encode("utf-8")), cfg, renderer)
        assert not parsed.problems, parsed.problems
        assert parsed.item is not None
        items[type(parsed.item)].append(parsed.item)
    return Content(
        articles=tuple(items[Article]),  # type: ignore[arg-type]
        pages=tuple(items[Page]),  # type: ignore[arg-type]
        projects=tuple(items[Project]),  # type: ignore[arg-type]
        partners=tuple(items[Partner]),  # type: ignore[arg-type]
    )


def news(slug: str, day: str, *, lang: str = "", extra: str = "") -> tuple[str, str]:
    """('content/news/<day>-<slug>[.lang].md', text) for an article."""
    suffix = f".{lang}" if lang else ""
    return f"content/news/{day}-{slug}{suffix}.md", f"---\ntitle: {slug.title()} {lang}\n{extra}---\n\nAbout {slug}.\n"
