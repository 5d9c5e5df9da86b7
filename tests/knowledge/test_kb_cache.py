"""The knowledge base's cache (each file's parse, and the knowledge base built from a set of
files): a hit gives the same knowledge base as a cold parse and build, without parsing YAML or
validating; an edited file (bundled or the user's) or changed building code is a miss; a
corrupt, foreign or unwritable cache is a miss and never an error; data JSON would change is
not kept."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.kbpaths import DATA

from upgradecheck.knowledge import _yaml, codec, load_knowledge_base, loader
from upgradecheck.knowledge import cache as kb_cache
from upgradecheck.knowledge.loader import BUNDLE_FILES, PARSER_REVISION
from upgradecheck.versions import Minor

USER = """\
schema: upgradecheck.kb.user/v1
apis:
  - {kind: CronJob, group: batch, version: v1beta1, note: "{note}", source: "https://wiki.example.com/cron"}
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "upgradecheck" / "kb"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The origins of the knowledge bases validated and built (not taken from the cache)."""
    seen: list[str] = []
    real = loader._validated

    def counting(docs: Any, users: Any, origin: str) -> Any:
        seen.append(origin)
        return real(docs, users, origin)

    monkeypatch.setattr(loader, "_validated", counting)
    return seen


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The places of the files parsed as YAML (not taken from the cache), in order."""
    seen: list[str] = []
    real = _yaml.parse_yaml

    def counting(raw: bytes, where: Any) -> Any:
        seen.append(where.file)
        return real(raw, where)

    monkeypatch.setattr(_yaml, "parse_yaml", counting)
    return seen


