"""release-eol: the current and the target minor against the release calendar."""

from __future__ import annotations

import datetime as dt

from support.riskfixtures import TODAY, cluster, context, manifests, risk_kb, run

from upgradecheck.checks.interface import CheckContext
from upgradecheck.checks.release_eol import RELEASE_EOL, ReleaseEolCheck
from upgradecheck.knowledge.model import Release
from upgradecheck.model import Severity
from upgradecheck.versions import Minor

CHECK = ReleaseEolCheck()


def calendar(**eol_in_days: int | None) -> tuple[Release, ...]:
    """Releases 1.20 to 1.40; `m26=-3` ends 1.26 three days before TODAY (None: unknown)."""
    releases = []
    for minor in range(20, 41):
        days = eol_in_days.get(f"m{minor}", 400)
        eol = TODAY + dt.timedelta(days=days) if days is not None else None
        releases.append(Release(Minor(1, minor), dt.date(2020, 1, 1), eol))
    return tuple(releases)


def ctx(current: str | None = "1.25", target: str = "1.26", **eol: int | None) -> CheckContext:
    return context(
        cluster(version=f"v{current or '1.25'}.0"),
        current=current,
        target=target,
        kb=risk_kb(releases=calendar(**eol)),
    )


def test_target_past_end_of_life_is_a_warning() -> None:
    [f] = run(CHECK, ctx(m26=-3), RELEASE_EOL)
    assert (f.severity, f.subject, f.hop) == (Severity.WARNING, "Kubernetes 1.26 (target)", None)
    assert "reached end of life on 2026-11-22 (3 days ago)" in f.message
    assert "such as 1.40" in f.remediation


def test_sixty_days_is_the_edge() -> None:
    [f] = run(CHECK, ctx(m26=60), RELEASE_EOL)
    assert "in 60 days" in f.message
    assert run(CHECK, ctx(m26=61), RELEASE_EOL) == []


def test_current_past_end_of_life_is_info() -> None:
    [f] = run(CHECK, ctx(m25=-100), RELEASE_EOL)
    assert (f.severity, f.subject) == (Severity.INFO, "Kubernetes 1.25 (current)")


def test_health_check_of_an_end_of_life_current_version_is_a_warning() -> None:
    # Target = current (no upgrade): the current minor alone, as a warning, worded as today.
    [f] = run(CHECK, ctx(current="1.25", target="1.25", m25=-100), RELEASE_EOL)
    assert (f.severity, f.subject, f.hop) == (Severity.WARNING, "Kubernetes 1.25 (current)", None)
    assert f.message.startswith("The current Kubernetes 1.25 reached end of life")
    assert "after the upgrade" not in f.message and "such as 1.40" in f.remediation


def test_unknown_end_of_life_and_manifest_scans_raise_nothing() -> None:
    assert run(CHECK, ctx(m26=None), RELEASE_EOL) == []
    scan = context(manifests(), current=None, target="1.26", kb=risk_kb(releases=calendar(m26=-3)))
    assert run(CHECK, scan) == []


def test_the_report_date_is_injectable() -> None:
    later = context(
        cluster(version="v1.25.0"),
        current="1.25",
        target="1.26",
        kb=risk_kb(releases=calendar(m26=100)),
        today=TODAY + dt.timedelta(days=50),
    )
    [f] = run(CHECK, later, RELEASE_EOL)
    assert "in 50 days" in f.message
