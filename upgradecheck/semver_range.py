"""Helm's version constraints (the Masterminds/semver v3 syntax of a chart's `kubeVersion`),
judged comparator by comparator as that library does, under either of its pre-release rules:
enough to tell whether a given helm would accept the cluster now and after each hop."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

_PART = r"(?:\d+|[xX*])"
_VERSION_TEXT = (
    rf"v?{_PART}(?:\.{_PART})?(?:\.{_PART})?(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
# Patterns as text, compiled by `re` when first used (and kept in its cache): `scan FILE`
# starts without compiling them.
_VERSION = (
    r"^v?(?P<maj>\d+|[xX*])(?:\.(?P<min>\d+|[xX*]))?(?:\.(?P<pat>\d+|[xX*]))?"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$"
)
_OPS = {"": "=", "=": "=", "!=": "!=", ">": ">", "<": "<", ">=": ">=", "=>": ">=",
        "<=": "<=", "=<": "<=", "~": "~", "~>": "~", "^": "^"}  # fmt: skip
_TERM = rf"(?P<op>>=|=>|<=|=<|!=|~>|[=<>~^])?\s*(?P<ver>{_VERSION_TEXT})"
_SEPARATOR = r"^(?:\s+|\s*,\s*)$"
# `A - B` is the range `>= A, <= B`, rewritten in the text before anything else is read.
_HYPHEN = rf"(?P<low>{_VERSION_TEXT})\s+-\s+(?P<high>{_VERSION_TEXT})"
_WILD = {"x", "X", "*"}
MAX_CONSTRAINT = 1000
"""Longer constraints are refused unread: charts write tens of characters."""


class ConstraintError(ValueError):
    """A constraint that is not in the semver range syntax."""


class PrereleaseRule(StrEnum):
    """How a version with a pre-release part (`1.25.4-eks-abc`, `1.29.3-gke.100`: managed
    platforms put their build there) meets a comparator that names no pre-release."""

    PER_COMPARATOR = "per-comparator"
    """Masterminds/semver before 3.4 (Helm before 3.19): each comparator that names no
    pre-release refuses such a version (a plain `!=` excepted); `>=1.19.0-0 <1.30.0` refuses
    it because `<1.30.0` does."""
    PER_GROUP = "per-group"
    """Masterminds/semver 3.4 and later (Helm 3.19 and later, Helm 4): a group of comparators
    joined by AND considers such a version as soon as one of them names a pre-release;
    otherwise every comparator, `!=` included, refuses it."""


GROUP_RULE_FROM = (3, 19)
"""The first Helm release built with Masterminds/semver 3.4 (its go.mod), whose constraint
check applies the per-group rule (semver's change #267)."""


def rule_for_helm(version: str) -> PrereleaseRule | None:
    """The pre-release rule of a helm binary from the version it reports (`v3.17.2`,
    `v4.1.4+g05fa379`); None when the text is not a version."""
    from packaging.version import Version  # here: `scan FILE` starts without it

    try:
        release = Version(version.strip()).release
    except ValueError:  # InvalidVersion, and int() refusing thousands of digits
        return None
    if len(release) < 2:
        return None
    if release[:2] >= GROUP_RULE_FROM:
        return PrereleaseRule.PER_GROUP
    return PrereleaseRule.PER_COMPARATOR


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

    def release(self) -> SemVer:
        """The same numbers without the pre-release part."""
        return SemVer(self.major, self.minor, self.patch)

    def __str__(self) -> str:
        pre = ".".join(str(p) for _, p in self.pre)
        return f"{self.major}.{self.minor}.{self.patch}" + (f"-{pre}" if pre else "")


def _pre(text: str | None) -> tuple[tuple[int, int | str], ...]:
    if not text:
        return ()
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in text.split("."))


def parse_version(text: str) -> SemVer:
    """`v1.33.2-eks-1` → SemVer(1, 33, 2, pre=eks-1). Missing parts are 0."""
    m = re.match(_VERSION, text.strip())
    if not m or any(m[p] in _WILD for p in ("maj", "min", "pat") if m[p]):
        raise ConstraintError(f"{text!r} is not a version")
    return SemVer(int(m["maj"]), int(m["min"] or 0), int(m["pat"] or 0), _pre(m["pre"]))


@dataclass(frozen=True)
class Comparator:
    """One comparator as written: `>=1.19.0-0`, `~1.25`, `1.2.x`, `!=1.24.0`."""

    op: str
    """The operator: `=`, `!=`, `>`, `<`, `>=`, `<=`, `~` or `^` (aliases folded)."""
    version: SemVer
    """The version it names, wildcard and missing parts as 0."""
    fixed: int
    """How many leading parts are numbers: 3 for `1.2.3`, 2 for `1.2` or `1.2.x`, 1 for
    `1.x`, 0 for `*` (the library treats a missing part like a wildcard)."""

    @property
    def names_pre(self) -> bool:
        """Whether it names a pre-release (`1.19.0-0`)."""
        return self.version.is_pre

    def admits(self, v: SemVer) -> bool:
        """Whether `v` meets it on its numbers, pre-release gate aside."""
        return _CHECKS[self.op](self, v)


