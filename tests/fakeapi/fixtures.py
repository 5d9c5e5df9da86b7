"""Fixture clusters: loading them from YAML, and generating big synthetic ones.

A fixture cluster is a folder under ``tests/fixtures/clusters/``:

``cluster.yaml``
    ``version`` (what ``/version`` returns), ``apis`` (group/version → served resource
    names, in discovery order; a group's first version is its preferred one), optional
    ``resources`` (discovery entries for resources the built-in catalog lacks),
    ``deprecations`` (served-but-deprecated APIs: the server sends a ``Warning`` header
    for them) and ``metrics.deprecated_apis`` (the ``apiserver_requested_deprecated_apis``
    series ``/metrics`` shows).
``helm.yaml``
    ``releases:`` a list of Helm release revisions (see ``helm.HelmRelease``); each is
    encoded into a Secret or ConfigMap exactly as Helm 3 stores it.
any other ``*.yaml``
    Objects, as a real API server returns them from a GET (multi-document; ``kind: List``
    documents are flattened). Each object is stored once and served at every
    group/version the cluster serves its resource at.

Custom resources' discovery entries come from the CustomResourceDefinition objects.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .catalog import BUILTIN, ResourceType
from .helm import HelmRelease, release_objects

__all__ = [
    "CLUSTERS_DIR",
    "SENTINEL",
    "SENTINEL_FORMS",
    "Cluster",
    "Deprecation",
    "FixtureError",
    "ServedVersion",
    "cluster_names",
    "generate_cluster",
    "generated_spec",
    "load_cluster",
]

CLUSTERS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "clusters"
"""Where the bundled fixture clusters live."""


class FixtureError(ValueError):
    """A fixture cluster is malformed."""


@dataclass
class ServedVersion:
    """One group/version the API server serves, with its resources."""

    group: str
    """API group ("" for core)."""
    version: str
    """Version, e.g. ``v1beta1``."""
    resources: list[ResourceType]
    """Resources served at this group/version, in discovery order."""

    @property
    def group_version(self) -> str:
        """``group/version``, or just ``version`` for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass(frozen=True)
class Deprecation:
    """A served API the server warns about (and may count in its metrics)."""

    group: str
    """API group."""
    version: str
    """API version."""
    resource: str
    """Plural resource name."""
    kind: str
    """Kind, for the warning text."""
    deprecated_in: str = ""
    """Minor version it was deprecated in, e.g. ``1.21``."""
    removed_in: str = ""
    """Minor version it is removed in, e.g. ``1.25`` (metrics' ``removed_release``)."""
    replacement: str = ""
    """Replacement group/version, e.g. ``policy/v1``."""
    message: str = ""
    """Warning text; built from the fields above when empty."""

    def warning(self) -> str:
        """The text of the API server's deprecation warning."""
        if self.message:
            return self.message
        gv = f"{self.group}/{self.version}" if self.group else self.version
        text = f"{gv} {self.kind} is deprecated"
        if self.deprecated_in:
            text += f" in v{self.deprecated_in}+"
        if self.removed_in:
            text += f", unavailable in v{self.removed_in}+"
        if self.replacement:
            text += f"; use {self.replacement} {self.kind}"
        return text


@dataclass
class Cluster:
    """Everything a fake API server serves."""

    name: str
    """Fixture name (folder name, or a generated name)."""
    version: dict[str, str]
    """The ``/version`` document."""
    served: list[ServedVersion]
    """Built-in group/versions served, in discovery order (CRD groups are added)."""
    objects: list[dict[str, Any]] = field(default_factory=list)
    """Stored objects as authored (Helm records included)."""
    releases: list[HelmRelease] = field(default_factory=list)
    """Helm release revisions (their records are also in ``objects``)."""
    deprecations: list[Deprecation] = field(default_factory=list)
    """Served APIs the server warns about."""
    deprecated_api_metrics: list[dict[str, str]] = field(default_factory=list)
    """``apiserver_requested_deprecated_apis`` series: group, version, resource,
    subresource, removed_release."""
    source: Path | None = None
    """The folder it was loaded from."""

    @property
    def minor(self) -> int:
        """The server's minor version as a number (``21+`` → 21)."""
        return int("".join(ch for ch in self.version.get("minor", "0") if ch.isdigit()) or 0)

    def objects_of_kind(self, kind: str) -> list[dict[str, Any]]:
        """The stored objects of one kind."""
        return [o for o in self.objects if o.get("kind") == kind]



