"""Helm's version constraints (the Masterminds/semver v3 syntax of a chart's `kubeVersion`):
enough of it to tell whether `helm upgrade` would accept the cluster after each hop."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(
    r"^v?(?P<maj>\d+|[xX*])(?:\.(?P<min>\d+|[xX*]))?(?:\.(?P<pat>\d+|[xX*]))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_TERM = re.compile(r"(?P<op>>=|=>|<=|=<|!=|~>|[=<>~^])?\s*(?P<ver>[^\s,<>=!~^][^\s,]*)")
_WILD = {"x", "X", "*"}


class ConstraintError(ValueError):
    """A constraint that is not in the semver range syntax."""


@dataclass(frozen=True, order=True)
class SemVer:
    """A semantic version; prerelease sorts before the release."""

    major: int
    minor: int
    patch: int
    pre: tuple[tuple[int, int | str], ...] = ()

    @property
    def is_pre(self) -> bool:
        return bool(self.pre)

    def key(self) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
        # A release (no prerelease) sorts after every prerelease of the same version.
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, self.pre)


def _pre(text: str | None) -> tuple[tuple[int, int | str], ...]:
    if not text:
        return ()
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in text.split("."))


def parse_version(text: str) -> SemVer:
    """`v1.33.2-eks-1` → SemVer(1, 33, 2, pre=eks-1). Missing parts are 0."""
    m = _VERSION.match(text.strip())
    if not m or any(m[p] in _WILD for p in ("maj", "min", "pat") if m[p]):
        raise ConstraintError(f"{text!r} is not a version")
    return SemVer(int(m["maj"]), int(m["min"] or 0), int(m["pat"] or 0), _pre(m["pre"]))


@dataclass(frozen=True)
class _Bound:
    op: str
    version: SemVer

    def allows(self, v: SemVer) -> bool:
        # A prerelease version only matches bounds that name a prerelease themselves: that is
        # why charts write `>=1.19.0-0` (EKS and GKE versions carry a prerelease suffix).
        if v.is_pre and not self.version.is_pre:
            return False
        a, b = v.key(), self.version.key()
        return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "=": a == b, "!=": a != b}[
            self.op
        ]


def _expand(op: str, text: str) -> list[_Bound]:
    m = _VERSION.match(text)
    if not m:
        raise ConstraintError(f"{text!r} is not a version")
    parts = [m["maj"], m["min"], m["pat"]]
    fixed = 0
    for p in parts:
        if p is None or p in _WILD:
            break
        fixed += 1
    nums = [int(p) if p is not None and p not in _WILD else 0 for p in parts]
    pre = _pre(m["pre"])
    low = SemVer(nums[0], nums[1], nums[2], pre)

    def up(level: int) -> SemVer:  # the next version at `level`, as a prerelease floor
        bumped = [nums[0] + 1, 0, 0] if level == 0 else [nums[0], nums[1] + 1, 0]
        return SemVer(bumped[0], bumped[1], bumped[2], ((0, 0),))

    if op in ("", "=") and fixed == 0:
        return []  # `*`: anything
    if op in ("", "=") and fixed < 3:
        floor = SemVer(nums[0], nums[1], nums[2], ((0, 0),))
        return [_Bound(">=", floor), _Bound("<", up(fixed - 1))]
    if op == "~" or op == "~>":
        level = 0 if fixed <= 1 else 1
        return [_Bound(">=", low), _Bound("<", up(level))]
    if op == "^":
        level = 0 if nums[0] > 0 or fixed <= 1 else 1
        return [_Bound(">=", low), _Bound("<", up(level))]
    if fixed < 3 and op in ("<=", ">"):
        # `<=1.2` is `<1.3.0`, `>1.2` is `>=1.3.0`
        bound = up(max(fixed - 1, 0))
        return [_Bound("<" if op == "<=" else ">=", bound)]
    return [_Bound(op, low)]


@dataclass(frozen=True)
class Constraint:
    """A parsed constraint: OR of AND groups of bounds."""

    text: str
    groups: tuple[tuple[_Bound, ...], ...]

    def allows(self, version: SemVer) -> bool:
        """Whether `version` satisfies the constraint."""
        return any(all(b.allows(version) for b in group) for group in self.groups)


def parse_constraint(text: str) -> Constraint:
    """Parse `>=1.19.0-0 <1.26.0-0`, `^1.20`, `1.2 - 1.4 || >=2`, ..."""
    groups = []
    for alternative in text.split("||"):
        alternative = alternative.strip()
        hyphen = re.fullmatch(r"(\S+)\s+-\s+(\S+)", alternative)
        if hyphen:
            bounds = [_Bound(">=", parse_version(hyphen[1])), *_expand("<=", hyphen[2])]
            groups.append(tuple(bounds))
            continue
        bounds = []
        rest = alternative.replace(",", " ").strip()
        if not rest:
            raise ConstraintError(f"{text!r}: empty constraint")
        terms = list(_TERM.finditer(rest))
        if "".join(m[0] for m in terms).replace(" ", "") != rest.replace(" ", ""):
            raise ConstraintError(f"{text!r} is not a version constraint")
        for m in terms:
            bounds.extend(_expand(m["op"] or "", m["ver"]))
        groups.append(tuple(bounds))
    return Constraint(text, tuple(groups))
