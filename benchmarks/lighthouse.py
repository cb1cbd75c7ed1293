"""Lighthouse (mobile, its default) on the sample site's home, article, board, project and search
pages in English and Chinese, built into a temporary folder and served with the headers of
deploy/_headers (the strict Content-Security-Policy included), as a static host would.

    npm install --prefix /tmp/lh -E lighthouse@12.2.3       # once
    python benchmarks/lighthouse.py --lighthouse /tmp/lh/node_modules/.bin/lighthouse

Prints each page's four category scores (performance, accessibility, best practices, SEO) and
the audits that cost points. Lighthouse takes about 15 s a page, so it is not in the test suite;
tests/test_design.py runs axe-core, Lighthouse's accessibility engine, on every page type.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newshub.pipeline import Options, build  # noqa: E402
from tests.hardening.deployed import static_server  # noqa: E402  (deploy/_headers applied)

PAGES = {
    "home": "",
    "article": "news/hospital-universities-agreement/",
    "board": "projects/",
    "project": "projects/breast-cancer-forecast/",
    "search": "search/?q={q}",
}
QUERY = {"en": "robot", "zh": "%E6%9C%BA%E5%99%A8%E4%BA%BA"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lighthouse", default="lighthouse", help="the lighthouse command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newshub-lighthouse-") as tmp:
        site = Path(tmp) / "site"
        build(Options(root=REPO, output=site, cache=False, jobs=1))
        with static_server(site) as port:
            print(f"{'page':8} {'lang':4} perf a11y best  seo  lost points")
            for lang, prefix in (("en", ""), ("zh", "zh/")):
                for name, path in PAGES.items():
                    report = Path(tmp) / "report.json"
                    url = f"http://127.0.0.1:{port}/{prefix}{path.format(q=QUERY[lang])}"
                    cmd = [args.lighthouse, url, "--quiet", "--output=json", f"--output-path={report}"]
                    cmd += ["--only-categories=performance,accessibility,best-practices,seo"]
                    cmd += ["--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
                    subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")})
                    result = json.loads(report.read_text())
                    scores = [
                        round(result["categories"][c]["score"] * 100) for c in ("performance", "accessibility", "best-practices", "seo")
                    ]
                    weights = {ref["id"] for cat in result["categories"].values() for ref in cat["auditRefs"] if ref["weight"]}
                    lost = sorted(
                        a for a, audit in result["audits"].items() if a in weights and audit["score"] is not None and audit["score"] < 1
                    )
                    print(f"{name:8} {lang:4} {scores[0]:4} {scores[1]:4} {scores[2]:4} {scores[3]:4}  {' '.join(lost)}", flush=True)


if __name__ == "__main__":
    main()
