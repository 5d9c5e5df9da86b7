"""Reading `.upgradecheck.yaml`: the exceptions that suppress findings, validated entry by entry
so that any mistake is one line naming the file, the line and the entry (docs/exceptions.md)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from upgradecheck.model import ObjectRef

DEFAULT_CONFIG = ".upgradecheck.yaml"
"""The file read from the current directory when `--config` is not given."""
CONFIG_SCHEMA = "upgradecheck.config/v1"
ANY_RULE = "*"

_TOP_KEYS = ("data", "exceptions", "schema", "version")
_ENTRY_KEYS = ("expires", "labels", "namespaces", "objects", "reason", "rule")
_OBJECT_KEYS = ("kind", "name", "namespace")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ConfigError(Exception):
    """An exceptions file that cannot be read or is malformed (exit code 2)."""


@dataclass(frozen=True)
class ObjectSelector:
    """One object an exception names: its kind (any case), namespace and name."""

    kind: str
    """The kind, e.g. `Deployment`."""
    namespace: str | None
    """The namespace, or None for a cluster-scoped object."""
    name: str
    """The object's name."""

    def matches(self, ref: ObjectRef) -> bool:
        """Whether `ref` is this object (whatever apiVersion it is written in)."""
        return (
            ref.kind.lower() == self.kind.lower()
            and ref.namespace == self.namespace
            and ref.name == self.name
        )

    def display(self) -> str:
        """`Kind ns/name` or `Kind name`."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}"


@dataclass(frozen=True)
class ExceptionEntry:
    """One exception: a rule (or `*`) ignored for the objects its selectors pick, and why."""

    number: int
    """Its position in the file's `exceptions` list, from 1."""
    source: str
    """Where it is written: `path:line`."""
    rule: str
    """The rule id it suppresses, or `*` for every rule."""
    reason: str
    """Why it is acceptable, shown with every finding it suppresses."""
    namespaces: frozenset[str] = frozenset()
    """Only findings about objects in these namespaces (any when empty)."""
    objects: tuple[ObjectSelector, ...] = ()
    """Only findings about these objects (any when empty)."""
    labels: tuple[tuple[str, str], ...] = ()
    """Only findings about objects carrying all these labels (any when empty)."""
    expires: dt.date | None = None
    """The last day it applies; from the day after, its findings count again."""

    @property
    def selects_all(self) -> bool:
        """True when it names no namespaces, objects or labels: every finding of its rule."""
        return not (self.namespaces or self.objects or self.labels)

    def describe(self) -> str:
        """`single-replica in namespaces batch-jobs`, for notes."""
        parts = []
        if self.namespaces:
            parts.append("namespaces " + ", ".join(sorted(self.namespaces)))
        if self.objects:
            parts.append("objects " + ", ".join(o.display() for o in self.objects))
        if self.labels:
            parts.append("labels " + ", ".join(f"{k}={v}" for k, v in self.labels))
        rule = "every rule" if self.rule == ANY_RULE else self.rule
        return f"{rule} for {'; '.join(parts)}" if parts else f"{rule} everywhere"


@dataclass(frozen=True)
class ExceptionsConfig:
    """A parsed exceptions file."""

    path: str
    """The file, as named on the command line (or `.upgradecheck.yaml`)."""
    exceptions: tuple[ExceptionEntry, ...] = ()
    """Its exceptions, in file order (the first that matches a finding is the one shown)."""
    data: tuple[str, ...] = ()
    """User data files for the knowledge base (`data:`), relative paths resolved against
    the file's folder, in file order."""


def find_config(given: Path | None, cwd: Path | None = None) -> Path | None:
    """The file named by `--config`, else `.upgradecheck.yaml` in `cwd` when there is one."""
    if given is not None:
        return given
    candidate = cwd / DEFAULT_CONFIG if cwd is not None else Path(DEFAULT_CONFIG)
    return candidate if candidate.is_file() else None


def load_config(path: str | Path) -> ExceptionsConfig:
    """Read and validate the exceptions file at `path`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"{path}: cannot read the exceptions file: {reason}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the exceptions file is not UTF-8 text") from None
    return parse_config(text, str(path))


def parse_config(text: str, path: str) -> ExceptionsConfig:
    """Validate the text of an exceptions file; `path` names it in errors."""
    from upgradecheck.suppress._yaml import load_yaml  # only a file read needs `yaml`

    data, lines = load_yaml(text, path)
    if data is None:
        return ExceptionsConfig(path)
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: the exceptions file must be a mapping with `exceptions:`")
    _check_keys(data, _TOP_KEYS, f"{path}: unknown top-level key")
    _check_schema(data, path)
    files = _data_files(data.get("data"), path)
    items = data.get("exceptions")
    if items is None:
        return ExceptionsConfig(path, data=files)
    if not isinstance(items, list):
        raise ConfigError(f"{path}: `exceptions` must be a list of entries")
    entries = tuple(
        _Entry(number, f"{path}:{line}").parse(item)
        for number, (item, line) in enumerate(zip(items, lines, strict=True), start=1)
    )
    return ExceptionsConfig(path, entries, files)


# --- the file ------------------------------------------------------------------------------


def _check_schema(data: Mapping[str, Any], path: str) -> None:
    schema, version = data.get("schema"), data.get("version")
    if schema is not None and schema != CONFIG_SCHEMA:
        raise ConfigError(f"{path}: schema {schema!r} is not supported (expected {CONFIG_SCHEMA})")
    if version is not None and (version != 1 or isinstance(version, bool)):
        raise ConfigError(f"{path}: version {version!r} is not supported (expected 1)")


def _data_files(value: Any, path: str) -> tuple[str, ...]:
    """`data:` as file paths, a relative one taken from the exceptions file's folder."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        raise ConfigError(f"{path}: `data` must be a data file's path or a list of them")
    folder = Path(path).parent
    return tuple(str(folder / v) if not Path(v).is_absolute() else v for v in items)


