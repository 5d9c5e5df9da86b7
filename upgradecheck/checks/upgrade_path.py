"""`upgrade-path`: an upgrade of more than one minor release becomes a path of hops."""

from __future__ import annotations

from collections.abc import Iterable

from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rules import RULES_BY_ID
from upgradecheck.model import Finding, Severity


class UpgradePathCheck(Check):
    """One minor release at a time: say so when the target is further away."""

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        if ctx.current is None or len(ctx.hops) <= 1:
            return
        path = " → ".join(str(h) for h in (ctx.current, *ctx.hops))
        yield Finding(
            rule="upgrade-path",
            severity=Severity.INFO,
            message=(
                f"{ctx.current} to {ctx.target} spans {len(ctx.hops)} minor releases; the "
                f"control plane cannot skip any: {path}."
            ),
            remediation=(
                "Upgrade one minor release at a time, completing each hop (control plane, "
                "add-ons, then nodes as skew requires) before the next."
            ),
            hop=str(ctx.hops[0]),
            link=RULES_BY_ID["upgrade-path"].source,
            subject="control plane",
        )
