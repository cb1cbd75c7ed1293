"""parse: one source file's bytes into a model item. No global state, and no I/O but the images a
page refers to (read through the renderer's ImageStore and listed in `Parsed.deps`), so results
can be cached by content hash and computed in worker processes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import ItemsView, Iterator, KeysView, MutableMapping, ValuesView
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from . import schema as s
from . import timeline
from .config import SiteConfig
from .discover import Source
from .errors import BuildError, Problem, Problems
from .frontmatter import header, split
from .images import Picture, where_to_put
from .markdown import MarkdownRenderer, Rendered, reading_minutes
from .model import Article, Milestone, Page, Partner, Project, StatusChange
from .source import decode
from .urls import slug_problem, term_key
from .yamlnodes import compose

ARTICLE = s.Schema(
    "article front matter",
    {
        "title": s.Field(s.text, required=True, example="Partnership agreement signed"),
        "date": s.Field(s.when),
        "summary": s.Field(s.text, default=""),
        "tags": s.Field(s.text_list, default=()),
        "projects": s.Field(s.text_list, default=()),
        "partners": s.Field(s.text_list, default=()),
        "author": s.Field(s.text, default=""),
        "draft": s.Field(s.boolean, default=False),
        "slug": s.Field(s.text),
        "image": s.Field(s.text, default=""),
        "image_alt": s.Field(s.text, default=""),
        "lang": s.Field(s.text),
        "publish_date": s.Field(s.when),
        "expires": s.Field(s.when),
        "aliases": s.Field(s.site_paths, default=()),
    },
)
PAGE = s.Schema(
    "page front matter",
    {
        "title": replace(ARTICLE.fields["title"], example="About us"),
        **{k: ARTICLE.fields[k] for k in ("summary", "draft", "slug", "lang", "publish_date", "expires", "aliases")},
    },
)
MILESTONE = s.Schema(
    "milestone",
    {
        "date": s.Field(s.when, required=True, example="2024-04-02"),
        "title": s.Field(s.localized, required=True, example="Agreement signed"),
        "done": s.Field(s.boolean, default=False),
        "id": s.Field(s.text),
        "note": s.Field(s.localized, default={}),
        "article": s.Field(s.text, default=""),  # the article that reports it: its file name
    },
)
STATUS_CHANGE = s.Schema(
    "status change",
    {
        "date": s.Field(s.when, required=True, example="2024-04-02"),
        "status": s.Field(s.one_of(s.STATUSES), required=True, example="signed"),
        "note": s.Field(s.localized, default={}),
    },
)
PROJECT = s.Schema(
    "project",
    {
        "title": s.Field(s.localized, required=True, default={}, example="Robot-assisted acupuncture"),
        "status": s.Field(s.one_of(s.STATUSES), default=""),  # required unless status_history gives it
        "status_history": s.Field(s.list_of(STATUS_CHANGE), default=()),
        "summary": s.Field(s.localized, default={}),
        "partners": s.Field(s.text_list, default=()),
        "lead": s.Field(s.text, default=""),
        "area": s.Field(s.localized, default={}),
        "started": s.Field(s.when),
        "milestones": s.Field(s.list_of(MILESTONE), default=()),
        "body": s.Field(s.localized_markdown, default={}),
        "image": s.Field(s.text, default=""),
        "image_alt": s.Field(s.localized, default={}),
        "aliases": s.Field(s.site_paths, default=()),
    },
)
PARTNER = s.Schema(
    "partner",
    {
        "name": s.Field(s.localized, required=True, default={}, example="Acme University"),
        "kind": s.Field(s.one_of(s.PARTNER_KINDS), required=True, default="", example="university"),
        "url": s.Field(s.url, default=""),
        "location": s.Field(s.localized, default={}),
        "summary": s.Field(s.localized, default={}),
        "image": s.Field(s.text, default=""),  # the logo; its alt text is the partner's name
    },
)

TIMING = ("publish_date", "expires")
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*$")
# ISO 639-1: a suffix that is one of these (alone, or with a BCP 47 script or region: 'pt-BR',
# 'zh-Hant') but not configured is taken for a language; any other ('.js', '.1-released') is part of the name.
_ISO_639_1 = frozenset(
    re.findall(
        r"\w\w",
        "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en "
        "eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv "
        "ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne "
        "ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st "
        "su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu ",
    )
)
_SUBTAGS = re.compile(r"^(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?$")


Item = Article | Page | Project | Partner
# Each image a parse read: (file, digest or '' if unusable, size, mtime_ns, its Picture if usable).
Deps = tuple[tuple[str, str, int, int, Picture | None], ...]
_Found = TypeVar("_Found", tuple[Problem, ...], Deps)


@dataclass(frozen=True)
class Parsed:
    """One file's parse. With `problems` the build stops; an `item` then (a file whose YAML could be
    read) serves only to check its references to other files in the same pass."""

    item: Item | None
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    deps: Deps = ()


class ParseResults(MutableMapping[str, tuple[bytes, Parsed]]):
    """A build's parse results: content path -> (the bytes parsed, their Parsed), in the order
    added. It also keeps, for only those results that have any, their problems, warnings and deps,
    so that the preview collects them after each save without walking all 10,000 results."""

    def __init__(self) -> None:
        self._all: dict[str, tuple[bytes, Parsed]] = {}
        self.problems: dict[str, tuple[Problem, ...]] = {}
        self.warnings: dict[str, tuple[Problem, ...]] = {}
        self.deps: dict[str, Deps] = {}  # of the results that read an image

    def __getitem__(self, rel: str) -> tuple[bytes, Parsed]:
        return self._all[rel]

    def __setitem__(self, rel: str, value: tuple[bytes, Parsed]) -> None:
        self._all[rel] = value
        parsed = value[1]
        _index(self.problems, rel, parsed.problems)
        _index(self.warnings, rel, parsed.warnings)
        _index(self.deps, rel, parsed.deps)

    def __delitem__(self, rel: str) -> None:
        del self._all[rel]
        for index in (self.problems, self.warnings, self.deps):
            index.pop(rel, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def __contains__(self, rel: object) -> bool:
        return rel in self._all

    def clear(self) -> None:
        for index in (self._all, self.problems, self.warnings, self.deps):
            index.clear()

    # The dict's own views: walks over every result are not slowed by the mapping's protocol.
    def keys(self) -> KeysView[str]:
        return self._all.keys()

    def values(self) -> ValuesView[tuple[bytes, Parsed]]:
        return self._all.values()

    def items(self) -> ItemsView[str, tuple[bytes, Parsed]]:
        return self._all.items()


def _index(index: dict[str, _Found], rel: str, found: _Found) -> None:
    if found:
        index[rel] = found
    else:
        index.pop(rel, None)


def as_datetime(value: date | datetime, tz: ZoneInfo) -> datetime:
    """Dates and naive times are read in the site's time zone, so they sort with aware ones."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    return datetime.combine(value, time(0), tz)


