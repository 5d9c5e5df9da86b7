"""The manifest reader's fast paths against slow, plain references, on a generated family of
files: the lines of its evidence against the marks of the whole stream composed by PyYAML,
and its values (and errors) against PyYAML's own constructor.

The reader cuts a text at its column-0 markers, finds each object's line by regular
expressions and builds values by a short walk of the node graph; none of those may change
a location, a value or a problem that a full parse with marks would give.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from upgradecheck.collect import yaml_documents
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.collect.yaml_documents import is_list, iter_yaml_documents
from upgradecheck.collect.yaml_loader import Loader, load_node, load_node_by_pyyaml
from upgradecheck.model import Snapshot

SEEDS = range(40)
"""Each seed writes one folder of files: about 400 files and 1,500 documents in all."""

# ---- values: the short walk against PyYAML's constructor ------------------------------------

TRICKY_VALUES = [
    "a: 1\nb: 0x1F\nc: 0o17\nd: 017\ne: 1_000\nf: 190:20:30\ng: -0b101\nh: +12\n",
    "a: 1.5e3\nb: .inf\nc: -.Inf\nd: .NaN\ne: 1_0.5\nf: 6.8523015e+5\ng: 190:20:30.15\n",
    "a: yes\nb: No\nc: ON\nd: off\ne: True\nf: FALSE\ng: y\nh: n\n",
    "a: ~\nb: null\nc: Null\nd:\ne: ''\nf: '~'\ng: 'null'\n",
    "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\nc: '2002-12-14'\n",
    "a: !!binary aGVsbG8=\nb: !!set {x, y}\nc: !!omap [p: 1, q: 2]\nd: !!pairs [p: 1, p: 2]\n",
    "a: !Ref x\nb: !GetAtt [a, b]\nc: !Sub {a: b}\nd: !reference [.x, y]\n",
    "e: !!python/name:os.system x\nf: !!python/object/apply:os.system [x]\n",
    "a: !!str 12\nb: !!int '12'\nc: !!float '1'\nd: !!null ''\ne: !!bool 'yes'\n",
    "a: !!int x\n",
    "a: !!float y\n",
    "a: !!bool maybe\n",
    "a: !!str {b: 1}\n",
    "a: !!map [b]\n",
    "a: !!seq {b: 1}\n",
    "a: !!timestamp {b: 1}\n",
    "a: " + "1" * 5000 + "\n",
    "<<: {a: 1}\nb: 2\n",
    "base: &b {a: 1, c: 0}\nx:\n  <<: *b\n  c: 2\n",
    "x:\n  <<: [{a: 1}, {a: 2, b: 3}]\n  c: 4\n",
    "x:\n  <<: 1\n",
    "x:\n  <<: [1]\n",
    "=: 1\nb: 2\n",
    "? [a, b]\n: 1\n",
    "? {a: 1}\n: 2\n",
    "a: 1\na: 2\nb: 3\na: 4\n",
    "1: a\n'1': b\ntrue: c\n1.0: d\n~: e\n",
    ".nan: 1\n.nan: 2\n",
    "&a [*a]\n",
    "&a {x: *a}\n",
    "a: &x [1, 2]\nb: *x\nc: *x\n",
    "a: *missing\n",
    "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\n",
    "[" * 150 + "]" * 150 + "\n",
    "[" * 600 + "]" * 600 + "\n",
    "a:\n" + "".join(" " * depth + "- \n" for depth in range(1, 300)),
    "- - - x\n  - y\n- z\n",
    "? a\n? b\n",
    "",
    "# only a comment\n",
    "--- |\n  text\n  --- not a marker\n",
    "key: \"tab\\there\"\nplain: a\tb\n",
    "key: [unclosed\n",
    "a: b: c\n",
    "\ta: 1\n",
    "a: 'it''s'\nb: \"\\u00e9\\x41\"\nc: >-\n  folded\n  text\n",
    "!!set {a, b, c}\n",
    "!Custom\n  a: 1\n",
    "'just a string'\n",
    "42\n",
]


def _outcome(load: Any) -> str:
    try:
        return _described(load(), {})
    except Exception as exc:  # the error is part of what must be the same
        return f"{type(exc).__name__}: {exc}"


def _described(value: Any, seen: dict[int, int]) -> str:
    """repr, and which containers are one object met again (aliases share their values,
    and the reader's alias-bomb guard counts on it)."""
    if not isinstance(value, (dict, list)):
        return repr(value)
    if id(value) in seen:
        return f"<again {seen[id(value)]}>"
    seen[id(value)] = len(seen)
    if isinstance(value, list):
        return "[" + ", ".join(_described(item, seen) for item in value) + "]"
    pairs = (f"{key!r}: {_described(item, seen)}" for key, item in value.items())
    return "{" + ", ".join(pairs) + "}"


@pytest.mark.parametrize("text", TRICKY_VALUES)
def test_values_and_errors_are_pyyamls(text: str) -> None:
    assert _outcome(lambda: load_node(text)[1]) == _outcome(lambda: load_node_by_pyyaml(text)[1])


def test_a_plain_manifest_is_built_without_pyyamls_constructor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  n: '1'\n  m: 2\n"

    def refused(self: Loader, node: yaml.Node) -> Any:
        raise AssertionError("PyYAML's constructor was used")

    monkeypatch.setattr(Loader, "construct_document", refused)
    value = load_node(text)[1]
    assert value == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"},
                     "data": {"n": "1", "m": 2}}  # fmt: skip


