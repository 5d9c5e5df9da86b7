"""One template action evaluated without helm: every value it may take, each with the
choices (`Step`s) that give it.

Values come from literals, the chart's values, variables, named templates (`include`,
through the caller) and the functions of `functions`. `ternary` gives both of its values,
each with the side it takes. `.Capabilities` (the cluster's version and APIs) is answered
for every Kubernetes minor at once when a capability table is given: its values are
`PerVersion`, and what is computed from them stays so, so that a condition on them is
decided version by version. `.Release`, `.Files` and anything else that only a real
install knows are `Unknown`: a condition on them is undecided, a printed one is named as
unresolved, never guessed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from upgradecheck.collect.helm.api_versions import CapabilityTable
from upgradecheck.collect.helm.functions import (
    FUNCTIONS,
    SHORT_CIRCUIT,
    NotKnown,
    printed,
    truth,
)
from upgradecheck.collect.helm.parse import head
from upgradecheck.collect.helm.pipeline import Command, Function, Literal, Operand, Pipeline

MAX_ALTERNATIVES = 32
"""Most values one expression may take across its choices (beyond: the first ones kept)."""


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known without rendering the chart in a cluster."""

    label: str
    """The action it comes from, as written: `{{ $route.apiVersion }}`."""
    where: str = ""
    """`file:line` of that action."""


@dataclass(frozen=True)
class Step:
    """One choice on the way to a value or a line: a branch of a block or of a `ternary`, or
    an `include` or values lookup it went through."""

    block: tuple[int, ...]
    """The choice's identity; each include expansion gets its own."""
    branch: int
    """Which of its branches (-1: an include or a values lookup, not a condition)."""
    label: str
    """How a reader sees it."""
    off: bool = field(default=False, compare=False)
    """The chart's values (with `--values`) decide against this branch: only other values
    render it."""
    none_taken: bool = field(default=False, compare=False)
    """The branch where none of an `if` without `else` is taken, so it renders nothing."""
    taken: tuple[bool | None, ...] = field(default=(), compare=False)
    """When the choice depends on `.Capabilities`: whether it is made at each minor of the
    capability table (None: not known there); empty when it does not."""


Steps = tuple[Step, ...]
"""The choices a value or a line sits in, outermost first."""


@dataclass(frozen=True)
class Alt:
    """One value an expression (or a stretch of template) may take."""

    value: Any
    """A string, number, bool, None, map, list, `Unknown` or a context object."""
    steps: Steps = ()
    """The choices that give it."""

    @property
    def unresolved(self) -> str:
        """The action that could not be resolved, else ``""``."""
        return self.value.label if isinstance(self.value, Unknown) else ""


@dataclass(frozen=True)
class PerVersion:
    """A value that depends on the cluster: its value at each minor of the capability table
    (an element may be `Unknown`)."""

    values: tuple[Any, ...]


@dataclass(frozen=True)
class Capabilities:
    """`.Capabilities`: what the cluster is. Without a table it is known only at install;
    with one, its Kubernetes version and built-in APIs are known for every minor."""

    table: CapabilityTable | None = None

    def field(self, path: tuple[str, ...]) -> Any:
        """`.Capabilities.<path>`; None when it is not known here."""
        table = self.table
        if table is None:
            return None
        minors = table.minors
        if path in (("KubeVersion",), ("KubeVersion", "Version"), ("KubeVersion", "GitVersion")):
            # helm's --kube-version 1.25.0 (as the target is rendered) reads as v1.25.0.
            return PerVersion(tuple(f"v{m}.0" for m in minors))
        if path == ("KubeVersion", "Major"):
            return PerVersion(tuple(str(m.major) for m in minors))
        if path == ("KubeVersion", "Minor"):
            return PerVersion(tuple(str(m.minor) for m in minors))
        if path == ("APIVersions", "Has"):
            return HasApi(table)
        return None


@dataclass(frozen=True)
class HasApi:
    """`.Capabilities.APIVersions.Has`, waiting for its argument."""

    table: CapabilityTable

    def __call__(self, api: Any) -> Any:
        """Whether each minor serves `api` (`group/version` or `group/version/Kind`); None
        when that is not known: a group that is not built in belongs to a CRD."""
        if not isinstance(api, str):
            return None
        parts = api.split("/")
        core = len(parts) == 1 or (len(parts) == 2 and parts[1][:1].isupper())
        if len(parts) > 3 or (not core and parts[0] not in self.table.groups):
            return None
        return PerVersion(tuple(api in served for served in self.table.served))


