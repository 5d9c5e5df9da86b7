"""The Kubernetes scalability envelope as an API server serves it: 5,000 nodes and 150,000
pods (SIG Scalability's limits for one cluster) with the Deployments, ReplicaSets,
Services, ConfigMaps, Secrets and Helm releases that go with them, written to disk object
by object and served from there without ever holding the objects as dicts.

    python benchmarks/generate.py envelope OUT_DIR [--scale 1.0] [--seed 1]

The objects are those of `generate.ClusterBuilder` (the snapshot benchmark's cluster) at
the envelope's proportions, as `kubectl get -o json` shows them: full managedFields (a
`k:{...}` entry for every container, port, variable and volume), the last-applied
annotation of what kubectl applied, what admission and the kubelet add to a pod (service
account token volume, default tolerations, statuses), real Node objects (capacity, images,
conditions), Helm release records encoded as Helm stores them, TLS Secrets with real
certificates. At full size: about 330,000 objects and 1.4 GiB of JSON.

OUT_DIR holds `bodies.bin` (each object's JSON without apiVersion and kind and without its
outer braces: what the fake API server's store keeps per object), `index.jsonl` (one line
per object: apiVersion, kind, namespace, name, offset, length) and `stats.json`. Same seed
and scale, same bytes. Generation holds one application's objects at a time.

`load_server` serves such a folder: the test suite's fake API server with every object
read from the memory-mapped `bodies.bin` when a page is answered.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import mmap
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import generate
from generate import Gen, Obj

from tests.fakeapi import Cluster, FakeApiServer
from tests.fakeapi.fixtures import build_cluster, generated_spec
from tests.fakeapi.helm import HelmRelease, release_secret
from tests.fakeapi.store import StoredObject

# The envelope at scale 1.0 (kubernetes.io/docs/setup/best-practices/cluster-large: at most
# 5,000 nodes and 150,000 pods in all).
NODES = 5_000
APPS = 17_250
"""Applications: 87% Deployments (15,000), 8% StatefulSets, 5% CronJobs."""
RELEASES = 750
"""Helm releases, of 1-6 revisions each (about 2,400 records)."""
SIZING = 256_000
"""Sizes what ClusterBuilder makes in proportion to its object count: 775 namespaces,
365 ClusterRoles and bindings, 128 CRDs (12 more come with the add-ons)."""
SERVER_MINOR = 23
"""The cluster's Kubernetes minor (EKS 1.23, as the snapshot benchmark's cluster)."""

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_TYPE_META = ("apiVersion", "kind")
_WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                        "CronJob", "HorizontalPodAutoscaler", "PodDisruptionBudget"})


# ---- objects as the API server returns them ------------------------------------------------


def node_object(g: Gen, info: Obj) -> Obj:
    """A Node as an EKS kubelet registers and updates it, from ClusterBuilder's node facts."""
    name = info["name"]
    zone = info["labels"]["topology.kubernetes.io/zone"]
    instance = info["labels"]["node.kubernetes.io/instance-type"]
    arch = info["architecture"]
    labels = {
        "beta.kubernetes.io/arch": arch, "beta.kubernetes.io/instance-type": instance,
        "beta.kubernetes.io/os": "linux",
        "eks.amazonaws.com/capacityType": "SPOT" if info["pool"] == "spot" else "ON_DEMAND",
        "eks.amazonaws.com/nodegroup": info["pool"],
        "eks.amazonaws.com/nodegroup-image": f"ami-{g.hexid(17)}",
        "eks.amazonaws.com/sourceLaunchTemplateId": f"lt-{g.hexid(17)}",
        "eks.amazonaws.com/sourceLaunchTemplateVersion": "1",
        "failure-domain.beta.kubernetes.io/region": "eu-west-1",
        "failure-domain.beta.kubernetes.io/zone": zone,
        "k8s.io/cloud-provider-aws": g.hexid(32),
        "kubernetes.io/arch": arch, "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": instance,
        "topology.ebs.csi.aws.com/zone": zone, "topology.kubernetes.io/region": "eu-west-1",
        "topology.kubernetes.io/zone": zone,
    }
    ip = name.removeprefix("ip-").removesuffix(".ec2.internal").replace("-", ".")
    instance_id = f"i-{g.hexid(17)}"
    spec: Obj = {"providerID": f"aws:///{zone}/{instance_id}"}
    if info["pool"] in ("gpu", "system"):
        spec["taints"] = [{"key": "dedicated", "value": info["pool"], "effect": "NoSchedule"}]
    beat = g.time()
    conditions = [
        {"type": kind, "status": "False", "lastHeartbeatTime": beat,
         "lastTransitionTime": g.time(), "reason": f"KubeletHas{reason}",
         "message": f"kubelet has {message}"}
        for kind, reason, message in (
            ("MemoryPressure", "SufficientMemory", "sufficient memory available"),
            ("DiskPressure", "NoDiskPressure", "no disk pressure"),
            ("PIDPressure", "SufficientPID", "sufficient PID available"))
    ]
    conditions.append({"type": "Ready", "status": "True" if info["ready"] else "Unknown",
                       "lastHeartbeatTime": beat, "lastTransitionTime": g.time(),
                       "reason": "KubeletReady", "message": "kubelet is posting ready status"})
    images = [{"names": [f"{image}@sha256:{g.hexid(64)}", f"{image}:{g.rng.randrange(1, 9)}."
                         f"{g.rng.randrange(30)}.{g.rng.randrange(9)}"],
               "sizeBytes": g.rng.randrange(5_000_000, 900_000_000)}
              for image in g.rng.sample(generate._IMAGES * 3, 22)]
    cpu = g.rng.choice((4, 8, 16))
    memory = cpu * g.rng.choice((4, 8)) * 1024 * 1024
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": name, "labels": labels,
            "annotations": {
                "alpha.kubernetes.io/provided-node-ip": ip,
                "csi.volume.kubernetes.io/nodeid": json.dumps(
                    {"ebs.csi.aws.com": instance_id}, separators=(",", ":")),
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
        },
        "spec": spec,
        "status": {
            "capacity": {"attachable-volumes-aws-ebs": "25", "cpu": str(cpu),
                         "ephemeral-storage": "83873772Ki", "hugepages-1Gi": "0",
                         "hugepages-2Mi": "0", "memory": f"{memory}Ki", "pods": "110"},
            "allocatable": {"attachable-volumes-aws-ebs": "25", "cpu": f"{cpu * 1000 - 90}m",
                            "ephemeral-storage": "76224326324", "hugepages-1Gi": "0",
                            "hugepages-2Mi": "0", "memory": f"{memory - 1_000_000}Ki",
                            "pods": "110"},
            "conditions": conditions,
            "addresses": [{"type": "InternalIP", "address": ip},
                          {"type": "Hostname", "address": name},
                          {"type": "InternalDNS", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "machineID": g.hexid(32), "systemUUID": f"ec2{g.hexid(29)}",
                "bootID": g.uid(), "kernelVersion": info["kernel_version"],
                "osImage": info["os_image"],
                "containerRuntimeVersion": info["container_runtime"],
                "kubeletVersion": info["kubelet_version"],
                "kubeProxyVersion": info["kube_proxy_version"], "operatingSystem": "linux",
                "architecture": arch,
            },
            "images": images,
        },
    }


