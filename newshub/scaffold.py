"""`newshub new`: scaffold a content file with its front matter filled in."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from .config import load_config
from .errors import fail
from .urls import slug_problem, slugify

KINDS = ("news", "page")


def scaffold(root: Path, kind: str, title: str, lang: str | None = None) -> Path:
    config = load_config(root)
    if lang is not None and lang not in config.languages:
        raise fail("content/site.yaml", 0, f"language '{lang}' is not in languages ({', '.join(config.languages)})")
    slug = slugify(title)
    why = slug_problem(slug)
    if why:
        raise fail(title, 0, f"cannot make a file name from this title: {why}")
    suffix = f".{lang}" if lang and lang != config.default_language else ""
    today = datetime.now(config.tz).date().isoformat()  # the author's "today", in the site's zone
    if kind == "news":
        path = root / "content" / "news" / f"{today}-{slug}{suffix}.md"
        front = f"title: {json.dumps(title, ensure_ascii=False)}\ndate: {today}\n"
        front += "# summary: one or two sentences (default: the first paragraph)\ntags: []\nprojects: []\npartners: []\ndraft: true\n"
    else:
        path = root / "content" / "pages" / f"{slug}{suffix}.md"
        front = f"title: {json.dumps(title, ensure_ascii=False)}\ndraft: true\n"
    if path.exists():
        raise fail(path.relative_to(root).as_posix(), 0, "already exists; choose another title or edit that file")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n\nWrite the first paragraph here: it becomes the summary.\n", encoding="utf-8")
    return path
