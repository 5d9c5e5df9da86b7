"""The command line converts option values without pydantic (cli/coercion.py), and gets what
Typer's own conversion gets: for every parameter of every command, good values and bad, the
same value of the same type, or the same error message."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import typer

from upgradecheck.cli import app
from upgradecheck.cli.coercion import RuntimeParam, _Direct

if RuntimeParam is None:  # pragma: no cover - depends on the installed Typer
    pytest.skip("this Typer converts values without pydantic", allow_module_level=True)

from typer._coercion import build_runtime_param


def commands() -> list[tuple[str, Any]]:
    """Every command, its subcommands included, with its path."""
    found: list[tuple[str, Any]] = []

    def walk(command: Any, path: str) -> None:
        found.append((path, command))
        for name in getattr(command, "commands", {}):
            walk(command.commands[name], f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return found[1:]  # the root's own options are Typer's flags


def samples(annotation: Any, files: Path) -> list[Any]:
    """Values a user (or a default) gives a parameter of this type, good and bad."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        one = samples(item, files)
        return [(), tuple(one[:2]), *((v,) for v in one)]
    common: list[Any] = ["", "x", " 5", b"bytes"]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [*common, *annotation, *(m.value for m in annotation),
                *(str(m.value).upper() for m in annotation)]  # fmt: skip
    if annotation is int:
        return [*common, 8, "8", "007", "0", "-1", "1_000", "1.5", "99999999999999999999",
                "100000", True]  # fmt: skip
    if annotation is float:
        return [*common, 2.5, 3, "2", "1.5", "-0.5", "1e3", "inf", "nan", ".5", "5."]
    if annotation is bool:
        return [True, False, "yes", "0"]
    if isinstance(annotation, type) and issubclass(annotation, Path):
        return [*common, files / "f.yaml", str(files / "f.yaml"), str(files),
                str(files / "missing"), "-", "relative/../name"]  # fmt: skip
    return [*common, "1.33", "v1.33.2", "ü", 7, None]


def outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:
        return "error", (type(exc).__name__, exc.format_message() if hasattr(
            exc, "format_message") else str(exc))  # fmt: skip
    return "value", (type(result).__name__, result)


@pytest.mark.parametrize(("path", "command"), commands(), ids=[p for p, _ in commands()])
def test_values_convert_as_typer_converts_them(path: str, command: Any, tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_text("kind: List\n")
    ctx = typer.Context(command, **command.context_settings)
    checked = 0
    for param in command.get_params(ctx):
        runtime = param.get_runtime_param()
        if not isinstance(runtime, _Direct):
            continue
        typers = build_runtime_param(param.type_descriptor)
        for value in samples(param.type_descriptor.annotation, tmp_path):
            ours = outcome(runtime, value, param, ctx)
            assert ours == outcome(typers, value, param, ctx), (param.name, value)
            checked += 1
    assert checked, f"no parameter of {path} is converted directly"
