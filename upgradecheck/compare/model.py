"""The comparison of two snapshots: what crosses from compare to its renderers, as a Report
does from assess. Plain frozen values only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from upgradecheck.model import CoverageNote, ObjectRef, Result, Severity, Verdict

COMPARE_SCHEMA = "upgradecheck.compare/v1"


class CompareMode(StrEnum):
    """What the two snapshots are: one cluster before and after its upgrade, or production
    and the test cluster that rehearses its upgrade."""

    REHEARSAL = "rehearsal"
    FIDELITY = "fidelity"


@dataclass(frozen=True)
class CompareCheck:
    """One thing compare looks at, declared beside the code that looks: the id its differences
    carry and the title of their section."""

    id: str
    """The stable kebab-case id, each of its differences' `check`."""
    title: str
    """The title of its section in the documents, e.g. `Workloads no longer ready`."""


SERVER_VERSION = CompareCheck("server-version", "Server version")
"""Both comparisons look at the API server's version first."""


@dataclass(frozen=True)
class Side:
    """One of the two snapshots, summarised."""

    label: str
    """`before` or `after` (rehearsal); `production` or `test` (fidelity)."""
    file: str
    """The snapshot file, as named on the command line (empty when not read from a file)."""
    collected_at: str
    """When it was collected (ISO 8601)."""
    server_version: str | None
    """The API server's `gitVersion`, if collected from a cluster."""
    platform: str | None
    """The recognised platform (eks, gke, k3s, ...), if collected from a cluster."""
    context: str | None
    """The kubeconfig context it was collected through."""
    nodes: int
    """How many nodes it holds."""
    objects: int
    """How many objects it holds."""


@dataclass(frozen=True)
class Difference:
    """One thing that differs between the two snapshots, judged."""

    check: str
    """The id of the CompareCheck that found it, e.g. `workload-not-ready`."""
    severity: Severity
    """blocker (something broke, or the rehearsal is not of the same upgrade), warning, info."""
    subject: str
    """What differs: `Deployment shop/web`, `node ip-10-0-1-2`, `API server`, ..."""
    message: str
    """What it means, in one sentence."""
    before: str | None = None
    """Its state in the first snapshot (before, or production), for people."""
    after: str | None = None
    """Its state in the second snapshot (after, or test), for people."""
    object: ObjectRef | None = None
    """The object concerned, if any."""


@dataclass(frozen=True)
class Comparison(Result):
    """Everything the compare renderers receive."""

    mode: CompareMode
    """rehearsal or fidelity."""
    before: Side
    """The first snapshot (before the upgrade, or production)."""
    after: Side
    """The second snapshot (after the upgrade, or the test cluster)."""
    verdict: Verdict
    """blocked with any blocker; review with warnings or coverage gaps; else ready."""
    differences: tuple[Difference, ...]
    """Every difference, worst first, then by check and subject."""
    coverage: tuple[CoverageNote, ...]
    """What either snapshot could not see (subjects prefixed with the side's label)."""
    generated_at: str
    """When the comparison was made (ISO 8601, UTC)."""
    tool_version: str
    """The upgradecheck version."""
    checks: tuple[CompareCheck, ...] = ()
    """What the mode compares, in the order its sections are shown."""

    def severities(self) -> Iterator[Severity]:
        """The severity of each difference."""
        return (d.severity for d in self.differences)
