"""Faults under load, at full size: the fake API server serving a generated cluster of
100,000 objects answers a share of requests at random with 429, 500, 503, 410 on continue
tokens, slow bodies and dropped connections. Collects once without faults and once with
them, and checks that the faulty snapshot holds every object exactly once, or that its
coverage names exactly what is missing.

    python benchmarks/soak.py [--objects 100000] [--seed 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fakeapi import FakeApiServer, generate_cluster

from upgradecheck.collect.cluster.collector import CollectOptions, collect_cluster
from upgradecheck.collect.cluster.transport import TransportOptions
from upgradecheck.knowledge import load_knowledge_base

RATES = {"429": 0.05, "500": 0.04, "503": 0.02, "410": 0.2, "drop": 0.02, "delay": 0.03}


def keys(snapshot: object) -> list[tuple[str, str, str]]:
    objects = snapshot.objects  # type: ignore[attr-defined]
    return sorted((o.ref.kind, o.ref.namespace or "", o.ref.name) for o in objects)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    kb = load_knowledge_base()
    cluster = generate_cluster(args.seed, args.objects, n_nodes=2000, n_releases=500)
    with FakeApiServer(cluster) as api, tempfile.TemporaryDirectory() as tmp:
        kubeconfig = api.write_kubeconfig(Path(tmp) / "kc")
        options = CollectOptions(
            kubeconfig=str(kubeconfig),
            probe_clients=False,
            transport=TransportOptions(timeout=10, retries=8, backoff=0.01, concurrency=8),
        )
        clean = collect_cluster(options, kb)
        api.faults.random(seed=args.seed, rates=RATES, exclude=["/version"], retry_after=0)
        started = time.monotonic()
        faulty = collect_cluster(options, kb)
        took = time.monotonic() - started
        faults: dict[str, int] = {}
        for request in api.requests:
            if request.fault:
                faults[request.fault] = faults.get(request.fault, 0) + 1
    got, want = keys(faulty), keys(clean)
    gaps = [c for c in faulty.coverage if c.kind != "note"]
    duplicates = len(got) - len(set(got))
    missing = sorted(set(want) - set(got))
    print(f"objects: {len(want)} without faults, {len(got)} with faults ({took:.1f} s)")
    print(f"faults injected: {dict(sorted(faults.items()))}")
    print(f"duplicates: {duplicates}; missing: {len(missing)}; coverage gaps: {len(gaps)}")
    for gap in gaps:
        print(f"  gap: {gap.describe()}")
    named = {m[0] for m in missing}
    ok = duplicates == 0 and (not missing or bool(gaps)) and (
        len(faulty.nodes) == len(clean.nodes) or any("nodes" in g.subject for g in gaps)
    )
    print("result:", "every object exactly once, or named in coverage" if ok else "FAILED",
          f"(kinds missing: {sorted(named)})" if named else "")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