def _crd(group: str, kind: str, plural: str, versions: tuple[str, ...], g: Gen,
         scope: str = "Namespaced", fields: int = 60) -> Obj:
    """A CustomResourceDefinition with a schema of `fields` properties per version."""
    props = {f"{g.word()}{k}": {"type": g.rng.choice(("string", "integer", "boolean")),
                                "description": f"The {g.word()} of the {g.word()}."}
             for k in range(fields)}
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}",
                     "labels": {"app.kubernetes.io/name": group.split(".")[0]}},
        "spec": {"group": group, "scope": scope,
                 "names": {"kind": kind, "plural": plural, "singular": kind.lower(),
                           "listKind": f"{kind}List"},
                 "versions": [{"name": v, "served": True, "storage": v == versions[0],
                               "subresources": {"status": {}},
                               "schema": {"openAPIV3Schema": {
                                   "type": "object",
                                   "properties": {"spec": {"type": "object",
                                                           "properties": props}}}}}
                              for v in versions]},
        "status": {"storedVersions": [versions[0]], "acceptedNames": {"kind": kind,
                                                                       "plural": plural}},
    }


_ADDON_CRDS = (
    ("monitoring.coreos.com", "ServiceMonitor", "servicemonitors", ("v1",)),
    ("monitoring.coreos.com", "PodMonitor", "podmonitors", ("v1",)),
    ("monitoring.coreos.com", "PrometheusRule", "prometheusrules", ("v1",)),
    ("monitoring.coreos.com", "Prometheus", "prometheuses", ("v1",)),
    ("monitoring.coreos.com", "Alertmanager", "alertmanagers", ("v1",)),
    ("monitoring.coreos.com", "Probe", "probes", ("v1",)),
    ("cert-manager.io", "Certificate", "certificates", ("v1",)),
    ("cert-manager.io", "CertificateRequest", "certificaterequests", ("v1",)),
    ("cert-manager.io", "Issuer", "issuers", ("v1",)),
    ("cert-manager.io", "ClusterIssuer", "clusterissuers", ("v1",)),
    ("acme.cert-manager.io", "Order", "orders", ("v1",)),
    ("acme.cert-manager.io", "Challenge", "challenges", ("v1",)),
)
"""The add-ons whose custom resources the applications create (ServiceMonitors,
Certificates), with the rest of their CRDs."""


