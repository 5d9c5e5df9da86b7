"""What `--api-versions` tells helm: every group/version and kind the target serves, from the
knowledge base (its lifecycles and its GA targets), in both forms charts ask about."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from upgradecheck.collect.helm.api_versions import ga_resources, served_api_versions, served_kinds
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.versions import parse_minor

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    return load_knowledge_base()


def _served(kb: KnowledgeBase, version: str) -> set[str]:
    return set(served_api_versions(kb, parse_minor(version)))


@pytest.mark.parametrize(
    ("version", "present", "absent"),
    [
        ("1.20", {"policy/v1beta1", "policy/v1beta1/PodDisruptionBudget", "batch/v1beta1/CronJob",
                  "networking.k8s.io/v1/Ingress", "extensions/v1beta1/Ingress"},
         {"policy/v1", "policy/v1/PodDisruptionBudget", "batch/v1/CronJob",
          "autoscaling/v2/HorizontalPodAutoscaler"}),
        ("1.21", {"policy/v1/PodDisruptionBudget", "batch/v1/CronJob",
                  "extensions/v1beta1/Ingress", "networking.k8s.io/v1beta1/Ingress"},
         {"extensions/v1beta1/Deployment", "admission.k8s.io/v1beta1"}),
        ("1.22", {"networking.k8s.io/v1/Ingress", "policy/v1beta1/PodDisruptionBudget"},
         {"extensions/v1beta1", "extensions/v1beta1/Ingress", "networking.k8s.io/v1beta1"}),
        ("1.25", {"policy/v1", "policy/v1/PodDisruptionBudget", "batch/v1/CronJob",
                  "autoscaling/v2/HorizontalPodAutoscaler", "autoscaling/v2beta2"},
         {"policy/v1beta1", "policy/v1beta1/PodDisruptionBudget", "batch/v1beta1/CronJob"}),
        ("1.33", {"v1", "v1/Pod", "v1/Endpoints", "apps/v1/Deployment",
                  "networking.k8s.io/v1/IPAddress", "flowcontrol.apiserver.k8s.io/v1"},
         {"flowcontrol.apiserver.k8s.io/v1beta3", "autoscaling/v2beta2",
          "storage.k8s.io/v1alpha1/VolumeAttributesClass"}),
    ],
)  # fmt: skip
def test_the_served_set_follows_the_target(
    real_kb: KnowledgeBase, version: str, present: set[str], absent: set[str]
) -> None:
    served = _served(real_kb, version)
    assert present <= served
    assert not absent & served


def test_both_forms_for_every_kind(real_kb: KnowledgeBase) -> None:
    served = _served(real_kb, "1.33")
    kinds = {entry for entry in served if entry.count("/") == 2 or entry.startswith("v1/")}
    versions = served - kinds
    assert {kind.rsplit("/", 1)[0] for kind in kinds} == versions


def test_every_replacement_the_knowledge_base_names_has_a_release(real_kb: KnowledgeBase) -> None:
    # Without it the derivation would guess when a GA replacement appeared.
    known = set(ga_resources(real_kb))
    known |= {(e.api_version, e.kind) for e in real_kb.apis}
    missing = {
        (e.replacement, e.replacement_kind or e.kind)
        for e in real_kb.apis
        if e.replacement and not e.list_kind and e.resource  # served as a resource
    } - known
    assert missing == set()


def test_every_ga_target_that_is_a_resource_is_served(real_kb: KnowledgeBase) -> None:
    document = yaml.safe_load((REPO / "deprecations" / "kubernetes-apis.yaml").read_text())
    targets = {
        (t["api_version"], t["kind"]) for t in document["ga_targets"]
        if not t["kind"].endswith("List")
    }
    not_resources = {
        ("admission.k8s.io/v1", "AdmissionReview"),
        ("apidiscovery.k8s.io/v2", "APIGroupDiscovery"),
        *(("v1", kind) for kind in (
            "NodeProxyOptions", "PodAttachOptions", "PodExecOptions", "PodLogOptions",
            "PodPortForwardOptions", "PodProxyOptions", "PodStatusResult", "RangeAllocation",
            "SerializedReference", "ServiceProxyOptions",
        )),
    }  # fmt: skip
    assert targets - set(ga_resources(real_kb)) == not_resources


def test_disabled_betas_are_not_served(real_kb: KnowledgeBase) -> None:
    kinds = served_kinds(real_kb, parse_minor("1.33"))
    assert ("resource.k8s.io/v1beta1", "ResourceClaim") not in kinds
    assert ("coordination.k8s.io/v1", "Lease") in kinds


def test_ga_kinds_are_served_from_the_release_that_introduced_them(
    real_kb: KnowledgeBase,
) -> None:
    ga = ga_resources(real_kb)
    assert ga[("v1", "ConfigMap")] == parse_minor("1.2")
    assert ga[("apiextensions.k8s.io/v1", "CustomResourceDefinition")] == parse_minor("1.16")
    policy = "admissionregistration.k8s.io/v1/MutatingAdmissionPolicy"
    assert policy not in _served(real_kb, "1.35")
    assert {policy, "v1/Binding", "apps/v1/ControllerRevision"} <= _served(real_kb, "1.36")
    assert not {"v1/PodList", "v1/PodExecOptions", "admission.k8s.io/v1"} & _served(
        real_kb, "1.36"
    )