def _moment(value: date | datetime, config: SiteConfig, rel: str, line: int, problems: Problems) -> datetime:
    """`value` in the site's time zone; a problem (and a stand-in) when that or UTC leaves years 1-9999."""
    try:
        moment = as_datetime(value, config.tz)
        moment.astimezone(UTC)
        return moment
    except OverflowError:
        problems.add(rel, line, f"date '{value}' is out of range in the time zone {config.timezone}; write a year between 1 and 9999")
        return datetime(2000, 1, 1, tzinfo=config.tz)


def _day(value: date | datetime, config: SiteConfig, rel: str, line: int, problems: Problems) -> date:
    return _moment(value, config, rel, line, problems).date()


def _looks_like_language(suffix: str) -> bool:
    code, _, rest = suffix.partition("-")
    return code.lower() in _ISO_639_1 and bool(_SUBTAGS.match("-" + rest if rest else ""))


def _name_parts(rel: str, config: SiteConfig, lang_given: bool, problems: Problems) -> tuple[str, str | None, date | None]:
    """(stem, language from the suffix, date from the prefix) of a file name.

    A last dotted part is a language suffix when it is one of site.yaml's languages. One that only
    looks like a language code ('.fr', '.pt-br') is an error unless the front matter sets `lang:`;
    any other ('newshub-2.1.1-released.md') is part of the name, as in Hugo."""
    # macOS (HFS+) hands out file names in NFD: 'café.md' must give the slug 'café' in NFC, the
    # form every other slug and URL is in (two files differing only in that form then collide in check).
    parts = rel.split("/")
    name = parts[2] + parts[3][len("index") :] if len(parts) == 4 else parts[2]  # a page bundle: named by its folder
    stem = unicodedata.normalize("NFC", name.rsplit(".", 1)[0])
    lang = None
    if "." in stem:
        base, suffix = stem.rsplit(".", 1)
        if suffix in config.languages:
            stem, lang = base, suffix
        elif _looks_like_language(suffix) and not lang_given:
            problems.add(
                rel,
                0,
                f"language suffix '.{suffix}' is not in site.yaml languages ({', '.join(config.languages)}); add it there,"
                f" or set lang: in the front matter to keep '.{suffix}' as part of the name",
            )
    prefix_date = None
    match = _DATED.match(stem)
    if match:
        try:
            prefix_date = date.fromisoformat(match.group(1))
            stem = match.group(2)
        except ValueError:
            problems.add(rel, 0, f"invalid date '{match.group(1)}' in the file name; write YYYY-MM-DD-slug.md")
    return stem, lang, prefix_date


