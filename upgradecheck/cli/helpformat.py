"""Help pages that read as a user types the command: each argument named by its metavar alone
(`PATH`, `SNAPSHOT`), not with the Python type Typer would print beside it."""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand


class Command(TyperCommand):
    """A command whose help lists arguments as `NAME  help`, options as Typer shows them."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """The Arguments and Options sections of the help page."""
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((param.metavar or str(param.name).upper(), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
