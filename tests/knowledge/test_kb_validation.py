"""Broken copies of each data file are refused with a message naming the file and entry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from upgradecheck.knowledge import KnowledgeError, load_knowledge_base

Doc = dict[str, Any]
Editor = Callable[[str, Callable[[Doc], None]], Path]


def refused(folder: Path) -> str:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge_base(folder)
    return str(caught.value)


def api_index(doc: Doc, group: str, version: str, kind: str) -> int:
    for i, entry in enumerate(doc["apis"]):
        if (entry["group"], entry["version"], entry["kind"]) == (group, version, kind):
            return i
    raise AssertionError(f"{group}/{version} {kind} not in the file")


# -------------------------------------------------------------------------- addons.yaml


def test_bad_addon_version(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["addons"][3]["apis"][1]["removed_in"] = "1.x"

    message = refused(edit("addons.yaml", change))
    assert message == (
        "deprecations/addons.yaml: addons[3].apis[1] (gateway.networking.k8s.io/v1alpha2): "
        "removed_in '1.x' is not a version"
    )


def test_addon_unknown_key(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["addons"][0]["apis"][0]["removed"] = "1.6"

    message = refused(edit("addons.yaml", change))
    assert message.startswith(
        "deprecations/addons.yaml: addons[0].apis[0] (cert-manager.io/v1alpha2): "
        "unknown key 'removed'"
    )


def test_addon_missing_source(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        del doc["addons"][1]["apis"][0]["source"]

    assert refused(edit("addons.yaml", change)) == (
        "deprecations/addons.yaml: addons[1].apis[0] (networking.istio.io/v1alpha3): "
        "missing required key 'source'"
    )


def test_addon_removed_before_deprecated(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["addons"][0]["apis"][0]["deprecated_in"] = "1.10"

    message = refused(edit("addons.yaml", change))
    assert "addons[0].apis[0]" in message and "deprecated_in" in message


def test_addon_overlapping_entries(edit: Editor) -> None:
    added: list[int] = []

    def change(doc: Doc) -> None:
        apis = doc["addons"][0]["apis"]
        added.append(len(apis))
        apis.append(dict(apis[0]))

    message = refused(edit("addons.yaml", change))
    assert message.startswith(f"deprecations/addons.yaml: addons[0].apis[{added[0]}]")
    assert "overlaps the entry at addons[0].apis[0]" in message


def test_addon_replacement_kind_must_be_a_kind(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["addons"][0]["apis"][0]["replacement_kind"] = "certificate"

    assert refused(edit("addons.yaml", change)) == (
        "deprecations/addons.yaml: addons[0].apis[0] (cert-manager.io/v1alpha2): "
        "replacement_kind 'certificate' is not a kind name"
    )


def test_addon_replacement_kind_needs_a_replacement(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        entry = doc["addons"][0]["apis"][0]
        entry["replacement"] = None
        entry["replacement_kind"] = "Certificate"

    assert refused(edit("addons.yaml", change)) == (
        "deprecations/addons.yaml: addons[0].apis[0] (cert-manager.io/v1alpha2): "
        "replacement_kind needs a replacement apiVersion"
    )


def test_addon_replacement_since_is_an_addon_version_of_a_replacement(edit: Editor) -> None:
    def bad_version(doc: Doc) -> None:
        doc["addons"][0]["apis"][0]["replacement_since"] = "v1.0"

    def no_replacement(doc: Doc) -> None:
        entry = doc["addons"][0]["apis"][0]
        entry["replacement"] = None
        entry["replacement_since"] = "1.0"

    where = "deprecations/addons.yaml: addons[0].apis[0] (cert-manager.io/v1alpha2): "
    assert refused(edit("addons.yaml", bad_version)) == (
        where + "replacement_since 'v1.0' is not a version"
    )
    assert refused(edit("addons.yaml", no_replacement)) == (
        where + "replacement_since needs a replacement apiVersion"
    )


# ---------------------------------------------------------------- kubernetes-apis.yaml


def test_bad_api_version(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]["removed_in"] = "1.2x"

    message = refused(edit("kubernetes-apis.yaml", change))
    assert message.startswith("deprecations/kubernetes-apis.yaml: apis[")
    assert message.endswith("(batch/v1beta1 CronJob): removed_in '1.2x' is not a version")


def test_unquoted_version_is_refused(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]["deprecated_in"] = 1.21

    assert "must be a quoted string" in refused(edit("kubernetes-apis.yaml", change))


def test_api_unknown_key(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"][0]["removedIn"] = "1.22"

    message = refused(edit("kubernetes-apis.yaml", change))
    assert message.startswith(
        "deprecations/kubernetes-apis.yaml: apis[0] (admission.k8s.io/v1beta1 AdmissionReview): "
        "unknown key 'removedIn'"
    )


def test_api_deprecated_after_removed(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]["deprecated_in"] = "1.26"

    assert refused(edit("kubernetes-apis.yaml", change)).endswith(
        "(batch/v1beta1 CronJob): deprecated_in 1.26 must be at or before removed_in 1.25"
    )


def test_api_stability_must_match_version(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]["stability"] = "alpha"

    assert "stability 'alpha' does not match version v1beta1" in refused(
        edit("kubernetes-apis.yaml", change)
    )


def test_api_stability_must_be_known(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]["stability"] = "stable"

    assert "stability 'stable' is not one of alpha, beta, ga" in refused(
        edit("kubernetes-apis.yaml", change)
    )


def test_api_duplicate_group_version_kind(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"].append(dict(doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]))

    message = refused(edit("kubernetes-apis.yaml", change))
    assert "(batch/v1beta1 CronJob): duplicate group/version/kind" in message


def test_api_missing_source(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        del doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]["source"]

    assert refused(edit("kubernetes-apis.yaml", change)).endswith(
        "(batch/v1beta1 CronJob): missing required key 'source'"
    )


def test_api_source_must_be_https(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        entry = doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]
        entry["source"] = "http://kubernetes.io/docs/"

    assert "source 'http://kubernetes.io/docs/' is not an https:// URL" in refused(
        edit("kubernetes-apis.yaml", change)
    )


def test_replacement_pointing_nowhere(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        entry = doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]
        entry["replacement"] = {"api_version": "batch/v2", "kind": "CronJob"}

    assert refused(edit("kubernetes-apis.yaml", change)).endswith(
        "(batch/v1beta1 CronJob): replacement batch/v2 CronJob points at no known API "
        "(neither an entry here nor a listed GA target)"
    )


def test_ga_targets_make_the_replacement_check_real(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["ga_targets"] = [t for t in doc["ga_targets"] if t["api_version"] != "batch/v1"]

    assert "(batch/v1beta1 CronJob): replacement batch/v1 CronJob points at no known API" in (
        refused(edit("kubernetes-apis.yaml", change))
    )


def test_list_kind_flag_must_fit(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"][api_index(doc, "batch", "v1beta1", "CronJobList")]["list_kind"] = False

    assert "list_kind false does not fit kind CronJobList" in refused(
        edit("kubernetes-apis.yaml", change)
    )


def test_wrong_schema(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["schema"] = "upgradecheck.kb.apis/v0"

    assert refused(edit("kubernetes-apis.yaml", change)) == (
        "deprecations/kubernetes-apis.yaml: top level: schema must be "
        "'upgradecheck.kb.apis/v1', not 'upgradecheck.kb.apis/v0'"
    )


# -------------------------------------------------------- kubernetes-apis-overlay.yaml


def test_overlay_replacement_pointing_nowhere(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        i = api_index(doc, "networking.k8s.io", "v1beta1", "IngressClass")
        doc["apis"][i]["replacement"] = {
            "api_version": "networking.k8s.io/v2",
            "kind": "IngressClass",
        }

    message = refused(edit("kubernetes-apis-overlay.yaml", change))
    assert message.startswith("deprecations/kubernetes-apis-overlay.yaml: apis[0]")
    assert "(networking.k8s.io/v1beta1 IngressClass): replacement networking.k8s.io/v2" in message


def test_without_its_correction_the_upstream_replacement_fails(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        del doc["apis"][api_index(doc, "apps", "v1beta1", "DeploymentRollback")]

    message = refused(edit("kubernetes-apis-overlay.yaml", change))
    assert "(apps/v1beta1 DeploymentRollback): replacement apps/v1 DeploymentRollback" in message


def test_overlay_override_needs_a_source(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        del doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]["source"]

    message = refused(edit("kubernetes-apis-overlay.yaml", change))
    assert message.startswith("deprecations/kubernetes-apis-overlay.yaml: apis[")
    assert message.endswith("(batch/v1beta1 CronJob): missing required key 'source'")


def test_overlay_unknown_key(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]["notes"] = "typo"

    assert "(batch/v1beta1 CronJob): unknown key 'notes'" in refused(
        edit("kubernetes-apis-overlay.yaml", change)
    )


def test_overlay_addition_must_be_complete(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"].append(
            {
                "group": "example.io",
                "version": "v1beta1",
                "kind": "Widget",
                "source": "https://example.io/",
            }
        )

    message = refused(edit("kubernetes-apis-overlay.yaml", change))
    assert "(example.io/v1beta1 Widget): missing required key" in message


def test_overlay_override_applies(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"][api_index(doc, "batch", "v1beta1", "CronJob")]["removed_in"] = "1.26"

    kb = load_knowledge_base(edit("kubernetes-apis-overlay.yaml", change))
    cron = kb.api("batch/v1beta1", "CronJob")
    assert cron is not None and str(cron.removed_in) == "1.26"
    assert str(cron.deprecated_in) == "1.21"  # kept from the generated entry


@pytest.mark.parametrize(
    "config,error",
    [
        (
            {"component": "kube-apiserver", "flags": ["--audit-policy-file"], "use": "serves"},
            "use 'serves' is not one of reads, writes",
        ),
        (
            {"component": "kube-apiserver", "flags": ["audit-policy-file"], "use": "reads"},
            "flags must be one or more --flag names",
        ),
        ({"component": "kube-apiserver", "use": "reads"}, "missing required key 'flags'"),
    ],
)
def test_config_use_is_checked(edit: Editor, config: Doc, error: str) -> None:
    def change(doc: Doc) -> None:
        doc["apis"][api_index(doc, "audit.k8s.io", "v1beta1", "Policy")]["config"] = config

    message = refused(edit("kubernetes-apis-overlay.yaml", change))
    assert "(audit.k8s.io/v1beta1 Policy)" in message and error in message


def test_a_config_file_api_is_never_served(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["apis"][api_index(doc, "audit.k8s.io", "v1beta1", "Policy")]["resource"] = "policies"

    assert 'its resource must be ""' in refused(edit("kubernetes-apis-overlay.yaml", change))


# ---------------------------------------------------------------------- removals.yaml


def test_unknown_detector_type(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["removals"][0]["detect"][0]["type"] = "node-kernel"

    message = refused(edit("removals.yaml", change))
    assert message.startswith(
        "deprecations/removals.yaml: removals[0].detect[0] (dockershim): "
        "detector type 'node-kernel' is unknown"
    )


def test_detector_missing_param(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["removals"][0]["detect"][0]["params"] = {}

    assert refused(edit("removals.yaml", change)) == (
        "deprecations/removals.yaml: removals[0].detect[0].params (node-runtime): "
        "missing required key 'pattern'"
    )


def test_detector_bad_regex(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["removals"][0]["detect"][0]["params"]["pattern"] = "^docker://("

    assert "is not a valid regular expression" in refused(edit("removals.yaml", change))


def test_removal_unknown_key_and_severity(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["removals"][0]["severty"] = "blocker"

    assert refused(edit("removals.yaml", change)).startswith(
        "deprecations/removals.yaml: removals[0] (dockershim): unknown key 'severty'"
    )


def test_removal_bad_severity(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["removals"][1]["severity"] = "critical"

    assert "severity 'critical' is not one of blocker, warning, info" in refused(
        edit("removals.yaml", change)
    )


def test_removal_missing_source(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        del doc["removals"][0]["source"]

    assert refused(edit("removals.yaml", change)) == (
        "deprecations/removals.yaml: removals[0] (dockershim): missing required key 'source'"
    )


def test_removal_duplicate_id(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["removals"].append(dict(doc["removals"][0]))

    assert "(dockershim): duplicate id" in refused(edit("removals.yaml", change))


# ------------------------------------------------------------------- skew-policy.yaml


def test_skew_unknown_component(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["rules"][1]["component"] = "kubelett"

    message = refused(edit("skew-policy.yaml", change))
    assert message.startswith(
        "deprecations/skew-policy.yaml: rules[1] (kubelett vs kube-apiserver)"
    )
    assert "component 'kubelett' is not one of" in message


def test_skew_overlapping_rules(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["rules"][2]["component_until"] = "1.26"

    assert "rules[2] (kubelet vs kube-apiserver): its component-version range overlaps" in (
        refused(edit("skew-policy.yaml", change))
    )


def test_skew_bad_version(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["rules"][1]["component_from"] = "one.25"

    assert "component_from 'one.25' is not a version" in refused(edit("skew-policy.yaml", change))


def test_skew_missing_source(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        del doc["upgrade_order"][0]["source"]

    assert refused(edit("skew-policy.yaml", change)) == (
        "deprecations/skew-policy.yaml: upgrade_order[0]: missing required key 'source'"
    )


# ---------------------------------------------------------------------- releases.yaml


def test_release_missing_source(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        del doc["releases"][2]["source"]

    assert refused(edit("releases.yaml", change)) == (
        "deprecations/releases.yaml: releases[2] (1.18): missing required key 'source'"
    )


def test_release_bad_date(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["releases"][0]["end_of_life"] = "2020-13-02"

    assert refused(edit("releases.yaml", change)) == (
        "deprecations/releases.yaml: releases[0] (1.16): end_of_life '2020-13-02' is not a date "
        "(YYYY-MM-DD)"
    )


def test_releases_sorted_and_unique(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["releases"][1], doc["releases"][2] = doc["releases"][2], doc["releases"][1]

    assert "releases must be consecutive and sorted: 1.18 follows 1.16" in refused(
        edit("releases.yaml", change)
    )


def test_release_patch_of_another_minor(edit: Editor) -> None:
    def change(doc: Doc) -> None:
        doc["releases"][0]["latest_patch"] = "1.17.3"

    assert "latest_patch '1.17.3' is not a patch of 1.16" in refused(edit("releases.yaml", change))


# -------------------------------------------------------------------- helm-support.yaml


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            lambda doc: doc["helm"].insert(0, {"helm": "3.1", "oldest": "1.17", "newest": "1.14"}),
            "helm[0] ({'helm': '3.1', 'oldest': '1.17', 'newest': '1.14'}): oldest 1.17 must be "
            "at or before",
        ),
        (lambda doc: doc["helm"].append(doc["helm"][0]), "helm: a Helm minor is listed twice"),
        (lambda doc: doc["helm"][0].pop("newest"), "missing required key 'newest'"),
        (lambda doc: doc["helm"][0].update(helm=3.1), "helm 3.1 must be a quoted string"),
    ],
)
def test_helm_support_errors_name_the_row(
    edit: Editor, change: Callable[[Doc], None], error: str
) -> None:
    message = refused(edit("helm-support.yaml", change))
    assert message.startswith("deprecations/helm-support.yaml: helm"), message
    assert error in message


# ------------------------------------------------------------------------- any file


def test_duplicate_yaml_key(data_copy: Path) -> None:
    path = data_copy / "releases.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            'released: "2019-09-18"', 'released: "2019-09-18"\n    released: "2019-09-19"', 1
        ),
        encoding="utf-8",
    )
    message = refused(data_copy)
    assert message.startswith("deprecations/releases.yaml: top level: not valid YAML")
    assert "duplicate key 'released'" in message


def test_missing_file(data_copy: Path) -> None:
    (data_copy / "removals.yaml").unlink()
    assert refused(data_copy).startswith(
        "deprecations/removals.yaml: top level: cannot read the file"
    )
