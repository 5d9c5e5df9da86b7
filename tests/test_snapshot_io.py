"""The snapshot file: round trip, gzip, and one clear error for every kind of bad file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from upgradecheck import snapshot_io
from upgradecheck.model import (
    ApiRequest,
    ClientBinary,
    ClusterInfo,
    CoverageNote,
    Evidence,
    EvidenceSource,
    HelmRelease,
    NodeInfo,
    ObjectRef,
    ObservedObject,
    Snapshot,
)
from upgradecheck.snapshot_io import SnapshotError, read_snapshot, write_snapshot

REPO = Path(__file__).resolve().parent.parent


def full_snapshot() -> Snapshot:
    ref = ObjectRef("policy/v1", "PodDisruptionBudget", "shop", "web")
    return Snapshot(
        source="cluster",
        collected_at="2026-01-01T00:00:00Z",
        cluster=ClusterInfo("v1.29.3-eks-1", "eks", "prod"),
        nodes=(
            NodeInfo(
                "n1",
                "v1.29.3",
                "v1.29.3",
                "containerd://1.7",
                "AL2",
                "6.1",
                "amd64",
                False,
                "general",
                {"eks.amazonaws.com/nodegroup": "general"},
            ),
        ),
        clients=(ClientBinary("kubectl", "/usr/bin/kubectl", None, "timed out"),),
        objects=(
            ObservedObject(
                ref,
                (
                    Evidence(
                        EvidenceSource.MANAGED_FIELDS,
                        "manager kubectl",
                        "policy/v1beta1",
                        "operation Update",
                        "2024-01-01T00:00:00Z",
                    ),
                ),
                {"spec": {"maxUnavailable": 0}},
            ),
        ),
        helm_releases=(
            HelmRelease(
                "web",
                "shop",
                2,
                "deployed",
                "web",
                "1.0.0",
                "2.0",
                ">=1.20.0-0",
                "2024-01-02T00:00:00Z",
                "configmap",
                (ref,),
            ),
        ),
        api_requests=(ApiRequest("batch", "v1beta1", "cronjobs", "", "1.25"),),
        served_apis=("v1", "policy/v1"),
        coverage=(CoverageNote("resource x", "403 Forbidden", "forbidden"),),
        stats={"objects": 1},
        tool_version="0.1.0",
    )


@pytest.mark.parametrize("name", ["snap.json", "snap.json.gz"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    snap = full_snapshot()
    write_snapshot(snap, tmp_path / name)
    assert read_snapshot(tmp_path / name) == snap
    raw = (tmp_path / name).read_bytes()
    assert (raw[:2] == b"\x1f\x8b") == name.endswith(".gz")


def test_gzip_output_is_reproducible(tmp_path: Path) -> None:
    write_snapshot(full_snapshot(), tmp_path / "a.json.gz")
    write_snapshot(full_snapshot(), tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()


def test_bundled_example_reads() -> None:
    snap = read_snapshot(REPO / "examples" / "cluster-1.23.snapshot.json")
    assert snap.cluster is not None and snap.objects and snap.helm_releases


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    return path


def _doc() -> dict[str, object]:
    return json.loads(
        json.dumps({"schema": "upgradecheck.snapshot/v1", "source": "cluster", "collected_at": "x"})
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (gzip.compress(b'{"schema": "upgradecheck.snapshot/v1"}')[:-12], "corrupt or truncated"),
        (b"{not json", "invalid JSON at line 1"),
        (b"\x80\x81garbage", "not UTF-8"),
        (b"[]", "expected a JSON object"),
        (json.dumps({"schema": "upgradecheck.report/v1"}).encode(), "not an upgradecheck snapshot"),
        (json.dumps({"schema": "upgradecheck.snapshot/v7"}).encode(), "newer upgradecheck"),
        (
            json.dumps({"schema": "upgradecheck.snapshot/v1", "source": "cluster"}).encode(),
            "missing field 'collected_at'",
        ),
        (
            json.dumps({**_doc(), "objects": [{"apiVersion": "v1", "kind": "Pod"}]}).encode(),
            "objects[0]: missing field 'name'",
        ),
        (json.dumps({**_doc(), "objects": "nope"}).encode(), "objects: expected a list"),
        (
            json.dumps({**_doc(), "nodes": [{"name": 3, "kubelet_version": "v1"}]}).encode(),
            "nodes[0].name: expected str",
        ),
        (b"[" * 100000, "nested too deeply"),
    ],
)
def test_bad_files_name_the_problem(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(SnapshotError, match=message.replace("[", r"\[").replace("(", r"\(")):
        read_snapshot(_write(tmp_path, data))


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no such snapshot file"):
        read_snapshot(tmp_path / "nope.json")
    with pytest.raises(SnapshotError, match="is a folder"):
        read_snapshot(tmp_path)


@pytest.fixture(params=[1 << 20, 7, 1])
def piece(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Reads the file in pieces of this many bytes: values, strings, numbers, escapes and
    UTF-8 sequences are cut at every place in turn."""
    monkeypatch.setattr(snapshot_io, "_PIECE", request.param)
    size: int = request.param
    return size