SENTINEL = "SENTINEL-SECRET-VALUE-4242"
"""The secret value fixtures plant (Secret data, Helm values, a last-applied annotation's
stringData, inside a TLS key): it must never reach a snapshot, report or log."""

SENTINEL_FORMS = (SENTINEL, "U0VOVElORUwtU0VDUkVULVZBTFVFLTQyNDI=")
"""The sentinel as plain text and as a Secret's base64 data value (search output for both)."""


def cluster_names() -> list[str]:
    """Names of the bundled fixture clusters."""
    return sorted(p.name for p in CLUSTERS_DIR.iterdir() if (p / "cluster.yaml").is_file())


def load_cluster(name_or_path: str | Path) -> Cluster:
    """Load a bundled fixture cluster by name (``v1.21``) or from a folder."""
    path = Path(name_or_path)
    if not (path / "cluster.yaml").is_file():
        path = CLUSTERS_DIR / str(name_or_path)
    if not (path / "cluster.yaml").is_file():
        raise FixtureError(f"no fixture cluster at {name_or_path!s} (looked for cluster.yaml)")
    spec = _read_yaml(path / "cluster.yaml")
    if not isinstance(spec, dict):
        raise FixtureError(f"{path / 'cluster.yaml'}: expected a mapping")

    objects: list[dict[str, Any]] = []
    for file in sorted(path.glob("*.yaml")):
        if file.name in ("cluster.yaml", "helm.yaml"):
            continue
        objects.extend(_objects_in(file))

    releases: list[HelmRelease] = []
    helm_file = path / "helm.yaml"
    if helm_file.is_file():
        helm_spec = _read_yaml(helm_file) or {}
        try:
            releases = [HelmRelease.from_dict(r) for r in helm_spec.get("releases", [])]
        except (TypeError, ValueError) as exc:
            raise FixtureError(f"{helm_file}: {exc}") from exc
    objects.extend(release_objects(releases))

    return build_cluster(spec, objects, releases, name=spec.get("name", path.name), source=path)


