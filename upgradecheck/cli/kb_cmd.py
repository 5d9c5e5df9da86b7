"""`upgradecheck kb`: show the knowledge base — APIs, add-ons, skew rules, releases, removals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from upgradecheck.cli.table import table
from upgradecheck.knowledge import listing, load_knowledge_base
from upgradecheck.versions import Minor, parse_minor

app = typer.Typer(help="Show the knowledge base.", no_args_is_help=True)

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


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
        str | None, typer.Option("--removed-by", help="Only APIs removed in or before this.")
    ] = None,
    deprecated_by: Annotated[
        str | None,
        typer.Option("--deprecated-by", help="Only APIs deprecated in or before this."),
    ] = None,
    group: Annotated[str | None, typer.Option("--group", help="Only this API group.")] = None,
    as_json: AsJson = False,
) -> None:
    """Built-in API deprecations and removals.

    Examples:

      upgradecheck kb apis --removed-by 1.25
    """
    kb = load_knowledge_base()
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
    addon: Annotated[str | None, typer.Option("--addon", help="Only this add-on.")] = None,
    as_json: AsJson = False,
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
        for a in listing.addon_apis(load_knowledge_base(), addon)
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
        str | None, typer.Option("--by", help="Only removals that break in or before this.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Removed features and behaviour changes that are not APIs."""
    selected = listing.removals(load_knowledge_base(), parse_minor(by) if by else None)
    rows = [
        (r.id, r.kind, _v(r.deprecated_in), _v(r.breaks_in), r.severity, r.title, r.source)
        for r in selected
    ]
    headers = ("id", "kind", "deprecated", "breaks in", "severity", "title", "source")
    _print(headers, rows, as_json)