def test_read_in_pieces_as_when_read_whole(tmp_path: Path, piece: int) -> None:
    example = REPO / "examples" / "cluster-1.23.snapshot.json"
    text = example.read_bytes()
    document = json.loads(text)
    document["objects"][0]["body"]["metadata"]["labels"] = {"é→\u2603": "\\\"ü\""}
    document["stats"]["big"] = 12345678901234567890
    data = json.dumps(document, indent=1, ensure_ascii=False).encode()
    expected = snapshot_io.snapshot_from_dict(json.loads(data), str(tmp_path / "s.json"))
    (tmp_path / "s.json").write_bytes(data)
    assert read_snapshot(tmp_path / "s.json") == expected
    # gzip as one member, and as several (`cat a.gz b.gz`, which gzip reads as one stream)
    (tmp_path / "s.json.gz").write_bytes(gzip.compress(data))
    (tmp_path / "m.json.gz").write_bytes(b"".join(gzip.compress(p) for p in _thirds(data)))
    for name in ("s.json.gz", "m.json.gz"):
        got = read_snapshot(tmp_path / name)
        assert got == snapshot_io.snapshot_from_dict(json.loads(data), str(tmp_path / name))


def _thirds(data: bytes) -> list[bytes]:
    third = len(data) // 3
    return [data[:third], data[third : 2 * third], data[2 * third :]]


@pytest.mark.parametrize(
    "data",
    [
        b'{"schema": "upgradecheck.snapshot/v1",\n "objects": [\n  {"a": 1},\n  {"b": tru}]}',
        b'{"schema": "upgradecheck.snapshot/v1",\n "objects": [\n  {"a": 1}\n  {"b": 2}]}',
        b'{"schema": "upgradecheck.snapshot/v1",\n "objects": [{"a": 1}]} x',
        b'{"schema": "upgradecheck.snapshot/v1",\n "nodes": [1, 2',
        b'{"schema": "upgradecheck.snapshot/v1",\n\n "objects": [\n  1,\n  "x\n"]}',
    ],
)
def test_bad_json_is_placed_as_when_read_whole(tmp_path: Path, piece: int, data: bytes) -> None:
    with pytest.raises(json.JSONDecodeError) as whole:
        json.loads(data)
    where = f"line {whole.value.lineno}, column {whole.value.colno}: {whole.value.msg}"
    with pytest.raises(SnapshotError, match=where):
        read_snapshot(_write(tmp_path, data))


def test_a_document_that_is_not_an_object_is_placed_in_the_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="line 3, column 4"):
        read_snapshot(_write(tmp_path, b"\n\n[1 2]"))


ODD_VALUES = [
    {"text": "é \u2028 \x1b \U0001f600 \\ \" /", "big": 10**30, "neg": -(2**70), "f": 1e16},
    {"f": 1e-7, "g": 0.1, "z": -0.0, "max": 1.7976931348623157e308, "none": None},
    {"nan": float("nan"), "inf": float("inf"), "ninf": float("-inf")},
    {"surrogate": "\ud800"},
    {"deep": [[[{"a": [1, 2.5, "x"]}]]], "empty": {}, "list": []},
]
"""Values a cluster's JSON can hold (NaN and Infinity where json, not msgspec, read them)."""
YAML_KEYS = [
    {1.5: "float key", 2: "int key", True: "bool key", None: "null key"},
    {1e16: "a float key msgspec spells 1e16, json 1e+16", float("inf"): "x"},
]
"""Keys that only manifests (YAML) give."""


@pytest.mark.parametrize(
    ("source", "body"),
    [("cluster", body) for body in ODD_VALUES]
    + [("files", body) for body in ODD_VALUES + YAML_KEYS],
)
def test_bodies_are_written_as_json_writes_them(
    tmp_path: Path, source: str, body: dict[object, object]
) -> None:
    """A collection's batches are written by msgspec where it writes what json writes: the
    same document, whatever the values (non-finite floats, lone surrogates, and in
    snapshots of files, keys that are not strings)."""
    ref = ObjectRef("v1", "ConfigMap", "shop", "a")
    objects = tuple(ObservedObject(ref, (), {**body, "n": i}) for i in range(2500))
    snap = Snapshot(source=source, collected_at="2026-01-01T00:00:00Z", objects=objects)
    path = tmp_path / "s.json"
    write_snapshot(snap, path)
    expected = json.dumps(
        snapshot_io.codec.snapshot_to_dict(snap), separators=(",", ":")
    )
    # NaN compares unequal to itself: compare the texts json writes of both documents.
    got = json.loads(path.read_bytes())
    assert json.dumps(got, sort_keys=True) == json.dumps(json.loads(expected), sort_keys=True)
