"""`plan --publish` and `assess --publish` against the fake API server: the reports land by
server-side apply and read back with the real kubernetes client (and kubectl), a namespace
made clean loses its report, result ids hold across days, scoped runs leave the rest alone,
and nothing but the reports is ever written."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import types
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakeapi import FakeApiServer
from fakeapi.policyreports import problems
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from msgspec import structs
from support.cli_runner import run_cli
from support.clients import kubectl_binaries
from support.publish_fixtures import collected

from upgradecheck import assess as assess_module
from upgradecheck.collect.cluster import collector as collector_module
from upgradecheck.collect.cluster.endpoint import load_endpoint
from upgradecheck.model import Finding, ObjectRef, Report, Severity, Verdict
from upgradecheck.publish import Reach
from upgradecheck.publish.cluster import ClusterReports
from upgradecheck.publish.policyreports import PolicyReportPublisher
from upgradecheck.render.policyreport import dump_documents, policy_reports

GROUP, VERSION = "wgpolicyk8s.io", "v1alpha2"


@pytest.fixture
def api(fakeapi: Any) -> FakeApiServer:
    server: FakeApiServer = fakeapi("v1.21", policy_reports=True)
    return server


def plan(monkeypatch: Any, capsys: Any, api: FakeApiServer, *args: str) -> tuple[int, str, str]:
    return run_cli(
        monkeypatch, capsys, "plan", "--kubeconfig", str(api.kubeconfig_path), "--target",
        "1.25", *args,
    )


def newest_kubectl() -> Path:
    """The newest real kubectl of the test cache (the test skips without one)."""
    found = kubectl_binaries()
    return found[max(found, key=lambda minor: tuple(map(int, minor.split("."))))]


def stored(api: FakeApiServer) -> dict[tuple[str | None, str], dict[str, Any]]:
    """Every report in the cluster, read with the official client: (namespace, name) → it."""
    assert api.kubeconfig_path is not None
    cfg = k8s.Configuration()
    k8s_config.load_kube_config(config_file=str(api.kubeconfig_path), client_configuration=cfg)
    with k8s.ApiClient(cfg) as client:
        objects = k8s.CustomObjectsApi(client)
        found = {}
        for plural in ("clusterpolicyreports", "policyreports"):
            for item in objects.list_cluster_custom_object(GROUP, VERSION, plural)["items"]:
                meta = item["metadata"]
                found[(meta.get("namespace"), meta["name"])] = item
    return found


def empty(api: FakeApiServer, namespace: str) -> None:
    """Fix a namespace the blunt way: nothing left in it but its reports."""
    assert api.store.empty_namespace(namespace, keep_groups=(GROUP,)) > 0


def frozen_clock(monkeypatch: Any, when: dt.datetime) -> None:
    """Collect and assess as if it were `when`."""

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Frozen:
            return cls.fromtimestamp(when.timestamp(), tz)

    clock = types.SimpleNamespace(**{k: getattr(dt, k) for k in dir(dt) if k[0] != "_"})
    clock.datetime = Frozen
    monkeypatch.setattr(assess_module, "dt", clock)
    monkeypatch.setattr(collector_module, "dt", clock)


def test_plan_publishes_what_policyreport_renders(
    api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    out = tmp_path / "reports.yaml"
    code, _, err = plan(monkeypatch, capsys, api, "--publish", "-o", str(out))
    assert code == 1, err  # blockers: publishing does not change the verdict's exit code
    rendered = [d for d in yaml.safe_load_all(out.read_text()) if d]
    assert f"upgradecheck: published {len(rendered)} reports to {api.url}" in err
    back = stored(api)
    assert set(back) == {(d["metadata"].get("namespace"), d["metadata"]["name"]) for d in rendered}
    assert set(back) >= {(None, "upgradecheck"), ("shop", "upgradecheck"),
                         ("legacy-apps", "upgradecheck"), ("payments", "upgradecheck")}
    for doc in rendered:
        obj = back[(doc["metadata"].get("namespace"), doc["metadata"]["name"])]
        assert obj["results"] == doc["results"] and obj["summary"] == doc["summary"]
        assert obj["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "upgradecheck"}
        assert obj["metadata"]["managedFields"][0]["manager"] == "upgradecheck"
        assert problems({k: v for k, v in obj.items() if k != "metadata"} | {
            "metadata": {}}) == []
    lists = [r for r in api.requests if r.path.startswith(f"/apis/{GROUP}/{VERSION}/")
             and r.method == "GET" and "publishing" in r.user_agent]
    assert len(lists) == 2 and all("as=PartialObjectMetadataList" in r.accept for r in lists)
    writes = [r for r in api.requests if r.method != "GET"]
    assert writes and {r.method for r in writes} == {"PATCH"}
    for r in writes:
        assert r.path.startswith(f"/apis/{GROUP}/{VERSION}/")
        assert r.content_type == "application/apply-patch+yaml"
        assert r.param("fieldManager") == "upgradecheck" and r.param("force") == "true"
        assert r.status in (200, 201)
        assert "publishing PolicyReports" in r.user_agent


def test_kubectl_reads_the_published_reports(
    api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    kubectl = newest_kubectl()
    code, _, err = plan(monkeypatch, capsys, api, "--publish", "--fail-on", "none", "-f", "json")
    assert code == 0, err
    result = subprocess.run(
        [str(kubectl), "--kubeconfig", str(api.kubeconfig_path), "--cache-dir",
         str(tmp_path / "cache"), "get", "policyreports", "-A"],
        capture_output=True, text=True, timeout=60, env={"HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.split(r"\s+", lines[0].strip())[:7] == [
        "NAMESPACE", "NAME", "PASS", "FAIL", "WARN", "ERROR", "SKIP"]
    rows = {tuple(line.split()[:2]) for line in lines[1:]}
    assert ("shop", "upgradecheck") in rows and ("payments", "upgradecheck") in rows
    shop = stored(api)[("shop", "upgradecheck")]["summary"]
    shop_row = next(line.split() for line in lines[1:] if line.split()[:2] == ["shop",
                                                                              "upgradecheck"])
    assert shop_row[2:7] == [str(shop[k]) for k in ("pass", "fail", "warn", "error", "skip")]


def test_a_namespace_made_clean_loses_its_report(
    api: FakeApiServer, monkeypatch: Any, capsys: Any
) -> None:
    assert plan(monkeypatch, capsys, api, "--publish", "-f", "json")[0] == 1
    assert ("payments", "upgradecheck") in stored(api)
    empty(api, "payments")  # its workloads moved, its budget migrated
    code, _, err = plan(monkeypatch, capsys, api, "--publish", "-f", "json")
    assert code == 1, err
    assert "deleted 1 earlier report: PolicyReport payments/upgradecheck" in err
    after = stored(api)
    assert ("payments", "upgradecheck") not in after and ("shop", "upgradecheck") in after
    deletes = [r for r in api.requests if r.method == "DELETE"]
    assert [r.path for r in deletes] == [
        f"/apis/{GROUP}/{VERSION}/namespaces/payments/policyreports/upgradecheck"]


def test_result_ids_hold_from_one_day_to_the_next(
    api: FakeApiServer, monkeypatch: Any, capsys: Any
) -> None:
    def run_on(day: dt.datetime) -> dict[str, str]:
        frozen_clock(monkeypatch, day)
        assert plan(monkeypatch, capsys, api, "--publish", "-f", "json")[0] == 1
        return {
            r["properties"]["resultID"]: r["message"]
            for report in stored(api).values()
            for r in report["results"]
        }

    first = run_on(dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC))
    second = run_on(dt.datetime(2025, 9, 17, 21, 30, tzinfo=dt.UTC))
    assert first.keys() == second.keys()
    changed = [rid for rid in first if first[rid] != second[rid]]
    assert changed, "the messages should differ between the two days (ages, deadlines)"
    stamps = {r["timestamp"]["seconds"] for rep in stored(api).values() for r in rep["results"]}
    assert stamps == {int(dt.datetime(2025, 9, 17, 21, 30, tzinfo=dt.UTC).timestamp())}


def test_a_dry_run_says_what_it_would_do_and_stores_nothing(
    api: FakeApiServer, monkeypatch: Any, capsys: Any
) -> None:
    code, _, err = plan(monkeypatch, capsys, api, "--publish", "--dry-run", "-f", "json")
    assert code == 1, err
    assert re.search(r"upgradecheck: dry run, nothing written: would have published \d+ "
                     r"reports to https://127\.0\.0\.1:\d+ \(context fake\)", err), err
    assert stored(api) == {}
    writes = [r for r in api.requests if r.method != "GET"]
    assert writes and all(r.param("dryRun") == "All" and r.status == 201 for r in writes)
    assert plan(monkeypatch, capsys, api, "--publish", "-f", "json")[0] == 1
    before = stored(api)
    empty(api, "payments")
    api.clear_requests()
    code, _, err = plan(monkeypatch, capsys, api, "--publish", "--dry-run", "-f", "json")
    assert code == 1, err
    assert ("dry run, nothing written: would have deleted 1 earlier report: PolicyReport "
            "payments/upgradecheck") in err
    assert stored(api) == before
    deletes = [r for r in api.requests if r.method == "DELETE"]
    assert [r.param("dryRun") for r in deletes] == ["All"]


def test_dry_run_wants_publish(monkeypatch: Any, capsys: Any) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "assess", "x.json", "--dry-run")
    assert code == 2 and "add --publish" in err


def test_a_scoped_run_speaks_only_for_its_namespaces(
    api: FakeApiServer, monkeypatch: Any, capsys: Any
) -> None:
    assert plan(monkeypatch, capsys, api, "--publish", "-f", "json")[0] == 1
    before = stored(api)
    empty(api, "payments")
    empty(api, "legacy-apps")
    code, _, err = plan(monkeypatch, capsys, api, "--publish", "-f", "json", "-n", "shop",
                        "-n", "legacy-apps")
    assert code == 1, err
    after = stored(api)
    assert ("payments", "upgradecheck") in after  # outside the scope: left alone
    assert ("legacy-apps", "upgradecheck") not in after  # in scope and now clean
    assert after[("payments", "upgradecheck")]["results"] == before[
        ("payments", "upgradecheck")]["results"]
    code, _, err = plan(monkeypatch, capsys, api, "--publish", "-f", "json", "-l", "team=none")
    assert ("payments", "upgradecheck") in stored(api), err  # a selector speaks for no one


def test_assess_publishes_a_saved_snapshot(
    api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    snapshot = collected(api, monkeypatch, capsys, tmp_path)
    api.clear_requests()
    code, out, err = run_cli(
        monkeypatch, capsys, "assess", str(snapshot), "--target", "1.25", "--publish",
        "--kubeconfig", str(api.kubeconfig_path), "--context", "fake", "-f", "markdown",
    )
    assert code == 1, err
    assert out.startswith("#") and "published" in err
    assert ("shop", "upgradecheck") in stored(api)
    assert {r.method for r in api.requests} == {"GET", "PATCH"}


def test_assess_wants_publish_before_a_kubeconfig(
    monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "assess", "x.json", "--kubeconfig", "k")
    assert code == 2 and "add --publish" in err


def test_without_the_crds_one_line_and_exit_4_and_the_report_is_kept(
    fakeapi: Any, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    plain = fakeapi("v1.21")
    out = tmp_path / "plan.html"
    code, _, err = plan(monkeypatch, capsys, plain, "--publish", "-o", str(out))
    assert code == 4
    assert out.read_text().startswith("<!") and "blocked" in err
    lines = [line for line in err.splitlines() if "error" in line]
    assert lines == [
        "upgradecheck: error: the report was written but not published: the cluster does not "
        "serve wgpolicyk8s.io/v1alpha2 PolicyReports: install the PolicyReport CRDs (Kyverno "
        "installs them, or apply the v1alpha2 CRDs of kubernetes-sigs/wg-policy-prototypes)"
    ]
    assert {r.method for r in plain.requests} == {"GET"}


def test_forbidden_writes_say_which_rules_are_missing(
    api: FakeApiServer, monkeypatch: Any, capsys: Any
) -> None:
    api.faults.forbid(f"/apis/{GROUP}/{VERSION}/namespaces/*")
    code, out, err = plan(monkeypatch, capsys, api, "--publish", "-f", "json")
    assert code == 4 and out.startswith("{")
    assert "apply policyreports " in err and "forbidden (403)" in err
    assert "`upgradecheck rbac --publish`" in err


def test_an_unreachable_cluster_at_publishing_is_exit_3(
    api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    snapshot = collected(api, monkeypatch, capsys, tmp_path)
    kubeconfig = api.kubeconfig_path
    api.stop()
    code, out, err = run_cli(monkeypatch, capsys, "assess", str(snapshot), "--target", "1.25",
                             "--publish", "--kubeconfig", str(kubeconfig), "-f", "json")
    assert code == 3 and out.startswith("{")
    assert "not published: cannot reach the API server" in err
    assert "connection refused (3 attempts)" in err  # the collector's retries and words


def test_collect_and_plan_without_publish_write_nothing(
    api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    for fmt in ("policyreport", "html"):
        code, _, err = plan(monkeypatch, capsys, api, "-f", fmt, "-o", str(tmp_path / fmt))
        assert code == 1, err
    code, _, err = run_cli(monkeypatch, capsys, "collect", "--kubeconfig",
                           str(api.kubeconfig_path), "-o", str(tmp_path / "s.json.gz"), "-q")
    assert code == 0, err
    assert len(api.requests) > 100 and api.methods() == {"GET"}
    assert stored(api) == {}


def test_a_namespace_gone_since_the_snapshot_is_skipped_and_said(
    api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    snapshot = collected(api, monkeypatch, capsys, tmp_path)
    namespaces = api.store.lookup("", "v1", "namespaces")
    assert api.store.remove(namespaces, "", "payments") is not None
    code, _, err = run_cli(monkeypatch, capsys, "assess", str(snapshot), "--target", "1.25",
                           "--publish", "--kubeconfig", str(api.kubeconfig_path), "-f", "json")
    assert code == 1, err
    assert ("upgradecheck: not published: PolicyReport payments/upgradecheck: namespace "
            "payments does not exist") in err
    assert ("shop", "upgradecheck") in stored(api) and ("payments", "upgradecheck") not in stored(
        api)


def _bulk(count: int) -> Report:
    """`count` blockers in namespace shop, with long remediations: several reports' worth."""
    findings = tuple(
        Finding(
            rule="api-removed", severity=Severity.BLOCKER, message=f"budget {i} is old",
            remediation="Move to policy/v1. " + "An empty selector now selects every pod. " * 20,
            hop="1.25", object=ObjectRef("policy/v1beta1", "PodDisruptionBudget", "shop",
                                         f"budget-{i:05d}"),
            replacement="policy/v1", removed_in="1.25",
        )
        for i in range(count)
    )
    return Report(target_version="1.25", current_version="1.24", hops=("1.25",),
                  verdict=Verdict.BLOCKED, findings=findings, coverage=(), source="snapshot",
                  generated_at="2025-03-01T12:00:00Z", tool_version="0.1.0")


