"""The checks that `assess` runs, in order."""

from __future__ import annotations

from upgradecheck.checks.addon_apis import AddonApiCheck
from upgradecheck.checks.api_lifecycle import ApiLifecycleCheck
from upgradecheck.checks.helm_releases import HelmReleaseCheck
from upgradecheck.checks.interface import Check
from upgradecheck.checks.upgrade_path import UpgradePathCheck


def all_checks() -> tuple[Check, ...]:
    """Every check, each a fresh instance."""
    return (UpgradePathCheck(), ApiLifecycleCheck(), HelmReleaseCheck(), AddonApiCheck())
