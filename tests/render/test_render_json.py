"""The JSON report keeps the `upgradecheck.report/v1` contract of docs/design."""

from __future__ import annotations

import json
from typing import Any

from support.render_reports import realistic

from upgradecheck.render.json_report import JsonRenderer


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(JsonRenderer().render(realistic()))
    return data


def test_contract_fields_come_first_in_order() -> None:
    keys = list(load())
    assert keys[:9] == [
        "schema",
        "current_version",
        "target_version",
        "hops",
        "verdict",
        "summary",
        "findings",
        "coverage",
        "generated_at",
    ]


def test_contract_values() -> None:
    data = load()
    assert data["schema"] == "upgradecheck.report/v1"
    assert data["hops"] == ["1.30", "1.31"]
    assert data["verdict"] == "blocked"
    assert data["summary"] == {"blocker": 4, "warning": 3, "info": 1, "suppressed": 0}
    assert data["coverage"]["warnings"][0].startswith("resource policy/v1/poddisruptionbudgets")
    assert data["coverage"]["notes"][0]["kind"] == "forbidden"
    assert data["tool_version"] == "0.1.0" and data["knowledge_version"] == "2025-02-15"


def test_finding_shape() -> None:
    finding = load()["findings"][0]
    assert list(finding)[:11] == [
        "rule",
        "severity",
        "hop",
        "object",
        "evidence",
        "message",
        "remediation",
        "replacement",
        "deprecated_in",
        "removed_in",
        "link",
    ]
    assert finding["object"] == {
        "apiVersion": "policy/v1beta1",
        "kind": "PodDisruptionBudget",
        "namespace": "shop",
        "name": "web",
    }
    assert finding["evidence"][0]["source"] == "file"
    assert finding["evidence"][0]["location"] == "manifests/shop/pdb.yaml:12"


def test_a_finding_without_object_has_null_object() -> None:
    skew = next(f for f in load()["findings"] if f["rule"] == "kubelet-skew")
    assert skew["object"] is None
    assert skew["subject"] == "node worker-legacy-1"


def test_findings_keep_the_report_order() -> None:
    rules = [f["rule"] for f in load()["findings"]]
    assert rules == [f.rule for f in realistic().findings]