def root_context(
    values: Mapping[str, Any], helm_path: str, table: CapabilityTable | None = None
) -> dict[str, Any]:
    """The dot a template file starts with (`table`: what `.Capabilities` answers)."""
    release: dict[str, Any] = {name: Unknown(f"{{{{ .Release.{name} }}}}")
               for name in ("Name", "Namespace", "IsInstall", "IsUpgrade", "Revision")}
    release["Service"] = "Helm"
    return {
        "Values": values,
        "Capabilities": Capabilities(table),
        "Release": release,
        "Chart": Unknown("{{ .Chart }}"),
        "Template": {"Name": helm_path, "BasePath": helm_path.rpartition("/")[0]},
        "Files": Unknown("{{ .Files }}"),
    }


@dataclass
class Scope:
    """The dot, `$`, and the variables set so far."""

    dot: list[Alt]
    root: list[Alt]
    variables: dict[str, list[Alt]] = field(default_factory=dict)

    def inner(self, dot: list[Alt] | None = None) -> Scope:
        """The scope of a block's branch (variables set inside stay inside, unless `=`)."""
        return Scope(self.dot if dot is None else dot, self.root, dict(self.variables))


Include = Callable[[str, list[Alt], "Site"], list[Alt] | None]
"""Renders a named template with a dot, or None when there is no such template."""


@dataclass(frozen=True)
class Site:
    """Where an action is: for labels, coverage notes and the identity of its choices."""

    label: str
    """The action as a reader sees it."""
    where: str
    """`file:line`."""
    ident: tuple[int, ...]
    """Unique per action and include expansion."""
    depth: int = 0
    """How many includes deep."""


@dataclass(frozen=True)
class Decision:
    """How a condition comes out."""

    by_values: bool | None
    """Its truth when the chart's values alone decide it, else None."""
    by_version: tuple[bool | None, ...]
    """When it depends on `.Capabilities`: its truth at each minor of the capability table
    (None: not known there); else empty."""


