"""Peak memory of each process of a build: the main process, one worker, Pagefind.

    cd benchmarks/corpus/10k/newshub-minimal && rm -rf .newshub-cache site
    python ../../../memory.py python -m newshub --root . build

Runs the command and reads the resident set size (VmRSS in /proc, Linux) of every process in its
tree every 0.2 s. compare.py reports the largest process only (the kernel's ru_maxrss), which in a
newshub build with search is Pagefind's; this tells newshub's own processes apart. A forked worker
counts the pages it shares with the main process again, as RSS does. Also prints the sum over the
tree (shared pages counted twice) every few seconds, which shows when memory is taken.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import defaultdict


def tree(pid: int) -> list[int]:
    """`pid` and its descendants (from /proc/<pid>/task/*/children)."""
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as file:
                for child in file.read().split():
                    found += tree(int(child))
    except OSError:  # gone meanwhile
        pass
    return found


def rss_mb(pid: int) -> tuple[int, str] | None:
    """(VmRSS in MB, command line) of a live process, or None."""
    try:
        with open(f"/proc/{pid}/status") as file:
            status = file.read()
        with open(f"/proc/{pid}/cmdline") as file:
            command = file.read()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024, command
    return None


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    start = time.perf_counter()
    proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    peak: dict[str, int] = defaultdict(int)
    curve: list[tuple[float, int]] = []
    while proc.poll() is None:
        total = 0
        for pid in tree(proc.pid):
            found = rss_mb(pid)
            if found is None:
                continue
            mb, command = found
            role = "pagefind" if "pagefind" in command else "main" if pid == proc.pid else "one worker"
            peak[role] = max(peak[role], mb)
            total += mb
        curve.append((time.perf_counter() - start, total))
        time.sleep(0.2)
    print(f"exit {proc.returncode} after {time.perf_counter() - start:.1f} s")
    print("peak RSS (MB): " + ", ".join(f"{role} {mb}" for role, mb in sorted(peak.items())))
    step = max(1, len(curve) // 20)
    print("tree total over time (s: MB): " + ", ".join(f"{t:.0f}: {mb}" for t, mb in curve[::step]))
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
