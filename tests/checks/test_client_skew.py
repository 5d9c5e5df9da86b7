"""kubectl-skew / helm-client-skew: local clients against the target and each hop (helm by
the knowledge base's Helm support table)."""

from __future__ import annotations

from support.riskfixtures import cluster, context, risk_kb, run

from upgradecheck.checks.client_skew import HELM_CLIENT_SKEW, KUBECTL_SKEW, ClientSkewCheck
from upgradecheck.knowledge.model import HelmSupportTable
from upgradecheck.model import ClientBinary, EvidenceSource, Severity

CHECK = ClientSkewCheck()


def kubectl(version: str | None, path: str = "/usr/local/bin/kubectl") -> ClientBinary:
    return ClientBinary("kubectl", path, version, None if version else "exit status 1")


def helm(version: str, path: str = "/usr/bin/helm") -> ClientBinary:
    return ClientBinary("helm", path, version)


def test_kubectl_within_one_minor_is_fine_either_side() -> None:
    for version in ("v1.24.0", "v1.25.3", "v1.26.0"):
        snap = cluster(clients=[kubectl(version)], version="v1.25.3")
        assert run(CHECK, context(snap, current="1.25", target="1.25")) == []
    for version in ("v1.25.3", "v1.26.0"):
        snap = cluster(clients=[kubectl(version)], version="v1.25.3")
        assert run(CHECK, context(snap, current="1.25", target="1.26")) == []


def test_kubectl_already_outside_the_skew_of_the_server_now() -> None:
    # kubectl 1.27 suits the hop to 1.26, but not the 1.25 API server it talks to today;
    # kubectl 1.18 against 1.24 is wrong today whatever the target, the current one included.
    snap = cluster(clients=[kubectl("v1.27.9")], version="v1.25.3")
    [f] = run(CHECK, context(snap, current="1.25", target="1.26"), KUBECTL_SKEW)
    assert f.hop is None and "already, for the API server at 1.25 now:" in f.message
    old = cluster(clients=[kubectl("v1.18.20")], version="v1.24.9")
    [f] = run(CHECK, context(old, current="1.24", target="1.24"), KUBECTL_SKEW)
    assert (f.hop, f.severity) == (None, Severity.WARNING)
    assert "kubectl 1.18 at /usr/local/bin/kubectl is outside the supported skew already, " in (
        f.message
    )
    assert f.remediation == (
        "Install kubectl 1.24 (any of 1.23 to 1.25 works for the API server at 1.24)."
    )


def test_kubectl_two_minors_away_names_binary_hop_and_version() -> None:
    snap = cluster(clients=[kubectl("v1.22.17")])
    [f] = run(CHECK, context(snap, current="1.23", target="1.26"), KUBECTL_SKEW)
    assert (f.severity, f.hop, f.subject) == (
        Severity.WARNING,
        "1.24",
        "kubectl /usr/local/bin/kubectl",
    )
    assert "1.24, 1.25, 1.26" in f.message and "/usr/local/bin/kubectl" in f.message
    # 1.25 is within one minor of 1.24, 1.25 and 1.26
    assert f.remediation == "Install kubectl 1.25; move to kubectl 1.26 at the end."
    e = f.evidence[0]
    assert (e.source, e.location, e.api_version) == (
        EvidenceSource.CLIENT,
        "/usr/local/bin/kubectl",
        "v1.22.17",
    )


def test_kubectl_right_for_the_target_but_not_the_first_hop() -> None:
    snap = cluster(clients=[kubectl("v1.26.1")])
    [f] = run(CHECK, context(snap, current="1.23", target="1.26"), KUBECTL_SKEW)
    assert f.hop is None
    assert "for the API server at 1.23 now (and at the hop to 1.24):" in f.message
    snap = cluster(clients=[kubectl("v1.25.1")])
    [f] = run(CHECK, context(snap, current="1.24", target="1.27"), KUBECTL_SKEW)
    assert f.hop == "1.27" and "for an API server at 1.27:" in f.message


def test_kubectl_per_hop_when_no_version_fits_the_whole_path() -> None:
    snap = cluster(clients=[kubectl("v1.20.0")])
    [f] = run(CHECK, context(snap, current="1.23", target="1.27"), KUBECTL_SKEW)
    assert f.remediation.startswith("Use a kubectl matching each hop")


def test_unreadable_kubectl_and_other_binaries_are_ignored() -> None:
    snap = cluster(clients=[kubectl(None), ClientBinary("kustomize", "/x", "v5.0.0")])
    assert run(CHECK, context(snap)) == []


def test_helm_outside_its_supported_range() -> None:
    snap = cluster(clients=[helm("v3.8.2")])
    [f] = run(CHECK, context(snap, current="1.23", target="1.24"), HELM_CLIENT_SKEW)
    assert (f.severity, f.hop, f.subject) == (Severity.WARNING, "1.24", "helm /usr/bin/helm")
    assert "supports Kubernetes 1.20 to 1.23" in f.message
    assert f.remediation == "Install Helm 3.12 (it supports Kubernetes 1.24 to 1.27)."
    assert f.link == "https://helm.sh/docs/topics/version_skew/"


def test_helm_already_outside_its_range_now() -> None:
    snap = cluster(clients=[helm("v3.8.2")])
    [f] = run(CHECK, context(snap, current="1.25", target="1.25"), HELM_CLIENT_SKEW)
    assert f.hop is None
    assert "supports Kubernetes 1.20 to 1.23, not the cluster's 1.25: already" in f.message
    assert f.remediation.startswith("Install Helm 3.")


def test_helm_at_the_edge_of_its_range_and_unknown_releases() -> None:
    at_edge = cluster(clients=[helm("v3.8.0")])  # 3.8 supports up to 1.23
    assert run(CHECK, context(at_edge, current="1.22", target="1.23")) == []
    unknown = cluster(clients=[helm("v3.99.0")])
    assert run(CHECK, context(unknown)) == []
    no_table = risk_kb(helm_support=HelmSupportTable((), ""))
    assert run(CHECK, context(cluster(clients=[helm("v3.0.0")]), kb=no_table)) == []


def test_kubectl_advice_prefers_the_target_when_it_fits_every_hop() -> None:
    snap = cluster(clients=[kubectl("v1.23.4")], version="v1.25.3")
    [f] = run(CHECK, context(snap, current="1.25", target="1.26"), KUBECTL_SKEW)
    assert f.remediation == "Install kubectl 1.26 (any of 1.25 to 1.27 works for every hop)."