class Evaluator:
    """Evaluates pipelines; `include` goes back to the caller, which owns the templates."""

    def __init__(self, include: Include) -> None:
        self._include = include
        self._idents = itertools.count(1)

    def pipeline(self, pipe: Pipeline, scope: Scope, site: Site) -> list[Alt]:
        """Every value of a pipeline (its variables are the caller's to set)."""
        piped: list[Alt] | None = None
        for command in pipe.commands:
            piped = self._command(command, scope, site, piped)
        assert piped is not None
        return piped[:MAX_ALTERNATIVES]

    def decide(self, pipe: Pipeline, scope: Scope, site: Site) -> Decision:
        """How a condition comes out, by the chart's values and version by version."""
        return decision(self.pipeline(pipe, scope, site))

    def _command(
        self,
        command: Command,
        scope: Scope,
        site: Site,
        piped: list[Alt] | None,
    ) -> list[Alt]:
        first, args = command.operands[0], list(command.operands[1:])
        if isinstance(first, Function):
            return self._call(first.name, args, scope, site, piped)
        if args or piped is not None:
            # A method: `.Capabilities.APIVersions.Has "x"` is answered from the capability
            # table; others (`.Files.Get "x"`) are known at install only.
            method = self.operand(first, scope, site)
            if len(method) == 1 and isinstance(method[0].value, HasApi) and len(args) + (
                piped is not None
            ) == 1:
                asked = piped if piped is not None else self.operand(args[0], scope, site)
                has = method[0].value
                return [
                    Alt(_known(has(a.value), site), a.steps) for a in asked
                ]
            return [Alt(Unknown(site.label, site.where))]
        return self.operand(first, scope, site)

    def operand(self, operand: Operand, scope: Scope, site: Site) -> list[Alt]:
        """Every value of one operand."""
        if isinstance(operand, Literal):
            return [Alt(operand.value)]
        if isinstance(operand, Function):
            return self._call(operand.name, [], scope, site, None)
        if isinstance(operand.base, Pipeline):
            base = self.pipeline(operand.base, scope, site)
        elif operand.base == ".":
            base = scope.dot
        elif operand.base == "$":
            base = scope.root
        else:
            found = scope.variables.get(operand.base)
            if found is None:
                return [Alt(Unknown(site.label, site.where))]
            base = found
        return [self._fields(_named_here(alt, site), operand.path, site) for alt in base]

    def _fields(self, alt: Alt, path: tuple[str, ...], site: Site) -> Alt:
        value, steps = alt.value, alt.steps
        for index, name in enumerate(path):
            if isinstance(value, Capabilities):
                value = _known(value.field(path[index:]), site)
                break
            if isinstance(value, Mapping):
                value = value.get(name)
            elif value is None:
                value = None  # helm renders a field of a missing value as nothing
            elif not isinstance(value, Unknown):
                value = Unknown(site.label, site.where)
        if path[:1] == ("Values",) and isinstance(value, str) and value:
            steps += (self._note(f"{site.label} = {value} (chart values)"),)
        return Alt(value, steps)

    def _note(self, label: str) -> Step:
        """A step that says where a value came from."""
        return Step((-1, next(self._idents)), -1, label)

    def _arguments(
        self, args: list[Operand], scope: Scope, site: Site, piped: list[Alt] | None
    ) -> list[list[Alt]]:
        options = [self.operand(a, scope, site) for a in args]
        if piped is not None:
            options.append(piped)
        return [list(c) for c in itertools.islice(itertools.product(*options), MAX_ALTERNATIVES)]

    def _call(
        self,
        name: str,
        args: list[Operand],
        scope: Scope,
        site: Site,
        piped: list[Alt] | None,
    ) -> list[Alt]:
        if name in ("include", "template"):
            return self._included(args, scope, site, piped)
        if name == "ternary":
            return self._ternary(args, scope, site, piped)
        function = FUNCTIONS.get(name)
        found: list[Alt] = []
        for values in self._arguments(args, scope, site, piped):
            steps = tuple(s for a in values for s in a.steps)
            plain = [a.value for a in values]
            if function is None:
                found.append(Alt(Unknown(site.label, site.where), steps))
                continue
            if name == "default" and len(plain) == 2 and _empty_given(plain[1]):
                steps += (self._note(f"{site.label} (default)"),)
            elif name == "default" and len(plain) == 2 and isinstance(plain[1], Unknown):
                # Not known whether it is set: it may be, or the default is what renders.
                fallback = (*steps, self._note(f"{site.label} (default, when not set)"))
                found += [Alt(plain[1], steps), Alt(plain[0], fallback)]
                continue
            found.append(Alt(_apply(name, function, plain, site), steps))
        return found

    def _ternary(
        self,
        args: list[Operand],
        scope: Scope,
        site: Site,
        piped: list[Alt] | None,
    ) -> list[Alt]:
        """`ternary A B COND`: both values, each with the side of COND that gives it; a side
        the chart's values rule out is marked `off`."""
        if len(args) + (piped is not None) != 3:
            return [Alt(Unknown(site.label, site.where))]
        if piped is not None:
            cond = decision(piped)
        else:
            cond = self.decide(Pipeline((Command((args[2],)),)), scope, site)
        ident = (*site.ident, next(self._idents))
        shown = head(site.label.removeprefix("{{ ").removesuffix(" }}"))
        found: list[Alt] = []
        for number, side in enumerate((True, False)):
            taken = tuple(None if t is None else t == side for t in cond.by_version)
            step = Step(ident, number, f"{shown} ({str(side).lower()})",
                        off=cond.by_values is (not side), taken=taken)
            found += [Alt(a.value, (step, *a.steps)) for a in self.operand(args[number], scope,
                                                                            site)]
        return found

    def _included(
        self, args: list[Operand], scope: Scope, site: Site, piped: list[Alt] | None
    ) -> list[Alt]:
        names = self.operand(args[0], scope, site) if args else []
        name = names[0].value if len(names) == 1 else None
        if not isinstance(name, str):
            return [Alt(Unknown(site.label, site.where))]
        if piped is not None and len(args) == 1:
            dot = piped
        elif len(args) >= 2:
            dot = self.operand(args[1], scope, site)
        else:
            dot = [Alt(None)]
        body = self._include(name, dot, site)
        if body is None:
            return [Alt(Unknown(site.label, site.where))]
        return body


def _named_here(alt: Alt, site: Site) -> Alt:
    """An unknown dot or variable (a `range` element, a value computed from `.Files`) is
    named by the action that uses it: `{{ $route.apiVersion }}` says more than the
    `range` it came from."""
    if isinstance(alt.value, Unknown):
        return Alt(Unknown(site.label, site.where), alt.steps)
    return alt


def _empty_given(value: Any) -> bool:
    return not isinstance(value, Unknown | PerVersion) and not truth(value)


def _key(value: Any) -> Any:
    """A value as a dictionary key: itself when hashable, else its identity."""
    try:
        hash(value)
    except TypeError:
        return id(value)
    return (type(value), value)


