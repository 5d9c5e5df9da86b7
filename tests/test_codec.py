"""The codec's two forms: what a snapshot file and a report write differently for the same
value, and what they write alike."""

from __future__ import annotations

from upgradecheck.codec.common import (
    Form,
    cluster_to_dict,
    evidence_from_dict,
    evidence_to_dict,
    node_to_dict,
    ref_to_dict,
)
from upgradecheck.codec.reading import Fields
from upgradecheck.codec.report import finding_to_dict
from upgradecheck.codec.snapshot import object_to_dict
from upgradecheck.model import (
    ClusterInfo,
    Evidence,
    EvidenceSource,
    Finding,
    NodeInfo,
    ObjectRef,
    ObservedObject,
    Severity,
)

NODE = NodeInfo(
    "n1", "v1.29.3", ready=False, pool="general", labels={"zone": "b", "role": "worker"}
)


def test_node_in_a_snapshot_keeps_model_order_and_labels_as_collected() -> None:
    d = node_to_dict(NODE, Form.SNAPSHOT)
    assert list(d) == [
        "name", "kubelet_version", "kube_proxy_version", "container_runtime", "os_image",
        "kernel_version", "architecture", "ready", "pool", "labels",
    ]  # fmt: skip
    assert list(d["labels"]) == ["zone", "role"]


def test_node_in_a_report_puts_the_pool_beside_the_name_and_sorts_labels() -> None:
    d = node_to_dict(NODE, Form.REPORT)
    assert list(d) == [
        "name", "pool", "kubelet_version", "kube_proxy_version", "container_runtime",
        "os_image", "kernel_version", "architecture", "ready", "labels",
    ]  # fmt: skip
    assert d["labels"] == {"role": "worker", "zone": "b"}
    assert list(d["labels"]) == ["role", "zone"]
    assert d["ready"] is False and d["pool"] == "general"


def test_evidence_leaves_empty_fields_out_of_a_snapshot_only() -> None:
    bare = Evidence(EvidenceSource.FILE, "a.yaml:3", "apps/v1")
    assert evidence_to_dict(bare, Form.SNAPSHOT) == {
        "source": "file", "location": "a.yaml:3", "api_version": "apps/v1",
    }  # fmt: skip
    assert evidence_to_dict(bare, Form.REPORT) == {
        "source": "file", "location": "a.yaml:3", "api_version": "apps/v1",
        "detail": "", "time": None,
    }  # fmt: skip
    full = Evidence(EvidenceSource.MANAGED_FIELDS, "manager ci", "v1", "Update", "2026-01-01")
    assert evidence_to_dict(full, Form.SNAPSHOT) == evidence_to_dict(full, Form.REPORT)


def test_the_versions_a_chart_leaves_a_branch_out_for_are_kept_when_known() -> None:
    branch = Evidence(EvidenceSource.TEMPLATE, "c/t.yaml:4", "policy/v1beta1", "branch: x",
                      not_rendered_for=">=1.21")
    for form in Form:
        written = evidence_to_dict(branch, form)
        assert written["not_rendered_for"] == ">=1.21"
        assert evidence_from_dict(Fields("test"), written, "e") == branch


def test_only_the_snapshot_keeps_the_credential_expiry() -> None:
    cluster = ClusterInfo("v1.29.3", "eks", "prod", "2026-05-01T00:00:00Z")
    assert cluster_to_dict(cluster, Form.SNAPSHOT) == {
        "server_version": "v1.29.3", "platform": "eks", "context": "prod",
        "credential_expires": "2026-05-01T00:00:00Z",
    }  # fmt: skip
    assert cluster_to_dict(cluster, Form.REPORT) == {
        "server_version": "v1.29.3", "platform": "eks", "context": "prod",
    }  # fmt: skip
    assert cluster_to_dict(None, Form.SNAPSHOT) is None


def test_an_object_is_written_alike_in_a_snapshot_and_a_finding() -> None:
    ref = ObjectRef("policy/v1beta1", "PodDisruptionBudget", None, "web")
    written = {"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget",
               "namespace": None, "name": "web"}  # fmt: skip
    snapshot_object = object_to_dict(ObservedObject(ref, ()))
    assert {k: snapshot_object[k] for k in written} == written
    finding = Finding(
        rule="api-removed", severity=Severity.BLOCKER, message="m", remediation="r", object=ref
    )
    assert finding_to_dict(finding)["object"] == written
    assert ref_to_dict(None) is None
    no_object = Finding(
        rule="kubectl-skew",
        severity=Severity.WARNING,
        message="m",
        remediation="r",
        subject="kubectl",
    )
    assert finding_to_dict(no_object)["object"] is None
