"""Admission webhooks and aggregated APIs that can stall an upgrade:
`webhook-failure-policy` (fails closed, and its service has no ready endpoint),
`webhook-intercepts-system` (fails closed on kube-system or on every resource),
`webhook-timeout` (may hold each request longer than 10 seconds) and
`apiservice-unavailable` (an aggregated API the API server reports unavailable).
One finding per webhook configuration and rule, naming its webhooks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from upgradecheck.checks.evidence import field_evidence
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.model import Evidence, Finding, ObservedObject, Severity, Snapshot
from upgradecheck.shapes import as_int, as_map, as_maps, as_str, as_strs, dig
from upgradecheck.wording import names, plural
from upgradecheck.workloads import labels_of, metadata, selector_matches

ADMISSION_DOCS = (
    "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/"
)

WEBHOOK_FAILURE_POLICY = Rule(
    id="webhook-failure-policy",
    title="Fail-closed webhook without ready endpoints",
    what="Admission webhooks with failurePolicy Fail (the default in "
    "admissionregistration.k8s.io/v1) whose service has no ready endpoint in the "
    "collected EndpointSlices (or Endpoints): a blocker. When neither kind was collected, "
    "an info finding that says the endpoints were not verified.",
    why="Every request the webhook intercepts is rejected: pods, and the upgrade's own "
    "changes to workloads and system objects, cannot be created.",
    fix="Restore the webhook's backend (pods, service, certificate) before the upgrade, or "
    "delete the configuration of a component that is gone.",
    source=ADMISSION_DOCS + "#failure-policy",
    severity=Severity.BLOCKER,
)

WEBHOOK_INTERCEPTS_SYSTEM = Rule(
    id="webhook-intercepts-system",
    title="Fail-closed webhook on kube-system or every resource",
    what="Admission webhooks with failurePolicy Fail whose namespaceSelector does not "
    "exclude kube-system (judged against kube-system's labels), or whose rules name every "
    "resource (`*`).",
    why="While the webhook's own pods are being drained or rescheduled during the "
    "upgrade, system and control-plane pods cannot be created or changed: the cluster can "
    "lock itself out.",
    fix="Exclude kube-system with a namespaceSelector on kubernetes.io/metadata.name, "
    "narrow the rules, or use failurePolicy Ignore.",
    source=ADMISSION_DOCS + "#avoiding-operating-on-the-kube-system-namespace",
    severity=Severity.WARNING,
)

WEBHOOK_TIMEOUT = Rule(
    id="webhook-timeout",
    title="Webhook timeout above 10 seconds",
    what="Admission webhooks with timeoutSeconds above 10 (the default).",
    why="While the backend is unreachable during the upgrade, every matching request "
    "waits that long; clients and controllers time out first.",
    fix="Lower timeoutSeconds to 10 or less.",
    source=ADMISSION_DOCS + "#timeouts",
    severity=Severity.WARNING,
)

APISERVICE_UNAVAILABLE = Rule(
    id="apiservice-unavailable",
    title="Aggregated API unavailable",
    what="APIServices whose Available condition is False.",
    why="Discovery is incomplete: namespace deletion and garbage collection stall, and "
    "`helm upgrade` and some kubectl commands fail on the missing group.",
    fix="Repair the backing service, or delete the APIService of a component that is "
    "gone, before the upgrade.",
    source="https://kubernetes.io/docs/concepts/extend-kubernetes/api-extension/"
    "apiserver-aggregation/",
    severity=Severity.WARNING,
)

WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")
SERVICE_NAME = "kubernetes.io/service-name"
MAX_TIMEOUT = 10


class ReadyEndpoints:
    """Ready endpoint addresses per Service, from EndpointSlices, else Endpoints. A kind
    counts as seen only if its objects kept their addresses (`addressType` on a slice,
    `subsets` on some Endpoints): a trimmed body must not read as "no endpoints"."""

    def __init__(self, snapshot: Snapshot) -> None:
        slices: dict[tuple[str | None, str], int] = {}
        endpoints: dict[tuple[str | None, str], int] = {}
        self.slices_seen = self.endpoints_seen = False
        for obj in snapshot.of_kind("EndpointSlice"):
            if "addressType" in obj.body:
                self.slices_seen = True
                service = labels_of(metadata(obj)).get(SERVICE_NAME)
                if service:
                    key = (obj.ref.namespace, service)
                    slices[key] = slices.get(key, 0) + _ready_in_slice(obj)
        for obj in snapshot.of_kind("Endpoints"):
            subsets = as_maps(obj.body.get("subsets"))
            self.endpoints_seen = self.endpoints_seen or "subsets" in obj.body
            ready = sum(len(as_maps(s.get("addresses"))) for s in subsets)
            endpoints[(obj.ref.namespace, obj.ref.name)] = ready
        self.ready = slices if self.slices_seen else endpoints

    @property
    def verified(self) -> bool:
        """Whether endpoints were collected at all."""
        return self.slices_seen or self.endpoints_seen

    def count(self, namespace: str, service: str) -> int | None:
        """Ready addresses behind a service; None when endpoints were not collected."""
        return self.ready.get((namespace, service), 0) if self.verified else None


def _ready_in_slice(obj: ObservedObject) -> int:
    # An unset `ready` condition means ready ("consumers should interpret unknown as ready").
    return sum(
        len(as_strs(e.get("addresses")))
        for e in as_maps(obj.body.get("endpoints"))
        if as_map(e.get("conditions")).get("ready") is not False
    )


@dataclass(frozen=True)
class Webhook:
    """One webhook of a configuration."""

    config: ObservedObject
    """The Validating- or MutatingWebhookConfiguration."""
    body: Mapping[str, Any]
    """The webhook entry."""

    @property
    def name(self) -> str:
        """The webhook's name."""
        return as_str(self.body.get("name")) or "<unnamed>"

    @property
    def policy(self) -> str:
        """failurePolicy; unset means Fail in admissionregistration v1, Ignore in v1beta1."""
        default = "Ignore" if self.config.ref.version == "v1beta1" else "Fail"
        return as_str(self.body.get("failurePolicy")) or default

    def at(self, rest: str) -> str:
        """The location of one of its fields: `webhooks[name].failurePolicy`."""
        return f"webhooks[{self.name}].{rest}"

    def evidence(self, rest: str, value: Any) -> Evidence:
        """Evidence of one of its fields."""
        return field_evidence(self.config.ref, self.at(rest), value)