def _known(value: Any, site: Site) -> Any:
    """A value, or the action as unknown when it is None (not known here)."""
    return Unknown(site.label, site.where) if value is None else value


def _truth(value: Any) -> bool | None:
    if isinstance(value, Unknown | Capabilities | HasApi | PerVersion):
        return None
    return truth(value)


def rendered_at(steps: Sequence[Step]) -> tuple[bool | None, ...]:
    """At each minor of the capability table, whether all these choices are made there
    (None: not known); empty when none of them depends on the cluster."""
    vectors = [s.taken for s in steps if s.taken]
    return tuple(
        False if False in column else None if None in column else True
        for column in zip(*vectors, strict=True)
    )


def decision(alts: Sequence[Alt]) -> Decision:
    """How a condition with these values comes out. Version by version, only the values
    whose choices are made at that version count (a helper's `{{ if }}` on the version
    prints "true" at some versions only)."""
    by_values = {_truth(a.value) for a in alts}
    found = [(a.value, rendered_at(a.steps)) for a in alts]
    size = next((len(v.values) for v, _ in found if isinstance(v, PerVersion)), 0) or next(
        (len(r) for _, r in found if r), 0)
    columns: list[set[bool | None]] = [set() for _ in range(size)]
    for value, rendered in found:
        for i, column in enumerate(columns):
            if rendered and rendered[i] is False:
                continue
            column.add(_truth(value.values[i] if isinstance(value, PerVersion) else value))
    by_version = tuple(c.pop() if len(c) == 1 else None for c in columns)
    return Decision(by_values.pop() if len(by_values) == 1 else None, by_version)


def _apply(name: str, function: Callable[[list[Any]], Any], plain: list[Any], site: Site) -> Any:
    """A function on known arguments; one that depends on the cluster (`PerVersion`) is
    computed version by version, unless a known argument decides it (`and false X`)."""
    if any(isinstance(v, PerVersion) for v in plain):
        if name in SHORT_CIRCUIT:
            decisive = name == "or"
            fixed = [v for v in plain if not isinstance(v, Unknown | PerVersion)]
            if any(truth(v) == decisive for v in fixed):
                return _apply(name, function, fixed, site)
        size = next(len(v.values) for v in plain if isinstance(v, PerVersion))
        done: dict[tuple[Any, ...], Any] = {}  # versions often share their arguments
        results_: list[Any] = []
        for i in range(size):
            args = [v.values[i] if isinstance(v, PerVersion) else v for v in plain]
            key = tuple(_key(a) for a in args)
            if key not in done:
                done[key] = _apply(name, function, args, site)
            results_.append(done[key])
        results = tuple(results_)
        if all(isinstance(r, Unknown) for r in results):
            return results[0]
        return PerVersion(results)
    unknown = _first_unknown(plain, name)
    if unknown is not None:
        return unknown
    if name in SHORT_CIRCUIT:
        # Decided by a known argument (see _first_unknown): the unknown ones are passed over.
        plain = [v for v in plain if not isinstance(v, Unknown)]
    try:
        return function(plain)
    except (NotKnown, TypeError, ValueError, IndexError, KeyError):
        return Unknown(site.label, site.where)


def _first_unknown(values: Sequence[Any], name: str) -> Unknown | None:
    """The unknown argument that makes a function's value unknown, if any."""
    if name in SHORT_CIRCUIT:
        # `and` is false when any argument is false, whichever the unknown ones are;
        # `or` is true when any is true.
        decisive = name == "or"
        if any(not isinstance(v, Unknown) and truth(v) == decisive for v in values):
            return None
        return next((v for v in values if isinstance(v, Unknown)), None)
    if name == "default":
        # `default X .Values.y` with y set is y, whatever X is.
        given = values[-1] if len(values) > 1 else None
        if isinstance(given, Unknown):
            return given
        if given is not None and truth(given):
            return None
    return next((v for v in values if isinstance(v, Unknown)), None)


def shown(value: Any, site: Site) -> Any:
    """A value as printed into the output: a string, or an `Unknown` naming the action. A
    missing value (nil) prints as nothing in helm, but nothing is never what a chart meant
    to write: it is named as unresolved too."""
    if isinstance(value, Unknown):
        return value if value.where else Unknown(value.label, site.where)
    if isinstance(value, PerVersion):
        return PerVersion(tuple(shown(v, site) for v in value.values))
    text = None if value is None else printed(value)
    return Unknown(site.label, site.where) if text is None else text
