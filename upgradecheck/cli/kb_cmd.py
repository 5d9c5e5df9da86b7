"""`upgradecheck kb`: show the knowledge base (APIs, add-ons, skew rules, releases, removals,
which data is in use) and manage newer data (bundle, update, reset)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from upgradecheck.cli.options import Data
from upgradecheck.cli.table import table
from upgradecheck.knowledge import KnowledgeError, listing, load_knowledge_base
from upgradecheck.knowledge import bundle as bundles
from upgradecheck.knowledge.loader import active_data
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.versions import Minor, parse_minor

app = typer.Typer(
    help="Show the knowledge base; take newer data from a bundle.", no_args_is_help=True
)

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _kb(data: list[Path] | None) -> KnowledgeBase:
    return load_knowledge_base(user_data=data or ())


def _v(value: Minor | None) -> str:
    return str(value) if value is not None else "-"


def _print(headers: Sequence[str], rows: Sequence[Sequence[str]], as_json: bool) -> None:
    if as_json:
        keys = [h.replace(" ", "_") for h in headers]
        doc: list[dict[str, Any]] = [dict(zip(keys, r, strict=True)) for r in rows]
        typer.echo(json.dumps(doc, indent=2))
    else:
        typer.echo(table(headers, rows), nl=False)


@app.command("apis")
def apis(
    removed_by: Annotated[
        str | None,
        typer.Option(
            "--removed-by", metavar="VERSION", help="Only APIs removed in or before this."
        ),
    ] = None,
    deprecated_by: Annotated[
        str | None,
        typer.Option(
            "--deprecated-by", metavar="VERSION", help="Only APIs deprecated in or before this."
        ),
    ] = None,
    group: Annotated[
        str | None, typer.Option("--group", metavar="GROUP", help="Only this API group.")
    ] = None,
    as_json: AsJson = False,
    data: Data = None,
) -> None:
    """Built-in API deprecations and removals.

    Examples:

    \b
      upgradecheck kb apis --removed-by 1.25
    """
    kb = _kb(data)
    selected = listing.apis(
        kb,
        removed_by=parse_minor(removed_by) if removed_by else None,
        deprecated_by=parse_minor(deprecated_by) if deprecated_by else None,
        group=group,
    )
    rows = [
        (
            a.api_version,
            a.kind,
            a.stability,
            _v(a.deprecated_in),
            _v(a.removed_in),
            a.replacement or "-",
            a.source,
        )
        for a in selected
    ]
    headers = ("api version", "kind", "stability", "deprecated", "removed", "replacement", "source")
    _print(headers, rows, as_json)


@app.command("addons")
def addons(
    addon: Annotated[
        str | None, typer.Option("--addon", metavar="NAME", help="Only this add-on.")
    ] = None,
    as_json: AsJson = False,
    data: Data = None,
) -> None:
    """Third-party CRD APIs, with the add-on releases that deprecate and remove them."""
    rows = [
        (
            a.addon,
            a.api_version,
            ",".join(a.kinds) or "*",
            a.deprecated_in or "-",
            a.removed_in or "-",
            " ".join(filter(None, (a.replacement, a.replacement_kind))) or "-",
            a.source,
        )
        for a in listing.addon_apis(_kb(data), addon)
    ]
    headers = ("addon", "api version", "kinds", "deprecated", "removed", "replacement", "source")
    _print(headers, rows, as_json)


@app.command("releases")
def releases(as_json: AsJson = False) -> None:
    """The release calendar: release and end-of-life date of each minor."""
    rows = [
        (
            str(r.minor),
            r.released.isoformat(),
            r.end_of_life.isoformat() if r.end_of_life else "-",
            r.latest_patch or "-",
        )
        for r in load_knowledge_base().releases
    ]
    _print(("minor", "released", "end of life", "latest patch"), rows, as_json)


@app.command("skew")
def skew(as_json: AsJson = False) -> None:
    """The version skew policy, rule by rule."""
    rows = [
        (
            r.component,
            r.relative_to,
            str(r.max_older),
            str(r.max_newer),
            _v(r.component_from),
            _v(r.component_until),
        )
        for r in load_knowledge_base().skew_rules
    ]
    headers = ("component", "relative to", "max older", "max newer", "from", "until")
    _print(headers, rows, as_json)


@app.command("removals")
def removals(
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="VERSION", help="Only removals that break in or before this."),
    ] = None,
    as_json: AsJson = False,
    data: Data = None,
) -> None:
    """Removed features and behaviour changes that are not APIs."""
    selected = listing.removals(_kb(data), parse_minor(by) if by else None)
    rows = [
        (r.id, r.kind, _v(r.deprecated_in), _v(r.breaks_in), r.severity, r.title, r.source)
        for r in selected
    ]
    headers = ("id", "kind", "deprecated", "breaks in", "severity", "title", "source")
    _print(headers, rows, as_json)


def _report_knowledge(path: Path) -> str:
    """The knowledge version a JSON report names."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KnowledgeError(f"{path}: cannot read the report ({exc})") from None
    version = doc.get("knowledge_version") if isinstance(doc, dict) else None
    if not isinstance(version, str):
        raise KnowledgeError(f"{path}: not a JSON report (no knowledge_version)")
    return version