# ---- the generated family -------------------------------------------------------------------


@dataclass
class _Expected:
    """What the reference says a file holds."""

    objects: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(location, apiVersion, kind, name) of each object, in order."""
    bad_lines: list[int] = field(default_factory=list)
    """Lines where a document could not be read (its problem note names them)."""


class _Writer:
    """Generates one file's worth of YAML documents from a seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0

    def name(self) -> str:
        self.count += 1
        return f"obj-{self.count}"

    def comment_lines(self) -> str:
        pick = self.rng.choice
        lines = [pick(["# a comment", "#", "", "   # indented comment", "# --- not a marker"])
                 for _ in range(self.rng.randrange(3))]  # fmt: skip
        return "".join(line + "\n" for line in lines)

    def body(self, api: str, kind: str, indent: str = "") -> list[str]:
        """An object's lines (keys in a random order, values of many shapes)."""
        rng, name = self.rng, self.name()
        api_key = rng.choice(["apiVersion", '"apiVersion"', "'apiVersion'", "apiVersion "])
        fields = [
            [f"{api_key}: {rng.choice([api, repr(api), json.dumps(api)])}"],
            [f"kind: {kind}"],
            rng.choice([
                ["metadata:", f"  name: {name}", "  namespace: shop"],
                [f"metadata: {{name: {name}, namespace: shop}}"],
                ["metadata:", "  name: placeholder", f"  name: {name}"],  # duplicate key
                ["metadata:", "  # a comment", f"  name: '{name}'", f"  labels: &l{self.count}",
                 "    app: web", f"  annotations: *l{self.count}"],
            ]),
        ]
        extra = [
            ["data:", "  script: |", "    ---", "    ...", "    --- # not a marker",
             "    apiVersion: inside/v1", "  other: value"],
            ["spec:", "  replicas: 3", "  paused: no", "  ratio: 1.5", "  nothing: ~",
             "  when: 2024-01-02"],
            ["spec:", "  text: >-", "    folded --- text", "    ... more", "  tabbed: \"a\\tb\""],
            ["# a comment between keys", "status: {}"],
            ["spec:", "  list:", "  - a", "  - {b: [1, 2, {c: d}]}", "  -   - nested"],
        ]
        chosen = fields + rng.sample(extra, rng.randrange(len(extra) + 1))
        rng.shuffle(chosen)
        return [indent + line for group in chosen for line in group]

    def document(self) -> tuple[list[str], str]:
        """One document's lines and what it is (`object`, `list`, `values`, `empty`)."""
        rng = self.rng
        shape = rng.choices(["object", "list", "values", "empty", "scalar"],
                            [60, 10, 10, 10, 5])[0]  # fmt: skip
        if shape == "object":
            api, kind = rng.choice([("v1", "ConfigMap"), ("apps/v1", "Deployment"),
                                    ("extensions/v1beta1", "Ingress"),
                                    ("policy/v1beta1", "PodDisruptionBudget")])  # fmt: skip
            return self.body(api, kind), shape
        if shape == "list":
            lines = ["apiVersion: v1", "kind: List", "items:"]
            for _ in range(rng.randrange(4)):
                item = self.body("batch/v1beta1", "CronJob", "  ")
                lines += ["- " + item[0].lstrip(), *item[1:]]
            if rng.random() < 0.3:
                lines += ["- {kind: NoApiVersion}"]
            if len(lines) == 3:
                lines[-1] = "items: []"
            return lines, shape
        if shape == "values":
            return ["replicaCount: 2", "image:", "  tag: latest", "steps: [a, b]"], shape
        if shape == "scalar":
            return ["just text"], shape
        return [], shape

    def stream(self) -> str:
        """A multi-document YAML text: markers, preambles, `# Source:` comments, `...` ends."""
        rng, parts = self.rng, []
        if rng.random() < 0.1:
            parts.append("%YAML 1.1\n---\n")
        for index in range(rng.randrange(1, 7)):
            preamble = self.comment_lines()
            if rng.random() < 0.3:
                preamble += f"# Source: chart/templates/t{index}.yaml\n"
            marker = rng.choice(["---\n", "--- # next\n", "---   \n"])
            if index == 0 and not parts and rng.random() < 0.5:
                marker = ""
            lines, _ = self.document()
            # (`...` only after a document: PyYAML refuses one that ends nothing.)
            end = "...\n" if lines and rng.random() < 0.15 else ""
            parts.append(preamble + marker + "".join(line + "\n" for line in lines) + end)
        return "".join(parts)


