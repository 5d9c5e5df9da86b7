"""Deterministic, realistic benchmark inputs: a manifest tree (for `scan`) and a snapshot
file (for `assess`). Same seed and size, same bytes.

    python benchmarks/generate.py manifests OUT_DIR --files 20000 --objects 40000
    python benchmarks/generate.py snapshot OUT.json.gz --objects 100000 --nodes 2000 --releases 500
    python benchmarks/generate.py envelope OUT_DIR --scale 1.0      (see envelope.py)

The manifest tree looks like a platform team's GitOps repository: kustomize-style folders
with one object per file, multi-document files, `helm template` output with `# Source:`
comments, `kubectl get -o yaml` Lists, `kubectl get -o json` exports, and Helm values / CI
files that hold no Kubernetes object. About 6% of the objects use an API a recent release
no longer serves (extensions/v1beta1, policy/v1beta1, batch/v1beta1, autoscaling/v2beta1,
networking.k8s.io/v1beta1, cert-manager v1alpha2, ...).

The snapshot looks like what `upgradecheck collect` writes for a large EKS 1.23 cluster:
Deployments with their ReplicaSets and Pods (full pod specs and statuses), DaemonSet pods on
every node, StatefulSets with volume claims, CronJobs with Jobs, Services with
EndpointSlices, PDBs, HPAs, Ingresses, RBAC, CRDs, webhooks; every object carries the
managedFields evidence the collector records, some a last-applied annotation written in a
removed version; Helm releases with several revisions and their objects.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import random
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

GENERATOR_VERSION = "4"
"""Bump when the output of a generator changes: cached inputs are then made again."""

Obj = dict[str, Any]

_T0 = datetime(2023, 3, 1, 8, 0, 0, tzinfo=UTC)
_IMAGES = (
    "registry.example.com/shop/web", "registry.example.com/shop/cart",
    "registry.example.com/payments/ledger", "registry.example.com/search/indexer",
    "registry.example.com/platform/gateway", "docker.io/library/nginx",
    "quay.io/prometheus/statsd-exporter", "ghcr.io/example/worker",
    "public.ecr.aws/example/api", "registry.example.com/data/etl",
)
_TEAMS = tuple(f"team-{name}" for name in (
    "shop", "payments", "search", "identity", "data", "platform", "growth", "mobile",
    "ads", "logistics", "support", "risk", "media", "infra", "ml", "billing",
))
_WORDS = (
    "api", "web", "worker", "cart", "ledger", "indexer", "gateway", "auth", "orders",
    "catalog", "images", "mailer", "reports", "sync", "search", "billing", "events",
    "notify", "profile", "pricing", "stock", "checkout", "review", "feed", "session",
)


class _Dumper(yaml.CSafeDumper):
    """libyaml's emitter; multi-line strings as `|` blocks, as people write them."""


def _str_representer(dumper: _Dumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def _yaml(obj: Any, *, sort_keys: bool = False) -> str:
    text: str = yaml.dump(
        obj, Dumper=_Dumper, sort_keys=sort_keys, default_flow_style=False, width=120
    )
    return text


class Gen:
    """A seeded source of realistic names, identifiers and times."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def time(self, days: int = 700) -> str:
        moment = _T0 + timedelta(seconds=self.rng.randrange(days * 86400))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def hexid(self, n: int) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def suffix(self, n: int = 5) -> str:
        return "".join(self.rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))

    def word(self) -> str:
        return self.rng.choice(_WORDS)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


# ---- object builders shared by both generators ---------------------------------------------


def _labels(app: str, team: str, component: str, helm: str | None) -> dict[str, str]:
    labels = {
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/instance": app,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": team,
    }
    if helm:
        labels["app.kubernetes.io/managed-by"] = "Helm"
        labels["helm.sh/chart"] = helm
    return labels


def _container(g: Gen, app: str, name: str, *, env: int = 6) -> Obj:
    version = f"{g.rng.randrange(1, 9)}.{g.rng.randrange(30)}.{g.rng.randrange(9)}"
    image = f"{g.rng.choice(_IMAGES)}:{version}"
    port = g.rng.choice((8080, 8000, 3000, 9000, 5000))
    variables: list[Obj] = [
        {"name": "APP_NAME", "value": app},
        {"name": "LOG_LEVEL", "value": g.rng.choice(("info", "debug", "warn"))},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "DB_PASSWORD",
         "valueFrom": {"secretKeyRef": {"name": f"{app}-db", "key": "password"}}},
        {"name": "FEATURE_FLAGS",
         "valueFrom": {"configMapKeyRef": {"name": f"{app}-config", "key": "flags"}}},
        {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector.observability:4317"},
        {"name": "GOMAXPROCS", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
        {"name": "HTTP_TIMEOUT", "value": f"{g.rng.randrange(5, 60)}s"},
    ]
    cpu = g.rng.choice((50, 100, 250, 500, 1000))
    mem = g.rng.choice((64, 128, 256, 512, 1024, 2048))
    probe = {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10,
             "timeoutSeconds": 2, "failureThreshold": 3}
    return {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"},
                  {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
        "env": variables[: max(2, min(env, len(variables)))],
        "resources": {"requests": {"cpu": f"{cpu}m", "memory": f"{mem}Mi"},
                      "limits": {"cpu": f"{cpu * 2}m", "memory": f"{mem * 2}Mi"}},
        "livenessProbe": {**probe, "initialDelaySeconds": 10},
        "readinessProbe": {**probe, "httpGet": {"path": "/ready", "port": "http"}},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": True},
                         {"name": "tmp", "mountPath": "/tmp"}],
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}},
    }


def pod_spec(g: Gen, app: str, *, sidecar: bool = False) -> Obj:
    containers = [_container(g, app, app, env=g.rng.randrange(3, 9))]
    if sidecar:
        containers.append({
            "name": "envoy", "image": "docker.io/envoyproxy/envoy:v1.25.4",
            "args": ["-c", "/etc/envoy/envoy.yaml", "--log-level", "warn"],
            "ports": [{"name": "proxy", "containerPort": 15001, "protocol": "TCP"}],
            "resources": {"requests": {"cpu": "50m", "memory": "64Mi"},
                          "limits": {"cpu": "200m", "memory": "128Mi"}},
        })
    spec: Obj = {
        "serviceAccountName": app,
        "securityContext": {"runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": containers,
        "volumes": [{"name": "config", "configMap": {"name": f"{app}-config"}},
                    {"name": "tmp", "emptyDir": {}}],
        "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
            "weight": 100,
            "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                "labelSelector": {"matchLabels": {"app.kubernetes.io/name": app}}},
        }]}},
    }
    if g.chance(0.3):
        spec["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": "apps",
                                "effect": "NoSchedule"}]
    if g.chance(0.2):
        spec["topologySpreadConstraints"] = [{
            "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"app.kubernetes.io/name": app}},
        }]
    return spec


_NOT_MANAGED = frozenset({"apiVersion", "kind", "managedFields", "uid", "creationTimestamp",
                          "resourceVersion"})
_MERGE_KEYS = (("uid",), ("containerPort", "protocol"), ("mountPath",), ("name",), ("type",))
"""Keys that identify the items of a list in fieldsV1 (`k:{"name":"app"}`), in the order the
API server's schemas use them; a list whose items have none of them is atomic."""


_MAP_FIELDS = frozenset({"labels", "annotations", "matchLabels", "nodeSelector", "data",
                         "requests", "limits"})
"""Fields of map type: fieldsV1 marks the map itself (`"."`) besides its keys."""


def fields_v1(obj: Obj, *, depth: int = 4, keyed: bool = False) -> Obj:
    """A fieldsV1 set mirroring the object's keys, as the API server records it in
    managedFields: maps to `depth` levels. With `keyed`, closer to what the server writes
    for real objects: lists whose items have a merge key (`name`, `containerPort`, ...)
    get one `k:{...}` entry per item with that item's fields, and maps and list items
    also mark themselves (`"."`)."""
    out: Obj = {}
    for key, value in obj.items():
        if key in _NOT_MANAGED:
            continue
        if isinstance(value, dict) and depth > 0:
            inner = fields_v1(value, depth=depth - 1, keyed=keyed)
            out[f"f:{key}"] = {".": {}, **inner} if keyed and key in _MAP_FIELDS else inner
        elif keyed and depth > 0 and isinstance(value, list) and value \
                and all(isinstance(item, dict) for item in value):
            merge = next((k for k in _MERGE_KEYS if all(k[0] in item for item in value)), ())
            out[f"f:{key}"] = {
                "k:" + json.dumps({k: item[k] for k in merge if k in item},
                                  separators=(",", ":")):
                    {".": {}, **fields_v1(item, depth=depth - 1, keyed=keyed)}
                for item in value} if merge else {}
        else:
            out[f"f:{key}"] = {}
    return out


def _meta(name: str, ns: str | None, labels: dict[str, str], **extra: Any) -> Obj:
    meta: Obj = {"name": name}
    if ns is not None:
        meta["namespace"] = ns
    meta["labels"] = dict(labels)
    meta.update(extra)
    return meta


def _template_labels(labels: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if k != "helm.sh/chart"}


def _selector(app: str) -> Obj:
    return {"matchLabels": {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": app}}


def deployment(g: Gen, app: str, ns: str, labels: dict[str, str], api: str = "apps/v1") -> Obj:
    replicas = g.rng.choice((1, 2, 2, 3, 3, 4, 6))
    return {
        "apiVersion": api, "kind": "Deployment",
        "metadata": _meta(app, ns, labels),
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "selector": _selector(app),
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": _template_labels(labels),
                             "annotations": {"checksum/config": g.hexid(64),
                                             "prometheus.io/scrape": "true"}},
                "spec": pod_spec(g, app, sidecar=g.chance(0.15)),
            },
        },
    }


