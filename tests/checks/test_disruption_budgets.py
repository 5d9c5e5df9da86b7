"""pdb-blocks-drain / pdb-matches-nothing: the edges of a PodDisruptionBudget."""

from __future__ import annotations

from typing import Any

import pytest
from support.riskfixtures import cluster, context, deployment, manifests, obj, pod, run

from upgradecheck.checks.disruption_budgets import (
    PDB_BLOCKS_DRAIN,
    PDB_MATCHES_NOTHING,
    DisruptionBudgetCheck,
    Selection,
)
from upgradecheck.checks.rule import Rule
from upgradecheck.model import ObservedObject, Severity, Snapshot

CHECK = DisruptionBudgetCheck()
SELECTOR = {"matchLabels": {"app": "web"}}


def pdb(
    status: dict[str, Any] | None = None,
    api_version: str = "policy/v1",
    selector: Any = SELECTOR,
    **spec: Any,
) -> ObservedObject:
    body: dict[str, Any] = {"spec": {"selector": selector, **spec}}
    if status is not None:
        body["status"] = status
    return obj(api_version, "PodDisruptionBudget", "shop", "web", **body)


def web_pods(n: int = 3) -> list[ObservedObject]:
    return [pod("shop", f"web-{i}", labels={"app": "web"}) for i in range(n)]


def findings(*objects: ObservedObject, snap: Snapshot | None = None) -> dict[Rule, list[Any]]:
    found: dict[Rule, list[Any]] = {PDB_BLOCKS_DRAIN: [], PDB_MATCHES_NOTHING: []}
    for f in run(CHECK, context(snap or cluster(*objects))):
        found[next(r for r in found if r.id == f.rule)].append(f)
    return found


@pytest.mark.parametrize(
    ("max_unavailable", "blocks"), [(0, True), ("0%", True), (1, False), ("10%", False)]
)
def test_max_unavailable_edge(max_unavailable: Any, blocks: bool) -> None:
    found = findings(pdb(maxUnavailable=max_unavailable), *web_pods())
    assert bool(found[PDB_BLOCKS_DRAIN]) is blocks
    if blocks:
        [f] = found[PDB_BLOCKS_DRAIN]
        assert f.severity is Severity.WARNING and f.hop is None
        assert f.evidence[0].location == "spec.maxUnavailable"
        assert f.object is not None and f.object.name == "web"


def test_disruptions_allowed_zero_with_expected_pods_blocks() -> None:
    status = {"disruptionsAllowed": 0, "expectedPods": 3, "currentHealthy": 2}
    [f] = findings(pdb(status, maxUnavailable=1), *web_pods())[PDB_BLOCKS_DRAIN]
    assert [e.location for e in f.evidence] == ["status.disruptionsAllowed"]
    assert "not all healthy" in f.message


def test_disruptions_allowed_zero_with_zero_expected_pods_does_not_block() -> None:
    found = findings(pdb({"disruptionsAllowed": 0, "expectedPods": 0}, maxUnavailable=0))
    assert found[PDB_BLOCKS_DRAIN] == []
    [f] = found[PDB_MATCHES_NOTHING]
    assert f.severity is Severity.INFO and f.evidence[0].location == "status.expectedPods"


def test_status_allowing_disruptions_wins_over_the_spec_reading() -> None:
    status = {"disruptionsAllowed": 1, "expectedPods": 3}
    assert findings(pdb(status, minAvailable=2), *web_pods())[PDB_BLOCKS_DRAIN] == []


@pytest.mark.parametrize(
    ("min_available", "blocks"),
    [(3, True), (4, True), (2, False), ("100%", True), ("90%", True), ("50%", False)],
)
def test_min_available_against_the_workloads_replicas(min_available: Any, blocks: bool) -> None:
    # 90% of 3 rounds up to 3, as the disruption controller rounds.
    web = deployment("shop", "web", replicas=3)
    found = findings(snap=manifests(pdb(minAvailable=min_available), web))
    assert bool(found[PDB_BLOCKS_DRAIN]) is blocks
    if blocks and min_available != "100%":
        assert "replicas of Deployment shop/web" in found[PDB_BLOCKS_DRAIN][0].message


def test_replicas_of_every_workload_the_selector_covers_in_order() -> None:
    # Among other workloads of the namespace (and of another one): only those whose
    # template carries every matchLabels pair and meets the expressions count.
    canary = {"key": "track", "operator": "NotIn", "values": ["canary"]}
    selector = {"matchLabels": {"app": "web", "tier": "front"}, "matchExpressions": [canary]}
    front = {"app": "web", "tier": "front"}
    workloads = [
        deployment("shop", "b-web", replicas=2, labels=front),
        deployment("shop", "a-api", replicas=5, labels={"app": "api", "tier": "front"}),
        deployment("shop", "c-canary", replicas=7, labels={**front, "track": "canary"}),
        deployment("shop", "d-back", replicas=11, labels={"app": "web", "tier": "back"}),
        deployment("other", "e-web", replicas=13, labels=front),
        deployment("shop", "a-web", replicas=1, labels={**front, "track": "stable"}),
    ]
    [f] = findings(snap=manifests(pdb(selector=selector, minAvailable=3), *workloads))[
        PDB_BLOCKS_DRAIN
    ]
    assert "3 pods (replicas of Deployment shop/b-web, Deployment shop/a-web)" in f.message


