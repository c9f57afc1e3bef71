"""Command line: ``python build.py build | check | new | serve | bundle``.

Exit codes: 0 success, 1 content errors, 2 usage errors. Content problems are printed as
``PATH:LINE: FIELD: message``, all of them, then a count — never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from atlas.content.load import slug_problem
from atlas.output import OutputError
from atlas.problems import ContentError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
SCAFFOLDS = Path(__file__).parent / "scaffolds"
CHECK_BASE_URL = "https://example.org/atlas/"  # `check` links the published mode under this when none is set


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python build.py", description="Build the Qingdao Project Atlas.")
    commands = top.add_subparsers(dest="command", required=True, metavar="{build,check,serve,bundle,new}")

    build = commands.add_parser("build", help="build the website into --out (default: site/)")
    build.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    build.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    build.add_argument("--base-url", help="public address of the site, e.g. https://example.org/atlas/")
    build.add_argument("--drafts", action="store_true", help="include draft entries")
    build.add_argument("--quiet", action="store_true", help="print errors only")
    build.add_argument("--force", action="store_true", help="replace --out even if it is not an atlas build")
    build.add_argument("--no-cache", action="store_true",
                       help="render everything, ignoring and removing the build cache (.atlas-cache/)")

    check = commands.add_parser("check", help="validate the content and every link of every output mode; write nothing")
    check.add_argument("--content", type=Path, default=Path("content"))
    check.add_argument("--quiet", action="store_true")
    check.add_argument("--strict", action="store_true",
                       help="fail (exit 1) on warnings too, such as entries the English edition lacks")

    serve = commands.add_parser("serve", help="preview: serve the site, rebuild and reload on every change")
    serve.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    serve.add_argument("--host", help="address to listen on (default: 127.0.0.1, this machine only); an address "
                                      "other machines reach, e.g. 0.0.0.0, is served only when named here")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")

    bundle = commands.add_parser("bundle", help="write the offline zip (opens from file://, no network)")
    bundle.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    bundle.add_argument("--out", type=Path, default=Path("dist/qingdao-atlas-offline.zip"),
                        help="zip file to write (default: dist/qingdao-atlas-offline.zip)")
    bundle.add_argument("--quiet", action="store_true")

    new = commands.add_parser("new", help="create an entry from a template")
    new.add_argument("kind", choices=("project", "park", "chain"))
    new.add_argument("slug", help="file name: lowercase letters, digits and hyphens")
    new.add_argument("--content", type=Path, default=Path("content"))
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {"build": cmd_build, "check": cmd_check,
                                                                "serve": cmd_serve, "bundle": cmd_bundle,
                                                                "new": cmd_new}
    try:
        return handlers[args.command](args)
    except ContentError as error:
        report_problems(error, getattr(args, "content", None))
        return EXIT_CONTENT
    except _usage_errors() as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted; the previous output is unchanged", file=sys.stderr)
        return 130


def _usage_errors() -> tuple[type[Exception], ...]:
    from atlas.render.urls import BaseUrlError  # imported when needed: atlas.render loads Folium (~0.6 s)

    return OutputError, BaseUrlError


def _asset_errors() -> tuple[type[Exception], ...]:
    """Missing front-end files; imported only when a build fails (a build with nothing to do loads no renderer)."""
    from atlas.render.assets import MissingVendorFiles
    from atlas.render.maps import AssetError

    return MissingVendorFiles, AssetError


def report_problems(error: ContentError, content: Path | None) -> None:
    root = Path(content).resolve() if content else None
    for problem in error.problems:
        print(problem.format(root if root else None), file=sys.stderr)
    count = len(error.problems)
    print(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from atlas.pipeline import build  # imported here so `--help` stays instant

    with progress_display(enabled=not args.quiet) as progress:
        try:
            result = build(args.content, args.out, "published", args.base_url, progress=progress, force=args.force,
                           drafts=args.drafts, cache=not args.no_cache)
        except _asset_errors() as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_CONTENT
    if not args.quiet:
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        if result.atlas is None:
            print(f"Up to date: nothing changed since the last build of {args.out} ({result.pages} pages); "
                  f"checked in {result.seconds:.2f} s")
        else:
            redone = "" if result.rendered is None else f", {result.rendered} rendered anew, the rest reused"
            print(f"Built {result.pages} pages ({len(result.outputs)} files{redone}) into {args.out} "
                  f"in {result.seconds:.2f} s")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from atlas.linkcheck import check_links
    from atlas.pipeline import load_atlas, render
    from atlas.render.assets import MissingVendorFiles
    from atlas.render.maps import AssetError
    from atlas.render.urls import UrlMode, normalise_base_url

    atlas = load_atlas(args.content)
    warnings = missing_translations(args.content)
    # the published site is checked under a path prefix even when no base URL is configured
    base = normalise_base_url(atlas.settings.base_url or CHECK_BASE_URL)
    modes = (UrlMode("published", base), UrlMode("preview"), UrlMode("offline"))
    broken, pages = [], 0
    for mode in modes:
        try:
            files = render(atlas, mode)
        except (MissingVendorFiles, AssetError) as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_CONTENT
        pages += sum(1 for path in files if path.endswith(".html"))
        found = check_links(files, mode.base_url, directory_index=not mode.explicit_index)
        broken += [link.format(f"{mode.name}: ") for link in found]
    if broken:
        for line in broken:
            print(line, file=sys.stderr)
        print(f"{len(broken)} broken link{'s' if len(broken) != 1 else ''} found.", file=sys.stderr)
        return EXIT_CONTENT
    root = Path(args.content).resolve()
    for warning in warnings:
        print(warning.format(root), file=sys.stderr)
    if warnings:
        count = len(warnings)
        print(f"{count} warning{'s' if count != 1 else ''}: missing English translations"
              + (" (--strict: failing)." if args.strict else "."), file=sys.stderr)
        if args.strict:
            return EXIT_CONTENT
    if not args.quiet:
        print(f"OK: {len(atlas.chains)} chains, {len(atlas.parks)} parks, {len(atlas.projects)} projects, "
              f"{len(atlas.content.sources)} sources, {len(atlas.content.figures)} figures; no problems. "
              f"Links: {pages} pages in {len(modes)} output modes, none broken.")
    return EXIT_OK


def missing_translations(content: Path) -> list:
    """Warnings for entries without English name, summary or body (see atlas.content.entries)."""
    from atlas.content.entries import translation_warnings
    from atlas.content.load import load_content

    return translation_warnings(load_content(Path(content)).entries)


def cmd_serve(args: argparse.Namespace) -> int:
    from atlas.serve import DEFAULT_HOST, ServeError, serve

    try:
        explicit = args.host is not None  # only the command line may open the preview to other machines
        serve(args.content, args.host if explicit else DEFAULT_HOST, args.port, explicit_host=explicit)
    except ServeError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def cmd_bundle(args: argparse.Namespace) -> int:
    from atlas.bundle import bundle
    from atlas.render.assets import MissingVendorFiles
    from atlas.render.maps import AssetError

    try:
        result = bundle(args.content, args.out)
    except (MissingVendorFiles, AssetError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet:
        print(f"Wrote {result.path} ({result.pages} pages, {result.files} files, {result.size / 1e6:.1f} MB): "
              "unzip it anywhere and open index.html.")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    reason = slug_problem(args.slug)
    if reason:
        print(f"error: {reason.replace('rename the file to', 'try')}", file=sys.stderr)
        return EXIT_USAGE
    folder = args.content / f"{args.kind}s"
    existing = [p for p in (folder / f"{args.slug}.md", folder / f"{args.slug}.yaml") if p.exists()]
    if existing:
        print(f"error: {existing[0]} already exists; choose another slug or edit that file", file=sys.stderr)
        return EXIT_USAGE
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{args.slug}.md"
    target.write_text((SCAFFOLDS / f"{args.kind}.md").read_text(encoding="utf-8"), encoding="utf-8")
    print(f"Created {target.as_posix()}: fill in the fields, then run `python build.py check`.")
    return EXIT_OK


@contextmanager
def progress_display(enabled: bool):
    """A progress bar on a terminal; nothing when quiet or when output is not a terminal (CI, pipes)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True, console=None) as bar:
        task = bar.add_task("pages", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
        yield update
