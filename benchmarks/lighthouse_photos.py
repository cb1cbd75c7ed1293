"""Lighthouse (mobile, its default) on an article with three camera-sized photos, its news list and
the home page, served with the headers of deploy/_headers.

    npm install --prefix /tmp/lh lighthouse@12      # once
    python benchmarks/lighthouse_photos.py --lighthouse /tmp/lh/node_modules/.bin/lighthouse

Prints each page's four category scores, its LCP and its CLS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests import images as make  # noqa: E402  (the test suite's real photos: EXIF orientation, GPS)
from tests.hardening.deployed import static_server  # noqa: E402  (deploy/_headers applied, as a static host would)

PAGES = ["/news/signing/", "/news/", "/"]


def site(root: Path) -> Path:
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "assets", root / "assets")
    bundle = root / "content/news/2024-06-10-signing"
    bundle.mkdir(parents=True)
    (root / "content/site.yaml").write_text("title: Partnership News\nbase_url: https://news.example.org\ntimezone: Asia/Shanghai\n")
    photos = {f"photo-{i}.jpg": make.phone_photo(4000, 3000) if i == 0 else make.jpeg(4000, 3000) for i in range(3)}
    for name, data in photos.items():
        (bundle / name).write_bytes(data)
    body = "The hospital and two universities signed an agreement for joint research.\n\n" + "\n\n".join(
        f'![Photo {i} of the signing ceremony]({name} "Caption {i}")\n\nParagraph {i} of the report.' for i, name in enumerate(photos)
    )
    front = "title: The signing ceremony\nimage: photo-1.jpg\nimage_alt: The director and two deans at the signing table\n"
    (bundle / "index.md").write_text(f"---\n{front}---\n\n{body}\n")
    subprocess.run([sys.executable, "-m", "newshub", "build", "--root", str(root)], check=True)
    return root / "site"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lighthouse", default="lighthouse", help="the lighthouse command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newshub-lighthouse-") as tmp, static_server(site(Path(tmp) / "project")) as port:
        for page in PAGES:
            report = Path(tmp) / "report.json"
            cmd = [args.lighthouse, f"http://127.0.0.1:{port}{page}", "--quiet", "--output=json", f"--output-path={report}"]
            cmd += ["--only-categories=performance,accessibility,best-practices,seo"]
            cmd += ["--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
            subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"})
            result = json.loads(report.read_text())
            scores = {name: round(category["score"] * 100) for name, category in result["categories"].items()}
            audits = result["audits"]
            lcp, cls = audits["largest-contentful-paint"]["displayValue"], audits["cumulative-layout-shift"]["displayValue"]
            print(f"{page:16} {scores}  LCP {lcp}  CLS {cls}", flush=True)


if __name__ == "__main__":
    main()
