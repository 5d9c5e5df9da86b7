"""One template action evaluated without helm: every value it may take, each with the
choices (`Step`s) that give it.

Values come from literals, the chart's values, variables, named templates (`include`,
through the caller) and the functions of `functions`. `ternary` gives both of its values,
each with the side it takes. `.Capabilities` (the cluster's version and APIs), `.Release`,
`.Files` and anything else that only a real install knows are `Unknown`: a condition on
them is undecided, a printed one is named as unresolved, never guessed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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


class Capabilities:
    """`.Capabilities`: what the cluster is, known only at install."""


CAPABILITIES = Capabilities()


def root_context(values: Mapping[str, Any], helm_path: str) -> dict[str, Any]:
    """The dot a template file starts with."""
    release: dict[str, Any] = {name: Unknown(f"{{{{ .Release.{name} }}}}")
               for name in ("Name", "Namespace", "IsInstall", "IsUpgrade", "Revision")}
    release["Service"] = "Helm"
    return {
        "Values": values,
        "Capabilities": CAPABILITIES,
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

    def truths(self, pipe: Pipeline, scope: Scope, site: Site) -> set[bool | None]:
        """The truth of a condition in each of its values (None: not known)."""
        return {
            None if isinstance(a.value, Unknown | Capabilities) else truth(a.value)
            for a in self.pipeline(pipe, scope, site)
        }

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
            # A method (`.Capabilities.APIVersions.Has "x"`, `.Files.Get "x"`): known at
            # install only.
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
        for name in path:
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
            unknown = _first_unknown(plain, name)
            if unknown is not None:
                found.append(Alt(unknown, steps))
                continue
            if name in SHORT_CIRCUIT:
                # Decided by a known argument (see _first_unknown): the unknown ones are
                # passed over.
                plain = [v for v in plain if not isinstance(v, Unknown)]
            try:
                found.append(Alt(function(plain), steps))
            except (NotKnown, TypeError, ValueError, IndexError, KeyError):
                found.append(Alt(Unknown(site.label, site.where), steps))
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
            conds = {None if isinstance(a.value, Unknown) else truth(a.value) for a in piped}
        else:
            conds = self.truths(Pipeline((Command((args[2],)),)), scope, site)
        ident = (*site.ident, next(self._idents))
        shown = head(site.label.removeprefix("{{ ").removesuffix(" }}"))
        found: list[Alt] = []
        for number, side in enumerate((True, False)):
            step = Step(ident, number, f"{shown} ({str(side).lower()})", off=conds == {not side})
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
    return not isinstance(value, Unknown) and not truth(value)


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
    text = None if value is None else printed(value)
    return Unknown(site.label, site.where) if text is None else text
