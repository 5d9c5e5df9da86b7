"""webhook-failure-policy / webhook-intercepts-system / webhook-timeout /
apiservice-unavailable."""

from __future__ import annotations

from typing import Any

from support.riskfixtures import cluster, context, obj, run

from upgradecheck.checks.rule import Rule
from upgradecheck.checks.webhooks import (
    APISERVICE_UNAVAILABLE,
    WEBHOOK_FAILURE_POLICY,
    WEBHOOK_INTERCEPTS_SYSTEM,
    WEBHOOK_TIMEOUT,
    WebhookCheck,
)
from upgradecheck.model import ObservedObject, Severity

CHECK = WebhookCheck()
SAFE_SELECTOR = {
    "matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system"]}
    ]
}


def hook(name: str = "validate.example.com", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "clientConfig": {"service": {"namespace": "policy", "name": "webhook", "port": 443}},
        "rules": [
            {
                "apiGroups": ["apps"],
                "apiVersions": ["v1"],
                "resources": ["deployments"],
                "operations": ["CREATE"],
            }
        ],
        "namespaceSelector": SAFE_SELECTOR,
        "sideEffects": "None",
        "admissionReviewVersions": ["v1"],
    }
    body.update(fields)
    return body


def config(*hooks: dict[str, Any], api: str = "admissionregistration.k8s.io/v1") -> ObservedObject:
    return obj(api, "ValidatingWebhookConfiguration", None, "policy", webhooks=list(hooks))


def endpoint_slice(
    ready: bool | None, ns: str = "policy", service: str = "webhook"
) -> ObservedObject:
    conditions = {} if ready is None else {"ready": ready}
    return obj(
        "discovery.k8s.io/v1",
        "EndpointSlice",
        ns,
        f"{service}-abcde",
        labels={"kubernetes.io/service-name": service},
        addressType="IPv4",
        endpoints=[{"addresses": ["10.0.0.7"], "conditions": conditions}],
    )


def rules_of(*objects: ObservedObject) -> dict[Rule, list[Any]]:
    declared = {r.id: r for r in CHECK.rules}
    found: dict[Rule, list[Any]] = {}
    for f in run(CHECK, context(cluster(*objects))):
        found.setdefault(declared[f.rule], []).append(f)
    return found


def test_fail_closed_without_ready_endpoints_is_a_blocker() -> None:
    found = rules_of(config(hook(failurePolicy="Fail")), endpoint_slice(ready=False))
    [f] = found[WEBHOOK_FAILURE_POLICY]
    assert f.severity is Severity.BLOCKER and f.object is not None and f.object.name == "policy"
    assert f.evidence[0].location == "webhooks[validate.example.com].clientConfig.service"
    assert f.evidence[0].detail == "policy/webhook"


def test_failure_policy_unset_in_v1_means_fail_in_v1beta1_ignore() -> None:
    service_gone = endpoint_slice(ready=True, service="something-else")
    assert rules_of(config(hook()), service_gone)[WEBHOOK_FAILURE_POLICY]
    v1beta1 = config(hook(), api="admissionregistration.k8s.io/v1beta1")
    assert WEBHOOK_FAILURE_POLICY not in rules_of(v1beta1, service_gone)


def test_ready_endpoints_or_ignore_policy_pass() -> None:
    assert WEBHOOK_FAILURE_POLICY not in rules_of(config(hook()), endpoint_slice(ready=True))
    # an unset ready condition counts as ready
    assert WEBHOOK_FAILURE_POLICY not in rules_of(config(hook()), endpoint_slice(ready=None))
    ignore = config(hook(failurePolicy="Ignore"))
    assert WEBHOOK_FAILURE_POLICY not in rules_of(ignore, endpoint_slice(ready=False))


