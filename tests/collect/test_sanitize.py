"""trim_object keeps what checks need and never Secret data; a scan never leaks a value."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.collect.sanitize import LAST_APPLIED, trim_object

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
        "metadata": {
            "name": "web",
            "namespace": "shop",
            "uid": "1234",
            "labels": {"app": "web"},
            "annotations": {"team": "a"},
        },
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


def test_a_configmap_keeps_only_its_key_names() -> None:
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
        "dataKeys": ["9000", "a", "b"],
        "binaryDataKeys": ["blob"],
    }


def test_kube_proxy_and_coredns_configmaps_keep_only_their_configuration() -> None:
    for name, key in (
        ("kube-proxy", "config.conf"),
        ("kube-proxy-config", "config"),
        ("coredns", "Corefile"),
    ):
        config = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "kube-system"},
            "data": {key: "mode: iptables", "password": SENTINEL},
        }
        trimmed = trim_object(config)
        assert trimmed["data"] == {key: "mode: iptables"}
        assert trimmed["dataKeys"] == sorted([key, "password"])
        assert SENTINEL not in repr(trimmed)
    elsewhere = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "kube-proxy", "namespace": "default"},
        "data": {"config.conf": "mode: iptables"},
    }
    assert "data" not in trim_object(elsewhere)


def test_kinds_whose_checked_content_is_outside_spec() -> None:
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "rules": [1]}
    storage = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "provisioner": "kubernetes.io/aws-ebs",
        "parameters": {"restuserkey": SENTINEL},
    }
    assert trim_object(role)["rules"] == [1]
    assert trim_object(storage) == {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "provisioner": "kubernetes.io/aws-ebs",
    }


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
