"""Compare newshub with Pelican, Hugo and Eleventy on one generated corpus, in one run.

    python benchmarks/corpus.py 10000 benchmarks/corpus/10k
    python benchmarks/compare.py benchmarks/corpus/10k --runs 3
    python benchmarks/compare.py benchmarks/corpus/10k --hugo-metrics   # Hugo's template metrics

Tools: `newshub` (the repository's theme), `newshub-minimal` (benchmarks/minimal_theme/, templates
as plain as the other tools'), `hugo`, `pelican`, `eleventy` (when `npm ci --prefix benchmarks` has
installed it), and `floor`: benchmarks/floor.py, the article bodies through bare Python-Markdown
on all cores, which no build with this Markdown library can beat.

Runs alternate between tools (round 1 of every tool, then round 2, ...) so that a noisy machine
affects all of them alike. For each scenario it prints the median wall time and CPU, the peak RSS
of the largest process of the build's process tree (from wait4, which covers reaped worker
processes), files written, the files and the .html pages in the output, and ratios to Hugo's cold
build, to the floor and to Pelican, and writes everything to a JSON file.

`--baseline DIR` also runs the newshub checked out in DIR (`git worktree add DIR <commit>`) as
`newshub-base`, on its own copy of the corpus (with the baseline's templates/ and assets/), and prints how the current newshub compares: the
cost of a change, measured side by side.

Scenarios: `cold` (no output, no cache), `warm` (newshub: cache present, after a template edit),
`noop` (a rebuild with nothing changed; newshub also reports files rewritten). Other tools have no
persistent cache, so their `noop` is a plain rebuild over their previous output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bytecode import compile_newshub

HERE = Path(__file__).resolve().parent
ELEVENTY = HERE / "node_modules" / "@11ty" / "eleventy" / "cmd.cjs"


@dataclass
class Run:
    tool: str
    scenario: str
    seconds: float
    peak_mb: float
    written: int | None = None
    cpu: float = 0.0  # user + system seconds of the process tree: steadier than wall time on a busy machine
    files: int | None = None  # files in the output folder after the build
    pages: int | None = None  # .html files in the output folder after the build


@dataclass
class Tool:
    name: str
    folder: str  # inside the corpus
    command: list[str]
    output: str  # output folder inside `folder`; "" for the floor, which writes nothing
    caches: list[str] = field(default_factory=list)  # removed before a cold build
    pythonpath: str = ""  # for newshub: the checkout it runs from


def tools(corpus: Path, only: set[str] | None, baseline: Path | None = None) -> list[Tool]:
    newshub = [sys.executable, "-m", "newshub", "--root", "."]
    found = [
        Tool("newshub", "newshub", newshub, "site", [".newshub-cache"], str(HERE.parent)),
        Tool("newshub-minimal", "newshub-minimal", newshub, "site", [".newshub-cache"], str(HERE.parent)),
        Tool("hugo", "hugo", ["hugo", "--quiet", "-d", "public"], "public", ["resources"]),
        Tool("pelican", "pelican", ["pelican", "content", "-s", "pelicanconf.py", "-o", "output", "-q"], "output", ["__pycache__"]),
    ]
    if baseline is not None:
        if not (corpus / "newshub-base").is_dir():
            shutil.copytree(corpus / "newshub", corpus / "newshub-base", ignore=shutil.ignore_patterns("site", ".newshub-cache"))
            for sub in ("templates", "assets"):  # the baseline's own theme: an engine and its theme change together
                if (baseline / sub).is_dir():
                    shutil.rmtree(corpus / "newshub-base" / sub)
                    shutil.copytree(baseline / sub, corpus / "newshub-base" / sub)
        found.insert(1, Tool("newshub-base", "newshub-base", newshub, "site", [".newshub-cache"], str(baseline.resolve())))
    if shutil.which("node") and ELEVENTY.is_file():
        found.append(Tool("eleventy", "eleventy", ["node", str(ELEVENTY), "--quiet"], "_site", [".cache"]))
    found.append(Tool("floor", "newshub", [sys.executable, str(HERE / "floor.py"), "."], ""))
    return [t for t in found if (corpus / t.folder).is_dir() and (only is None or t.name in only)]


def measure(cmd: list[str], cwd: Path, pythonpath: str = "") -> tuple[float, float, str, float]:
    """Wall seconds, peak RSS in MB of the largest process of the tree, the output, and CPU seconds
    (user + system) of the tree.

    The child is reaped with wait4 (not Popen.wait): its rusage ru_maxrss is the largest of the
    child and every descendant it reaped (worker processes, Hugo's binary under its wrapper)."""
    # SOURCE_DATE_EPOCH is newshub's build time: after every corpus date (2015-2024), so that no
    # article is scheduled and every tool builds the same pages.
    env = {**os.environ, "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "1767225600"}
    if pythonpath:  # which newshub runs: this checkout, or the baseline's
        env["PYTHONPATH"] = pythonpath
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode(errors="replace")
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{output[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime


def clean(tool: Tool, where: Path) -> None:
    for name in [tool.output, *tool.caches]:
        if not name:
            continue  # the floor has no output folder: never remove `where` itself
        path = where / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def edit_template(where: Path, n: int) -> None:
    base = where / "templates" / "base.html"
    text = re.sub(r"<!-- bench edit \d+ -->\n", "", base.read_text(encoding="utf-8"))
    base.write_text(text.replace("<body>\n", f"<body>\n<!-- bench edit {n} -->\n", 1), encoding="utf-8")


def count_output(tool: Tool, where: Path) -> tuple[int | None, int | None]:
    """Files, and .html files, in the tool's output folder (None, None for the floor)."""
    if not tool.output:
        return None, None
    files = pages = 0
    for _dirpath, _dirnames, filenames in os.walk(where / tool.output):
        files += len(filenames)
        pages += sum(1 for name in filenames if name.endswith(".html"))
    return files, pages


HUGO_METRICS = ["hugo", "--templateMetrics", "--templateMetricsHints", "-d", "public"]


def hugo_metrics(corpus: Path, top: int = 10) -> str:
    """`hugo --templateMetrics --templateMetricsHints` on the corpus's Hugo site (a cold build):
    its header and the `top` templates by cumulative duration."""
    where = corpus / "hugo"
    for name in ("public", "resources"):
        if (where / name).is_dir():
            shutil.rmtree(where / name)
    _seconds, _peak, output, _cpu = measure(HUGO_METRICS, where)
    lines = output.splitlines()
    head = next((i for i, line in enumerate(lines) if line.split()[:1] == ["cumulative"]), None)
    if head is None:
        return output
    rows = []
    for line in lines[head + 3 :]:  # after the two header lines and the dashes: one template a line, then a blank line
        if not line.strip():
            break
        rows.append(line)
    total = next((line for line in lines if line.startswith("Total in")), "")
    return "\n".join([f"$ {' '.join(HUGO_METRICS)}   (in {where}; {total})", *lines[head : head + 3], *rows[:top]])


def written_of(output: str) -> int | None:
    match = re.search(r"\((\d+) files written\)", output)
    return int(match.group(1)) if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="a folder written by benchmarks/corpus.py")
    parser.add_argument("--runs", type=int, default=3, help="rounds per scenario (default 3)")
    parser.add_argument("--tools", default=None, help="comma-separated subset, e.g. newshub,hugo")
    parser.add_argument("--scenarios", default="cold,warm,noop")
    parser.add_argument(
        "--noop-tools", default="newshub,newshub-minimal,hugo", help="tools that also run the noop scenario (default: %(default)s)"
    )
    parser.add_argument("--baseline", type=Path, default=None, help="an older newshub checkout to run side by side as newshub-base")
    parser.add_argument("--json", type=Path, default=None, help="result file (default: benchmarks/results/<corpus>.json)")
    parser.add_argument("--hugo-metrics", action="store_true", help="print the top 10 lines of Hugo's --templateMetrics and exit")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    if args.hugo_metrics:
        print(hugo_metrics(corpus))
        return
    only = set(args.tools.split(",")) if args.tools else None
    selected = tools(corpus, only | {"newshub-base"} if only else None, args.baseline)
    for checkout in {HERE.parent, args.baseline} - {None}:  # each newshub run as installed (bytecode.py)
        compile_newshub(checkout)
    scenarios = args.scenarios.split(",")
    runs: list[Run] = []
    for round_no in range(args.runs):
        for scenario in scenarios:
            for tool in selected:
                where = corpus / tool.folder
                if scenario == "cold":
                    clean(tool, where)
                elif tool.name == "floor":
                    continue  # the floor is a cold build's floor only
                elif scenario == "warm":
                    if not tool.name.startswith("newshub"):
                        continue  # only newshub has a cache that survives a template edit
                    if not (where / ".newshub-cache").exists():
                        measure(tool.command, where, tool.pythonpath)
                    edit_template(where, time.time_ns())
                elif tool.name.removesuffix("-base") not in args.noop_tools.split(","):
                    continue  # a rebuild without a cache costs what a cold build does
                elif not (where / tool.output).exists():
                    measure(tool.command, where, tool.pythonpath)  # noop needs a previous build
                seconds, peak, output, cpu = measure(tool.command, where, tool.pythonpath)
                files, pages = count_output(tool, where)
                written = written_of(output) if tool.name.startswith("newshub") else None
                run = Run(tool.name, scenario, seconds, peak, written, cpu, files, pages)
                runs.append(run)
                extra = f", {run.written} files written" if run.written is not None else ""
                extra += f", {files} files, {pages} pages in the output" if files is not None else ""
                print(
                    f"round {round_no + 1} {scenario:<5} {tool.name:<15} {seconds:7.2f} s {cpu:7.2f} s CPU {peak:7.0f} MB{extra}",
                    flush=True,
                )
    table = summarize(runs, scenarios, [t.name for t in selected])
    print()
    print(table)
    result = {
        "corpus": str(corpus),
        "articles": sum(1 for _ in (corpus / "newshub" / "content" / "news").glob("*.md")) if (corpus / "newshub").is_dir() else None,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "runs": [asdict(r) for r in runs],
        "table": table,
    }
    out = args.json or HERE / "results" / f"{corpus.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")


def summarize(runs: list[Run], scenarios: list[str], names: list[str]) -> str:
    def med(tool: str, scenario: str, attr: str) -> float | None:
        values = [getattr(r, attr) for r in runs if r.tool == tool and r.scenario == scenario]
        return statistics.median(values) if values else None

    hugo_cold = med("hugo", "cold", "seconds")
    pelican_cold = med("pelican", "cold", "seconds")
    floor_cold = med("floor", "cold", "seconds")
    lines = [
        "| tool | scenario | median wall (s) | median CPU (s) | peak RSS, largest process (MB) | files written | files in output"
        " | pages (.html) | vs Hugo cold | × floor | vs Pelican cold |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in scenarios:
        for name in names:
            seconds = med(name, scenario, "seconds")
            if seconds is None:
                continue
            peak = med(name, scenario, "peak_mb")
            written = [r.written for r in runs if r.tool == name and r.scenario == scenario and r.written is not None]
            vs_hugo = f"{seconds / hugo_cold:.2f}x" if hugo_cold else "-"
            vs_floor = f"{seconds / floor_cold:.2f}x" if floor_cold else "-"
            vs_pelican = f"{pelican_cold / seconds:.1f}x faster" if pelican_cold else "-"
            files = [r.files for r in runs if r.tool == name and r.scenario == scenario and r.files is not None]
            pages = [r.pages for r in runs if r.tool == name and r.scenario == scenario and r.pages is not None]
            if written:
                rewritten = str(max(written))
            elif files and scenario == "cold":
                rewritten = str(max(files))  # a cold build writes every file of its output
            else:
                rewritten = "-"
            in_output = str(max(files)) if files else "-"
            html = str(max(pages)) if pages else "-"
            cpu = med(name, scenario, "cpu") or 0.0
            lines.append(
                f"| {name} | {scenario} | {seconds:.2f} | {cpu:.2f} | {peak:.0f} | {rewritten} | {in_output} | {html}"
                f" | {vs_hugo} | {vs_floor} | {vs_pelican} |"
            )
    if floor_cold:
        lines.append("")
        for name in ("newshub", "newshub-minimal"):
            if (cold := med(name, "cold", "seconds")) is not None:
                ratio = cold / floor_cold
                lines.append(f"{name} cold: {ratio:.2f}x the floor ({cold:.2f} s against {floor_cold:.2f} s; target: at most 1.35x)")
    if "newshub-base" in names:
        lines.append("")
        for scenario in scenarios:
            now, base = med("newshub", scenario, "seconds"), med("newshub-base", scenario, "seconds")
            cpu, cpu_base = med("newshub", scenario, "cpu"), med("newshub-base", scenario, "cpu")
            if now and base and cpu and cpu_base:
                lines.append(
                    f"newshub {scenario}: {now:.2f} s against {base:.2f} s for the baseline ({now / base - 1:+.1%});"
                    f" CPU {cpu:.2f} s against {cpu_base:.2f} s ({cpu / cpu_base - 1:+.1%})"
                )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