def _certificates() -> list[str]:
    """Four PEM certificates (base64, as in a Secret) expiring at different dates, made
    deterministically: an Ed25519 key from fixed bytes, Ed25519 signatures are too."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.x509.oid import NameOID

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "envelope.example.com")])
    out = []
    for i, days in enumerate((20, 45, 200, 400)):
        start = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(1000 + i)
                .not_valid_before(start).not_valid_after(start + dt.timedelta(days=days))
                .add_extension(x509.SubjectAlternativeName(
                    [x509.DNSName("envelope.example.com")]), critical=False)
                .sign(key, None))
        out.append(base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode())
    return out


def _applied(body: Obj, api_version: str) -> str:
    """The last-applied annotation kubectl writes: what was applied, compact, keys sorted."""
    meta = body["metadata"]
    applied_meta = {k: meta[k] for k in ("name", "namespace", "labels") if k in meta}
    notes = {k: v for k, v in (meta.get("annotations") or {}).items() if k != LAST_APPLIED}
    if notes:
        applied_meta["annotations"] = notes
    doc = {"apiVersion": api_version, "kind": body["kind"], "metadata": applied_meta,
           **{k: v for k, v in body.items() if k not in ("apiVersion", "kind", "metadata",
                                                         "status")}}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n"


def _pod_as_admitted(g: Gen, body: Obj) -> Obj:
    """What admission and the kubelet add to a pod: the service account token volume and
    its mounts, default tolerations, termination message paths, pod IPs."""
    spec = dict(body["spec"])
    token = f"kube-api-access-{g.suffix()}"
    mount = {"name": token, "readOnly": True,
             "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}
    spec["containers"] = [{**c, "terminationMessagePath": "/dev/termination-log",
                           "terminationMessagePolicy": "File",
                           "volumeMounts": [*c.get("volumeMounts", ()), mount]}
                          for c in spec["containers"]]
    spec["volumes"] = [*spec.get("volumes", ()), {"name": token, "projected": {
        "defaultMode": 420,
        "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt",
                                   "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                        "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}]
    spec["tolerations"] = [*spec.get("tolerations", ()), *(
        {"key": f"node.kubernetes.io/{taint}", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300} for taint in ("not-ready", "unreachable"))]
    spec["serviceAccount"] = spec.get("serviceAccountName", "default")
    status = dict(body["status"])
    status["podIPs"] = [{"ip": status["podIP"]}]
    return {**body, "spec": spec, "status": status}


def served(g: Gen, body: Obj, evidence: list[Obj], resource_version: int) -> Obj:
    """`body` as the API server returns it (a new dict; `body` is left as it is): the
    managedFields entries and last-applied annotation its evidence stands for, a
    resourceVersion, generations, and for pods what admission and the kubelet add."""
    # A pod's creator (kube-controller-manager) owns the fields it sent: the template's,
    # not those admission, the scheduler or the kubelet added.
    created = body if body["kind"] != "Pod" else {
        **body, "spec": {k: v for k, v in body["spec"].items() if k != "nodeName"}}
    if body["kind"] == "Pod":
        body = _pod_as_admitted(g, body)
    meta = dict(body["metadata"])
    meta.setdefault("uid", g.uid())
    meta["resourceVersion"] = str(resource_version)
    annotations = dict(meta.get("annotations") or {})
    for ev in evidence:
        if ev["source"] == "last-applied":
            annotations[LAST_APPLIED] = _applied(body, ev["api_version"])
    if annotations:
        meta["annotations"] = annotations
    out = {**body, "metadata": meta}
    if body["kind"] in _WORKLOADS:
        meta["generation"] = g.rng.randrange(1, 40)
        if "status" in out:
            out["status"] = {**out["status"], "observedGeneration": meta["generation"]}
    if body["kind"] == "Deployment":
        out["status"] = {**out.get("status", {}), "conditions": [
            {"type": kind, "status": "True", "lastUpdateTime": g.time(),
             "lastTransitionTime": g.time(), "reason": reason, "message": message}
            for kind, reason, message in (
                ("Available", "MinimumReplicasAvailable",
                 "Deployment has minimum availability."),
                ("Progressing", "NewReplicaSetAvailable",
                 f'ReplicaSet "{meta["name"]}-{g.suffix(10)}" has successfully progressed.'))]}
    managed = [e for e in evidence if e["source"] == "managed-fields"]
    if managed:
        rest = {k: v for k, v in created.items() if k != "status"}
        rest["metadata"] = meta
        entries = []
        for i, ev in enumerate(managed):
            detail = ev.get("detail", "")
            operation = detail.split(",")[0].removeprefix("operation ").strip() or "Update"
            status = "subresource status" in detail
            if status:
                fields = {"f:status": generate.fields_v1(out.get("status", {}), depth=16,
                                                          keyed=True)}
            elif i == 0:
                fields = generate.fields_v1(rest, depth=16, keyed=True)
            else:  # later writers own a few fields, not the whole object
                fields = {"f:metadata": generate.fields_v1(
                    {k: v for k, v in meta.items() if k in ("labels", "annotations")},
                    depth=4, keyed=True)}
            entry: Obj = {"manager": ev["location"].removeprefix("manager "),
                          "operation": operation, "apiVersion": ev["api_version"],
                          "time": ev.get("time") or g.time(), "fieldsType": "FieldsV1",
                          "fieldsV1": fields}
            if status:
                entry["subresource"] = "status"
            entries.append(entry)
        meta["managedFields"] = entries
    return out


# ---- the builder ---------------------------------------------------------------------------


class EnvelopeBuilder(generate.ClusterBuilder):
    """ClusterBuilder at the envelope's proportions, sending each object, as served, to a
    sink instead of keeping it."""

    replica_sets = (1, 2, 2, 3)
    service_share = 0.7
    replicas = (2, 3, 4, 6, 8, 10, 12, 19)
    """A Deployment's replicas, drawn from: 8 on average."""
    plain_share = 0.8
    """The share of Deployments whose pods are plain: no anti-affinity, no readiness
    probe, no security contexts, at most three environment variables."""

    def __init__(self, seed: int, scale: float, sink: Callable[[Obj], None]) -> None:
        super().__init__(seed, n_objects=round(SIZING * scale),
                         n_nodes=max(3, round(NODES * scale)),
                         n_releases=max(1, round(RELEASES * scale)))
        self.n_apps = max(1, round(APPS * scale))
        self.sink = sink
        self.pending: list[tuple[Obj, list[Obj]]] = []
        self.resource_version = 10_000_000
        self.revisions_made = 0
        self.pod_names: set[tuple[str, str]] = set()
        self.certificates = _certificates()

    def add(self, body: Obj, evidence: list[Obj]) -> None:
        # Builders still change an object right after adding it (a status, an IP), never
        # after the next one: flushing before adding is safe.
        if len(self.pending) >= 500:
            self.flush()
        self.pending.append((body, evidence))

    def flush(self) -> None:
        for body, evidence in self.pending:
            self.resource_version += 1
            self.sink(served(self.g, body, evidence, self.resource_version))
        self.pending.clear()

    def pod(self, owner: Obj, spec: Obj, labels: dict[str, str], node: str, name: str,
            hash_label: str | None = None) -> None:
        # Five random letters name a DaemonSet's pod: among 5,000 of them two may meet.
        key = (owner["metadata"]["namespace"], name)
        while key in self.pod_names:
            key = (key[0], key[1] + self.g.suffix(1))
        self.pod_names.add(key)
        super().pod(owner, spec, labels, node, key[1], hash_label)

    def make_nodes(self) -> None:
        super().make_nodes()
        g = self.g
        for info in self.nodes:
            node = node_object(g, info)
            node["metadata"]["creationTimestamp"] = g.time()
            self.add(node, [generate._mf("kubelet", "v1", g.time()),
                            generate._mf("kube-controller-manager", "v1", g.time()),
                            generate._mf("kubelet", "v1", g.time(), "Update", "status")])

    def cluster_scoped(self) -> None:
        super().cluster_scoped()
        for group, kind, plural, versions in _ADDON_CRDS:
            crd = self.stamp(_crd(group, kind, plural, versions, self.g))
            self.add(crd, self.authored(crd, "helm"))

    def shape(self, deployment: Obj) -> Obj:
        g = self.g
        spec = deployment["spec"]
        spec["replicas"] = g.rng.choice(self.replicas)
        if g.chance(self.plain_share):
            pod = spec["template"]["spec"]
            for key in ("affinity", "securityContext"):
                pod.pop(key, None)
            for container in pod["containers"]:
                container["env"] = container.get("env", [])[:3]
                for key in ("readinessProbe", "securityContext"):
                    container.pop(key, None)
        return deployment

    def planned_apps(self) -> int:
        return self.n_apps

    def more_apps(self, index: int) -> bool:
        return index < self.n_apps

    def companions(self, app: str, ns: str, labels: dict[str, str],
                   emit: Callable[[Obj], Obj]) -> None:
        g = self.g
        emit(generate.service_account(g, app, ns, labels))
        emit(generate.configmap(g, app, ns, labels))
        if g.chance(0.2):
            extra = generate.configmap(g, app, ns, labels)
            extra["metadata"]["name"] = f"{app}-env"
            emit(extra)
        emit(generate.secret(g, app, ns, labels))
        if g.chance(0.15):
            emit({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                  "metadata": generate._meta(f"{app}-tls", ns, labels, annotations={
                      "cert-manager.io/certificate-name": f"{app}-tls",
                      "cert-manager.io/issuer-kind": "ClusterIssuer",
                      "cert-manager.io/issuer-name": "letsencrypt"}),
                  "data": {"tls.crt": g.rng.choice(self.certificates), "ca.crt": "",
                           # a stand-in of a key's size, not key material
                           "tls.key": base64.b64encode(g.hexid(160).encode()).decode()}})

    def release_revisions(self, release: Obj) -> None:
        first = len(self.releases)
        super().release_revisions(release)
        for record in self.releases[first:]:
            self.add(self.helm_record(record, release.get("bodies", [])), [])
        self.revisions_made += len(self.releases) - first
        del self.releases[first:]  # counted; the records are all that is served of them

    def helm_record(self, record: Obj, bodies: list[Obj]) -> Obj:
        """The Secret Helm stores for one revision, its manifest rendered from the
        objects the release made (in the apiVersions that revision used)."""
        g = self.g
        docs = []
        for ref, body in zip(record["objects"], bodies, strict=True):
            meta = body["metadata"]
            doc = {"apiVersion": ref["apiVersion"], "kind": body["kind"],
                   "metadata": {k: meta[k] for k in ("name", "labels") if k in meta},
                   **{k: v for k, v in body.items()
                      if k not in ("apiVersion", "kind", "metadata", "status")}}
            source = f"# Source: {record['chart']}/templates/{body['kind'].lower()}.yaml\n"
            docs.append(source + yaml.dump(doc, Dumper=generate._Dumper, sort_keys=False,
                                           default_flow_style=False, width=120))
        rel = HelmRelease(
            name=record["name"], namespace=record["namespace"], revision=record["revision"],
            status=record["status"], chart_name=record["chart"],
            chart_version=record["chart_version"], app_version=record["app_version"] or "",
            kube_version=record["kube_version"] or "",
            chart_values={"replicaCount": 2, "image": {"tag": record["app_version"]},
                          "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}}},
            values={"replicaCount": g.rng.randrange(2, 9),
                    "ingress": {"enabled": True, "host": f"{record['name']}.example.com"}},
            manifest="---\n" + "---\n".join(docs),
            first_deployed=record["last_deployed"], last_deployed=record["last_deployed"],
        )
        secret = release_secret(rel)
        secret["metadata"]["uid"] = g.uid()
        return secret

    def build(self) -> None:
        self.applications(self.infrastructure())
        self.flush()


# ---- writing and reading the folder --------------------------------------------------------


class _Writer:
    """The sink: appends each object's body to bodies.bin and a line to index.jsonl."""

    def __init__(self, folder: Path) -> None:
        self.bodies = (folder / "bodies.bin").open("wb")
        self.index = (folder / "index.jsonl").open("w")
        self.offset = 0
        self.kinds: dict[str, list[int]] = {}
        """kind → [objects, bytes as served]"""

    def __call__(self, obj: Obj) -> None:
        rest = {k: v for k, v in obj.items() if k not in _TYPE_META}
        data = json.dumps(rest, separators=(",", ":")).encode()[1:-1]
        meta = obj["metadata"]
        self.index.write(json.dumps([obj["apiVersion"], obj["kind"], meta.get("namespace", ""),
                                     meta["name"], self.offset, len(data)]) + "\n")
        self.bodies.write(data)
        self.offset += len(data)
        counts = self.kinds.setdefault(obj["kind"], [0, 0])
        counts[0] += 1
        counts[1] += len(data) + 2

    def close(self) -> None:
        self.bodies.close()
        self.index.close()


def write_envelope(folder: Path, *, seed: int, scale: float) -> dict[str, Any]:
    """Generate the envelope cluster into `folder`; returns its stats (also in stats.json):
    objects, bytes (JSON as served), nodes, pods, helm_revisions, kinds."""
    folder.mkdir(parents=True, exist_ok=True)
    writer = _Writer(folder)
    builder = EnvelopeBuilder(seed, scale, writer)
    try:
        builder.build()
    finally:
        writer.close()
    kinds = dict(sorted(writer.kinds.items(), key=lambda kv: -kv[1][1]))
    stats = {
        "scale": scale, "seed": seed,
        "objects": sum(n for n, _ in kinds.values()),
        "bytes": sum(b for _, b in kinds.values()),
        "nodes": kinds.get("Node", [0])[0], "pods": kinds.get("Pod", [0])[0],
        "helm_revisions": builder.revisions_made,
        "kinds": {k: {"objects": n, "bytes": b} for k, (n, b) in kinds.items()},
    }
    (folder / "stats.json").write_text(json.dumps(stats, indent=1) + "\n")
    return stats


class MappedObject(StoredObject):
    """A stored object whose JSON lives in a memory-mapped file; it is parsed only when a
    selector or a table needs it (a fake server's store holds 330,000 of them)."""

    __slots__ = ("_length", "_offset", "_source")

    def __init__(self, source: mmap.mmap, offset: int, length: int, namespace: str,
                 name: str) -> None:
        # StoredObject's `obj` and `labels` are computed below; its `_body` stays unused.
        self._source, self._offset, self._length = source, offset, length
        self.namespace, self.name = namespace, name
        self.key = f"{namespace}/{name}" if namespace else name

    def body(self) -> bytes:
        return self._source[self._offset:self._offset + self._length]

    @property
    def obj(self) -> dict[str, Any]:  # type: ignore[override]
        parsed: dict[str, Any] = json.loads(b"{" + self.body() + b"}")
        return parsed

    @property
    def labels(self) -> dict[str, str]:  # type: ignore[override]
        labels: dict[str, str] = self.obj.get("metadata", {}).get("labels") or {}
        return labels


def load_server(folder: Path) -> tuple[FakeApiServer, int, int]:
    """A fake API server (not started) serving the envelope in `folder`; also the number of
    objects and their bytes as served. CRDs are kept as dicts (discovery is built from
    them), every other object is read from the mapped file when a page needs it."""
    handle = (folder / "bodies.bin").open("rb")
    source = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    crds: list[Obj] = []
    by_kind: dict[tuple[str, str], list[StoredObject]] = {}
    count = size = 0
    with (folder / "index.jsonl").open() as index:
        for line in index:
            api_version, kind, namespace, name, offset, length = json.loads(line)
            count += 1
            size += length + 2
            if kind == "CustomResourceDefinition":
                body = json.loads(b"{" + source[offset:offset + length] + b"}")
                crds.append({"apiVersion": api_version, "kind": kind, **body})
            else:
                by_kind.setdefault((api_version, kind), []).append(
                    MappedObject(source, offset, length, namespace, name))
    cluster: Cluster = build_cluster(generated_spec(SERVER_MINOR), crds, name="envelope")
    server = FakeApiServer(cluster)
    for (api_version, kind), objects in by_kind.items():
        server.store.add_stored(api_version, kind, objects)
    return server, count, size