def _timing(values: dict[str, Any], config: SiteConfig, rel: str, lines: dict[str, int], problems: Problems) -> dict[str, Any]:
    """`publish_date` and `expires` as aware date-times (a date is its midnight in the site's zone)."""
    return {key: _moment(values[key], config, rel, lines.get(key, 0), problems) if values[key] else None for key in TIMING}


def _expires_after(item: Article | Page, rel: str, problems: Problems) -> None:
    """`expires` must be after the item goes out; not judged when a date of it is already wrong
    (it would be judged against a stand-in the editor never wrote)."""
    wrong = {item.lines.get(key) for key in ("date", *TIMING)} & {p.line for p in problems.items}
    if wrong - {None, 0}:
        return
    start = item.publish_date or (item.date if isinstance(item, Article) else None)
    if start is not None and item.expires is not None and item.expires <= start:
        when = f"{item.expires.isoformat()} is not after the item goes out ({start.isoformat()})"
        problems.add(rel, item.lines.get("expires", 0), f"expires: {when}; correct one of them")


def _one_per_term(tags: tuple[str, ...], lines: dict[str, int]) -> tuple[str, ...]:
    """`tags` with later spellings of one term left out ('AI', 'ai'): an article counts once per
    term. `lines` is updated so that 'tags.N' stays the line of the N-th tag kept."""
    kept: dict[str, int] = {}
    for i, tag in enumerate(tags):
        kept.setdefault(term_key(tag), i)
    if len(kept) == len(tags):
        return tags
    for j, i in enumerate(kept.values()):
        lines[f"tags.{j}"] = lines.get(f"tags.{i}", lines.get("tags", 0))
    for j in range(len(kept), len(tags)):
        lines.pop(f"tags.{j}", None)
    return tuple(tags[i] for i in kept.values())


def _document(source: Source, config: SiteConfig, renderer: MarkdownRenderer, schema: s.Schema) -> Parsed:
    problems = Problems()
    rel = source.rel
    text = decode(source.data if renderer.reads_body else header(source.data), rel)
    parts = split(text, rel)
    node = compose(parts.yaml, rel, parts.yaml_offset)
    values, lines = s.read(schema, node, s.Reading(config.languages, rel, parts.yaml_offset), problems)
    stem, suffix_lang, prefix_date = _name_parts(rel, config, bool(values["lang"]), problems)

    lang = values["lang"] or suffix_lang or config.default_language
    if lang not in config.languages:
        problems.add(rel, lines.get("lang", 1), f"lang '{lang}' is not in site.yaml languages ({', '.join(config.languages)})")
    elif values["lang"] and suffix_lang and values["lang"] != suffix_lang:
        problems.add(rel, lines["lang"], f"lang '{values['lang']}' contradicts the file name's '.{suffix_lang}' suffix; remove one")
    slug = values["slug"] or stem
    why = slug_problem(slug)
    if why:
        problems.add(rel, lines.get("slug", 0), f"{why}{'' if 'slug' in lines else '; rename the file or set slug:'}")

    featured = _featured(values["image"], values["image_alt"], rel, lines, renderer, problems) if schema is not PAGE else None
    rendered = _render(renderer, parts.body, rel, parts.body_offset, featured is None, problems)
    summary = values["summary"] or rendered.first_paragraph
    common: dict[str, Any] = dict(
        source=rel, translation_key=stem, slug=slug, lang=lang, title=values["title"] or "", summary=summary,
        body=rendered.html, toc=rendered.toc, draft=values["draft"], lines=lines, aliases=values["aliases"],
        **_timing(values, config, rel, lines, problems),
    )  # fmt: skip
    if schema is PAGE:
        page = Page(**common)
        _expires_after(page, rel, problems)
        return Parsed(page, tuple(problems.items), rendered.warnings)

    tags = _one_per_term(values["tags"], lines)
    when = values["date"] or prefix_date
    if when is None and "date" not in lines:
        problems.add(rel, 1, "missing required field 'date'; add 'date: YYYY-MM-DD' or name the file YYYY-MM-DD-slug.md")
    elif when is None and lines["date"] != -1:  # 'date:' with nothing after it (an invalid one is reported already)
        problems.add(
            rel,
            lines["date"],
            "date: is empty; write a value after 'date:', for example 'date: 2024-04-02', or name the file YYYY-MM-DD-slug.md",
        )
    # Without a date the article is kept for the cross-file check only (the build stops): any date will do.
    moment = _moment(when, config, rel, lines.get("date", 0), problems) if when is not None else datetime(2000, 1, 1, tzinfo=config.tz)
    article = Article(
        **common,
        date=moment,
        tags=tags,
        projects=values["projects"],
        partners=values["partners"],
        author=values["author"],
        image=featured,
        image_alt=values["image_alt"] if featured else "",
        minutes=reading_minutes(rendered.words),
    )
    _expires_after(article, rel, problems)
    return Parsed(article, tuple(problems.items), rendered.warnings)


