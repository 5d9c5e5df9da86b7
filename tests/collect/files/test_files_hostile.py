"""scan_manifests on bad and hostile input: reported as coverage, the rest still scanned."""

from __future__ import annotations

import io
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from upgradecheck.collect.files.objects import MAX_PROBLEMS_NOTED
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.collect.yaml_documents import MAX_DEPTH, MAX_DOCUMENT_VALUES, MAX_DOCUMENTS
from upgradecheck.model import CoverageNote, Snapshot

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types")


def _names(snapshot: Snapshot) -> list[str]:
    return [obj.ref.name for obj in snapshot.objects]


def _only_note(snapshot: Snapshot) -> CoverageNote:
    assert len(snapshot.coverage) == 1, snapshot.coverage
    return snapshot.coverage[0]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A folder holding one valid manifest, `good.yaml`, beside whatever a test adds."""
    (tmp_path / "good.yaml").write_text(NAMESPACE.format(name="good"))
    return tmp_path


def test_binary_file_is_an_error_and_others_are_scanned(good: Path) -> None:
    (good / "blob.yaml").write_bytes(b"apiVersion: v1\nkind: \x00\x01\x02\n")
    snapshot = scan_manifests([str(good)])
    assert _names(snapshot) == ["good"]
    note = _only_note(snapshot)
    assert note.kind == "error"
    assert note.reason == f"{good / 'blob.yaml'}:2: binary file (NUL byte), not text"


def test_invalid_utf8_spoils_only_its_document(good: Path) -> None:
    text = NAMESPACE.format(name="first") + "---\n" + "apiVersion: v1\nkind: ConfigMap\n"
    data = (
        text.encode()
        + b"metadata:\n  name: caf\xe9\n---\n"
        + NAMESPACE.format(name="last").encode()
    )
    (good / "latin1.yaml").write_bytes(data)
    snapshot = scan_manifests([str(good)])
    assert _names(snapshot) == ["good", "first", "last"]
    note = _only_note(snapshot)
    assert (note.kind, note.reason) == ("error", f"{good / 'latin1.yaml'}:9: not valid UTF-8 text")


def test_invalid_utf8_in_json_is_an_error(good: Path) -> None:
    (good / "bad.json").write_bytes(b'{\n"apiVersion": "v1",\n"kind": "caf\xe9"}\n')
    note = _only_note(scan_manifests([str(good)]))
    assert (note.kind, note.reason) == ("error", f"{good / 'bad.json'}:3: not valid UTF-8 text")


def test_json_syntax_error_has_its_line(good: Path) -> None:
    (good / "bad.json").write_text('{\n  "apiVersion": "v1",\n  "kind": "Namespace",,\n}\n')
    snapshot = scan_manifests([str(good)])
    assert _names(snapshot) == ["good"]
    note = _only_note(snapshot)
    assert note.kind == "error"
    assert note.reason.startswith(f"{good / 'bad.json'}:3: JSON error: ")


def test_alias_bomb_is_refused(good: Path) -> None:
    # "Billion laughs": nine levels of nine aliases expand to 9**9 values.
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}", 'a: &a ["lol"]']
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]")
    (good / "bomb.yaml").write_text("\n".join(lines) + "\n---\n" + NAMESPACE.format(name="after"))
    snapshot = scan_manifests([str(good)])
    assert _names(snapshot) == ["after", "good"]
    note = _only_note(snapshot)
    assert note.kind == "error"
    assert note.reason.startswith(f"{good / 'bomb.yaml'}:1: YAML aliases expand to more than")


def test_recursive_alias_is_refused(good: Path) -> None:
    (good / "loop.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nspec: &s\n  self: *s\n")
    note = _only_note(scan_manifests([str(good)]))
    assert "recursive YAML alias" in note.reason and note.kind == "error"


def test_ordinary_anchors_and_merge_keys_are_fine(good: Path) -> None:
    (good / "anchors.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: anchored\n"
        "  labels: &labels {app: web}\n  annotations:\n    <<: *labels\n    team: x\n"
    )
    snapshot = scan_manifests([str(good)])
    assert snapshot.coverage == ()
    body = snapshot.objects[0].body
    assert body["metadata"]["annotations"] == {"app": "web", "team": "x"}


@pytest.mark.parametrize(
    "nested",
    [
        "[" * (MAX_DEPTH + 50) + "]" * (MAX_DEPTH + 50),
        "\n" + "- " * (MAX_DEPTH + 50) + "x",
        "\n"
        + "".join(" " * depth + f"k{depth}:\n" for depth in range(MAX_DEPTH + 50))
        + " " * (MAX_DEPTH + 50)
        + "x: 1",
    ],
    ids=["flow", "compact-sequences", "indented-mappings"],
)
def test_too_deep_nesting_is_refused(good: Path, nested: str) -> None:
    (good / "deep.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: " + nested + "\n")
    snapshot = scan_manifests([str(good)])
    assert _names(snapshot) == ["good"]
    note = _only_note(snapshot)
    assert note.kind == "error"
    assert note.reason.endswith(f"nested more than {MAX_DEPTH} levels deep")


def test_deep_json_is_refused(good: Path) -> None:
    depth = MAX_DEPTH + 50
    (good / "deep.json").write_text('{"apiVersion": "v1", "x": ' + "[" * depth + "]" * depth + "}")
    note = _only_note(scan_manifests([str(good)]))
    assert note.reason.endswith(f"nested more than {MAX_DEPTH} levels deep")


def test_parser_nesting_limit_is_an_error_not_a_crash(good: Path) -> None:
    (good / "deeper.yaml").write_text("apiVersion: v1\nkind: X\ndata: " + "[" * 20_000 + "\n")
    note = _only_note(scan_manifests([str(good)]))
    assert note.kind == "error" and note.reason.startswith(f"{good / 'deeper.yaml'}:")


def test_file_over_the_size_limit_is_an_error_and_not_read(good: Path) -> None:
    (good / "huge.yaml").write_text(NAMESPACE.format(name="huge") + "#" * 2000 + "\n")
    snapshot = scan_manifests([str(good)], max_file_bytes=1000)
    assert _names(snapshot) == ["good"]
    note = _only_note(snapshot)
    assert note.kind == "error"
    assert "larger than the 1,000-byte limit" in note.reason
    assert snapshot.stats["files"] == 1


def test_stdin_over_the_size_limit_is_an_error() -> None:
    snapshot = scan_manifests(["-"], stdin=io.StringIO("#" * 200), max_file_bytes=100)
    note = _only_note(snapshot)
    assert (note.subject, note.kind) == ("<stdin>", "error")


@posix_only
def test_fifo_in_a_folder_is_skipped_without_blocking(good: Path) -> None:
    os.mkfifo(good / "pipe.yaml")
    snapshot = scan_manifests([str(good)])
    assert _names(snapshot) == ["good"]
    note = _only_note(snapshot)
    assert (note.kind, note.reason) == (
        "skipped",
        f"{good / 'pipe.yaml'}: skipped: a FIFO, not a regular file",
    )


@posix_only
def test_named_fifo_is_read_like_process_substitution(tmp_path: Path) -> None:
    # `upgradecheck scan <(helm template ./chart)` hands over a pipe: read it.
    pipe = tmp_path / "fd63"
    os.mkfifo(pipe)

    def write() -> None:
        # More than a pipe's buffer, so the reader must keep reading until end of file.
        with open(pipe, "w") as writer:
            writer.write("#" * 200_000 + "\n" + NAMESPACE.format(name="piped"))

    writer = threading.Thread(target=write)
    writer.start()
    snapshot = scan_manifests([str(pipe)])
    writer.join(timeout=10)
    assert _names(snapshot) == ["piped"]


@posix_only
def test_symlink_loops_and_broken_links_are_skipped(good: Path) -> None:
    (good / "sub").mkdir()
    (good / "sub" / "up").symlink_to(good, target_is_directory=True)
    (good / "self.yaml").symlink_to(good / "self.yaml")
    (good / "dangling.yaml").symlink_to(good / "missing.yaml")
    snapshot = scan_manifests([str(good)])
    assert _names(snapshot) == ["good"]
    reasons = sorted((note.kind, note.reason) for note in snapshot.coverage)
    assert [kind for kind, _ in reasons] == ["skipped", "skipped", "skipped"]
    text = "\n".join(reason for _, reason in reasons)
    assert f"{good / 'sub' / 'up'}: folder already scanned" in text
    assert f"{good / 'dangling.yaml'}: skipped: broken symbolic link" in text
    assert f"{good / 'self.yaml'}: skipped:" in text


@posix_only
def test_symlinked_folder_is_followed_once(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "ns.yaml").write_text(NAMESPACE.format(name="linked"))
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    snapshot = scan_manifests([str(tmp_path)])
    assert _names(snapshot) == ["linked"]
    assert snapshot.objects[0].evidence[0].location == f"{tmp_path / 'alias' / 'ns.yaml'}:1"


def test_deep_alias_chains_are_refused(good: Path) -> None:
    # Each alias nests the previous value one level deeper, with no indentation at all.
    links = ["apiVersion: v1", "kind: ConfigMap", "l0: &l0 x"]
    links += [f"l{i}: &l{i}\n  - *l{i - 1}" for i in range(1, MAX_DEPTH + 50)]
    (good / "chain.yaml").write_text("\n".join(links) + "\n")
    note = _only_note(scan_manifests([str(good)]))
    assert note.reason.endswith(f"nested more than {MAX_DEPTH} levels deep")


def test_deep_but_allowed_nesting_is_kept(good: Path) -> None:
    depth = MAX_DEPTH - 10
    (good / "deep.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nspec: "
        + "[" * depth
        + "]" * depth
        + "\n"
    )
    snapshot = scan_manifests([str(good)])
    assert snapshot.coverage == ()
    assert _names(snapshot) == ["deep", "good"]


@pytest.mark.parametrize(
    "value",
    ["!!int x", "!!bool maybe", "!!float x", "1" * 5000],
    ids=["int", "bool", "float", "digits"],
)
def test_values_the_constructor_rejects_are_errors_not_crashes(good: Path, value: str) -> None:
    (good / "odd.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: {value}\n")
    note = _only_note(scan_manifests([str(good)]))
    assert note.reason == f"{good / 'odd.yaml'}:1: YAML error: a value cannot be read"


def test_json_integer_too_long_is_an_error(good: Path) -> None:
    (good / "odd.json").write_text('{"apiVersion": "v1", "n": ' + "1" * 5000 + "}")
    note = _only_note(scan_manifests([str(good)]))
    assert note.kind == "error" and "JSON error" in note.reason


EMPTY_FILES = {
    "empty.json": b"",
    "blank.json": b"  \n\t\n",
    "bom.json": b"\xef\xbb\xbf",
    "utf16-bom.json": b"\xff\xfe",
    "null.json": b"null\n",
    "array.json": b"[]",
    "empty.yaml": b"",
    "blank.yaml": b"\n\n   \n",
    "bom.yaml": b"\xef\xbb\xbf\n",
    "comments.yml": b"# nothing here yet\n---\n# still nothing\n",
    "separators.yaml": b"---\n---\n...\n",
    "null.yaml": b"~\n",
}


@pytest.mark.parametrize("name", EMPTY_FILES)
def test_a_file_holding_no_documents_is_skipped_with_a_note(good: Path, name: str) -> None:
    (good / name).write_bytes(EMPTY_FILES[name])
    snapshot = scan_manifests([str(good)])
    assert _names(snapshot) == ["good"]
    note = _only_note(snapshot)
    assert (note.kind, note.reason) == (
        "note",
        f"{good / name}: skipped: no documents (empty, or only whitespace, comments or null)",
    )
    assert not note.is_gap and not note.is_input_error  # the verdict and exit code stay
    assert snapshot.stats["files"] == 2 and snapshot.stats["skipped_files"] == 1


def test_an_empty_object_is_a_document_that_is_not_kubernetes(good: Path) -> None:
    (good / "object.json").write_text("{}")
    snapshot = scan_manifests([str(good)])
    assert snapshot.coverage == ()
    assert snapshot.stats["skipped_documents"] == 1


@posix_only
def test_links_out_of_the_named_folder_are_not_followed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "secret.yaml").write_text(NAMESPACE.format(name="outside"))
    (repo / "in.yaml").write_text(NAMESPACE.format(name="inside"))
    (repo / "out.yaml").symlink_to(tmp_path / "secret.yaml")
    (repo / "also-in.yaml").symlink_to("in.yaml")
    (repo / "etc").symlink_to("/etc")
    (repo / "readme").symlink_to("/etc/hostname")  # not a manifest: never read, not noted
    snapshot = scan_manifests([str(repo)])
    assert _names(snapshot) == ["inside"]  # also-in.yaml is the same file: read once
    assert sorted(note.reason for note in snapshot.coverage) == [
        f"{repo / 'etc'}: skipped: a symbolic link leading out of the scanned tree (see --root)",
        f"{repo / 'out.yaml'}: skipped: a symbolic link leading out of the scanned tree "
        "(see --root)",
    ]
    # Widened with root, the link is inside the tree.
    wider = scan_manifests([str(repo)], root=str(tmp_path))
    assert sorted(_names(wider)) == ["inside", "outside"]


def test_a_named_path_outside_root_is_bad_usage(tmp_path: Path) -> None:
    from upgradecheck.collect.errors import ManifestError

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(ManifestError, match=r"b is not inside --root .*a$"):
        scan_manifests([str(tmp_path / "b")], root=str(tmp_path / "a"))


TINY_DOCUMENTS = {
    # Millions of documents within the size limit: each costs a parse, or a note.
    "objects.yaml": "{}\n---\n" * (MAX_DOCUMENTS + 10),
    "separators.yaml": "---\n" * (MAX_DOCUMENTS + 10),
    "broken.yaml": ":\n---\n" * (MAX_DOCUMENTS + 10),
}


@pytest.mark.parametrize("name", TINY_DOCUMENTS)
def test_a_file_of_too_many_documents_stops_at_the_limit(good: Path, name: str) -> None:
    (good / name).write_text(TINY_DOCUMENTS[name])
    started = time.monotonic()
    snapshot = scan_manifests([str(good)])
    assert time.monotonic() - started < 30
    assert _names(snapshot) == ["good"]
    reasons = [note.reason for note in snapshot.coverage]
    limit = f"more than {MAX_DOCUMENTS:,} documents: the rest not read"
    assert [r for r in reasons if r.startswith(f"{good / name}:") and r.endswith(limit)]
    # However many documents cannot be read, the report lists a few and counts the rest.
    assert len(reasons) <= MAX_PROBLEMS_NOTED + 2


def test_a_document_of_millions_of_values_is_refused_before_it_is_parsed(good: Path) -> None:
    (good / "values.yaml").write_text(
        "apiVersion: v1\nkind: List\nitems:\n" + "- {}\n" * (MAX_DOCUMENT_VALUES + 10)
    )
    (good / "flow.yaml").write_text("apiVersion: v1\ndata: [" + "1," * MAX_DOCUMENT_VALUES + "]")
    started = time.monotonic()
    snapshot = scan_manifests([str(good)])
    assert time.monotonic() - started < 30
    assert sorted(note.reason for note in snapshot.coverage) == [
        f"{good / name}:1: more than {MAX_DOCUMENT_VALUES:,} lines and values in one document: "
        "not read" for name in ("flow.yaml", "values.yaml")
    ]


def test_a_json_array_of_too_many_elements_is_refused(good: Path) -> None:
    (good / "many.json").write_text("[" + "{}," * MAX_DOCUMENTS + "{}]")
    note = _only_note(scan_manifests([str(good)]))
    assert note.reason == (
        f"{good / 'many.json'}:1: more than {MAX_DOCUMENTS:,} array elements: not read"
    )


def test_many_broken_documents_are_counted_not_listed(good: Path) -> None:
    (good / "broken.yaml").write_text("a: [\n---\n" * 100)
    snapshot = scan_manifests([str(good)])
    reasons = [note.reason for note in snapshot.coverage]
    assert len(reasons) == MAX_PROBLEMS_NOTED + 1
    assert reasons[-1] == (
        f"{good / 'broken.yaml'}: {100 - MAX_PROBLEMS_NOTED} more documents cannot be read "
        f"(the first {MAX_PROBLEMS_NOTED} are listed)"
    )
    assert all(note.kind == "error" for note in snapshot.coverage)  # still exit code 2
