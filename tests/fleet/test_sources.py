"""Which clusters a fleet run judges: contexts named or all of a kubeconfig's, snapshot files
named or found in folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from upgradecheck.collect.errors import SourceError
from upgradecheck.fleet.model import Origin
from upgradecheck.fleet.sources import (
    Entry,
    context_entries,
    context_names,
    snapshot_entries,
)


def kubeconfig(path: Path, *names: str) -> Path:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": f"c-{n}", "cluster": {"server": "https://x"}} for n in names],
        "users": [{"name": f"u-{n}", "user": {"token": "t"}} for n in names],
        "contexts": [
            {"name": n, "context": {"cluster": f"c-{n}", "user": f"u-{n}"}} for n in names
        ],
    }
    if names:
        doc["current-context"] = names[0]
    path.write_text(yaml.safe_dump(doc))
    return path


def test_all_contexts_are_listed_in_the_files_order(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "config", "prod-eu", "dev", "prod-us")
    assert context_names(str(path)) == ["prod-eu", "dev", "prod-us"]


def test_the_kubeconfig_variable_is_the_default(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig(tmp_path / "config", "only")))
    assert context_names(None) == ["only"]


def test_kubeconfig_files_are_merged_the_first_naming_a_context_winning(
    tmp_path: Path, monkeypatch
) -> None:
    first = kubeconfig(tmp_path / "a", "prod", "dev")
    second = kubeconfig(tmp_path / "b", "dev", "edge")
    listed = os.pathsep.join([str(first), str(tmp_path / "absent"), str(second)])
    monkeypatch.setenv("KUBECONFIG", listed)
    assert context_names(None) == ["prod", "dev", "edge"]


def test_no_kubeconfig_or_no_context_is_bad_input(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(SourceError, match="no such kubeconfig"):
        context_names(str(tmp_path / "missing"))
    with pytest.raises(SourceError, match="no context in"):
        context_names(str(kubeconfig(tmp_path / "empty")))
    (tmp_path / "broken").write_text("contexts: [\n")
    with pytest.raises(SourceError, match="cannot read the kubeconfig"):
        context_names(str(tmp_path / "broken"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    with pytest.raises(SourceError, match="no context in"):
        context_names(None)


def test_contexts_are_kept_once_in_the_order_given() -> None:
    assert context_entries(["b", "a", "b"]) == [
        Entry("b", Origin.CONTEXT),
        Entry("a", Origin.CONTEXT),
    ]


def test_folders_give_their_snapshots_at_any_depth_sorted(tmp_path: Path) -> None:
    folder = tmp_path / "snaps"
    for name in ("b.json.gz", "a.json", "eu/c.JSON", "notes.txt", "eu/d.yaml"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("{}")
    single = tmp_path / "named.whatever"
    single.write_text("{}")
    entries = snapshot_entries([folder, single, folder / "a.json"])
    assert [e.name for e in entries] == [
        str(folder / "a.json"),
        str(folder / "b.json.gz"),
        str(folder / "eu" / "c.JSON"),
        str(single),  # a file named is taken whatever its name
    ]
    assert all(e.origin is Origin.SNAPSHOT and e.problem is None for e in entries)


def test_a_folder_without_snapshots_is_an_entry_saying_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (entry,) = snapshot_entries([tmp_path / "empty"])
    assert entry.name == str(tmp_path / "empty")
    assert entry.problem is not None and "no snapshot file" in entry.problem


def test_a_missing_file_is_an_entry_and_fails_when_read(tmp_path: Path) -> None:
    assert snapshot_entries([tmp_path / "gone.json"]) == [
        Entry(str(tmp_path / "gone.json"), Origin.SNAPSHOT)
    ]
