"""The indexes the checks share: the snapshot's objects by kind, and the (object, authored
apiVersion) pairs of the versions the knowledge base tracks."""

from __future__ import annotations

import pytest

from upgradecheck.checks.interface import CheckContext
from upgradecheck.checks.usage import object_usages
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.model import Evidence, EvidenceSource, ObjectRef, ObservedObject, Snapshot
from upgradecheck.versions import parse_minor


def _obj(api_version: str, kind: str, name: str, *written: str) -> ObservedObject:
    evidence = tuple(
        Evidence(EvidenceSource.MANAGED_FIELDS, f"manager m{i}", v) for i, v in enumerate(written)
    )
    return ObservedObject(ObjectRef(api_version, kind, "shop", name), evidence)


def _snapshot(*objects: ObservedObject) -> Snapshot:
    return Snapshot(source="cluster", collected_at="2026-01-01T00:00:00Z", objects=objects)


def test_objects_of_several_kinds_come_in_the_snapshots_order() -> None:
    a, b, c, d = (
        _obj("v1", "Pod", "a"),
        _obj("apps/v1", "Deployment", "b"),
        _obj("v1", "Pod", "c"),
        _obj("apps/v1", "StatefulSet", "d"),
    )
    snap = _snapshot(a, b, c, d, a)  # an object listed twice stays twice
    assert snap.of_kind("Pod") == (a, c, a)
    assert snap.of_kind("StatefulSet", "Pod") == (a, c, d, a)
    assert snap.of_kind("Deployment", "StatefulSet", "Deployment") == (b, d)
    assert snap.of_kind("Secret") == () and snap.of_kind() == ()
    assert snap.kinds() == ("Pod", "Deployment", "StatefulSet")  # as they first appear


def test_usages_keep_only_objects_written_in_a_tracked_version_with_all_their_versions() -> (
    None
):
    kb = load_knowledge_base()
    ingress = _obj("networking.k8s.io/v1", "Ingress", "web", "extensions/v1beta1")
    # The same Ingress seen again (as a chart's object): its served version is one of the
    # usage's `others`, though no lifecycle entry tracks networking.k8s.io/v1.
    again = _obj("networking.k8s.io/v1", "Ingress", "web", "networking.k8s.io/v1")
    pod = _obj("v1", "Pod", "web-1", "v1", "v1")
    snap = _snapshot(pod, ingress, again)
    ctx = CheckContext(
        snapshot=snap, kb=kb, target=parse_minor("1.22"), current=parse_minor("1.21"),
        hops=(parse_minor("1.22"),),
    )
    every = list(object_usages(snap))
    assert [u for u in every if u.object.kind == "Ingress"] == list(ctx.usages)
    [old, new] = ctx.usages
    assert (old.api_version, new.api_version) == ("extensions/v1beta1", "networking.k8s.io/v1")
    assert old.others == again.evidence and new.others == ingress.evidence


def test_usages_ask_once_per_kind_and_version_and_count_only_evidence_of_writing() -> None:
    asked: list[tuple[str, str]] = []

    def wanted(api_version: str, kind: str) -> bool:
        asked.append((api_version, kind))
        return api_version == "extensions/v1beta1"

    written = _obj("networking.k8s.io/v1", "Ingress", "web", "extensions/v1beta1")
    # The same version seen by other means than a write (a field read, a node): no usage.
    seen = ObservedObject(
        ObjectRef("networking.k8s.io/v1", "Ingress", "shop", "api"),
        (Evidence(EvidenceSource.OBJECT, "spec.rules", "extensions/v1beta1"),),
    )
    pods = [_obj("v1", "Pod", f"p{i}", "v1", "v1") for i in range(3)]
    deployment = _obj("apps/v1", "Deployment", "web", "extensions/v1beta1", "apps/v1")
    usages = list(object_usages(_snapshot(*pods, written, seen, deployment), wanted))
    assert [(u.object.kind, u.object.name, u.api_version) for u in usages] == [
        ("Ingress", "web", "extensions/v1beta1"),  # in the snapshot's order
        ("Deployment", "web", "extensions/v1beta1"),
        ("Deployment", "web", "apps/v1"),
    ]
    assert sorted(asked) == sorted(set(asked))  # each (version, kind) once
    assert ("v1", "Pod") in asked


