"""The fallback against real helm: every object `helm template` renders for any Kubernetes
version from 1.19 to 1.30 (with helm's own API list, and with the APIs a default server of
that version serves), with the chart's default values, is among the branches the fallback
reports without helm, and none of them is marked as needing other values."""

from __future__ import annotations

import functools
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from support.clients import helm_binary

from upgradecheck.collect.binaries import BuildOptions
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.collect.helm.api_versions import served_api_versions
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.versions import parse_minor

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"
FAMILY = ("autoscaler-helpers", "cronjob-semver", "legacy-ingress", "pdb-capabilities",
          "rbac-scope")  # fmt: skip
MINORS = [f"1.{minor}" for minor in range(19, 31)]
OFF = "not rendered with the chart's values"


def _render(helm: str, chart: Path, minor: str, announced: tuple[str, ...]) -> str:
    flags = [f"--api-versions={api}" for api in announced]
    return subprocess.run(
        [helm, "template", "r", str(chart), "--kube-version", f"{minor}.0", *flags],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout


@functools.cache
def _helm_objects(chart: Path) -> frozenset[tuple[str, str]]:
    """(kind, apiVersion) of everything helm renders for any of the versions."""
    helm = str(helm_binary(3))
    kb = load_knowledge_base()
    runs = [(minor, announced) for minor in MINORS
            for announced in ((), served_api_versions(kb, parse_minor(minor)))]
    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = pool.map(lambda run: _render(helm, chart, *run), runs)
        found = {
            (doc["kind"], doc["apiVersion"])
            for out in outputs for doc in yaml.safe_load_all(out) if isinstance(doc, dict)
        }
    return frozenset(found)


@pytest.mark.parametrize("name", FAMILY)
def test_every_object_helm_renders_is_a_reported_branch(name: str) -> None:
    chart = CHARTS / name
    rendered = _helm_objects(chart)
    snapshot = scan_manifests([str(chart)], build=BuildOptions(target=parse_minor("1.33")))
    reported = {(o.ref.kind, o.ref.api_version): o.evidence[0].detail for o in snapshot.objects}
    assert rendered <= set(reported), f"missed: {rendered - set(reported)}"
    marked = {key for key in rendered if OFF in reported[key]}
    assert not marked, f"rendered with the chart's values, yet marked: {marked}"
    # Nothing was left unresolved: the only note is that the chart was not rendered.
    assert [n.reason.split(":")[0] for n in snapshot.coverage] == [
        f"chart {chart} not rendered"
    ]


def test_the_family_holds_branches_only_other_values_render() -> None:
    # The reverse is checked too: the fallback does report what default values never render,
    # and says so (else the test above could pass by marking nothing).
    snapshot = scan_manifests([str(CHARTS / "rbac-scope"), str(CHARTS / "autoscaler-helpers")],
                              build=BuildOptions(target=parse_minor("1.33")))
    marked = sorted({(o.ref.kind, o.ref.api_version) for o in snapshot.objects
                     if OFF in o.evidence[0].detail})  # fmt: skip
    assert marked == [
        ("PodSecurityPolicy", "extensions/v1beta1"), ("PodSecurityPolicy", "policy/v1beta1"),
        ("Role", "rbac.authorization.k8s.io/v1beta1"),
        ("RoleBinding", "rbac.authorization.k8s.io/v1beta1"),
    ]
    assert ("Role", "rbac.authorization.k8s.io/v1beta1") not in _helm_objects(CHARTS / "rbac-scope")
