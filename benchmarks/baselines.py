"""The baselines the benchmarks compare upgradecheck with, each run as its own process (the
same interpreter, so both sides pay the same start-up cost). Each prints one JSON line of
counts, so the runner can check that it did the same amount of work as the tool.

    python benchmarks/baselines.py yaml DIR          read and parse every manifest file
    python benchmarks/baselines.py snapshot FILE     read a snapshot file (read_snapshot only)
    python benchmarks/baselines.py snapshot-json FILE
                                                     load the snapshot file's JSON (json.load
                                                     of the gzip stream), nothing more
    python benchmarks/baselines.py fetch KUBECONFIG PLAN [--concurrency 8]
                                                     GET the pages the collector fetched

`--gc paused` (before the subcommand) turns Python's cyclic garbage collector off first.
By default it runs, as in any plain script; but it walks the whole heap again and again
while millions of parsed objects pile up (json.loads of a 270 MB snapshot takes 9 s with it,
1.7 s without), a cost upgradecheck can avoid (its manifest scanner does). The paused
variant is the stricter baseline: the parsing work alone.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import os
import ssl
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

_SUFFIXES = (".yaml", ".yml", ".json")


def _manifest_files(folder: str) -> Iterator[str]:
    """The files `upgradecheck scan` reads: .yaml/.yml/.json, hidden entries skipped, in
    name order, depth first."""
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _manifest_files(entry.path)
        elif entry.is_file() and entry.name.lower().endswith(_SUFFIXES):
            yield entry.path


def parse_yaml_tree(folder: str) -> dict[str, int]:
    """Read every manifest file and parse it with PyYAML's C loader, keeping the documents."""
    import yaml

    loader = yaml.CSafeLoader
    documents: list[Any] = []
    files = 0
    for path in _manifest_files(folder):
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        documents.extend(doc for doc in yaml.load_all(text, Loader=loader) if doc is not None)
        files += 1
    return {"files": files, "documents": len(documents)}


def read_snapshot_file(path: str) -> dict[str, int]:
    """Only what `assess` must do before any check runs: read the snapshot file."""
    from upgradecheck.snapshot_io import read_snapshot

    snapshot = read_snapshot(path)
    return {"objects": len(snapshot.objects), "nodes": len(snapshot.nodes),
            "helm_releases": len(snapshot.helm_releases)}


def load_snapshot_json(path: str) -> dict[str, int]:
    """The bare work of reading a snapshot as the tool writes it: the JSON document of the
    (gzip) file, loaded with the standard library, nothing built from it."""
    import gzip

    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as handle:
        document = json.load(handle)
    return {"objects": len(document["objects"]), "nodes": len(document["nodes"]),
            "helm_releases": len(document["helm_releases"])}


class _Client:
    """Plain urllib3 GETs with the kubeconfig's server, CA and bearer token."""

    def __init__(self, kubeconfig: str, concurrency: int) -> None:
        import urllib3
        import yaml

        config = yaml.safe_load(Path(kubeconfig).read_text())
        context_name = config["current-context"]
        context = next(c["context"] for c in config["contexts"] if c["name"] == context_name)
        cluster = next(c["cluster"] for c in config["clusters"]
                       if c["name"] == context["cluster"])
        user = next(u["user"] for u in config["users"] if u["name"] == context["user"])
        server = urlsplit(cluster["server"])
        self.headers = {"Accept": "application/json", "User-Agent": "baseline/1"}
        if user.get("token"):
            self.headers["Authorization"] = f"Bearer {user['token']}"
        kwargs: dict[str, Any] = {"maxsize": concurrency, "block": True, "retries": False}
        if server.scheme == "https":
            ca = cluster.get("certificate-authority-data")
            context_ssl = ssl.create_default_context()
            if ca:
                # Load the CA from a file, as the kubernetes client does.
                with tempfile.NamedTemporaryFile("wb", suffix=".crt", delete=False) as f:
                    f.write(base64.b64decode(ca))
                context_ssl.load_verify_locations(f.name)
                os.unlink(f.name)
            kwargs["ssl_context"] = context_ssl
            self.pool: Any = urllib3.HTTPSConnectionPool(server.hostname, server.port, **kwargs)
        else:
            self.pool = urllib3.HTTPConnectionPool(server.hostname, server.port, **kwargs)
        self.requests = 0

    def get(self, path: str, query: list[tuple[str, str]]) -> bytes:
        url = f"{path}?{urlencode(query)}" if query else path
        response = self.pool.request("GET", url, headers=self.headers)
        self.requests += 1
        if response.status != 200:
            raise RuntimeError(f"GET {url}: {response.status}")
        data: bytes = response.data
        return data


def fetch_pages(kubeconfig: str, plan_file: str, concurrency: int) -> dict[str, int]:
    """GET the collector's requests: the sequential ones in order, then each list (following
    its continue tokens) in a pool of `concurrency` threads; parse every JSON page."""
    plan = json.loads(Path(plan_file).read_text())
    client = _Client(kubeconfig, concurrency)
    for url in plan["sequential"]:
        split = urlsplit(url)
        json.loads(client.get(split.path, parse_qsl(split.query, keep_blank_values=True)))

    def fetch(url: str) -> list[Any]:
        split = urlsplit(url)
        query = parse_qsl(split.query, keep_blank_values=True)
        if split.path == "/metrics":
            client.get(split.path, query).decode("utf-8", "replace")
            return []
        items: list[Any] = []
        token = None
        while True:
            doc = json.loads(client.get(split.path, [*query, ("continue", token)]
                                        if token else query))
            items.extend(doc.get("items") or ())
            token = (doc.get("metadata") or {}).get("continue")
            if not token:
                return items

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        lists = list(pool.map(fetch, plan["parallel"]))
    return {"requests": client.requests, "items": sum(len(items) for items in lists)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gc", choices=("default", "paused"), default="default",
                        help="run Python's cyclic garbage collector (default) or pause it")
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("yaml").add_argument("folder")
    sub.add_parser("snapshot").add_argument("file")
    sub.add_parser("snapshot-json").add_argument("file")
    fetch = sub.add_parser("fetch")
    fetch.add_argument("kubeconfig")
    fetch.add_argument("plan")
    fetch.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    if args.gc == "paused":
        gc.disable()
    if args.what == "yaml":
        result = parse_yaml_tree(args.folder)
    elif args.what == "snapshot":
        result = read_snapshot_file(args.file)
    elif args.what == "snapshot-json":
        result = load_snapshot_json(args.file)
    else:
        result = fetch_pages(args.kubeconfig, args.plan, args.concurrency)
    print(json.dumps(result), file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
