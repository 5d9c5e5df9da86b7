"""Serve a fixture cluster from the fake Kubernetes API server, by hand, until Ctrl-C.

    python scripts/fakeapi.py tests/fixtures/clusters/v1.21 --port 0 --kubeconfig /tmp/kc
    kubectl --kubeconfig /tmp/kc get pdb -A
    python scripts/fakeapi.py v1.21 --policy-reports --kubeconfig /tmp/kc   # to try --publish

The cluster is a fixture folder or a bundled fixture's name (``v1.21``), or
``generate:SEED:N`` for a synthetic cluster of about N objects. Prints the URL and the
kubeconfig path, then serves until interrupted; with ``--log`` prints each request.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fakeapi import DEFAULT_TOKEN, FakeApiServer, generate_cluster, load_cluster
from fakeapi.fixtures import Cluster, FixtureError


def _cluster(spec: str) -> Cluster:
    if spec.startswith("generate:"):
        _, seed, count = [*spec.split(":"), "", ""][:3]
        return generate_cluster(seed=int(seed or 1), n_objects=int(count or 10_000))
    return load_cluster(spec)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cluster", help="fixture folder, fixture name, or generate:SEED:N")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    parser.add_argument("--kubeconfig", type=Path, help="where to write the kubeconfig")
    parser.add_argument("--context", default="fake", help="kubeconfig context name")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="bearer token to accept")
    parser.add_argument("--plain-http", action="store_true", help="serve HTTP, not HTTPS")
    parser.add_argument("--log", action="store_true", help="print every request")
    parser.add_argument(
        "--policy-reports",
        action="store_true",
        help="install the wgpolicyk8s.io CRDs and accept server-side apply and delete of their "
        "reports (to try --publish)",
    )
    args = parser.parse_args(argv)

    try:
        cluster = _cluster(args.cluster)
    except (FixtureError, ValueError) as exc:
        print(f"fakeapi: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server = FakeApiServer(
        cluster,
        token=args.token,
        tls=not args.plain_http,
        port=args.port,
        policy_reports=args.policy_reports,
    )
    server.start()
    kubeconfig = args.kubeconfig or Path(tempfile.mkdtemp(prefix="fakeapi-")) / "kubeconfig"
    server.write_kubeconfig(kubeconfig, context=args.context)
    print(f"serving {cluster.name} ({cluster.version['gitVersion']}) at {server.url}")
    print(f"kubeconfig: {kubeconfig}")
    print("Ctrl-C to stop", flush=True)

    shown = 0
    try:
        while not stop.wait(0.2):
            if args.log:
                log = server.requests
                for rec in log[shown:]:
                    query = f"?{rec.raw_query}" if rec.raw_query else ""
                    fault = f" [{rec.fault}]" if rec.fault else ""
                    print(f"{rec.status} {rec.method} {rec.path}{query}{fault}", flush=True)
                shown = len(log)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
