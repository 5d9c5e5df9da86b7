"""The bundled example tree (the README demo) scans cleanly and shows every input form."""

from __future__ import annotations

from pathlib import Path

import pytest

from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.model import Snapshot

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "manifests"


@pytest.fixture(scope="module")
def example() -> Snapshot:
    return scan_manifests([str(EXAMPLES)])


def test_the_example_scans_without_coverage_gaps(example: Snapshot) -> None:
    assert example.coverage == ()
    assert example.stats["objects"] == len(example.objects) >= 20


def test_the_example_holds_the_apis_the_demo_is_about(example: Snapshot) -> None:
    written = {(obj.ref.api_version, obj.ref.kind) for obj in example.objects}
    assert {
        ("extensions/v1beta1", "Ingress"),
        ("networking.k8s.io/v1beta1", "Ingress"),
        ("policy/v1beta1", "PodDisruptionBudget"),
        ("batch/v1beta1", "CronJob"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
        ("policy/v1beta1", "PodSecurityPolicy"),
        ("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"),
        ("cert-manager.io/v1alpha2", "Certificate"),
    } <= written


def test_the_example_shows_each_input_form(example: Snapshot) -> None:
    locations = [obj.evidence[0].location for obj in example.objects]
    details = [obj.evidence[0].detail for obj in example.objects]
    assert any(".json:" in location for location in locations)
    assert any(detail.startswith("helm template source: billing/") for detail in details)
    assert sum("exported/monitoring.yaml" in location for location in locations) == 2  # List
    # The GitHub workflow is read and skipped, and counted as such.
    assert example.stats["skipped_documents"] == 1
    assert example.stats["skipped_files"] == 1