@pytest.mark.parametrize("runs", ["found", "told", "told one a pod"])
def test_pods_group_under_the_owner_each_one_names_whatever_its_references_shape(
    runs: str,
) -> None:
    # Grouping reads the common shape (one reference to a collected controller) in a few
    # look-ups per run of pods naming the same controller: every pod must still land where
    # owner_of, which reads any shape, puts it, however the pods are cut into runs.
    from support.riskfixtures import cluster, deployment, owner, pod, workload

    from upgradecheck.model import PodRun
    from upgradecheck.workloads import MIRROR_ANNOTATION, Workloads, pod_runs

    rs = workload("ReplicaSet", "shop", "web-5d9c")
    rs.body["metadata"]["ownerReferences"] = [owner("Deployment", "web")]
    orphan = workload("ReplicaSet", "shop", "old-1")  # its Deployment was not collected
    orphan.body["metadata"]["ownerReferences"] = [owner("Deployment", "old")]
    hashed = {"pod-template-hash": "77aa"}
    shapes: list[tuple[ObservedObject, tuple[str, str]]] = [
        (pod("shop", "a", owners=[owner("ReplicaSet", "web-5d9c")]), ("Deployment", "web")),
        (pod("shop", "b", owners=[owner("ReplicaSet", "api-77aa")], labels=hashed),
         ("Deployment", "api")),
        (pod("shop", "c", owners=[{"kind": "ReplicaSet", "name": "web-5d9c"}, owner("Job", "j")]),
         ("Job", "j")),
        (pod("shop", "d", owners=[owner("Node", "n1", "v1")]), ("Pod", "d")),
        (pod("shop", "e", owners=[{"kind": ["ReplicaSet"], "name": "web-5d9c"}]), ("", "web-5d9c")),
        (pod("shop", "f"), ("Pod", "f")),
        (pod("shop", "g", owners=[owner("ReplicaSet", "web-5d9c")],
             annotations={MIRROR_ANNOTATION: "x"}), ("Deployment", "web")),
        (pod("other", "h", owners=[owner("ReplicaSet", "web-5d9c")]), ("ReplicaSet", "web-5d9c")),
        (pod("shop", "i", owners=[owner("ReplicaSet", "web-5d9c")]), ("Deployment", "web")),
        (pod("shop", "i2", owners=[owner("ReplicaSet", "web-5d9c")]), ("Deployment", "web")),
        (pod("shop", "j", owners=[owner("ReplicaSet", "old-1")]), ("Deployment", "old")),
        (pod("shop", "k", owners=[owner("ReplicaSet", "old-1")]), ("Deployment", "old")),
        (pod("shop", "l"), ("Pod", "l")),
        (pod("shop", "m", annotations={MIRROR_ANNOTATION: "x"}), ("Pod", "m")),
    ]  # fmt: skip
    pods = [p for p, _ in shapes]
    pods[5].body["metadata"]["ownerReferences"] = ["ReplicaSet"]  # not a mapping: no owner
    snap = cluster(deployment("shop", "web"), rs, orphan, *pods)
    found = pod_runs(snap.of_kind("Pod"))
    # Runs: e and f (no reference of the common shape), i and i2 (a collected Deployment's),
    # j and k (an uncollected one's), l and m (none).
    assert [r.end - r.start for r in found] == [1, 1, 1, 1, 2, 1, 1, 2, 2, 2]
    assert [r.key for r in found][4] is None and found[-1].key is None
    if runs == "told":
        snap.told_pod_runs(found)
    elif runs == "told one a pod":
        snap.told_pod_runs([PodRun(r.key, i, i + 1) for r in found for i in range(r.start, r.end)])
    groups = Workloads(snap).pods_by_owner()
    every = Workloads(snap)
    expected: dict[ObjectRef, list[str]] = {}
    for p, (kind, name) in shapes:
        found = every.owner_of(p)
        assert (found.kind, found.name) == (kind, name), p.ref.name
        expected.setdefault(found, []).append(p.ref.name)
    assert {o: [p.ref.name for p in ps] for o, ps in groups.items()} == expected
    assert list(groups) == list(expected)
    without_mirror = Workloads(snap).pods_by_owner(include_mirror=False)
    mirrors = ("g", "m")
    assert {o: [p.ref.name for p in ps] for o, ps in without_mirror.items()} == {
        o: kept for o, names in expected.items() if (kept := [n for n in names if n not in mirrors])
    }
    # The pods naming no owner are gathered while grouping, mirror pods included.
    assert [p.ref.name for p in Workloads(snap).unowned_pods()] == ["l", "m"]
    # Each group's spec says whether a collected controller covers it as covered() does.
    fresh = Workloads(snap)
    by_name = {p.ref.name: p for p in pods}
    assert [(s.workload, s.pod) for s in Workloads(snap).pod_groups()] == [
        (s.workload, s.pod)
        for s in fresh.pod_groups(include_covered=True)
        if not fresh.covered(by_name[s.pod])
    ]
    assert {s.pod for s in fresh.pod_groups()} == {"b", "c", "d", "e", "f", "h", "j", "l", "m"}


