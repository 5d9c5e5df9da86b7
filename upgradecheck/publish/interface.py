"""The publish layer's one interface (Publisher), what a publication returns (Published),
which namespaces a run speaks for (Reach), and its one exception base (PublishError)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from upgradecheck.model import Report


class PublishError(Exception):
    """The report could not be published (the report itself was already written)."""


class ReportsNotServed(PublishError):
    """The cluster does not serve the kind of object the report is published as."""


class PublishRefused(PublishError):
    """The cluster refused a write (forbidden, invalid) or kept failing."""


class PublishUnreachable(PublishError):
    """The cluster could not be reached, or rejected the credentials."""


@dataclass(frozen=True)
class Reach:
    """The namespaces whose earlier reports a run speaks for: those it replaces or, when they
    are now clean, deletes. A report always speaks for the namespaces it has findings in."""

    only: tuple[str, ...] = ()
    """Only these namespaces (empty: every namespace)."""
    excluded: tuple[str, ...] = ()
    """Never these namespaces."""
    partial: bool = False
    """True when the run saw only part of each namespace (a label selector, a snapshot of
    unknown scope): then it speaks for no namespace it has no findings in."""

    def covers(self, namespace: str) -> bool:
        """Whether a clean result in `namespace` means the namespace is clean."""
        if self.partial or namespace in self.excluded:
            return False
        return not self.only or namespace in self.only


@dataclass(frozen=True)
class Published:
    """What a publication did."""

    target: str
    """Where: the API server's address."""
    applied: tuple[str, ...]
    """The objects written, as `Kind namespace/name` or `Kind name`."""
    deleted: tuple[str, ...] = ()
    """The tool's earlier objects removed: namespaces now clean, reports no longer needed."""
    skipped: tuple[str, ...] = ()
    """Objects not written, each with why (their namespace no longer exists)."""
    dry_run: bool = False
    """True when the writes were server-side dry runs: checked, nothing stored."""


class Publisher(ABC):
    """Writes a Report somewhere other tools read it (the cluster, as PolicyReports)."""

    @abstractmethod
    def publish(self, report: Report, reach: Reach) -> Published:  # pragma: no cover
        """Publish `report`, replacing this tool's earlier publication within `reach`;
        PublishError (or one of its kinds) when that fails."""
        raise NotImplementedError
