"""Which fields of a snapshot's object bodies the checks and `compare` read, per kind, found
by running them on bodies that record every read; and how small the snapshot would be if it
kept only those.

    python benchmarks/fieldtrace.py SNAPSHOT [--target 1.26] [--reduce OUT.json.gz]
                                    [--apply-to BIG.json.gz]

Runs `assess` (every check of every hop to `--target`), the plan built from its report, and
`compare` of the snapshot with itself (rehearsal and fidelity), with each body wrapped in a
dict that records the paths read (`spec.containers[].image`; `*` when a map is iterated,
`**` when a subtree is compared or printed whole). A key looked up but absent counts as read:
the trace is what the code asks for on this data, so a field asked for only in a branch this
data never takes is missing here (read the code of the checks beside it). Prints Markdown:
per kind, the bytes of the bodies, of the bodies kept to the paths read, and of the
evidence, then the paths. Pod specs and controllers' templates are kept to what was read of
any template (see `with_templates`). `--reduce` writes the snapshot with bodies so kept (a
subtree read whole, or read without a deeper path, is kept whole), for
benchmarks/jsonlibs.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

Path_ = tuple[str, ...]
SEEN: dict[str, set[Path_]] = defaultdict(set)
"""kind → paths read."""


def _wrap(value: Any, kind: str, path: Path_) -> Any:
    if type(value) is dict:
        return Traced(value, kind, path)
    if type(value) is list:
        return TracedList(value, kind, path)
    return value


class Traced(dict[str, Any]):
    """A dict that records, per kind, the paths read from it."""

    def __init__(self, data: dict[str, Any], kind: str, path: Path_) -> None:
        super().__init__(data)
        self._kind, self._path = kind, path

    def _read(self, key: str) -> Path_:
        at = (*self._path, key)
        SEEN[self._kind].add(at)
        return at

    def __getitem__(self, key: str) -> Any:
        return _wrap(super().__getitem__(key), self._kind, self._read(key))

    def get(self, key: str, default: Any = None) -> Any:
        at = self._read(key)
        if super().__contains__(key):
            return _wrap(super().__getitem__(key), self._kind, at)
        return default

    def __contains__(self, key: object) -> bool:
        self._read(str(key))
        return super().__contains__(key)

    def __iter__(self) -> Any:
        self._read("*")
        return super().__iter__()

    def keys(self) -> Any:
        self._read("*")
        return super().keys()

    def items(self) -> Any:
        at = self._read("*")
        return [(k, _wrap(v, self._kind, at)) for k, v in super().items()]

    def values(self) -> Any:
        at = self._read("*")
        return [_wrap(v, self._kind, at) for v in super().values()]

    def __eq__(self, other: object) -> bool:
        self._read("**")
        return dict(super().items()) == other

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        self._read("**")
        return repr(dict(super().items()))


class TracedList(list[Any]):
    """A list whose items record the paths read from them (as `path[]`)."""

    def __init__(self, data: list[Any], kind: str, path: Path_) -> None:
        super().__init__(data)
        self._kind, self._path = kind, (*path, "[]")

    def __getitem__(self, index: Any) -> Any:
        value = super().__getitem__(index)
        if isinstance(index, slice):
            return [_wrap(v, self._kind, self._path) for v in value]
        return _wrap(value, self._kind, self._path)

    def __iter__(self) -> Any:
        return (_wrap(v, self._kind, self._path) for v in super().__iter__())

    def __eq__(self, other: object) -> bool:
        SEEN[self._kind].add((*self._path, "**"))
        return list(super().__iter__()) == other

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None


# ---- keeping only what was read ------------------------------------------------------------

Trie = dict[str, "Trie"]


def trie_of(paths: set[Path_]) -> Trie:
    root: Trie = {}
    for path in paths:
        node = root
        for part in path:
            node = node.setdefault(part, {})
    return root


def keep(value: Any, node: Trie) -> Any:
    """`value` cut to the paths of `node`: a path with nothing read below it, or read whole
    (`**`), keeps its whole subtree."""
    if not node or "**" in node:
        return value
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            below = _merge(node.get(key), node.get("*"))
            if below is not None:
                out[key] = keep(child, below)
        return out
    if isinstance(value, list):
        below = node.get("[]")
        return value if below is None else [keep(item, below) for item in value]
    return value


def _merge(a: Trie | None, b: Trie | None) -> Trie | None:
    if a is None or b is None:
        return a if b is None else b
    if not a or not b:  # either keeps the whole subtree
        return {}
    return {k: _merge(a.get(k), b.get(k)) or {} for k in {*a, *b}}


def with_templates(tries: dict[str, Trie], paths: Mapping[str, tuple[str, ...]]) -> None:
    """Read a pod's spec, and every controller's template, as the union of what was read of
    any template: the checks read them all through one PodSpec (workloads.py), and which
    of them they read depends on which controllers the snapshot holds (a ReplicaSet's
    template is read only when its Deployment is missing; a pod's spec only when its
    controller is)."""
    union: Trie | None = None
    for kind, path in paths.items():
        node: Trie | None = tries.get(kind)
        for part in path:
            node = node.get(part) if node is not None else None
        if node:
            union = _merge(union, node)
    if not union:
        return
    for kind, path in (*paths.items(), ("Pod", ())):
        node = tries.setdefault(kind, {})
        for part in path:
            node = node.setdefault(part, {})
        for part, below in union.items():
            merged = _merge(node.get(part), below) if node.get(part) != {} else below
            node[part] = merged or {}


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")))


def show(path: Path_) -> str:
    text = ""
    for part in path:
        text += "[]" if part == "[]" else (f".{part}" if text else part)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--target", default="1.26")
    parser.add_argument("--reduce", type=Path, help="write the reduced snapshot here")
    parser.add_argument("--apply-to", type=Path, metavar="BIG",
                        help="count (and --reduce) this snapshot instead, with the paths "
                        "traced on SNAPSHOT (tracing a big one takes long and much memory)")
    args = parser.parse_args(argv)

    from upgradecheck.assess import assess
    from upgradecheck.codec.snapshot import snapshot_to_dict
    from upgradecheck.compare.core import compare_snapshots
    from upgradecheck.compare.model import CompareMode
    from upgradecheck.knowledge.loader import load_knowledge_base
    from upgradecheck.model import ObservedObject
    from upgradecheck.plan.build import build_plan
    from upgradecheck.snapshot_io import read_snapshot
    from upgradecheck.workloads import TEMPLATE_PATHS

    snapshot = read_snapshot(args.snapshot)
    traced = replace(snapshot, objects=tuple(
        ObservedObject(o.ref, o.evidence, Traced(dict(o.body), o.ref.kind, ()))
        for o in snapshot.objects))
    report = assess(traced, load_knowledge_base(), target=args.target)
    build_plan(report)
    for mode in CompareMode:
        compare_snapshots(traced, traced, mode=mode)

    if args.apply_to:
        del snapshot, traced
        doc = json.loads(gzip.decompress(args.apply_to.read_bytes()))
    else:
        doc = snapshot_to_dict(snapshot)
    tries = {kind: trie_of(paths) for kind, paths in SEEN.items()}
    with_templates(tries, TEMPLATE_PATHS)
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for entry in doc["objects"]:
        kind = entry["kind"]
        body = entry.get("body") or {}
        kept = keep(body, tries.get(kind, {"metadata": {"name": {}}}))
        row = sizes[kind]
        row[0] += 1
        row[1] += _size(body)
        row[2] += _size(kept)
        row[3] += _size(entry["evidence"])
        if args.reduce:
            entry["body"] = kept
    total = [sum(r[i] for r in sizes.values()) for i in range(4)]
    out = sys.stdout
    out.write(f"{len(report.findings):,} findings; {len(doc['objects']):,} objects\n\n")
    out.write("| kind | objects | body bytes | kept to the paths read | evidence bytes |\n")
    out.write("|---|---|---|---|---|\n")
    for kind, (n, body, kept, evidence) in sorted(sizes.items(), key=lambda kv: -kv[1][1]):
        out.write(f"| {kind} | {n:,} | {body:,} | {kept:,} ({kept / max(1, body):.0%}) "
                  f"| {evidence:,} |\n")
    out.write(f"| all | {total[0]:,} | {total[1]:,} | {total[2]:,} "
              f"({total[2] / max(1, total[1]):.0%}) | {total[3]:,} |\n\n")
    for kind in sorted(SEEN, key=lambda k: -sizes[k][1]):
        paths = sorted(show(p) for p in SEEN[kind])
        out.write(f"- **{kind}** ({len(paths)}): {', '.join(f'`{p}`' for p in paths)}\n")
    if args.reduce:
        data = json.dumps(doc, separators=(",", ":")).encode()
        args.reduce.write_bytes(gzip.compress(data, compresslevel=6, mtime=0))
        out.write(f"\nreduced snapshot: {len(data):,} bytes of JSON → {args.reduce}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
