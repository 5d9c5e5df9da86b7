"""`pdb-blocks-drain` and `pdb-matches-nothing`: PodDisruptionBudgets that let no pod be
evicted (node drains, and so node upgrades, wait on them forever), and budgets that select
no pod at all (a sign of a renamed workload whose protection silently lapsed)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from upgradecheck.checks.evidence import field_evidence
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.model import Evidence, Finding, ObservedObject, Severity, Snapshot
from upgradecheck.shapes import as_int, as_map, dig
from upgradecheck.wording import plural
from upgradecheck.workloads import labels_of, metadata, selector_matches


def _plan_step(findings: Sequence[Finding]) -> tuple[str, str]:
    pdbs = plural(len(findings), "PodDisruptionBudget")
    return (
        f"Relax {pdbs} allowing no disruption, or node drains will hang.",
        "kubectl get pdb -A",
    )


PDB_BLOCKS_DRAIN = Rule(
    id="pdb-blocks-drain",
    title="PodDisruptionBudget allows no eviction",
    what="A PodDisruptionBudget with pods to protect whose status.disruptionsAllowed is 0, "
    'or whose spec allows no eviction: maxUnavailable 0 or "0%", minAvailable "100%", '
    "or minAvailable at or above the pods it covers (status.expectedPods, else the "
    "replicas of the workloads it selects). A budget covering 0 pods is not one.",
    why="`kubectl drain` and managed node-pool upgrades evict pods through the eviction "
    "API; such a budget refuses every eviction, so node upgrades hang or time out.",
    fix="For the upgrade window raise maxUnavailable to at least 1 (or lower "
    "minAvailable below the replica count), or scale the workload up; restore it after.",
    source="https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
    severity=Severity.WARNING,
    plan_step=_plan_step,
)

PDB_MATCHES_NOTHING = Rule(
    id="pdb-matches-nothing",
    title="PodDisruptionBudget selects no pod",
    what="A PodDisruptionBudget whose status counts 0 expected pods, or (without status) "
    "whose selector matches none of the pods collected in its namespace.",
    why="The workload it was written for (often renamed or relabelled) is unprotected "
    "while nodes are drained during the upgrade.",
    fix="Fix the selector to match the workload's pod labels, or delete the budget.",
    source="https://kubernetes.io/docs/tasks/run-application/configure-pdb/"
    "#specifying-a-poddisruptionbudget",
    severity=Severity.INFO,
)

_REPLICATED = ("Deployment", "StatefulSet", "ReplicaSet")
_POD_COUNT = "pods selected"


def percent(value: Any) -> float | None:
    """`"25%"` as 25.0; None for anything else (`"nan%"`, `"1e999%"` included)."""
    if isinstance(value, str) and value.endswith("%"):
        try:
            share = float(value[:-1])
        except ValueError:
            return None
        return share if math.isfinite(share) else None
    return None


def scaled(value: Any, expected: int) -> int | None:
    """An int-or-percent budget field against `expected` pods, rounded up as the disruption
    controller does; None when unreadable."""
    count = as_int(value)
    if count is not None:
        return count
    share = percent(value)
    if share is None:
        return None
    need = share * expected / 100
    return math.ceil(need) if math.isfinite(need) else None


@dataclass(frozen=True)
class _Workload:
    """A replicated workload no other controller owns, with its pod template's labels."""

    obj: ObservedObject
    labels: Mapping[str, str]


class _ByLabel:
    """Label sets by namespace and by (namespace, label, value), for the label keys that
    some selector's matchLabels names: a selector's matchLabels narrow the candidates first,
    so that many budgets over many pods stay near linear."""

    def __init__(self, keys: frozenset[str]) -> None:
        self.keys = keys
        self.all: dict[str | None, list[Any]] = {}
        self.by_label: dict[tuple[str | None, str, str], list[Any]] = {}

    def add(self, namespace: str | None, labels: Mapping[str, str], item: Any) -> None:
        self.all.setdefault(namespace, []).append(item)
        for key in self.keys:
            value = labels.get(key)
            if value is not None:
                self.by_label.setdefault((namespace, key, value), []).append(item)

    def add_raw(self, namespace: str | None, labels: dict[Any, Any]) -> None:
        """`add(namespace, labels_of(labels), labels)` for labels as read, when no indexed
        key is what another type than a string writes (see `_no_other_type_writes`)."""
        self.all.setdefault(namespace, []).append(labels)
        for key in self.keys:
            if key in labels:
                value = labels[key]
                value = value if type(value) is str else str(value)
                self.by_label.setdefault((namespace, key, value), []).append(labels)

    def candidates(self, namespace: str | None, selector: Any) -> list[Any]:
        """The items of the namespace that the selector may select, in their order."""
        found = self.all.get(namespace, [])
        for key, value in as_map(as_map(selector).get("matchLabels")).items():
            if str(key) not in self.keys:
                continue  # not indexed: the selector's other labels narrow, or none
            narrower = self.by_label.get((namespace, str(key), str(value)), [])
            if len(narrower) < len(found):
                found = narrower
        return found


