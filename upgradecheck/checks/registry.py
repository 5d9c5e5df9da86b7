"""The checks that `assess` runs, in order; the rule table is gathered from them in the same
order."""

from __future__ import annotations

from upgradecheck.checks.addon_apis import AddonApiCheck
from upgradecheck.checks.api_lifecycle import ApiLifecycleCheck
from upgradecheck.checks.certificates import CertificateCheck
from upgradecheck.checks.client_skew import ClientSkewCheck
from upgradecheck.checks.control_plane_skew import ControlPlaneSkewCheck
from upgradecheck.checks.crd_storage import CrdStoredVersionCheck
from upgradecheck.checks.disruption_budgets import DisruptionBudgetCheck
from upgradecheck.checks.drain import DrainCheck
from upgradecheck.checks.health import HealthCheck
from upgradecheck.checks.helm_releases import HelmReleaseCheck
from upgradecheck.checks.helm_state import HelmStateCheck
from upgradecheck.checks.interface import Check
from upgradecheck.checks.node_skew import NodeSkewCheck
from upgradecheck.checks.release_eol import ReleaseEolCheck
from upgradecheck.checks.removed_features import RemovedFeatureCheck
from upgradecheck.checks.rollback import RollbackCheck
from upgradecheck.checks.upgrade_path import UpgradePathCheck
from upgradecheck.checks.webhooks import WebhookCheck

CHECKS: tuple[type[Check], ...] = (
    # The APIs objects are written in, Helm's records of them, and the upgrade path.
    ApiLifecycleCheck,
    AddonApiCheck,
    HelmReleaseCheck,
    CrdStoredVersionCheck,
    HelmStateCheck,
    UpgradePathCheck,
    # Version skew, end of life and removed behaviour; then what stalls the upgrade
    # (drains, webhooks, certificates) and the baseline of what is already broken.
    NodeSkewCheck,
    ControlPlaneSkewCheck,
    ClientSkewCheck,
    ReleaseEolCheck,
    RemovedFeatureCheck,
    DisruptionBudgetCheck,
    DrainCheck,
    WebhookCheck,
    CertificateCheck,
    HealthCheck,
    RollbackCheck,
)
"""Every check, in the order they run and their rules are documented."""


def all_checks() -> tuple[Check, ...]:
    """Every check, each a fresh instance."""
    return tuple(check() for check in CHECKS)
