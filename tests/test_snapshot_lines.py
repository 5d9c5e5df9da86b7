"""The snapshot reader's fast path (object lines decoded by msgspec) against the streaming
reader it falls back to: the same Snapshot, or the same error, for every shape of file."""

from __future__ import annotations

import contextlib
import gzip
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from msgspec import structs

from upgradecheck import snapshot_io
from upgradecheck.assess import assess
from upgradecheck.codec.report import report_to_dict
from upgradecheck.codec.snapshot import snapshot_to_dict
from upgradecheck.collect.cluster.collector import CollectOptions, collect_cluster
from upgradecheck.collect.cluster.transport import TransportOptions
from upgradecheck.collect.sanitize import reduce_body
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.snapshot_io import (
    ALLOW_LIST_REVISION,
    SnapshotError,
    read_snapshot,
    write_snapshot,
)
from upgradecheck.workloads import pod_runs, quiet

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "cluster-1.23.snapshot.json"


def _written(tmp_path: Path, reduced: bool = True) -> bytes:
    """The bundled example as this version's writer writes it."""
    path = tmp_path / "written.json"
    write_snapshot(read_snapshot(EXAMPLE), path, reduced=reduced)
    return path.read_bytes()


def _lines(tmp_path: Path) -> list[bytes]:
    return _written(tmp_path).split(b"\n")


