"""build_plan: phases in upgrade order, one step per distinct fix, blockers gated per hop."""

from __future__ import annotations

from dataclasses import replace

from support.render_reports import bulk, empty, realistic

from upgradecheck.assess import assess
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.model import (
    ClusterInfo,
    Evidence,
    EvidenceSource,
    NodeInfo,
    ObjectRef,
    ObservedObject,
    Severity,
    Snapshot,
)
from upgradecheck.plan import Plan, Step, build_plan, due_hop


def keys(plan: Plan) -> list[str]:
    return [p.key for p in plan.phases]


def phase(plan: Plan, key: str) -> tuple[Step, ...]:
    return next(p.steps for p in plan.phases if p.key == key)


def commands(plan: Plan, key: str) -> list[str]:
    return [s.command for s in phase(plan, key) if s.command]


def test_phases_follow_the_upgrade_order() -> None:
    assert keys(build_plan(realistic())) == [
        "before",
        "fix-blockers",
        "review-warnings",
        *(
            f"{stage}-{hop}"
            for hop in ("1.30", "1.31")
            for stage in ("control-plane", "addons", "nodes", "verify", "rollback")
        ),
    ]


def test_titles_name_the_hop() -> None:
    titles = [p.title for p in build_plan(realistic()).phases]
    assert titles[:4] == [
        "Before you start",
        "Fix blockers",
        "Review warnings",
        "Control plane to 1.30",
    ]
    assert "Node pools to 1.31" in titles and "Rollback plan for 1.31" in titles


def test_a_clean_report_has_no_fix_phases() -> None:
    assert keys(build_plan(empty()))[:2] == ["before", "control-plane-1.30"]


def test_one_fix_step_per_distinct_migration() -> None:
    steps = phase(build_plan(realistic()), "fix-blockers")
    assert [s.text for s in steps] == [
        "Migrate 2 PodDisruptionBudget objects from policy/v1beta1 to policy/v1 (served since "
        "1.21).",
        "Upgrade 1 Helm release that deployed 1 CronJob object in batch/v1beta1 to chart "
        "versions that use batch/v1.",
        "Upgrade the kubelet on node worker-legacy-1 (outside the version skew policy for 1.31).",
    ]
    migrate, helm, kubelet = steps
    assert [f.object.name for f in migrate.findings if f.object] == ["web", "api"]
    assert migrate.command == (
        "kubectl convert -f FILE --output-version policy/v1  # the kubectl-convert plugin"
    )
    assert helm.command == "helm mapkubeapis invoicer --namespace billing"
    # the removed API is wrong today (no hop): due before any hop; the kubelet before 1.31
    assert (migrate.hop, kubelet.hop) == (None, "1.31")
    assert all(s.severity is Severity.BLOCKER for s in steps)


def test_many_findings_make_one_step() -> None:
    steps = phase(build_plan(bulk(500, namespaces=7)), "fix-blockers")
    assert len(steps) == 1
    assert steps[0].text.startswith("Migrate 500 PodDisruptionBudget objects")
    assert len(steps[0].findings) == 500


def test_blockers_are_gated_before_the_hop_they_bite_in() -> None:
    plan = build_plan(realistic())
    gate_30 = phase(plan, "control-plane-1.30")[0]
    gate_31 = phase(plan, "control-plane-1.31")[0]
    assert {f.rule for f in gate_30.findings} == {"api-removed", "helm-release-removed-api"}
    assert [f.rule for f in gate_31.findings] == ["kubelet-skew"]
    assert gate_30.command == "upgradecheck plan --target 1.30 --fail-on blocker"


def test_due_hop() -> None:
    hops = ("1.30", "1.31")
    assert due_hop("1.25", hops) == "1.30"  # already gone: before the first hop
    assert due_hop("1.31", hops) == "1.31"
    assert due_hop("1.32", hops) == "1.32"  # after the target: keeps its own
    assert due_hop(None, hops) is None


def test_managed_platform_commands() -> None:
    plan = build_plan(realistic())
    assert "aws eks update-cluster-version --name CLUSTER --kubernetes-version 1.30" in commands(
        plan, "control-plane-1.30"
    )
    nodes = commands(plan, "nodes-1.31")
    assert (
        "aws eks update-nodegroup-version --cluster-name CLUSTER --nodegroup-name legacy "
        "--kubernetes-version 1.31"
    ) in nodes
    assert "kubectl drain NODE --ignore-daemonsets --delete-emptydir-data" in nodes
    assert "velero backup create before-1.31" in commands(plan, "before")


def test_self_managed_commands() -> None:
    report = replace(realistic(), cluster=ClusterInfo("v1.29.4", "unknown"))
    plan = build_plan(report)
    control = commands(plan, "control-plane-1.30")
    assert any(
        c.startswith("sudo ETCDCTL_API=3 etcdctl snapshot save etcd-before-1.30.db")
        for c in control
    )
    assert "sudo kubeadm upgrade apply v1.30.PATCH" in control
    assert "kubectl get --raw '/readyz?verbose'" in control
    assert any(
        "etcdutl snapshot restore etcd-before-1.30.db" in c for c in commands(plan, "rollback-1.30")
    )


def test_node_pools_come_from_the_report() -> None:
    texts = [s.text for s in phase(build_plan(realistic()), "nodes-1.30")]
    assert any(
        "node pool general to 1.30: 2 nodes (ip-10-0-1-12, ip-10-0-1-13)" in t for t in texts
    )
    assert any("node pool legacy" in t for t in texts)
    without = [s.text for s in phase(build_plan(empty()), "nodes-1.30")]
    assert "List the node pools and upgrade each to 1.30." in without


def test_pool_names_are_quoted_in_commands() -> None:
    report = replace(realistic(), nodes=(NodeInfo("n1", "v1.29.0", pool="a b;rm -rf /"),))
    nodes = commands(build_plan(report), "nodes-1.30")
    assert any("--nodegroup-name 'a b;rm -rf /'" in c for c in nodes)


def test_pdb_findings_are_attached_to_the_drain_check() -> None:
    drain_check = phase(build_plan(realistic()), "nodes-1.30")[0]
    assert drain_check.command == "kubectl get pdb -A"
    assert [f.rule for f in drain_check.findings] == ["pdb-blocks-drain"]


def test_coverage_gaps_become_a_step() -> None:
    texts = [s.text for s in phase(build_plan(realistic()), "before")]
    assert any(t.startswith("Close the 2 coverage gaps") for t in texts)
    assert not any("coverage" in s.text for s in phase(build_plan(empty()), "before"))


def test_plan_is_pure() -> None:
    assert build_plan(realistic()) == build_plan(realistic())


def test_add_on_steps_name_the_kind_to_write_and_the_add_on_release_serving_it() -> None:
    objects = tuple(
        ObservedObject(
            ObjectRef("karpenter.sh/v1alpha5", "Provisioner", None, name),
            (Evidence(EvidenceSource.FILE, f"karpenter.yaml:{line}", "karpenter.sh/v1alpha5"),),
        )
        for line, name in ((1, "default"), (20, "gpu"))
    )
    snapshot = Snapshot(source="manifests", collected_at="2026-01-01T00:00:00Z", objects=objects)
    report = assess(snapshot, load_knowledge_base(), target="1.33")
    [step] = phase(build_plan(report), "review-warnings")
    assert step.text == (
        "Migrate 2 Provisioner objects from karpenter.sh/v1alpha5 to karpenter.sh/v1 NodePool "
        "(served since karpenter 1.0.0) (see the add-on's upgrade guide)."
    )
    assert step.command is None