def statefulset(g: Gen, app: str, ns: str, labels: dict[str, str]) -> Obj:
    spec = pod_spec(g, app)
    spec["containers"][0]["volumeMounts"].append({"name": "data", "mountPath": "/var/lib/data"})
    return {
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": _meta(app, ns, labels),
        "spec": {
            "replicas": 3, "serviceName": app, "podManagementPolicy": "OrderedReady",
            "selector": _selector(app),
            "template": {"metadata": {"labels": _template_labels(labels)}, "spec": spec},
            "volumeClaimTemplates": [{
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                         "resources": {"requests": {
                             "storage": f"{g.rng.choice((10, 50, 100))}Gi"}}},
            }],
        },
    }


def service(g: Gen, app: str, ns: str, labels: dict[str, str]) -> Obj:
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": _meta(app, ns, labels),
        "spec": {"type": "ClusterIP", "selector": _selector(app)["matchLabels"],
                 "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"},
                           {"name": "metrics", "port": 9090, "targetPort": "metrics",
                            "protocol": "TCP"}]},
    }


def configmap(g: Gen, app: str, ns: str, labels: dict[str, str]) -> Obj:
    lines = [f"{g.word()}.{g.word()}={g.rng.randrange(1000)}"
             for _ in range(g.rng.randrange(4, 12))]
    return {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": _meta(f"{app}-config", ns, labels),
        "data": {"flags": ",".join(sorted({g.word() for _ in range(4)})),
                 "application.properties": "\n".join(lines) + "\n",
                 "LOG_FORMAT": "json"},
    }


def secret(g: Gen, app: str, ns: str, labels: dict[str, str]) -> Obj:
    return {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": _meta(f"{app}-db", ns, labels),
        "data": {"password": base64.b64encode(g.hexid(24).encode()).decode(),
                 "username": base64.b64encode(app.encode()).decode()},
    }


def service_account(g: Gen, app: str, ns: str, labels: dict[str, str]) -> Obj:
    meta = _meta(app, ns, labels)
    if g.chance(0.3):
        meta["annotations"] = {
            "eks.amazonaws.com/role-arn": f"arn:aws:iam::123456789012:role/{ns}-{app}"}
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}


def ingress(g: Gen, app: str, ns: str, labels: dict[str, str], api: str) -> Obj:
    host = f"{app}.{ns}.example.com"
    meta = _meta(app, ns, labels, annotations={
        "cert-manager.io/cluster-issuer": "letsencrypt",
        "nginx.ingress.kubernetes.io/proxy-body-size": "8m"})
    if api == "networking.k8s.io/v1":
        backend: Obj = {"service": {"name": app, "port": {"name": "http"}}}
        path: Obj = {"path": "/", "pathType": "Prefix", "backend": backend}
        spec: Obj = {"ingressClassName": "nginx"}
    else:
        path = {"path": "/", "backend": {"serviceName": app, "servicePort": "http"}}
        spec = {}
        meta["annotations"]["kubernetes.io/ingress.class"] = "nginx"
    spec["tls"] = [{"hosts": [host], "secretName": f"{app}-tls"}]
    spec["rules"] = [{"host": host, "http": {"paths": [path]}}]
    return {"apiVersion": api, "kind": "Ingress", "metadata": meta, "spec": spec}


def hpa(g: Gen, app: str, ns: str, labels: dict[str, str], api: str) -> Obj:
    target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": app}
    if api == "autoscaling/v2beta1":
        metrics: list[Obj] = [{"type": "Resource",
                               "resource": {"name": "cpu", "targetAverageUtilization": 70}}]
    else:
        metrics = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    return {
        "apiVersion": api, "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(app, ns, labels),
        "spec": {"scaleTargetRef": target, "minReplicas": 2,
                 "maxReplicas": g.rng.choice((5, 10, 20)), "metrics": metrics},
    }


def pdb(g: Gen, app: str, ns: str, labels: dict[str, str], api: str) -> Obj:
    spec: Obj = {"selector": _selector(app)}
    if g.chance(0.5):
        spec["maxUnavailable"] = g.rng.choice((1, 1, 1, 0, "25%"))
    else:
        spec["minAvailable"] = g.rng.choice((1, 1, 2, "50%"))
    return {"apiVersion": api, "kind": "PodDisruptionBudget",
            "metadata": _meta(app, ns, labels), "spec": spec}


