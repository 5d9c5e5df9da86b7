"""The snapshot keeps only what is read: every check (so the plan and every renderer, which
read the report), compare and the add-on inventory give the same results on whole objects
and on the bodies the allow-list keeps, for the fixture clusters, generated clusters (the
test suite's and the benchmarks'), the bundled example snapshot and manifests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakeapi import FakeApiServer
from tests.fakeapi.fixtures import (
    SENTINEL_FORMS,
    build_cluster,
    cluster_names,
    generate_cluster,
    generated_spec,
    load_cluster,
)
from upgradecheck.assess import assess
from upgradecheck.collect.cluster import collector
from upgradecheck.collect.cluster.collector import CollectOptions, collect_cluster
from upgradecheck.collect.cluster.transport import TransportOptions
from upgradecheck.collect.files import objects as file_objects
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.compare import CompareMode, compare_snapshots
from upgradecheck.inventory import addon_versions
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import Snapshot
from upgradecheck.snapshot_io import read_snapshot, snapshot_from_dict
from upgradecheck.versions import VersionError, parse_minor

REPO = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
BRANCHES = Path(__file__).resolve().parent / "fixtures" / "reduction" / "branches.yaml"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def benchmarks() -> Iterator[Any]:
    """The benchmarks' generators (`benchmarks/` is not a package: it is put on the path)."""
    folder = str(REPO / "benchmarks")
    sys.path.insert(0, folder)
    try:
        import envelope
        import generate

        yield generate, envelope
    finally:
        sys.path.remove(folder)


def _whole(
    obj: Mapping[str, Any],
    api_version: str | None = None,
    kind: str | None = None,
    configmaps: Any = None,
) -> dict[str, Any]:
    """Stands in for `trim_object` and `body_of`: the object whole, as the API server or the
    file has it."""
    body = dict(obj)
    for key, value in (("apiVersion", api_version), ("kind", kind)):
        if value is not None:
            body[key] = value
    return body