def build_cluster(
    spec: dict[str, Any],
    objects: list[dict[str, Any]],
    releases: list[HelmRelease] | None = None,
    *,
    name: str,
    source: Path | None = None,
) -> Cluster:
    """A Cluster from a ``cluster.yaml``-shaped mapping and objects."""
    extra: dict[tuple[str, str], ResourceType] = {}
    for entry in spec.get("resources", []) or []:
        rt = ResourceType(
            group=entry["group"],
            name=entry["name"],
            singular=entry.get("singularName", entry["kind"].lower()),
            kind=entry["kind"],
            namespaced=bool(entry.get("namespaced", True)),
            verbs=tuple(entry.get("verbs", ("get", "list", "watch"))),
            short_names=tuple(entry.get("shortNames", ())),
            categories=tuple(entry.get("categories", ())),
            subresources=tuple(entry.get("subresources", ())),
        )
        extra[(rt.group, rt.name)] = rt

    served: list[ServedVersion] = []
    for gv, names in (spec.get("apis") or {}).items():
        group, _, version = gv.rpartition("/")
        resources: list[ResourceType] = []
        for res in names or []:
            found = extra.get((group, res)) or BUILTIN.get((group, res))
            if found is None:
                raise FixtureError(f"{name}: unknown resource {res!r} in {gv}")
            resources.append(found)
        served.append(ServedVersion(group, version, resources))
    if not served:
        raise FixtureError(f"{name}: cluster.yaml serves no APIs")

    deprecations = []
    for d in spec.get("deprecations", []) or []:
        group, _, version = d["groupVersion"].rpartition("/")
        served_rt = next(
            (r for sv in served if sv.group == group and sv.version == version
             for r in sv.resources if r.name == d["resource"]),
            None,
        )
        kind = d.get("kind") or (served_rt.kind if served_rt else "")
        if not kind:
            raise FixtureError(
                f"{name}: deprecation of unserved {d['groupVersion']} {d['resource']}"
            )
        deprecations.append(
            Deprecation(
                group=group, version=version, resource=d["resource"], kind=kind,
                deprecated_in=str(d.get("deprecatedIn", "")),
                removed_in=str(d.get("removedIn", "")),
                replacement=d.get("replacement", ""),
                message=d.get("message", ""),
            )
        )

    metrics = [
        {
            "group": str(m.get("group", "")),
            "version": str(m["version"]),
            "resource": str(m["resource"]),
            "subresource": str(m.get("subresource", "")),
            "removed_release": str(m.get("removed_release", "")),
        }
        for m in ((spec.get("metrics") or {}).get("deprecated_apis") or [])
    ]
    version = {k: str(v) for k, v in (spec.get("version") or {}).items()}
    for key in ("major", "minor", "gitVersion"):
        if key not in version:
            raise FixtureError(f"{name}: cluster.yaml version lacks {key}")
    return Cluster(
        name=name,
        version=version,
        served=served,
        objects=objects,
        releases=list(releases or []),
        deprecations=deprecations,
        deprecated_api_metrics=metrics,
        source=source,
    )


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise FixtureError(f"{path}: {exc}") from exc


def _objects_in(path: Path) -> Iterable[dict[str, Any]]:
    try:
        docs = list(yaml.safe_load_all(path.read_text()))
    except yaml.YAMLError as exc:
        raise FixtureError(f"{path}: {exc}") from exc
    for doc in docs:
        if doc is None:
            continue
        if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
            raise FixtureError(f"{path}: every document needs apiVersion and kind")
        if doc["kind"] == "List" or (doc["kind"].endswith("List") and "items" in doc):
            for item in doc.get("items") or []:
                if "kind" not in item or "apiVersion" not in item:
                    raise FixtureError(f"{path}: list items need apiVersion and kind")
                yield item
        else:
            yield doc


# --------------------------------------------------------------------------------------
# Synthetic clusters for scale tests and benchmarks.

_GEN_SERVED = {
    "v1": ["bindings", "componentstatuses", "configmaps", "endpoints", "events", "limitranges",
           "namespaces", "nodes", "persistentvolumeclaims", "persistentvolumes", "pods",
           "podtemplates", "replicationcontrollers", "resourcequotas", "secrets",
           "serviceaccounts", "services"],
    "apiregistration.k8s.io/v1": ["apiservices"],
    "apps/v1": ["controllerrevisions", "daemonsets", "deployments", "replicasets",
                "statefulsets"],
    "events.k8s.io/v1": ["events"],
    "events.k8s.io/v1beta1": ["events"],
    "authentication.k8s.io/v1": ["tokenreviews"],
    "authorization.k8s.io/v1": ["localsubjectaccessreviews", "selfsubjectaccessreviews",
                                "selfsubjectrulesreviews", "subjectaccessreviews"],
    "autoscaling/v2": ["horizontalpodautoscalers"],
    "autoscaling/v1": ["horizontalpodautoscalers"],
    "autoscaling/v2beta2": ["horizontalpodautoscalers"],
    "batch/v1": ["cronjobs", "jobs"],
    "batch/v1beta1": ["cronjobs"],
    "certificates.k8s.io/v1": ["certificatesigningrequests"],
    "networking.k8s.io/v1": ["ingressclasses", "ingresses", "networkpolicies"],
    "policy/v1": ["poddisruptionbudgets"],
    "policy/v1beta1": ["poddisruptionbudgets", "podsecuritypolicies"],
    "rbac.authorization.k8s.io/v1": ["clusterrolebindings", "clusterroles", "rolebindings",
                                     "roles"],
    "storage.k8s.io/v1": ["csidrivers", "csinodes", "csistoragecapacities", "storageclasses",
                          "volumeattachments"],
    "storage.k8s.io/v1beta1": ["csistoragecapacities"],
    "admissionregistration.k8s.io/v1": ["mutatingwebhookconfigurations",
                                        "validatingwebhookconfigurations"],
    "apiextensions.k8s.io/v1": ["customresourcedefinitions"],
    "scheduling.k8s.io/v1": ["priorityclasses"],
    "coordination.k8s.io/v1": ["leases"],
    "node.k8s.io/v1": ["runtimeclasses"],
    "discovery.k8s.io/v1": ["endpointslices"],
    "flowcontrol.apiserver.k8s.io/v1beta2": ["flowschemas", "prioritylevelconfigurations"],
}

