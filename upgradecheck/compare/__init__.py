"""compare: two snapshots side by side. Rehearsal verification (one cluster before and after
its upgrade: what broke) and rehearsal fidelity (production and its test cluster: what the
rehearsal cannot show)."""

from __future__ import annotations

from upgradecheck.compare.core import (
    CHECKS,
    CompareError,
    compare_snapshots,
)
from upgradecheck.compare.model import (
    COMPARE_SCHEMA,
    CompareCheck,
    CompareMode,
    Comparison,
    Difference,
    Side,
)

__all__ = [
    "CHECKS",
    "COMPARE_SCHEMA",
    "CompareCheck",
    "CompareError",
    "CompareMode",
    "Comparison",
    "Difference",
    "Side",
    "compare_snapshots",
]