def _render(renderer: MarkdownRenderer, body: str, rel: str, offset: int, eager: bool, problems: Problems) -> Rendered:
    """The body rendered, its errors added to `problems`; an empty body when it cannot be rendered at all."""
    try:
        rendered = renderer.render(body, rel, offset, eager=eager)
    except BuildError as exc:  # nested too deeply, or too slow to render: the other problems of the file still count
        problems.extend(exc)
        return Rendered("", (), "", 0, ())
    problems.items.extend(rendered.errors)
    return rendered


def _featured(src: str, alt: object, rel: str, lines: dict[str, int], renderer: MarkdownRenderer, problems: Problems) -> Picture | None:
    """The Picture `image:` names; a problem when it names none, or has no `image_alt:`."""
    if not src:
        return None
    found = renderer.picture(src, rel)
    if not isinstance(found, Picture):
        why = found or f"an image on another site cannot be used here, only a file of the project: {where_to_put(src, rel)}"
        problems.add(rel, lines.get("image", 0), f"image: '{src}': {why}")
        return None
    if not alt:
        problems.add(rel, lines["image"], "image: add 'image_alt:', a sentence that describes the picture for readers who cannot see it")
    return found


def _record(source: Source, config: SiteConfig, renderer: MarkdownRenderer, schema: s.Schema) -> Parsed:
    problems = Problems()
    rel = source.rel
    ident = rel.rsplit("/", 1)[1].rsplit(".", 1)[0]
    if not _ID.match(ident):
        problems.add(rel, 0, f"id '{ident}' (the file name) may hold only a-z, 0-9, hyphens and dots between them; rename the file")
    elif why := slug_problem(ident):  # con.yaml would be projects/con/, a folder Windows cannot hold
        problems.add(rel, 0, f"id '{ident}' (the file name): {why}")
    node = compose(decode(source.data, rel), rel)
    values, lines = s.read(schema, node, s.Reading(config.languages, rel, 0), problems)
    alt = values["image_alt"] if schema is PROJECT else True  # a partner's logo is described by its name, which is required
    values["image"] = _featured(values["image"], alt, rel, lines, renderer, problems)
    if schema is PARTNER:
        return Parsed(Partner(id=ident, source=rel, lines=lines, **values), tuple(problems.items), ())

    warnings: list[Problem] = []
    body: dict[str, str] = {}
    for lang, markdown_text in values["body"].items():
        rendered = _render(renderer, markdown_text, rel, lines.get("body", 0), True, problems)
        body[lang] = rendered.html
        warnings.extend(rendered.warnings)
    milestones = sorted(_milestones(rel, values["milestones"], lines, config, problems), key=lambda m: (m.date, not m.done))
    started = _day(values["started"], config, rel, lines.get("started", 0), problems) if values["started"] else None
    history = _history(rel, values["status_history"], values["status"], lines, config, problems)
    status = values["status"] or (history[-1].status if history else "")
    if not status and lines.get("status", 0) > 0:  # 'status:' with nothing after it
        problems.add(rel, lines["status"], "status: is empty; write a value after 'status:', for example 'status: active'")
    elif not status and lines.get("status_history", 0) > 0:  # 'status_history: []'
        problems.add(rel, lines["status_history"], "status_history: is empty; add an entry such as '- {date: 2024-04-02, status: signed}'")
    elif not status and "status" not in lines and lines.get("status_history") != -1:
        problems.add(rel, 1, "missing required field 'status' in project; add a line such as 'status: active', or a 'status_history:' list")
    project = Project(
        id=ident, source=rel, lines=lines, title=values["title"], status=status, summary=values["summary"],
        partners=values["partners"], lead=values["lead"], area=values["area"], started=started,
        milestones=tuple(milestones), body=body, image=values["image"], image_alt=values["image_alt"],
        aliases=values["aliases"], status_history=history,
    )  # fmt: skip
    return Parsed(project, tuple(problems.items), tuple(warnings))