def _outcome(path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool) -> Any:
    """What reading `path` gives: the snapshot's document, or the error's message."""
    return _read(path, monkeypatch, fast)[0]


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool) -> tuple[Any, Any]:
    """`_outcome`, and the apiVersions the evidence names by kind as the snapshot tells
    them (the fast path gathers them as it decodes; otherwise a pass finds them)."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(snapshot_io, "_read_lines", lambda *args: None)
        try:
            snapshot = read_snapshot(path)
        except SnapshotError as exc:
            return f"error: {exc}", None
    versions = {kind: sorted(snapshot.evidence_versions(kind)) for kind in snapshot.kinds()}
    # The runs of pods the fast path tells are those a pass finds.
    told = snapshot.pod_runs()
    assert told is None or told == pod_runs(snapshot.of_kind("Pod"))
    eventful = snapshot.eventful_pods()
    assert eventful is None or list(eventful) == [
        p for p in snapshot.of_kind("Pod") if not quiet(p.body)
    ]
    return snapshot_to_dict(snapshot), versions


def _took_fast_path(path: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    taken: list[bool] = []
    real = snapshot_io._read_lines

    def spy(*args: Any) -> Any:
        result = real(*args)
        taken.append(result is not None)
        return result

    with monkeypatch.context() as patch:
        patch.setattr(snapshot_io, "_read_lines", spy)
        with contextlib.suppress(SnapshotError):
            read_snapshot(path)
    return taken == [True]


def _same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, compressed: bool = False
) -> tuple[Any, bool]:
    path = tmp_path / ("s.json.gz" if compressed else "s.json")
    path.write_bytes(gzip.compress(data, mtime=0) if compressed else data)
    fast, slow = _read(path, monkeypatch, True), _read(path, monkeypatch, False)
    assert fast == slow
    return fast[0], _took_fast_path(path, monkeypatch)


def test_the_writer_puts_one_object_on_a_line_after_a_header(tmp_path: Path) -> None:
    lines = _lines(tmp_path)
    objects = json.loads(EXAMPLE.read_text())["objects"]
    assert lines[0].endswith(b'"body_allow_list":"%s","objects":[' % ALLOW_LIST_REVISION.encode())
    assert len(lines) == len(objects) + 2
    assert all(line.endswith(b"},") for line in lines[1:-2]) and lines[-2].endswith(b"}")
    assert lines[-1].startswith(b"],")
    # Still one JSON document, which an older reader (the streaming one) reads alike.
    assert json.loads(b"\n".join(lines))["body_allow_list"] == ALLOW_LIST_REVISION
    assert b"body_allow_list" not in _written(tmp_path, reduced=False)


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("header", ["this", "other", "none"])
def test_fast_path_reads_what_the_streaming_reader_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compressed: bool, header: str
) -> None:
    data = _written(tmp_path)
    if header == "other":
        data = data.replace(ALLOW_LIST_REVISION.encode(), b"sha256:0000000000000000", 1)
    elif header == "none":
        data = data.replace(b'"body_allow_list":"%s",' % ALLOW_LIST_REVISION.encode(), b"", 1)
    document, fast = _same_both_ways(tmp_path, monkeypatch, data, compressed)
    assert fast and len(document["objects"]) == 45
    assert document == snapshot_to_dict(read_snapshot(EXAMPLE))


def test_the_fast_path_tells_what_it_gathered_as_a_pass_finds_it(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    snapshot = read_snapshot(EXAMPLE)
    # Evidence of other versions than the objects are listed in, in three kinds.
    changed = tuple(
        structs.replace(o, evidence=(*o.evidence, replace_version(o.evidence[0], f"x/v{i}")))
        if o.evidence and i % 7 == 0
        else o
        for i, o in enumerate(snapshot.objects)
    )
    write_snapshot(replace(snapshot, objects=changed), path, reduced=True)
    read = read_snapshot(path)
    told = dict(read.__dict__["_evidence_versions"])  # told by the reader, not computed
    fresh = replace(read, objects=tuple(read.objects))  # a snapshot that computes them
    assert told == {kind: fresh.evidence_versions(kind) for kind in fresh.kinds()}
    assert any(v.startswith("x/") for versions in told.values() for v in versions)
    assert read.evidence_versions("NoSuchKind") == frozenset()
    told_runs = read.pod_runs()
    assert told_runs is not None and told_runs == pod_runs(read.of_kind("Pod"))
    assert told_runs[-1].end == len(read.of_kind("Pod")) > 1
    eventful = read.eventful_pods()
    assert eventful is not None
    assert list(eventful) == [p for p in read.of_kind("Pod") if not quiet(p.body)]


def replace_version(evidence: Any, api_version: str) -> Any:
    return structs.replace(evidence, api_version=api_version)


def test_files_of_the_older_writer_read_the_streaming_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The writer before the line layout: one line, compact JSON.
    doc = json.loads(EXAMPLE.read_text())
    data = json.dumps(doc, separators=(",", ":")).encode()
    document, fast = _same_both_ways(tmp_path, monkeypatch, data, compressed=True)
    assert not fast and len(document["objects"]) == 45


def _object_line(line: bytes, change: Any) -> bytes:
    comma = line.endswith(b",")
    obj = json.loads(line.rstrip(b","))
    text = change(obj) if callable(change) else change
    return text + (b"," if comma else b"")


def _dumped(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _body(obj: dict[str, Any], raw: str) -> bytes:
    """`obj` as a line whose body holds the JSON text `raw` where the allow-list keeps it
    (a label's value), so that reducing the body again cannot hide it."""
    obj["body"] = {"kind": obj["kind"], "metadata": {"labels": {"x": "@"}}}
    return _dumped(obj).replace(b'"x":"@"', b'"x":' + raw.encode())


# Each: a change to one object line, and whether the fast path may keep it (it falls back
# for everything msgspec might decode otherwise than json, and wherever a cut between
# batches would not fall between two objects), for the line first, in the middle and last.
LINE_CHANGES: list[tuple[str, Any, bool | dict[str, bool]]] = [
    ("nan", lambda o: _body(o, "NaN"), False),
    ("infinity", lambda o: _body(o, "-Infinity"), False),
    ("float out of range", lambda o: _body(o, "1e400"), False),
    ("big integer", lambda o: _body(o, "123456789012345678901234567890"), True),
    ("integer too long for Python", lambda o: _body(o, "9" * 5000), False),
    ("lone surrogate", lambda o: _body(o, '"\\ud800"'), False),
    ("lone low surrogate", lambda o: _body(o, '"\\udc00x"'), False),
    ("surrogate pair", lambda o: _body(o, '"\\ud83d\\ude00"'), True),
    ("raw tab in a string", lambda o: _body(o, '"a\tb"'), False),
    ("deep nesting", lambda o: _body(o, "[" * 3000 + "]" * 3000), False),
    ("duplicate body key", lambda o: _body(o, '1,"x":2'), True),
    ("duplicate ref key", lambda o: _dumped(o)[:-1] + b',"name":"other"}', True),
    ("body not an object", lambda o: _dumped({**o, "body": [1]}), False),
    ("body null", lambda o: _dumped({**o, "body": None}), True),
    ("body missing", lambda o: _dumped({k: v for k, v in o.items() if k != "body"}), True),
    ("evidence null", lambda o: _dumped({**o, "evidence": None}), False),
    ("evidence missing", lambda o: _dumped({k: v for k, v in o.items() if k != "evidence"}), True),
    ("evidence not objects", lambda o: _dumped({**o, "evidence": [3]}), False),
    (
        "evidence of an unknown source",
        lambda o: _dumped(
            {**o, "evidence": [{"source": "x", "location": "l", "api_version": "v1"}]}
        ),
        False,
    ),
    (
        "evidence detail null",
        lambda o: _dumped(
            {
                **o,
                "evidence": [
                    {
                        "source": "file",
                        "location": "l",
                        "api_version": "v1",
                        "detail": None,
                        "not_rendered_for": None,
                    }
                ],
            }
        ),
        False,
    ),
    (
        "evidence missing its location",
        lambda o: _dumped({**o, "evidence": [{"source": "file", "api_version": "v1"}]}),
        False,
    ),
    (
        "evidence with extra fields",
        lambda o: _dumped(
            {
                **o,
                "evidence": [
                    {
                        "source": "file",
                        "location": "l",
                        "api_version": "v1",
                        "time": "t",
                        "extra": [1],
                    }
                ],
            }
        ),
        True,
    ),
    (
        "namespace missing",
        lambda o: _dumped({k: v for k, v in o.items() if k != "namespace"}),
        True,
    ),
    ("namespace null", lambda o: _dumped({**o, "namespace": None}), True),
    ("namespace a number", lambda o: _dumped({**o, "namespace": 5}), False),
    ("name missing", lambda o: _dumped({k: v for k, v in o.items() if k != "name"}), False),
    ("kind a list", lambda o: _dumped({**o, "kind": ["Pod"]}), False),
    ("extra field", lambda o: _dumped({**o, "extra": {"a": [1, 2]}}), True),
    ("not an object", b"[1,2]", False),
    # Lines that are not one object each read as well, as long as the last ",\n" of what
    # has been read is a comma between objects (here: all of a small file is one batch).
    ("two objects on a line", lambda o: _dumped(o) + b"," + _dumped(o), True),
    (
        "an object over two lines",
        lambda o: _dumped(o).replace(b",", b",\n", 1),
        {"first": True, "middle": True, "last": False},
    ),
    ("an empty line", lambda o: b"\n" + _dumped(o), True),
    ("an empty element", lambda o: b"," + _dumped(o), False),
    ("a line of whitespace", lambda o: b"  ,\n" + _dumped(o), False),
    ("a comma too many", lambda o: _dumped(o) + b",", False),
    ("a carriage return", lambda o: _dumped(o) + b"\r", True),
]


@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize(
    ("change", "keeps"),
    [(c, k) for _, c, k in LINE_CHANGES],
    ids=[name for name, _, _ in LINE_CHANGES],
)
def test_every_hostile_line_reads_as_the_streaming_reader_reads_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Any,
    keeps: bool | dict[str, bool],
    where: str,
) -> None:
    lines = _lines(tmp_path)
    at = {"first": 1, "middle": len(lines) // 2, "last": len(lines) - 2}[where]
    lines[at] = _object_line(lines[at], change)
    _, fast = _same_both_ways(tmp_path, monkeypatch, b"\n".join(lines))
    assert fast is (keeps if isinstance(keeps, bool) else keeps[where])


# Files whose pieces split them everywhere: between the comma and the newline of a cut, the
# newline and the `]` of the end, inside the header, an object, a UTF-8 character.
_SPLIT_FILES: list[tuple[str, Any, bool | None]] = [
    ("as written", lambda d: d, True),
    ("non-ASCII", lambda d: d.replace(b'"name":"', "\"name\":\"\u00e9\u2028".encode(), 5), True),
    ("no objects", lambda d: d.split(b"\n")[0] + b"\n" + d.split(b"\n")[-1], True),
    ("an empty line", lambda d: d.replace(b"},\n", b"},\n\n", 3), True),
    ("an empty line at the end", lambda d: d.replace(b"}\n]", b"}\n\n]"), True),
    ("an object over two lines", lambda d: d.replace(b'{"apiVersion"', b'{\n"apiVersion"', 1),
     True),
    # A ",\n" inside an object: the fast path when no batch is cut there (None: either way).
    ("a comma and newline in an object",
     lambda d: d.replace(b',"kind"', b',\n"kind"', 1), None),
    ("a comma before the end", lambda d: d.replace(b"}\n]", b"},\n]"), False),
    ("an empty element", lambda d: d.replace(b"},\n", b"},\n,\n", 1), False),
    ("no end of the objects", lambda d: d.rsplit(b"\n", 1)[0], False),
]


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64, 997, 1 << 20])
@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize(
    ("name", "data", "keeps"), _SPLIT_FILES, ids=[name for name, _, _ in _SPLIT_FILES]
)
def test_a_file_reads_the_same_whatever_its_pieces(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    piece: int,
    compressed: bool,
    name: str,
    data: Any,
    keeps: bool | None,
) -> None:
    monkeypatch.setattr(snapshot_io, "_PIECE", piece)
    document, fast = _same_both_ways(tmp_path, monkeypatch, data(_written(tmp_path)), compressed)
    assert fast is keeps or keeps is None, name
    if keeps is not False and name != "no objects":
        assert len(document["objects"]) == 45


