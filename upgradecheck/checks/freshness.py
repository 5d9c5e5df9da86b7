"""How much the evidence of a removed apiVersion weighs: a writer that will break on its next
write, a control-plane component upgraded with the cluster, or a leftover annotation.
The decision table is `docs/evidence-freshness.md`; each row has a test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from upgradecheck.checks.usage import Usage
from upgradecheck.model import Evidence, EvidenceSource, Severity

# Managers that are part of the control plane: they are replaced by the upgrade itself and
# write through the new versions afterwards.
CONTROL_PLANE_MANAGERS = frozenset(
    {"kube-controller-manager", "kube-scheduler", "kube-apiserver", "cloud-controller-manager"}
)
_KUBECTL_PREFIX = "kubectl"


@dataclass(frozen=True)
class Judgement:
    """The outcome for one object written in one removed apiVersion."""

    severity: Severity
    """The severity."""
    why: str
    """A sentence explaining the weight given to the evidence ('' when it is plain)."""
    remediation: str = ""
    """What to do instead of migrating the object ('' keeps the migration advice)."""
    stale: bool = False
    """Only a leftover last-applied annotation shows the removed version: the object was
    migrated (`stale-last-applied` rather than `api-removed`)."""


def manager_of(evidence: Evidence) -> str:
    """The manager name of a managedFields evidence (`manager NAME`)."""
    return evidence.location.removeprefix("manager ")


def _age(time: str | None, now: str) -> str:
    if not time:
        return ""
    try:
        then = _utc(dt.datetime.fromisoformat(time.replace("Z", "+00:00")))
        ref = _utc(dt.datetime.fromisoformat(now.replace("Z", "+00:00")))
    except ValueError:
        return f" on {time}"
    days = (ref - then).days
    when = then.date().isoformat()
    return f" on {when} ({days} days before the snapshot)" if days >= 1 else f" on {when}"


def _utc(moment: dt.datetime) -> dt.datetime:
    # A time written without an offset (hand-made or odd input) is read as UTC, the way the
    # API server writes them, so that it can be compared with one that has an offset.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _latest(evidence: tuple[Evidence, ...]) -> Evidence | None:
    dated = [e for e in evidence if e.source is EvidenceSource.MANAGED_FIELDS]
    if not dated:
        return None
    return max(dated, key=lambda e: e.time or "")


def judge_removed(usage: Usage, collected_at: str) -> Judgement:
    """How much the evidence of an object written in an apiVersion the target removes weighs."""
    writers = [e for e in usage.evidence if e.source is EvidenceSource.MANAGED_FIELDS]
    direct = [
        e for e in usage.evidence if e.source in (EvidenceSource.FILE, EvidenceSource.TEMPLATE)
    ]
    if direct:
        return Judgement(Severity.BLOCKER, "")
    if writers:
        clients = [e for e in writers if manager_of(e) not in CONTROL_PLANE_MANAGERS]
        if not clients:
            names = ", ".join(sorted({manager_of(e) for e in writers}))
            return Judgement(
                Severity.INFO,
                f"Only control-plane components ({names}) wrote through {usage.api_version}; "
                "they are upgraded with the control plane and write the new version after.",
            )
        parts = [f"{manager_of(e)} last wrote{_age(e.time, collected_at)}" for e in clients]
        return Judgement(
            Severity.BLOCKER,
            f"Its next write through {usage.api_version} will fail: {'; '.join(parts)}.",
        )
    # Only the last-applied annotation shows this version.
    other_writers = [e for e in usage.others if e.source is EvidenceSource.MANAGED_FIELDS]
    if not other_writers:
        return Judgement(
            Severity.BLOCKER,
            "Only the last-applied annotation shows it; no managedFields tell otherwise.",
        )
    latest = _latest(usage.others)
    assert latest is not None
    return Judgement(
        Severity.WARNING,
        f"Stale last-applied annotation: written in {usage.api_version}, since written in "
        f"{latest.api_version} by {manager_of(latest)}{_age(latest.time, collected_at)}; no "
        "kubectl field manager uses the annotation's version.",
        "Re-apply the manifest in a served version, or remove the annotation (`kubectl "
        "annotate KIND NAME kubectl.kubernetes.io/last-applied-configuration-`), so that the "
        "next `kubectl apply` computes its patch from the right base.",
        stale=True,
    )