def test_min_available_against_pods_when_no_workload_is_collected() -> None:
    found = findings(pdb(minAvailable=3), *web_pods(3))
    assert "3 pods (pods selected)" in found[PDB_BLOCKS_DRAIN][0].message
    assert findings(pdb(minAvailable=3), *web_pods(4))[PDB_BLOCKS_DRAIN] == []


def test_min_available_with_nothing_to_count_is_not_judged() -> None:
    assert findings(snap=manifests(pdb(minAvailable=2)))[PDB_BLOCKS_DRAIN] == []


def test_matches_nothing_by_selector_only_when_pods_were_collected() -> None:
    other = pod("shop", "api-0", labels={"app": "api"})
    [f] = findings(pdb(maxUnavailable=1), other)[PDB_MATCHES_NOTHING]
    assert "matches none of the pods collected in shop" in f.message
    assert findings(pdb(maxUnavailable=1), *web_pods())[PDB_MATCHES_NOTHING] == []
    assert findings(snap=manifests(pdb(maxUnavailable=1)))[PDB_MATCHES_NOTHING] == []
    # pods of another namespace do not count
    elsewhere = pod("other", "web-0", labels={"app": "web"})
    assert findings(pdb(maxUnavailable=1), elsewhere)[PDB_MATCHES_NOTHING]


def test_selector_expressions_and_empty_selectors() -> None:
    expr = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "x"]}]}
    assert findings(pdb(selector=expr, maxUnavailable=1), *web_pods())[PDB_MATCHES_NOTHING] == []
    # policy/v1: an empty selector selects every pod of the namespace; v1beta1: none
    assert findings(pdb(selector={}, maxUnavailable=1), *web_pods())[PDB_MATCHES_NOTHING] == []
    v1beta1 = pdb(selector={}, api_version="policy/v1beta1", maxUnavailable=1)
    assert findings(v1beta1, *web_pods())[PDB_MATCHES_NOTHING]


def test_the_selection_narrows_by_indexed_labels_only_and_counts_like_a_full_scan() -> None:
    pods = [
        pod("shop", "a", labels={"app": "web", "tier": "front"}),
        pod("shop", "b", labels={"app": "web", "tier": "back"}),
        pod("shop", "c", labels={"app": "db", "tier": "front"}),
        pod("other", "d", labels={"app": "web", "tier": "front"}),
    ]
    snap = cluster(*pods)
    selectors: list[Any] = [
        {"matchLabels": {"app": "web", "tier": "front"}},
        {"matchLabels": {"tier": "front"}, "matchExpressions": [
            {"key": "app", "operator": "NotIn", "values": ["db"]}]},
        {"matchLabels": {"app": "nothing"}},
        {},
        None,
    ]
    expected = [1, 1, 0, 3, 0]
    # Built for these selectors (only `app` and `tier` indexed), for one of them, for none:
    # the counts are those of a scan of every pod of the namespace.
    for given in (selectors, selectors[2:3], []):
        selection = Selection(snap, given)
        assert [selection.pod_count("shop", s) for s in selectors] == expected, given


def test_labels_of_other_types_are_counted_as_strings_as_a_full_scan_counts_them() -> None:
    # Labels are indexed as read: a value or key another type wrote (YAML's 1 or null)
    # still counts as its string, and a selector key such a key is written as still finds it.
    pods = [
        pod("shop", "a", labels={"app": "web", "port": 80}),  # type: ignore[dict-item]
        pod("shop", "b", labels={"app": None, "1": "x"}),  # type: ignore[dict-item]
        pod("shop", "c", labels={1: "x", None: "y"}),  # type: ignore[dict-item]
        pod("shop", "d", labels={"app": "web", "port": "80"}),
    ]
    pods[3].body["metadata"]["labels"] = [("app", "web")]  # not a mapping: no labels
    selectors: list[Any] = [
        {"matchLabels": {"port": "80"}},
        {"matchLabels": {"app": "None"}},
        {"matchLabels": {"1": "x"}},
        {"matchLabels": {"None": "y", "app": "web"}},
        {"matchLabels": {"None": "y"}},
        {"matchLabels": {"app": "web"}},
    ]
    expected = [1, 1, 2, 0, 1, 1]
    for given in (selectors, selectors[:2], selectors[2:3], []):
        selection = Selection(cluster(*pods), given)
        assert [selection.pod_count("shop", s) for s in selectors] == expected, given


def test_budgets_that_count_their_pods_leave_the_pods_unindexed() -> None:
    # A live cluster's budgets carry status.expectedPods: the check then never indexes the
    # pods' labels (150,000 pods at the envelope), and still finds what the status says.
    pods = web_pods()
    pods[0].body["metadata"]["labels"] = None  # read by nothing, so not an error either
    budgets = [pdb({"expectedPods": 3, "disruptionsAllowed": 0}, minAvailable=3)]
    snap = cluster(*budgets, *pods)
    found = findings(snap=snap)
    assert [f.object.name for f in found[PDB_BLOCKS_DRAIN]] == ["web"]
    selection = Selection(snap, [SELECTOR])
    assert selection.pods_seen
    assert "_pods" not in vars(selection) and "_workloads" not in vars(selection)
    assert selection.pod_count("shop", SELECTOR) == 2  # built when asked
    assert "_pods" in vars(selection)