def pdb_status(spec: Obj, pods: int) -> Obj:
    """The status the disruption controller writes on a budget whose `pods` pods are all
    healthy: a live cluster's budgets always carry one."""
    def scaled(value: int | str) -> int:
        if isinstance(value, str):
            return -(-int(value.rstrip("%")) * pods // 100)  # rounded up, as the controller
        return value

    if "maxUnavailable" in spec:
        desired = max(0, pods - scaled(spec["maxUnavailable"]))
    else:
        desired = scaled(spec["minAvailable"])
    return {"currentHealthy": pods, "desiredHealthy": desired, "expectedPods": pods,
            "disruptionsAllowed": max(0, pods - desired),
            "conditions": [{"type": "DisruptionAllowed",
                            "status": "True" if pods > desired else "False",
                            "reason": "SufficientPods" if pods > desired else "InsufficientPods",
                            "lastTransitionTime": _T0.strftime("%Y-%m-%dT%H:%M:%SZ")}]}


def cronjob(g: Gen, app: str, ns: str, labels: dict[str, str], api: str) -> Obj:
    spec = pod_spec(g, app)
    spec["restartPolicy"] = "OnFailure"
    return {
        "apiVersion": api, "kind": "CronJob",
        "metadata": _meta(f"{app}-nightly", ns, labels),
        "spec": {"schedule": f"{g.rng.randrange(60)} {g.rng.randrange(24)} * * *",
                 "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 3,
                 "jobTemplate": {"spec": {"backoffLimit": 2, "template": {
                     "metadata": {"labels": _template_labels(labels)}, "spec": spec}}}},
    }


def service_monitor(g: Gen, app: str, ns: str, labels: dict[str, str]) -> Obj:
    return {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
        "metadata": _meta(app, ns, labels),
        "spec": {"selector": _selector(app),
                 "endpoints": [{"port": "metrics", "interval": "30s", "path": "/metrics"}]},
    }


def certificate(g: Gen, app: str, ns: str, labels: dict[str, str], api: str) -> Obj:
    return {
        "apiVersion": api, "kind": "Certificate",
        "metadata": _meta(f"{app}-tls", ns, labels),
        "spec": {"secretName": f"{app}-tls", "dnsNames": [f"{app}.{ns}.example.com"],
                 "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"}},
    }


def role(g: Gen, app: str, ns: str, labels: dict[str, str]) -> Obj:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": _meta(app, ns, labels),
        "rules": [{"apiGroups": [""], "resources": ["configmaps", "secrets"],
                   "verbs": ["get", "list", "watch"]},
                  {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                   "verbs": ["get", "create", "update"]}],
    }


def role_binding(g: Gen, app: str, ns: str, labels: dict[str, str]) -> Obj:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": _meta(app, ns, labels),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": app},
        "subjects": [{"kind": "ServiceAccount", "name": app, "namespace": ns}],
    }


def network_policy(g: Gen, app: str, ns: str, labels: dict[str, str]) -> Obj:
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": _meta(app, ns, labels),
        "spec": {"podSelector": _selector(app), "policyTypes": ["Ingress"],
                 "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {
                     "kubernetes.io/metadata.name": "ingress-nginx"}}}],
                     "ports": [{"port": 8080, "protocol": "TCP"}]}]},
    }


def psp(g: Gen, app: str) -> Obj:
    return {
        "apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy",
        "metadata": {"name": app, "annotations": {
            "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default"}},
        "spec": {"privileged": False, "allowPrivilegeEscalation": False,
                 "requiredDropCapabilities": ["ALL"], "volumes": ["configMap", "secret",
                                                              "emptyDir", "projected"],
                 "runAsUser": {"rule": "MustRunAsNonRoot"}, "seLinux": {"rule": "RunAsAny"},
                 "fsGroup": {"rule": "RunAsAny"}, "supplementalGroups": {"rule": "RunAsAny"}},
    }


# ---- the manifest tree ---------------------------------------------------------------------

# (kind, chance of a removed apiVersion, current apiVersion, removed apiVersions)
_REMOVED = {
    "Deployment": ("apps/v1", ("extensions/v1beta1", "apps/v1beta2")),
    "Ingress": ("networking.k8s.io/v1", ("extensions/v1beta1", "networking.k8s.io/v1beta1")),
    "HorizontalPodAutoscaler": ("autoscaling/v2", ("autoscaling/v2beta1", "autoscaling/v2beta2")),
    "PodDisruptionBudget": ("policy/v1", ("policy/v1beta1",)),
    "CronJob": ("batch/v1", ("batch/v1beta1",)),
    "Certificate": ("cert-manager.io/v1", ("cert-manager.io/v1alpha2",)),
}
_REMOVED_SHARE = 0.15  # of the kinds above (~31% of the objects): ~5% removed, PSPs aside


class _ManifestObjects:
    """Objects for manifest files, each with a kind from a realistic mix."""

    _MIX: tuple[tuple[str, int], ...] = (
        ("Deployment", 14), ("Service", 14), ("ConfigMap", 12), ("ServiceAccount", 9),
        ("Secret", 4), ("Ingress", 6), ("HorizontalPodAutoscaler", 5),
        ("PodDisruptionBudget", 5), ("ServiceMonitor", 5), ("Role", 4), ("RoleBinding", 4),
        ("NetworkPolicy", 4), ("CronJob", 3), ("StatefulSet", 3), ("Certificate", 2),
        ("PodSecurityPolicy", 1),
    )

    def __init__(self, g: Gen) -> None:
        self.g = g
        self.kinds = [k for k, _ in self._MIX]
        self.weights = [w for _, w in self._MIX]
        self.removed = 0

    def api(self, kind: str) -> str:
        current, removed = _REMOVED[kind]
        if self.g.chance(_REMOVED_SHARE):
            self.removed += 1
            return self.g.rng.choice(removed)
        return current

    def make(self, app: str, ns: str, team: str, kind: str | None = None,
             helm: str | None = None) -> Obj:
        g = self.g
        kind = kind or g.rng.choices(self.kinds, self.weights)[0]
        labels = _labels(app, team, g.rng.choice(("server", "worker", "frontend")), helm)
        match kind:
            case "Deployment":
                return deployment(g, app, ns, labels, self.api(kind))
            case "StatefulSet":
                return statefulset(g, app, ns, labels)
            case "Service":
                return service(g, app, ns, labels)
            case "ConfigMap":
                return configmap(g, app, ns, labels)
            case "Secret":
                return secret(g, app, ns, labels)
            case "ServiceAccount":
                return service_account(g, app, ns, labels)
            case "Ingress":
                return ingress(g, app, ns, labels, self.api(kind))
            case "HorizontalPodAutoscaler":
                return hpa(g, app, ns, labels, self.api(kind))
            case "PodDisruptionBudget":
                return pdb(g, app, ns, labels, self.api(kind))
            case "CronJob":
                return cronjob(g, app, ns, labels, self.api(kind))
            case "ServiceMonitor":
                return service_monitor(g, app, ns, labels)
            case "Certificate":
                return certificate(g, app, ns, labels, self.api(kind))
            case "Role":
                return role(g, app, ns, labels)
            case "RoleBinding":
                return role_binding(g, app, ns, labels)
            case "NetworkPolicy":
                return network_policy(g, app, ns, labels)
            case "PodSecurityPolicy":
                self.removed += 1
                return psp(g, f"{ns}-{app}")
        raise ValueError(kind)


def _live(g: Gen, obj: Obj) -> Obj:
    """The object as `kubectl get -o yaml/json` shows it: uid, resourceVersion, status."""
    meta = obj["metadata"]
    meta["uid"] = g.uid()
    meta["resourceVersion"] = str(g.rng.randrange(10**6, 10**8))
    meta["creationTimestamp"] = g.time()
    meta["generation"] = g.rng.randrange(1, 40)
    if obj["kind"] in ("Deployment", "StatefulSet"):
        replicas = obj["spec"].get("replicas", 1)
        obj["status"] = {"replicas": replicas, "readyReplicas": replicas,
                         "updatedReplicas": replicas, "observedGeneration": meta["generation"]}
    return obj


# File types: (name, weight, fewest objects, most objects)
_FILE_TYPES = (
    ("single", 46, 1, 1), ("multi", 20, 2, 3), ("helm", 12, 3, 7), ("list", 6, 2, 5),
    ("json", 8, 1, 1), ("json-list", 2, 2, 4), ("other", 6, 0, 0),
)
_ADJUSTABLE = {"multi": (2, 8), "helm": (2, 14), "list": (2, 10), "json-list": (2, 8)}