def _no_other_type_writes(key: str) -> bool:
    """Whether no label key of another type than a string (YAML reads `1`, `1.5`, `true`,
    `null`, `2024-01-01` as such) is written as `key`: then a label is indexed under `key`
    exactly when the labels as read hold `key` itself."""
    if key in ("True", "False", "None") or key[:1].isdigit() or key[:1] in "+-.":
        return False
    try:
        float(key)  # inf, nan, 1e3, 1_000
    except ValueError:
        return True
    return False


def _strings(labels: Mapping[Any, Any]) -> Mapping[str, str]:
    """Labels as read, with their keys and values made strings (as labels_of makes them)."""
    return {str(k): str(v) for k, v in labels.items()}


class Selection:
    """Pods and replicated workloads of a snapshot by namespace, for the label selectors
    `selectors` (those of every budget). Each index is built when first asked: the budgets
    of a live cluster carry status.expectedPods, and then neither is."""

    def __init__(self, snapshot: Snapshot, selectors: Iterable[Any] = ()) -> None:
        self._snapshot = snapshot
        self._keys = frozenset(
            str(key) for s in selectors for key in as_map(as_map(s).get("matchLabels"))
        )
        self.pods_seen = bool(snapshot.of_kind("Pod"))

    @cached_property
    def _pods(self) -> _ByLabel:
        pods = _ByLabel(self._keys)
        # Every pod's labels are indexed as they are read (a plain dict of strings, almost
        # always): only the indexed keys are looked up, and only the candidates of a
        # selector are made strings to be matched. Keys that some other type writes as
        # (`1`, `True`, a date) would need each label key made a string: then every pod's.
        raw = all(_no_other_type_writes(key) for key in self._keys)
        for obj in self._snapshot.of_kind("Pod"):
            meta = metadata(obj)
            labels = meta.get("labels")
            if raw and type(labels) is dict:
                pods.add_raw(obj.ref.namespace, labels)
            else:
                converted = labels_of(meta)
                pods.add(obj.ref.namespace, converted, converted)
        return pods

    @cached_property
    def _workloads(self) -> _ByLabel:
        workloads = _ByLabel(self._keys)
        for obj in self._snapshot.of_kind(*_REPLICATED):
            if not as_map(metadata(obj)).get("ownerReferences"):
                labels = labels_of(as_map(dig(obj.body, "spec", "template", "metadata")))
                workloads.add(obj.ref.namespace, labels, _Workload(obj, labels))
        return workloads

    def pod_count(self, namespace: str | None, selector: Any) -> int:
        """How many collected pods of the namespace the selector selects."""
        candidates = self._pods.candidates(namespace, selector)
        return sum(1 for labels in candidates if selector_matches(selector, _strings(labels)))

    def replicas(self, namespace: str | None, selector: Any) -> tuple[int, list[str]] | None:
        """The desired replicas of the workloads the selector covers, and their names."""
        total, found = 0, []
        for workload in self._workloads.candidates(namespace, selector):
            if workload.labels and selector_matches(selector, workload.labels):
                count = as_int(dig(workload.obj.body, "spec", "replicas"))
                total += count if count is not None else 1
                found.append(workload.obj.ref.display())
        return (total, found) if found else None


@dataclass(frozen=True)
class Budget:
    """What a PodDisruptionBudget asks and what the snapshot shows of its pods."""

    pdb: ObservedObject
    """The budget."""
    selector: Any
    """Its selector (None selects nothing)."""
    expected: int | None
    """Pods it covers: status.expectedPods, else its workloads' replicas, else pods seen."""
    basis: str
    """Where `expected` comes from, for people."""

    @property
    def spec(self) -> Mapping[str, Any]:
        """The budget's spec."""
        return as_map(self.pdb.body.get("spec"))

    @property
    def status(self) -> Mapping[str, Any]:
        """The budget's status (empty for files)."""
        return as_map(self.pdb.body.get("status"))