def webhooks_of(snapshot: Snapshot) -> Iterator[tuple[ObservedObject, list[Webhook]]]:
    """Every webhook configuration with its webhooks."""
    for obj in snapshot.of_kind(*WEBHOOK_KINDS):
        yield obj, [Webhook(obj, w) for w in as_maps(obj.body.get("webhooks"))]


def kube_system_labels(snapshot: Snapshot) -> Mapping[str, str]:
    """kube-system's labels, from its Namespace object or as every cluster since 1.21 sets."""
    for obj in snapshot.of_kind("Namespace"):
        if obj.ref.name == "kube-system":
            labels = labels_of(metadata(obj))
            if labels:
                return labels
    return {"kubernetes.io/metadata.name": "kube-system"}


def every_resource(hook: Webhook) -> bool:
    """Whether a rule of the webhook names every resource (`*` or `*/*`)."""
    rules = as_maps(hook.body.get("rules"))
    return any(r in ("*", "*/*") for rule in rules for r in as_strs(rule.get("resources")))


@dataclass
class _Found:
    """The webhooks of one configuration that one rule flags, with their evidence."""

    hooks: list[str]
    evidence: list[Evidence]


class WebhookCheck(Check):
    """Admission webhooks and APIServices that can stall the upgrade."""

    rules = (
        WEBHOOK_FAILURE_POLICY,
        WEBHOOK_INTERCEPTS_SYSTEM,
        WEBHOOK_TIMEOUT,
        APISERVICE_UNAVAILABLE,
    )

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        endpoints = ReadyEndpoints(ctx.snapshot)
        system = kube_system_labels(ctx.snapshot)
        for config, hooks in webhooks_of(ctx.snapshot):
            yield from self._failure_policy(config, hooks, endpoints)
            yield from self._intercepts(config, hooks, system)
            yield from self._timeouts(config, hooks)
        yield from self._apiservices(ctx.snapshot)

    def _failure_policy(
        self, config: ObservedObject, hooks: list[Webhook], endpoints: ReadyEndpoints
    ) -> Iterator[Finding]:
        found = _Found([], [])
        for hook in hooks:
            service = as_map(dig(hook.body, "clientConfig", "service"))
            name = as_str(service.get("name"))
            if hook.policy != "Fail" or not name:
                continue
            ns = as_str(service.get("namespace")) or ""
            ready = endpoints.count(ns, name)
            if ready is None or ready == 0:
                found.hooks.append(hook.name)
                found.evidence.append(hook.evidence("clientConfig.service", f"{ns}/{name}"))
        if not found.hooks:
            return
        one = len(found.hooks) == 1
        listed = f"{plural(len(found.hooks), 'webhook')} ({names(found.hooks)})"
        fail, its, they = ("fails", "its", "it") if one else ("fail", "their", "they")
        ref = config.ref
        if endpoints.verified:
            yield WEBHOOK_FAILURE_POLICY.finding(
                f"{ref.display()}: {listed} {fail} closed (failurePolicy Fail) and {its} "
                f"service has no ready endpoint: every request {they} intercept"
                f"{'s' if one else ''} is rejected, so pods, and the upgrade's own changes, "
                "cannot be created.",
                "Restore the webhook's backend (its pods, service and certificate) before the "
                "upgrade, or delete the configuration if the component is gone.",
                obj=ref,
                evidence=found.evidence,
            )
            return
        yield WEBHOOK_FAILURE_POLICY.finding(
            f"{ref.display()}: {listed} {fail} closed (failurePolicy Fail); whether {its} "
            "service has ready endpoints is not verified (no EndpointSlices or Endpoints "
            "collected).",
            "Check that the webhook's service has ready endpoints before the upgrade "
            "(kubectl get endpointslices -n NAMESPACE -l kubernetes.io/service-name=NAME).",
            severity=Severity.INFO,
            obj=ref,
            evidence=found.evidence,
        )

    def _intercepts(
        self, config: ObservedObject, hooks: list[Webhook], system: Mapping[str, str]
    ) -> Iterator[Finding]:
        found = _Found([], [])
        for hook in hooks:
            if hook.policy != "Fail":
                continue
            selector = hook.body.get("namespaceSelector") or {}
            if selector_matches(selector, system):
                found.hooks.append(hook.name)
                found.evidence.append(hook.evidence("namespaceSelector", selector or "{}"))
            elif every_resource(hook):
                found.hooks.append(hook.name)
                found.evidence.append(hook.evidence("rules", "resources *"))
        if not found.hooks:
            return
        yield WEBHOOK_INTERCEPTS_SYSTEM.finding(
            f"{config.ref.display()}: {plural(len(found.hooks), 'webhook')} "
            f"({names(found.hooks)}) {'fails' if len(found.hooks) == 1 else 'fail'} closed on "
            "kube-system or on every resource: while the backend is down (its node drained, "
            "its pods rescheduling) control-plane and system pods cannot be created or "
            "changed.",
            "Exclude kube-system (and the webhook's own namespace) with a namespaceSelector on "
            "kubernetes.io/metadata.name, narrow the rules, or use failurePolicy Ignore.",
            obj=config.ref,
            evidence=found.evidence,
        )

    def _timeouts(self, config: ObservedObject, hooks: list[Webhook]) -> Iterator[Finding]:
        found = _Found([], [])
        for hook in hooks:
            seconds = as_int(hook.body.get("timeoutSeconds"))
            if seconds is not None and seconds > MAX_TIMEOUT:
                found.hooks.append(f"{hook.name} {seconds}s")
                found.evidence.append(hook.evidence("timeoutSeconds", seconds))
        if not found.hooks:
            return
        yield WEBHOOK_TIMEOUT.finding(
            f"{config.ref.display()}: {plural(len(found.hooks), 'webhook')} may hold each "
            f"request longer than {MAX_TIMEOUT} seconds ({names(found.hooks)}): while the "
            "backend is unreachable, every matching request waits that long.",
            f"Lower timeoutSeconds to {MAX_TIMEOUT} or less (the default).",
            obj=config.ref,
            evidence=found.evidence,
        )

    def _apiservices(self, snapshot: Snapshot) -> Iterator[Finding]:
        for obj in snapshot.of_kind("APIService"):
            for condition in as_maps(dig(obj.body, "status", "conditions")):
                if condition.get("type") == "Available" and condition.get("status") == "False":
                    reason = condition.get("reason") or "no reason given"
                    yield self._unavailable(obj, str(reason), str(condition.get("message", "")))

    def _unavailable(self, obj: ObservedObject, reason: str, message: str) -> Finding:
        service = as_map(dig(obj.body, "spec", "service"))
        backend = f" (service {service.get('namespace')}/{service.get('name')})" if service else ""
        return APISERVICE_UNAVAILABLE.finding(
            f"APIService {obj.ref.name}{backend} is unavailable ({reason}): discovery is "
            "incomplete, so namespace deletion and garbage collection stall and "
            "`helm upgrade` and `kubectl` fail on the missing group.",
            "Fix the backing service (or delete the APIService if its component is gone) "
            "before the upgrade.",
            obj=obj.ref,
            evidence=(
                field_evidence(
                    obj.ref, "status.conditions[Available]", f"False: {reason}. {message}".strip()
                ),
            ),
        )