def test_endpoints_used_when_no_slices() -> None:
    ready = obj(
        "v1", "Endpoints", "policy", "webhook", subsets=[{"addresses": [{"ip": "10.0.0.1"}]}]
    )
    assert WEBHOOK_FAILURE_POLICY not in rules_of(config(hook()), ready)
    empty = obj(
        "v1", "Endpoints", "policy", "webhook", subsets=[{"notReadyAddresses": [{"ip": "x"}]}]
    )
    assert rules_of(config(hook()), empty)[WEBHOOK_FAILURE_POLICY][0].severity is Severity.BLOCKER


def test_not_verified_when_no_endpoints_were_collected() -> None:
    trimmed = obj(
        "discovery.k8s.io/v1",
        "EndpointSlice",
        "policy",
        "webhook-x",
        labels={"kubernetes.io/service-name": "webhook"},
    )
    for extra in ((), (trimmed,)):
        [f] = rules_of(config(hook()), *extra)[WEBHOOK_FAILURE_POLICY]
        assert f.severity is Severity.INFO and "not verified" in f.message


def test_webhooks_of_one_configuration_make_one_finding() -> None:
    found = rules_of(config(hook("a.example.com"), hook("b.example.com")), endpoint_slice(False))
    [f] = found[WEBHOOK_FAILURE_POLICY]
    assert "2 webhooks (a.example.com and b.example.com)" in f.message and len(f.evidence) == 2


def test_intercepting_kube_system_or_every_resource() -> None:
    no_selector = hook(namespaceSelector=None)
    [f] = rules_of(config(no_selector), endpoint_slice(True))[WEBHOOK_INTERCEPTS_SYSTEM]
    assert f.severity is Severity.WARNING
    assert f.evidence[0].location == "webhooks[validate.example.com].namespaceSelector"
    assert WEBHOOK_INTERCEPTS_SYSTEM not in rules_of(config(hook()), endpoint_slice(True))
    everything = hook(rules=[{"apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"]}])
    [f] = rules_of(config(everything), endpoint_slice(True))[WEBHOOK_INTERCEPTS_SYSTEM]
    assert f.evidence[0].location.endswith(".rules")
    relaxed = hook(namespaceSelector=None, failurePolicy="Ignore")
    assert WEBHOOK_INTERCEPTS_SYSTEM not in rules_of(config(relaxed))


def test_selector_judged_against_kube_systems_own_labels() -> None:
    opt_in = hook(namespaceSelector={"matchLabels": {"policy": "enforced"}})
    assert WEBHOOK_INTERCEPTS_SYSTEM not in rules_of(config(opt_in), endpoint_slice(True))
    labelled = obj(
        "v1",
        "Namespace",
        None,
        "kube-system",
        labels={"kubernetes.io/metadata.name": "kube-system", "policy": "enforced"},
    )
    assert rules_of(config(opt_in), endpoint_slice(True), labelled)[WEBHOOK_INTERCEPTS_SYSTEM]


def test_timeout_above_ten_seconds() -> None:
    [f] = rules_of(config(hook(timeoutSeconds=30)), endpoint_slice(True))[WEBHOOK_TIMEOUT]
    assert f.severity is Severity.WARNING and f.evidence[0].detail == "30"
    assert WEBHOOK_TIMEOUT not in rules_of(config(hook(timeoutSeconds=10)), endpoint_slice(True))


def test_unavailable_apiservice() -> None:
    def apiservice(status: str) -> ObservedObject:
        return obj(
            "apiregistration.k8s.io/v1",
            "APIService",
            None,
            "v1beta1.metrics.k8s.io",
            spec={"service": {"namespace": "kube-system", "name": "metrics-server"}},
            status={
                "conditions": [
                    {"type": "Available", "status": status, "reason": "FailedDiscoveryCheck"}
                ]
            },
        )

    [f] = rules_of(apiservice("False"))[APISERVICE_UNAVAILABLE]
    assert f.severity is Severity.WARNING and "kube-system/metrics-server" in f.message
    assert f.evidence[0].location == "status.conditions[Available]"
    assert rules_of(apiservice("True")) == {}