class _WholePages:
    """Stands in for `shape`: a kind's pages decoded whole, their items kept whole."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    decode = staticmethod(json.loads)
    reduce = staticmethod(dict)


def _collect(server: FakeApiServer, kb: KnowledgeBase, tmp_path: Path, whole: bool) -> Snapshot:
    kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig", context="fake")
    options = CollectOptions(
        kubeconfig=str(kubeconfig),
        transport=TransportOptions(timeout=10, retries=3, backoff=0.01, concurrency=4),
        probe_clients=False,
    )
    with pytest.MonkeyPatch.context() as patch:
        if whole:
            patch.setattr(collector, "shape", _WholePages)
            patch.setattr(collector, "body_of", _whole)
            patch.setattr(collector, "without_unread_templates", tuple)
        return collect_cluster(options, kb)


def _both(server: FakeApiServer, kb: KnowledgeBase, tmp_path: Path) -> tuple[Snapshot, Snapshot]:
    """The cluster collected with whole bodies, then as the collector keeps them."""
    server.start()
    try:
        whole, reduced = _collect(server, kb, tmp_path, True), _collect(server, kb, tmp_path, False)
    finally:
        server.stop()
    # The fixtures plant a value in Secrets, Helm values and last-applied annotations.
    assert not any(form in repr(reduced) for form in SENTINEL_FORMS)
    # One collection time for both: compare notes snapshots taken out of order, and two
    # collections a moment apart may fall in the same second or not.
    return whole, dataclasses.replace(reduced, collected_at=whole.collected_at)


def _targets(kb: KnowledgeBase, snapshot: Snapshot) -> list[str]:
    """The next minor, three ahead and the newest the knowledge base knows."""
    newest = kb.newest_release
    try:
        current = parse_minor(snapshot.cluster.server_version) if snapshot.cluster else None
    except VersionError:
        current = None
    if current is None:
        return [str(newest)]
    ahead = [current.plus(n) for n in (1, 3)]
    return sorted({str(m) for m in ahead if m <= newest} | {str(newest)})


def assert_same_results(kb: KnowledgeBase, whole: Snapshot, reduced: Snapshot) -> int:
    """Every target's report, and the add-on inventory, are equal on both; returns how
    many findings were compared (a family that finds nothing proves nothing)."""
    assert [o.ref for o in whole.objects] == [o.ref for o in reduced.objects]
    assert sum(len(repr(o.body)) for o in reduced.objects) < sum(
        len(repr(o.body)) for o in whole.objects
    )
    findings = 0
    for target in _targets(kb, whole):
        expected = assess(whole, kb, target=target, now=NOW)
        got = assess(reduced, kb, target=target, now=NOW)
        assert got.findings == expected.findings, target
        assert got.suppressed == expected.suppressed, target
        assert got.coverage == expected.coverage, target
        assert got == expected, target
        findings += len(expected.findings)
    assert addon_versions(reduced) == addon_versions(whole)
    return findings


def assert_same_comparisons(pairs: Mapping[str, tuple[Snapshot, Snapshot]]) -> None:
    """compare gives the same differences on whole and on reduced bodies, both ways."""
    names = sorted(pairs)
    for first, second in ((names[0], names[-1]), (names[-1], names[0])):
        for mode in CompareMode:
            expected = compare_snapshots(pairs[first][0], pairs[second][0], mode=mode, now=NOW)
            got = compare_snapshots(pairs[first][1], pairs[second][1], mode=mode, now=NOW)
            assert got.differences == expected.differences, (first, second, mode)
            assert (got.verdict, got.coverage) == (expected.verdict, expected.coverage)


def test_fixture_and_generated_clusters(kb: KnowledgeBase, tmp_path: Path) -> None:
    pairs = {}
    for name in cluster_names():
        pairs[name] = _both(FakeApiServer(load_cluster(name)), kb, tmp_path)
        assert assert_same_results(kb, *pairs[name]) > 0, name
    assert_same_comparisons(pairs)
    generated = generate_cluster(seed=11, n_objects=1500, n_nodes=12, n_releases=8)
    assert assert_same_results(kb, *_both(FakeApiServer(generated), kb, tmp_path)) > 0


def test_objects_that_take_the_branches_the_clusters_do_not(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    objects = [o for o in yaml.safe_load_all(BRANCHES.read_text()) if o]
    cluster = build_cluster(generated_spec(21), objects, name="branches")
    whole, reduced = _both(FakeApiServer(cluster), kb, tmp_path)
    assert len(reduced.objects) == len(objects)
    rules = {f.rule for f in assess(whole, kb, target="1.26", now=NOW).findings}
    # Each object is there for a rule: the family proves something only if they fire.
    assert {
        "unmanaged-pod",
        "single-replica",
        "emptydir-data",
        "image-latest",
        "no-resource-requests",
        "no-readiness-probe",
        "pdb-blocks-drain",
        "crd-stored-version",
        "removed-feature",
        "apiservice-unavailable",
        "job-failed",
        "pod-crashloop",
        "pod-oomkilled",
        "pvc-pending",
        "webhook-failure-policy",
        "webhook-intercepts-system",
        "webhook-timeout",
        "control-plane-skew",
        "kube-proxy-skew",
    } <= rules, rules
    assert assert_same_results(kb, whole, reduced) > 0


def test_envelope_cluster_as_served(kb: KnowledgeBase, benchmarks: Any, tmp_path: Path) -> None:
    # The envelope's objects as a real API server returns them: managedFields, last-applied,
    # what admission and the kubelet add, Node objects, Helm records, TLS Secrets.
    _, envelope = benchmarks
    envelope.write_envelope(tmp_path / "envelope", seed=3, scale=0.002)
    server, _, _ = envelope.load_server(tmp_path / "envelope")
    whole, reduced = _both(server, kb, tmp_path)
    assert {"Pod", "Deployment", "ReplicaSet", "Secret", "EndpointSlice"} <= {
        o.ref.kind for o in reduced.objects
    }
    assert assert_same_results(kb, whole, reduced) > 0


def test_benchmark_snapshot(kb: KnowledgeBase, benchmarks: Any) -> None:
    # The assess benchmark's snapshot: bodies as the collector kept them before the
    # allow-list (metadata trimmed, spec and status whole), read whole and reduced.
    generate, _ = benchmarks
    document = generate.snapshot_document(5, 1500, 12, 8)
    whole = snapshot_from_dict(document, reduce=False)
    assert assert_same_results(kb, whole, snapshot_from_dict(document)) > 0


def test_bundled_example_snapshot(kb: KnowledgeBase) -> None:
    path = REPO / "examples" / "cluster-1.23.snapshot.json"
    whole, reduced = read_snapshot(path, reduce=False), read_snapshot(path)
    assert assert_same_results(kb, whole, reduced) > 0
    assert_same_comparisons({"a": (whole, reduced), "b": (whole, reduced)})


def test_bundled_example_manifests(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = str(REPO / "examples" / "manifests")
    reduced = scan_manifests([folder])
    monkeypatch.setattr(file_objects, "trim_object", _whole)
    whole = scan_manifests([folder])
    assert assert_same_results(kb, whole, reduced) > 0
