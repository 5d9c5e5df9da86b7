"""Writing the report into the cluster as PolicyReports: the tool's only write, opt-in.

The package exports the interface; the cluster's side (`publish.cluster`, with its HTTP
transport) and the PolicyReport publisher (`publish.policyreports`) are imported by the run
that publishes, so that a command that does not publish starts without them."""

from upgradecheck.publish.interface import (
    Published,
    Publisher,
    PublishError,
    PublishRefused,
    PublishUnreachable,
    Reach,
    ReportsNotServed,
)

__all__ = [
    "PublishError",
    "PublishRefused",
    "PublishUnreachable",
    "Published",
    "Publisher",
    "Reach",
    "ReportsNotServed",
]