def _marked_reference(text: str, display: str, *, array: bool = False) -> _Expected:
    """The objects of a valid YAML stream and their lines, from the marks of the whole
    stream composed by PyYAML: an object's line is its `apiVersion` key's (else its
    node's); a List's items (and with `array`, a top-level array's elements: JSON) each at
    their own `apiVersion` key (else their node)."""
    expected = _Expected()
    loader = Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            data = loader.construct_document(node)
            if is_list(data):
                items = dict((key.value, value) for key, value in node.value)["items"].value
                values = zip(data["items"], items, strict=True)
            elif array and isinstance(data, list):
                values = zip(data, node.value, strict=True)
            else:
                values = zip([data], [node], strict=True)
            for value, value_node in values:
                if isinstance(value, dict) and "apiVersion" in value and "kind" in value:
                    line = _api_version_line(value_node) + 1
                    name = value["metadata"]["name"] if "metadata" in value else "<unnamed>"
                    expected.objects.append(
                        (f"{display}:{line}", value["apiVersion"], value["kind"], name)
                    )
    finally:
        loader.dispose()
    return expected


def _api_version_line(node: yaml.Node) -> int:
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if key.value == "apiVersion":
                return int(key.start_mark.line)
    return int(node.start_mark.line)


def _json_file(rng: random.Random, writer: _Writer) -> Any:
    """An object, a List or an array, as `kubectl get -o json` and others write them."""
    def one() -> dict[str, Any]:
        obj: dict[str, Any] = {"kind": "Service", "metadata": {"name": writer.name(),
                               "ownerReferences": [{"apiVersion": "apps/v1"}]}}  # fmt: skip
        if rng.random() < 0.9:
            obj["apiVersion"] = "v1"
        return dict(rng.sample(list(obj.items()), len(obj)))

    shape = rng.choice(["object", "list", "array"])
    if shape == "object":
        return one()
    if shape == "list":
        return {"apiVersion": "v1", "kind": "List", "items": [one() for _ in range(3)]}
    return [one() for _ in range(rng.randrange(1, 4))]


def _write_family(folder: Path, seed: int) -> dict[str, _Expected]:
    """Writes one seed's files (YAML streams, some with a BOM, CRLF line ends, a broken
    document or a byte that is not UTF-8; JSON files) and what each is expected to hold."""
    rng = random.Random(seed)
    writer = _Writer(rng)
    expected: dict[str, _Expected] = {}
    for index in range(10):
        display = os.path.join(str(folder), f"f{index:02}")
        if rng.random() < 0.15:
            display += ".json"
            data = _json_file(rng, writer)
            text = json.dumps(data, indent=rng.choice([None, 1, 2, 4]))
            Path(display).write_text(text, encoding="utf-8")
            expected[display] = _marked_reference(text, display, array=True)
            continue
        display += rng.choice([".yaml", ".yml"])
        text = writer.stream()
        newline = "\r\n" if rng.random() < 0.2 else "\n"
        text = text.replace("\n", newline)
        reference_text, bad_lines = text, []
        raw = text.encode("utf-8")
        damage = rng.random()
        if damage < 0.1 and "name: obj-" in text:
            # A byte that is not UTF-8 spoils its document only.
            at = text.index("name: obj-")
            raw = text[:at].encode() + b"name: \xff" + text[at + len("name: "):].encode()
            bad_lines.append(text.count("\n", 0, at) + 1)
            reference_text = _without_document_at(text, at)
        elif damage < 0.2 and "kind: " in text:
            # A broken document: its problem is noted, the others read.
            at = text.index("kind: ")
            text = text[:at] + "kind: [unclosed" + text[at + len("kind: "):]
            raw = text.encode("utf-8")
            bad_lines.append(-1)  # somewhere in that document
            reference_text = _without_document_at(text, at)
        if rng.random() < 0.1:
            raw = b"\xef\xbb\xbf" + raw
        Path(display).write_bytes(raw)
        reference = _marked_reference(reference_text, display)
        reference.bad_lines = bad_lines
        expected[display] = reference
    return expected


