"""Command line: build (default), check, new, serve. Errors are printed, never tracebacks."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from . import __version__
from .errors import BuildError, Problem
from .noop import look
from .options import Options, Report


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--root", type=Path, default=default if suppress else Path("."), help="project folder (default: .)")
    parser.add_argument("--drafts", action="store_true", default=default if suppress else False, help="include drafts")
    parser.add_argument(
        "--future", action="store_true", default=default if suppress else False, help="include scheduled items (dated after now)"
    )
    parser.add_argument("--output", type=Path, default=default, help="output folder (default: site/)")
    parser.add_argument("--base-url", default=default, help="override base_url from site.yaml")
    parser.add_argument("-v", "--verbose", action="store_true", default=default if suppress else False, help="print per-stage timings")
    parser.add_argument("-q", "--quiet", action="store_true", default=default if suppress else False, help="print errors only")
    parser.add_argument(
        "--no-cache", action="store_true", default=default if suppress else False, help="ignore and do not update .newshub-cache/"
    )
    parser.add_argument("--strict", action="store_true", default=default if suppress else False, help="treat warnings as errors (for CI)")
    parser.add_argument(
        "-j", "--jobs", type=int, default=default if suppress else 0, help="worker processes (default: all cores for big builds; 1: serial)"
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newshub", description="Build a partnership news hub from content/ into site/.")
    parser.add_argument("--version", action="version", version=f"newshub {__version__}")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="{build,check,list,new,serve}")
    _common(sub.add_parser("build", help="build the site into site/ (the default)"), suppress=True)
    check = sub.add_parser("check", help="validate content, templates and links; write nothing")
    check.add_argument("--external", action="store_true", help="also request every link to another site")
    check.add_argument("--translations", action="store_true", help="also list interface strings and content not translated yet (warnings)")
    _common(check, suppress=True)
    new = sub.add_parser("new", help="scaffold a news article or page")
    new.add_argument("kind", choices=("news", "page"))
    new.add_argument("title")
    new.add_argument("--lang", default=None, help="language of the new file (default: the site's first)")
    _common(new, suppress=True)
    listing = sub.add_parser("list", help="list drafts, scheduled, expired or untranslated items")
    listing.add_argument("kind", choices=("drafts", "scheduled", "expired", "untranslated"))
    _common(listing, suppress=True)
    serve = sub.add_parser("serve", help="preview with live reload")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--no-drafts", action="store_true", help="hide drafts, as the real build does")
    serve.add_argument("--open", action="store_true", help="open the browser")
    _common(serve, suppress=True)
    return parser


def print_problems(problems: list[Problem], prefix: str = "") -> None:
    for problem in problems:
        print(f"{prefix}{problem}", file=sys.stderr)


def _finish(report: Report, args: argparse.Namespace) -> None:
    if not args.quiet:
        print_problems(report.warnings, "warning: ")
    if args.verbose:
        for stage, seconds in report.timings.items():
            print(f"  {stage:<10} {seconds * 1000:8.1f} ms", file=sys.stderr)


def plural(count: int, noun: str) -> str:
    """'1 file', '2 files', '1 scheduled item', '3 scheduled items'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _shown(path: Path, root: Path) -> str:
    path = path.resolve()
    return f"{path.relative_to(root).as_posix()}/" if path.is_relative_to(root) else f"{path}/"


def _list(options: Options, kind: str) -> int:
    """`newshub list`: one tab-separated line per item; the content's errors, if any, on stderr."""
    from .build import Build
    from .listing import listing

    project = Build(replace(options, drafts=True, future=True))
    project.load(templates=False)
    if project.config is None:
        raise BuildError(project.errors)
    for path, when, title, lacking in listing(project, kind):
        print("\t".join([path, when, title, *([lacking] if lacking else [])]))
    print_problems(project.errors)
    return 1 if project.errors else 0


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    command = args.command or "build"
    root = args.root.resolve()
    options = Options(
        root=root,
        output=args.output,
        drafts=args.drafts,
        future=args.future,
        base_url=args.base_url,
        cache=not args.no_cache,
        jobs=max(0, args.jobs),
        progress=not args.quiet,  # drawn only when stderr is a terminal
        strict=args.strict,
        external=getattr(args, "external", False),
        translations=getattr(args, "translations", False),
    )
    start = time.perf_counter()
    try:
        if command == "new":
            from .scaffold import scaffold

            path = scaffold(root, args.kind, args.title, args.lang)
            print(f"Created {path.relative_to(root).as_posix()}")
            return 0
        if command == "serve":
            from .serve import serve

            return serve(options, host=args.host, port=args.port, drafts=not args.no_drafts, open_browser=args.open)
        if command == "list":
            return _list(options, args.kind)
        if command == "check":
            from .pipeline import check_only

            report = check_only(options)
            _finish(report, args)
            if not args.quiet:
                found = f"no errors, {plural(len(report.warnings), 'warning')}" if report.warnings else "no problems"
                print(f"Checked {root.name}: {found}")
            return 0
        looked = look(options)  # a no-op build, known from file stats before the stages are imported
        if looked.said is None:
            from .pipeline import build

        report = looked.said if looked.said is not None else build(options, looked)
        _finish(report, args)
        if not args.quiet:
            elapsed = time.perf_counter() - start
            where = _shown(options.out, root)
            print(f"Built {plural(report.pages, 'page')} in {elapsed:.2f} s into {where} ({plural(report.written, 'file')} written)")
            kinds = (("draft", "draft", "drafts"), ("scheduled", "scheduled item", "scheduled"))
            left = [(plural(n, name), f"`newshub list {listed}`") for key, name, listed in kinds if (n := report.left_out.get(key))]
            if left:
                print(f"Left out {' and '.join(n for n, _ in left)} (see {' and '.join(c for _, c in left)})")
            if report.next_scheduled:
                when, source = report.next_scheduled
                print(f"Next scheduled: {source} at {when.isoformat()}; build again then to publish it")
        return 0
    except BuildError as exc:
        print_problems(exc.problems)
        count = len(exc.problems)
        kept = "; the output folder was left as it was" if command == "build" else ""
        print(f"{command.capitalize()} failed: {count} problem{'s' if count != 1 else ''}{kept}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
