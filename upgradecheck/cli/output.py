"""Rendering a report or a comparison where the user asked, and ending with its exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

from upgradecheck.exit_codes import FailOn, exit_code
from upgradecheck.model import Report
from upgradecheck.render import REPORT_FORMATS, Formats, OutputFormat, RenderError
from upgradecheck.render.interface import R
from upgradecheck.render.view import summary_text
from upgradecheck.safewrite import replacing

_BY_SUFFIX = {
    ".html": OutputFormat.HTML,
    ".htm": OutputFormat.HTML,
    ".md": OutputFormat.MARKDOWN,
    ".markdown": OutputFormat.MARKDOWN,
    ".json": OutputFormat.JSON,
    ".txt": OutputFormat.TEXT,
}


def choose_format(given: OutputFormat | None, output: Path | None) -> OutputFormat:
    """The format asked for, else the one the output file's extension names, else text."""
    if given is not None:
        return given
    if output is not None:
        return _BY_SUFFIX.get(output.suffix.lower(), OutputFormat.TEXT)
    return OutputFormat.TEXT


def summary_line(report: Report) -> str:
    """One line for the terminal: verdict, counts, path."""
    return summary_text(report)


def emit(
    report: Report, fmt: OutputFormat | None, output: Path | None, fail_on: FailOn
) -> NoReturn:
    """`emit_result` for a report, with its summary line."""
    emit_result(report, REPORT_FORMATS, fmt, output, fail_on, summary_line(report))


def emit_result(
    result: R,
    formats: Formats[R],
    fmt: OutputFormat | None,
    output: Path | None,
    fail_on: FailOn,
    summary: str,
) -> NoReturn:
    """Render, write to the file or stdout, print `summary` when writing a file, exit."""
    chosen = choose_format(fmt, output)
    text = formats.renderer(chosen).render(result)
    text = text if text.endswith("\n") else text + "\n"
    deliver(text, output, summary, f"{chosen.value} {formats.what}")
    raise SystemExit(int(exit_code(result, fail_on)))


def deliver(text: str, output: Path | None, summary: str, what: str) -> None:
    """Write `text` to stdout, or to `output` with the summary and what was written on
    stderr. RenderError when the file cannot be written."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    data = text.encode("utf-8")
    try:
        with replacing(output) as fh:  # an interrupted write keeps the earlier file whole
            fh.write(data)
    except OSError as exc:
        raise RenderError(f"cannot write {output}: {exc.strerror or exc}") from exc
    print(f"upgradecheck: {summary}", file=sys.stderr)
    print(f"upgradecheck: {what} written to {output}", file=sys.stderr)
