"""Generate a benchmark corpus: the same articles for newshub, Pelican, Hugo and Eleventy.

    python benchmarks/corpus.py 10000 benchmarks/corpus/10k

Each article is about 400 words: headings, lists, links, a table in every fifth one, 3 tags of 30.
10% of the articles are Chinese translations of English ones. 50 projects and 20 partners are
referenced from the articles. Output is deterministic for a given N (seeded random).
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = [
    "research",
    "hospital",
    "university",
    "patient",
    "clinical",
    "data",
    "model",
    "robot",
    "medicine",
    "engineering",
    "partner",
    "project",
    "agreement",
    "health",
    "care",
    "study",
    "trial",
    "result",
    "team",
    "digital",
    "imaging",
    "signal",
    "device",
    "network",
    "therapy",
    "diagnosis",
    "cancer",
    "heart",
    "brain",
    "sensor",
    "algorithm",
    "laboratory",
    "student",
    "professor",
    "funding",
    "review",
    "ethics",
    "safety",
    "quality",
    "outcome",
    "follow-up",
    "cohort",
    "registry",
    "platform",
    "pilot",
    "launch",
]
ZH = [
    "研究",
    "医院",
    "大学",
    "患者",
    "临床",
    "数据",
    "模型",
    "机器人",
    "医学",
    "工程",
    "合作",
    "项目",
    "协议",
    "健康",
    "护理",
    "试验",
    "结果",
    "团队",
    "数字",
    "影像",
]
TAGS = [f"topic {i:02d}" for i in range(30)]
N_PROJECTS, N_PARTNERS = 50, 20


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _zh_sentence(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ZH) for _ in range(n)) + "。"


def body(rng: random.Random, i: int, zh: bool, link: str) -> str:
    """About 400 words of Markdown."""
    sent = (lambda n: _zh_sentence(rng, n // 2)) if zh else (lambda n: _sentence(rng, n))
    parts = []
    for section in range(3):
        parts.append(f"## Section {section + 1} of article {i}")
        parts.append(" ".join(sent(14) for _ in range(4)) + f" See [the project]({link}) and [the registry](https://example.org/r/{i}).")
        parts.append("\n".join(f"- {sent(6)} **{rng.choice(WORDS)}**" for _ in range(4)))
        parts.append(" ".join(sent(12) for _ in range(3)) + " *Emphasis* and `code`.")
    if i % 5 == 0:
        rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {rng.choice(WORDS)} |" for _ in range(5))
        parts.append(f"| Item | Count | Note |\n|---|---:|---|\n{rows}")
    parts.append("1. " + sent(8) + "\n2. " + sent(8) + "\n3. " + sent(8))
    return "\n\n".join(parts) + "\n"


def _articles(n: int) -> list[dict[str, object]]:
    rng = random.Random(n)
    n_zh = n // 10
    n_en = n - n_zh
    start = date(2015, 1, 1)
    out: list[dict[str, object]] = []
    for i in range(n_en):
        day = start + timedelta(days=i * 3650 // max(n_en, 1))
        slug = f"article-{i:06d}"
        tags = rng.sample(TAGS, 3)
        project = f"project-{rng.randrange(N_PROJECTS):02d}"
        partner = f"partner-{rng.randrange(N_PARTNERS):02d}"
        out.append(
            dict(i=i, slug=slug, lang="en", date=day, title=f"Article {i}: {_sentence(rng, 6)[:-1]}", tags=tags,
                 project=project, partner=partner, body=body(rng, i, False, f"/projects/{project}/"))
        )  # fmt: skip
    for j in range(n_zh):
        src = out[j]
        out.append(
            {
                **src,
                "lang": "zh",
                "title": f"文章 {j}：{_zh_sentence(rng, 5)}",
                "body": body(rng, j, True, f"/zh/projects/{src['project']}/"),
            }
        )
    return out


MINIMAL_THEME = REPO / "benchmarks" / "minimal_theme"


def write_newshub(root: Path, articles: list[dict[str, object]], theme: Path = REPO, search: bool = True) -> None:
    """The newshub site. `theme`: where templates/ and assets/ come from (the repository's full
    theme, or benchmarks/minimal_theme/, which takes its i18n catalogs from the repository);
    `search`: site.yaml's `search:`, whether the build makes a search page and its Pagefind index."""
    for sub in ("templates", "assets"):
        shutil.copytree(theme / sub, root / sub)
    if not (root / "templates" / "i18n").is_dir():  # the engine needs a catalog for each language
        shutil.copytree(REPO / "templates" / "i18n", root / "templates" / "i18n")
    c = root / "content"
    for sub in ("news", "projects", "partners", "pages"):
        (c / sub).mkdir(parents=True)
    (c / "site.yaml").write_text(
        "title:\n  en: Benchmark Hub\n  zh: 基准\nbase_url: https://bench.example.org\nlanguages: [en, zh]\ntimezone: UTC\nper_page: 10\nfeed_limit: 50\n"
        + ("" if search else "search: false\n"),
        encoding="utf-8",
    )
    (c / "pages" / "about.md").write_text("---\ntitle: About\n---\n\nAbout this hub.\n", encoding="utf-8")
    for p in range(N_PARTNERS):
        (c / "partners" / f"partner-{p:02d}.yaml").write_text(
            f"name:\n  en: Partner {p}\n  zh: 合作方 {p}\nkind: university\nsummary: Partner number {p}.\n", encoding="utf-8"
        )
    for p in range(N_PROJECTS):
        (c / "projects" / f"project-{p:02d}.yaml").write_text(
            f"title:\n  en: Project {p}\n  zh: 项目 {p}\nstatus: active\npartners: [partner-{p % N_PARTNERS:02d}]\n"
            f"lead: partner-{p % N_PARTNERS:02d}\nstarted: 2015-01-01\nsummary: Joint project {p}.\n",
            encoding="utf-8",
        )
    for a in articles:
        suffix = ".zh" if a["lang"] == "zh" else ""
        tags = ", ".join(f'"{t}"' for t in a["tags"])  # type: ignore[attr-defined]
        (c / "news" / f"{a['date']}-{a['slug']}{suffix}.md").write_text(
            f'---\ntitle: "{a["title"]}"\ntags: [{tags}]\nprojects: [{a["project"]}]\npartners: [{a["partner"]}]\n---\n\n{a["body"]}',
            encoding="utf-8",
        )


