"""Issue 7's check, end to end: `plan` on a fake 1.31 cluster holding a migrated object with
a stale annotation, a PDB whose owner still applies v1beta1 while its status writer uses v1,
two deployed revisions of one release, and a chart whose kubeVersion excludes the target:
one warning, one blocker, one warning, one blocker."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from upgradecheck.cli import main


def test_plan_weighs_each_piece_of_evidence(
    fakeapi: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    api = fakeapi("v1.31")
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "upgradecheck",
            "plan",
            "--kubeconfig",
            str(api.kubeconfig_path),
            "--target",
            "1.33",
            "--format",
            "json",
            "-q",
        ],
    )
    with pytest.raises(SystemExit):
        main()
    doc = json.loads(capsys.readouterr().out)

    def find(rule: str, name: str) -> dict[str, Any]:
        hits = [
            f
            for f in doc["findings"]
            if f["rule"] == rule and name in json.dumps(f["object"] or f.get("subject"))
        ]
        assert len(hits) == 1, (rule, name, [f["rule"] for f in doc["findings"]])
        return hits[0]

    stale = find("stale-last-applied", '"web"')
    assert stale["severity"] == "warning" and "since written in policy/v1" in stale["message"]
    owner = find("api-removed", '"search"')
    assert owner["severity"] == "blocker" and "argocd-controller" in owner["message"]
    duplicate = find("helm-release-duplicate-deployed", "shop/reports")
    assert duplicate["severity"] == "warning"
    kube_version = find("helm-release-kube-version", "shop/reports")
    assert kube_version["severity"] == "blocker" and kube_version["hop"] == "1.33"
    # The migrated object with the stale annotation is not also a blocker.
    assert not [
        f
        for f in doc["findings"]
        if f["rule"] == "api-removed"
        and (f["object"] or {}).get("name") == "web"
        and f["object"]["kind"] == "PodDisruptionBudget"
    ]