@pytest.mark.parametrize(
    ("name", "data", "keeps"),
    [
        ("no objects", lambda d: d.split(b"\n")[0] + b"\n" + d.split(b"\n")[-1], True),
        (
            "objects absent",
            lambda d: json.dumps(
                {k: v for k, v in json.loads(d).items() if k != "objects"}
            ).encode(),
            False,
        ),
        ("a comma before the end", lambda d: d.replace(b"}\n]", b"},\n]"), False),
        ("no end of the objects", lambda d: d.rsplit(b"\n", 1)[0], False),
        ("objects again after them", lambda d: d[:-1] + b',"objects":[]}', False),
        (
            "schema after the objects",
            lambda d: (
                d.replace(b'"schema"', b'"former"', 1)[:-1]
                + b',"schema":"upgradecheck.snapshot/v1"}'
            ),
            False,
        ),
        (
            "the allow-list's revision replaced after the objects",
            lambda d: d[:-1] + b',"body_allow_list":"sha256:1"}',
            False,
        ),
        ("NaN in the header", lambda d: d.replace(b'"stats":{', b'"stats":{"n":NaN,', 1), True),
        (
            "a bad node",
            lambda d: d.replace(b'"kubelet_version":"', b'"kubelet_version":7,"x":"', 1),
            True,
        ),
        ("a bad tail", lambda d: d[:-1], False),
        ("trailing data", lambda d: d + b"{}", False),
        ("not UTF-8", lambda d: d.replace(b'"name":"', b'"name":"\xff', 3), False),
    ],
)
def test_every_hostile_file_reads_as_the_streaming_reader_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: Any, keeps: bool
) -> None:
    _, fast = _same_both_ways(tmp_path, monkeypatch, data(_written(tmp_path)))
    assert fast is keeps, name


