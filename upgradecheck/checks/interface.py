"""The one interface every check implements, and what it is given."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from upgradecheck.checks.rule import Rule
from upgradecheck.checks.usage import Usage, object_usages
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import CoverageNote, Finding, Snapshot
from upgradecheck.versions import Minor
from upgradecheck.workloads import Workloads


@dataclass(frozen=True)
class CheckContext:
    """What a check sees: the snapshot, the knowledge base and the upgrade's versions."""

    snapshot: Snapshot
    """The snapshot assessed."""
    kb: KnowledgeBase
    """The knowledge base."""
    target: Minor
    """The target minor release."""
    current: Minor | None
    """The current minor release, if known."""
    hops: tuple[Minor, ...]
    """The minors passed through, ending at the target (only the target when current is
    unknown)."""
    today: dt.date | None = None
    """The report date that dated checks (end of life, certificates) measure from; None means
    the day the checks run. Tests set it."""
    unjudged: list[CoverageNote] = field(default_factory=list, compare=False)
    """What the checks read but could not judge (a kube-proxy image tagged 5.24.0, a kubelet
    version that is no version): gaps of the report, gathered by `cannot_judge`."""

    def cannot_judge(self, subject: str, reason: str) -> None:
        """Record that a value of `subject` (an object, a node, a client, a release) could
        not be judged: a coverage gap of the report that names it, never the end of the
        run."""
        self.unjudged.append(CoverageNote(subject, reason, "gap"))

    @cached_property
    def workloads(self) -> Workloads:
        """The snapshot's pods and controllers, indexed once for every check."""
        return Workloads(self.snapshot)

    @cached_property
    def usages(self) -> tuple[Usage, ...]:
        """Every (object, authored apiVersion) pair of the objects written in some version
        the knowledge base tracks (a built-in or an add-on API's lifecycle), computed once
        for every check. Objects written only in untracked versions are left out: no check
        reads their pairs."""
        kb = self.kb

        def tracked(api_version: str, kind: str) -> bool:
            return (
                kb.api(api_version, kind) is not None
                or kb.addon_api(api_version, kind) is not None
            )

        return tuple(object_usages(self.snapshot, tracked))

    @property
    def report_date(self) -> dt.date:
        """`today`, or the current date when it was not given."""
        return self.today if self.today is not None else dt.date.today()

    def hop_for(self, release: Minor) -> Minor | None:
        """The hop in which something that starts at `release` first bites; None when it is
        already in effect at the current version (wrong today, whatever the target)."""
        if self.current is not None and release <= self.current:
            return None
        if self.current is None or not self.hops or release > self.hops[0]:
            return release
        return self.hops[0]

    @property
    def first_hop(self) -> Minor | None:
        """The first hop, or None when the target is the current version (a health check of
        the cluster as it is: no hop at all)."""
        return self.hops[0] if self.hops else None


class Check(ABC):
    """A family of rules: reads the context, yields findings. Pure: no I/O."""

    rules: ClassVar[tuple[Rule, ...]]
    """Every rule its findings are raised under, declared in its module (the rule table,
    `docs/rules.md` and `upgradecheck rules` are gathered from these)."""

    @abstractmethod
    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        """The findings of this check."""
