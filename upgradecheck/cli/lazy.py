"""Commands whose modules are imported only when the command line chooses them: `scan FILE`
(run by pre-commit on every commit) does not pay for importing the collector, the renderers
and the knowledge-base tools of the other commands."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, ClassVar

import typer
from typer.core import TyperGroup

from upgradecheck.cli.coercion import convert_directly
from upgradecheck.cli.helpformat import Command


class LazyCommands(MutableMapping[str, Any]):
    """The group's commands by name, in the order given: each is built from its module the
    first time it is looked up. Names are known without importing anything, so listing them
    (for an unknown command's suggestions, or the completion of a command name) is free."""

    def __init__(self, build: Callable[[str], Any], names: list[str]) -> None:
        self._build = build
        self._names = list(names)
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in self._names:
                raise KeyError(name)
            self._built[name] = self._build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        if name not in self._names:
            self._names.append(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)


class LazyGroup(TyperGroup):
    """A Typer group of commands named in `LAZY` as `"module:attribute"`: a command function
    (shown with `helpformat.Command`) or a Typer app of subcommands. A subclass names them."""

    LAZY: ClassVar[dict[str, str]] = {}
    """Command name → where its function (or Typer app) is, in the order help lists them."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        eager = dict(self.commands)
        self.commands = LazyCommands(self._load, [*self.LAZY, *eager])
        for name, command in eager.items():
            self.commands[name] = command

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse the group's own options (converted without pydantic: coercion.py)."""
        convert_directly(self.get_params(ctx))
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: Any) -> list[str]:
        """The names, without importing any command (TyperGroup's would build each)."""
        return list(self.commands)

    def _load(self, name: str) -> Any:
        module, _, attribute = self.LAZY[name].partition(":")
        target = getattr(importlib.import_module(module), attribute)
        # A Typer app holding the one command builds it exactly as registering it on the
        # root app would have (parameters, help, completion), through Typer's public API.
        holder = typer.Typer(
            add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None
        )
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=name)
        else:
            holder.command(name, cls=Command)(target)
        holder.callback()(_no_options)
        group = typer.main.get_command(holder)
        assert isinstance(group, TyperGroup)
        command = group.commands[name]
        _convert_directly_below(command)
        return command


def _convert_directly_below(command: Any) -> None:
    """Convert the values of `command`'s parameters, and of its subcommands', without
    pydantic (coercion.py), --help included. The help option is made for a context, and
    kept: one made with the command's settings is the one its own context will use."""
    convert_directly(command.get_params(typer.Context(command, **command.context_settings)))
    for child in getattr(command, "commands", {}).values():
        _convert_directly_below(child)


def _no_options() -> None:
    """Makes the holder a group, so that its one command keeps its name."""