def _cmp(a: SemVer, b: SemVer) -> int:
    ka, kb = a.key(), b.key()
    return (ka > kb) - (ka < kb)


def _tilde(c: Comparator, v: SemVer) -> bool:
    con = c.version
    if _cmp(v, con) < 0:
        return False
    if (con.major, con.minor, con.patch) == (0, 0, 0) and c.fixed in (0, 3):
        return True
    if v.major != con.major:
        return False
    return v.minor == con.minor or c.fixed == 1


def _equal(c: Comparator, v: SemVer) -> bool:
    return _tilde(c, v) if c.fixed < 3 else _cmp(v, c.version) == 0


def _not_equal(c: Comparator, v: SemVer) -> bool:
    con = c.version
    if c.fixed < 3:
        if v.major != con.major:
            return True
        if c.fixed == 1:
            return False
        if v.minor != con.minor:
            return True
        if c.fixed == 2:
            return v.pre != con.pre
    return _cmp(v, con) != 0


def _greater(c: Comparator, v: SemVer) -> bool:
    con = c.version
    if c.fixed in (1, 2):
        if v.major != con.major:
            return v.major > con.major
        return c.fixed == 2 and v.minor > con.minor
    return _cmp(v, con) > 0


def _less_equal(c: Comparator, v: SemVer) -> bool:
    con = c.version
    if c.fixed == 3:
        return _cmp(v, con) <= 0
    if v.major != con.major:
        return v.major < con.major
    return v.minor <= con.minor or c.fixed == 1


def _caret(c: Comparator, v: SemVer) -> bool:
    con = c.version
    if _cmp(v, con) < 0:
        return False
    if con.major > 0 or c.fixed == 1:
        return v.major == con.major
    if v.major > 0:
        return False
    if con.minor > 0 or c.fixed == 2:
        return v.minor == con.minor
    return v.minor == 0 and v.patch == con.patch


_CHECKS: dict[str, Callable[[Comparator, SemVer], bool]] = {
    "=": _equal,
    "!=": _not_equal,
    ">": _greater,
    "<": lambda c, v: _cmp(v, c.version) < 0,
    ">=": lambda c, v: _cmp(v, c.version) >= 0,
    "<=": _less_equal,
    "~": _tilde,
    "^": _caret,
}


def _considers_pre(group: tuple[Comparator, ...], c: Comparator, rule: PrereleaseRule) -> bool:
    """Whether comparator `c` of `group` looks at a pre-release version at all."""
    if rule is PrereleaseRule.PER_GROUP:
        return any(other.names_pre for other in group)
    # The older library let a plain `!=` (no wildcard) through without this gate.
    return c.names_pre or (c.op == "!=" and c.fixed == 3)


@dataclass(frozen=True)
class Constraint:
    """A parsed constraint: OR of AND groups of comparators."""

    text: str
    groups: tuple[tuple[Comparator, ...], ...]

    def allows(self, version: SemVer, rule: PrereleaseRule) -> bool:
        """Whether `version` satisfies the constraint under the pre-release `rule`."""
        return any(
            all(
                (not version.is_pre or _considers_pre(group, c, rule)) and c.admits(version)
                for c in group
            )
            for group in self.groups
        )


def _comparator(op: str, text: str) -> Comparator:
    m = re.match(_VERSION, text)
    if not m:
        raise ConstraintError(f"{text!r} is not a version")
    parts = [m["maj"], m["min"], m["pat"]]
    fixed = 0
    for p in parts:
        if p is None or p in _WILD:
            break
        fixed += 1
    nums = [int(p) if i < fixed and p is not None else 0 for i, p in enumerate(parts)]
    return Comparator(_OPS[op], SemVer(nums[0], nums[1], nums[2], _pre(m["pre"])), fixed)


def parse_constraint(text: str) -> Constraint:
    """Parse `>=1.19.0-0 <1.26.0-0`, `^1.20`, `1.2 - 1.4 || >=2`, ..."""
    if len(text) > MAX_CONSTRAINT:  # the range rewrite takes time quadratic in the length
        raise ConstraintError(f"a constraint of {len(text)} characters is not a version range")
    rewritten = re.sub(_HYPHEN, lambda m: f">= {m['low']}, <= {m['high']} ", text)
    groups = []
    for alternative in rewritten.split("||"):
        terms = list(re.finditer(_TERM, alternative))
        if not terms:
            raise ConstraintError(f"{text!r}: empty constraint")
        # Between terms only spaces or one comma; nothing before the first or after the last.
        gaps = [alternative[: terms[0].start()], alternative[terms[-1].end() :]]
        joints = [alternative[a.end() : b.start()] for a, b in itertools.pairwise(terms)]
        if any(g.strip() for g in gaps) or not all(re.match(_SEPARATOR, j) for j in joints):
            raise ConstraintError(f"{text!r} is not a version constraint")
        groups.append(tuple(_comparator(t["op"] or "", t["ver"]) for t in terms))
    return Constraint(text, tuple(groups))