def write_newshub_minimal(root: Path, articles: list[dict[str, object]]) -> None:
    """The same content with benchmarks/minimal_theme/: templates as plain as the other tools', and
    no search index, which none of them builds: what is left is the engine."""
    write_newshub(root, articles, MINIMAL_THEME, search=False)


# Pelican as its users set it up: the default theme, its own pagination (10 per page for the index,
# which is the home page and the news list, and for tag pages, at .../page/N/), the toc extension
# (Python-Markdown's `[TOC]` marker at the top of each article: Pelican passes no TOC to templates
# without a plugin), an article template that adds reading time, feeds of the latest 50 with full
# content. No category, author or archive pages (newshub has none; every article is in one category).
# Translations get their article pages and a feed; lists per language would need the
# i18n_subsites plugin, so Pelican lists the English articles only.
PELICAN_CONF = """\
SITENAME = "Benchmark Hub"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {"index": None, "tag": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
DIRECT_TEMPLATES = ["index", "tags"]
THEME_TEMPLATES_OVERRIDES = ["theme-overrides"]
FEED_DOMAIN = "https://bench.example.org"
FEED_ALL_ATOM = "feeds/all.atom.xml"
TRANSLATION_FEED_ATOM = "feeds/all-{lang}.atom.xml"
TAG_FEED_ATOM = None
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = 50
ARTICLE_URL = "news/{slug}/"
ARTICLE_SAVE_AS = "news/{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/news/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/news/{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_SAVE_AS = "tags/index.html"
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.tables": {},
        "markdown.extensions.toc": {"permalink": "#"},
        "markdown.extensions.footnotes": {},
        "markdown.extensions.attr_list": {},
        "markdown.extensions.fenced_code": {},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}
"""