@app.command("show-version")
def show_version(
    report: Annotated[
        Path | None,
        typer.Argument(help="A JSON report: say whether it was judged with this data."),
    ] = None,
    data: Data = None,
    as_json: AsJson = False,
) -> None:
    """Which data judges reports: its knowledge version (the `knowledge_version` every
    report carries), its data version, where it comes from.

    Examples:

      upgradecheck kb show-version

      upgradecheck kb show-version report.json --data inhouse.yaml
    """
    kb = _kb(data)
    active = active_data()
    if kb.origin == "bundled":
        source = "bundled with this upgradecheck"
        if active.bundle is not None:
            source += (
                f" (the bundle installed at {active.bundle.folder}, data "
                f"{active.bundle.data_version}, is not newer)"
            )
    else:
        source = f"bundle installed at {active.folder}"
        if active.bundle is not None and active.bundle.installed_from:
            source += f" from {active.bundle.installed_from}"
        source += f" (newer than the bundled data {active.bundled_version})"
    doc: dict[str, Any] = {
        "knowledge_version": kb.version,
        "data_version": kb.data_version or None,
        "source": source,
        "user_data": list(kb.user_data),
    }
    if report is not None:
        judged = _report_knowledge(report)
        doc["report"] = {"path": str(report), "knowledge_version": judged,
                         "same_data": judged == kb.version}  # fmt: skip
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    lines = [
        f"knowledge version: {kb.version}",
        f"data version:      {kb.data_version or '-'}",
        f"data:              {source}",
    ]
    lines += [f"user data:         {path}" for path in kb.user_data]
    if report is not None:
        judged = doc["report"]["knowledge_version"]
        verdict = "the same data" if judged == kb.version else "other data than this"
        lines.append(f"report:            {report} was judged with {judged}: {verdict}")
    typer.echo("\n".join(lines))


@app.command("bundle")
def bundle(
    output: Annotated[Path, typer.Option("--output", "-o", help="The bundle file to write.")],
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A folder of data files (default: the data this upgradecheck ships).",
        ),
    ] = None,
) -> None:
    """Build a knowledge-base bundle (one JSON file, versioned and digested) from a folder
    of data files, validated first; `kb update` installs it elsewhere.

    Examples:

      upgradecheck kb bundle --from deprecations/ -o upgradecheck-kb-2026.12.02.json
    """
    built = bundles.build_bundle(source if source is not None else active_data().folder)
    bundles.write_bundle(built, output)
    typer.echo(
        f"bundle {output}: data version {built.data_version}, knowledge version "
        f"{built.knowledge_version}, sha256 {built.sha256}"
    )


@app.command("update")
def update(
    file: Annotated[Path, typer.Argument(help="A bundle file from `kb bundle`.")],
    sha256: Annotated[
        str | None,
        typer.Option("--sha256", help="The bundle's sha256 as published; refuse another."),
    ] = None,
) -> None:
    """Install newer knowledge-base data from a bundle (checked: digests, the data itself,
    newer than the data in use). Reports use it from then on; `kb reset` goes back.

    Examples:

      upgradecheck kb update upgradecheck-kb-2026.12.02.json
    """
    done = bundles.install_bundle(file, expected_sha256=sha256)
    replaced = f", replacing data {done.replaced}" if done.replaced else ""
    typer.echo(
        f"installed data version {done.bundle.data_version} (knowledge version "
        f"{done.bundle.knowledge_version}) into {done.folder}{replaced}"
    )


@app.command("reset")
def reset() -> None:
    """Remove the installed bundle: the data bundled with upgradecheck is used again."""
    removed = bundles.reset()
    if removed is None:
        typer.echo("no bundle installed: the bundled data is in use")
    else:
        typer.echo(f"removed data version {removed.data_version} from {removed.folder}")
