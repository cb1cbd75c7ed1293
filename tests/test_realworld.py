"""Content as newsrooms really write it (tests/sites/realworld/): the exact result of each example of
the "real content that breaks today" issue, and the other places each kind of fault reaches."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import feedparser
import pytest

from newshub.pipeline import Options, build

from . import images as photos
from .conftest import MINIMAL_CONFIG, REPO, MakeSite, run_cli, tree, without_script
from .htmltools import page_text, parse_page
from .preview_server import running

SITE = REPO / "tests" / "sites" / "realworld"
BASE = "https://real.example.org/hub"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The realworld content with the repository's theme."""
    folder = tmp_path_factory.mktemp("realworld")
    shutil.copytree(SITE / "content", folder / "content")
    shutil.copytree(REPO / "templates", folder / "templates")
    shutil.copytree(REPO / "assets", folder / "assets")
    return folder


@pytest.fixture(scope="module")
def out(root: Path) -> Path:
    folder = root / "site"
    build(Options(root=root, output=folder, cache=False, jobs=1))
    return folder


def meta(page: Path, name: str) -> str:
    """The content of <meta name=...> or <meta property=...>, entities decoded."""
    found = re.search(rf'<meta (?:name|property)="{re.escape(name)}" content="([^"]*)"', page.read_text(encoding="utf-8"))
    assert found, f"no meta {name} in {page}"
    return html.unescape(found.group(1))


def json_ld(page: Path) -> dict[str, object]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.read_text(encoding="utf-8"), re.S)
    assert found, page
    data: dict[str, object] = json.loads(found.group(1))
    return data