def budget(pdb: ObservedObject, selection: Selection) -> Budget:
    """A PDB with its expected pods, from the best evidence at hand."""
    spec = as_map(pdb.body.get("spec"))
    selector = spec.get("selector")
    if pdb.ref.api_version == "policy/v1beta1" and selector == {}:
        selector = None  # policy/v1beta1: an empty selector selects nothing
    ns = pdb.ref.namespace
    expected = as_int(as_map(pdb.body.get("status")).get("expectedPods"))
    if expected is not None:
        return Budget(pdb, selector, expected, "status.expectedPods")
    found = selection.replicas(ns, selector)
    if found is not None:
        return Budget(pdb, selector, found[0], f"replicas of {', '.join(found[1])}")
    if selection.pods_seen:
        return Budget(pdb, selector, selection.pod_count(ns, selector), _POD_COUNT)
    return Budget(pdb, selector, None, "unknown")


def blocking(b: Budget) -> tuple[str, list[Evidence]] | None:
    """Why the budget allows no eviction, with evidence; None when it allows some."""
    if b.expected == 0:
        return None
    allowed = as_int(b.status.get("disruptionsAllowed"))
    if allowed is not None:
        if allowed > 0:
            return None
        why = _spec_reason(b) or ("its pods are not all healthy", [])
        evidence = [field_evidence(b.pdb.ref, "status.disruptionsAllowed", 0), *why[1]]
        return f"status.disruptionsAllowed is 0: {why[0]}", evidence
    return _spec_reason(b)


def _spec_reason(b: Budget) -> tuple[str, list[Evidence]] | None:
    ref, spec = b.pdb.ref, b.spec
    if "maxUnavailable" in spec:
        value = spec["maxUnavailable"]
        if value == 0 or percent(value) == 0:
            return f"maxUnavailable is {value}", [field_evidence(ref, "spec.maxUnavailable", value)]
        return None
    value = spec.get("minAvailable")
    if value is None:
        return None
    share = percent(value)
    if share is not None and share >= 100:
        return f"minAvailable is {value}", [field_evidence(ref, "spec.minAvailable", value)]
    if b.expected is None:
        return None
    need = scaled(value, b.expected)
    if need is None or need < b.expected:
        return None
    reason = f"minAvailable {value} needs {need} of {plural(b.expected, 'pod')} ({b.basis})"
    return reason, [field_evidence(ref, "spec.minAvailable", f"{value} ({b.basis}: {b.expected})")]


def _pods_selected(b: Budget, selection: Selection) -> int:
    """How many collected pods the budget selects (counted already when they are its
    expected pods)."""
    if b.basis == _POD_COUNT:
        assert b.expected is not None
        return b.expected
    return selection.pod_count(b.pdb.ref.namespace, b.selector)


class DisruptionBudgetCheck(Check):
    """PodDisruptionBudgets that stop drains, or that protect nothing."""

    rules = (PDB_BLOCKS_DRAIN, PDB_MATCHES_NOTHING)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        pdbs = ctx.snapshot.of_kind("PodDisruptionBudget")
        selectors = (as_map(p.body.get("spec")).get("selector") for p in pdbs)
        selection = Selection(ctx.snapshot, selectors)
        for obj in pdbs:
            b = budget(obj, selection)
            yield from self._blocks(b)
            yield from self._nothing(b, selection)

    def _blocks(self, b: Budget) -> Iterator[Finding]:
        reason = blocking(b)
        if reason is None:
            return
        ref = b.pdb.ref
        yield PDB_BLOCKS_DRAIN.finding(
            f"PodDisruptionBudget {ref.namespace}/{ref.name} allows no eviction ({reason[0]}): "
            "`kubectl drain` and managed node-pool upgrades wait on its pods until they time "
            "out.",
            "For the upgrade window raise maxUnavailable to at least 1 (or lower minAvailable "
            "below the replica count), or scale the workload up; restore the budget after.",
            obj=ref,
            evidence=reason[1],
        )

    def _nothing(self, b: Budget, selection: Selection) -> Iterator[Finding]:
        ref = b.pdb.ref
        if b.basis == "status.expectedPods" and b.expected == 0:
            evidence = field_evidence(ref, "status.expectedPods", 0)
            why = "its status counts 0 expected pods"
        elif b.basis == "status.expectedPods":
            return  # the controller's own count is better evidence than the pods collected
        elif selection.pods_seen and _pods_selected(b, selection) == 0:
            evidence = field_evidence(ref, "spec.selector", b.selector)
            why = f"its selector matches none of the pods collected in {ref.namespace}"
        else:
            return
        yield PDB_MATCHES_NOTHING.finding(
            f"PodDisruptionBudget {ref.namespace}/{ref.name} protects no pod ({why}): the "
            "workload it was meant for is unprotected during drains, or it was removed.",
            "Fix the selector to match the workload's pod labels, or delete the budget.",
            obj=ref,
            evidence=(evidence,),
        )
