"""The aggregation: members' reports → the Fleet. Findings grouped by rule and API across
clusters, the fleet's verdict and counts, and the exit code the fleet earns."""

from __future__ import annotations

import datetime as dt

import pytest
from support.fleet_reports import (
    assessed,
    eol,
    failed,
    pdb,
    report,
    small_fleet,
    unreachable,
)

from upgradecheck.exit_codes import ExitCode, FailOn, exit_code
from upgradecheck.fleet.aggregate import build_fleet, group_key
from upgradecheck.fleet.model import Member, Status
from upgradecheck.model import CoverageNote, Finding, ObjectRef, Severity, Verdict

NOW = dt.datetime(2025, 3, 1, 12, 0, 0, 123, tzinfo=dt.UTC)


def test_a_migration_several_clusters_need_is_one_group_naming_each() -> None:
    fleet = build_fleet(small_fleet(), target=None, now=NOW)
    first = fleet.groups[0]
    assert (first.rule, first.api_version, first.kind) == (
        "api-removed",
        "policy/v1beta1",
        "PodDisruptionBudget",
    )
    assert [(s.cluster, s.findings, s.severity, s.hop) for s in first.shares] == [
        ("prod", 2, Severity.BLOCKER, "1.25"),
        ("staging", 1, Severity.BLOCKER, "1.25"),
    ]
    assert first.findings == 3  # the suppressed PDB in prod does not count
    assert (first.replacement, first.removed_in) == ("policy/v1", "1.25")


def test_groups_are_worst_first_then_shared_by_the_most_clusters() -> None:
    fleet = build_fleet(small_fleet(), target="1.25", now=NOW)
    order = [(g.rule, g.api_version or g.subject, len(g.shares)) for g in fleet.groups]
    assert order == [
        ("api-removed", "policy/v1beta1", 2),
        ("api-removed", "flowcontrol.apiserver.k8s.io/v1beta2", 1),
        ("release-eol", "Kubernetes 1.24 (current)", 2),
        ("release-eol", "Kubernetes 1.29 (current)", 1),
    ]


def test_rules_not_about_apis_are_grouped_by_subject_and_link() -> None:
    a = eol("Kubernetes 1.24 (current)")
    other_source = Finding(
        rule="release-eol",
        severity=Severity.WARNING,
        message="m",
        remediation="r",
        subject=a.subject,
        link="https://x.test/",
    )
    assert group_key(a) == ("release-eol", None, None, "Kubernetes 1.24 (current)", a.link)
    assert group_key(a) != group_key(other_source)


def test_requests_the_api_server_saw_are_grouped_by_what_was_requested() -> None:
    seen = Finding(
        rule="api-removed",
        severity=Severity.BLOCKER,
        message="m",
        remediation="r",
        subject="requests to policy/v1beta1 podsecuritypolicies",
        evidence=pdb("a", "b").evidence,
    )
    assert group_key(seen) == (
        "api-removed",
        "policy/v1beta1",
        None,
        "requests to policy/v1beta1 podsecuritypolicies",
        None,
    )


def test_an_api_group_names_the_kind_and_ignores_the_object() -> None:
    one, other = pdb("a", "x"), pdb("b", "y")
    assert group_key(one) == group_key(other)
    moved = Finding(
        rule="api-removed",
        severity=Severity.BLOCKER,
        message="m",
        remediation="r",
        object=ObjectRef("policy/v1beta1", "PodSecurityPolicy", None, "restricted"),
    )
    assert group_key(moved) != group_key(one)


def test_a_replacement_is_shown_only_when_the_whole_group_agrees() -> None:
    stale = [
        Finding(
            rule="stale-last-applied",
            severity=Severity.WARNING,
            message="m",
            remediation="r",
            replacement=to,
            link="L",
        )
        for to in ("apps/v1", "batch/v1")
    ]
    members = [
        assessed("a", report("1.29", "1.30", (stale[0],))),
        assessed("b", report("1.29", "1.30", (stale[1],))),
    ]
    (group,) = build_fleet(members, target=None, now=NOW).groups
    assert len(group.shares) == 2 and group.replacement is None