PELICAN_ARTICLE = """{% extends "base.html" %}
{% block html_lang %}{{ article.lang }}{% endblock %}
{% block title %}{{ article.title|striptags }} — {{ SITENAME }}{% endblock %}
{% block content %}
<article><h1>{{ article.title }}</h1>
<p><time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time> · {{ (article.content|striptags|wordcount / 200)|round(0, 'ceil')|int }} min</p>
<ul>{% for tag in article.tags %}<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a></li>{% endfor %}</ul>
<div class="prose">{{ article.content }}</div></article>
{% endblock %}
"""


def write_pelican(root: Path, articles: list[dict[str, object]]) -> None:
    c = root / "content"
    c.mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    (root / "theme-overrides").mkdir()
    (root / "theme-overrides" / "article.html").write_text(PELICAN_ARTICLE, encoding="utf-8")
    for a in articles:
        suffix = "-zh" if a["lang"] == "zh" else ""
        (c / f"{a['slug']}{suffix}.md").write_text(
            f"Title: {a['title']}\nDate: {a['date']}\nSlug: {a['slug']}\nLang: {a['lang']}\nCategory: news\n"
            f"Tags: {', '.join(a['tags'])}\n\n[TOC]\n\n{a['body']}",  # type: ignore[arg-type]
            encoding="utf-8",
        )


# Hugo as its users write it: the news section's own list paginated 10 per page (/news/page/N/),
# a home page with the latest 10 and no pagination, tag (term) pages paginated 10 per page, a tags
# index, an RSS feed of the latest 50 with full content on each language's home, a sitemap (Hugo's
# default), and articles with reading time and Hugo's table of contents.
HUGO_CONFIG = """\
baseURL = "https://bench.example.org/"
title = "Benchmark Hub"
defaultContentLanguage = "en"
disableKinds = ["robotsTXT"]
[pagination]
  pagerSize = 10
[taxonomies]
  tag = "tags"
[languages.en]
  weight = 1
[languages.zh]
  weight = 2
[markup.goldmark.renderer]
  unsafe = false
[outputs]
  home = ["HTML", "RSS"]
  section = ["HTML"]
  taxonomy = ["HTML"]
  term = ["HTML"]
[services.rss]
  limit = 50
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html><html lang="{{ .Site.Language.Lang }}"><head><meta charset="utf-8">
<title>{{ .Title }} — {{ .Site.Title }}</title>{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">{{ end }}
</head><body><header><nav><a href="{{ "/" | relLangURL }}">Home</a> <a href="{{ "/news/" | relLangURL }}">News</a> <a href="{{ "/tags/" | relLangURL }}">Tags</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main><footer>{{ .Site.Title }}</footer></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1><p><time>{{ .Date.Format "2006-01-02" }}</time>
· {{ .ReadingTime }} min</p><ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .TableOfContents }}<div class="prose">{{ .Content }}</div></article>{{ end }}
""",
    "partials/items.html": """<ul>{{ range . }}
<li><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Summary | plainify | truncate 200 }}</p></li>{{ end }}</ul>
""",
    "partials/pager.html": """<nav>{{ if .HasPrev }}<a href="{{ .Prev.URL }}">prev</a>{{ end }} {{ .PageNumber }}/{{ .TotalPages }} {{ if .HasNext }}<a href="{{ .Next.URL }}">next</a>{{ end }}</nav>
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ $p := .Paginate .Pages }}{{ partial "items.html" $p.Pages }}{{ partial "pager.html" $p }}{{ end }}
""",
    "_default/term.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ $p := .Paginate .Pages }}{{ partial "items.html" $p.Pages }}{{ partial "pager.html" $p }}{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
    "index.html": """{{ define "main" }}<h1>{{ .Site.Title }}</h1>{{ partial "items.html" (first 10 (where .Site.RegularPages "Section" "news")) }}{{ end }}
""",
    "index.rss.xml": """{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0"><channel><title>{{ .Site.Title }}</title><link>{{ .Permalink }}</link>
{{ range first .Site.Config.Services.RSS.Limit (where .Site.RegularPages "Section" "news") }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link><guid>{{ .Permalink }}</guid><pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate><description>{{ .Content | transform.XMLEscape | safeHTML }}</description></item>
{{ end }}</channel></rss>
""",
}


