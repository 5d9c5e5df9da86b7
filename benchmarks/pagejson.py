"""The collector's JSON work with the standard library's json, orjson and msgspec: decoding list
pages (and turning their items into reduced objects), and encoding the snapshot's batches.

    python benchmarks/pagejson.py ENVELOPE_DIR [--every 10] [--repeat 3]

ENVELOPE_DIR is a cluster `generate.py envelope` wrote (the runner caches it under
`--workdir`/inputs). Every `--every`-th object of each kind is put into list pages of 500, as
the fake API server serves them; the pages are held in memory as bytes. Each variant runs
`--repeat` times, alternating, in this process with Python's cyclic GC paused (as the
collector pauses it); the medians of CPU time (user + system) are printed as a Markdown
table. orjson is not an upgradecheck dependency: its rows are left out when it is not
installed.

Decoding (each page's items then made into the objects the collector keeps, but for the
`decode only` rows):
- `json` / `orjson` / `msgspec (dicts)`: the whole page into dicts, then each item reduced by
  the allow-list (`trim_object`) and its evidence read, as the collector did before;
- `msgspec typed (the collector)`: `collect/cluster/pages.py`, each item decoded into the
  fields its allow-list keeps, then finished.

Encoding: the objects, in the snapshot's batches of 1,000, with `json.dumps` (compact), orjson
and msgspec.
"""

from __future__ import annotations

import argparse
import gc
import json
import mmap
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec

from upgradecheck.codec.snapshot import object_to_dict
from upgradecheck.collect.cluster.collector import _name, observed
from upgradecheck.collect.cluster.discovery import ServedResource
from upgradecheck.collect.cluster.evidence import evidence_of
from upgradecheck.collect.cluster.pages import shape
from upgradecheck.collect.sanitize import trim_object
from upgradecheck.model import ObjectRef, ObservedObject
from upgradecheck.shapes import as_map

Page = tuple[bytes, ServedResource]


def pages(folder: Path, every: int) -> list[Page]:
    """Every `every`-th object of each kind, in pages of 500 as the server writes them."""
    by_kind: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    with (folder / "index.jsonl").open() as index:
        for line in index:
            api_version, kind, *_, offset, length = json.loads(line)
            by_kind[(api_version, kind)].append((offset, length))
    out: list[Page] = []
    with (folder / "bodies.bin").open("rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        for (api_version, kind), spans in by_kind.items():
            res = ServedResource("", api_version, kind.lower() + "s", kind, True, ("list",), True)
            chosen = spans[::every]
            for start in range(0, len(chosen), 500):
                batch = chosen[start : start + 500]
                items = b",".join(b"{" + data[o : o + n] + b"}" for o, n in batch)
                head = json.dumps({"kind": f"{kind}List", "apiVersion": api_version,
                                   "metadata": {"continue": "token"}})[:-1]
                out.append((head.encode() + b',"items":[' + items + b"]}", res))
    return out


def whole(item: dict[str, Any], res: ServedResource) -> ObservedObject:
    """A whole item made into what the collector keeps, as it did before pages were typed."""
    meta = as_map(item.get("metadata"))
    ref = ObjectRef(res.api_version, res.kind, _name(meta.get("namespace")),
                    _name(meta.get("name")) or "<unnamed>")
    return ObservedObject(ref, evidence_of(meta), trim_object(item, res.api_version, res.kind))


def decoding(loads: Callable[[bytes], Any], convert: bool) -> Callable[[list[Page]], Any]:
    def run(all_pages: list[Page]) -> Any:
        kept: list[Any] = []
        for raw, res in all_pages:
            items = loads(raw)["items"]
            kept += [whole(item, res) for item in items] if convert else items
        return kept

    return run


def typed(convert: bool) -> Callable[[list[Page]], Any]:
    def run(all_pages: list[Page]) -> Any:
        kept: list[Any] = []
        for raw, res in all_pages:
            items = shape(res.kind).decode(raw)["items"]
            kept += [observed(item, res) for item in items] if convert else items
        return kept

    return run


def encoding(dumps: Callable[[Any], bytes]) -> Callable[[list[list[dict[str, Any]]]], Any]:
    def run(batches: list[list[dict[str, Any]]]) -> Any:
        return sum(len(dumps(batch)) for batch in batches)

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    gc.disable()
    all_pages = pages(args.folder, args.every)
    size = sum(len(raw) for raw, _ in all_pages)
    try:
        import orjson
    except ImportError:
        orjson = None
    loaders: dict[str, Callable[[bytes], Any]] = {"json": json.loads,
                                                   "msgspec (dicts)": msgspec.json.decode}
    if orjson is not None:
        loaders["orjson"] = orjson.loads
    decoders: dict[str, Callable[[list[Page]], Any]] = {}
    for name, loads in loaders.items():
        decoders[f"{name}, decode only"] = decoding(loads, False)
        decoders[f"{name} + reduce"] = decoding(loads, True)
    decoders["msgspec typed (the collector), decode only"] = typed(False)
    decoders["msgspec typed (the collector)"] = typed(True)
    objects = typed(True)(all_pages)
    batches = [[object_to_dict(o) for o in objects[i : i + 1000]]
               for i in range(0, len(objects), 1000)]
    encoders: dict[str, Callable[[list[list[dict[str, Any]]]], Any]] = {
        "json.dumps": encoding(lambda b: json.dumps(b, separators=(",", ":")).encode()),
        "msgspec": encoding(msgspec.json.Encoder().encode),
    }
    if orjson is not None:
        encoders["orjson"] = encoding(orjson.dumps)
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeat):
        for name, run in decoders.items():
            started = time.process_time()
            result = run(all_pages)
            times[name].append(time.process_time() - started)
            del result
        for name, run in encoders.items():
            started = time.process_time()
            run(batches)
            times[f"encode: {name}"].append(time.process_time() - started)
    print(f"{len(all_pages)} pages, {size / 2**20:.1f} MiB of JSON, {len(objects):,} objects; "
          f"medians of {args.repeat} runs, CPU seconds, GC paused\n")
    print("| variant | CPU |\n|---|---|")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
