"""The phased upgrade plan, built from a Report: what to do, in the order the upgrade needs.

Pure: the same Report always gives the same Plan. Phases: before you start, fix blockers,
review warnings, then for each hop the control plane, add-ons, node pools, verification and
the rollback plan; with no hop (a health check) only what to fix. Commands are real where one
exists (the rehearsal is recorded and compared with upgradecheck's own collect, compare and
assess); UPPERCASE words are placeholders.
"""

from upgradecheck.plan.build import build_plan
from upgradecheck.plan.common import MANAGED_PLATFORMS, count, due_hop, worst
from upgradecheck.plan.hop import pools
from upgradecheck.plan.model import Phase, Plan, Step

__all__ = [
    "MANAGED_PLATFORMS",
    "Phase",
    "Plan",
    "Step",
    "build_plan",
    "count",
    "due_hop",
    "pools",
    "worst",
]
