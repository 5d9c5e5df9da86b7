"""Kubernetes minor versions: parsing what users and servers write, and stepping between them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# At most 9 digits a number: longer ones are no release, and Python refuses to read numbers
# of thousands of digits (a ValueError that is not a VersionError).
_VERSION = re.compile(
    r"^\s*v?(?P<major>\d{1,9})\.(?P<minor>\d{1,9})(?:\.(?P<patch>\d{1,9}))?"
    r"(?P<rest>[-+][0-9A-Za-z.+_-]*)?\s*$"
)


class VersionError(ValueError):
    """A version string that is not a Kubernetes version."""


@dataclass(frozen=True, order=True)
class Minor:
    """A Kubernetes minor release, such as 1.33; ordered, hashable, printed as `1.33`."""

    major: int
    """The major version (1 for every Kubernetes release so far)."""
    minor: int
    """The minor version."""

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def next(self) -> Minor:
        """The following minor release."""
        return Minor(self.major, self.minor + 1)

    def previous(self) -> Minor:
        """The preceding minor release."""
        if self.minor == 0:
            raise VersionError(f"no minor release before {self}")
        return Minor(self.major, self.minor - 1)

    def plus(self, n: int) -> Minor:
        """The minor release `n` steps later (earlier when `n` is negative)."""
        if self.minor + n < 0:
            raise VersionError(f"no minor release {n} steps from {self}")
        return Minor(self.major, self.minor + n)

    def minus(self, other: Minor) -> int:
        """How many minor releases `self` is after `other` (negative when before)."""
        if self.major != other.major:
            raise VersionError(f"cannot compare {self} with {other}: different major versions")
        return self.minor - other.minor


def parse_minor(text: str) -> Minor:
    """Parse `1.33`, `v1.33`, `1.33.2`, `v1.33.2-eks-1234` into the minor release `1.33`."""
    match = _VERSION.match(str(text))
    if not match:
        raise VersionError(
            f"{text!r} is not a Kubernetes version (expected e.g. 1.33, v1.33 or 1.33.2)"
        )
    return Minor(int(match["major"]), int(match["minor"]))


def minor_or_none(text: str | None) -> Minor | None:
    """The minor release of a version read from a cluster or a report
    (`v1.23.17-eks-a59e1f0`), None when absent or not a Kubernetes version."""
    if not text:
        return None
    try:
        return parse_minor(text)
    except VersionError:
        return None


def minor_key(text: str | None) -> tuple[int, int]:
    """A sort key for a version string by its minor; absent and unreadable ones sort first."""
    minor = minor_or_none(text)
    return (minor.major, minor.minor) if minor else (-1, -1)


def parse_patch(text: str) -> tuple[Minor, int | None]:
    """Parse a version into its minor release and patch number (None when absent)."""
    match = _VERSION.match(str(text))
    if not match:
        raise VersionError(f"{text!r} is not a Kubernetes version")
    patch = int(match["patch"]) if match["patch"] is not None else None
    return Minor(int(match["major"]), int(match["minor"])), patch


def hops(current: Minor, target: Minor) -> tuple[Minor, ...]:
    """Every minor release the control plane passes through, one at a time, ending at target."""
    steps = target.minus(current)
    return tuple(current.plus(i) for i in range(1, steps + 1))