def entries(folder: Path) -> dict[str, tuple[dict[str, Any], Any]]:
    """Each entry's header and document, by file name."""
    found = {}
    for path in folder.glob("*.jsonl"):
        header, document = path.read_text().splitlines()
        found[path.name] = json.loads(header), json.loads(document)
    return found


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_hit_gives_the_same_knowledge_base_as_a_cold_parse_and_build(
    cache: Path, parses: list[str], builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(kb_cache.NO_CACHE_ENV, "1")
    cold = load_knowledge_base(DATA)
    assert len(parses) == len(BUNDLE_FILES) and len(builds) == 1 and not cache.exists()
    monkeypatch.delenv(kb_cache.NO_CACHE_ENV)
    first = load_knowledge_base(DATA)  # a miss: parsed and built, then kept
    assert len(entries(cache)) == len(BUNDLE_FILES) + 1  # each file's parse, and the build
    parses.clear()
    builds.clear()
    warm = load_knowledge_base(DATA)
    assert parses == [] and builds == []  # nothing parsed or validated again
    assert warm == cold == first
    assert repr(warm) == repr(cold)  # field for field, those equality skips included
    assert (warm.version, warm.data_version, warm.origin) == (
        cold.version, cold.data_version, cold.origin
    )
    assert warm.api("policy/v1beta1", "PodDisruptionBudget") == cold.api(
        "policy/v1beta1", "PodDisruptionBudget"
    )


def test_an_entry_is_named_and_keyed_by_the_files_bytes(cache: Path) -> None:
    load_knowledge_base(DATA)
    for name in BUNDLE_FILES:
        key = kb_cache.entry_key(sha256(DATA / name), PARSER_REVISION)
        header, document = entries(cache)[f"{key}.jsonl"]
        assert header["schema"] == kb_cache.SCHEMA and header["key"] == key
        assert document["schema"].startswith("upgradecheck.kb.")  # the file's own document
    key = kb_cache.entry_key("0" * 64, PARSER_REVISION)
    assert key != kb_cache.entry_key("0" * 64, PARSER_REVISION + "x")
    assert sys.implementation.cache_tag in key and "0.1" in key  # the Python, the tool


def test_an_edited_data_file_is_parsed_again(
    data_copy: Path, cache: Path, parses: list[str]
) -> None:
    before = load_knowledge_base(data_copy)
    releases = data_copy / "releases.yaml"
    releases.write_text(
        releases.read_text().replace('latest_patch: "1.16.15"', 'latest_patch: "1.16.14"')
    )
    parses.clear()
    after = load_knowledge_base(data_copy)
    assert parses == ["deprecations/releases.yaml"]  # the others are unchanged: hits
    assert after.version != before.version
    old = [r for r in before.releases if str(r.minor) == "1.16"]
    new = [r for r in after.releases if str(r.minor) == "1.16"]
    assert [r.latest_patch for r in old + new] == ["1.16.15", "1.16.14"]


def test_an_edited_user_data_file_is_parsed_again(tmp_path: Path, cache: Path) -> None:
    user = tmp_path / "inhouse.yaml"
    notes = []
    for note in ("first", "second", "first"):
        user.write_text(USER.replace("{note}", note))
        notes.append(load_knowledge_base(user_data=[user]).api("batch/v1beta1", "CronJob"))
    assert [n.note if n else None for n in notes] == ["first", "second", "first"]
    assert len(list(cache.glob("*.jsonl"))) >= 2  # both versions of the file are kept


def _header(text: str) -> dict[str, Any]:
    return dict(json.loads(text.splitlines()[0]))


def _rewritten(text: str, **changes: Any) -> str:
    return json.dumps({**_header(text), **changes}) + "\n" + text.splitlines()[1]


DAMAGES: dict[str, Callable[[str], str]] = {
    "cut short": lambda text: text[: len(text) // 2],
    "empty": lambda text: "",
    "garbage": lambda text: "\udcff\x00 not json",
    "header only": lambda text: text.splitlines()[0],
    "a list": lambda text: json.dumps(["a", "list"]) + "\n[]",
    "another file's key": lambda text: _rewritten(text, key="0" * 64),
    "another schema": lambda text: _rewritten(text, schema="upgradecheck.kb-cache/v0"),
    "no digest": lambda text: _rewritten(text, sha256=None),
    # Still JSON, with its key: only the digest tells (a removal moved to another release).
    "a changed version": lambda text: text.replace('"1.25"', '"1.35"'),
    "a changed document": lambda text: text.replace('"schema":"upgradecheck.kb.', '"x":"'),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_corrupt_entry_is_a_miss_and_is_written_again(
    cache: Path, damage: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = load_knowledge_base(DATA)
    written = entries(cache)
    damaged = 0
    for path in cache.glob("*.jsonl"):
        text = path.read_text()
        path.write_text(damage(text), errors="surrogateescape")
        damaged += damage(text) != text
    assert damaged  # the damage reached at least one entry
    again = load_knowledge_base(DATA)
    assert again == good and repr(again) == repr(good)
    # A damaged build is built again (from the files' parses: damaged ones parsed again);
    # with the build missed, every file's parse is read, and a damaged one parsed again.
    monkeypatch.setattr(loader, "_code_digest", lambda: "0" * 64)
    assert repr(load_knowledge_base(DATA)) == repr(good)
    assert {name: entries(cache)[name] for name in written} == written


def test_a_hit_with_user_data_is_the_same_as_a_build(tmp_path: Path, cache: Path) -> None:
    user = tmp_path / "inhouse.yaml"
    user.write_text(USER.replace("{note}", "ours"))
    built = load_knowledge_base(DATA, user_data=[user])
    again = load_knowledge_base(DATA, user_data=[user])
    assert again == built and repr(again) == repr(built)
    assert again.user_data == (str(user),) and "+user-" in again.version
    assert again.api("batch/v1beta1", "CronJob").note == "ours"  # type: ignore[union-attr]


def test_each_folder_keeps_its_own_origin(data_copy: Path, cache: Path) -> None:
    # The same bytes read from two places give equal knowledge bases, but each says where it
    # was read: a hit for one folder is not the other's.
    first, second = load_knowledge_base(DATA), load_knowledge_base(data_copy)
    assert first == second
    again = load_knowledge_base(data_copy), load_knowledge_base(DATA)
    assert [kb.origin for kb in again] == [str(data_copy), str(DATA)]


def test_changed_building_code_is_a_miss(
    cache: Path, builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a checkout being worked on the version stays the same: the key holds the code.
    load_knowledge_base(DATA)
    monkeypatch.setattr(loader, "_code_digest", lambda: "0" * 64)
    builds.clear()
    load_knowledge_base(DATA)
    assert builds == [str(DATA)]


def test_a_foreign_document_under_the_right_key_is_built_again(
    cache: Path, builds: list[str]
) -> None:
    good = load_knowledge_base(DATA)
    (built,) = [p for p in cache.glob("*.jsonl") if f"-{codec.REVISION}-" in p.name]
    header = json.loads(built.read_text().splitlines()[0])
    empty = {"$tuple": []}
    entries_of_ints = {"$": "KnowledgeBase", "apis": {"$tuple": [1]}, "addon_apis": empty,
                       "skew_rules": empty, "releases": empty, "removals": empty}
    for foreign in ({"$": "KnowledgeBase", "apis": 1}, entries_of_ints, {"$": "os.system"},
                    {"x": 1, "y": 2}, {"$tuple": []}, [1, 2], "text"):  # fmt: skip
        body = json.dumps(foreign).encode()
        header["sha256"] = hashlib.sha256(body).hexdigest()  # a right header, a wrong document
        built.write_bytes(json.dumps(header).encode() + b"\n" + body)
        builds.clear()
        again = load_knowledge_base(DATA)
        assert builds == [str(DATA)] and again == good and repr(again) == repr(good)


@pytest.mark.parametrize(
    "value",
    [
        ("a", 1, None, True, 1.5),
        {("apps/v1", "Deployment"): Minor(1, 9)},
        {"pattern": "^docker://", "fields": ["a", ("b", "c")], "nested": {"k": [1, 2]}},
        dt.date(2024, 8, 13),
        [Minor(1, 25), (Minor(1, 26),)],
    ],
    ids=["scalars", "tuple-keys", "mapping", "date", "minors"],
)
def test_the_codec_reads_back_what_it_wrote(value: Any) -> None:
    text = json.dumps(codec.encode(value))
    back = json.loads(text, object_hook=codec.object_hook)
    assert back == value and repr(back) == repr(value)


def test_the_codec_holds_only_the_models_values() -> None:
    with pytest.raises(TypeError):
        codec.encode({"a": {1, 2}})
    with pytest.raises(TypeError):
        codec.encode(Path("/etc"))


@pytest.mark.parametrize(
    "document",
    [
        {"released": dt.date(2024, 8, 13)},  # YAML's unquoted date: JSON has no dates
        {1: "a number as a key"},  # JSON would make it "1", which validation accepts
        {"nan": float("nan")},
        {"set": {1, 2}},
    ],
    ids=["date", "int-key", "nan", "set"],
)
def test_data_json_would_change_is_not_kept(cache: Path, document: dict[Any, Any]) -> None:
    kb_cache.store("0" * 64, PARSER_REVISION, document)
    assert not cache.exists() or list(cache.iterdir()) == []
    assert kb_cache.load("0" * 64, PARSER_REVISION) is None


def test_a_recursive_document_is_not_kept(cache: Path) -> None:
    loop: list[Any] = []
    loop.append(loop)  # what a YAML alias to its own parent gives
    kb_cache.store("0" * 64, PARSER_REVISION, {"loop": loop})
    assert not cache.exists() or list(cache.iterdir()) == []


def test_a_file_with_unquoted_dates_loads_the_same_without_an_entry(
    data_copy: Path, cache: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    releases = data_copy / "releases.yaml"
    text = releases.read_text()
    releases.write_text(text.replace('released: "2019-09-18"', "released: 2019-09-18"))
    first = load_knowledge_base(data_copy)
    second = load_knowledge_base(data_copy)  # the knowledge base, dates and all, is kept
    assert first == second and repr(first) == repr(second)
    assert kb_cache.load(sha256(releases), PARSER_REVISION) is None  # its parse is not
    monkeypatch.setattr(loader, "_code_digest", lambda: "0" * 64)  # the build missed
    parses.clear()
    assert load_knowledge_base(data_copy) == first
    assert parses == ["deprecations/releases.yaml"]  # parsed again; the other files are not


def test_off_when_asked(cache: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    load_knowledge_base(DATA)
    monkeypatch.setenv(kb_cache.NO_CACHE_ENV, "1")
    parses.clear()
    load_knowledge_base(DATA)
    assert len(parses) == len(BUNDLE_FILES)  # not read
    monkeypatch.setenv(kb_cache.NO_CACHE_ENV, "0")
    parses.clear()
    load_knowledge_base(DATA)
    assert parses == []


def test_where_it_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert kb_cache.cache_dir() == tmp_path / "xdg" / "upgradecheck" / "kb"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # invalid by the specification
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert kb_cache.cache_dir() == tmp_path / "home" / ".cache" / "upgradecheck" / "kb"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "relative/home")  # no usable home: no cache, not ./relative
    assert kb_cache.cache_dir() is None


def test_a_cache_that_cannot_be_created_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert load_knowledge_base(DATA) == load_knowledge_base(DATA)
    assert blocker.read_text() == "a file where the cache folder would be"


def test_a_read_only_file_system_is_skipped(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.mkdir(parents=True)

    def read_only(*args: Any, **kwargs: Any) -> int:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(kb_cache.os, "open", read_only)
    kb = load_knowledge_base(DATA)
    assert kb.version and list(cache.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_is_skipped(cache: Path) -> None:
    cache.mkdir(parents=True)
    cache.chmod(0o555)
    try:
        assert load_knowledge_base(DATA).version
        assert list(cache.iterdir()) == []
    finally:
        cache.chmod(0o755)


def test_old_entries_are_removed_beyond_the_limit(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kb_cache, "MAX_ENTRIES", 3)
    for n in range(5):
        kb_cache.store(f"{n:064d}", PARSER_REVISION, {"n": n})
        os.utime(cache / f"{kb_cache.entry_key(f'{n:064d}', PARSER_REVISION)}.jsonl",
                 (1_000_000 + n, 1_000_000 + n))  # fmt: skip
    kept = sorted(document["n"] for _, document in entries(cache).values())
    assert kept == [2, 3, 4]
    stale = cache / ".left-by-a-crash.tmp"
    stale.write_text("{")
    os.utime(stale, (1_000_000, 1_000_000))
    kb_cache.store("9" * 64, PARSER_REVISION, {"n": 9})
    assert not stale.exists()


def test_the_command_line_never_fails_for_its_cache(tmp_path: Path) -> None:
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: web}\n"
    )
    blocker = tmp_path / "blocked"
    blocker.write_text("")
    corrupt = tmp_path / "corrupt"
    outputs = []
    for home in (blocker, corrupt, corrupt):  # unusable; a miss; then a hit
        env = {**os.environ, "XDG_CACHE_HOME": str(home)}
        done = subprocess.run(
            [sys.executable, "-m", "upgradecheck", "scan", str(manifest), "--format", "json"],
            env=env, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        assert done.returncode == 1 and done.stderr == ""
        outputs.append(json.loads(done.stdout)["findings"])
        for path in (corrupt / "upgradecheck" / "kb").glob("*.jsonl"):
            path.write_text("{")  # damaged before each next run
    assert outputs[0] == outputs[1] == outputs[2] and outputs[0]