def test_annotations_by_prefix_are_those_a_reading_of_every_annotation_finds() -> None:
    from support.riskfixtures import cluster, deployment, pod

    from upgradecheck.checks.feature_detectors import Scene

    keyed = [
        {"a/b": "1", "a/bc": "2", "z": "3"},
        {"a/": "4", "a0": "5", "a/b": "6"},
        {"b": "7"},
        {"a/bb": "8", "a.b": "9", "": "10"},
    ]
    objects = [deployment("shop", f"d{i}", annotations=a) for i, a in enumerate(keyed)]
    objects.append(pod("shop", "bare", annotations={"a/b/c": "11", "a": "12"}))
    scene = Scene(cluster(*objects))
    for prefix in ("a/b", "a/", "a", "", "b", "a/bd", "zz", "a/b/c/d"):
        expected = [
            (spec, [(k, v) for k, v in items if k.startswith(prefix)])
            for spec, items in scene.annotated
            if any(k.startswith(prefix) for k, _ in items)
        ]
        assert scene.annotated_with(prefix) == expected, prefix


def test_a_snapshot_replaced_keeps_its_index_by_kind_unless_its_objects_change() -> None:
    a, b = _obj("v1", "Pod", "a"), _obj("apps/v1", "Deployment", "b")
    snap = _snapshot(a, b)
    assert snap.of_kind("Pod") == (a,)
    same = snap.replaced(tool_version="x")
    assert same.tool_version == "x" and same.objects == snap.objects
    assert same.of_kind("Pod") is snap.of_kind("Pod")  # the index came along, not rebuilt
    other = snap.replaced(objects=(b,))
    assert other.of_kind("Pod") == () and other.kinds() == ("Deployment",)


def test_a_read_snapshot_without_templates_to_drop_is_the_one_read() -> None:
    from support.riskfixtures import cluster, deployment, pod, workload

    from upgradecheck.collect.sanitize import unread_templates_dropped, without_unread_templates

    web = deployment("shop", "web")
    rs = workload("ReplicaSet", "shop", "web-1")
    rs.body["metadata"]["ownerReferences"] = [
        {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "controller": True}
    ]
    owned = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "controller": True}
    covered = pod("shop", "web-1-x", owners=[owned])
    covered.body["spec"] = {"containers": [{"name": "c"}]}
    snap = cluster(web, rs, covered)
    dropped = unread_templates_dropped(snap)
    assert dropped.objects == without_unread_templates(snap.objects) != snap.objects
    assert "spec" not in dropped.objects[2].body
    assert "template" not in dropped.objects[1].body["spec"]
    again = unread_templates_dropped(dropped)
    assert again is dropped  # nothing left to drop: the same snapshot, its index kept


def test_templates_dropped_keep_the_indexes_that_read_no_body() -> None:
    from support.riskfixtures import cluster, deployment, pod, workload

    from upgradecheck.collect.sanitize import unread_templates_dropped

    web = deployment("shop", "web")
    rs = workload("ReplicaSet", "shop", "web-1")
    rs.body["metadata"]["ownerReferences"] = [
        {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "controller": True}
    ]
    bare = pod("shop", "bare")
    bare.body["spec"] = {"containers": [{"name": "c"}]}
    snap = cluster(web, rs, bare)
    # Only a template nothing covers: nothing dropped, the very snapshot back.
    alone = cluster(web, bare)
    assert unread_templates_dropped(alone) is alone
    snap.of_kind("Pod")
    versions = {kind: snap.evidence_versions(kind) for kind in snap.kinds()}
    dropped = unread_templates_dropped(snap)
    assert dropped is not snap and "template" not in dropped.objects[1].body["spec"]
    # The index by kind and the evidence versions come along; the objects by kind do not
    # (they would hold the old bodies).
    assert dropped.__dict__["_positions"] is snap.__dict__["_positions"]
    assert dropped.__dict__["_evidence_versions"] is snap.__dict__["_evidence_versions"]
    assert "_of_kinds" not in dropped.__dict__
    assert dropped.of_kind("ReplicaSet") == (dropped.objects[1],)
    assert {kind: dropped.evidence_versions(kind) for kind in dropped.kinds()} == versions
    with pytest.raises(ValueError, match="bodies"):
        snap.with_bodies(snap.objects[:2])
