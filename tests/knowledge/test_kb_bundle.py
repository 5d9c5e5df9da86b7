"""Knowledge-base bundles: built from a data folder, checked on install (digests, the data
itself, newer than the data in use), used instead of the bundled data only while newer,
removed by `kb reset`; `kb show-version` and reports name the same knowledge version."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli_runner import run_cli
from support.kbpaths import DATA

from upgradecheck.knowledge import KnowledgeError, load_knowledge_base
from upgradecheck.knowledge.bundle import build_bundle, install_bundle, reset, write_bundle
from upgradecheck.knowledge.loader import active_data
from upgradecheck.knowledge.store import installed_dir

EXAMPLE = DATA.parent / "examples" / "cluster-1.23.snapshot.json"
NEWER = "2099.01.01"


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def newer_data(tmp_path: Path, version: str = NEWER, *, addon: bool = True) -> Path:
    """A copy of the bundled data with a later data version (and one more add-on API)."""
    folder = tmp_path / f"data-{version}"
    shutil.copytree(DATA, folder)
    (folder / "kb-version.yaml").write_text(
        f'schema: upgradecheck.kb.version/v1\ndata_version: "{version}"\n', encoding="utf-8"
    )
    if addon:
        path = folder / "addons.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["addons"].append(
            {
                "name": "gadgets",
                "homepage": "https://gadgets.example.com/",
                "apis": [
                    {
                        "group": "gadgets.example.com",
                        "version": "v1alpha1",
                        "kinds": [],
                        "deprecated_in": "0.9",
                        "removed_in": "1.0",
                        "replacement": "gadgets.example.com/v1",
                        "note": "Moved to v1.",
                        "source": "https://gadgets.example.com/releases/1.0",
                    }
                ],
            }
        )
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder


def bundle_file(folder: Path, path: Path) -> Path:
    write_bundle(build_bundle(folder), path)
    return path


def test_a_bundle_of_the_shipped_data_names_its_knowledge_version(tmp_path: Path) -> None:
    built = build_bundle(DATA)
    shipped = load_knowledge_base()
    assert (built.knowledge_version, built.data_version) == (
        shipped.version,
        shipped.data_version,
    )
    assert set(built.texts) >= {"addons.yaml", "kb-version.yaml", "helm-support.yaml"}


def test_install_use_and_reset(
    tmp_path: Path,
    data_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = bundle_file(newer_data(tmp_path), tmp_path / "kb.json")
    code, out, err = run_cli(monkeypatch, capsys, "kb", "update", str(path))
    assert code == 0, err
    assert f"installed data version {NEWER}" in out
    kb = load_knowledge_base()
    assert kb.data_version == NEWER and kb.origin.startswith("installed bundle")
    assert kb.addon_api("gadgets.example.com/v1alpha1", "Gadget") is not None
    assert active_data().folder == installed_dir() == data_home / "upgradecheck" / "kb"

    # A report judged now carries the bundle's knowledge version; show-version agrees.
    report = tmp_path / "report.json"
    code, _, err = run_cli(
        monkeypatch, capsys, "assess", str(EXAMPLE), "--target", "1.26", "-o", str(report),
        "--fail-on", "none",
    )  # fmt: skip
    assert code == 0, err
    judged = json.loads(report.read_text())["knowledge_version"]
    code, out, _ = run_cli(monkeypatch, capsys, "kb", "show-version", str(report), "--json")
    shown = json.loads(out)
    assert shown["knowledge_version"] == judged == kb.version
    assert shown["data_version"] == NEWER and shown["report"]["same_data"] is True
    assert shown["source"].startswith(f"bundle installed at {installed_dir()} from {path}")

    code, out, _ = run_cli(monkeypatch, capsys, "kb", "reset")
    assert code == 0 and f"removed data version {NEWER}" in out
    assert load_knowledge_base().origin == "bundled"
    code, out, _ = run_cli(monkeypatch, capsys, "kb", "show-version", str(report))
    assert "other data than this" in out  # the bundled data lacks the gadgets add-on


def test_only_newer_data_is_installed_or_used(tmp_path: Path, data_home: Path) -> None:
    same = bundle_file(DATA, tmp_path / "same.json")
    with pytest.raises(KnowledgeError, match="is not newer than the data in use"):
        install_bundle(same)
    install_bundle(bundle_file(newer_data(tmp_path, "2099.01.02"), tmp_path / "b2.json"))
    older = bundle_file(newer_data(tmp_path, "2099.01.01"), tmp_path / "b1.json")
    with pytest.raises(KnowledgeError, match=r"not newer .* \(2099\.01\.02\)"):
        install_bundle(older)
    # An installed bundle older than the data this upgradecheck ships is passed over (after
    # an upgrade of upgradecheck, say): the manifest is rewritten here to look that way.
    manifest = installed_dir() / "bundle.json"
    doc = json.loads(manifest.read_text())
    doc["data_version"] = "2000.01.01"
    manifest.write_text(json.dumps(doc))
    (installed_dir() / "kb-version.yaml").write_text(
        'schema: upgradecheck.kb.version/v1\ndata_version: "2000.01.01"\n'
    )
    assert load_knowledge_base().origin == "bundled"
    assert active_data().bundle is not None


def _tampered(path: Path, change: Any) -> Path:
    doc = json.loads(path.read_text())
    change(doc)
    out = path.with_name("tampered.json")
    out.write_text(json.dumps(doc))
    return out


def test_bundles_are_checked_before_anything_is_installed(
    tmp_path: Path, data_home: Path
) -> None:
    good = bundle_file(newer_data(tmp_path), tmp_path / "kb.json")

    def edit_text(doc: dict[str, Any]) -> None:
        doc["files"][0]["text"] += "\n# changed\n"

    def rehash(doc: dict[str, Any]) -> None:
        entry = next(f for f in doc["files"] if f["name"] == "addons.yaml")
        entry["text"] = entry["text"].replace("removed_in: '1.0'", "removed_in: '1.x'")
        entry["sha256"] = hashlib.sha256(entry["text"].encode()).hexdigest()

    def drop_file(doc: dict[str, Any]) -> None:
        doc["files"] = [f for f in doc["files"] if f["name"] != "releases.yaml"]

    cases = [
        (edit_text, "its sha256 does not match its text"),
        (rehash, "its sha256 does not match its files"),
        (drop_file, "files missing: releases.yaml"),
        (lambda doc: doc.update(schema="other/v1"), "schema must be"),
        (lambda doc: doc.update(data_version="soon"), "is not a data version"),
    ]
    for change, message in cases:
        with pytest.raises(KnowledgeError, match=message):
            install_bundle(_tampered(good, change))
    # A bundle whose digests agree but whose data is wrong is refused by the loader's checks.
    bad_data = newer_data(tmp_path, "2099.02.01", addon=False)
    addons = bad_data / "addons.yaml"
    addons.write_text(addons.read_text().replace('removed_in: "1.6"', 'removed_in: "1.x"', 1))
    with pytest.raises(KnowledgeError):
        build_bundle(bad_data)  # the builder validates first too
    with pytest.raises(KnowledgeError, match="expected"):
        install_bundle(good, expected_sha256="0" * 64)
    assert not installed_dir().exists()


def test_a_changed_installed_file_is_refused_with_the_way_back(
    tmp_path: Path, data_home: Path
) -> None:
    install_bundle(bundle_file(newer_data(tmp_path), tmp_path / "kb.json"))
    releases = installed_dir() / "releases.yaml"
    releases.write_text(releases.read_text() + "\n# edited by hand\n")
    with pytest.raises(KnowledgeError, match=r"releases.yaml: .*`upgradecheck kb reset`"):
        load_knowledge_base()
    assert reset() is not None
    assert load_knowledge_base().origin == "bundled"