def test_verdict_counts_and_coverage_of_the_fleet() -> None:
    fleet = build_fleet(small_fleet(), target=None, now=NOW)
    assert fleet.verdict is Verdict.BLOCKED
    assert fleet.summary == {"blocker": 4, "warning": 2, "info": 1}
    assert fleet.unreachable == ("dr",)
    assert [m.name for m in fleet.with_status(Status.FAILED)] == ["snapshots/broken.json"]
    assert [m.name for m in fleet.with_verdict(Verdict.BLOCKED)] == [
        "prod",
        "staging",
        "snapshots/edge.json.gz",
    ]
    assert [n.describe() for n in fleet.coverage] == [
        "prod: resource v1/secrets: 403 Forbidden",
        "dr: cannot reach the API server at https://10.0.0.9:6443: timed out",
        "snapshots/broken.json: invalid JSON at line 1",
    ]
    assert [n.kind for n in fleet.coverage] == ["forbidden", "unreachable", "error"]
    assert fleet.generated_at == "2025-03-01T12:00:00Z"


def test_a_fleet_all_ready_is_ready_and_one_cluster_not_assessed_makes_it_review() -> None:
    clean = [assessed("a", report("1.30", "1.31")), assessed("b", report("1.30", "1.31"))]
    assert build_fleet(clean, target=None).verdict is Verdict.READY
    assert build_fleet([*clean, unreachable("c")], target=None).verdict is Verdict.REVIEW
    assert build_fleet([], target=None).verdict is Verdict.READY


def test_members_keep_their_order_and_their_reports() -> None:
    members = small_fleet()
    fleet = build_fleet(members, target="1.25")
    assert fleet.members == tuple(members) and fleet.target == "1.25"
    assert [m.report for m in fleet.members] == [m.report for m in members]


BLOCKED = assessed("blocked", report("1.24", "1.25", (pdb("a", "b"),)))
WARNED = assessed("warned", report("1.24", "1.25", (eol("Kubernetes 1.24 (current)"),)))
CLEAN = assessed("clean", report("1.30", "1.31"))
GAPPED = assessed(
    "gapped", report("1.30", "1.31", (), (CoverageNote("x", "403", "forbidden"),))
)
BAD_INPUT_INSIDE = assessed(
    "scanned", report("1.30", "1.31", (), (CoverageNote("a.yaml", "not YAML", "error"),))
)


@pytest.mark.parametrize(
    ("members", "fail_on", "code"),
    [
        ([CLEAN, CLEAN], FailOn.BLOCKER, ExitCode.OK),
        ([CLEAN, GAPPED], FailOn.BLOCKER, ExitCode.OK),
        ([CLEAN, BLOCKED], FailOn.BLOCKER, ExitCode.FINDINGS),
        # Findings of a reached cluster win over a cluster that could not be reached.
        ([BLOCKED, unreachable("dr")], FailOn.BLOCKER, ExitCode.FINDINGS),
        ([WARNED, unreachable("dr")], FailOn.WARNING, ExitCode.FINDINGS),
        # Below --fail-on (or with none), the unreachable cluster decides.
        ([WARNED, unreachable("dr")], FailOn.BLOCKER, ExitCode.CLUSTER_UNREACHABLE),
        ([BLOCKED, unreachable("dr")], FailOn.NONE, ExitCode.CLUSTER_UNREACHABLE),
        ([unreachable("a"), unreachable("b")], FailOn.BLOCKER, ExitCode.CLUSTER_UNREACHABLE),
        ([BLOCKED, WARNED], FailOn.NONE, ExitCode.OK),
        # Bad input (a snapshot that cannot be read, bad files inside one) wins, as in scan.
        ([BLOCKED, unreachable("dr"), failed("x.json")], FailOn.BLOCKER, ExitCode.BAD_INPUT),
        ([CLEAN, BAD_INPUT_INSIDE], FailOn.BLOCKER, ExitCode.BAD_INPUT),
    ],
)
def test_the_exit_code_a_fleet_earns(
    members: list[Member], fail_on: FailOn, code: ExitCode
) -> None:
    assert exit_code(build_fleet(members, target=None), fail_on) is code