def _file_plan(g: Gen, n_files: int, n_objects: int) -> list[tuple[str, int]]:
    """(file type, object count) per file, totalling exactly n_objects."""
    names = [t[0] for t in _FILE_TYPES]
    weights = [t[1] for t in _FILE_TYPES]
    bounds = {t[0]: (t[2], t[3]) for t in _FILE_TYPES}
    plan: list[tuple[str, int]] = []
    for _ in range(n_files):
        kind = g.rng.choices(names, weights)[0]
        low, high = bounds[kind]
        plan.append((kind, g.rng.randint(low, high)))
    adjustable = [i for i, (kind, _) in enumerate(plan) if kind in _ADJUSTABLE]
    if not adjustable:
        raise ValueError("too few files to place the objects")
    diff = n_objects - sum(count for _, count in plan)
    guard = 0
    while diff and guard < 100 * n_objects + 1000:
        guard += 1
        i = g.rng.choice(adjustable)
        kind, count = plan[i]
        low, high = _ADJUSTABLE[kind]
        if diff > 0 and count < high:
            plan[i] = (kind, count + 1)
            diff -= 1
        elif diff < 0 and count > low:
            plan[i] = (kind, count - 1)
            diff += 1
    if diff:
        raise ValueError(f"cannot place {n_objects} objects in {n_files} files")
    return plan


def _values_file(g: Gen, app: str) -> str:
    values = {
        "replicaCount": g.rng.randrange(1, 6),
        "image": {"repository": g.rng.choice(_IMAGES), "tag": f"1.{g.rng.randrange(30)}.0",
                  "pullPolicy": "IfNotPresent"},
        "service": {"type": "ClusterIP", "port": 80},
        "ingress": {"enabled": g.chance(0.5), "className": "nginx",
                    "hosts": [{"host": f"{app}.example.com", "paths": ["/"]}]},
        "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}},
        "autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 10},
        "podAnnotations": {"prometheus.io/scrape": "true"},
    }
    return f"# Default values for {app}.\n# This is a YAML-formatted file.\n" + _yaml(values)


def _pipeline_file(g: Gen, app: str) -> str:
    pipeline = {
        "stages": ["lint", "render", "deploy"],
        "variables": {"APP": app, "KUBE_CONTEXT": "prod"},
        "render": {"stage": "render", "image": "alpine/helm:3.11.1",
                   "script": [f"helm template {app} charts/{app} > rendered/{app}.yaml"]},
        "deploy": {"stage": "deploy", "script": ["kubectl apply -f rendered/"],
                   "only": ["main"]},
    }
    return _yaml(pipeline)


def manifest_tree(root: Path, *, seed: int, n_files: int, n_objects: int) -> dict[str, int]:
    """Write `n_files` manifest files holding `n_objects` Kubernetes objects under `root`.

    Returns counts: files, objects, removed (objects in a removed apiVersion), bytes.
    """
    g = Gen(seed)
    maker = _ManifestObjects(g)
    root.mkdir(parents=True, exist_ok=True)
    total_bytes = 0
    for i, (ftype, count) in enumerate(_file_plan(g, n_files, n_objects)):
        team = _TEAMS[i % len(_TEAMS)]
        ns = f"{team.removeprefix('team-')}-{g.rng.choice(('prod', 'staging', 'dev'))}"
        app = f"{g.word()}-{i // 4:05d}"
        folder = f"{team}/app-{i // 40:04d}"
        if ftype == "single":
            obj = maker.make(app, ns, team)
            variant = g.rng.choice(("base", "overlays/prod", "overlays/staging"))
            name = f"apps/{folder}/{variant}/{obj['kind'].lower()}-{i:05d}.yaml"
            header = f"# {app}: {obj['kind']}\n" if g.chance(0.3) else ""
            text = header + _yaml(obj)
        elif ftype == "multi":
            docs = [maker.make(app, ns, team, kind) for kind in
                    ("Deployment", "Service", "ConfigMap", *[None] * (count - 3))[:count]]
            name = f"apps/{folder}/{app}-{i:05d}.yaml"
            text = "---\n" + "---\n".join(_yaml(d) for d in docs)
        elif ftype == "helm":
            chart = f"{app.split('-')[0]}-chart"
            helm = f"{chart}-1.{g.rng.randrange(20)}.0"
            order = ["ServiceAccount", "ConfigMap", "Service", "Deployment",
                     "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress"]
            kinds = [order[k] if k < len(order) else None for k in range(count)]
            parts = []
            for kind in kinds:
                obj = maker.make(app, ns, team, kind, helm)
                template = obj["kind"].lower()
                parts.append(f"---\n# Source: {chart}/templates/{template}.yaml\n{_yaml(obj)}")
            name = f"rendered/{team}/{app}-{i:05d}.yaml"
            text = "".join(parts)
        elif ftype in ("list", "json-list"):
            items = [_live(g, maker.make(f"{app}-{k}", ns, team)) for k in range(count)]
            doc = {"apiVersion": "v1", "items": items, "kind": "List",
                   "metadata": {"resourceVersion": ""}}
            if ftype == "list":
                name = f"exports/{team}/{ns}-{i:05d}.yaml"
                text = _yaml(doc, sort_keys=True)
            else:
                name = f"exports/{team}/{ns}-{i:05d}.json"
                text = json.dumps(doc, indent=4) + "\n"
        elif ftype == "json":
            obj = _live(g, maker.make(app, ns, team))
            name = f"exports/{team}/{obj['kind'].lower()}-{app}-{i:05d}.json"
            text = json.dumps(obj, indent=4) + "\n"
        else:
            if g.chance(0.6):
                name = f"apps/{folder}/values-{i:05d}.yaml"
                text = _values_file(g, app)
            else:
                name = f"ci/{team}/{app}-{i:05d}.yml"
                text = _pipeline_file(g, app)
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        path.write_bytes(data)
        total_bytes += len(data)
    return {"files": n_files, "objects": n_objects, "removed": maker.removed,
            "bytes": total_bytes}


# ---- the snapshot --------------------------------------------------------------------------

_SERVER_VERSION = "v1.23.17-eks-a59e1f0"
_KUBELETS = (("v1.23.17-eks-a59e1f0", 80), ("v1.22.17-eks-48e63af", 14),
             ("v1.21.14-eks-48e63af", 6))
_POOLS = (("general", 55), ("memory", 20), ("spot", 17), ("gpu", 5), ("system", 3))
_SERVED_APIS = (
    "v1", "apiregistration.k8s.io/v1", "apps/v1", "events.k8s.io/v1", "events.k8s.io/v1beta1",
    "authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v2",
    "autoscaling/v1", "autoscaling/v2beta1", "autoscaling/v2beta2", "batch/v1",
    "batch/v1beta1", "certificates.k8s.io/v1", "networking.k8s.io/v1", "policy/v1",
    "policy/v1beta1", "rbac.authorization.k8s.io/v1", "storage.k8s.io/v1",
    "storage.k8s.io/v1beta1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1",
    "scheduling.k8s.io/v1", "coordination.k8s.io/v1", "node.k8s.io/v1", "node.k8s.io/v1beta1",
    "discovery.k8s.io/v1", "discovery.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta1", "monitoring.coreos.com/v1",
    "cert-manager.io/v1", "acme.cert-manager.io/v1", "vpcresources.k8s.aws/v1beta1",
    "crd.k8s.amazonaws.com/v1alpha1", "argoproj.io/v1alpha1", "external-secrets.io/v1beta1",
)


