"""Property tests: whatever bytes a manifest file or a snapshot file holds, the reader either
reads it or reports it through its own layer (a coverage note, SnapshotError); nothing else
escapes."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.snapshot_io import SnapshotError, read_snapshot

YAML_BITS = st.sampled_from(
    [
        "apiVersion: v1\n",
        "kind: Pod\n",
        "kind: List\n",
        "items:\n",
        "- ",
        "  ",
        "---\n",
        "metadata:\n",
        "  name: x\n",
        "&a [1]\n",
        "*a\n",
        "{",
        "}",
        "[",
        "]",
        ": ",
        "'",
        '"',
        "!!binary ",
        "!Ref ",
        "\t",
        "#",
        "\n",
        "%YAML 1.2\n",
        "...\n",
        "? ",
        "|\n",
        ">-\n",
        "\x00",
        "\ufeff",
        "\udcff",
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\n",
    ]
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(st.one_of(YAML_BITS, st.text(max_size=20)), max_size=40))
def test_any_yaml_text_is_read_or_reported(parts: list[str]) -> None:
    text = "".join(parts)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        snapshot = scan_manifests([str(path)])
    assert snapshot.stats["files"] == 1
    for note in snapshot.coverage:
        assert note.reason and note.kind in ("error", "skipped", "gap", "note")


@SETTINGS
@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_reported(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.json"
        path.write_bytes(data)
        scan_manifests([str(path)])


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _snapshotish(draw_value: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "schema": "upgradecheck.snapshot/v1",
        "source": "cluster",
        "collected_at": "x",
    }
    if isinstance(draw_value, dict):
        base.update(draw_value)
    return base


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "objects",
                "nodes",
                "clients",
                "helm_releases",
                "api_requests",
                "coverage",
                "cluster",
                "stats",
                "served_apis",
                "schema",
                "source",
            ]
        ),
        JSON,
        max_size=5,
    )
)
def test_any_snapshot_document_loads_or_raises_snapshot_error(fields: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.json"
        path.write_text(json.dumps(_snapshotish(fields)))
        with contextlib.suppress(SnapshotError):
            read_snapshot(path)


@SETTINGS
@given(st.binary(max_size=500))
def test_any_snapshot_bytes_load_or_raise_snapshot_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.json.gz"
        path.write_bytes(data)
        with contextlib.suppress(SnapshotError):
            read_snapshot(path)