def test_truncated_gzip_gives_the_same_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.json.gz"
    path.write_bytes(gzip.compress(_written(tmp_path), mtime=0)[:-40])
    outcome = _outcome(path, monkeypatch, True)
    assert outcome == _outcome(path, monkeypatch, False)
    assert outcome.startswith("error: ") and "corrupt or truncated gzip data" in outcome


def test_reduced_bodies_are_not_reduced_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kinds = [o.ref.kind for o in read_snapshot(EXAMPLE).objects if o.body]
    calls: list[str] = []

    def counting(body: Any, kind: str) -> Any:
        calls.append(kind)
        return reduce_body(body, kind)

    monkeypatch.setattr(snapshot_io, "reduce_body", counting)
    for reduced in (True, False):
        path = tmp_path / f"{reduced}.json"
        path.write_bytes(_written(tmp_path, reduced))
        calls.clear()
        read_snapshot(path)
        # Secrets' bodies are kept to the allow-list whatever the header says.
        assert calls == ([k for k in kinds if k == "Secret"] if reduced else kinds)
        assert "Secret" in calls


def _unreduced(body: Any) -> dict[str, Any]:
    """`body` with what the allow-list drops: fields of its own, of its metadata, of its
    pod template's containers."""
    out = json.loads(json.dumps(body))
    out["extra"] = {"a": [1, 2]}
    if out.get("kind") == "Secret":
        out["data"] = {"password": "c2VjcmV0"}
    meta = out.setdefault("metadata", {})
    meta["managedFields"] = [{"manager": "m", "fieldsV1": {"f:spec": {}}}]
    meta.setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = "{}"
    template = out.get("spec", {}).get("template", {}).get("spec", {})
    for container in template.get("containers", []):
        container["env"] = [{"name": "A", "value": "b"}]
    return out


