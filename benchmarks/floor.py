"""The floor of a cold build: the corpus's article bodies through bare Python-Markdown, on all cores.

    python benchmarks/floor.py benchmarks/corpus/10k/newshub

Reads every `content/news/*.md` of a newshub corpus folder (written by benchmarks/corpus.py),
strips its front matter and converts the body with Python-Markdown, configured as newshub's
converter is (newshub/markdown.py, `MarkdownRenderer`: the same extensions and extension
settings), without newshub's own tree processor, post-processor, sanitiser or anything else.
One `Markdown` instance per worker process, reused with `reset()`; os.cpu_count() processes,
chunks of paths handed out as workers become free. Nothing is written, and only a character
count comes back from each chunk: this is what no build of this corpus with this Markdown library
can beat. benchmarks/compare.py runs it as the tool `floor`.
"""

from __future__ import annotations

import argparse
import os
import time
from multiprocessing import Pool
from pathlib import Path

import markdown
from markdown.extensions.toc import slugify_unicode

# As newshub/markdown.py (MarkdownRenderer.__init__); keep the two in step. The titles are
# newshub's stand-ins (markdown.HEADING_LINK, FOOTNOTE_BACK), which it replaces when rendering.
EXTENSIONS = ["tables", "footnotes", "toc", "attr_list", "fenced_code", "sane_lists"]
EXTENSION_CONFIGS = {
    "toc": {"permalink": "#", "permalink_title": "newshub:heading-link", "slugify": slugify_unicode},
    "footnotes": {"BACKLINK_TITLE": "newshub:footnote-back %d"},
}
CHUNK = 64  # files per task, as newshub's parse fan-out

_md: markdown.Markdown | None = None


def _start() -> None:
    global _md
    _md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")


def body_of(text: str) -> str:
    """The Markdown after the front matter (`---` ... `---`)."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 3)
        if end != -1:
            return text[end + 5 :]
    return text


def convert(paths: list[str]) -> int:
    """Convert the bodies of `paths`; the number of characters of HTML they gave."""
    assert _md is not None
    total = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            total += len(_md.reset().convert(body_of(f.read())))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path, nargs="?", default=Path("."), help="a newshub corpus folder (default: .)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    args = parser.parse_args()
    start = time.perf_counter()
    paths = sorted(str(p) for p in (args.root / "content" / "news").glob("*.md"))
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    with Pool(args.jobs, initializer=_start) as pool:
        chars = sum(pool.imap_unordered(convert, chunks))
    print(f"floor: {len(paths)} bodies, {chars} characters of HTML, {args.jobs} processes, {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
