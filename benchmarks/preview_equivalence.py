"""At corpus scale: does a cold-started preview serve exactly what `build` writes?

    python benchmarks/corpus.py 10000 benchmarks/corpus/10k
    python benchmarks/preview_equivalence.py benchmarks/corpus/10k

The tests check this on small sites with random edits; this checks it on a big one. The preview
starts with no cache (bodies deferred), serves a few pages while the bodies are still unparsed
(timing each), then renders every file; a full build of the same folder is compared file by file.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from newshub.build import Build
from newshub.cache import Cache
from newshub.pipeline import Options, build
from newshub.serve import DEFER_AT

EARLY = ["news/article-005000/index.html", "index.html", "news/index.html", "news/page/7/index.html", "feed.xml", "sitemap.xml"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="a folder written by benchmarks/corpus.py")
    args = parser.parse_args()
    root = args.corpus / "newshub"
    shutil.rmtree(root / ".newshub-cache", ignore_errors=True)
    options = Options(root=root, drafts=True, base_url="http://127.0.0.1:8000", cache=False)
    start = time.perf_counter()
    preview = Build(options, defer_at=DEFER_AT)  # as `newshub serve` loads it
    preview.load(Cache.open(root, options.cache))
    print(f"loaded in {time.perf_counter() - start:.2f} s; bodies deferred: {preview.background is not None}")
    early = {}
    for file in EARLY:
        begin = time.perf_counter()
        early[file] = preview.page(file)
        print(f"  {file}: {(time.perf_counter() - begin) * 1000:.0f} ms")
    served = preview.everything()
    print(f"every file rendered {time.perf_counter() - start:.2f} s after the start")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        build(Options(root=root, drafts=True, base_url="http://127.0.0.1:8000", cache=False, output=out))
        built = {str(path.relative_to(out)): path.read_bytes() for path in out.rglob("*") if path.is_file()}
    different = sorted(name for name in built.keys() | served.keys() if built.get(name) != served.get(name))
    different += [name for name in EARLY if early[name] != built.get(name)]
    print(f"{len(built)} files built, {len(served)} served, {len(different)} different {different[:5]}")
    sys.exit(1 if different else 0)


if __name__ == "__main__":
    main()
