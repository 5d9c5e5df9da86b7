"""`upgradecheck rbac --publish`: the collector's read-only rules plus exactly the rules for
writing PolicyReports, under a name of its own; docs/rbac.md holds the same rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli_runner import run_cli

from upgradecheck.collect.cluster.rbac import ROLE_NAME
from upgradecheck.publish.rbac import PUBLISHER_ROLE_NAME, REPORT_GROUP, publish_rules

REPO = Path(__file__).resolve().parents[2]


def _role(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> dict[str, Any]:
    code, out, err = run_cli(monkeypatch, capsys, "rbac", *args)
    assert code == 0, err
    role: dict[str, Any] = yaml.safe_load(out)
    return role


def test_publish_adds_the_report_rules_to_the_reader_rules(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    reader = _role(monkeypatch, capsys)
    publisher = _role(monkeypatch, capsys, "--publish")
    assert reader["metadata"]["name"] == ROLE_NAME
    assert publisher["metadata"]["name"] == PUBLISHER_ROLE_NAME != ROLE_NAME
    assert publisher["kind"] == "ClusterRole"
    assert publisher["rules"] == [*reader["rules"], *publish_rules()]
    writes = [r for r in publisher["rules"] if set(r["verbs"]) - {"get", "list"}]
    assert writes == [
        {
            "apiGroups": [REPORT_GROUP],
            "resources": ["policyreports", "clusterpolicyreports"],
            "verbs": ["get", "list", "create", "patch", "delete"],
        }
    ]


def test_the_reader_role_never_touches_reports(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _role(monkeypatch, capsys)["rules"]
    assert not any(REPORT_GROUP in r.get("apiGroups", ()) for r in rules)


def test_docs_hold_the_publish_rules() -> None:
    doc = (REPO / "docs" / "rbac.md").read_text()
    section = doc.split("## Publishing PolicyReports", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert yaml.safe_load(block) == publish_rules()


_REPORT_PATH = re.compile(
    r"^/apis/wgpolicyk8s\.io/v1alpha2/(?:namespaces/[^/]+/)?(?P<resource>[^/]+)(?:/(?P<name>[^/]+))?$"
)


def _verbs(request: Any) -> set[str]:
    """The RBAC verbs one request to the reports needs."""
    match = _REPORT_PATH.match(request.path)
    assert match, request.path
    if request.method == "GET":
        return {"get" if match["name"] else "list"}
    if request.method == "PATCH":  # server-side apply: create when it was missing
        return {"patch", "create"} if request.status == 201 else {"patch"}
    return {request.method.lower()}


def test_every_request_publishing_makes_is_granted(
    fakeapi: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    api = fakeapi("v1.21", policy_reports=True)
    args = ("plan", "--kubeconfig", str(api.kubeconfig_path), "--publish", "-f", "json")
    assert run_cli(monkeypatch, capsys, *args)[0] == 1
    api.store.empty_namespace("payments", keep_groups=(REPORT_GROUP,))
    assert run_cli(monkeypatch, capsys, *args)[0] == 1
    (rule,) = publish_rules()
    used: set[str] = set()
    for request in api.requests:
        if not _REPORT_PATH.match(request.path):
            assert request.method == "GET", request.path  # the collector's reads
            continue
        assert _REPORT_PATH.match(request.path)["resource"] in rule["resources"]  # type: ignore[index]
        used |= _verbs(request)
    assert used <= set(rule["verbs"])
    # Everything granted is used, but get: granted so that the account can read its reports
    # back (design.md's contract), though publishing itself never needs it.
    assert set(rule["verbs"]) - used == {"get"}
    assert {"list", "create", "patch", "delete"} <= used