def test_a_large_report_lands_in_several_objects_and_shrinks_back(api: FakeApiServer) -> None:
    reports = ClusterReports(load_endpoint(str(api.kubeconfig_path), None))
    publisher = PolicyReportPublisher(reports)
    big = publisher.publish(_bulk(600), Reach())
    shop = [name for ns, name in stored(api) if ns == "shop"]
    assert sorted(shop) == sorted(["upgradecheck", *(f"upgradecheck-{i}" for i in range(
        2, len(shop) + 1))]) and len(shop) >= 3
    assert len(big.applied) == len(shop) + 1  # and the cluster's
    ids = [r["properties"]["resultID"] for (ns, _), rep in stored(api).items() if ns == "shop"
           for r in rep["results"]]
    assert len(ids) == len(set(ids)) == 600
    small = publisher.publish(_bulk(10), Reach(partial=True))
    reports.close()
    assert sorted(name for ns, name in stored(api) if ns == "shop") == ["upgradecheck"]
    assert set(small.deleted) == {f"PolicyReport shop/{name}" for name in shop} - {
        "PolicyReport shop/upgradecheck"}


def test_kubectl_applies_the_rendered_file(
    api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    out = tmp_path / "reports.yaml"
    assert plan(monkeypatch, capsys, api, "-o", str(out))[0] == 1
    rendered = [d for d in yaml.safe_load_all(out.read_text()) if d]
    result = subprocess.run(
        [str(newest_kubectl()), "--kubeconfig", str(api.kubeconfig_path), "--cache-dir",
         str(tmp_path / "cache"), "apply", "--server-side", "--validate=false", "-f", str(out)],
        capture_output=True, text=True, timeout=60, env={"HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(rendered)
    back = stored(api)
    for doc in rendered:
        obj = back[(doc["metadata"].get("namespace"), doc["metadata"]["name"])]
        assert obj["results"] == doc["results"]
        assert obj["metadata"]["managedFields"][0]["manager"] == "kubectl"


def test_text_utf8_cannot_hold_is_published_escaped(api: FakeApiServer) -> None:
    """A message holding a lone surrogate (a name read from undecodable bytes) is published
    with "?" in its place, not refused by the API server or failing to encode."""
    odd = _bulk(1)
    finding = structs.replace(odd.findings[0], message="budget x-\ud800-y is old")
    report = dataclasses.replace(odd, findings=(finding,))
    PolicyReportPublisher(ClusterReports(load_endpoint(str(api.kubeconfig_path), None))).publish(
        report, Reach()
    )
    (result,) = stored(api)[("shop", "upgradecheck")]["results"]
    assert result["message"] == "budget x-?-y is old"


def test_a_rendered_file_holding_a_lone_surrogate_is_applied_as_published(
    api: FakeApiServer, tmp_path: Path
) -> None:
    """kubectl's YAML reader refuses a surrogate's escape: the file holds "?" in its place,
    so that applying it stores what publishing stores (the test above)."""
    odd = _bulk(1)
    finding = structs.replace(odd.findings[0], message="budget x-\ud800-y is old")
    out = tmp_path / "reports.yaml"
    out.write_text(dump_documents(policy_reports(dataclasses.replace(odd, findings=(finding,)))))
    result = subprocess.run(
        [str(newest_kubectl()), "--kubeconfig", str(api.kubeconfig_path), "--cache-dir",
         str(tmp_path / "cache"), "apply", "--server-side", "--validate=false", "-f", str(out)],
        capture_output=True, text=True, timeout=60, env={"HOME": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (result_entry,) = stored(api)[("shop", "upgradecheck")]["results"]
    assert result_entry["message"] == "budget x-?-y is old"
