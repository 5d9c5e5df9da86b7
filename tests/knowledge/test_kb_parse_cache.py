"""The parse cache of the knowledge base's files: a hit builds the same knowledge base as a cold
parse, without parsing YAML; an edited file (bundled or the user's) is parsed again; a corrupt,
foreign or unwritable cache is a miss and never an error; data JSON would change is not kept."""

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

from upgradecheck.knowledge import _yaml, load_knowledge_base, parse_cache
from upgradecheck.knowledge.loader import BUNDLE_FILES, PARSER_REVISION

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


def test_a_hit_builds_the_same_knowledge_base_as_a_cold_parse(
    cache: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(parse_cache.NO_CACHE_ENV, "1")
    cold = load_knowledge_base(DATA)
    assert len(parses) == len(BUNDLE_FILES) and not cache.exists()
    monkeypatch.delenv(parse_cache.NO_CACHE_ENV)
    first = load_knowledge_base(DATA)  # a miss: parsed, then kept
    assert len(entries(cache)) == len(BUNDLE_FILES)
    parses.clear()
    warm = load_knowledge_base(DATA)
    assert parses == []  # every file came from the cache
    assert warm == cold == first
    assert (warm.version, warm.data_version) == (cold.version, cold.data_version)
    assert warm.api("policy/v1beta1", "PodDisruptionBudget") == cold.api(
        "policy/v1beta1", "PodDisruptionBudget"
    )


def test_an_entry_is_named_and_keyed_by_the_files_bytes(cache: Path) -> None:
    load_knowledge_base(DATA)
    for name in BUNDLE_FILES:
        key = parse_cache.entry_key(sha256(DATA / name), PARSER_REVISION)
        header, document = entries(cache)[f"{key}.jsonl"]
        assert header["schema"] == parse_cache.SCHEMA and header["key"] == key
        assert document["schema"].startswith("upgradecheck.kb.")  # the file's own document
    key = parse_cache.entry_key("0" * 64, PARSER_REVISION)
    assert key != parse_cache.entry_key("0" * 64, PARSER_REVISION + "x")
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
    cache: Path, parses: list[str], damage: Callable[[str], str]
) -> None:
    good = load_knowledge_base(DATA)
    written = entries(cache)
    damaged = 0
    for path in cache.glob("*.jsonl"):
        text = path.read_text()
        path.write_text(damage(text), errors="surrogateescape")
        damaged += damage(text) != text
    assert damaged  # the damage reached at least one entry
    parses.clear()
    again = load_knowledge_base(DATA)
    assert again == good and again.version == good.version
    assert len(parses) >= damaged  # each damaged entry was parsed again...
    assert entries(cache) == written  # ...and written again


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
    parse_cache.store("0" * 64, PARSER_REVISION, document)
    assert not cache.exists() or list(cache.iterdir()) == []
    assert parse_cache.load("0" * 64, PARSER_REVISION) is None


def test_a_recursive_document_is_not_kept(cache: Path) -> None:
    loop: list[Any] = []
    loop.append(loop)  # what a YAML alias to its own parent gives
    parse_cache.store("0" * 64, PARSER_REVISION, {"loop": loop})
    assert not cache.exists() or list(cache.iterdir()) == []


def test_a_file_with_unquoted_dates_loads_the_same_without_an_entry(
    data_copy: Path, cache: Path, parses: list[str]
) -> None:
    releases = data_copy / "releases.yaml"
    text = releases.read_text()
    releases.write_text(text.replace('released: "2019-09-18"', "released: 2019-09-18"))
    first = load_knowledge_base(data_copy)
    second = load_knowledge_base(data_copy)
    assert first == second
    assert parse_cache.load(sha256(releases), PARSER_REVISION) is None
    assert parses.count("deprecations/releases.yaml") == 2  # parsed each time


def test_off_when_asked(cache: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    load_knowledge_base(DATA)
    monkeypatch.setenv(parse_cache.NO_CACHE_ENV, "1")
    parses.clear()
    load_knowledge_base(DATA)
    assert len(parses) == len(BUNDLE_FILES)  # not read
    monkeypatch.setenv(parse_cache.NO_CACHE_ENV, "0")
    parses.clear()
    load_knowledge_base(DATA)
    assert parses == []


def test_where_it_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert parse_cache.cache_dir() == tmp_path / "xdg" / "upgradecheck" / "kb"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # invalid by the specification
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert parse_cache.cache_dir() == tmp_path / "home" / ".cache" / "upgradecheck" / "kb"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "relative/home")  # no usable home: no cache, not ./relative
    assert parse_cache.cache_dir() is None


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

    monkeypatch.setattr(parse_cache.os, "open", read_only)
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
    monkeypatch.setattr(parse_cache, "MAX_ENTRIES", 3)
    for n in range(5):
        parse_cache.store(f"{n:064d}", PARSER_REVISION, {"n": n})
        os.utime(cache / f"{parse_cache.entry_key(f'{n:064d}', PARSER_REVISION)}.jsonl",
                 (1_000_000 + n, 1_000_000 + n))  # fmt: skip
    kept = sorted(document["n"] for _, document in entries(cache).values())
    assert kept == [2, 3, 4]
    stale = cache / ".left-by-a-crash.tmp"
    stale.write_text("{")
    os.utime(stale, (1_000_000, 1_000_000))
    parse_cache.store("9" * 64, PARSER_REVISION, {"n": 9})
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
