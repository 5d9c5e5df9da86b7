"""SARIF: valid against the OASIS 2.1.0 schema, rules with help links and default levels,
levels from severities, fingerprints that stay put across runs and dates, file and line for
what was read from files (charts rendered by a real helm included), the object for the rest,
suppressions with their reasons."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from msgspec import structs
from support.clients import helm_binary
from support.render_reports import GENERATED_AT, bulk, empty, hostile, realistic

from upgradecheck import HOMEPAGE
from upgradecheck.checks.rules import RULES_BY_ID
from upgradecheck.model import (
    Evidence,
    EvidenceSource,
    Finding,
    ObjectRef,
    Report,
    Severity,
    Suppression,
)
from upgradecheck.render.escaping import encoded
from upgradecheck.render.interface import RenderOptions
from upgradecheck.render.sarif import FINGERPRINT, SarifRenderer, artifact_uri, file_place
from upgradecheck.run import report_for_manifests

SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
REPO = Path(__file__).resolve().parents[2]
Golden = Callable[[str, str], None]


@cache
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def sarif(report: Report, base_dir: str | None = "/work") -> dict[str, Any]:
    """The SARIF document for `report`, checked against the schema, as written to a file."""
    text = SarifRenderer(RenderOptions(base_dir=base_dir)).render(report)
    document: dict[str, Any] = json.loads(encoded(text))
    errors = sorted(validator().iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return document


def results(report: Report, base_dir: str | None = "/work") -> list[dict[str, Any]]:
    return list(sarif(report, base_dir)["runs"][0]["results"])


def suppressed(report: Report) -> Report:
    first = structs.replace(
        report.findings[0],
        suppression=Suppression(
            "migrated in the next release", "2026-06-30", ".upgradecheck.yaml:4"
        ),
    )
    return replace(report, findings=report.findings[1:], suppressed=(first,))


def file_finding(location: str, source: EvidenceSource = EvidenceSource.FILE) -> Finding:
    return Finding(
        rule="api-removed",
        severity=Severity.BLOCKER,
        message="PodDisruptionBudget policy/v1beta1 is no longer served.",
        remediation="Move to policy/v1.",
        hop="1.25",
        object=ObjectRef("policy/v1beta1", "PodDisruptionBudget", "shop", "web"),
        evidence=(Evidence(source, location, "policy/v1beta1"),),
    )


@pytest.mark.parametrize(
    "build",
    [realistic, empty, hostile, lambda: suppressed(realistic()), lambda: bulk(50)],
    ids=["realistic", "empty", "hostile", "suppressed", "bulk"],
)
def test_valid_against_the_oasis_schema(build: Callable[[], Report]) -> None:
    document = sarif(build())
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1


def test_the_schema_check_can_fail() -> None:
    document = sarif(realistic())
    document["runs"][0]["results"][0]["level"] = "blocker"
    assert list(validator().iter_errors(document))


def test_driver_names_the_tool_and_every_rule_used_once() -> None:
    report = realistic()
    driver = sarif(report)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "upgradecheck"
    assert driver["version"] == report.tool_version
    assert driver["informationUri"] == HOMEPAGE
    ids = [rule["id"] for rule in driver["rules"]]
    assert sorted(ids) == sorted({f.rule for f in report.findings})
    for rule in driver["rules"]:
        declared = RULES_BY_ID[rule["id"]]
        assert rule["shortDescription"]["text"] == declared.title
        assert rule["helpUri"] == declared.help_uri
        assert rule["helpUri"].startswith("https://")
        expected = {"blocker": "error", "warning": "warning", "info": "note"}
        assert rule["defaultConfiguration"]["level"] == expected[declared.severity.value]


def test_each_result_has_its_rule_level_and_message() -> None:
    report = realistic()
    document = sarif(report)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    found = document["runs"][0]["results"]
    assert len(found) == len(report.findings)
    levels = {Severity.BLOCKER: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    for finding, result in zip(report.findings, found, strict=True):
        assert result["ruleId"] == finding.rule
        assert rules[result["ruleIndex"]]["id"] == finding.rule
        assert result["level"] == levels[finding.severity]
        assert result["message"]["text"].startswith(finding.message)
        assert f"How to fix: {finding.remediation}" in result["message"]["text"]


def test_an_undeclared_rule_still_gets_a_descriptor() -> None:
    odd = structs.replace(realistic().findings[0], rule="made-up-rule", link="https://example.com/x")
    driver = sarif(empty(findings=(odd,)))["runs"][0]["tool"]["driver"]
    assert driver["rules"] == [
        {
            "id": "made-up-rule",
            "shortDescription": {"text": "made-up-rule"},
            "defaultConfiguration": {"level": "error"},
            "helpUri": "https://example.com/x",
        }
    ]


def fingerprints(report: Report) -> list[str]:
    return [r["partialFingerprints"][FINGERPRINT] for r in results(report)]


def test_fingerprints_are_unique_and_stable_across_runs_and_dates() -> None:
    report = realistic()
    first = fingerprints(report)
    assert len(set(first)) == len(first)
    # Another day, another current version (so other hops), messages that count days, lines
    # that moved, evidence read at another time: the same findings, the same alerts.
    later = replace(
        report,
        generated_at="2026-01-01T00:00:00Z",
        current_version="1.30",
        hops=("1.31",),
        findings=tuple(
            structs.replace(
                f,
                hop="1.31",
                message=f.message + " Seen 412 days ago, on 2024-11-02.",
                remediation=f.remediation + " (by 2026-02-01)",
                evidence=tuple(
                    structs.replace(e, location=e.location.replace(":12", ":40"), time="2026-01-01")
                    for e in f.evidence
                ),
            )
            for f in report.findings
        ),
    )
    assert fingerprints(later) == first


def test_what_a_finding_is_about_changes_its_fingerprint() -> None:
    base = file_finding("manifests/pdb.yaml:3")
    others = [
        structs.replace(base, object=structs.replace(base.object, name="api")),  # type: ignore[type-var]
        structs.replace(base, rule="api-deprecated"),
        structs.replace(base, evidence=(Evidence(EvidenceSource.FILE, "other/pdb.yaml:3", "x"),)),
    ]
    keys = fingerprints(empty(findings=(base, *others)))
    assert len(set(keys)) == 4


def test_repeated_findings_get_distinct_fingerprints_in_order() -> None:
    same = file_finding("manifests/pdb.yaml:3")
    keys = fingerprints(empty(findings=(same, same, same)))
    assert keys[1] == f"{keys[0]}:2" and keys[2] == f"{keys[0]}:3"


def test_scan_findings_point_at_their_file_and_line() -> None:
    found = results(realistic())[0]
    physical = found["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "manifests/shop/pdb.yaml"},
        "region": {"startLine": 12},
    }
    logical = found["locations"][0]["logicalLocations"][0]
    assert logical["fullyQualifiedName"] == "PodDisruptionBudget/shop/web"


@pytest.mark.parametrize(
    ("path", "base", "uri"),
    [
        ("manifests/pdb.yaml", "/work", "manifests/pdb.yaml"),
        ("./manifests//pdb.yaml", "/work", "manifests/pdb.yaml"),
        ("/work/repo/manifests/pdb.yaml", "/work/repo", "manifests/pdb.yaml"),
        ("/work/repo/manifests/pdb.yaml", "/work/repo/", "manifests/pdb.yaml"),
        ("/elsewhere/pdb.yaml", "/work/repo", "file:///elsewhere/pdb.yaml"),
        ("/work/repository/pdb.yaml", "/work/repo", "file:///work/repository/pdb.yaml"),
        ("/work/pdb.yaml", None, "file:///work/pdb.yaml"),
        ("../other/pdb.yaml", "/work", "../other/pdb.yaml"),
        ("my charts/web #1/pdb.yaml", "/work", "my%20charts/web%20%231/pdb.yaml"),
        ("odd:name.yaml", "/work", "odd%3Aname.yaml"),
        ("bad-\udcff\udcfe.yaml", "/work", "bad-%FF%FE.yaml"),
        ("lone-\ud800.yaml", "/work", "lone-%5Cud800.yaml"),
    ],
)
def test_artifact_uris_are_relative_with_forward_slashes(path: str, base: str | None, uri: str):
    assert artifact_uri(path, base) == uri


def test_a_file_scanned_by_absolute_path_is_named_relative_to_the_current_folder() -> None:
    finding = file_finding("/work/repo/k8s/pdb.yaml:7")
    found = results(empty(findings=(finding,)), base_dir="/work/repo")[0]
    location = found["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "k8s/pdb.yaml"
    assert location["region"]["startLine"] == 7
    assert "file://" not in json.dumps(found["locations"])


def test_cluster_findings_carry_a_logical_location() -> None:
    found = results(realistic())
    by_rule = {r["ruleId"]: r for r in found}
    cronjob = by_rule["helm-release-removed-api"]["locations"][0]
    assert "physicalLocation" not in cronjob
    assert cronjob["logicalLocations"] == [
        {
            "name": "nightly-invoice",
            "fullyQualifiedName": "CronJob/billing/nightly-invoice",
            "kind": "resource",
            "properties": {
                "apiVersion": "batch/v1beta1",
                "kind": "CronJob",
                "namespace": "billing",
                "name": "nightly-invoice",
            },
        }
    ]
    flowschema = by_rule["api-deprecated"]["locations"][0]["logicalLocations"][0]
    assert flowschema["fullyQualifiedName"] == "FlowSchema/custom-batch"  # cluster-scoped
    node = by_rule["kubelet-skew"]["locations"][0]["logicalLocations"][0]
    assert node["fullyQualifiedName"] == "node worker-legacy-1"


def test_suppressed_findings_carry_their_justification() -> None:
    found = results(suppressed(realistic()))
    marked = [r for r in found if "suppressions" in r]
    assert len(marked) == 1
    assert marked[0]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "migrated in the next release",
            "properties": {"expires": "2026-06-30", "source": ".upgradecheck.yaml:4"},
        }
    ]
    assert all("suppressions" not in r for r in found if r is not marked[0])


def test_coverage_gaps_are_notifications_and_input_errors_fail_the_run() -> None:
    invocation = sarif(realistic())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert any("forbidden" in t for t in texts)
    broken = replace(realistic(), coverage=(replace(realistic().coverage[0], kind="error"),))
    invocation = sarif(broken)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["level"] == "error"


def test_hostile_text_reaches_no_terminal_raw() -> None:
    text = SarifRenderer().render(hostile())
    assert "\x1b" not in text
    message = json.loads(text)["runs"][0]["results"][0]["message"]["text"]
    assert "\x1b" not in message and "[31m" not in message


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("charts/web/templates/pdb.yaml:5", ("charts/web/templates/pdb.yaml", 5, "")),
        ("<stdin>:4", None),
        ("kustomize/overlay (kustomize build):9", None),
        ("charts/web (helm template):31", ("charts/web/Chart.yaml", 1, "line 31 of the chart")),
        (
            "charts/web/charts/db-1.0.0.tgz:db/templates/pdb.yaml:6",
            ("charts/web/charts/db-1.0.0.tgz", 1, "line 6 of db/templates/pdb.yaml"),
        ),
        ("no-line-here", None),
    ],
)
def test_file_places(location: str, expected: tuple[str, int, str] | None) -> None:
    place = file_place(Evidence(EvidenceSource.FILE, location, "policy/v1beta1"))
    if expected is None:
        assert place is None
        return
    assert place is not None
    assert (place.path, place.line) == expected[:2]
    assert expected[2] in place.note


def test_unmapped_places_are_said_in_the_message() -> None:
    stdin = file_finding("<stdin>:4")
    rendered = file_finding("charts/web (helm template):31")
    found = results(empty(findings=(stdin, rendered)))
    assert "physicalLocation" not in found[0]["locations"][0]
    assert "line 4 of standard input" in found[0]["message"]["text"]
    assert found[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert "line 31 of the chart's helm template output" in found[1]["message"]["text"]


def test_a_chart_rendered_by_helm_points_at_the_template_line(monkeypatch) -> None:
    helm = helm_binary(3)
    monkeypatch.chdir(REPO)
    chart = "tests/fixtures/charts/legacy-ingress"
    report = report_for_manifests([chart], target="1.25", helm=str(helm), find_clients=False)
    evidence = report.findings[0].evidence[0]
    assert "rendered by helm template" in evidence.detail
    found = [r for r in results(report, base_dir=os.getcwd()) if r["ruleId"] == "api-removed"]
    physical = found[0]["locations"][0]["physicalLocation"]
    template = f"{chart}/templates/ingress.yaml"
    assert physical["artifactLocation"]["uri"] == template
    line = physical["region"]["startLine"]
    assert "extensions/v1beta1" in (REPO / template).read_text().splitlines()[line - 1]


def test_golden(golden: Golden) -> None:
    text = SarifRenderer(RenderOptions(base_dir="/work")).render(suppressed(realistic()))
    assert GENERATED_AT in text
    golden("report.sarif.golden", text)
