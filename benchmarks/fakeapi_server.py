"""Serve a generated cluster from the test suite's fake API server, in its own process (so
that its CPU does not compete with the measured process inside one interpreter).

    python benchmarks/fakeapi_server.py --objects 100000 --nodes 2000 --releases 500 \\
        --kubeconfig /tmp/kc [--bodies generated]
    python benchmarks/fakeapi_server.py --envelope DIR --kubeconfig /tmp/kc

The cluster is `tests.fakeapi.generate_cluster(seed, objects, nodes, releases)`. Its objects
are small (about 400 bytes of JSON each); with `--bodies realistic` (the default) they are
given what a real API server returns: full pod specs and statuses in Pods and in the pod
templates of Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs, and
`managedFields` on every object (a real list response carries them). Names, namespaces,
labels, evidence and Helm records stay as generated. With `--envelope DIR` it serves the
folder `generate.py envelope DIR` wrote, reading each object from disk (envelope.py).

Prints `ready URL` when serving. Then reads commands on stdin, one per line:

    log PATH   write the requests received since the last `log` (path and query, in order)
               and the CPU seconds the server used meanwhile to PATH as JSON; answers `ok`
    quit       stop (end of input does the same)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

from tests.fakeapi import FakeApiServer, generate_cluster

_TEMPLATES = {"Deployment": ("spec", "template"), "ReplicaSet": ("spec", "template"),
              "StatefulSet": ("spec", "template"), "DaemonSet": ("spec", "template"),
              "Job": ("spec", "template"),
              "CronJob": ("spec", "jobTemplate", "spec", "template")}
_CONTROLLED = {"Pod", "ReplicaSet", "EndpointSlice", "Endpoints", "ControllerRevision", "Job",
               "Event", "Lease", "Node"}


def realistic(objects: list[dict[str, Any]], seed: int) -> None:
    """Give the generated objects realistic bodies and managedFields (in place)."""
    g = generate.Gen(seed + 7919)
    for obj in objects:
        kind = obj.get("kind", "")
        meta = obj.setdefault("metadata", {})
        if kind == "Secret" and str(obj.get("type", "")).startswith("helm.sh/"):
            continue  # Helm release records stay as Helm wrote them
        app = str(meta.get("name", "app"))
        if kind == "Pod":
            node = (obj.get("spec") or {}).get("nodeName")
            spec = generate.pod_spec(g, app, sidecar=g.chance(0.15))
            obj["spec"] = {**spec, "nodeName": node, "restartPolicy": "Always",
                           "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                           "terminationGracePeriodSeconds": 30, "priority": 0}
            started = g.time()
            obj["status"] = {
                "phase": "Running", "qosClass": "Burstable", "startTime": started,
                "podIP": (obj.get("status") or {}).get("podIP", "10.1.0.1"),
                "hostIP": f"10.0.{g.rng.randrange(256)}.{g.rng.randrange(256)}",
                "conditions": [{"type": t, "status": "True", "lastProbeTime": None,
                                "lastTransitionTime": started}
                               for t in ("Initialized", "Ready", "ContainersReady",
                                         "PodScheduled")],
                "containerStatuses": [{
                    "name": c["name"], "ready": True, "started": True, "restartCount": 0,
                    "image": c["image"], "imageID": f"{c['image']}@sha256:{g.hexid(64)}",
                    "containerID": f"containerd://{g.hexid(64)}",
                    "state": {"running": {"startedAt": started}}, "lastState": {},
                } for c in spec["containers"]],
            }
        elif kind in _TEMPLATES:
            path = _TEMPLATES[kind]
            holder = obj
            for key in path[:-1]:
                holder = holder.setdefault(key, {})
            labels = dict(meta.get("labels") or {})
            holder[path[-1]] = {"metadata": {"labels": labels},
                                "spec": generate.pod_spec(g, app)}
            obj["spec"].setdefault("selector", {"matchLabels": labels})
        if "managedFields" not in meta:
            manager = ("kube-controller-manager" if kind in _CONTROLLED
                       else g.rng.choice(("kubectl-client-side-apply", "helm",
                                          "argocd-controller")))
            meta["managedFields"] = [{
                "manager": manager, "operation": "Update", "apiVersion": obj["apiVersion"],
                "time": g.time(), "fieldsType": "FieldsV1", "fieldsV1": generate.fields_v1(obj),
            }]
        if "status" in obj and kind in ("Pod", "Deployment", "ReplicaSet", "StatefulSet",
                                        "DaemonSet", "Job"):
            meta["managedFields"].append({
                "manager": "kubelet" if kind == "Pod" else "kube-controller-manager",
                "operation": "Update", "apiVersion": obj["apiVersion"], "time": g.time(),
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:status": generate.fields_v1(obj["status"])},
                "subresource": "status",
            })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--objects", type=int)
    parser.add_argument("--nodes", type=int)
    parser.add_argument("--releases", type=int)
    parser.add_argument("--envelope", type=Path, metavar="DIR",
                        help="serve this envelope folder (benchmarks/envelope.py) instead")
    parser.add_argument("--kubeconfig", type=Path, required=True)
    parser.add_argument("--bodies", choices=("realistic", "generated"), default="realistic",
                        help="object bodies: realistic (default) or as generated")
    args = parser.parse_args(argv)

    if args.envelope:
        import envelope

        server, count, size = envelope.load_server(args.envelope)
    else:
        if None in (args.objects, args.nodes, args.releases):
            parser.error("give --objects, --nodes and --releases, or --envelope")
        cluster = generate_cluster(args.seed, args.objects, args.nodes, args.releases)
        if args.bodies == "realistic":
            realistic(cluster.objects, args.seed)
        count = len(cluster.objects)
        size = sum(len(json.dumps(o, separators=(",", ":"))) for o in cluster.objects)
        server = FakeApiServer(cluster)
    server.start()
    server.write_kubeconfig(args.kubeconfig, context="bench")
    print(f"ready {server.url} {count} {size}", flush=True)
    cpu = time.process_time()
    try:
        for line in sys.stdin:
            command, _, rest = line.strip().partition(" ")
            if command == "quit":
                break
            if command == "log":
                requests = server.requests
                server.clear_requests()
                now = time.process_time()
                report = {
                    "requests": [[r.path, r.raw_query, r.status] for r in requests],
                    "cpu_seconds": round(now - cpu, 3),
                    "errors": [repr(e) for e in server.errors],
                }
                cpu = now
                Path(rest).write_text(json.dumps(report))
                print("ok", flush=True)
            else:
                print(f"unknown command {command!r}", flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
