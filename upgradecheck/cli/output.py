"""Where a report or a comparison goes — standard output, or each `-o` file in the format its
extension names — checked before any work, written whole or not at all, and the exit code."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import typer

from upgradecheck.exit_codes import FailOn, exit_code
from upgradecheck.model import Report, Snapshot
from upgradecheck.render import REPORT_FORMATS, Formats, OutputFormat, RenderError
from upgradecheck.render.interface import R, RenderOptions
from upgradecheck.render.registry import SUFFIXES, format_of
from upgradecheck.render.summary import coverage_counts, summary_text
from upgradecheck.wording import plural

OUTPUT_HINT = "'-o' / '--output'"


@dataclass(frozen=True)
class Destination:
    """One place the result is written, and in which format."""

    path: Path | None
    """The file, or None for standard output."""
    format: OutputFormat
    """The format written there."""


def _known_suffixes(formats: Formats[R]) -> str:
    return " ".join(s for s, fmt in SUFFIXES.items() if fmt in formats.choices)


def destinations(
    formats: Formats[R], fmt: OutputFormat | None, outputs: Sequence[Path] | None
) -> tuple[Destination, ...]:
    """Where to write, checked before any work is done (a usage error, exit code 2, names
    what is wrong): without `-o`, standard output in `--format` (default text); with one
    `-o`, that file in `--format` if given, else in the format its extension names; with
    several, each in the format its extension names (`--format` would be ambiguous)."""
    if not outputs:
        return (Destination(None, fmt or OutputFormat.TEXT),)
    if fmt is not None and len(outputs) > 1:
        raise typer.BadParameter(
            "--format names the format of a single output; with several -o, each file's "
            f"extension names its format ({_known_suffixes(formats)})",
            param_hint=OUTPUT_HINT,
        )
    chosen: list[Destination] = []
    for path in outputs:
        named = fmt or format_of(path.name)
        if named is None:
            raise typer.BadParameter(
                f"{path}: the extension names no format; use one of "
                f"{_known_suffixes(formats)} (or --format with a single -o)",
                param_hint=OUTPUT_HINT,
            )
        if named not in formats.choices:
            raise typer.BadParameter(
                f"{path}: a {formats.what} is not written as {named.value} "
                f"(only {formats.offered()})",
                param_hint=OUTPUT_HINT,
            )
        if any(d.path is not None and _same(d.path, path) for d in chosen):
            raise typer.BadParameter(f"{path} is named twice", param_hint=OUTPUT_HINT)
        check_writable_folder(path, OUTPUT_HINT)
        chosen.append(Destination(path, named))
    return tuple(chosen)


def check_writable_folder(path: Path, hint: str) -> None:
    """A usage error unless `path`'s folder exists (so that nothing collected is lost for
    want of a place to write it)."""
    folder = path.parent
    if not folder.is_dir():
        raise typer.BadParameter(f"{path}: no such folder {folder}", param_hint=hint)


def _same(a: Path, b: Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


def summary_line(report: Report) -> str:
    """One line for the terminal: verdict, counts, path."""
    return summary_text(report)


def snapshot_written(snapshot: Snapshot, path: Path) -> str:
    """What a snapshot file holds, for the line that says it was written."""
    coverage = coverage_counts(snapshot.coverage)
    return (
        f"{plural(len(snapshot.objects), 'object')}, {plural(len(snapshot.nodes), 'node')}, "
        f"{plural(len(snapshot.helm_releases), 'Helm release revision')}"
        f"{', ' + coverage if coverage else ''}; written to {path}"
    )


def wants_colour(stream: object) -> bool:
    """Colour for `stream`: a terminal, unless NO_COLOR is set (https://no-color.org) or the
    terminal is dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def terminal_width(stream: object) -> int | None:
    """The width of `stream` when it is a terminal, else None (never cut a line)."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return None
    return shutil.get_terminal_size().columns


def render_options(destination: Destination, fail_on: FailOn) -> RenderOptions:
    """The options a destination's renderer is made from: a terminal on standard output gets
    its width and colours; every output gets --fail-on and the current folder."""
    to_stdout = destination.path is None
    return RenderOptions(
        fail_on=fail_on,
        width=terminal_width(sys.stdout) if to_stdout else None,
        colour=wants_colour(sys.stdout) if to_stdout else False,
        base_dir=os.getcwd(),
    )


def _written(fmt: OutputFormat, what: str) -> str:
    """`html report written`; PolicyReports are Kubernetes objects, not a report's format."""
    if fmt is OutputFormat.POLICYREPORT:
        return "PolicyReports written"
    return f"{fmt.value} {what} written"


def emit(
    report: Report,
    where: Sequence[Destination],
    fail_on: FailOn,
    *,
    quiet: bool = False,
    then: Callable[[], None] | None = None,
) -> NoReturn:
    """`emit_result` for a report, with its summary line."""
    emit_result(
        report, REPORT_FORMATS, where, fail_on, summary_line(report), quiet=quiet, then=then
    )


def emit_result(
    result: R,
    formats: Formats[R],
    where: Sequence[Destination],
    fail_on: FailOn,
    summary: str,
    *,
    quiet: bool = False,
    then: Callable[[], None] | None = None,
) -> NoReturn:
    """Render every destination, then write each (stdout, or a file replaced only once its
    new content is complete); the summary on stderr when writing files, unless `quiet`;
    call `then` (publishing: after every output is safe, so that its failure loses
    nothing). Exits with the result's exit code."""
    documents = []
    for destination in where:
        renderer = formats.renderer(destination.format, render_options(destination, fail_on))
        documents.append((destination, renderer.render_bytes(result)))
    written = []
    for destination, data in documents:
        deliver(data, destination.path)
        if destination.path is not None:
            written.append(f"{_written(destination.format, formats.what)} to {destination.path}")
    if written and not quiet:
        print(f"upgradecheck: {summary}", file=sys.stderr)
        for line in written:
            print(f"upgradecheck: {line}", file=sys.stderr)
    if then is not None:
        then()
    raise SystemExit(int(exit_code(result, fail_on)))


def deliver(data: bytes, output: Path | None) -> None:
    """Write `data` (a rendered document, `Renderer.render_bytes`) to standard output, or
    replace the file `output` with it: the earlier file stays whole if writing fails or is
    interrupted. RenderError when the file cannot be written."""
    if output is None:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a text-only stream (a test's capture): it takes str
            sys.stdout.write(data.decode("utf-8"))
        else:
            buffer.write(data)
            buffer.flush()
        sys.stdout.flush()
        return
    from upgradecheck.safewrite import replacing  # only -o files need it (and `secrets`)

    try:
        with replacing(output) as fh:  # an interrupted write keeps the earlier file whole
            fh.write(data)
    except OSError as exc:
        raise RenderError(f"cannot write {output}: {exc.strerror or exc}") from exc
