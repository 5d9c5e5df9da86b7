"""`upgradecheck scan` on manifests of old add-on and built-in APIs: each object gets the
finding its project's releases call for (rule, replacement, the releases that deprecated and
removed it), and the versions those projects serve today get none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml


def _table(text: str) -> list[tuple[str | None, ...]]:
    """Rows of a whitespace-separated table: `-` is None, and a replacement written `/v1`
    keeps the group of the row's apiVersion."""
    rows = []
    for line in text.strip().splitlines():
        cells = line.split()
        group = cells[0].rpartition("/")[0]
        cells = [group + c if c.startswith("/") else c for c in cells]
        rows.append(tuple(None if c == "-" else c for c in cells))
    return rows


# apiVersion, kind, add-on, deprecated in, removed in, replacement: in the add-on's releases.
ADD_ON_REMOVED = _table("""
certmanager.k8s.io/v1alpha1 Certificate cert-manager - 0.11 cert-manager.io/v1
certmanager.k8s.io/v1alpha1 CertificateRequest cert-manager - 0.11 cert-manager.io/v1
certmanager.k8s.io/v1alpha1 ClusterIssuer cert-manager - 0.11 cert-manager.io/v1
certmanager.k8s.io/v1alpha1 Issuer cert-manager - 0.11 cert-manager.io/v1
certmanager.k8s.io/v1alpha1 Order cert-manager - 0.11 acme.cert-manager.io/v1
certmanager.k8s.io/v1alpha1 Challenge cert-manager - 0.11 acme.cert-manager.io/v1
cert-manager.io/v1alpha2 Certificate cert-manager 1.4 1.6 /v1
snapshot.storage.k8s.io/v1alpha1 VolumeSnapshot external-snapshotter - 2.0.0 /v1
snapshot.storage.k8s.io/v1beta1 VolumeSnapshot external-snapshotter 4.1.0 6.0.0 /v1
snapshot.storage.k8s.io/v1beta1 VolumeSnapshotClass external-snapshotter 4.1.0 6.0.0 /v1
snapshot.storage.k8s.io/v1beta1 VolumeSnapshotContent external-snapshotter 4.1.0 6.0.0 /v1
groupsnapshot.storage.k8s.io/v1alpha1 VolumeGroupSnapshot external-snapshotter - 8.2.0 /v1beta1
config.istio.io/v1alpha2 rule istio - 1.8 -
config.istio.io/v1alpha2 ServiceRole istio - 1.8 -
rbac.istio.io/v1alpha1 ServiceRole istio 1.4 1.7 security.istio.io/v1beta1
rbac.istio.io/v1alpha1 ServiceRoleBinding istio 1.4 1.7 security.istio.io/v1beta1
authentication.istio.io/v1alpha1 Policy istio 1.4 1.6 security.istio.io/v1beta1
keda.k8s.io/v1alpha1 ScaledObject keda - 2.0.0 keda.sh/v1alpha1
keda.k8s.io/v1alpha1 TriggerAuthentication keda - 2.0.0 keda.sh/v1alpha1
karpenter.sh/v1alpha5 Provisioner karpenter 0.32.0 0.33.0 /v1
karpenter.k8s.aws/v1alpha1 AWSNodeTemplate karpenter 0.32.0 0.33.0 /v1
karpenter.sh/v1beta1 NodePool karpenter - 1.1.0 /v1
karpenter.k8s.aws/v1beta1 EC2NodeClass karpenter - 1.1.0 /v1
autoscaling.k8s.io/v1beta1 VerticalPodAutoscaler vertical-pod-autoscaler 0.5.0 0.10.0 /v1
autoscaling.k8s.io/v1beta2 VerticalPodAutoscaler vertical-pod-autoscaler 0.13.0 1.3.0 /v1
ark.heptio.com/v1 Backup velero 0.11.0 1.0.0 velero.io/v1
cilium.io/v2alpha1 CiliumBGPPeeringPolicy cilium 1.18 1.19 /v2
serving.knative.dev/v1alpha1 Service knative-serving - 0.19.0 /v1
eventing.knative.dev/v1beta1 Trigger knative-eventing - 0.18.0 /v1
kafka.strimzi.io/v1beta1 Kafka strimzi - 0.23.0 /v1
kafka.strimzi.io/v1beta2 KafkaTopic strimzi 0.49.0 1.0.0 /v1
elasticsearch.k8s.elastic.co/v1alpha1 Elasticsearch eck - 1.0.0 /v1
pkg.crossplane.io/v1alpha1 ControllerConfig crossplane 1.11.0 2.0.0 /v1beta1
tekton.dev/v1alpha1 Task tekton-pipelines - 0.39.0 /v1
tekton.dev/v1beta1 ClusterTask tekton-pipelines 0.41.0 1.0.0 /v1
monitoring.coreos.com/v1alpha1 ServiceMonitor prometheus-operator - 0.12.0 /v1
""")