def _check_keys(data: Mapping[Any, Any], allowed: tuple[str, ...], prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{prefix} {key!r} (expected one of {', '.join(allowed)})")


# --- one entry -----------------------------------------------------------------------------


class _Entry:
    """Validates one item of `exceptions`, naming it in every error."""

    def __init__(self, number: int, source: str) -> None:
        self.number, self.source, self.rule = number, source, ""

    def fail(self, problem: str) -> NoReturn:
        rule = f" ({self.rule})" if self.rule else ""
        raise ConfigError(f"{self.source}: exception {self.number}{rule}: {problem}")

    def parse(self, item: Any) -> ExceptionEntry:
        if not isinstance(item, Mapping):
            self.fail("must be a mapping with rule, reason and namespaces, objects or labels")
        self.rule = self._rule(item.get("rule"))
        for key in item:
            if key not in _ENTRY_KEYS:
                self.fail(f"unknown key {key!r} (expected one of {', '.join(_ENTRY_KEYS)})")
        entry = ExceptionEntry(
            number=self.number,
            source=self.source,
            rule=self.rule,
            reason=self._reason(item.get("reason")),
            namespaces=frozenset(self._strings(item.get("namespaces"), "namespaces")),
            objects=tuple(self._object(o) for o in self._list(item.get("objects"), "objects")),
            labels=self._labels(item.get("labels")),
            expires=self._expires(item.get("expires")),
        )
        if entry.rule == ANY_RULE and entry.selects_all:
            self.fail("rule '*' needs namespaces, objects or labels: it would hide every finding")
        return entry

    def _rule(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail("`rule` is required: a rule id (see `upgradecheck rules`) or '*'")
        rule = value.strip()
        # The rule table is gathered from every check: imported only when a file names a rule.
        from upgradecheck.checks.rules import RULES_BY_ID

        if rule != ANY_RULE and rule not in RULES_BY_ID:
            close = difflib.get_close_matches(rule, list(RULES_BY_ID), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            self.fail(f"unknown rule {rule!r} ({hint}`upgradecheck rules` lists them)")
        return rule

    def _reason(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail("`reason` is required: say why the findings are acceptable")
        return value.strip()

    def _list(self, value: Any, key: str) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, str | Mapping):
            return [value]
        if not isinstance(value, list):
            self.fail(f"`{key}` must be a list")
        return value

    def _strings(self, value: Any, key: str) -> list[str]:
        items = self._list(value, key)
        if not all(isinstance(v, str) and v.strip() for v in items):
            self.fail(f"`{key}` must be a list of names")
        return [v.strip() for v in items]

    def _object(self, value: Any) -> ObjectSelector:
        if isinstance(value, str):
            return self._object_text(value)
        if not isinstance(value, Mapping):
            self.fail("each of `objects` must be 'Kind namespace/name' or {kind, namespace, name}")
        for key in value:
            if key not in _OBJECT_KEYS:
                self.fail(f"unknown object key {key!r} (expected one of {', '.join(_OBJECT_KEYS)})")
        kind, name, namespace = (value.get(k) for k in ("kind", "name", "namespace"))
        if not (isinstance(kind, str) and kind and isinstance(name, str) and name):
            self.fail(f"object {dict(value)!r} needs a kind and a name")
        if namespace is not None and not (isinstance(namespace, str) and namespace):
            self.fail(f"object {dict(value)!r}: namespace must be a name")
        return ObjectSelector(kind, namespace, name)

    def _object_text(self, text: str) -> ObjectSelector:
        kind, _, where = text.strip().partition(" ")
        namespace, slash, name = where.strip().rpartition("/")
        if not kind or not name or " " in where.strip() or (slash and not namespace):
            self.fail(f"object {text!r} must be 'Kind namespace/name' or 'Kind name'")
        return ObjectSelector(kind, namespace or None, name)

    def _labels(self, value: Any) -> tuple[tuple[str, str], ...]:
        if value is None:
            return ()
        if not isinstance(value, Mapping) or not value:
            self.fail("`labels` must be a mapping of label keys to values")
        pairs = []
        for key, raw in value.items():
            if isinstance(raw, bool):
                raw = "true" if raw else "false"
            if not isinstance(key, str) or not isinstance(raw, str | int | float):
                self.fail(f"label {key!r}: keys and values must be text")
            pairs.append((key, str(raw)))
        return tuple(sorted(pairs))

    def _expires(self, value: Any) -> dt.date | None:
        if value is None:
            return None
        text = value.strip() if isinstance(value, str) else ""
        try:
            if _DATE.match(text):
                return dt.date.fromisoformat(text)
        except ValueError:
            pass
        self.fail(f"`expires` must be a date written YYYY-MM-DD, not {value!r}")
