"""The fallback against real helm: every object `helm template` renders for any Kubernetes
version from 1.19 to 1.30 (with helm's own API list, and with the APIs a default server of
that version serves), with the chart's default values, is among the branches the fallback
reports without helm, and none of them is marked as needing other values. And version by
version, the fallback's blockers and warnings are exactly those of helm's rendering for that
version: the branches a chart takes only on other versions are info."""

from __future__ import annotations

import functools
import io
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from support.clients import helm_binary

from upgradecheck.assess import assess
from upgradecheck.collect.binaries import BuildOptions
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.collect.helm.api_versions import capability_table, served_api_versions
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.model import Severity, Snapshot
from upgradecheck.versions import parse_minor

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"
FAMILY = ("autoscaler-helpers", "cronjob-semver", "legacy-ingress", "pdb-capabilities",
          "rbac-scope", "subchart-gates")  # fmt: skip
MINORS = [f"1.{minor}" for minor in range(19, 31)]
OFF = "not rendered with the chart's values"


def _render(helm: str, chart: Path, minor: str, announced: tuple[str, ...]) -> str:
    flags = [f"--api-versions={api}" for api in announced]
    return subprocess.run(
        [helm, "template", "r", str(chart), "--kube-version", f"{minor}.0", *flags],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout


@functools.cache
def _helm_renders(chart: Path) -> dict[tuple[str, bool], str]:
    """helm's output for each version, without (False) and with (True) `--api-versions` for
    what a default server of that version serves (as `scan` passes them)."""
    helm = str(helm_binary(3))
    kb = load_knowledge_base()
    runs = [(minor, served) for minor in MINORS for served in (False, True)]

    def render(run: tuple[str, bool]) -> str:
        minor, served = run
        announced = served_api_versions(kb, parse_minor(minor)) if served else ()
        return _render(helm, chart, minor, announced)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(runs, pool.map(render, runs), strict=True))


def _helm_objects(chart: Path) -> frozenset[tuple[str, str]]:
    """(kind, apiVersion) of everything helm renders for any of the versions."""
    return frozenset(
        (doc["kind"], doc["apiVersion"])
        for out in _helm_renders(chart).values()
        for doc in yaml.safe_load_all(out) if isinstance(doc, dict)
    )


@pytest.mark.parametrize("name", FAMILY)
def test_every_object_helm_renders_is_a_reported_branch(name: str) -> None:
    chart = CHARTS / name
    rendered = _helm_objects(chart)
    snapshot = scan_manifests([str(chart)], build=BuildOptions(target=parse_minor("1.33")))
    reported: dict[tuple[str, str], list[str]] = {}
    for o in snapshot.objects:
        reported.setdefault((o.ref.kind, o.ref.api_version), []).append(o.evidence[0].detail)
    assert rendered <= set(reported), f"missed: {rendered - set(reported)}"
    # Each is reported by a branch the chart's values take (a subchart used under two
    # aliases, one switched off, is reported twice, marked once).
    marked = {key for key in rendered if all(OFF in d for d in reported[key])}
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


def _judged(snapshot: Snapshot, minor: str) -> set[tuple[str, str, str, str]]:
    """(rule, severity, kind, apiVersion) of the blockers and warnings for `minor`, leaving
    out objects of branches the chart's values rule out (reported by design: other values
    render them; the test above holds that no rendered object is among them)."""
    every = {(o.ref.kind, o.ref.api_version) for o in snapshot.objects}
    taken = {(o.ref.kind, o.ref.api_version) for o in snapshot.objects
             if not all(OFF in e.detail for e in o.evidence)}  # fmt: skip
    off = every - taken
    report = assess(snapshot, load_knowledge_base(), target=minor)
    return {
        (f.rule, f.severity.value, f.object.kind, f.object.api_version)
        for f in report.findings
        if f.object is not None and f.severity is not Severity.INFO
        and (f.object.kind, f.object.api_version) not in off
    }


@pytest.mark.parametrize("name", FAMILY)
def test_blockers_and_warnings_at_each_version_are_what_helm_renders_there(name: str) -> None:
    chart, kb = CHARTS / name, load_knowledge_base()
    renders = _helm_renders(chart)
    for minor in MINORS:
        target = parse_minor(minor)
        rendered = scan_manifests(["-"], stdin=io.StringIO(renders[(minor, True)]))
        table = functools.partial(capability_table, kb, target)
        read = scan_manifests([str(chart)], build=BuildOptions(target, capabilities=table))
        assert _judged(read, minor) == _judged(rendered, minor), f"at {minor}"


def test_without_the_version_decided_the_fallback_would_raise_false_blockers() -> None:
    # What the test above guards against: read with every cluster condition undecided,
    # the CronJob kept for clusters before 1.21 is a blocker at 1.25, where helm renders
    # batch/v1. And it has blockers to agree on: the chart that never moved on.
    chart = CHARTS / "cronjob-semver"
    undecided = scan_manifests([str(chart)], build=BuildOptions(parse_minor("1.25")))
    rendered = scan_manifests(["-"], stdin=io.StringIO(_helm_renders(chart)[("1.25", True)]))
    assert ("api-removed", "blocker", "CronJob", "batch/v1beta1") in _judged(undecided, "1.25")
    assert _judged(rendered, "1.25") == set()
    legacy = _helm_renders(CHARTS / "legacy-ingress")[("1.25", True)]
    assert _judged(scan_manifests(["-"], stdin=io.StringIO(legacy)), "1.25") == {
        ("api-removed", "blocker", "Ingress", "extensions/v1beta1")
    }