def entries(out: Path, feed: str) -> dict[str, feedparser.FeedParserDict]:
    parsed = feedparser.parse((out / feed).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return {entry.link: entry for entry in parsed.entries}


# --- 1. dots in a file name -----------------------------------------------------------------------


def test_dots_in_a_news_file_name_are_part_of_its_slug(out: Path) -> None:
    assert (out / "news/newshub-2.1.1-released/index.html").is_file()
    assert (out / "zh/news/newshub-2.1.1-released/index.html").is_file()  # its translation, by the .zh suffix
    page = parse_page(out / "news/newshub-2.1.1-released/index.html")
    assert ("a", "href", "/hub/zh/news/newshub-2.1.1-released/") in page.refs  # the language switch finds it
    assert (out / "release-2.0-notes/index.html").is_file()  # a page


@pytest.mark.parametrize(
    ("name", "front", "expected"),
    [
        ("content/news/2024-05-01-ios.17.md", "", "news/ios.17/index.html"),  # '17' is no language code
        ("content/news/2024-05-01-iphone.se.md", "lang: en\n", "news/iphone.se/index.html"),  # the error's own advice
        ("content/news/2024-05-01-x.fr.md", "lang: en\nslug: x-fr\n", "news/x-fr/index.html"),
        ("content/pages/v2.0.md", "", "v2.0/index.html"),
    ],
)
def test_dotted_names_build(make_site: MakeSite, name: str, front: str, expected: str) -> None:
    root = make_site({name: f"---\ntitle: T\n{front}---\nBody.\n"})
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    assert (root / "site" / expected).is_file()


def test_a_suffix_that_looks_like_a_language_is_refused_with_what_to_do(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-05-01-report.fr.md": "---\ntitle: T\n---\nBody.\n"})
    result = run_cli(root, "build")
    assert result.returncode == 1
    assert (
        "content/news/2024-05-01-report.fr.md: language suffix '.fr' is not in site.yaml languages (en, zh); add it there,"
        " or set lang: in the front matter to keep '.fr' as part of the name"
    ) in result.stderr


@pytest.mark.parametrize("name", ["node.js-guide", "dr.li-visit", "example.com", "report.pdf", "notes.md", "vue.js"])
def test_dotted_names_that_are_no_language(make_site: MakeSite, name: str) -> None:
    root = make_site({f"content/news/2024-01-01-{name}.md": "---\ntitle: T\n---\nBody.\n"})
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    assert (root / "site/news" / name / "index.html").is_file()


def test_an_upper_case_extension_is_read(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-01-01-notes.MD": "---\ntitle: T\n---\nBody.\n"})
    assert run_cli(root, "build").returncode == 0
    assert (root / "site/news/notes/index.html").is_file()


@pytest.mark.parametrize(("rel", "front"), [("content/pages/index.html.md", ""), ("content/pages/x.md", "slug: index.html\n")])
def test_a_page_inside_another_output_file_is_refused(make_site: MakeSite, rel: str, front: str) -> None:
    root = make_site({rel: f"---\ntitle: T\n{front}---\nBody.\n"})
    result = run_cli(root, "build")
    assert result.returncode == 1
    assert "/index.html/ would be written inside /, which is a file of the site; give it another slug" in result.stderr
    assert "Traceback" not in result.stderr and not (root / "site").exists()


@pytest.mark.parametrize(
    ("timezone", "value"), [("America/New_York", "0001-01-01T00:00:00Z"), ("Asia/Shanghai", "9999-12-31T23:00:00-05:00")]
)
def test_a_date_out_of_range_is_an_error(make_site: MakeSite, timezone: str, value: str) -> None:
    config = f"title: T\nbase_url: https://hub.example.org\ntimezone: {timezone}\n"
    root = make_site({"content/site.yaml": config, "content/news/a.md": f"---\ntitle: T\ndate: {value}\n---\nBody.\n"})
    result = run_cli(root, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"content/news/a.md:3: date '{value.replace('T', ' ').replace('Z', '+00:00')}' is out of range" in result.stderr


def test_project_and_partner_ids_may_hold_dots(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/projects/newshub-2.1.yaml": "title: N\nstatus: active\npartners: [lab.one]\n",
            "content/partners/lab.one.yaml": "name: Lab\nkind: other\n",
            "content/news/2024-01-01-a.md": "---\ntitle: A\nprojects: [newshub-2.1]\n---\nBody.\n",
        }
    )
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    assert (root / "site/projects/newshub-2.1/feed.xml").is_file()
    assert (root / "site/partners/lab.one/index.html").is_file()


@pytest.mark.parametrize("slug", ["a.", ".a", "a..b", "con.2"])
def test_bad_dotted_slugs_are_refused_at_their_line(make_site: MakeSite, slug: str) -> None:
    root = make_site({"content/news/2024-01-01-a.md": f"---\ntitle: A\nslug: '{slug}'\n---\nBody.\n"})
    result = run_cli(root, "build")
    assert result.returncode == 1
    assert f"content/news/2024-01-01-a.md:3: slug '{slug}'" in result.stderr


# --- 2. placeholders of Python-Markdown in plain text ----------------------------------------------

SUMMARIES = {
    "news/press-contact/": "For interviews, write to press@example.org before Friday.",
    "news/escapes/": "Entry is *free* at AT&T Hall [sic] — all welcome © 2024.",
    "news/signing-photo/": "Three partners signed the agreement in Shanghai.",  # 4. opens with a picture
    "zh/news/digital-medicine/": "医院与两所高校在数字智能医学方面开展合作。",  # 3. no space between 开 and 展
}


@pytest.mark.parametrize(("path", "summary"), SUMMARIES.items())
def test_summary_is_the_plain_text_everywhere_it_is_shown(out: Path, path: str, summary: str) -> None:
    page = out / path / "index.html"
    assert meta(page, "description") == summary
    assert meta(page, "og:description") == summary
    assert json_ld(page)["description"] == summary
    feed = "zh/feed.xml" if path.startswith("zh/") else "feed.xml"
    assert entries(out, feed)[f"{BASE}/{path}"].summary == summary
    news_list = "zh/news/index.html" if path.startswith("zh/") else "news/index.html"
    assert summary in page_text(out / news_list)
    home = "zh/index.html" if path.startswith("zh/") else "index.html"
    assert summary in page_text(out / home)


def test_an_e_mail_autolink_in_a_heading_leaves_no_placeholder(make_site: MakeSite) -> None:
    root = make_site({"content/pages/contact.md": "---\ntitle: Contact\n---\n\n## Write to <a@example.org>\n\nText \\*here\\*.\n"})
    build(Options(root=root, cache=False, jobs=1))
    page = (root / "site/contact/index.html").read_text(encoding="utf-8")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", page)
    assert meta(root / "site/contact/index.html", "description") == "Text *here*."


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        ("<!-- <p>OLD LEDE: postponed.</p> -->\n\nThe agreement was signed.", "The agreement was signed."),
        ('<!-- <img src="old.jpg" alt="old"> -->\n\nSigned.', "Signed."),
        ("The board met <!-- TODO: confirm -> legal --> on Monday.", "The board met on Monday."),
        ('Read the <abbr title="a > b">WHO</abbr> report.', "Read the WHO report."),
        ("Run `make && make install` or `a<b`.", "Run make && make install or a<b."),
        ("Shanghai, 2 April<br>The hospital signed<br/>an agreement.", "Shanghai, 2 April The hospital signed an agreement."),
        ("```\ncode first\n```\n\nThen text.", "Then text."),
        ("<style>.x { color: red; }</style>\n\nStyled text.", "Styled text."),
        ("<script>window.embed({id: 3});</script>\n\nAfter the script.", "After the script."),
        ("<video>Your browser does not support video.</video>\n\nAfter the video.", "After the video."),
        ("Text.[^1]\n\n[^1]: A note.", "Text."),
        ("- 签署协议\n- 成立团队", "签署协议 成立团队"),  # a list: items are apart, in Chinese too
    ],
)
def test_summary_is_what_the_reader_sees_first(make_site: MakeSite, body: str, summary: str) -> None:
    root = make_site({"content/news/2024-01-01-a.md": f"---\ntitle: A\n---\n\n{body}\n"})
    build(Options(root=root, cache=False, jobs=1))
    assert meta(root / "site/news/a/index.html", "description") == summary
    assert entries(root / "site", "feed.xml")["https://hub.example.org/news/a/"].summary == summary


# --- 3. a line break inside Chinese text --------------------------------------------------------


def test_wrapped_chinese_lines_join_without_a_space_in_the_body(out: Path) -> None:
    assert "<p>医院与两所高校在数字智能医学方面开展合作。</p>" in (out / "zh/news/digital-medicine/index.html").read_text(encoding="utf-8")
    assert "<p>机器人由医院与企业在穴位导引方面开展研制。</p>" in (out / "zh/projects/robot/index.html").read_text(encoding="utf-8")


def test_segment_breaks_everywhere_text_is_wrapped(make_site: MakeSite) -> None:
    project = "title:\n  zh: 导引\nstatus: active\nsummary:\n  zh: 在穴位导引方面开\n    展研制。\n  en: A robot\n    that guides.\n"
    body = "方面开\n*展*合作，English\nwords 和\n中文。\n\n```\n代码\n行\n```\n"
    root = make_site(
        {
            "content/projects/p.yaml": project,
            "content/news/2024-01-01-a.zh.md": f"---\ntitle: 数字医学\n  合作\nsummary: >\n  开\n  展\n---\n\n{body}",
        }
    )
    build(Options(root=root, cache=False, jobs=1))
    assert "在穴位导引方面开展研制。" in page_text(root / "site/zh/projects/p/index.html")
    assert "A robot that guides." in page_text(root / "site/projects/p/index.html")  # Latin lines keep their space
    article = (root / "site/zh/news/a/index.html").read_text(encoding="utf-8")
    assert "<h1>数字医学合作</h1>" in article
    assert meta(root / "site/zh/news/a/index.html", "description") == "开展"
    assert "方面开<em>展</em>合作，English\nwords 和中文。" in article  # only breaks between two wide characters go
    assert "<code>代码\n行\n</code>" in article


def test_chinese_punctuation_of_ambiguous_width_joins_beside_chinese(make_site: MakeSite) -> None:
    body = "他说“引号”\n（括号）……\n然后。“Quoted”\nwords.\n"
    root = make_site({"content/news/2024-01-01-a.zh.md": f"---\ntitle: A\n---\n\n{body}"})
    build(Options(root=root, cache=False, jobs=1))
    assert "<p>他说“引号”（括号）……然后。“Quoted”\nwords.</p>" in (root / "site/zh/news/a/index.html").read_text(encoding="utf-8")


# --- 4. an article that opens with a picture ------------------------------------------------------


def test_summary_falls_back_to_a_list_when_there_is_no_paragraph(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-01-01-a.md": "---\ntitle: A\n---\n\n![x](https://e.org/x.jpg)\n\n- One\n- Two\n"})
    build(Options(root=root, cache=False, jobs=1))
    assert meta(root / "site/news/a/index.html", "description") == "One Two"


def test_an_article_without_text_has_no_empty_feed_summary(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-01-01-a.md": "---\ntitle: A\n---\n\n![x](https://e.org/x.jpg)\n"})
    build(Options(root=root, cache=False, jobs=1))
    assert "<summary></summary>" not in (root / "site/feed.xml").read_text(encoding="utf-8")


def test_every_page_has_a_description(out: Path, make_site: MakeSite) -> None:
    bare = make_site({"content/news/2024-01-01-a.md": "---\ntitle: Photo\n---\n\n![x](https://e.org/x.jpg)\n"})
    build(Options(root=bare, cache=False, jobs=1))
    assert meta(bare / "site/news/a/index.html", "description") == "Photo"  # no text at all: the title
    for page in [*out.rglob("*.html"), *(bare / "site").rglob("*.html")]:
        assert 'name="description" content=""' not in page.read_text(encoding="utf-8"), page


# --- 5. tags --------------------------------------------------------------------------------------


def test_c_plus_plus_and_c_sharp_are_two_tags(out: Path) -> None:
    assert "C++" in page_text(out / "tags/c-plus-plus/index.html")
    assert "C#" in page_text(out / "tags/c-sharp/index.html")
    names = page_text(out / "tags/index.html")
    assert "C++ 1" in names and "C# 1" in names


def test_an_article_counts_once_per_term(out: Path) -> None:
    # escapes.md has tags [AI, ai, Ai]; two other articles have AI and ai: three articles in all.
    assert "AI 3" in page_text(out / "tags/index.html")
    assert (out / "tags/ai/index.html").read_text(encoding="utf-8").count("<article") == 3
    links = [ref for _, _, ref in parse_page(out / "news/escapes/index.html").refs if "/tags/" in ref and ref != "/hub/tags/"]
    assert links == ["/hub/tags/ai/"]


def test_two_terms_at_one_url_are_refused_naming_both_files(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/news/2024-01-01-a.md": "---\ntitle: A\ntags:\n  - AI\n  - AI!\n---\nBody.\n",
            "content/news/2024-01-02-b.zh.md": "---\ntitle: B\ntags: [数据, 数据!]\n---\nBody.\n",
            "content/news/2024-01-03-c.md": '---\ntitle: C\ntags: ["AI?"]\n---\nBody.\n',
        }
    )
    result = run_cli(root, "build")
    assert result.returncode == 1
    err = result.stderr
    assert (
        "content/news/2024-01-01-a.md:5: tag 'AI!' and tag 'AI?' (content/news/2024-01-03-c.md:3) would share the URL /tags/ai/;"
        " spell them alike, or rename one"
    ) in err
    assert "content/news/2024-01-01-a.md:4: tag 'AI' and tag 'AI?'" in err
    zh = "content/news/2024-01-02-b.zh.md:3"
    assert f"{zh}: tag '数据!' and tag '数据' ({zh}) would share the URL /zh/tags/数据/" in err
    assert not (root / "site").exists()


def test_an_invisible_character_in_a_clashing_tag_is_shown(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/news/2024-01-01-a.md": '---\ntitle: A\ntags: ["AI\\u200b"]\n---\nBody.\n',
            "content/news/2024-01-02-b.md": "---\ntitle: B\ntags: [AI!]\n---\nBody.\n",
        }
    )
    result = run_cli(root, "build")
    assert "tag 'AI\\u200b' and tag 'AI!' (content/news/2024-01-02-b.md:3) would share the URL /tags/ai/" in result.stderr


# --- 6. links in feed content ---------------------------------------------------------------------


@pytest.mark.parametrize("feed", ["feed.xml", "projects/robot/feed.xml"])
def test_feed_links_lead_where_they_lead_on_the_page(out: Path, root: Path, feed: str) -> None:
    if feed.startswith("projects"):  # the project feed lists articles about the project
        (root / "content/news/2024-05-06-links.md").write_text(
            (SITE / "content/news/2024-05-06-links.md").read_text(encoding="utf-8").replace("title:", "projects: [robot]\ntitle:", 1),
            encoding="utf-8",
        )
        build(Options(root=root, output=out, cache=False, jobs=1))
    entry = entries(out, feed)[f"{BASE}/news/links/"]
    links = re.findall(r'href="([^"]*)"', entry.content[0].value)
    assert f"{BASE}/news/newshub-2.1.1-released/" in links
    assert f"{BASE}/news/links/#details" in links
    assert "https://example.org/50%25off" in links


def test_raw_html_site_paths_get_the_base_path_on_the_page_and_in_the_feed(make_site: MakeSite) -> None:
    config = "title: T\nbase_url: https://x.org/hub\ndead_links: warning\n"  # no contact or about page here
    body = '<a href="/contact/">c</a> <img src="/assets/logo.png" alt=""> [m](/about/)\n\n```\n<a href="/in-code/">x</a>\n```\n'
    files = {
        "content/site.yaml": config,
        "content/news/2024-01-01-a.md": f"---\ntitle: A\n---\n\n{body}",
        "assets/logo.png": photos.png_with_alpha(),
    }
    root = make_site(files)
    build(Options(root=root, cache=False, jobs=1))
    refs = [ref for _, _, ref in parse_page(root / "site/news/a/index.html").refs]
    assert {"/hub/contact/", "/hub/about/"} <= set(refs)
    assert any(re.fullmatch(r"/hub/images/\w+/logo\.png", ref) for ref in refs), refs  # the published image
    content = entries(root / "site", "feed.xml")["https://x.org/hub/news/a/"].content[0].value
    assert 'href="https://x.org/hub/contact/"' in content and re.search(r'src="https://x.org/hub/images/\w+/logo\.png"', content)
    assert '&lt;a href="/in-code/"&gt;' in content  # an example in code stays as written


def test_sample_feed_heading_links_lead_to_the_article(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(Options(root=REPO, output=out, cache=False, jobs=1))
    for feed in ("feed.xml", "zh/feed.xml"):
        for link, entry in entries(out, feed).items():
            anchors = [h for h in re.findall(r'href="([^"]*)"', entry.content[0].value) if "#" in h]
            assert anchors and all(h.startswith(link + "#") for h in anchors), anchors


# --- 7. milestone entry ids -----------------------------------------------------------------------


def milestone_ids(out: Path, feed: str = "projects/robot/feed.xml") -> dict[str, str]:
    return {entry.title: entry.id for entry in entries(out, feed).values() if "#milestone--" in entry.id}


def test_milestone_ids_do_not_change_when_others_change(make_site: MakeSite) -> None:
    rels = ("projects/robot.yaml", "partners/hospital.yaml", "partners/device-maker.yaml")
    root = make_site({f"content/{rel}": (SITE / "content" / rel).read_text(encoding="utf-8") for rel in rels})
    project = root / "content/projects/robot.yaml"
    url = "https://hub.example.org/projects/robot/#milestone--"

    def ids_after(edit: tuple[str, str] | None = None) -> dict[str, str]:
        if edit:
            project.write_text(project.read_text(encoding="utf-8").replace(*edit, 1), encoding="utf-8")
        build(Options(root=root, cache=False, jobs=1))
        return milestone_ids(root / "site")

    before = ids_after()
    assert before == {"Milestone: Agreement signed": url + "2024-04-02", "Milestone: Prototype shown": url + "2024-06-01"}
    # an earlier milestone done, a title translated and corrected, a milestone added before the others
    after = ids_after(("done: false", "done: true"))
    assert after == {**before, "Milestone: Team formed": url + "2024-04-02-2"}
    assert ids_after(("title: Prototype shown", "title:\n      en: Prototype shown\n      zh: 样机展示")) == after
    assert set(ids_after(("en: Agreement signed", "en: Agreement signed in Shanghai")).values()) == set(after.values())
    assert set(ids_after(("milestones:", "milestones:\n  - {date: 2024-01-01, title: Talks, done: true}")).values()) == {
        *after.values(),
        url + "2024-01-01",
    }
    page = parse_page(root / "site/projects/robot/index.html")
    assert {"milestone--2024-04-02-2", "milestone--2024-06-01"} <= page.ids  # the entry links land


def test_a_milestone_translated_later_keeps_its_id_in_both_feeds(make_site: MakeSite) -> None:
    project = "title: P\nstatus: active\nmilestones:\n  - date: 2024-04-02\n    title: {zh: 协议签署}\n    done: true\n"
    root = make_site({"content/projects/p.yaml": project})
    build(Options(root=root, cache=False, jobs=1))
    before = [milestone_ids(root / "site", f"{lang}projects/p/feed.xml") for lang in ("", "zh/")]
    (root / "content/projects/p.yaml").write_text(project.replace("{zh: 协议签署}", "{en: Agreement signed, zh: 协议签署}"))
    build(Options(root=root, cache=False, jobs=1))
    after = [milestone_ids(root / "site", f"{lang}projects/p/feed.xml") for lang in ("", "zh/")]
    assert [set(ids.values()) for ids in after] == [set(ids.values()) for ids in before]


def test_milestone_ids_must_differ(make_site: MakeSite) -> None:
    project = (
        "title: P\nstatus: active\nmilestones:\n  - {date: 2024-01-01, title: Start}\n  - {date: 2024-01-02, title: B, id: 2024-01-01}\n"
    )
    root = make_site({"content/projects/p.yaml": project})
    result = run_cli(root, "build")
    assert result.returncode == 1
    assert (
        "content/projects/p.yaml:5: milestone id '2024-01-01' is also the id of the milestone at line 4; give one of them 'id:'"
        in result.stderr
    )
    (root / "content/projects/p.yaml").write_text(project.replace("id: 2024-01-01", "id: second-start"), encoding="utf-8")
    assert run_cli(root, "build").returncode == 0
    assert 'id="milestone--second-start"' in (root / "site/projects/p/index.html").read_text(encoding="utf-8")


# --- 8. a name given in one language only ---------------------------------------------------------


def test_an_empty_or_null_language_falls_back(make_site: MakeSite) -> None:
    config = "title: T\nbase_url: https://hub.example.org\nlanguages: [en, zh]\ndescription: {en: ~, zh: 中文简介}\n"
    root = make_site(
        {
            "content/site.yaml": config,
            "content/partners/p.yaml": 'name: {en: null, zh: 市医院}\nkind: hospital\nsummary: {en: "", zh: 简介}\n',
        }
    )
    build(Options(root=root, cache=False, jobs=1))
    page = (root / "site/partners/p/index.html").read_text(encoding="utf-8")
    assert "<h1>市医院</h1>" in page and "null" not in page
    assert meta(root / "site/index.html", "description") == "中文简介"


def test_a_name_in_chinese_only_is_shown_on_english_pages(out: Path) -> None:
    partner = out / "partners/device-maker/index.html"
    assert "<h1>浦东某医疗器械公司</h1>" in partner.read_text(encoding="utf-8")
    assert "<title>浦东某医疗器械公司 — Real World Hub</title>" in partner.read_text(encoding="utf-8")
    assert "浦东某医疗器械公司" in page_text(out / "partners/index.html")
    assert "<h1>穴位导引机器人</h1>" in (out / "projects/robot/index.html").read_text(encoding="utf-8")
    assert "穴位导引机器人" in page_text(out / "projects/index.html")
    assert "穴位导引机器人" in page_text(out / "index.html")
    assert "浦东某医疗器械公司" in page_text(out / "projects/robot/index.html")  # the partner list of a project
    assert feedparser.parse((out / "projects/robot/feed.xml").read_bytes()).feed.title == "穴位导引机器人 — Real World Hub"
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<h1></h1>" not in text and "<title> —" not in text and not re.search("<a [^>]*></a>", text), page


def test_a_site_title_in_chinese_only(make_site: MakeSite) -> None:
    config = "title:\n  zh: 测试\nbase_url: https://hub.example.org\nlanguages: [en, zh]\n"
    root = make_site({"content/site.yaml": config})
    build(Options(root=root, cache=False, jobs=1))
    assert "<title>测试</title>" in (root / "site/index.html").read_text(encoding="utf-8")
    assert feedparser.parse((root / "site/feed.xml").read_bytes()).feed.title == "测试"


# --- 9. a bare '%' in a URL -----------------------------------------------------------------------


def test_jekyll_link_tags_become_valid_urls(out: Path) -> None:
    refs = [ref for _, _, ref in parse_page(out / "news/links/index.html").refs]
    assert "%7B%25%20link%20_posts/2019-01-01-old.md%20%25%7D" in refs
    assert "https://example.org/50%25off" in refs
    assert "https://example.org/a%20b" in refs  # an escape that is already valid stays as it is


def test_bare_percent_in_every_kind_of_url(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/news/2024-01-01-a.md": (
                "---\ntitle: A\nimage: 50%off.jpg\nimage_alt: Half off\n---\n\n"
                '<a href="{% link x.md %}">raw</a> ![p](https://img.example.org/{%x%}.png)\n'
            ),
            "content/news/50%off.jpg": photos.jpeg(),
            "content/partners/p.yaml": "name: P\nkind: other\nurl: https://p.example.org/100%\n",
            "content/site.yaml": MINIMAL_CONFIG + "dead_links: warning\n",  # '{% link x.md %}' leads nowhere
        }
    )
    report = build(Options(root=root, cache=False, jobs=1))
    assert [w.message.split(":")[0] for w in report.warnings] == ["dead link '{% link x.md %}'"]  # as written
    article = [ref for _, _, ref in parse_page(root / "site/news/a/index.html").refs]
    assert "%7B%25%20link%20x.md%20%25%7D" in article
    assert "https://img.example.org/%7B%25x%25%7D.png" in article
    assert any(re.fullmatch(r"https://hub.example.org/images/\w+/50-off.jpg", ref) for ref in article), article  # og:image
    assert "https://p.example.org/100%25" in [ref for _, _, ref in parse_page(root / "site/partners/p/index.html").refs]


def test_brackets_and_a_second_hash_are_encoded(make_site: MakeSite) -> None:
    body = "[b](https://x.org/search?ids[]=1) ![a](https://x.org/a[1].jpg) [c](https://x.org/p#sec#2)\n\n"
    body += '<blockquote cite="https://x.org/50%off a">q</blockquote>\n'
    article = f"---\ntitle: A\nimage: '[1].jpg'\nimage_alt: One\n---\n\n{body}"
    root = make_site({"content/news/2024-01-01-a.md": article, "content/news/[1].jpg": photos.jpeg()})
    build(Options(root=root, cache=False, jobs=1))
    refs = [ref for _, _, ref in parse_page(root / "site/news/a/index.html").refs]
    assert {"https://x.org/search?ids%5B%5D=1", "https://x.org/a%5B1%5D.jpg", "https://x.org/p#sec%232"} <= set(refs)
    assert any(re.fullmatch(r"/images/\w+/1.jpg", ref) for ref in refs), refs
    assert 'cite="https://x.org/50%25off%20a"' in (root / "site/news/a/index.html").read_text(encoding="utf-8")


# --- the preview ----------------------------------------------------------------------------------


def test_the_preview_serves_what_build_writes(root: Path, tmp_path: Path) -> None:
    with running(root) as server:
        base = f"http://127.0.0.1:{server.port}"
        expected = tree(build_for(root, tmp_path / "out", base))
        for rel, data in expected.items():
            path = "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
            status, _, body = server.get(path)
            served = without_script(body)
            assert (status, served) == (200, data), rel


def test_the_preview_redirect_keeps_the_query(root: Path) -> None:
    with running(root) as server:
        status, headers, _ = server.get("/news/newshub-2.1.1-released?utm=1")
    assert (status, headers["location"]) == (301, "/news/newshub-2.1.1-released/?utm=1")


def build_for(root: Path, out: Path, base_url: str) -> Path:
    build(Options(root=root, output=out, drafts=True, base_url=base_url, cache=False, jobs=1))
    return out
