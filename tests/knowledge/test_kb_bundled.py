"""The bundled knowledge base loads, validates, is cached, and holds the facts we rely on."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml
from support.kbpaths import DATA

from upgradecheck.knowledge import KnowledgeBase, load_knowledge_base
from upgradecheck.knowledge.loader import DATA_FILES
from upgradecheck.knowledge.model import DETECTOR_TYPES
from upgradecheck.versions import Minor, parse_minor


def m(text: str) -> Minor:
    return parse_minor(text)


def test_bundled_loads_every_section(bundled: KnowledgeBase) -> None:
    assert len(bundled.apis) > 200
    assert len(bundled.addon_apis) >= 30
    assert len(bundled.skew_rules) == 11
    assert len(bundled.removals) >= 25
    assert re.fullmatch(r"[0-9a-f]{12}", bundled.version)


def test_default_load_is_cached_and_explicit_path_is_not() -> None:
    assert load_knowledge_base() is load_knowledge_base()
    fresh = load_knowledge_base(DATA)
    assert fresh is not load_knowledge_base()
    assert fresh == load_knowledge_base()


def test_version_is_a_digest_of_the_files(data_copy: Path, bundled: KnowledgeBase) -> None:
    path = data_copy / "releases.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# touched\n", encoding="utf-8")
    assert load_knowledge_base(data_copy).version != bundled.version


def test_no_duplicate_group_version_kind(bundled: KnowledgeBase) -> None:
    keys = [(a.group, a.version, a.kind) for a in bundled.apis]
    assert len(keys) == len(set(keys))


def test_every_replacement_resolves_or_is_a_listed_target(bundled: KnowledgeBase) -> None:
    known = {(a.api_version, a.kind) for a in bundled.apis}
    targets: set[tuple[str, str]] = set()
    for name in ("kubernetes-apis.yaml", "kubernetes-apis-overlay.yaml"):
        doc = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
        targets |= {(t["api_version"], t["kind"]) for t in doc.get("ga_targets", [])}
    for api in bundled.apis:
        if api.replacement:
            assert (api.replacement, api.replacement_kind) in known | targets, api


def _walk(node: Any, trail: str = "") -> list[tuple[str, Any]]:
    """Every (path, value) of keys named source or homepage in a parsed document."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("source", "homepage"):
                found.append((f"{trail}.{key}", value))
            found += _walk(value, f"{trail}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _walk(value, f"{trail}[{i}]")
    return found


def _entries(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The entries of a data file that must each cite a source."""
    entries: list[dict[str, Any]] = []
    for key in ("apis", "rules", "upgrade_order", "releases", "removals"):
        entries += doc.get(key, [])
    for addon in doc.get("addons", []):
        entries += addon["apis"]
    entries += [t for t in doc.get("ga_targets", []) if "source" in t]
    return entries


def test_every_entry_of_every_file_has_an_https_source() -> None:
    for name in DATA_FILES:
        doc = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
        entries = _entries(doc)
        assert entries, name
        for entry in entries:
            assert str(entry.get("source", "")).startswith("https://"), (name, entry)
        for trail, value in _walk(doc):
            assert isinstance(value, str) and value.startswith("https://"), (name, trail)


def test_helm_support_table(bundled: KnowledgeBase) -> None:
    table = bundled.helm_support
    row = table.of(Minor(3, 14))
    assert row is not None and (str(row.oldest), str(row.newest)) == ("1.26", "1.29")
    assert table.rows == tuple(sorted(table.rows, key=lambda r: r.helm, reverse=True))
    assert all(r.oldest <= r.newest for r in table.rows)
    assert table.source == "https://helm.sh/docs/topics/version_skew/"


def test_every_add_on_entry_cites_a_source_and_the_guide_lists_it(
    bundled: KnowledgeBase,
) -> None:
    doc = yaml.safe_load((DATA / "addons.yaml").read_text(encoding="utf-8"))
    guide = (DATA.parent / "docs" / "knowledge-base.md").read_text(encoding="utf-8")
    section = guide.split("## Add-ons and their sources", 1)[1].split("\n## ", 1)[0]
    assert len(bundled.addon_apis) == sum(len(a["apis"]) for a in doc["addons"])
    for api in bundled.addon_apis:
        assert api.source.startswith("https://"), api
        assert api.source in section, (api.addon, api.source)
        assert f"`{api.api_version}`" in section, (api.addon, api.api_version)
    for addon in doc["addons"]:
        assert f"[{addon['name']}]({addon['homepage']})" in section, addon["name"]


def test_release_calendar_covers_1_16_to_1_37(bundled: KnowledgeBase) -> None:
    minors = [r.minor for r in bundled.releases]
    assert minors == [Minor(1, n) for n in range(16, 38)]
    assert bundled.newest_release == m("1.37")
    first = bundled.release(m("1.16"))
    assert first is not None
    assert first.released == dt.date(2019, 9, 18)
    assert first.end_of_life == dt.date(2020, 9, 2)
    for r in bundled.releases:
        assert r.end_of_life is not None and r.released < r.end_of_life
        assert r.latest_patch is not None and r.latest_patch.startswith(f"{r.minor}.")
        assert r.source.startswith("https://")


def test_known_release_dates(bundled: KnowledgeBase) -> None:
    dates = {str(r.minor): (r.released, r.end_of_life) for r in bundled.releases}
    assert dates["1.17"] == (dt.date(2019, 12, 9), dt.date(2021, 1, 13))
    assert dates["1.18"] == (dt.date(2020, 3, 25), dt.date(2021, 6, 18))
    assert dates["1.24"] == (dt.date(2022, 5, 3), dt.date(2023, 7, 28))
    assert dates["1.33"] == (dt.date(2025, 4, 23), dt.date(2026, 6, 28))


def test_detectors_use_known_types(bundled: KnowledgeBase) -> None:
    for removal in bundled.removals:
        assert removal.detect, removal.id
        for detector in removal.detect:
            assert detector.type in DETECTOR_TYPES
