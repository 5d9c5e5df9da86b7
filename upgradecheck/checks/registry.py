"""The checks that `assess` runs, in order."""

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


def all_checks() -> tuple[Check, ...]:
    """Every check, each a fresh instance."""
    return (
        UpgradePathCheck(),
        ApiLifecycleCheck(),
        HelmReleaseCheck(),
        HelmStateCheck(),
        AddonApiCheck(),
        CrdStoredVersionCheck(),
        # The risk checks (issue 4).
        NodeSkewCheck(),
        ControlPlaneSkewCheck(),
        ClientSkewCheck(),
        ReleaseEolCheck(),
        RemovedFeatureCheck(),
        DisruptionBudgetCheck(),
        DrainCheck(),
        WebhookCheck(),
        CertificateCheck(),
        HealthCheck(),
        RollbackCheck(),
    )
