"""The generator: it reproduces the committed file, and its rules hold on small facts."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from support.kbpaths import DATA, FACTS, GENERATOR

# The generator is a script, not a package module: load it from its file.
_spec = importlib.util.spec_from_file_location("gen_kubernetes_apis", GENERATOR)
assert _spec is not None and _spec.loader is not None
gen: ModuleType = importlib.util.module_from_spec(_spec)
sys.modules["gen_kubernetes_apis"] = gen
_spec.loader.exec_module(gen)


@pytest.mark.skipif(not FACTS.exists(), reason=f"upstream facts not found at {FACTS}")
def test_generator_reproduces_the_committed_file(tmp_path: Path) -> None:
    out = tmp_path / "kubernetes-apis.yaml"
    result = subprocess.run(
        [sys.executable, str(GENERATOR), str(FACTS), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == (DATA / "kubernetes-apis.yaml").read_bytes(), (
        "deprecations/kubernetes-apis.yaml is stale: regenerate it with "
        "scripts/gen_kubernetes_apis.py"
    )


def kind(
    group: str, version: str, name: str, introduced: str, deprecated: str | None,
    removed: str | None, last_seen: str = "master", replacement: dict[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {
        "group": group, "version": version, "kind": name, "list_type": name.endswith("List"),
        "introduced": introduced, "deprecated": deprecated, "removed": removed,
        "replacement": replacement, "last_seen_in_source": last_seen,
    }  # fmt: skip


def run(tmp_path: Path, kinds: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Generate from synthetic facts; the entries by group/version/kind."""
    releases = [f"1.{n}" for n in range(19, 37)] + ["master"]
    facts = {
        "refs_read": [f"v0.{n}.0" for n in range(19, 37)] + ["master"],
        "group_versions_in_source": {
            (f"{k['group']}/{k['version']}" if k["group"] else k["version"]): releases
            for k in kinds
        },
        "kinds": kinds,
    }
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    out = tmp_path / "out.yaml"
    assert gen.main([str(path), "-o", str(out)]) == 0
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    return {(a["group"], a["version"], a["kind"]): a for a in doc["apis"]}


def test_alpha_rules(tmp_path: Path) -> None:
    apis = run(
        tmp_path,
        [
            # generator-default tags, still in the source: neither is real
            kind("resource.k8s.io", "v1alpha3", "DeviceTaintRule", "1.33", "1.36", "1.39"),
            # default tags, left the source after 1.33: removed in 1.34
            kind("resource.k8s.io", "v1alpha3", "ResourceClaim", "1.31", "1.34", "1.37", "v0.33.0"),
            # hand-tagged deprecation: tags kept
            kind("storage.k8s.io", "v1alpha1", "VolumeAttachment", "1.9", "1.21", "1.24"),
            kind("resource.k8s.io", "v1", "ResourceClaim", "1.34", None, None),
        ],
    )
    taint = apis["resource.k8s.io", "v1alpha3", "DeviceTaintRule"]
    assert (taint["deprecated_in"], taint["removed_in"]) == (None, None)
    assert taint["enabled_by_default"] is False
    assert taint["upstream"]["removed"] == "1.39"
    claim = apis["resource.k8s.io", "v1alpha3", "ResourceClaim"]
    assert (claim["deprecated_in"], claim["removed_in"]) == (None, "1.34")
    assert claim["replacement"] == {"api_version": "resource.k8s.io/v1", "kind": "ResourceClaim"}
    assert claim["source"].endswith(
        "/v0.33.0/resource/v1alpha3/zz_generated.prerelease-lifecycle.go"
    )
    attach = apis["storage.k8s.io", "v1alpha1", "VolumeAttachment"]
    assert (attach["deprecated_in"], attach["removed_in"]) == ("1.21", "1.24")


def test_effective_removal_and_beta_defaults(tmp_path: Path) -> None:
    apis = run(
        tmp_path,
        [
            # kept in the source long after removal: the tag wins
            kind("extensions", "v1beta1", "Deployment", "1.1", "1.8", "1.16",
                 replacement={"group": "apps", "version": "v1", "kind": "Deployment"}),
            # left the source before the tag: the release after wins
            kind("batch", "v1beta1", "JobTemplate", "1.8", "1.22", "1.28", "v0.26.0"),
            kind("networking.k8s.io", "v1beta1", "ServiceCIDR", "1.31", "1.34", "1.37"),
            kind("flowcontrol.apiserver.k8s.io", "v1beta3", "FlowSchema", "1.26", "1.29", "1.32"),
            kind("apps", "v1", "Deployment", "1.9", None, None),
        ],
    )  # fmt: skip
    deployment = apis["extensions", "v1beta1", "Deployment"]
    assert deployment["removed_in"] == "1.16" and deployment["enabled_by_default"] is True
    assert deployment["source"].endswith("deprecation-guide/#deployment-v116")
    assert deployment["resource"] == "deployments" and deployment["namespaced"] is True
    assert apis["batch", "v1beta1", "JobTemplate"]["removed_in"] == "1.27"
    assert apis["networking.k8s.io", "v1beta1", "ServiceCIDR"]["enabled_by_default"] is False
    assert apis["flowcontrol.apiserver.k8s.io", "v1beta3", "FlowSchema"]["enabled_by_default"]
    assert ("apps", "v1", "Deployment") not in apis


def test_list_kinds_share_the_item_resource(tmp_path: Path) -> None:
    apis = run(
        tmp_path, [kind("policy", "v1beta1", "PodSecurityPolicyList", "1.10", "1.21", "1.25")]
    )
    entry = apis["policy", "v1beta1", "PodSecurityPolicyList"]
    assert entry["list_kind"] is True
    assert (entry["resource"], entry["namespaced"]) == ("podsecuritypolicies", False)


def test_unknown_kind_fails_loudly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    facts = {
        "refs_read": ["master"],
        "group_versions_in_source": {"example.k8s.io/v1beta1": ["master"]},
        "kinds": [kind("example.k8s.io", "v1beta1", "Widget", "1.30", "1.33", "1.36")],
    }
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    assert gen.main([str(path), "-o", str(tmp_path / "out.yaml")]) == 1
    assert "unknown kind" in capsys.readouterr().err
    assert not (tmp_path / "out.yaml").exists()


def test_output_is_deterministic(tmp_path: Path) -> None:
    kinds = [
        kind("batch", "v1beta1", "CronJob", "1.8", "1.21", "1.25"),
        kind("autoscaling", "v2beta1", "HorizontalPodAutoscaler", "1.8", "1.22", "1.25"),
    ]
    first = run(tmp_path, kinds)
    assert list(first) == sorted(first)
    assert run(tmp_path, list(reversed(kinds))) == first
