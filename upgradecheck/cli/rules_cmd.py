"""`upgradecheck rules`: the rule ids and what each means."""

from __future__ import annotations

from typing import Annotated

import typer

from upgradecheck.checks.rules import RULES, rules_markdown
from upgradecheck.cli.table import table


def rules(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print docs/rules.md instead of a table.")
    ] = False,
) -> None:
    """List the rules findings are raised under."""
    if markdown:
        typer.echo(rules_markdown(), nl=False)
        return
    typer.echo(table(("rule", "title"), [(r.id, r.title) for r in RULES]), nl=False)
