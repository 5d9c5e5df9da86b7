"""Which findings an exception suppresses, when it expires, and what assess makes of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from support.exception_fixtures import TODAY, config, finding, observed, snapshot, subject_finding

from upgradecheck.assess import assess
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.exit_codes import ExitCode, FailOn, exit_code
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import Finding, Severity, Suppression, Verdict
from upgradecheck.suppress import apply_exceptions

NOON = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)


def rules(findings: Iterable[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.object.display() if f.object else f.subject or "") for f in findings]


def test_by_namespace() -> None:
    found = [finding("single-replica", namespace="batch"), finding("single-replica")]
    cfg = config("exceptions:\n- {rule: single-replica, namespaces: [batch], reason: ok}\n")
    applied = apply_exceptions(found, cfg, snapshot(), TODAY)
    assert rules(applied.findings) == [("single-replica", "Deployment shop/web")]
    [hidden] = applied.suppressed
    assert hidden.object is not None and hidden.object.namespace == "batch"
    assert hidden.suppression == Suppression("ok", None, ".upgradecheck.yaml:2")
    assert applied.notes == ()


def test_by_object_whatever_its_api_version_or_kind_case() -> None:
    found = [
        finding("api-removed", "Ingress", "shop", "storefront"),
        finding("api-removed", "Ingress", "shop", "admin"),
        finding("api-removed", "ClusterRole", None, "legacy"),
    ]
    cfg = config(
        "exceptions:\n- rule: api-removed\n  reason: r\n"
        "  objects: [ingress shop/storefront, ClusterRole legacy]\n"
    )
    applied = apply_exceptions(found, cfg, snapshot(), TODAY)
    assert rules(applied.findings) == [("api-removed", "Ingress shop/admin")]
    assert len(applied.suppressed) == 2


def test_by_labels_read_from_the_snapshot() -> None:
    snap = snapshot(
        observed("Deployment", "shop", "etl", team="data", tier="batch"),
        observed("Deployment", "shop", "web", team="web"),
    )
    found = [finding("image-latest", name="etl"), finding("image-latest", name="web")]
    cfg = config("exceptions:\n- {rule: image-latest, labels: {team: data}, reason: r}\n")
    applied = apply_exceptions(found, cfg, snap, TODAY)
    assert rules(applied.findings) == [("image-latest", "Deployment shop/web")]


def test_an_object_not_in_the_snapshot_has_no_labels() -> None:
    cfg = config("exceptions:\n- {rule: image-latest, labels: {team: data}, reason: r}\n")
    applied = apply_exceptions([finding("image-latest")], cfg, snapshot(), TODAY)
    assert applied.suppressed == () and len(applied.notes) == 1


def test_every_selector_given_must_hold() -> None:
    snap = snapshot(observed("Deployment", "batch", "etl", team="data"))
    found = [finding("single-replica", namespace="batch", name="etl")]
    both = (
        "exceptions:\n"
        "- {rule: single-replica, namespaces: [batch], labels: {team: %s}, reason: r}\n"
    )
    assert len(apply_exceptions(found, config(both % "data"), snap, TODAY).suppressed) == 1
    assert apply_exceptions(found, config(both % "web"), snap, TODAY).suppressed == ()


def test_any_rule_and_rule_wide_exceptions() -> None:
    found = [
        finding("image-latest", namespace="sandbox"),
        finding("single-replica", namespace="sandbox"),
        subject_finding("kubectl-skew", "kubectl /usr/bin/kubectl"),
        subject_finding("kubelet-skew", "node pool legacy"),
    ]
    cfg = config(
        "exceptions:\n"
        "- {rule: '*', namespaces: [sandbox], reason: throwaway}\n"
        "- {rule: kubectl-skew, reason: CI pins its own kubectl}\n"
    )
    applied = apply_exceptions(found, cfg, snapshot(), TODAY)
    assert rules(applied.findings) == [("kubelet-skew", "node pool legacy")]
    assert [f.suppression.reason for f in applied.suppressed if f.suppression] == [
        "throwaway",
        "throwaway",
        "CI pins its own kubectl",
    ]


def test_a_selector_never_matches_a_finding_without_an_object() -> None:
    cfg = config("exceptions:\n- {rule: '*', namespaces: [shop], reason: r}\n")
    applied = apply_exceptions([subject_finding("kubelet-skew", "pool")], cfg, snapshot(), TODAY)
    assert applied.suppressed == ()


def test_the_first_matching_exception_gives_the_reason() -> None:
    cfg = config(
        "exceptions:\n"
        "- {rule: image-latest, namespaces: [shop], reason: first}\n"
        "- {rule: '*', namespaces: [shop], reason: second}\n"
    )
    applied = apply_exceptions([finding("image-latest")], cfg, snapshot(), TODAY)
    assert [f.suppression.reason for f in applied.suppressed if f.suppression] == ["first"]
    assert applied.notes == ()  # the second matched too, so it is not "unused"


def test_an_exception_applies_on_its_expiry_date_and_not_after() -> None:
    cfg = config(
        "exceptions:\n- {rule: image-latest, namespaces: [shop], reason: r, expires: 2026-03-31}\n"
    )
    found = [finding("image-latest"), finding("image-latest", name="api")]
    on_the_day = apply_exceptions(found, cfg, snapshot(), dt.date(2026, 3, 31))
    assert len(on_the_day.suppressed) == 2 and on_the_day.notes == ()
    assert on_the_day.suppressed[0].suppression is not None
    assert on_the_day.suppressed[0].suppression.expires == "2026-03-31"
    day_after = apply_exceptions(found, cfg, snapshot(), dt.date(2026, 4, 1))
    assert day_after.suppressed == () and len(day_after.findings) == 2
    [note] = day_after.notes
    assert note.kind == "note" and note.subject == ".upgradecheck.yaml:2"
    assert note.reason == (
        "the exception for image-latest for namespaces shop expired on 2026-03-31: "
        "the 2 findings it covered count again"
    )


def test_an_expired_exception_gives_way_to_a_later_one() -> None:
    cfg = config(
        "exceptions:\n"
        "- {rule: image-latest, namespaces: [shop], reason: old, expires: 2020-01-01}\n"
        "- {rule: image-latest, namespaces: [shop], reason: new}\n"
    )
    applied = apply_exceptions([finding("image-latest")], cfg, snapshot(), TODAY)
    assert [f.suppression.reason for f in applied.suppressed if f.suppression] == ["new"]
    assert "expired on 2020-01-01: the finding it covered counts again" in applied.notes[0].reason


def test_an_exception_matching_nothing_is_noted() -> None:
    cfg = config("exceptions:\n- {rule: pdb-blocks-drain, namespaces: [gone], reason: r}\n")
    [note] = apply_exceptions([finding("image-latest")], cfg, snapshot(), TODAY).notes
    assert note.kind == "note"
    assert note.describe() == (
        ".upgradecheck.yaml:2: the exception for pdb-blocks-drain for namespaces gone matched "
        "no finding: fix or remove it"
    )


class Fixed(Check):
    """A check that raises the findings it was given."""

    def __init__(self, *found: Finding) -> None:
        self.found = found

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        return self.found


def test_assess_leaves_suppressed_findings_out_of_the_verdict(kb: KnowledgeBase) -> None:
    checks = [
        Fixed(
            finding("api-removed", severity=Severity.BLOCKER, namespace="legacy"),
            finding("image-latest", severity=Severity.WARNING),
        )
    ]
    cfg = config(
        "exceptions:\n"
        "- {rule: api-removed, namespaces: [legacy], reason: decommissioned next week}\n"
        "- {rule: image-latest, namespaces: [shop], reason: r, expires: 2026-01-01}\n"
    )
    report = assess(snapshot(), kb, target="1.30", checks=checks, now=NOON, exceptions=cfg)
    assert rules(report.findings) == [("image-latest", "Deployment shop/web")]
    assert rules(report.suppressed) == [("api-removed", "Deployment legacy/web")]
    assert report.summary == {"blocker": 0, "warning": 1, "info": 0}
    assert report.verdict is Verdict.REVIEW
    assert exit_code(report, FailOn.BLOCKER) is ExitCode.OK
    assert exit_code(report, FailOn.WARNING) is ExitCode.FINDINGS
    [note] = report.notes
    assert "expired on 2026-01-01" in note.reason and report.gaps == ()


def test_assess_without_exceptions_suppresses_nothing(kb: KnowledgeBase) -> None:
    checks = [Fixed(finding("api-removed", severity=Severity.BLOCKER))]
    report = assess(snapshot(), kb, target="1.30", checks=checks, now=NOON)
    assert report.suppressed == () and report.verdict is Verdict.BLOCKED