# Weighted namespaced kinds a synthetic cluster is filled with.
_GEN_KINDS: list[tuple[str, str, int]] = [
    ("v1", "Pod", 30), ("v1", "ConfigMap", 10), ("v1", "Secret", 8), ("v1", "Service", 6),
    ("v1", "ServiceAccount", 5), ("v1", "Endpoints", 5), ("v1", "Event", 6),
    ("v1", "PersistentVolumeClaim", 2), ("v1", "ResourceQuota", 1), ("v1", "LimitRange", 1),
    ("v1", "PodTemplate", 1), ("v1", "ReplicationController", 1),
    ("apps/v1", "Deployment", 5), ("apps/v1", "ReplicaSet", 6), ("apps/v1", "StatefulSet", 1),
    ("apps/v1", "DaemonSet", 1), ("apps/v1", "ControllerRevision", 2),
    ("batch/v1", "Job", 2), ("batch/v1beta1", "CronJob", 1),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", 1),
    ("networking.k8s.io/v1", "Ingress", 1), ("networking.k8s.io/v1", "NetworkPolicy", 1),
    ("policy/v1beta1", "PodDisruptionBudget", 1), ("policy/v1", "PodDisruptionBudget", 1),
    ("rbac.authorization.k8s.io/v1", "Role", 2),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", 2),
    ("coordination.k8s.io/v1", "Lease", 1), ("discovery.k8s.io/v1", "EndpointSlice", 4),
    ("storage.k8s.io/v1", "CSIStorageCapacity", 1),
]
_GEN_CLUSTER_KINDS: list[tuple[str, str, int]] = [
    ("v1", "PersistentVolume", 2), ("rbac.authorization.k8s.io/v1", "ClusterRole", 2),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", 2),
    ("storage.k8s.io/v1", "StorageClass", 1), ("scheduling.k8s.io/v1", "PriorityClass", 1),
    ("certificates.k8s.io/v1", "CertificateSigningRequest", 1),
    ("storage.k8s.io/v1", "VolumeAttachment", 1), ("storage.k8s.io/v1", "CSIDriver", 1),
    ("networking.k8s.io/v1", "IngressClass", 1), ("node.k8s.io/v1", "RuntimeClass", 1),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", 1),
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", 1),
    ("policy/v1beta1", "PodSecurityPolicy", 1), ("apiregistration.k8s.io/v1", "APIService", 1),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", 1),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", 1),
]


