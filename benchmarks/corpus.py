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


def write_newshub(root: Path, articles: list[dict[str, object]]) -> None:
    for sub in ("templates", "assets"):
        shutil.copytree(REPO / sub, root / sub)
    c = root / "content"
    for sub in ("news", "projects", "partners", "pages"):
        (c / sub).mkdir(parents=True)
    (c / "site.yaml").write_text(
        "title:\n  en: Benchmark Hub\n  zh: 基准\nbase_url: https://bench.example.org\nlanguages: [en, zh]\ntimezone: UTC\nper_page: 10\nfeed_limit: 50\n",
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


PELICAN_CONF = """\
SITENAME = "Benchmark Hub"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
FEED_DOMAIN = "https://bench.example.org"
FEED_ALL_ATOM = "feeds/all.atom.xml"
TAG_FEED_ATOM = "feeds/tag.{slug}.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = "feeds/all-{lang}.atom.xml"
FEED_MAX_ITEMS = 50
ARTICLE_URL = "news/{slug}/"
ARTICLE_SAVE_AS = "news/{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/news/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/news/{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.tables": {},
        "markdown.extensions.toc": {"permalink": "#"},
        "markdown.extensions.footnotes": {},
        "markdown.extensions.attr_list": {},
        "markdown.extensions.fenced_code": {},
    },
    "output_format": "html5",
}
"""


def write_pelican(root: Path, articles: list[dict[str, object]]) -> None:
    c = root / "content"
    c.mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    for a in articles:
        suffix = "-zh" if a["lang"] == "zh" else ""
        (c / f"{a['slug']}{suffix}.md").write_text(
            f"Title: {a['title']}\nDate: {a['date']}\nSlug: {a['slug']}\nLang: {a['lang']}\nCategory: news\n"
            f"Tags: {', '.join(a['tags'])}\n\n{a['body']}",  # type: ignore[arg-type]
            encoding="utf-8",
        )


HUGO_CONFIG = """\
baseURL = "https://bench.example.org/"
title = "Benchmark Hub"
defaultContentLanguage = "en"
disableKinds = ["section"]
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
  taxonomy = ["HTML"]
  term = ["HTML", "RSS"]
[services.rss]
  limit = 50
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html><html lang="{{ .Site.Language.Lang }}"><head><meta charset="utf-8">
<title>{{ .Title }} — {{ .Site.Title }}</title>{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">{{ end }}
</head><body><header><nav><a href="{{ "/" | relLangURL }}">Home</a> <a href="{{ "/tags/" | relLangURL }}">Tags</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main><footer>{{ .Site.Title }}</footer></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1><p><time>{{ .Date.Format "2 January 2006" }}</time>
· {{ .ReadingTime }} min</p><ul>{{ range .Params.tags }}<li><a href="{{ "/tags/" | relLangURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>
{{ .TableOfContents }}<div class="prose">{{ .Content }}</div></article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ $p := .Paginate .Pages }}<ul>{{ range $p.Pages }}
<li><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><time>{{ .Date.Format "2 January 2006" }}</time><p>{{ .Summary | plainify | truncate 200 }}</p></li>{{ end }}</ul>
<nav>{{ if $p.HasPrev }}<a href="{{ $p.Prev.URL }}">prev</a>{{ end }} {{ $p.PageNumber }}/{{ $p.TotalPages }} {{ if $p.HasNext }}<a href="{{ $p.Next.URL }}">next</a>{{ end }}</nav>{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
    "index.html": """{{ define "main" }}<h1>{{ .Site.Title }}</h1>{{ $p := .Paginate (where .Site.RegularPages "Section" "news") }}<ul>{{ range $p.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
""",
}


def write_hugo(root: Path, articles: list[dict[str, object]]) -> None:
    (root / "content" / "news").mkdir(parents=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
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


ELEVENTY_CONFIG = """\
export default function (eleventyConfig) {
  eleventyConfig.addCollection("news", (api) => api.getFilteredByGlob("src/news/*.md").sort((a, b) => b.date - a.date));
  eleventyConfig.addCollection("tagList", (api) => {
    const tags = new Set();
    for (const item of api.getFilteredByGlob("src/news/*.md")) for (const t of item.data.tags || []) if (t !== "news") tags.add(t);
    return [...tags].sort();
  });
  eleventyConfig.addFilter("day", (d) => d.toISOString().slice(0, 10));
  return { dir: { input: "src", output: "_site" }, markdownTemplateEngine: false };
}
"""

ELEVENTY_FILES = {
    "src/_includes/base.njk": """<!doctype html><html lang="{{ lang or 'en' }}"><head><meta charset="utf-8"><title>{{ title }} — Benchmark Hub</title></head>
<body><header><nav><a href="/">Home</a> <a href="/tags/">Tags</a></nav></header><main>{{ content | safe }}</main><footer>Benchmark Hub</footer></body></html>
""",
    "src/_includes/article.njk": """---
layout: base.njk
---
<article><h1>{{ title }}</h1><p><time>{{ page.date | day }}</time></p><ul>{% for t in tags %}<li><a href="/tags/{{ t | slugify }}/">{{ t }}</a></li>{% endfor %}</ul>
<div class="prose">{{ content | safe }}</div></article>
""",
    "src/news/news.11tydata.js": """export default {
  layout: "article.njk",
  permalink: (data) => `/${data.lang === "zh" ? "zh/" : ""}news/${data.slug}/`,
};
""",
    "src/index.njk": """---
layout: base.njk
title: News
pagination:
  data: collections.news
  size: 10
  alias: items
permalink: "{% if pagination.pageNumber > 0 %}/news/page/{{ pagination.pageNumber + 1 }}/{% else %}/{% endif %}"
---
<ul>{% for a in items %}<li><h2><a href="{{ a.url }}">{{ a.data.title }}</a></h2><time>{{ a.date | day }}</time></li>{% endfor %}</ul>
<nav>{% if pagination.href.previous %}<a href="{{ pagination.href.previous }}">prev</a>{% endif %} {% if pagination.href.next %}<a href="{{ pagination.href.next }}">next</a>{% endif %}</nav>
""",
    "src/tags.njk": """---
layout: base.njk
title: Tag
pagination:
  data: collections.tagList
  size: 1
  alias: tag
permalink: /tags/{{ tag | slugify }}/
---
<h1>{{ tag }}</h1><ul>{% for a in collections[tag] | reverse %}<li><a href="{{ a.url }}">{{ a.data.title }}</a></li>{% endfor %}</ul>
""",
    "src/feed.njk": """---
permalink: /feed.xml
eleventyExcludeFromCollections: true
---
<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Benchmark Hub</title>
{% for a in collections.news | reverse %}{% if loop.index <= 50 %}<entry><title>{{ a.data.title }}</title><link href="https://bench.example.org{{ a.url }}"/><updated>{{ a.date | day }}</updated><content type="html">{{ a.content }}</content></entry>
{% endif %}{% endfor %}</feed>
""",
}


def write_eleventy(root: Path, articles: list[dict[str, object]]) -> None:
    (root / "src" / "news").mkdir(parents=True)
    (root / "eleventy.config.mjs").write_text(ELEVENTY_CONFIG, encoding="utf-8")
    (root / "package.json").write_text('{"type": "module", "private": true}\n', encoding="utf-8")
    for rel, text in ELEVENTY_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for a in articles:
        suffix = ".zh" if a["lang"] == "zh" else ""
        tags = ", ".join(f'"{t}"' for t in a["tags"])  # type: ignore[attr-defined]
        (root / "src" / "news" / f"{a['slug']}{suffix}.md").write_text(
            f'---\ntitle: "{a["title"]}"\ndate: {a["date"]}\nlang: {a["lang"]}\nslug: {a["slug"]}\ntags: [{tags}]\n---\n\n{a["body"]}',
            encoding="utf-8",
        )


WRITERS = {"newshub": write_newshub, "pelican": write_pelican, "hugo": write_hugo, "eleventy": write_eleventy}


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
    parser.add_argument("--only", default=None, help="comma-separated generators (default: newshub,pelican,hugo,eleventy)")
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    generate(args.n, args.out, only)
    print(f"wrote {args.n} articles for {', '.join(only or WRITERS)} into {args.out}")


if __name__ == "__main__":
    main()
