"""Hostile object shapes through scan, assess, every renderer and compare, and through `plan`
against the fake API server: no exception, a report is written, the exit code is 0, 1 or 2.
A value a check cannot judge is a coverage gap naming the object and the value; a check
that fails anyway is a gap naming the check, and the rest of the report stands."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakeapi.fixtures import load_cluster
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli_runner import run_cli
from support.hostile import Hostile, observed

from upgradecheck.assess import assess
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.upgrade_path import UpgradePathCheck
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.compare import CompareMode, compare_snapshots
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.model import Finding, Report, Verdict
from upgradecheck.render import COMPARISON_FORMATS, OutputFormat
from upgradecheck.render.interface import RenderOptions
from upgradecheck.render.json_report import JsonRenderer
from upgradecheck.render.text import TextRenderer
from upgradecheck.shapes import as_int, as_list, as_str, as_strs
from upgradecheck.snapshot_io import read_snapshot, snapshot_from_dict
from upgradecheck.versions import VersionError, parse_minor

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "cluster-1.23.snapshot.json"
KB = load_knowledge_base()
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
BASE = read_snapshot(EXAMPLE)
# A few thousand hostile manifests in a few seconds: up to 12 objects a case.
BULK = settings(
    max_examples=250,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CLI = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
REPORT_FILES = {
    "html": ("report.html",),
    "markdown": ("report.md",),
    "checklist": ("report.md", "--format", "checklist"),
    "json": ("report.json",),
    "text": ("report.txt",),
}
COMPARE_FILES = {"html": "cmp.html", "markdown": "cmp.md", "json": "cmp.json", "text": "cmp.txt"}


def checked(report: Report) -> Report:
    """The report, once sure that no check failed on its input."""
    failed = [note.describe() for note in report.coverage if note.subject.startswith("check ")]
    assert not failed, failed
    return report


def _write_manifests(folder: Path, manifests: Iterable[dict[str, Any]]) -> None:
    docs = list(manifests)
    (folder / "all.yaml").write_text(yaml.safe_dump_all(docs, allow_unicode=False))
    (folder / "one.json").write_text(json.dumps(docs[0] if docs else {}))


# --- the guarded readers -------------------------------------------------------------------


def test_guarded_readers_read_wrong_types_as_absent() -> None:
    assert as_int(3) == 3 and as_int(-(2**63) + 1) == -(2**63) + 1
    assert [as_int(v) for v in (True, 2**63, -(2**63), 10**400, 1.0, "3", None)] == [None] * 7
    assert as_str("x") == "x" and as_str(["x"]) is None
    assert as_strs(["a", 1, None, "b", ["c"]]) == ["a", "b"] and as_strs("ab") == []
    assert as_list([1]) == [1] and as_list({"a": 1}) == [] and as_list("ab") == []


def test_a_version_of_thousands_of_digits_is_a_version_error() -> None:
    for text in ("1." + "9" * 5000, "9" * 5000 + ".1", "v1.2." + "3" * 5000):
        with pytest.raises(VersionError):
            parse_minor(text)


# --- the samples an attacker used -----------------------------------------------------------

SAMPLES: dict[str, str] = {
    "template-is-a-string": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
        "spec: {replicas: 1, template: oops}\n"
    ),
    "status-is-a-string": (
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: kube-proxy, namespace: "
        "kube-system}\nspec: {template: {spec: {containers: [{name: kube-proxy, image: "
        "'registry.k8s.io/kube-proxy:v1.29.4'}]}}}\nstatus: x\n---\n"
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: things.example.com}\nspec: {group: example.com}\nstatus: x\n"
    ),
    "spec-is-a-list": (
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: shop}"
        "\nspec: [1]\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition"
        "\nmetadata: {name: things.example.com}\nspec: [1]\nstatus: {storedVersions: 5}\n"
    ),
    # The scanner refuses a number Python cannot read; one of 400 digits is read, and must
    # not reach float arithmetic (a budget's percentage of that many pods).
    "integer-of-5000-digits": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
        f"spec: {{replicas: {'9' * 5000}}}\n---\napiVersion: policy/v1\n"
        "kind: PodDisruptionBudget\nmetadata: {name: p, namespace: shop}\n"
        "spec: {minAvailable: '50%', selector: {}}\n"
        f"status: {{expectedPods: {'9' * 400}}}\n"
    ),
    "custom-resource-named-deployment": (
        "apiVersion: example.com/v1\nkind: Deployment\n"
        "metadata: {name: web, namespace: kube-system}\n"
        "spec: {template: {metadata: [1], spec: {containers: [{name: [x], image: {a: 1}}], "
        "volumes: 7}}, selector: {matchExpressions: [{key: a, operator: In, values: 3}]}}\n"
    ),
}


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_sample_is_scanned_and_reported(
    sample: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.yaml").write_text(SAMPLES[sample])
    out = tmp_path / "report.json"
    code, _, err = run_cli(
        monkeypatch, capsys, "scan", str(tmp_path / "m.yaml"), "--target", "1.30", "-o", str(out)
    )
    assert code in (0, 1, 2), err
    doc = json.loads(out.read_text())
    assert doc["schema"] == "upgradecheck.report/v1"
    assert not [w for w in doc["coverage"]["warnings"] if w.startswith("check ")]
    if sample == "integer-of-5000-digits":
        # The reader refuses the unreadable number (exit 2) and still reports the rest.
        assert code == 2 and "m.yaml" in " ".join(doc["coverage"]["warnings"])


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_sample_in_a_snapshot_is_assessed_and_reported(
    sample: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(EXAMPLE.read_text())
    for manifest in yaml.safe_load_all(SAMPLES[sample].replace("9" * 5000, "9" * 4000)):
        document["objects"].append(observed(manifest, []))
    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps(document))
    out = tmp_path / "report.html"
    code, _, err = run_cli(
        monkeypatch, capsys, "assess", str(snap), "--target", "1.26", "-o", str(out)
    )
    assert code == 1, err  # the example's own blockers
    assert "check " not in err and out.stat().st_size > 0


def test_a_snapshot_holding_a_number_of_5000_digits_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = tmp_path / "snap.json"
    snap.write_text(EXAMPLE.read_text().replace('"replicas": 3', '"replicas": ' + "9" * 5000, 1))
    code, out, err = run_cli(monkeypatch, capsys, "assess", str(snap), "--target", "1.26")
    assert code == 2 and not out
    assert err.startswith(f"upgradecheck: error: {snap}: not a snapshot") and "Traceback" not in err


def _kube_proxy_tagged(document: dict[str, Any], tag: str) -> dict[str, Any]:
    document = copy.deepcopy(document)
    document["objects"].append(
        observed(
            {
                "apiVersion": "apps/v1",
                "kind": "DaemonSet",
                "metadata": {"name": "kube-proxy", "namespace": "kube-system"},
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "kube-proxy",
                                    "image": f"registry.example.com/kube-system/kube-proxy:{tag}",
                                }
                            ]
                        }
                    }
                },
            },
            [],
        )
    )
    return document


def test_kube_proxy_tag_that_is_no_kubernetes_version_is_a_gap_not_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps(_kube_proxy_tagged(json.loads(EXAMPLE.read_text()), "5.24.0")))
    out = tmp_path / "report.json"
    code, _, err = run_cli(
        monkeypatch, capsys, "assess", str(snap), "--target", "1.26", "-o", str(out)
    )
    assert code == 1, err
    doc = json.loads(out.read_text())
    assert (
        "DaemonSet kube-system/kube-proxy: the image tag of spec.template.spec.containers"
        "[kube-proxy].image (registry.example.com/kube-system/kube-proxy:5.24.0): '5.24.0' is "
        "not a Kubernetes 1.x version, so it is not judged against the version skew policy"
    ) in doc["coverage"]["warnings"]
    # kube-proxy is judged from the nodes' reports instead, as when no DaemonSet is seen.
    assert any(f["rule"] == "kube-proxy-skew" for f in doc["findings"])


def test_versions_of_another_major_are_gaps_naming_each_node_client_and_release() -> None:
    document = json.loads(EXAMPLE.read_text())
    document["nodes"][0]["kubelet_version"] = "v5.24.0"
    document["nodes"][1]["kubelet_version"] = "oops"
    document["clients"][0]["version"] = "v2.0.1"
    document["helm_releases"][1]["kube_version"] = ">=1." + "9" * 5000
    # Read as it stands, this one took the range parser minutes (quadratic in its length).
    document["helm_releases"][2]["kube_version"] = "1" * 200_000
    first, second = document["nodes"][0]["name"], document["nodes"][1]["name"]
    release = document["helm_releases"][1]
    report = checked(assess(snapshot_from_dict(document), KB, target="1.26", now=NOW))
    gaps = {note.subject: note.reason for note in report.gaps}
    assert gaps[f"node {first}"].startswith("kubelet version: 'v5.24.0' is not a Kubernetes 1.x")
    assert gaps[f"node {second}"].startswith("kubelet version: 'oops' is not")
    assert gaps["kubectl /usr/local/bin/kubectl"].startswith("its version: 'v2.0.1' is not")
    assert gaps[f"helm release {release['namespace']}/{release['name']}"].startswith(
        "chart kubeVersion '>=1.999"
    )
    assert gaps["helm release kube-system/metrics-server"].startswith("chart kubeVersion '111")
    assert report.verdict is not Verdict.READY


class _Broken(Check):
    """A check with a bug the snapshot reveals, after one finding."""

    rules = UpgradePathCheck.rules

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        yield from UpgradePathCheck().run(ctx)
        raise KeyError("spec")


def test_a_check_that_fails_is_a_gap_naming_it_and_the_rest_of_the_report_stands() -> None:
    report = assess(BASE, KB, target="1.26", now=NOW, checks=(_Broken(), UpgradePathCheck()))
    [gap] = [note for note in report.gaps if note.subject == "check _Broken"]
    assert gap.reason == (
        "stopped on an unexpected error (KeyError: 'spec'); the rules upgrade-path were not "
        "fully judged. Please report this as an upgradecheck bug."
    )
    # What it found before failing is kept, and the other check ran.
    assert [f.rule for f in report.findings] == ["upgrade-path", "upgrade-path"]
    assert report.verdict is Verdict.REVIEW


# --- properties -------------------------------------------------------------------------------


SEEDS = st.integers(0, 2**64 - 1)


@BULK
@given(SEEDS)
def test_hostile_snapshots_are_assessed_rendered_and_compared(seed: int) -> None:
    snapshot = snapshot_from_dict(Hostile(random.Random(seed)).snapshot(objects=12))
    report = checked(assess(snapshot, KB, now=NOW))
    assert JsonRenderer().render(report) and TextRenderer(RenderOptions(width=100)).render(report)
    for mode in CompareMode:
        assert compare_snapshots(BASE, snapshot, mode=mode, files=("a", "b")).verdict
        comparison = compare_snapshots(snapshot, snapshot, mode=mode, files=("a", "b"))
        assert COMPARISON_FORMATS.renderer(OutputFormat.JSON).render(comparison)


@BULK
@given(SEEDS)
def test_hostile_manifests_are_scanned_and_assessed(seed: int) -> None:
    hostile = Hostile(random.Random(seed))
    with tempfile.TemporaryDirectory() as tmp:
        _write_manifests(Path(tmp), [hostile.manifest() for _ in range(12)])
        snapshot = scan_manifests([tmp])
    assert not [note for note in snapshot.coverage if note.is_input_error]
    report = checked(assess(snapshot, KB, target="1.30", current="1.28", now=NOW))
    assert JsonRenderer().render(report) and TextRenderer(RenderOptions(width=100)).render(report)


@CLI
@given(
    seed=SEEDS,
    report_format=st.sampled_from(sorted(REPORT_FILES)),
    compare_format=st.sampled_from(sorted(COMPARE_FILES)),
)
def test_hostile_input_through_the_cli_writes_every_report(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    seed: int,
    report_format: str,
    compare_format: str,
) -> None:
    hostile = Hostile(random.Random(seed))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "manifests").mkdir()
        _write_manifests(folder / "manifests", [hostile.manifest() for _ in range(6)])
        snap = folder / "snap.json"
        snap.write_text(json.dumps(hostile.snapshot(objects=6)))
        out, *extra = REPORT_FILES[report_format]
        compare_out = folder / COMPARE_FILES[compare_format]
        runs = [
            (
                "scan",
                str(folder / "manifests"),
                "--target",
                "1.30",
                *extra,
                "-o",
                str(folder / out),
            ),
            ("assess", str(snap), *extra, "-o", str(folder / ("2" + out))),
            ("compare", str(EXAMPLE), str(snap), "-o", str(compare_out)),
        ]
        for args in runs:
            code, _, err = run_cli(monkeypatch, capsys, *args)
            assert code in (0, 1, 2) and "Traceback" not in err, (args, err)
            assert "check " not in err
        for written in (folder / out, folder / ("2" + out), compare_out):
            assert written.stat().st_size > 0, written


@pytest.mark.parametrize("report_format", sorted(REPORT_FILES))
def test_every_renderer_writes_a_report_of_hostile_shapes(
    report_format: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "m.yaml").write_text("---\n".join(SAMPLES.values()).replace("9" * 5000, "9"))
    out, *extra = REPORT_FILES[report_format]
    code, _, err = run_cli(
        monkeypatch, capsys, "scan", str(tmp_path / "m.yaml"), *extra, "-o", str(tmp_path / out)
    )
    assert code in (0, 1) and "check " not in err, err
    assert (tmp_path / out).stat().st_size > 0


# --- the live path ----------------------------------------------------------------------------

# A custom resource named like a built-in kind, in a group the collector lists whole (an
# add-on group whose old versions name no kinds), so it reaches the checks.
_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "deployments.config.istio.io"},
    "spec": {
        "group": "config.istio.io",
        "scope": "Namespaced",
        "names": {"plural": "deployments", "kind": "Deployment", "singular": "deployment"},
        "versions": [{"name": "v1alpha2", "served": True, "storage": True}],
    },
    "status": {"storedVersions": "v1alpha2"},
}


def _live_hostile_objects() -> list[dict[str, Any]]:
    def meta(name: str, namespace: str = "shop") -> dict[str, Any]:
        return {"name": name, "namespace": namespace}

    return [
        _CRD,
        {
            "apiVersion": "config.istio.io/v1alpha2",
            "kind": "Deployment",
            "metadata": meta("web-custom"),
            "spec": {"template": {"spec": {"containers": "x"}}, "replicas": "three"},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta("hostile-template"),
            "spec": {"template": "oops", "selector": {"matchLabels": [1]}},
            "status": "x",
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta("hostile-pdb"),
            "spec": [1],
            "status": {"expectedPods": 10**400, "disruptionsAllowed": "0"},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {**meta("hostile-pod"), "ownerReferences": "none", "labels": [1]},
            "spec": {"containers": [{"name": ["x"], "image": 5}], "volumes": {"a": 1}},
            "status": {"containerStatuses": [{"restartCount": 10**400, "state": "x"}]},
        },
    ]


def test_plan_against_a_server_serving_hostile_shapes_writes_its_report(
    fakeapi: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster = load_cluster("v1.31")
    for obj in cluster.objects_of_kind("DaemonSet"):
        if obj["metadata"]["name"] == "kube-proxy":
            for container in obj["spec"]["template"]["spec"]["containers"]:
                container["image"] = "registry.example.com/kube-system/kube-proxy:5.24.0"
    for node in cluster.objects_of_kind("Node")[:1]:
        node["status"] = "x"
    cluster.objects.extend(_live_hostile_objects())
    api = fakeapi(cluster)
    snap = tmp_path / "snap.json"
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "collect",
        "--kubeconfig",
        str(api.kubeconfig_path),
        "-q",
        "-o",
        str(snap),
    )
    assert code == 0, err
    collected = {(o["kind"], o["name"]): o for o in json.loads(snap.read_text())["objects"]}
    # The hostile shapes reach the checks as served.
    assert collected[("Deployment", "web-custom")]["apiVersion"] == "config.istio.io/v1alpha2"
    assert collected[("Deployment", "hostile-template")]["body"]["spec"]["template"] == "oops"
    assert collected[("PodDisruptionBudget", "hostile-pdb")]["body"]["spec"] == [1]
    out = tmp_path / "plan.json"
    code, _, err = run_cli(
        monkeypatch, capsys, "plan", "--kubeconfig", str(api.kubeconfig_path), "-q", "-o", str(out)
    )
    assert code in (0, 1), err
    doc = json.loads(out.read_text())
    warnings = doc["coverage"]["warnings"]
    assert not [w for w in warnings if w.startswith("check ")]
    assert any(
        w.startswith("DaemonSet kube-system/kube-proxy: the image tag of") and "'5.24.0'" in w
        for w in warnings
    ), warnings
    assert api.methods() == {"GET"}
