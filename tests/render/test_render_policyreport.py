"""`--format policyreport`: wgpolicyk8s.io/v1alpha2 reports that the upstream CRD schema
accepts as they are, one per namespace plus the cluster's, with summaries that add up,
string-only properties, resultIDs that survive new dates and new wording, and no report
too large to apply."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
import yaml
from fakeapi.policyreports import problems
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec import structs
from support.render_reports import GENERATED_AT, bulk, empty, hostile, pdb, realistic

from upgradecheck.model import (
    CoverageNote,
    Evidence,
    EvidenceSource,
    Finding,
    ObjectRef,
    Report,
    Severity,
    Suppression,
)
from upgradecheck.render import REPORT_FORMATS, OutputFormat
from upgradecheck.render.policyreport import (
    MAX_REPORT_BYTES,
    PolicyReportRenderer,
    dump_documents,
    policy_reports,
)


def documents(report: Report) -> list[dict[str, Any]]:
    """The rendered YAML, parsed back (by libyaml when present: large reports parse in a
    fraction of the time)."""
    text = PolicyReportRenderer().render(report)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [doc for doc in yaml.load_all(text, Loader=loader) if doc is not None]


def results(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for doc in docs for r in doc["results"]]


def ids(docs: list[dict[str, Any]]) -> list[str]:
    return [r["properties"]["resultID"] for r in results(docs)]


def suppressed_report() -> Report:
    base = realistic()
    hidden = structs.replace(
        pdb("shop", "legacy", Evidence(EvidenceSource.FILE, "shop/pdb.yaml:1", "policy/v1beta1")),
        suppression=Suppression("migrating in Q3", "2025-09-30", ".upgradecheck.yaml:4"),
    )
    return replace(base, suppressed=(hidden,))


REPORTS = {
    "realistic": realistic,
    "empty": empty,
    "hostile": hostile,
    "suppressed": suppressed_report,
    "bulk": lambda: bulk(600, namespaces=4),
}


@pytest.mark.parametrize("build", list(REPORTS.values()), ids=list(REPORTS))
def test_every_document_is_what_the_crd_accepts_unchanged(build: Any) -> None:
    for doc in documents(build()):
        assert problems(doc) == [], doc["metadata"]


@pytest.mark.parametrize("build", list(REPORTS.values()), ids=list(REPORTS))
def test_summaries_count_the_results(build: Any) -> None:
    for doc in documents(build()):
        counted = Counter(r["result"] for r in doc["results"])
        assert doc["summary"] == {k: counted[k] for k in ("pass", "fail", "warn", "error", "skip")}


@pytest.mark.parametrize("build", list(REPORTS.values()), ids=list(REPORTS))
def test_properties_are_strings_and_ids_unique(build: Any) -> None:
    docs = documents(build())
    for result in results(docs):
        assert all(isinstance(v, str) and v for v in result["properties"].values())
        assert result["source"] == "upgradecheck"
    assert len(set(ids(docs))) == len(ids(docs))


def test_one_report_per_namespace_and_one_for_the_cluster() -> None:
    docs = documents(realistic())
    where = [(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs]
    assert where == [
        ("ClusterPolicyReport", None, "upgradecheck"),
        ("PolicyReport", "billing", "upgradecheck"),
        ("PolicyReport", "shop", "upgradecheck"),
    ]
    for doc in docs:
        assert doc["apiVersion"] == "wgpolicyk8s.io/v1alpha2"
        assert doc["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "upgradecheck"}
    shop = docs[2]
    assert [r["resources"][0]["name"] for r in shop["results"]] == ["web", "api", "db"]
    assert {r["resources"][0]["namespace"] for r in shop["results"]} == {"shop"}


def test_results_carry_the_finding() -> None:
    docs = documents(realistic())
    web = docs[2]["results"][0]
    assert web["policy"] == "api-removed"
    assert web["result"] == "fail" and web["severity"] == "high"
    assert web["resources"] == [
        {"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "name": "web",
         "namespace": "shop"}
    ]
    assert web["timestamp"] == {"seconds": 1740830400, "nanos": 0}  # 2025-03-01T12:00:00Z
    props = web["properties"]
    assert "hop" not in props and props["target"] == "1.31"  # wrong already: no hop
    flowschema = next(r for r in docs[0]["results"] if r["policy"] == "api-deprecated")
    assert flowschema["properties"]["hop"] == "1.30"
    assert props["replacement"] == "policy/v1" and props["removedIn"] == "1.25"
    assert props["evidence"] == "file manifests/shop/pdb.yaml:12 (policy/v1beta1)"
    assert props["remediation"].startswith("Move to policy/v1.")


def test_severities_and_results_follow_the_contract() -> None:
    docs = documents(suppressed_report())
    seen = {(r["policy"], r["result"], r.get("severity")) for r in results(docs)}
    assert ("api-removed", "fail", "high") in seen  # blocker
    assert ("pdb-blocks-drain", "warn", "medium") in seen  # warning
    assert ("upgrade-path", "warn", "info") in seen  # info
    assert ("api-removed", "skip", "high") in seen  # suppressed blocker
    assert ("coverage-gap", "error", None) in seen  # what could not be seen
    skipped = next(r for r in results(docs) if r["result"] == "skip")
    assert skipped["properties"]["suppressed"] == "migrating in Q3"
    assert skipped["properties"]["suppressedUntil"] == "2025-09-30"


def test_findings_about_no_object_go_to_the_cluster_report() -> None:
    cluster = documents(realistic())[0]
    subjects = {r["policy"]: r["properties"].get("subject") for r in cluster["results"]}
    assert subjects["kubelet-skew"] == "node worker-legacy-1"
    assert subjects["kubectl-skew"] == "kubectl /usr/local/bin/kubectl"
    assert subjects["upgrade-path"] == "control plane"
    assert all("resources" not in r for r in cluster["results"] if r["policy"] != "api-deprecated")
    flowschema = next(r for r in cluster["results"] if r["policy"] == "api-deprecated")
    assert flowschema["resources"][0] == {
        "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3", "kind": "FlowSchema",
        "name": "custom-batch",
    }


def test_an_empty_report_still_has_its_cluster_report() -> None:
    docs = documents(empty())
    assert len(docs) == 1 and docs[0]["kind"] == "ClusterPolicyReport"
    assert docs[0]["results"] == [] and set(docs[0]["summary"].values()) == {0}


def test_a_namespace_that_cannot_exist_holds_no_report() -> None:
    docs = documents(hostile())
    assert [d["kind"] for d in docs] == ["ClusterPolicyReport"]
    ref = docs[0]["results"][0]["resources"][0]
    assert ref["namespace"].startswith("ns <script>") and "\x1b" not in ref["namespace"]


def test_result_ids_survive_new_dates_wording_evidence_and_severity() -> None:
    first = realistic()
    reworded = tuple(
        structs.replace(
            f,
            message=f.message.replace("1.25", "1309 days before the snapshot"),
            evidence=tuple(structs.replace(e, time="2026-01-01T00:00:00Z") for e in f.evidence),
            severity=Severity.WARNING if f.severity is Severity.BLOCKER else f.severity,
        )
        for f in first.findings
    )
    later = replace(first, generated_at="2026-07-04T08:30:00.250Z", findings=reworded)
    assert ids(documents(first)) == ids(documents(later))
    stamps = {json.dumps(r["timestamp"]) for r in results(documents(later))}
    assert stamps == {json.dumps({"seconds": 1783153800, "nanos": 250_000_000})}


def test_result_ids_change_with_the_object_or_the_rule() -> None:
    base = realistic()
    web = base.findings[0]
    assert web.object is not None
    moved = structs.replace(web, object=structs.replace(web.object, name="web-2"))
    other_rule = structs.replace(web, rule="api-deprecated")
    variants = replace(empty(), findings=(web, moved, other_rule))
    assert len(set(ids(documents(variants)))) == 3


def test_findings_that_share_their_facts_still_get_distinct_stable_ids() -> None:
    def runtime(value: str, node: str) -> Finding:
        return Finding(
            rule="removed-feature",
            severity=Severity.WARNING,
            message=f"nodes of pool general run {value}",
            remediation="Move to a supported runtime.",
            subject="node pool general",
            evidence=(Evidence(EvidenceSource.NODE, node, "v1.29.1", f"runtime {value}"),),
        )

    one = replace(empty(), findings=(runtime("docker://20.10", "a"), runtime("cri-o", "b")))
    two = replace(one, findings=tuple(reversed(one.findings)), generated_at="2026-01-01T00:00:00Z")
    first, second = ids(documents(one)), ids(documents(two))
    assert len(set(first)) == 2 and first == list(reversed(second))


def test_a_counted_subject_keeps_its_id_as_the_count_changes() -> None:
    def places(n: int) -> Finding:
        return Finding(
            rule="removed-feature", severity=Severity.WARNING, message=f"{n} places use it",
            remediation="Stop.", subject=f"{n} places", link="https://example.com/feature",
        )

    assert ids(documents(replace(realistic(), findings=(places(12),)))) == ids(
        documents(replace(realistic(), findings=(places(13),)))
    )


def test_a_large_namespace_is_split_into_reports_below_the_limit() -> None:
    base = bulk(1400, namespaces=2)
    fix = "Move to policy/v1; an empty selector now selects every pod, so check it first. " * 6
    fixed = tuple(structs.replace(f, remediation=fix) for f in base.findings)
    report = replace(base, findings=fixed)
    docs = documents(report)
    names = [(d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs]
    assert names[0] == (None, "upgradecheck")
    per_ns = Counter(ns for ns, _ in names if ns)
    assert set(per_ns) == {"team-0", "team-1"} and min(per_ns.values()) >= 3
    assert ("team-0", "upgradecheck-2") in names and ("team-0", "upgradecheck-3") in names
    for doc in docs:
        size = len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode())
        assert size <= MAX_REPORT_BYTES
    budgets = [r["resources"][0]["name"] for r in results(docs) if r["policy"] == "api-removed"]
    assert sorted(budgets) == sorted(f"budget-{i:06d}" for i in range(1400))
    assert len(set(ids(docs))) == len(ids(docs))


def test_one_result_larger_than_the_budget_gets_a_report_of_its_own() -> None:
    huge = structs.replace(realistic().findings[0], remediation="x" * (MAX_REPORT_BYTES + 10))
    docs = policy_reports(replace(realistic(), findings=(huge, *realistic().findings[1:])))
    shop = [d for d in docs if d["metadata"].get("namespace") == "shop"]
    assert [len(d["results"]) for d in shop] == [1, 2]


def test_the_yaml_round_trips_to_the_objects() -> None:
    for build in REPORTS.values():
        report = build()
        assert documents(report) == json.loads(json.dumps(policy_reports(report)))


def test_no_yaml_aliases_and_each_document_starts_with_a_marker() -> None:
    text = REPORT_FORMATS.renderer(OutputFormat.POLICYREPORT).render(realistic())
    assert "&id" not in text and "*id" not in text
    assert text.startswith("---\n") and text.count("\n---\n") == 2


def test_coverage_gaps_are_errors_and_notes_are_left_out() -> None:
    report = replace(
        empty(),
        coverage=(
            CoverageNote("resource batch/v1/cronjobs", "403 Forbidden", "forbidden"),
            CoverageNote("scope", "collected only namespaces shop", "note"),
        ),
    )
    (cluster,) = documents(report)
    assert [(r["policy"], r["result"]) for r in cluster["results"]] == [("coverage-gap", "error")]
    assert cluster["summary"]["error"] == 1


def test_the_realistic_report(golden: Any) -> None:
    golden("report.policyreport.yaml.golden", PolicyReportRenderer().render(realistic()))


def test_generated_at_without_zone_is_utc() -> None:
    (cluster, *_) = documents(replace(realistic(), generated_at=GENERATED_AT.rstrip("Z")))
    assert cluster["results"][0]["timestamp"] == {"seconds": 1740830400, "nanos": 0}


def test_scan_objects_without_namespace_stay_in_the_cluster_report() -> None:
    finding = structs.replace(
        realistic().findings[0],
        object=ObjectRef("policy/v1beta1", "PodDisruptionBudget", None, "web"),
    )
    (cluster,) = documents(replace(empty(), findings=(finding,)))
    assert cluster["results"][0]["resources"][0] == {
        "apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "name": "web",
    }


def test_the_schema_check_sees_what_the_api_server_would_refuse_or_drop() -> None:
    (doc,) = policy_reports(replace(empty(), findings=(realistic().findings[0],)))[1:]
    doc["results"][0]["severity"] = "blocker"
    doc["results"][0]["properties"]["count"] = 3
    doc["results"][0]["resources"][0]["namespaceName"] = "shop"
    doc["summary"]["failed"] = 1
    found = problems(doc)
    assert any(p.startswith("results.0.severity: 'blocker' is not one of") for p in found)
    assert any(p.startswith("results.0.properties.count: 3 is not of type 'string'") for p in found)
    assert "results[0].resources[0].namespaceName: not in the schema (pruned)" in found
    assert "summary.failed: not in the schema (pruned)" in found


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_every_string_reads_back_as_itself(text: str) -> None:
    doc = {"kind": "X", "results": [{"message": text, "properties": {text or "k": text}}]}
    assert yaml.safe_load(dump_documents([doc])) == doc


@pytest.mark.parametrize(
    "text",
    ["yes", "No", "ON", "null", "~", "1.30", "0x1f", "1e5", ".inf", "- a", "a: b", "a #b",
     "2025-03-01", "'q'", '"q"', "@x", "%x", "a ", " a", "", "\u2028", "\x85", "\ufeff",
     "tab\there", "=", "<<", "!tag", "&a", "*a", "|", ">", "[a]", "{a}"],
)
def test_strings_yaml_would_misread_are_quoted(text: str) -> None:
    line = dump_documents([{"k": text}]).split("\n")[1]
    assert yaml.safe_load(line) == {"k": text}
    assert line.startswith('k: "') or (line == f"k: {text}" and text.isalpha())


@pytest.mark.parametrize("text", ["x-\ud800-y", "\udcff", "a\udfff\ud800b"])
def test_a_lone_surrogate_is_written_as_publishing_sends_it(text: str) -> None:
    # No YAML escape: kubectl's reader refuses "\ud800" (kubectl applies the file in
    # tests/publish, a surrogate included).
    line = dump_documents([{"k": text}]).split("\n")[1]
    assert "\\u" not in line
    assert yaml.safe_load(line) == {"k": text.encode(errors="replace").decode()}
