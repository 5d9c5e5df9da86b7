"""A generator of hostile object shapes: real kinds' bodies with wrong-typed values at any
level (strings where maps are, lists where strings are, huge integers, nulls, nested junk),
custom resources wearing real kinds' names, and nodes, clients and Helm releases with versions
that are no Kubernetes version. Plain Python seeded by the property tests (Hypothesis draws
the seed): thousands of manifests cost milliseconds, where drawing each value through
Hypothesis would cost seconds."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

# Strings the checks compare against or parse: versions, percentages, states, dates.
WORDS = [
    "5.24.0",
    "v1.29.4",
    "v1.23.17-eks-0a21954",
    "0.5.1",
    "v2.0.0",
    "1." + "9" * 30,
    "v1." + "9" * 5000,
    "9" * 30 + ".1",
    "latest",
    "v1",
    "1.x",
    ">=1.19.0-0 <1.26.0-0",
    "^1." + "9" * 30,
    "*",
    "*/*",
    "100%",
    "0%",
    "nan%",
    "1e999%",
    "-5%",
    "2026-01-01T00:00:00",
    "2026-01-01T00:00:00Z",
    "2026-13-45",
    "CrashLoopBackOff",
    "OOMKilled",
    "Fail",
    "Ignore",
    "Pending",
    "Bound",
    "True",
    "False",
    "Ready",
    "Available",
    "Failed",
    "kube-system",
    "kube-proxy",
    "kube-apiserver",
    "Deployment",
    "ReplicaSet",
    "Node",
    "containerd://1.6.8",
    "docker://20.10.7",
    "kubernetes.io/aws-ebs",
    "In",
    "NotIn",
    "Exists",
    "",
    " ",
    "\x1b[31mred",
]
# Keys of the fields the checks read, so that generated junk lands where it is looked for.
KEYS = [
    "metadata",
    "spec",
    "status",
    "template",
    "jobTemplate",
    "containers",
    "initContainers",
    "name",
    "namespace",
    "image",
    "labels",
    "annotations",
    "ownerReferences",
    "kind",
    "controller",
    "replicas",
    "selector",
    "matchLabels",
    "matchExpressions",
    "key",
    "operator",
    "values",
    "volumes",
    "emptyDir",
    "webhooks",
    "rules",
    "resources",
    "clientConfig",
    "service",
    "caBundle",
    "failurePolicy",
    "timeoutSeconds",
    "namespaceSelector",
    "versions",
    "storedVersions",
    "served",
    "storage",
    "deprecated",
    "group",
    "conditions",
    "type",
    "reason",
    "addresses",
    "endpoints",
    "subsets",
    "addressType",
    "containerStatuses",
    "restartCount",
    "state",
    "lastState",
    "waiting",
    "terminated",
    "phase",
    "data",
    "provisioner",
    "command",
    "args",
    "minAvailable",
    "maxUnavailable",
    "expectedPods",
    "disruptionsAllowed",
    "uid",
]


def _pod_spec(image: str) -> dict[str, Any]:
    return {
        "initContainers": [{"name": "init", "image": "busybox"}],
        "containers": [
            {
                "name": "app",
                "image": image,
                "command": ["app", "--proxy-mode=userspace"],
                "ports": [{"containerPort": 8080}],
                "resources": {"requests": {"cpu": "100m"}},
                "readinessProbe": {"httpGet": {"path": "/", "port": 8080}},
            }
        ],
        "volumes": [
            {"name": "scratch", "emptyDir": {}},
            {"name": "ebs", "awsElasticBlockStore": {}},
        ],
    }


def _template(labels: dict[str, str], image: str = "registry.example.com/app:1.0") -> Any:
    return {
        "metadata": {
            "labels": labels,
            "annotations": {"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"},
        },
        "spec": _pod_spec(image),
    }


_OWNER = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d9c", "controller": True}]
_STATUS = {
    "name": "app",
    "restartCount": 12,
    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
    "lastState": {"terminated": {"reason": "OOMKilled", "finishedAt": "2026-01-01T00:00:00Z"}},
}
_WEBHOOKS = [
    {
        "name": "check.example.com",
        "failurePolicy": "Fail",
        "timeoutSeconds": 30,
        "clientConfig": {"service": {"namespace": "hooks", "name": "hook"}, "caBundle": "eA=="},
        "namespaceSelector": {
            "matchExpressions": [{"key": "team", "operator": "In", "values": ["a"]}]
        },
        "rules": [{"resources": ["*"]}],
    }
]

TEMPLATES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "Deployment": (
        "apps/v1",
        "shop",
        {
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": _template({"app": "web"}),
            },
            "status": {"readyReplicas": 1},
        },
    ),
    "DaemonSet": (
        "apps/v1",
        "kube-system",
        {
            "spec": {
                "template": {
                    "metadata": {"labels": {"k8s-app": "kube-proxy"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "kube-proxy",
                                "image": "registry.k8s.io/kube-proxy:v1.29.4",
                                "command": ["kube-proxy", "--proxy-mode=userspace"],
                            }
                        ]
                    },
                }
            },
            "status": {"desiredNumberScheduled": 3, "numberReady": 2},
        },
    ),
    "StatefulSet": (
        "apps/v1",
        "shop",
        {"spec": {"replicas": 1, "template": _template({"app": "db"})}, "status": {}},
    ),
    "ReplicaSet": (
        "apps/v1",
        "shop",
        {
            "metadata": {
                "ownerReferences": [{"kind": "Deployment", "name": "web", "controller": True}]
            },
            "spec": {"template": _template({"app": "web"})},
        },
    ),
    "Job": (
        "batch/v1",
        "shop",
        {
            "metadata": {"ownerReferences": [{"kind": "CronJob", "name": "nightly"}]},
            "spec": {"template": _template({"job": "x"})},
            "status": {"failed": 2, "conditions": [{"type": "Failed", "status": "True"}]},
        },
    ),
    "CronJob": (
        "batch/v1beta1",
        "shop",
        {"spec": {"jobTemplate": {"spec": {"template": _template({"job": "x"})}}}},
    ),
    "Pod": (
        "v1",
        "kube-system",
        {
            "metadata": {
                "labels": {"component": "kube-apiserver", "pod-template-hash": "5d9c"},
                "annotations": {"kubernetes.io/psp": "restricted"},
                "ownerReferences": _OWNER,
            },
            "spec": _pod_spec("registry.k8s.io/kube-apiserver:v1.28.0"),
            "status": {"phase": "Running", "containerStatuses": [_STATUS]},
        },
    ),
    "PodDisruptionBudget": (
        "policy/v1",
        "shop",
        {
            "spec": {
                "minAvailable": "100%",
                "selector": {
                    "matchLabels": {"app": "web"},
                    "matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}],
                },
            },
            "status": {"expectedPods": 2, "disruptionsAllowed": 0},
        },
    ),
    "CustomResourceDefinition": (
        "apiextensions.k8s.io/v1",
        "",
        {
            "spec": {
                "group": "example.com",
                "versions": [
                    {"name": "v1", "served": True, "storage": True},
                    {"name": "v1beta1", "served": False, "deprecated": True},
                ],
            },
            "status": {"storedVersions": ["v1beta1", "v1"]},
        },
    ),
    "ValidatingWebhookConfiguration": (
        "admissionregistration.k8s.io/v1",
        "",
        {"webhooks": _WEBHOOKS},
    ),
    "MutatingWebhookConfiguration": (
        "admissionregistration.k8s.io/v1beta1",
        "",
        {"webhooks": _WEBHOOKS},
    ),
    "APIService": (
        "apiregistration.k8s.io/v1",
        "",
        {
            "spec": {"service": {"namespace": "m", "name": "metrics"}, "caBundle": "eA=="},
            "status": {"conditions": [{"type": "Available", "status": "False", "reason": "x"}]},
        },
    ),
    "EndpointSlice": (
        "discovery.k8s.io/v1",
        "hooks",
        {
            "metadata": {"labels": {"kubernetes.io/service-name": "hook"}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": False}}],
        },
    ),
    "Endpoints": ("v1", "hooks", {"subsets": [{"addresses": [{"ip": "10.0.0.1"}]}]}),
    "Namespace": (
        "v1",
        "",
        {"metadata": {"labels": {"kubernetes.io/metadata.name": "kube-system"}}},
    ),
    "Secret": ("v1", "shop", {"type": "kubernetes.io/tls", "tls": {"notAfter": "2026-01-01"}}),
    "ConfigMap": ("v1", "kube-system", {"data": {"config.conf": "mode: userspace"}}),
    "PersistentVolume": ("v1", "", {"spec": {"awsElasticBlockStore": {"volumeID": "vol"}}}),
    "PersistentVolumeClaim": (
        "v1",
        "shop",
        {"spec": {"storageClassName": "gp2"}, "status": {"phase": "Pending"}},
    ),
    "StorageClass": ("storage.k8s.io/v1", "", {"provisioner": "kubernetes.io/aws-ebs"}),
    "PodSecurityPolicy": ("policy/v1beta1", "", {"spec": {"privileged": True}}),
    "Ingress": ("extensions/v1beta1", "shop", {"spec": {"rules": []}}),
}
KINDS = sorted(TEMPLATES)
NAMES = {"Namespace": "kube-system", "ConfigMap": "kube-proxy", "DaemonSet": "kube-proxy"}


def paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into a nested value (its own, the empty path, first)."""
    yield at
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from paths(inner, (*at, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from paths(inner, (*at, i))


def replaced(body: dict[str, Any], at: tuple[Any, ...], value: Any) -> None:
    """Set the value at a non-empty path."""
    holder: Any = body
    for step in at[:-1]:
        holder = holder[step]
    holder[at[-1]] = value


SCALARS: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    12,
    2**31,
    2**63,
    -(2**63),
    10**400,
    -(10**400),
    0.5,
    1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
]
SERVER_VERSIONS = ["v1.21.14-eks-0a21954", "v1.25.3", "v1.29.4-gke.100", "v1.31.0"]
API_VERSIONS = ["extensions/v1beta1", "policy/v1beta1", "apps/v1", "example.com/v1", ""]


class Hostile:
    """Hostile manifests and snapshot documents, reproducible from `rng`'s seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def text(self) -> str:
        """A word the checks look for, or a few arbitrary characters."""
        if self.rng.random() < 0.7:
            return self.rng.choice(WORDS)
        # Printable ASCII, accented letters, a line separator, emoji and a control character.
        starts = (0x20, 0x7E, 0xE9, 0x2028, 0x1F600, 0x1B)
        return "".join(
            chr(self.rng.choice(starts) + self.rng.randrange(8))
            for _ in range(self.rng.randrange(6))
        )

    def junk(self, depth: int = 0) -> Any:
        """Any JSON- and YAML-representable value: a scalar of any type, or nested lists
        and maps keyed by the fields the checks read."""
        roll = self.rng.random()
        if depth >= 3 or roll < 0.55:
            return self.rng.choice(SCALARS) if self.rng.random() < 0.45 else self.text()
        if roll < 0.75:
            return [self.junk(depth + 1) for _ in range(self.rng.randrange(4))]
        return {self.key(): self.junk(depth + 1) for _ in range(self.rng.randrange(4))}

    def key(self) -> str:
        """A field name the checks read, now and then anything."""
        return self.rng.choice(KEYS) if self.rng.random() < 0.9 else self.text()

    def manifest(self) -> dict[str, Any]:
        """A manifest of a real kind with up to three values anywhere in it replaced by junk;
        sometimes a custom resource that wears a real kind's name, or a body of junk."""
        kind = self.rng.choice(KINDS)
        api_version, namespace, template = TEMPLATES[kind]
        body = copy.deepcopy(template)
        shape = self.rng.random()
        if shape < 0.15:  # a custom resource whose kind is a real kind's name
            api_version = "example.com/v1"
            body = copy.deepcopy(TEMPLATES[self.rng.choice(KINDS)][2])
        elif shape < 0.25:
            body = {self.key(): self.junk() for _ in range(self.rng.randrange(5))}
        for _ in range(self.rng.randrange(4)):
            places = [at for at in paths(body) if at]
            if places:
                replaced(body, self.rng.choice(places), self.junk())
        if "metadata" not in body:
            body["metadata"] = {}
        metadata = body["metadata"]
        if isinstance(metadata, dict):
            metadata.setdefault("name", NAMES.get(kind, f"{kind.lower()}-{self.rng.randrange(3)}"))
            if namespace:
                metadata.setdefault("namespace", namespace)
        return {"apiVersion": api_version, "kind": kind, **body}

    def version(self) -> str | None:
        """A version as a node, a client or a chart may report it, or none."""
        return None if self.rng.random() < 0.1 else self.text()

    def time(self) -> str | None:
        """A time, with an offset or without, or no time."""
        return self.rng.choice([None, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00", "x"])

    def evidence(self) -> dict[str, Any]:
        """Evidence of how an object was written."""
        return {
            "source": self.rng.choice(["managed-fields", "last-applied"]),
            "location": self.rng.choice(["manager helm", "manager kube-controller-manager"]),
            "api_version": self.rng.choice(API_VERSIONS),
            "time": self.time(),
        }

    def snapshot(self, objects: int) -> dict[str, Any]:
        """A snapshot document whose envelope the snapshot format accepts and whose content
        is hostile: object bodies, node, client and Helm versions, dates."""
        rng = self.rng
        return {
            "schema": "upgradecheck.snapshot/v1",
            "source": "cluster",
            "collected_at": rng.choice(["2026-11-01T00:00:00Z", "2026-11-01T00:00:00"]),
            "cluster": {
                "server_version": rng.choice(SERVER_VERSIONS),
                "platform": rng.choice(["eks", "gke", "unknown"]),
                "credential_expires": self.time(),
            },
            "nodes": [
                {
                    "name": f"node-{i}",
                    "kubelet_version": self.text(),
                    "kube_proxy_version": self.version(),
                    "container_runtime": self.version(),
                    "os_image": self.version(),
                    "kernel_version": self.version(),
                    "ready": rng.random() < 0.5,
                    "pool": rng.choice([None, "general", self.text()]),
                    "labels": {self.text(): self.junk() for _ in range(rng.randrange(3))},
                }
                for i in range(rng.randrange(4))
            ],
            "clients": [
                {
                    "name": rng.choice(["kubectl", "helm"]),
                    "path": f"/bin/c{i}",
                    "version": self.version(),
                }
                for i in range(rng.randrange(3))
            ],
            "objects": [
                observed(self.manifest(), [self.evidence() for _ in range(rng.randrange(3))])
                for _ in range(objects)
            ],
            "helm_releases": [
                {
                    "name": rng.choice(["web", "db"]),
                    "namespace": "shop",
                    "revision": rng.choice([-1, 0, 1, 2, 10**400]),
                    "status": rng.choice(["deployed", "failed", "pending-upgrade", "superseded"]),
                    "chart": self.text(),
                    "chart_version": self.text(),
                    "kube_version": self.version(),
                    "last_deployed": self.time(),
                    "objects": [
                        {
                            "apiVersion": rng.choice(API_VERSIONS),
                            "kind": rng.choice(KINDS),
                            "namespace": rng.choice([None, "shop"]),
                            "name": self.text(),
                        }
                        for _ in range(rng.randrange(3))
                    ],
                }
                for _ in range(rng.randrange(3))
            ],
            "api_requests": [
                {
                    "group": rng.choice(["", "policy", "extensions"]),
                    "version": rng.choice(["v1beta1", "v1"]),
                    "resource": rng.choice(["podsecuritypolicies", "ingresses", "pods"]),
                    "removed_release": self.version(),
                    "count": rng.choice([None, -1, 3, 10**400]),
                }
                for _ in range(rng.randrange(3))
            ],
        }


def observed(manifest: dict[str, Any], evidence: list[dict[str, Any]]) -> dict[str, Any]:
    """A snapshot's object entry for a manifest (ref fields as the snapshot format types
    them: strings, whatever the manifest holds)."""
    metadata = manifest.get("metadata")
    meta = metadata if isinstance(metadata, dict) else {}
    name, namespace = meta.get("name"), meta.get("namespace")
    return {
        "apiVersion": str(manifest.get("apiVersion")),
        "kind": str(manifest.get("kind")),
        "namespace": namespace if isinstance(namespace, str) else None,
        "name": name if isinstance(name, str) else "<unnamed>",
        "evidence": evidence,
        "body": manifest,
    }
