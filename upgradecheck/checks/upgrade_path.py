"""`upgrade-path`: an upgrade of more than one minor release becomes a path of hops."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.model import Finding, Severity


def _plan_step(findings: Sequence[Finding]) -> tuple[str, None]:
    return "Upgrade one minor version at a time, completing each hop before the next.", None


UPGRADE_PATH = Rule(
    id="upgrade-path",
    title="Upgrade spans more than one minor release",
    what="The target is more than one minor release ahead of the current version.",
    why="The control plane must not skip minor releases: each hop is a separate upgrade "
    "with its own removals and skew limits.",
    fix="Upgrade one minor release at a time, following the plan's hops in order.",
    source="https://kubernetes.io/releases/version-skew-policy/#supported-component-upgrade-order",
    severity=Severity.INFO,
    plan_step=_plan_step,
)


class UpgradePathCheck(Check):
    """One minor release at a time: say so when the target is further away."""

    rules = (UPGRADE_PATH,)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        if ctx.current is None or len(ctx.hops) <= 1:
            return
        path = " → ".join(str(h) for h in (ctx.current, *ctx.hops))
        yield UPGRADE_PATH.finding(
            (
                f"{ctx.current} to {ctx.target} spans {len(ctx.hops)} minor releases; the "
                f"control plane cannot skip any: {path}."
            ),
            (
                "Upgrade one minor release at a time, completing each hop (control plane, "
                "add-ons, then nodes as skew requires) before the next."
            ),
            hop=ctx.hops[0],
            subject="control plane",
        )