def test_a_header_that_lies_gives_the_same_findings(tmp_path: Path) -> None:
    # Whole bodies (a hand-edited file) under the header of reduced ones: more memory,
    # never other findings than the streaming reader's reduced bodies give.
    example = read_snapshot(EXAMPLE, reduce=False)
    whole = replace(
        example, objects=tuple(structs.replace(o, body=_unreduced(o.body)) for o in example.objects)
    )
    lying, honest = tmp_path / "lying.json", tmp_path / "honest.json"
    write_snapshot(whole, lying, reduced=True)
    write_snapshot(whole, honest)
    assert read_snapshot(lying) != read_snapshot(honest)  # the lie was believed...
    secrets = [o.body for o in read_snapshot(lying).objects if o.ref.kind == "Secret"]
    assert secrets and all(
        set(b) <= {"apiVersion", "kind", "metadata", "type", "tls"} for b in secrets
    )
    assert all(set(b["metadata"]) <= {"name", "namespace", "labels"} for b in secrets)
    kb = load_knowledge_base()
    reports = [report_to_dict(assess(read_snapshot(p), kb, target="1.25")) for p in (lying, honest)]
    for report in reports:
        report.pop("generated_at", None)
    assert reports[0] == reports[1] and reports[0]["findings"]


def test_a_collected_snapshot_reads_back_to_the_same_findings(fakeapi: Any, tmp_path: Path) -> None:
    kb = load_knowledge_base()
    api = fakeapi("v1.21")
    transport = TransportOptions(timeout=10, retries=3, backoff=0.01, concurrency=4)
    cluster = CollectOptions(
        kubeconfig=str(api.kubeconfig_path), transport=transport, probe_clients=False
    )
    snapshot = collect_cluster(cluster, kb)
    # What the collector keeps is what the allow-list keeps: the header's promise.
    assert all(o.body == reduce_body(o.body, o.ref.kind) for o in snapshot.objects if o.body)
    reports = []
    for reduced in (True, False):
        path = tmp_path / f"{reduced}.json.gz"
        write_snapshot(snapshot, path, reduced=reduced)
        report = report_to_dict(assess(read_snapshot(path), kb, target="1.25"))
        report.pop("generated_at", None)
        reports.append(report)
    direct = report_to_dict(assess(snapshot, kb, target="1.25"))
    direct.pop("generated_at", None)
    assert reports[0] == reports[1] == direct and reports[0]["findings"]