def _mf(manager: str, api: str, time: str, operation: str = "Update",
        subresource: str | None = None) -> Obj:
    """Evidence of one managedFields entry, as the collector records it."""
    detail = f"operation {operation}"
    if subresource:
        detail += f", subresource {subresource}"
    return {"source": "managed-fields", "location": f"manager {manager}", "api_version": api,
            "detail": detail, "time": time}


def _last_applied(api: str) -> Obj:
    return {"source": "last-applied",
            "location": "kubectl.kubernetes.io/last-applied-configuration", "api_version": api}


def _entry(body: Obj, evidence: list[Obj]) -> Obj:
    meta = body["metadata"]
    return {"apiVersion": body["apiVersion"], "kind": body["kind"],
            "namespace": meta.get("namespace"), "name": meta["name"],
            "evidence": evidence, "body": body}


class ClusterBuilder:
    """Builds the snapshot document of one synthetic cluster.

    `add` receives every object with its evidence; a subclass may send them elsewhere
    (benchmarks/envelope.py writes them as the API server serves them)."""

    replica_sets: tuple[int, ...] = (1, 2, 3, 3, 4)
    """How many ReplicaSets a Deployment keeps (the current one first), drawn from."""
    service_share = 1.0
    """The share of applications with a Service (and its EndpointSlice)."""

    def __init__(self, seed: int, n_objects: int, n_nodes: int, n_releases: int) -> None:
        self.g = Gen(seed)
        self.n_objects = n_objects
        self.n_nodes = n_nodes
        self.n_releases = n_releases
        self.objects: list[Obj] = []
        self.nodes: list[Obj] = []
        self.node_names: list[str] = []
        self.releases: list[Obj] = []
        self.removed = 0

    # -- helpers

    def add(self, body: Obj, evidence: list[Obj]) -> None:
        self.objects.append(_entry(body, evidence))

    def stamp(self, body: Obj, owner: Obj | None = None) -> Obj:
        """Live metadata: uid, creationTimestamp, ownerReferences."""
        g = self.g
        meta = body["metadata"]
        meta["uid"] = g.uid()
        meta["creationTimestamp"] = g.time()
        if owner is not None:
            meta["ownerReferences"] = [{
                "apiVersion": owner["apiVersion"], "kind": owner["kind"],
                "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
                "controller": True, "blockOwnerDeletion": True,
            }]
        return body

    def authored(self, body: Obj, writer: str, removed: tuple[str, ...] = ()) -> list[Obj]:
        """Evidence of an object someone applied: helm, kubectl, Argo CD or a pipeline.

        With `removed`, it was last written through one of those (removed) versions."""
        g = self.g
        api = body["apiVersion"]
        written = api
        if removed and g.chance(0.12):
            written = g.rng.choice(removed)
            self.removed += 1
        when = g.time()
        out: list[Obj] = []
        if writer == "kubectl":
            out.append(_last_applied(written))
            out.append(_mf("kubectl-client-side-apply", written, when))
        elif writer == "helm":
            out.append(_mf("helm", written, when))
        elif writer == "argocd":
            out.append(_mf("argocd-controller", written, when, "Apply"))
        else:
            out.append(_mf("deploy-pipeline", written, when, "Apply"))
        if body["kind"] in ("Deployment", "StatefulSet", "HorizontalPodAutoscaler",
                            "PodDisruptionBudget", "CronJob", "Ingress"):
            out.append(_mf("kube-controller-manager", api, g.time(), "Update", "status"))
        return out

    # -- nodes and DaemonSets

    def make_nodes(self) -> None:
        g = self.g
        kubelets = [k for k, _ in _KUBELETS]
        kubelet_w = [w for _, w in _KUBELETS]
        pools = [p for p, _ in _POOLS]
        pool_w = [w for _, w in _POOLS]
        for i in range(self.n_nodes):
            pool = g.rng.choices(pools, pool_w)[0]
            kubelet = g.rng.choices(kubelets, kubelet_w)[0]
            name = f"ip-10-{i // 65536 % 256}-{i // 256 % 256}-{i % 256}.ec2.internal"
            docker = g.chance(0.04)
            bottlerocket = pool == "system"
            self.node_names.append(name)
            self.nodes.append({
                "name": name,
                "kubelet_version": kubelet,
                "kube_proxy_version": kubelet,
                "container_runtime": "docker://20.10.23" if docker else "containerd://1.6.19",
                "os_image": "Bottlerocket OS 1.13.1 (aws-k8s-1.23)" if bottlerocket
                else "Amazon Linux 2",
                "kernel_version": "5.10.178-162.673.amzn2.x86_64",
                "architecture": "arm64" if pool == "memory" else "amd64",
                "ready": not g.chance(0.005),
                "pool": pool,
                "labels": {"eks.amazonaws.com/nodegroup": pool,
                           "node.kubernetes.io/instance-type": g.rng.choice(
                               ("m5.xlarge", "m6g.2xlarge", "r5.2xlarge", "c5.4xlarge")),
                           "topology.kubernetes.io/zone": g.rng.choice(
                               ("eu-west-1a", "eu-west-1b", "eu-west-1c"))},
            })

    def daemonsets(self) -> None:
        ecr = "602401143452.dkr.ecr.eu-west-1.amazonaws.com"
        specs = (
            ("kube-system", "aws-node", f"{ecr}/amazon-k8s-cni:v1.12.6"),
            ("kube-system", "kube-proxy", f"{ecr}/eks/kube-proxy:v1.23.17-minimal-eksbuild.2"),
            ("kube-system", "ebs-csi-node",
             "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.19.0"),
            ("monitoring", "node-exporter", "quay.io/prometheus/node-exporter:v1.5.0"),
            ("logging", "fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:2.1.2"),
        )
        g = self.g
        for ns, name, image in specs:
            labels = _labels(name, "platform", "agent", None)
            spec = pod_spec(g, name)
            spec["containers"][0]["image"] = image
            spec["hostNetwork"] = name in ("aws-node", "kube-proxy")
            spec["tolerations"] = [{"operator": "Exists"}]
            spec["priorityClassName"] = "system-node-critical"
            spec["volumes"].append({"name": "varlog", "hostPath": {"path": "/var/log"}})
            if name == "kube-proxy":
                spec["containers"][0]["command"] = [
                    "kube-proxy", "--v=2", "--config=/var/lib/kube-proxy-config/config",
                    "--hostname-override=$(NODE_NAME)"]
            ds = self.stamp({
                "apiVersion": "apps/v1", "kind": "DaemonSet",
                "metadata": _meta(name, ns, labels),
                "spec": {"selector": _selector(name),
                         "updateStrategy": {"type": "RollingUpdate",
                                            "rollingUpdate": {"maxUnavailable": "10%"}},
                         "template": {"metadata": {"labels": labels}, "spec": spec}},
                "status": {"desiredNumberScheduled": self.n_nodes,
                           "numberReady": self.n_nodes, "numberAvailable": self.n_nodes},
            })
            self.add(ds, self.authored(ds, "helm"))
            self.revisions(ds)
            for node in self.node_names:
                self.pod(ds, spec, labels, node, f"{name}-{g.suffix()}")

    def revisions(self, owner: Obj) -> None:
        """The ControllerRevisions a DaemonSet or StatefulSet keeps of its template."""
        g = self.g
        meta = owner["metadata"]
        for k in range(2):
            rev = self.stamp({
                "apiVersion": "apps/v1", "kind": "ControllerRevision",
                "metadata": _meta(f"{meta['name']}-{g.suffix(10)}", meta["namespace"],
                                  meta["labels"]),
                "revision": 7 + k,
            }, owner)
            self.add(rev, [_mf("kube-controller-manager", "apps/v1", g.time())])

    def node_leases(self) -> None:
        """kube-node-lease holds one Lease per node (heartbeats)."""
        g = self.g
        for node in self.node_names:
            lease = self.stamp({
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": _meta(node, "kube-node-lease", {}),
                "spec": {"holderIdentity": node, "leaseDurationSeconds": 40,
                         "renewTime": "2024-05-02T08:59:51.123456Z"},
            })
            lease["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node",
                                                     "name": node, "uid": g.uid()}]
            self.add(lease, [_mf("kubelet", "coordination.k8s.io/v1", g.time())])

    def kube_system_configmaps(self) -> None:
        """kube-system ConfigMaps: the collector keeps kube-proxy's and CoreDNS's data."""
        data = {
            "kube-proxy": {"config": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\n"
                           "kind: KubeProxyConfiguration\nmode: iptables\n"
                           "clientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig\n"},
            "coredns": {"Corefile": ".:53 {\n    errors\n    health\n    kubernetes "
                        "cluster.local in-addr.arpa ip6.arpa {\n      pods insecure\n"
                        "      fallthrough in-addr.arpa ip6.arpa\n    }\n    prometheus :9153\n"
                        "    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n"
                        "    loadbalance\n}\n"},
        }
        for name in ("kube-proxy", "coredns", "aws-auth", "kube-root-ca.crt",
                     "extension-apiserver-authentication", "amazon-vpc-cni", "cluster-info"):
            body = self.stamp({"apiVersion": "v1", "kind": "ConfigMap",
                               "metadata": _meta(name, "kube-system", {})})
            if name in data:
                body["data"] = data[name]
            else:
                body["dataKeys"] = sorted(("mapRoles", "mapUsers", "ca.crt")[: 1 + len(name) % 3])
            self.add(body, self.authored(body, "kubectl"))

    # -- workloads

    def pod(self, owner: Obj, spec: Obj, labels: dict[str, str], node: str, name: str,
            hash_label: str | None = None) -> None:
        g = self.g
        ns = owner["metadata"]["namespace"]
        pod_labels = dict(labels)
        if hash_label:
            pod_labels["pod-template-hash"] = hash_label
        started = g.time()
        statuses = []
        for c in spec["containers"]:
            status: Obj = {
                "name": c["name"], "ready": True, "started": True, "restartCount": 0,
                "image": c["image"], "imageID": f"{c['image'].split(':')[0]}@sha256:{g.hexid(64)}",
                "containerID": f"containerd://{g.hexid(64)}",
                "state": {"running": {"startedAt": started}}, "lastState": {},
            }
            roll = g.rng.random()
            if roll < 0.01:
                status.update(ready=False, restartCount=g.rng.randrange(5, 400), state={
                    "waiting": {"reason": "CrashLoopBackOff",
                                "message": "back-off 5m0s restarting failed container"}})
            elif roll < 0.02:
                status["restartCount"] = g.rng.randrange(1, 20)
                status["lastState"] = {"terminated": {"reason": "OOMKilled", "exitCode": 137,
                                                      "startedAt": started,
                                                      "finishedAt": started}}
            statuses.append(status)
        body = self.stamp({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": _meta(name, ns, pod_labels,
                              generateName=name[: name.rfind("-") + 1],
                              annotations={"kubernetes.io/psp": "eks.privileged"}),
            "spec": {
                **spec, "nodeName": node, "schedulerName": "default-scheduler",
                "restartPolicy": spec.get("restartPolicy", "Always"), "dnsPolicy": "ClusterFirst",
                "terminationGracePeriodSeconds": 30, "enableServiceLinks": True,
                "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
            },
            "status": {
                "phase": "Running", "qosClass": "Burstable", "startTime": started,
                "hostIP": f"10.0.{g.rng.randrange(256)}.{g.rng.randrange(256)}",
                "podIP": f"10.1.{g.rng.randrange(256)}.{g.rng.randrange(256)}",
                "conditions": [{"type": t, "status": "True", "lastProbeTime": None,
                                "lastTransitionTime": started}
                               for t in ("Initialized", "Ready", "ContainersReady",
                                         "PodScheduled")],
                "containerStatuses": statuses,
            },
        }, owner)
        self.add(body, [_mf("kube-controller-manager", "v1", started),
                        _mf("kubelet", "v1", started, "Update", "status")])

    def app(self, ns: str, team: str, index: int, release: Obj | None) -> None:
        """One application: a Deployment (or StatefulSet, or CronJob) and its companions."""
        g = self.g
        name = f"{g.word()}-{index:05d}"
        chart = f"{name.split('-')[0]}-{g.rng.randrange(1, 5)}.{g.rng.randrange(20)}.0"
        labels = _labels(name, team, "server", chart if release else None)
        writer = "helm" if release else g.rng.choice(("kubectl", "kubectl", "argocd", "ci"))
        refs: list[Obj] = []

        def emit(body: Obj, removed: tuple[str, ...] = (), owner: Obj | None = None) -> Obj:
            self.stamp(body, owner)
            if release is not None:
                body["metadata"].setdefault("annotations", {}).update({
                    "meta.helm.sh/release-name": release["name"],
                    "meta.helm.sh/release-namespace": ns})
                release.setdefault("bodies", []).append(body)  # its manifest, as rendered
            evidence = self.authored(body, writer, removed)
            self.add(body, evidence)
            refs.append({"apiVersion": evidence[0]["api_version"], "kind": body["kind"],
                         "namespace": ns, "name": body["metadata"]["name"]})
            return body

        roll = g.rng.random()
        if roll < 0.08:
            sts = emit(statefulset(g, name, ns, labels))
            sts["status"] = {"replicas": 3, "readyReplicas": 3, "currentReplicas": 3}
            self.revisions(sts)
            for k in range(3):
                pvc = self.stamp({
                    "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": _meta(f"data-{name}-{k}", ns, labels),
                    "spec": sts["spec"]["volumeClaimTemplates"][0]["spec"],
                    "status": {"phase": "Bound", "capacity": {"storage": "50Gi"}},
                })
                self.add(pvc, [_mf("kube-controller-manager", "v1", g.time())])
                self.pod(sts, sts["spec"]["template"]["spec"], labels,
                         g.rng.choice(self.node_names), f"{name}-{k}")
        elif roll < 0.13:
            cj = emit(cronjob(g, name, ns, labels, "batch/v1"), ("batch/v1beta1",))
            job_spec = cj["spec"]["jobTemplate"]["spec"]
            for k in range(3):
                job = self.stamp({
                    "apiVersion": "batch/v1", "kind": "Job",
                    "metadata": _meta(f"{cj['metadata']['name']}-{2790000 + k}", ns, labels),
                    "spec": job_spec,
                    "status": {"succeeded": 1, "startTime": g.time(), "completionTime": g.time(),
                               "conditions": [{"type": "Complete", "status": "True"}]},
                }, cj)
                self.add(job, [_mf("kube-controller-manager", "batch/v1", g.time())])
                if k == 2:
                    self.pod(job, job_spec["template"]["spec"], labels,
                             g.rng.choice(self.node_names),
                             f"{job['metadata']['name']}-{g.suffix()}")
        else:
            dep = emit(self.shape(deployment(g, name, ns, labels)),
                       ("extensions/v1beta1", "apps/v1beta2"))
            replicas = dep["spec"]["replicas"]
            dep["status"] = {"replicas": replicas, "readyReplicas": replicas,
                             "availableReplicas": replicas, "updatedReplicas": replicas}
            for k in range(g.rng.choice(self.replica_sets)):
                current = k == 0
                rs_hash = g.suffix(10)
                rs = self.stamp({
                    "apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": _meta(f"{name}-{rs_hash}", ns,
                                      {**labels, "pod-template-hash": rs_hash},
                                      annotations={
                                          "deployment.kubernetes.io/revision": str(9 - k)}),
                    "spec": {"replicas": replicas if current else 0,
                             "selector": dep["spec"]["selector"],
                             "template": dep["spec"]["template"]},
                    "status": {"replicas": replicas if current else 0,
                               "readyReplicas": replicas if current else 0},
                }, dep)
                self.add(rs, [_mf("kube-controller-manager", "apps/v1", g.time()),
                              _mf("kube-controller-manager", "apps/v1", g.time(), "Update",
                                  "status")])
                if current:
                    for _ in range(replicas):
                        self.pod(rs, dep["spec"]["template"]["spec"], labels,
                                 g.rng.choice(self.node_names),
                                 f"{rs['metadata']['name']}-{g.suffix()}", rs_hash)
            if g.chance(0.5):
                budget = emit(pdb(g, name, ns, labels, "policy/v1"), ("policy/v1beta1",))
                budget["status"] = pdb_status(budget["spec"], replicas)
            if g.chance(0.4):
                emit(hpa(g, name, ns, labels, "autoscaling/v2"),
                     ("autoscaling/v2beta1", "autoscaling/v2beta2"))
        if self.service_share >= 1.0 or g.chance(self.service_share):
            svc = emit(service(g, name, ns, labels))
            svc["spec"]["clusterIP"] = f"172.20.{g.rng.randrange(256)}.{g.rng.randrange(256)}"
            slice_ = self.stamp({
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": _meta(f"{name}-{g.suffix()}", ns,
                                  {"kubernetes.io/service-name": name,
                                   "endpointslice.kubernetes.io/managed-by":
                                       "endpointslice-controller.k8s.io"}),
                "addressType": "IPv4",
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
                "endpoints": [{"addresses": [f"10.1.{g.rng.randrange(256)}."
                                             f"{g.rng.randrange(256)}"],
                               "conditions": {"ready": True},
                               "nodeName": g.rng.choice(self.node_names)}
                              for _ in range(2)],
            }, svc)
            self.add(slice_, [_mf("kube-controller-manager", "discovery.k8s.io/v1", g.time())])
        # ServiceAccounts, ConfigMaps and Secrets are not listed by the collector.
        self.companions(name, ns, labels, emit)
        if g.chance(0.3):
            emit(ingress(g, name, ns, labels, "networking.k8s.io/v1"),
                 ("extensions/v1beta1", "networking.k8s.io/v1beta1"))
            if g.chance(0.5):
                emit(certificate(g, name, ns, labels, "cert-manager.io/v1"))
        if g.chance(0.3):
            emit(service_monitor(g, name, ns, labels))
        if g.chance(0.2):
            emit(role(g, name, ns, labels))
            emit(role_binding(g, name, ns, labels))
        if release is not None:
            release["objects"] = refs

    def shape(self, deployment: Obj) -> Obj:
        """A Deployment as `deployment()` made it, before it is added (a subclass may
        change its replicas or its pod template)."""
        return deployment

    def companions(self, app: str, ns: str, labels: dict[str, str],
                   emit: Callable[[Obj], Obj]) -> None:
        """Objects an application has that the collector does not list (none here)."""

    # -- cluster-scoped objects

    def cluster_scoped(self) -> None:
        g = self.g
        plat = _labels("platform", "platform", "cluster", None)
        for i in range(max(3, self.n_objects // 700)):
            cr = self.stamp({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                             "metadata": _meta(f"{g.word()}-reader-{i}", None, plat),
                             "rules": [{"apiGroups": ["", "apps"],
                                        "resources": ["pods", "deployments", "services"],
                                        "verbs": ["get", "list", "watch"]}]})
            self.add(cr, self.authored(cr, "kubectl"))
            crb = self.stamp({"apiVersion": "rbac.authorization.k8s.io/v1",
                              "kind": "ClusterRoleBinding",
                              "metadata": _meta(cr["metadata"]["name"], None, plat),
                              "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                          "kind": "ClusterRole", "name": cr["metadata"]["name"]},
                              "subjects": [{"kind": "Group", "name": f"team:{g.word()}"}]})
            self.add(crb, self.authored(crb, "kubectl"))
        for i in range(max(2, self.n_objects // 2000)):
            props = {f"{g.word()}{k}": {"type": g.rng.choice(("string", "integer", "boolean")),
                                        "description": f"The {g.word()} of the {g.word()}."}
                     for k in range(40)}
            crd = self.stamp({
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": _meta(f"things{i}.example.com", None, plat),
                "spec": {"group": "example.com", "scope": "Namespaced",
                         "names": {"kind": f"Thing{i}", "plural": f"things{i}"},
                         "versions": [{"name": v, "served": True, "storage": v == "v1",
                                       "schema": {"openAPIV3Schema": {"type": "object",
                                                  "properties": {"spec": {
                                                      "type": "object", "properties": props}}}}}
                                      for v in ("v1", "v1beta1")]},
                "status": {"storedVersions": ["v1beta1", "v1"] if i % 3 == 0 else ["v1"]},
            })
            self.add(crd, self.authored(crd, "helm"))
        for name in ("gp2", "gp3", "efs"):
            sc = self.stamp({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                             "metadata": _meta(name, None, plat),
                             "provisioner": "kubernetes.io/aws-ebs" if name == "gp2"
                             else "ebs.csi.aws.com", "reclaimPolicy": "Delete",
                             "volumeBindingMode": "WaitForFirstConsumer"})
            self.add(sc, self.authored(sc, "kubectl"))
        for i in range(3):
            p = self.stamp(psp(g, f"restricted-{i}"))
            self.add(p, self.authored(p, "kubectl"))
        for kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
            for i in range(6):
                hook = self.stamp({
                    "apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
                    "metadata": _meta(f"{g.word()}-webhook-{i}", None, plat),
                    "webhooks": [{
                        "name": f"{g.word()}.{i}.example.com", "admissionReviewVersions": ["v1"],
                        "sideEffects": "None", "failurePolicy": g.rng.choice(("Fail", "Ignore")),
                        "timeoutSeconds": g.rng.choice((5, 10, 30)),
                        "clientConfig": {"service": {"name": f"webhook-{i}",
                                                     "namespace": "platform", "port": 443}},
                        "rules": [{"apiGroups": [""], "apiVersions": ["v1"],
                                   "operations": ["CREATE", "UPDATE"], "resources": ["pods"],
                                   "scope": "*"}],
                    }]})
                self.add(hook, self.authored(hook, "helm"))
        for i in range(20):
            svc = self.stamp({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                              "metadata": _meta(f"v1.group{i}.example.com", None, plat),
                              "spec": {"group": f"group{i}.example.com", "version": "v1",
                                       "groupPriorityMinimum": 1000, "versionPriority": 15},
                              "status": {"conditions": [{"type": "Available",
                                                         "status": "True"}]}})
            self.add(svc, [_mf("kube-apiserver", "apiregistration.k8s.io/v1", g.time())])

    # -- the whole snapshot

    def infrastructure(self) -> list[str]:
        """Nodes, namespaces, kube-system, node leases, DaemonSets and the cluster-scoped
        objects; returns the namespaces the applications go into."""
        g = self.g
        self.make_nodes()
        n_ns = max(4, self.n_objects // 330)
        namespaces = [f"{_TEAMS[i % len(_TEAMS)].removeprefix('team-')}-{i:03d}"
                      for i in range(n_ns)]
        for ns in ("kube-system", "kube-node-lease", "monitoring", "logging", *namespaces):
            body = self.stamp({"apiVersion": "v1", "kind": "Namespace",
                               "metadata": _meta(ns, None, {"kubernetes.io/metadata.name": ns}),
                               "spec": {"finalizers": ["kubernetes"]},
                               "status": {"phase": "Active"}})
            self.add(body, [_mf("kubectl-create", "v1", g.time())])
        self.kube_system_configmaps()
        self.node_leases()
        self.daemonsets()
        self.cluster_scoped()
        return namespaces

    def planned_apps(self) -> int:
        """How many applications are to come (to spread the Helm releases over them)."""
        per_app = 11.0
        return max(1, int((self.n_objects - len(self.objects)) / per_app))

    def more_apps(self, index: int) -> bool:
        """Whether to make application number `index`: until there are n_objects objects."""
        return len(self.objects) < self.n_objects

    def applications(self, namespaces: list[str]) -> None:
        """Applications, round the namespaces; every so often one installed by Helm."""
        # Helm-managed apps: spread n_releases over the apps to come, evenly.
        helm_every = max(1.0, self.planned_apps() / max(1, self.n_releases))
        index = 0
        next_helm = 0.0
        made_releases = 0
        while self.more_apps(index):
            ns = namespaces[index % len(namespaces)]
            release = None
            if made_releases < self.n_releases and index >= next_helm:
                next_helm += helm_every
                made_releases += 1
                release = {"name": f"rel-{index:05d}", "namespace": ns}
            self.app(ns, _TEAMS[index % len(_TEAMS)], index, release)
            if release is not None:
                self.release_revisions(release)
            index += 1

    def document(self) -> Obj:
        self.applications(self.infrastructure())
        del self.objects[self.n_objects:]
        return {
            "schema": "upgradecheck.snapshot/v1",
            "tool_version": "0.1.0",
            "source": "cluster",
            "collected_at": "2024-05-02T09:00:00Z",
            "cluster": {"server_version": _SERVER_VERSION, "platform": "eks",
                        "context": "arn:aws:eks:eu-west-1:123456789012:cluster/prod"},
            "nodes": self.nodes,
            "clients": [{"name": "kubectl", "path": "/usr/local/bin/kubectl",
                         "version": "v1.23.6", "error": None},
                        {"name": "helm", "path": "/usr/local/bin/helm",
                         "version": "v3.8.2", "error": None}],
            "objects": self.objects,
            "helm_releases": self.releases,
            "api_requests": [
                {"group": "policy", "version": "v1beta1", "resource": "poddisruptionbudgets",
                 "subresource": "", "removed_release": "1.25"},
                {"group": "batch", "version": "v1beta1", "resource": "cronjobs",
                 "subresource": "", "removed_release": "1.25"},
                {"group": "flowcontrol.apiserver.k8s.io", "version": "v1beta1",
                 "resource": "flowschemas", "subresource": "", "removed_release": "1.26"},
            ],
            "served_apis": list(_SERVED_APIS),
            "coverage": [],
            "stats": {"resources": 52, "objects": len(self.objects), "nodes": len(self.nodes),
                      "helm_releases": len(self.releases), "requests": 0},
        }

    def release_revisions(self, release: Obj) -> None:
        """1-6 revisions; older ones (and some deployed ones) hold removed APIs."""
        g = self.g
        revisions = g.rng.choice((1, 2, 3, 3, 4, 6))
        chart = release["objects"][0]["name"].split("-")[0] if release["objects"] else "app"
        legacy = {"PodDisruptionBudget": "policy/v1beta1", "Ingress": "extensions/v1beta1",
                  "CronJob": "batch/v1beta1", "HorizontalPodAutoscaler": "autoscaling/v2beta1",
                  "Deployment": "extensions/v1beta1"}
        for rev in range(1, revisions + 1):
            deployed = rev == revisions
            old = g.chance(0.15 if deployed else 0.5)
            objects = [{**ref, "apiVersion": legacy.get(ref["kind"], ref["apiVersion"])}
                       if old else dict(ref) for ref in release["objects"]]
            if old and deployed:
                self.removed += 1
            self.releases.append({
                "name": release["name"], "namespace": release["namespace"], "revision": rev,
                "status": "deployed" if deployed else "superseded", "chart": chart,
                "chart_version": f"{rev}.{g.rng.randrange(10)}.0", "app_version": "2.3.4",
                "kube_version": ">=1.19.0-0" if g.chance(0.3) else None,
                "last_deployed": g.time(), "storage": "secret", "objects": objects,
            })



def snapshot_document(seed: int, n_objects: int, n_nodes: int, n_releases: int) -> Obj:
    """The JSON document of a synthetic cluster snapshot with exactly `n_objects` objects."""
    return ClusterBuilder(seed, n_objects, n_nodes, n_releases).document()


def write_snapshot_file(path: Path, *, seed: int, n_objects: int, n_nodes: int,
                        n_releases: int) -> dict[str, int]:
    """Write the snapshot (gzip when the name ends in .gz, as `collect -o` does).

    Returns counts: objects, nodes, releases (revisions), json_bytes, file_bytes."""
    doc = snapshot_document(seed, n_objects, n_nodes, n_releases)
    data = json.dumps(doc, separators=(",", ":")).encode()
    raw_size = len(data)
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"objects": len(doc["objects"]), "nodes": len(doc["nodes"]),
            "releases": len({(r["namespace"], r["name"]) for r in doc["helm_releases"]}),
            "revisions": len(doc["helm_releases"]), "json_bytes": raw_size,
            "file_bytes": len(data)}


def digest(path: Path) -> str:
    """A short content digest of a file or of every file under a folder (determinism)."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for p in files:
        h.update(str(p.relative_to(path) if path.is_dir() else p.name).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    m = sub.add_parser("manifests", help="a manifest tree for `upgradecheck scan`")
    m.add_argument("out", type=Path)
    m.add_argument("--files", type=int, default=20_000)
    m.add_argument("--objects", type=int, default=40_000)
    m.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("snapshot", help="a snapshot file for `upgradecheck assess`")
    s.add_argument("out", type=Path)
    s.add_argument("--objects", type=int, default=100_000)
    s.add_argument("--nodes", type=int, default=2_000)
    s.add_argument("--releases", type=int, default=500)
    s.add_argument("--seed", type=int, default=1)
    e = sub.add_parser("envelope", help="the envelope cluster for the fake API server "
                       "(benchmarks/envelope.py)")
    e.add_argument("out", type=Path)
    e.add_argument("--scale", type=float, default=1.0)
    e.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    make: Callable[[], dict[str, Any]]
    if args.what == "envelope":
        import envelope  # it builds on this module

        def make() -> dict[str, Any]:
            return envelope.write_envelope(args.out, seed=args.seed, scale=args.scale)
    elif args.what == "manifests":
        if args.out.exists() and any(args.out.iterdir()):
            parser.error(f"{args.out} is not empty")

        def make() -> dict[str, int]:
            return manifest_tree(args.out, seed=args.seed, n_files=args.files,
                                 n_objects=args.objects)
    else:
        def make() -> dict[str, int]:
            return write_snapshot_file(args.out, seed=args.seed, n_objects=args.objects,
                                       n_nodes=args.nodes, n_releases=args.releases)
    print(json.dumps(make()), file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
