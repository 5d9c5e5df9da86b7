"""trim_object keeps what checks need and never Secret data; a scan never leaks a value."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from upgradecheck.checks.feature_detectors import DETECTORS
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.collect.sanitize import (
    LAST_APPLIED,
    configmap_keys,
    reduce_body,
    template_keep,
    trim_object,
)
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.knowledge.model import DETECTOR_TYPES, TEMPLATE_READS

SENTINEL = "s3ntinel-Value-0f-a-Secret"
ENCODED = base64.b64encode(SENTINEL.encode()).decode()


def _metadata(**extra: object) -> dict[str, object]:
    return {
        "name": "web",
        "namespace": "shop",
        "uid": "1234",
        "labels": {"app": "web"},
        "annotations": {LAST_APPLIED: json.dumps({"data": {"p": ENCODED}}), "team": "a"},
        "managedFields": [{"manager": "kubectl", "apiVersion": "v1"}],
        "resourceVersion": "99",
        **extra,
    }


KEPT_METADATA = {
    "name": "web",
    "namespace": "shop",
    "uid": "1234",
    "labels": {"app": "web"},
    "annotations": {"team": "a"},
}
"""What is kept of `_metadata()`."""


def test_an_object_keeps_identity_metadata_spec_and_status() -> None:
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(),
        "spec": {"replicas": 2},
        "status": {"readyReplicas": 2},
        "data": {"unexpected": SENTINEL},
    }
    assert trim_object(obj) == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": KEPT_METADATA,
        "spec": {"replicas": 2},
        "status": {"readyReplicas": 2},
    }


def test_a_secret_keeps_only_name_namespace_labels_and_type() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _metadata(),
        "type": "kubernetes.io/tls",
        "data": {"tls.key": ENCODED},
        "stringData": {"password": SENTINEL},
        "spec": {"odd": SENTINEL},
    }
    trimmed = trim_object(secret)
    assert set(trimmed) == {"apiVersion", "kind", "metadata", "type"}
    assert set(trimmed["metadata"]) <= {"name", "namespace", "labels"}
    assert "annotations" not in trimmed["metadata"]
    assert SENTINEL not in repr(trimmed) and ENCODED not in repr(trimmed)


def test_a_configmap_keeps_no_data_unless_a_detector_reads_it() -> None:
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "tcp-services", "namespace": "ingress"},
        "data": {"b": SENTINEL, 9000: "default/svc:80", "a": "x"},
        "binaryData": {"blob": ENCODED},
    }
    assert trim_object(config) == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "tcp-services", "namespace": "ingress"},
    }


def test_kube_proxy_configmaps_keep_only_their_configuration() -> None:
    for name, key in (("kube-proxy", "config.conf"), ("kube-proxy-config", "config")):
        config = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "kube-system"},
            "data": {key: "mode: iptables", "password": SENTINEL},
        }
        trimmed = trim_object(config)
        assert trimmed["data"] == {key: "mode: iptables"}
        assert SENTINEL not in repr(trimmed)
    elsewhere = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "kube-proxy", "namespace": "default"},
        "data": {"config.conf": "mode: iptables"},
    }
    assert "data" not in trim_object(elsewhere)


def test_the_configmap_data_kept_is_what_the_knowledge_base_reads() -> None:
    detectors = [
        (d.type, d.params) for removal in load_knowledge_base().removals for d in removal.detect
    ]
    assert configmap_keys(detectors) == {
        ("kube-system", "kube-proxy"): frozenset({"config.conf"}),
        ("kube-system", "kube-proxy-config"): frozenset({"config"}),
    }
    own = configmap_keys([("configmap-value", {"namespace": "ops", "name": "x", "key": "k"})])
    config = {
        "kind": "ConfigMap",
        "metadata": {"name": "x", "namespace": "ops"},
        "data": {"k": "v", "other": SENTINEL},
    }
    assert trim_object(config, configmaps=own)["data"] == {"k": "v"}
    assert "data" not in trim_object(config)


def test_kinds_whose_checked_content_is_outside_spec() -> None:
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "rules": [1]}
    storage = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "provisioner": "kubernetes.io/aws-ebs",
        "parameters": {"restuserkey": SENTINEL},
    }
    hooks = {"kind": "ValidatingWebhookConfiguration", "webhooks": [{"name": "w"}], "x": 1}
    # No check reads RBAC rules: a role keeps its identity only.
    assert set(trim_object(role)) == {"apiVersion", "kind"}
    assert trim_object(storage) == {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "provisioner": "kubernetes.io/aws-ebs",
    }
    assert trim_object(hooks) == {
        "kind": "ValidatingWebhookConfiguration",
        "webhooks": [{"name": "w"}],
    }


def _pod() -> dict[str, Any]:
    container = {
        "name": "app",
        "image": "web:1",
        "command": ["run"],
        "args": ["--x"],
        "env": [{"name": "PASSWORD", "value": SENTINEL}],
        "ports": [{"containerPort": 80}],
        "readinessProbe": {"httpGet": {"path": "/"}},
        "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "2"}},
        "volumeMounts": [{"name": "data", "mountPath": "/d"}],
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _metadata(ownerReferences=[{"kind": "ReplicaSet", "name": "r", "uid": "u"}]),
        "spec": {
            "containers": [container],
            "volumes": [
                {"name": "data", "emptyDir": {"medium": "Memory"}},
                {"name": "old", "gitRepo": {"repository": SENTINEL}},
                {"name": "token", "projected": {"sources": [{"secret": {"name": SENTINEL}}]}},
            ],
            "nodeName": "n1",
            "tolerations": [{"key": "k"}],
        },
        "status": {
            "phase": "Running",
            "podIP": "10.0.0.1",
            "containerStatuses": [
                {
                    "name": "app",
                    "restartCount": 3,
                    "image": "web:1",
                    "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "m"}},
                    "lastState": {
                        "terminated": {"reason": "OOMKilled", "finishedAt": "t", "exitCode": 137}
                    },
                }
            ],
        },
    }


def test_a_pod_keeps_what_the_checks_read() -> None:
    assert trim_object(_pod()) == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {**KEPT_METADATA, "ownerReferences": [{"kind": "ReplicaSet", "name": "r"}]},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "web:1",
                    "command": ["run"],
                    "args": ["--x"],
                    "ports": [{"containerPort": 80}],
                    "readinessProbe": {"httpGet": {"path": "/"}},
                    "resources": {"requests": {"cpu": "1"}},
                }
            ],
            # Every volume source by its presence (the knowledge base names the removed ones).
            "volumes": [
                {"name": "data", "emptyDir": {"medium": "Memory"}},
                {"name": "old", "gitRepo": {}},
                {"name": "token", "projected": {}},
            ],
        },
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "app",
                    "restartCount": 3,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": {"reason": "OOMKilled", "finishedAt": "t"}},
                }
            ],
        },
    }


def test_a_reduced_body_reduces_to_itself() -> None:
    for obj in (_pod(), {"kind": "Deployment", "spec": {"template": _pod(), "replicas": 2}}):
        once = reduce_body(obj, str(obj["kind"]))
        assert reduce_body(once, str(obj["kind"])) == once
        assert SENTINEL not in repr(once)


def test_every_detector_type_says_what_it_reads_of_pods() -> None:
    assert set(TEMPLATE_READS) == set(DETECTORS) == DETECTOR_TYPES
    # A detector type that reads another field of pod templates gets it kept.
    keep = template_keep([("spec", "containers", "env")])
    spec = keep["spec"] if isinstance(keep, Mapping) else None
    assert isinstance(spec, Mapping) and "env" in spec["containers"]


def test_odd_metadata_is_tolerated() -> None:
    assert trim_object({"apiVersion": "v1", "kind": "A", "metadata": "x"}) == {
        "apiVersion": "v1",
        "kind": "A",
    }
    trimmed = trim_object({"kind": "A", "metadata": {"annotations": None, "name": "n"}})
    assert trimmed["metadata"] == {"name": "n"}


def test_no_secret_value_reaches_the_snapshot(tmp_path: Path) -> None:
    last_applied = json.dumps({"kind": "Secret", "stringData": {"password": SENTINEL}})
    (tmp_path / "secrets.yaml").write_text(
        f"""apiVersion: v1
kind: Secret
metadata:
  name: plain
  annotations:
    {LAST_APPLIED}: '{last_applied}'
  managedFields:
    - manager: kubectl
      fieldsV1: {{"f:data": {{"f:{SENTINEL}": {{}}}}}}
type: Opaque
data:
  password: {ENCODED}
stringData:
  token: {SENTINEL}
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata: {{name: listed}}
    stringData: {{token: {SENTINEL}}}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {{name: settings}}
    data: {{token: {SENTINEL}}}
---
apiVersion: v1
kind: Secret
metadata:
  name: broken
stringData:
  token: [{SENTINEL}
"""
    )
    (tmp_path / "secret.json").write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "j"},
                "data": {"k": ENCODED},
            }
        )
    )
    snapshot = scan_manifests([str(tmp_path)])
    assert sorted(obj.ref.name for obj in snapshot.objects) == ["j", "listed", "plain", "settings"]
    assert [note.kind for note in snapshot.coverage] == ["error"]  # the broken Secret
    text = repr(snapshot)
    assert SENTINEL not in text
    assert ENCODED not in text