def _without_document_at(text: str, at: int) -> str:
    """The text with the document holding offset `at` blanked to comment lines (its lines
    kept), so that the rest can be composed as one stream."""
    starts = [0, *(chunk_start for chunk_start in _marker_offsets(text))]
    start = max(offset for offset in starts if offset <= at)
    later = [offset for offset in starts if offset > at]
    end = later[0] if later else len(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    blank = "#" + newline
    return text[:start] + blank * text.count("\n", start, end) + text[end:]


def _marker_offsets(text: str) -> Iterator[int]:
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.startswith(("---", "...")) and line[3:4] in ("", " ", "\r", "\n"):
            yield offset if line.startswith("---") else offset + len(line)
        offset += len(line)


def _scan(folder: Path) -> Snapshot:
    return scan_manifests([str(folder)])


def _found(snapshot: Snapshot) -> dict[str, _Expected]:
    found: dict[str, _Expected] = {}
    for obj in snapshot.objects:
        location = obj.evidence[0].location
        display = location.rsplit(":", 1)[0]
        ref = obj.ref
        found.setdefault(display, _Expected()).objects.append(
            (location, ref.api_version, ref.kind, ref.name)
        )
    return found


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, _Expected]]:
    root = tmp_path_factory.mktemp("family")
    expected: dict[str, _Expected] = {}
    for seed in SEEDS:
        folder = root / f"s{seed:03}"
        folder.mkdir()
        expected.update(_write_family(folder, seed))
    return root, expected


def test_every_location_is_the_one_the_marks_give(
    family: tuple[Path, dict[str, _Expected]],
) -> None:
    root, expected = family
    snapshot = _scan(root)
    found = _found(snapshot)
    for display, wanted in expected.items():
        assert found.get(display, _Expected()).objects == wanted.objects, display
    assert snapshot.stats["files"] == len(expected)
    # The family holds what it was written to hold.
    assert sum(len(one.objects) for one in expected.values()) > 800
    assert sum(1 for one in expected.values() if one.bad_lines) > 10


def test_every_damaged_document_is_noted_where_it_is(
    family: tuple[Path, dict[str, _Expected]],
) -> None:
    root, expected = family
    snapshot = _scan(root)
    for display, wanted in expected.items():
        notes = [note.reason for note in snapshot.coverage
                 if note.subject == display and note.kind == "error"]  # fmt: skip
        assert len(notes) == len(wanted.bad_lines), (display, notes)
        for line, reason in zip(wanted.bad_lines, notes, strict=True):
            if line > 0:
                assert reason == f"{display}:{line}: not valid UTF-8 text"
            else:
                assert reason.startswith(f"{display}:") and "YAML error" in reason


def test_the_short_walk_reads_the_family_as_pyyaml_does(
    family: tuple[Path, dict[str, _Expected]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every object's body, every note and every counter of the scan are the same when
    PyYAML's constructor builds every value."""
    root, _ = family
    fast = _scan(root)
    monkeypatch.setattr(yaml_documents, "load_node", load_node_by_pyyaml)
    plain = _scan(root)
    assert [(o.ref, o.evidence, repr(o.body)) for o in fast.objects] == [
        (o.ref, o.evidence, repr(o.body)) for o in plain.objects
    ]
    assert (fast.coverage, fast.stats) == (plain.coverage, plain.stats)


@pytest.mark.parametrize("text", TRICKY_VALUES)
def test_the_reader_gives_the_same_outcomes_either_way(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = f"apiVersion: v1\nkind: A\n---\n{text}---\napiVersion: v1\nkind: B\n"
    fast = [repr(outcome) for outcome in iter_yaml_documents(stream)]
    monkeypatch.setattr(yaml_documents, "load_node", load_node_by_pyyaml)
    assert fast == [repr(outcome) for outcome in iter_yaml_documents(stream)]