def generate_cluster(
    seed: int,
    n_objects: int,
    n_nodes: int = 50,
    n_releases: int = 20,
    *,
    minor: int = 24,
    n_namespaces: int = 40,
) -> Cluster:
    """A deterministic synthetic cluster of about ``n_objects`` objects.

    Objects spread over ~45 resource types and ``n_namespaces`` namespaces; nodes run a
    mix of kubelet versions and runtimes; some objects carry a last-applied annotation
    or managedFields at a deprecated apiVersion; ``n_releases`` Helm releases (1-3
    revisions each) are stored as Secrets. Same arguments, same cluster.
    """
    rng = random.Random(seed)
    t0 = "2022-01-10T08:00:00Z"
    objects: list[dict[str, Any]] = []

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    namespaces = ["default", "kube-system", *(f"team-{i:03d}" for i in range(n_namespaces))]
    for ns in namespaces:
        objects.append({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "uid": uid(), "creationTimestamp": t0,
                         "labels": {"kubernetes.io/metadata.name": ns}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"},
        })
    kubelets = [f"v1.{minor}.{p}" for p in (9, 7)] + [f"v1.{minor - 1}.12", f"v1.{minor - 2}.17"]
    for i in range(n_nodes):
        kubelet = kubelets[i % len(kubelets)]
        runtime = "docker://20.10.17" if i % 5 == 0 else "containerd://1.6.6"
        objects.append(_gen_node(f"ip-10-0-{i // 250}-{i % 250}.ec2.internal", kubelet,
                                 runtime, uid(), t0, i))

    releases: list[HelmRelease] = []
    for i in range(n_releases):
        ns = namespaces[2 + i % max(1, n_namespaces)] if n_namespaces else "default"
        name = f"app-{i:03d}"
        revs = 1 + i % 3
        legacy = i % 4 == 0
        for rev in range(1, revs + 1):
            status = "deployed" if rev == revs else "superseded"
            api = "policy/v1beta1" if legacy and rev == revs else "policy/v1"
            releases.append(HelmRelease(
                name=name, namespace=ns, revision=rev, status=status,
                chart_name=f"chart-{i % 7}", chart_version=f"1.{rev}.0", app_version="2.3.4",
                values={"replicaCount": 2, "password": "SENTINEL-SECRET-VALUE-4242"},
                manifest=(f"---\n# Source: chart-{i % 7}/templates/pdb.yaml\napiVersion: {api}\n"
                          f"kind: PodDisruptionBudget\nmetadata:\n  name: {name}\n"
                          "spec:\n  minAvailable: 1\n"),
                first_deployed="2022-02-01T10:00:00.000000000Z",
                last_deployed=f"2022-02-{rev:02d}T10:00:00.000000000Z",
            ))
    objects.extend(release_objects(releases))

    remaining = max(0, n_objects - len(objects))
    n_cluster = remaining // 50
    _fill(objects, rng, _GEN_CLUSTER_KINDS, n_cluster, None, uid, t0)
    _fill(objects, rng, _GEN_KINDS, remaining - n_cluster, namespaces, uid, t0)

    spec = generated_spec(minor)
    return build_cluster(spec, objects, releases, name=f"generated-{seed}-{n_objects}")


def generated_spec(minor: int = 24) -> dict[str, Any]:
    """The ``cluster.yaml`` mapping of a synthetic cluster at 1.``minor``: its version, the
    built-in APIs it serves, deprecation warnings and the deprecated-API metric."""
    return {
        "version": {
            "major": "1", "minor": str(minor), "gitVersion": f"v1.{minor}.9",
            "gitCommit": "0" * 40, "gitTreeState": "clean",
            "buildDate": "2022-12-08T10:08:09Z", "goVersion": "go1.19.4", "compiler": "gc",
            "platform": "linux/amd64",
        },
        "apis": _GEN_SERVED,
        "deprecations": [
            {"groupVersion": "policy/v1beta1", "resource": "poddisruptionbudgets",
             "deprecatedIn": "1.21", "removedIn": "1.25", "replacement": "policy/v1"},
            {"groupVersion": "batch/v1beta1", "resource": "cronjobs",
             "deprecatedIn": "1.21", "removedIn": "1.25", "replacement": "batch/v1"},
        ],
        "metrics": {"deprecated_apis": [
            {"group": "policy", "version": "v1beta1", "resource": "poddisruptionbudgets",
             "removed_release": "1.25"},
        ]},
    }


