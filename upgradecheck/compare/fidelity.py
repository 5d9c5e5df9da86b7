"""Rehearsal fidelity: how faithfully a test cluster stands in for production. What production
has and the test cluster lacks is a warning (a blocker for a different minor: the rehearsal
would be of another upgrade); what only the test cluster has is one short info line each."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from upgradecheck.compare.inventory import deployed_charts, kubelet_minors, minor_of, runtimes
from upgradecheck.compare.model import SERVER_VERSION, CompareCheck, Difference
from upgradecheck.model import Severity, Snapshot
from upgradecheck.wording import names

WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")

PLATFORM = CompareCheck("platform", "Platform")
API_VERSION = CompareCheck("api-version", "API group/versions")
CRD = CompareCheck("crd", "CustomResourceDefinitions")
HELM_CHART = CompareCheck("helm-chart", "Helm charts")
WEBHOOK = CompareCheck("webhook", "Admission webhooks")
KUBELET_MINOR = CompareCheck("kubelet-minor", "Kubelet minors")
CONTAINER_RUNTIME = CompareCheck("container-runtime", "Container runtimes")
CHECKS = (
    SERVER_VERSION,
    PLATFORM,
    API_VERSION,
    CRD,
    HELM_CHART,
    WEBHOOK,
    KUBELET_MINOR,
    CONTAINER_RUNTIME,
)
"""What a fidelity comparison compares, in the order its sections are shown."""


def fidelity_differences(production: Snapshot, test: Snapshot) -> list[Difference]:
    """Every way `test` differs from `production` that matters to a rehearsal."""
    missing_crds = crds(production) - crds(test)
    prod_nodes, test_nodes = production.nodes, test.nodes
    return [
        *server_version(production, test),
        *platform(production, test),
        *api_versions(production, test, {name.partition(".")[2] for name in missing_crds}),
        *compare_sets(CRD, "CRD", crds(production), crds(test)),
        *helm_charts(production, test),
        *compare_sets(WEBHOOK, "", webhooks(production), webhooks(test)),
        *compare_sets(
            KUBELET_MINOR, "kubelet", kubelet_minors(prod_nodes), kubelet_minors(test_nodes)
        ),
        *compare_sets(CONTAINER_RUNTIME, "runtime", runtimes(prod_nodes), runtimes(test_nodes)),
    ]


# What a production-only item leaves unrehearsed, per check.
MISSING = {
    API_VERSION: "Production serves this API; the test cluster does not, so what uses it is "
    "not rehearsed.",
    CRD: "Production has this CRD; the test cluster does not, so its custom resources and "
    "stored versions are not rehearsed.",
    WEBHOOK: "Production has this admission webhook; the test cluster does not, so how it "
    "behaves while the control plane and nodes restart is not rehearsed.",
    KUBELET_MINOR: "Production runs kubelets of this minor; no test node does, so their skew "
    "and node-pool upgrade are not rehearsed.",
    CONTAINER_RUNTIME: "Production nodes run this runtime; no test node does.",
}


def server_version(production: Snapshot, test: Snapshot) -> Iterator[Difference]:
    """A different minor is a blocker; a different patch is info."""
    prod = production.cluster.server_version if production.cluster else None
    tst = test.cluster.server_version if test.cluster else None
    if prod is None or tst is None or prod == tst:
        return
    if minor_of(prod) != minor_of(tst):
        severity = Severity.BLOCKER
        message = "The test cluster runs another minor: its rehearsal is of a different upgrade."
    else:
        severity, message = Severity.INFO, "Same minor, different build."
    yield Difference(SERVER_VERSION.id, severity, "API server", message, prod, tst)


def platform(production: Snapshot, test: Snapshot) -> Iterator[Difference]:
    """A different platform (EKS vs kind, ...) upgrades differently."""
    prod = production.cluster.platform if production.cluster else "unknown"
    tst = test.cluster.platform if test.cluster else "unknown"
    if prod != tst:
        message = "Another platform: its managed upgrade steps and add-ons differ."
        yield Difference(PLATFORM.id, Severity.WARNING, "platform", message, prod, tst)


def api_versions(
    production: Snapshot, test: Snapshot, covered_groups: set[str]
) -> Iterator[Difference]:
    """Group/versions served only by production (groups of missing CRDs are named once, by
    the CRD), and briefly those served only by the test cluster."""
    prod, tst = set(production.served_apis), set(test.served_apis)
    lacking = {gv for gv in prod - tst if gv.rpartition("/")[0] not in covered_groups}
    yield from compare_sets(API_VERSION, "API", lacking, tst - prod)


def crds(snapshot: Snapshot) -> set[str]:
    """The names of the CustomResourceDefinitions (`plural.group`)."""
    return {o.ref.name for o in snapshot.objects if o.ref.kind == "CustomResourceDefinition"}


def webhooks(snapshot: Snapshot) -> set[str]:
    """`Kind name` of each admission webhook configuration."""
    return {f"{o.ref.kind} {o.ref.name}" for o in snapshot.objects if o.ref.kind in WEBHOOK_KINDS}


def helm_charts(production: Snapshot, test: Snapshot) -> Iterator[Difference]:
    """Charts production runs that the test cluster lacks or runs at other versions."""
    prod, tst = deployed_charts(production), deployed_charts(test)
    for chart in sorted(prod):
        versions = ", ".join(f"{chart}@{v}" for v in sorted(prod[chart]))
        if chart not in tst:
            message = "Not installed on the test cluster: its upgrade is not rehearsed."
            yield Difference(HELM_CHART.id, Severity.WARNING, chart, message, versions, "absent")
        elif not prod[chart] & tst[chart]:
            there = ", ".join(f"{chart}@{v}" for v in sorted(tst[chart]))
            message = "Another chart version on the test cluster."
            yield Difference(HELM_CHART.id, Severity.WARNING, chart, message, versions, there)
    yield from _only_in_test(HELM_CHART, "chart", set(tst) - set(prod))


def compare_sets(
    check: CompareCheck, what: str, production: Iterable[str], test: Iterable[str]
) -> Iterator[Difference]:
    """A warning for each item only production has (named `what item`); one info line for
    those only the test cluster has."""
    prod, tst = set(production), set(test)
    for item in sorted(prod - tst):
        subject = f"{what} {item}" if what else item
        missing = MISSING[check]
        yield Difference(check.id, Severity.WARNING, subject, missing, "present", "absent")
    yield from _only_in_test(check, what or check.id, tst - prod)


def _only_in_test(check: CompareCheck, what: str, items: set[str]) -> Iterator[Difference]:
    if items:
        listed = names(sorted(items))
        message = f"Only the test cluster has {'this' if len(items) == 1 else 'these'}: {listed}."
        count = f"{len(items)} {what}{'s' if len(items) != 1 else ''}"
        yield Difference(check.id, Severity.INFO, f"test only: {count}", message)
