"""store: an article's body and table of contents kept in a file, read back exactly, held nowhere."""

from __future__ import annotations

import os
import pickle

import pytest

from newshub.discover import Source
from newshub.markdown import MarkdownRenderer
from newshub.model import Article
from newshub.parse import parse
from newshub.store import BodyStore, StoredArticle

from .helpers import config

CONFIG = config()
TEXT = "---\ntitle: 协议\ntags: [AI]\n---\n\n## 背景 {: #why }\n\nA *first* paragraph.[^1]\n\n## Next\n\nMore.\n\n[^1]: A note.\n"


def article(rel: str = "content/news/2024-04-02-signing.zh.md", text: str = TEXT) -> Article:
    item = parse(Source(rel, "news", text.encode()), CONFIG, MarkdownRenderer(CONFIG.html)).item
    assert isinstance(item, Article)
    return item


def test_a_stored_article_reads_back_what_was_put_and_holds_none_of_it() -> None:
    original = article()
    store = BodyStore()
    try:
        stored = store.put(original)
        assert isinstance(stored, StoredArticle) and isinstance(stored, Article)
        assert "body" not in stored.__dict__ and "toc" not in stored.__dict__  # nothing of them on the item
        assert (stored.body, stored.toc) == (original.body, original.toc)
        assert stored.loaded() == original and type(stored.loaded()) is Article
        assert (stored.title, stored.date, stored.tags, stored.summary) == (original.title, original.date, original.tags, original.summary)
        before = store.reads
        assert stored.body.startswith('<div class="heading"><h2 id="why">') and store.reads == before + 1  # read each time
        assert store.put(stored) is stored  # already stored: not written twice
    finally:
        store.close()


def test_stored_articles_compare_and_hash_by_their_fields() -> None:
    store = BodyStore()
    try:
        one, same, other = store.put(article()), store.put(article()), store.put(article(text=TEXT.replace("More.", "Less.")))
        assert one == same and hash(one) == hash(same)
        assert one != other
    finally:
        store.close()


def test_a_forked_process_reads_the_store() -> None:
    """The render workers are forked after the bodies are written: they read the same file."""
    store = BodyStore()
    try:
        stored = store.put(article())
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: the body as it reads it, through the pipe
            os.close(reader)
            os.write(writer, pickle.dumps((stored.body, stored.toc)))
            os._exit(0)
        os.close(writer)
        with os.fdopen(reader, "rb") as pipe:
            assert pickle.loads(pipe.read()) == (article().body, article().toc)
        os.waitpid(pid, 0)
    finally:
        store.close()


def test_a_closed_store_refuses_to_read() -> None:
    """Its file descriptor may be another file's by then: never read from it."""
    store = BodyStore()
    stored = store.put(article())
    store.close()
    with pytest.raises(ValueError, match="closed"):
        _ = stored.body


def test_stored_articles_share_the_strings_many_articles_repeat() -> None:
    """A parse result comes from a worker with copies of its own of every string: a tag's name, the
    language and the front matter keys are then kept once, not once an article."""
    store = BodyStore()
    try:
        one, two = (store.put(pickle.loads(pickle.dumps(article(f"content/news/2024-04-0{i}-x.zh.md")))) for i in (1, 2))
        assert one.tags == two.tags == ("AI",) and one.tags[0] is two.tags[0]
        assert one.lang is two.lang
        assert list(one.lines) == list(two.lines) and all(a is b for a, b in zip(one.lines, two.lines, strict=True))
        assert one.title == two.title and one.lines == two.lines
    finally:
        store.close()