def _fill(
    objects: list[dict[str, Any]],
    rng: random.Random,
    kinds: list[tuple[str, str, int]],
    count: int,
    namespaces: list[str] | None,
    uid: Any,
    t0: str,
) -> None:
    population = [(gv, k) for gv, k, _ in kinds]
    weights = [w for _, _, w in kinds]
    counters: dict[str, int] = {}
    for _ in range(count):
        gv, kind = rng.choices(population, weights)[0]
        n = counters[kind] = counters.get(kind, 0) + 1
        name = f"{kind.lower()}-{n:06d}"
        meta: dict[str, Any] = {"name": name, "uid": uid(), "creationTimestamp": t0,
                                "labels": {"app": f"app-{n % 97}", "tier": ("web", "db")[n % 2]}}
        if namespaces is not None:
            meta["namespace"] = namespaces[n % len(namespaces)]
        roll = rng.random()
        if roll < 0.05:
            old = {"Deployment": "extensions/v1beta1", "Ingress": "extensions/v1beta1",
                   "PodDisruptionBudget": "policy/v1beta1", "CronJob": "batch/v1beta1"}.get(
                kind, gv)
            meta["annotations"] = {
                "kubectl.kubernetes.io/last-applied-configuration":
                    f'{{"apiVersion":"{old}","kind":"{kind}","metadata":{{"name":"{name}"}}}}\n'
            }
        if roll < 0.15:
            meta["managedFields"] = [{
                "manager": "kubectl-client-side-apply" if roll < 0.05 else "some-operator",
                "operation": "Update", "apiVersion": gv, "time": t0,
                "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {}}},
            }]
        obj: dict[str, Any] = {"apiVersion": gv, "kind": kind, "metadata": meta}
        body = _GEN_BODIES.get(kind)
        if body:
            obj.update(body(n))
        objects.append(obj)


def _gen_pod(n: int) -> dict[str, Any]:
    return {
        "spec": {"containers": [{"name": "app", "image": f"registry.example/app:{n % 13}"}],
                 "nodeName": f"ip-10-0-0-{n % 50}.ec2.internal"},
        "status": {"phase": "Running", "podIP": f"10.1.{n // 250 % 250}.{n % 250}"},
    }


_GEN_BODIES: dict[str, Any] = {
    "Pod": _gen_pod,
    "ConfigMap": lambda n: {"data": {"key": f"value-{n}"}},
    # base64 of the sentinel value
    "Secret": lambda n: {"type": "Opaque",
                         "data": {"password": "U0VOVElORUwtU0VDUkVULVZBTFVFLTQyNDI="}},
    "Service": lambda n: {"spec": {"type": "ClusterIP",
                                   "clusterIP": f"172.20.{n // 250 % 250}.{n % 250}",
                                   "ports": [{"port": 80, "protocol": "TCP"}]}},
    "Deployment": lambda n: {"spec": {
        "replicas": 2, "selector": {"matchLabels": {"app": f"a{n}"}},
        "template": {"metadata": {"labels": {"app": f"a{n}"}},
                     "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}}},
    "PodDisruptionBudget": lambda n: {"spec": {"maxUnavailable": n % 2,
                                               "selector": {"matchLabels": {"app": f"a{n}"}}}},
}


def _gen_node(name: str, kubelet: str, runtime: str, uid: str, t0: str, i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": name, "uid": uid, "creationTimestamp": t0,
            "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                       "kubernetes.io/arch": "amd64",
                       "node.kubernetes.io/instance-type": "m5.large"},
        },
        "spec": {"providerID": f"aws:///us-east-1a/i-{i:017x}"},
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status",
                            "lastHeartbeatTime": t0, "lastTransitionTime": t0}],
            "addresses": [{"type": "InternalIP", "address": f"10.0.{i // 250}.{i % 250}"},
                          {"type": "Hostname", "address": name}],
            "nodeInfo": {
                "machineID": f"{i:032x}", "systemUUID": f"ec2{i:029x}", "bootID": uid,
                "kernelVersion": "5.4.247-162.350.amzn2.x86_64",
                "osImage": "Amazon Linux 2", "containerRuntimeVersion": runtime,
                "kubeletVersion": kubelet, "kubeProxyVersion": kubelet,
                "operatingSystem": "linux", "architecture": "amd64",
            },
        },
    }
