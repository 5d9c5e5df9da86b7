"""Command-line values converted as Typer converts them, without pydantic: Typer (0.2x)
converts each parameter's value through a pydantic TypeAdapter it builds on first use, and
importing pydantic and building those adapters takes longer than all of `scan FILE`'s own
work. The values our parameters take (text, paths, whole numbers, decimals, choices, lists of
them) are converted here as Typer's adapters would; any other value, a bad one included, goes
to Typer's own conversion, which gives its usual answer and error message."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

try:  # Typer 0.2x; earlier versions convert with click's types, without pydantic
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer._param_types import coerce_cli_choice, coerce_cli_path
except ImportError:  # pragma: no cover - depends on the installed Typer
    RuntimeParam = None  # type: ignore[assignment,misc]

_DIGITS = re.compile(r"[0-9]{1,18}")
_DECIMAL = re.compile(r"[0-9]{1,15}(\.[0-9]{1,15})?")


class _Declined(Exception):
    """This value is not one the direct conversion is sure of: Typer's decides."""


def convert_directly(params: Iterable[Any]) -> None:
    """Give each Typer parameter of `params` that has not converted a value yet the direct
    conversion (a parameter of a type it does not know keeps Typer's)."""
    if RuntimeParam is None:  # pragma: no cover - depends on the installed Typer
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if not isinstance(descriptor, TypeDescriptor):
            continue
        if getattr(param, "_runtime_param", ...) is not None:
            continue  # already converting (or not a parameter this Typer converts lazily)
        leaf = _leaf(descriptor)
        if leaf is not None:
            param._runtime_param = _Direct(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
                leaf=leaf,
            )


def _leaf(descriptor: TypeDescriptor) -> Callable[[Any, Any, Any], Any] | None:
    """The conversion of one value of the parameter's type (of an item, for a list); None
    for a type left to Typer."""
    if descriptor.file_annotation is not None:
        return None
    annotation: Any = descriptor.annotation
    info = descriptor.parameter_info
    origin: Any = get_origin(annotation)
    if origin is list:
        (annotation,) = get_args(annotation)
    elif origin is not None:
        return None
    if info.parser is not None:
        parser = info.parser
        return lambda value, _param, _ctx: _parsed(parser, value)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = list(annotation)
        return lambda value, _param, ctx: _choice(value, choices, info.case_sensitive, ctx)
    if annotation is str:
        return lambda value, _param, _ctx: _text(value)
    if annotation is bool:
        return lambda value, _param, _ctx: _flag(value)
    if annotation in (int, float) and not info.clamp:
        return lambda value, _param, _ctx: _number(annotation, value, info.min, info.max)
    if isinstance(annotation, type) and issubclass(annotation, Path):
        path_type = info.path_type or annotation
        if not (isinstance(path_type, type) and issubclass(path_type, Path)):
            return None  # a path given as str or bytes: Typer keeps the text as typed
        return lambda value, param, ctx: _path(value, info, path_type, param, ctx)
    return None


def _parsed(parser: Callable[[Any], Any], value: Any) -> Any:
    # Typer's adapter calls the parser and nothing else; an error is raised again by it.
    try:
        return parser(value)
    except Exception:
        raise _Declined from None


def _choice(value: Any, choices: list[Any], case_sensitive: bool, ctx: Any) -> Any:
    try:
        return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)
    except ValueError:
        raise _Declined from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Declined  # bytes are decoded by Typer, with its fallbacks
    return str(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Declined  # "yes", "off", ...: pydantic's words, left to it
    return value


def _number(kind: type, value: Any, low: float | None, high: float | None) -> Any:
    number: Any
    if type(value) is kind:
        number = value
    elif isinstance(value, str) and (_DIGITS if kind is int else _DECIMAL).fullmatch(value):
        number = kind(value)
    else:  # spaces, signs, underscores, exponents: pydantic's rules, left to it
        raise _Declined
    if (low is not None and number < low) or (high is not None and number > high):
        raise _Declined  # out of range: Typer's message says so
    return number


def _path(value: Any, info: Any, path_type: type, param: Any, ctx: Any) -> Any:
    if isinstance(value, str) and value:
        value = Path(value)  # what pydantic makes of a non-empty string
    if not isinstance(value, Path):
        raise _Declined
    # Typer's own checks (exists, file or folder, resolving), which need no pydantic once
    # the value is a Path; their errors are the ones Typer raises.
    return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class _Direct(RuntimeParam):
        """A parameter's conversion: directly, else through Typer's."""

        descriptor: TypeDescriptor = field(repr=False)
        leaf: Callable[[Any, Any, Any], Any] = field(repr=False)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                origin: Any = get_origin(self.annotation)
                if origin is list:
                    items = value if isinstance(value, list | tuple) else [value]
                    return [self.leaf(item, param, ctx) for item in items]
                return self.leaf(value, param, ctx)
            except _Declined:
                typer_own = build_runtime_param(self.descriptor)
                return typer_own._coerce_value(value, param=param, ctx=ctx)
