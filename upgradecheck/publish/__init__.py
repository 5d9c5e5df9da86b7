"""Writing the report into the cluster as PolicyReports: the tool's only write, opt-in."""

from upgradecheck.publish.cluster import ClusterReports
from upgradecheck.publish.interface import (
    Published,
    Publisher,
    PublishError,
    PublishRefused,
    PublishUnreachable,
    Reach,
    ReportsNotServed,
)
from upgradecheck.publish.policyreports import PolicyReportPublisher

__all__ = [
    "ClusterReports",
    "PolicyReportPublisher",
    "PublishError",
    "PublishRefused",
    "PublishUnreachable",
    "Published",
    "Publisher",
    "Reach",
    "ReportsNotServed",
]