def write_hugo(root: Path, articles: list[dict[str, object]]) -> None:
    (root / "content" / "news").mkdir(parents=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (root / "content" / "news" / "_index.md").write_text('---\ntitle: "News"\n---\n', encoding="utf-8")
    (root / "content" / "news" / "_index.zh.md").write_text('---\ntitle: "新闻"\n---\n', encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        path = root / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for a in articles:
        suffix = ".zh" if a["lang"] == "zh" else ""
        tags = ", ".join(f'"{t}"' for t in a["tags"])  # type: ignore[attr-defined]
        (root / "content" / "news" / f"{a['slug']}{suffix}.md").write_text(
            f'---\ntitle: "{a["title"]}"\ndate: {a["date"]}\ntags: [{tags}]\nslug: {a["slug"]}\n---\n\n{a["body"]}',
            encoding="utf-8",
        )


# Eleventy as its users write it: per language, the news list paginated 10 per page
# (/news/page/N/), a home page with the latest 10, tag pages paginated 10 per page with the
# documented double-pagination recipe (a collection of pages of each tag, paginated by 1), a tags
# index and an Atom feed of the latest 50 with full content; articles get heading ids from
# markdown-it-anchor, a table of contents (a filter over those headings) and a reading-time filter.
ELEVENTY_CONFIG = """\
import markdownItAnchor from "markdown-it-anchor";

const LANGS = { en: "/", zh: "/zh/" };
const PER_PAGE = 10;
const slug = (s) => s.toLowerCase().replace(/[^\\p{L}\\p{N}]+/gu, "-").replace(/^-|-$/g, "");

export default function (eleventyConfig) {
  eleventyConfig.amendLibrary("md", (md) =>
    md.use(markdownItAnchor, { level: [2, 3], permalink: markdownItAnchor.permalink.linkInsideHeader({ symbol: "#", placement: "after" }) }));
  const news = (api) => api.getFilteredByGlob("src/news/*.md").sort((a, b) => b.date - a.date);
  for (const lang of Object.keys(LANGS)) eleventyConfig.addCollection(`news_${lang}`, (api) => news(api).filter((a) => a.data.lang === lang));
  eleventyConfig.addCollection("tagPages", (api) => {
    const pages = [];
    for (const [lang, prefix] of Object.entries(LANGS)) {
      const byTag = new Map();
      for (const item of news(api)) if (item.data.lang === lang) for (const t of item.data.tags || []) {
        if (!byTag.has(t)) byTag.set(t, []);
        byTag.get(t).push(item);
      }
      for (const [tag, items] of [...byTag].sort((a, b) => a[0].localeCompare(b[0]))) {
        const total = Math.ceil(items.length / PER_PAGE);
        for (let n = 0; n < total; n++) {
          const base = `${prefix}tags/${slug(tag)}/`;
          const url = (i) => (i === 0 ? base : `${base}page/${i + 1}/`);
          pages.push({ lang, prefix, tag, count: items.length, url: url(n), number: n + 1, total, items: items.slice(n * PER_PAGE, (n + 1) * PER_PAGE),
                       previous: n > 0 ? url(n - 1) : null, next: n + 1 < total ? url(n + 1) : null });
        }
      }
    }
    return pages;
  });
  eleventyConfig.addFilter("day", (d) => d.toISOString().slice(0, 10));
  eleventyConfig.addFilter("slug", slug);
  eleventyConfig.addFilter("readingTime", (html) => Math.max(1, Math.ceil(html.replace(/<[^>]+>/g, " ").split(/\\s+/).filter(Boolean).length / 200)));
  eleventyConfig.addFilter("toc", (html) => {
    const items = [...html.matchAll(/<h([23]) id="([^"]+)"[^>]*>(.*?)<\\/h\\1>/g)]
      .map((m) => `<li><a href="#${m[2]}">${m[3].replace(/<a [^>]*>.*?<\\/a>/g, "").trim()}</a></li>`);
    return items.length ? `<nav><ol>${items.join("")}</ol></nav>` : "";
  });
  return { dir: { input: "src", output: "_site" }, markdownTemplateEngine: false };
}
"""

ELEVENTY_FILES = {
    "src/_includes/base.njk": """<!doctype html><html lang="{{ lang or 'en' }}"><head><meta charset="utf-8"><title>{{ title }} — Benchmark Hub</title></head>
<body><header><nav><a href="{{ prefix or '/' }}">Home</a> <a href="{{ prefix or '/' }}news/">News</a> <a href="{{ prefix or '/' }}tags/">Tags</a></nav></header><main>{{ content | safe }}</main><footer>Benchmark Hub</footer></body></html>
""",
    "src/_includes/article.njk": """---
layout: base.njk
---
<article><h1>{{ title }}</h1><p><time>{{ page.date | day }}</time> · {{ content | readingTime }} min</p><ul>{% for t in tags %}<li><a href="{{ '/zh/' if lang == 'zh' else '/' }}tags/{{ t | slug }}/">{{ t }}</a></li>{% endfor %}</ul>
{{ content | toc | safe }}<div class="prose">{{ content | safe }}</div></article>
""",
    "src/_includes/items.njk": """<ul>{% for a in items %}<li><h2><a href="{{ a.url }}">{{ a.data.title }}</a></h2><time>{{ a.date | day }}</time></li>{% endfor %}</ul>
""",
    "src/news/news.11tydata.js": """export default {
  layout: "article.njk",
  permalink: (data) => `/${data.lang === "zh" ? "zh/" : ""}news/${data.slug}/`,
};
""",
    "src/tag-pages.njk": """---
layout: base.njk
pagination:
  data: collections.tagPages
  size: 1
  alias: tp
permalink: "{{ tp.url }}"
eleventyComputed:
  title: "{{ tp.tag }}"
  lang: "{{ tp.lang }}"
  prefix: "{{ tp.prefix }}"
---
<h1>{{ tp.tag }}</h1>{% set items = tp.items %}{% include "items.njk" %}
<nav>{% if tp.previous %}<a href="{{ tp.previous }}">prev</a>{% endif %} {{ tp.number }}/{{ tp.total }} {% if tp.next %}<a href="{{ tp.next }}">next</a>{% endif %}</nav>
""",
    "src/tags-index.njk": """---
layout: base.njk
title: Tags
pagination:
  data: langs
  size: 1
  alias: l
permalink: "{{ l.prefix }}tags/"
eleventyComputed:
  lang: "{{ l.lang }}"
  prefix: "{{ l.prefix }}"
---
<h1>Tags</h1><ul>{% for tp in collections.tagPages %}{% if tp.lang == l.lang and tp.number == 1 %}<li><a href="{{ tp.url }}">{{ tp.tag }}</a> ({{ tp.count }})</li>{% endif %}{% endfor %}</ul>
""",
    "src/_data/langs.json": """[{"lang": "en", "prefix": "/"}, {"lang": "zh", "prefix": "/zh/"}]
""",
}

# One news list, home page and feed per language.
ELEVENTY_PER_LANG = {
    "src/{lang}-news.njk": """---
layout: base.njk
title: News
lang: {lang}
prefix: {prefix}
pagination:
  data: collections.news_{lang}
  size: 10
  alias: items
permalink: "{prefix}news/{{% if pagination.pageNumber > 0 %}}page/{{{{ pagination.pageNumber + 1 }}}}/{{% endif %}}"
---
<h1>News</h1>{{% include "items.njk" %}}
<nav>{{% if pagination.href.previous %}}<a href="{{{{ pagination.href.previous }}}}">prev</a>{{% endif %}} {{{{ pagination.pageNumber + 1 }}}}/{{{{ pagination.pages.length }}}} {{% if pagination.href.next %}}<a href="{{{{ pagination.href.next }}}}">next</a>{{% endif %}}</nav>
""",
    "src/{lang}-home.njk": """---
layout: base.njk
title: Benchmark Hub
lang: {lang}
prefix: {prefix}
permalink: "{prefix}"
---
<h1>Benchmark Hub</h1>{{% set items = collections.news_{lang}.slice(0, 10) %}}{{% include "items.njk" %}}
""",
    "src/{lang}-feed.njk": """---
permalink: {prefix}feed.xml
eleventyExcludeFromCollections: true
---
<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}"><title>Benchmark Hub</title><id>https://bench.example.org{prefix}</id>
{{% for a in collections.news_{lang}.slice(0, 50) %}}<entry><title>{{{{ a.data.title }}}}</title><id>https://bench.example.org{{{{ a.url }}}}</id><link href="https://bench.example.org{{{{ a.url }}}}"/><updated>{{{{ a.date | day }}}}</updated><content type="html">{{{{ a.content }}}}</content></entry>
{{% endfor %}}</feed>
""",
}


def write_eleventy(root: Path, articles: list[dict[str, object]]) -> None:
    (root / "src" / "news").mkdir(parents=True)
    (root / "eleventy.config.mjs").write_text(ELEVENTY_CONFIG, encoding="utf-8")
    (root / "package.json").write_text('{"type": "module", "private": true}\n', encoding="utf-8")
    # The config imports markdown-it-anchor: Node finds it from the config's folder, so link the
    # packages `npm ci --prefix benchmarks` installed.
    (root / "node_modules").symlink_to(REPO / "benchmarks" / "node_modules", target_is_directory=True)
    files = dict(ELEVENTY_FILES)
    for lang, prefix in (("en", "/"), ("zh", "/zh/")):
        for rel, text in ELEVENTY_PER_LANG.items():
            files[rel.format(lang=lang)] = text.format(lang=lang, prefix=prefix)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for a in articles:
        suffix = ".zh" if a["lang"] == "zh" else ""
        tags = ", ".join(f'"{t}"' for t in a["tags"])  # type: ignore[attr-defined]
        (root / "src" / "news" / f"{a['slug']}{suffix}.md").write_text(
            f'---\ntitle: "{a["title"]}"\ndate: {a["date"]}\nlang: {a["lang"]}\nslug: {a["slug"]}\ntags: [{tags}]\n---\n\n{a["body"]}',
            encoding="utf-8",
        )


WRITERS = {
    "newshub": write_newshub,
    "newshub-minimal": write_newshub_minimal,
    "pelican": write_pelican,
    "hugo": write_hugo,
    "eleventy": write_eleventy,
}


def generate(n: int, out: Path, only: list[str] | None = None) -> None:
    if out.exists():
        shutil.rmtree(out)
    articles = _articles(n)
    for name, write in WRITERS.items():
        if only is None or name in only:
            write(out / name, articles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out", type=Path, help="output folder (replaced)")
    parser.add_argument("--only", default=None, help="comma-separated generators (default: newshub,newshub-minimal,pelican,hugo,eleventy)")
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    generate(args.n, args.out, only)
    print(f"wrote {args.n} articles for {', '.join(only or WRITERS)} into {args.out}")


if __name__ == "__main__":
    main()