def _milestones(
    rel: str, entries: tuple[dict[str, Any], ...], lines: dict[str, int], config: SiteConfig, problems: Problems
) -> list[Milestone]:
    """Milestones with their ids (feed entry ids and page anchors, which must never change: RFC 4287,
    4.2.6). The id is `id:`, else the date, with '-2', '-3'... for later milestones of the same date
    in the file: marking one done, adding one on another date, or translating or correcting a
    title leaves every id as it was."""
    out: list[Milestone] = []
    seen: dict[str, int] = {}
    per_day: dict[date, int] = {}
    for i, entry in enumerate(entries):
        day = _day(entry["date"], config, rel, lines.get(f"milestones.{i}", 0), problems)
        line = lines.get(f"milestones.{i}", lines.get("milestones", 0))
        per_day[day] = per_day.get(day, 0) + 1
        ident = entry["id"] or (day.isoformat() if per_day[day] == 1 else f"{day.isoformat()}-{per_day[day]}")
        if why := slug_problem(ident):
            problems.add(rel, line, f"milestone id: {why}")
        elif ident in seen:
            problems.add(rel, line, f"milestone id '{ident}' is also the id of the milestone at line {seen[ident]}; give one of them 'id:'")
        seen.setdefault(ident, line)
        article = article_key(entry["article"]) if entry["article"] else ""
        out.append(Milestone(day, entry["title"], entry["done"], ident, entry["note"], article, line))
    return out


def article_key(name: str) -> str:
    """The translation key of the article in file `name` (a path or a milestone's `article:`, with
    or without its date, language suffix or '.md'; a page bundle's folder or its index.md)."""
    parts = name.strip().strip("/").split("/")
    last = parts[-1]
    if last.startswith("index.") and len(parts) > 1:  # a page bundle is named by its folder
        last = parts[-2] + last[len("index") :]
    stem = unicodedata.normalize("NFC", last.removesuffix(".md"))
    base, _, suffix = stem.rpartition(".")
    if base and _looks_like_language(suffix):
        stem = base
    dated = _DATED.match(stem)
    return dated.group(2) if dated else stem


def _history(
    rel: str, entries: tuple[dict[str, Any], ...], status: str, lines: dict[str, int], config: SiteConfig, problems: Problems
) -> tuple[StatusChange, ...]:
    """`status_history` in the order written, which must be oldest first (timeline.history_problems)."""
    history = []
    for i, entry in enumerate(entries):
        line = lines.get(f"status_history.{i}", lines.get("status_history", 0))
        history.append(StatusChange(_day(entry["date"], config, rel, line, problems), entry["status"], entry["note"], line))
    timeline.history_problems(rel, history, status, lines.get("status", 0), problems)
    return tuple(history)


_PARSERS = {"news": (_document, ARTICLE), "pages": (_document, PAGE), "projects": (_record, PROJECT), "partners": (_record, PARTNER)}


def parse(source: Source, config: SiteConfig, renderer: MarkdownRenderer) -> Parsed:
    """Never raises: a broken file gives its problems, every one of them, and its item when its
    YAML could be read (for the cross-file check of the same pass; never built)."""
    parser, schema = _PARSERS[source.section]
    renderer.used = {}
    try:
        parsed = parser(source, config, renderer, schema)
    except BuildError as exc:
        parsed = Parsed(None, tuple(exc.problems), ())
    if not renderer.used or renderer.images is None:
        return parsed
    deps = []
    for path, digest in sorted(renderer.used.items()):
        stamp, found = renderer.images.known(path)
        deps.append((path, digest, *stamp, found if isinstance(found, Picture) else None))
    return replace(parsed, deps=tuple(deps))