# apiVersion, kind, add-on, deprecated in, replacement: deprecated, no removal announced.
ADD_ON_DEPRECATED = _table("""
groupsnapshot.storage.k8s.io/v1beta1 VolumeGroupSnapshot external-snapshotter 8.4.0 /v1beta2
gateway.k8s.aws/v1beta1 LoadBalancerConfiguration aws-load-balancer-controller 3.5.0 /v1
apiextensions.crossplane.io/v1beta1 Usage crossplane 2.0.0 protection.crossplane.io/v1beta1
tekton.dev/v1beta1 Pipeline tekton-pipelines 0.50.0 /v1
sources.knative.dev/v1beta2 PingSource knative-eventing 1.13.0 /v1
""")

# apiVersion, kind, Kubernetes release that stopped serving it, replacement: built-in APIs
# whose removal upstream never tagged.
BUILT_IN_REMOVED = _table("""
auditregistration.k8s.io/v1alpha1 AuditSink 1.19 -
settings.k8s.io/v1alpha1 PodPreset 1.20 -
batch/v2alpha1 CronJob 1.21 /v1
discovery.k8s.io/v1alpha1 EndpointSlice 1.21 /v1
rbac.authorization.k8s.io/v1alpha1 ClusterRole 1.23 /v1
rbac.authorization.k8s.io/v1alpha1 RoleBinding 1.23 /v1
scheduling.k8s.io/v1alpha1 PriorityClass 1.23 /v1
node.k8s.io/v1alpha1 RuntimeClass 1.24 /v1
resource.k8s.io/v1alpha2 ResourceClass 1.31 /v1beta2
""")

# apiVersion, kind, what breaks in the Kubernetes release that dropped it: files and formats
# kube-apiserver reads or writes, never served, so "not served" would be no reason at all.
CONFIG_FILES: list[tuple[str, str, str]] = [
    (
        "audit.k8s.io/v1beta1",
        "Policy",
        "Policy audit.k8s.io/v1beta1 is a configuration file kube-apiserver reads at start "
        "(--audit-policy-file), not a served API: kube-apiserver 1.24 refuses to start with a "
        "file in this version.",
    ),
    (
        "audit.k8s.io/v1alpha1",
        "Policy",
        "Policy audit.k8s.io/v1alpha1 is a configuration file kube-apiserver reads at start "
        "(--audit-policy-file), not a served API: kube-apiserver 1.24 refuses to start with a "
        "file in this version.",
    ),
    (
        "audit.k8s.io/v1beta1",
        "Event",
        "Event audit.k8s.io/v1beta1 is the format kube-apiserver writes when "
        "--audit-log-version / --audit-webhook-version ask for it, not a served API: "
        "kube-apiserver 1.24 no longer writes it and refuses to start when these flags name "
        "this version.",
    ),
]

# What the projects serve today, and add-on APIs known with no lifecycle: no finding.
CURRENT: list[tuple[str, str]] = [
    ("cert-manager.io/v1", "Certificate"),
    ("cert-manager.io/v1", "ClusterIssuer"),
    ("acme.cert-manager.io/v1", "Order"),
    ("snapshot.storage.k8s.io/v1", "VolumeSnapshot"),
    ("snapshot.storage.k8s.io/v1", "VolumeSnapshotClass"),
    ("karpenter.sh/v1", "NodePool"),
    ("karpenter.sh/v1", "NodeClaim"),
    ("karpenter.k8s.aws/v1", "EC2NodeClass"),
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("elbv2.k8s.aws/v1beta1", "TargetGroupBinding"),
    ("elbv2.k8s.aws/v1alpha1", "TargetGroupBinding"),
    ("autoscaling.k8s.io/v1", "VerticalPodAutoscaler"),
    ("velero.io/v1", "Backup"),
    ("crd.projectcalico.org/v1", "IPPool"),
    ("projectcalico.org/v3", "NetworkPolicy"),
    ("cilium.io/v2", "CiliumNetworkPolicy"),
    ("cilium.io/v2", "CiliumBGPClusterConfig"),
    ("serving.knative.dev/v1", "Service"),
    ("eventing.knative.dev/v1", "Broker"),
    ("kafka.strimzi.io/v1", "Kafka"),
    ("elasticsearch.k8s.elastic.co/v1", "Elasticsearch"),
    ("pkg.crossplane.io/v1beta1", "DeploymentRuntimeConfig"),
    ("tekton.dev/v1", "Pipeline"),
    ("externaldns.k8s.io/v1alpha1", "DNSEndpoint"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("security.istio.io/v1", "AuthorizationPolicy"),
    ("batch/v1", "CronJob"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("audit.k8s.io/v1", "Policy"),
    ("discovery.k8s.io/v1", "EndpointSlice"),
]

TARGET = "1.33"


def _manifest(pairs: list[tuple[str, str]]) -> str:
    """One object per (apiVersion, kind), each with its own name."""
    docs = [
        {"apiVersion": api_version, "kind": kind, "metadata": {"name": f"obj-{i}"}}
        for i, (api_version, kind) in enumerate(pairs)
    ]
    return yaml.safe_dump_all(docs, sort_keys=False)


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], list[Any]]:
    """The JSON findings of one `upgradecheck scan` of every object above, by
    (apiVersion, kind); run once as a user would, in a child process."""
    pairs = [(a, k) for a, k, *_ in ADD_ON_REMOVED + ADD_ON_DEPRECATED + BUILT_IN_REMOVED]
    pairs += [(a, k) for a, k, _ in CONFIG_FILES]
    path = tmp_path_factory.mktemp("old-apis") / "old.yaml"
    path.write_text(_manifest(pairs + CURRENT), encoding="utf-8")
    command = [sys.executable, "-m", "upgradecheck", "scan", str(path), "--target", TARGET]
    done = subprocess.run(
        [*command, "--format", "json"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stderr  # blockers present
    by_object: dict[tuple[str, str], list[Any]] = {}
    for finding in json.loads(done.stdout)["findings"]:
        key = (finding["object"]["apiVersion"], finding["object"]["kind"])
        by_object.setdefault(key, []).append(finding)
    return by_object


def _only(found: dict[tuple[str, str], list[Any]], api_version: str, kind: str) -> Any:
    hits = found.get((api_version, kind), [])
    assert len(hits) == 1, (api_version, kind, hits)
    return hits[0]


def _ids(rows: list[tuple[str | None, ...]]) -> list[str]:
    return [f"{row[0]}-{row[1]}" for row in rows]


@pytest.mark.parametrize("row", ADD_ON_REMOVED, ids=_ids(ADD_ON_REMOVED))
def test_add_on_api_removed_by_its_project(
    findings: dict[tuple[str, str], list[Any]], row: tuple[str, ...]
) -> None:
    api_version, kind, addon, deprecated, removed, replacement = row
    finding = _only(findings, api_version, kind)
    assert (finding["rule"], finding["severity"]) == ("addon-api-removed", "warning")
    assert finding["subject"] == addon
    assert finding["replacement"] == replacement
    assert f"not served by {addon} {removed} and later" in finding["message"]
    if deprecated is None:
        assert "deprecated in" not in finding["message"]
    else:
        assert f"(deprecated in {deprecated})" in finding["message"]
    assert finding["link"].startswith("https://")
    assert finding["evidence"][0]["source"] == "file"
    # The add-on's own releases travel apart from the Kubernetes release fields.
    assert finding["addon"]["name"] == addon
    assert (finding["addon"]["deprecated_in"], finding["addon"]["removed_in"]) == (
        deprecated,
        removed,
    )
    assert (finding["deprecated_in"], finding["removed_in"]) == (None, None)
    assert finding["replacement_since"] is None


@pytest.mark.parametrize("row", ADD_ON_DEPRECATED, ids=_ids(ADD_ON_DEPRECATED))
def test_add_on_api_deprecated_by_its_project(
    findings: dict[tuple[str, str], list[Any]], row: tuple[str, ...]
) -> None:
    api_version, kind, addon, deprecated, replacement = row
    finding = _only(findings, api_version, kind)
    assert (finding["rule"], finding["severity"]) == ("addon-api-deprecated", "info")
    assert f"deprecated by {addon} {deprecated}" in finding["message"]
    assert finding["replacement"] == replacement
    assert finding["addon"]["name"] == addon
    assert (finding["addon"]["deprecated_in"], finding["addon"]["removed_in"]) == (deprecated, None)


# apiVersion, kind, the fix's first sentence, replacement_kind, the add-on release serving
# the replacement: the kind to write where it changes, and since when, where the data says.
ADD_ON_FIXES = [
    (
        "karpenter.sh/v1alpha5",
        "Provisioner",
        "Move to karpenter.sh/v1 NodePool (served since karpenter 1.0.0).",
        "NodePool",
        "1.0.0",
    ),
    (
        "karpenter.k8s.aws/v1alpha1",
        "AWSNodeTemplate",
        "Move to karpenter.k8s.aws/v1 EC2NodeClass (served since karpenter 1.0.0).",
        "EC2NodeClass",
        "1.0.0",
    ),
    (
        "karpenter.sh/v1beta1",
        "NodePool",
        "Move to karpenter.sh/v1 (served since karpenter 1.0.0).",
        None,
        "1.0.0",
    ),
    (
        "rbac.istio.io/v1alpha1",
        "ServiceRole",
        "Move to security.istio.io/v1beta1 AuthorizationPolicy (served since istio 1.4).",
        "AuthorizationPolicy",
        "1.4",
    ),
    (
        "cert-manager.io/v1alpha2",
        "Certificate",
        "Move to cert-manager.io/v1 (served since cert-manager 1.0).",
        None,
        "1.0",
    ),
    ("tekton.dev/v1alpha1", "Task", "Move to tekton.dev/v1.", None, None),
]


@pytest.mark.parametrize("row", ADD_ON_FIXES, ids=[f"{r[0]}-{r[1]}" for r in ADD_ON_FIXES])
def test_add_on_fix_names_the_kind_to_write_and_since_when_it_is_served(
    findings: dict[tuple[str, str], list[Any]], row: tuple[Any, ...]
) -> None:
    api_version, kind, fix, replacement_kind, since = row
    finding = _only(findings, api_version, kind)
    assert finding["remediation"].startswith(fix + " ")
    assert finding["replacement_kind"] == replacement_kind
    assert finding["addon"]["replacement_since"] == since


@pytest.mark.parametrize("row", BUILT_IN_REMOVED, ids=_ids(BUILT_IN_REMOVED))
def test_untagged_built_in_api_removed_in_the_release_that_dropped_it(
    findings: dict[tuple[str, str], list[Any]], row: tuple[str, ...]
) -> None:
    api_version, kind, removed, replacement = row
    finding = _only(findings, api_version, kind)
    assert (finding["rule"], finding["severity"]) == ("api-removed", "blocker")
    assert finding["removed_in"] == removed and finding["hop"] == removed
    assert f"not served from Kubernetes {removed}" in finding["message"]
    assert finding["replacement"] == replacement


@pytest.mark.parametrize(
    "api_version,kind,message", CONFIG_FILES, ids=[f"{a}-{k}" for a, k, _ in CONFIG_FILES]
)
def test_config_files_say_what_reads_them_and_that_it_refuses_the_old_version(
    findings: dict[tuple[str, str], list[Any]], api_version: str, kind: str, message: str
) -> None:
    finding = _only(findings, api_version, kind)
    assert (finding["rule"], finding["severity"]) == ("api-removed", "blocker")
    assert (finding["removed_in"], finding["hop"]) == ("1.24", "1.24")
    assert finding["message"] == message
    assert (finding["replacement"], finding["replacement_since"]) == ("audit.k8s.io/v1", "1.12")
    assert finding["config"]["component"] == "kube-apiserver"
    assert finding["config"]["use"] == ("writes" if kind == "Event" else "reads")


def test_served_apis_carry_no_config(findings: dict[tuple[str, str], list[Any]]) -> None:
    for (api_version, _), found in findings.items():
        if not api_version.startswith("audit.k8s.io/"):
            assert [f["config"] for f in found] == [None] * len(found)


def test_the_plan_edits_config_files_and_converts_served_objects(tmp_path: Path) -> None:
    """`kubectl convert` knows served kinds only: a file kube-apiserver reads is changed
    where it is kept, and a format it writes by dropping the flag that asks for it."""
    pairs = [(a, k) for a, k, _ in CONFIG_FILES] + [("extensions/v1beta1", "Ingress")]
    (tmp_path / "old.yaml").write_text(_manifest(pairs), encoding="utf-8")
    out = tmp_path / "plan.checklist.md"
    command = [sys.executable, "-m", "upgradecheck", "scan", str(tmp_path / "old.yaml")]
    subprocess.run([*command, "--target", TARGET, "-o", str(out)], check=False)
    steps = out.read_text(encoding="utf-8").split("\n- [ ] ")
    policy = [s for s in steps if "Policy file" in s]
    event = [s for s in steps if "--audit-log-version" in s and "Remove" in s]
    ingress = [s for s in steps if "Ingress object" in s]
    assert [s.split(" to audit.k8s.io/v1,")[0].rsplit(" ", 1)[1] for s in policy] == [
        "audit.k8s.io/v1alpha1",
        "audit.k8s.io/v1beta1",
    ], steps
    assert all("reads through --audit-policy-file" in s for s in policy)
    assert len(event) == 1 and "accepts audit.k8s.io/v1" in event[0], steps
    assert all("kubectl convert" not in s for s in policy + event)
    assert len(ingress) == 1 and "kubectl convert" in ingress[0]


@pytest.mark.parametrize("api_version,kind", CURRENT, ids=[f"{a}-{k}" for a, k in CURRENT])
def test_current_versions_get_no_finding(
    findings: dict[tuple[str, str], list[Any]], api_version: str, kind: str
) -> None:
    assert (api_version, kind) not in findings


def test_a_renamed_group_points_at_the_new_group(
    findings: dict[tuple[str, str], list[Any]],
) -> None:
    # cert-manager 0.11 split certmanager.k8s.io into two groups
    cert = _only(findings, "certmanager.k8s.io/v1alpha1", "Certificate")
    order = _only(findings, "certmanager.k8s.io/v1alpha1", "Order")
    assert cert["replacement"].startswith("cert-manager.io/")
    assert order["replacement"].startswith("acme.cert-manager.io/")
    assert "cert-manager.io/*" in cert["remediation"]


def test_every_scanned_object_is_accounted_for(
    findings: dict[tuple[str, str], list[Any]],
) -> None:
    expected = {(a, k) for a, k, *_ in ADD_ON_REMOVED + ADD_ON_DEPRECATED + BUILT_IN_REMOVED}
    expected |= {(a, k) for a, k, _ in CONFIG_FILES}
    assert set(findings) == expected
