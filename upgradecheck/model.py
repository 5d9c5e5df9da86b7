"""The frozen data that crosses each stage: Snapshot (collect → assess), Finding and Report
(assess → render), and the Result interface a Report shares with a compare's Comparison and a
fleet.
Plain values only, so every stage can be tested and serialised alone."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from operator import attrgetter
from typing import Any

import msgspec

SNAPSHOT_SCHEMA = "upgradecheck.snapshot/v1"
REPORT_SCHEMA = "upgradecheck.report/v1"


class Severity(StrEnum):
    """How much a finding matters to the upgrade; ordered blocker > warning > info."""

    BLOCKER = "blocker"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """2 for blocker, 1 for warning, 0 for info: larger is worse."""
        return _RANKS[self]


_RANKS = {Severity.BLOCKER: 2, Severity.WARNING: 1, Severity.INFO: 0}


class Verdict(StrEnum):
    """The one-word answer: blocked (blockers), review (warnings or gaps), ready."""

    BLOCKED = "blocked"
    REVIEW = "review"
    READY = "ready"


class EvidenceSource(StrEnum):
    """Where a piece of evidence was read; the values are the JSON contract's names."""

    FILE = "file"
    LAST_APPLIED = "last-applied"
    MANAGED_FIELDS = "managed-fields"
    HELM_RELEASE = "helm-release"
    APISERVER_METRICS = "apiserver-metrics"
    CRD = "crd"
    NODE = "node"
    CLIENT = "client"
    TEMPLATE = "template"
    OBJECT = "object"


# The records made once per object or piece of evidence (hundreds of thousands of each in a
# large cluster's snapshot) are frozen msgspec Structs rather than dataclasses: made and
# hashed in C (a frozen dataclass's __init__ sets each field through object.__setattr__),
# no dictionary per instance, and decoded by msgspec straight from a snapshot's lines
# (docs/benchmarks.md, "Envelope"). `Finding` is one too, for the same reason: an
# assessment of a large cluster makes 41,000 of them (making 40,901 took 0.145 s as a
# dataclass, 0.038 s as a Struct); it is made by keyword only (eighteen fields).
# They are used as dataclasses are: fields, equality, hashing, immutability, pickling;
# `msgspec.structs.replace` replaces a field (`dataclasses.replace` refuses a Struct).
# They are `gc=False`: plain data that never refers back to itself (a body is decoded JSON),
# so the cyclic collector need not know them, and each is 16 bytes smaller without its
# header (19 MiB of the envelope snapshot's 1,065).


class ObjectRef(msgspec.Struct, frozen=True, gc=False):
    """Which object: its apiVersion and kind, namespace (None when cluster-scoped) and name."""

    api_version: str
    """`group/version`, or `version` for the core group."""
    kind: str
    """The kind, e.g. `Deployment`."""
    namespace: str | None
    """The namespace, or None for cluster-scoped objects and files that name none."""
    name: str
    """`metadata.name` (or `generateName`, or `<unnamed>`)."""

    @property
    def group(self) -> str:
        """The API group (`""` for core)."""
        return self.api_version.rpartition("/")[0]

    @property
    def version(self) -> str:
        """The API version, e.g. `v1beta1`."""
        return self.api_version.rpartition("/")[2]

    def display(self) -> str:
        """`Kind ns/name` or `Kind name`, for people."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}"


class Evidence(msgspec.Struct, frozen=True, gc=False):
    """One observation of the apiVersion an object was written or requested in."""

    source: EvidenceSource
    """What kind of observation this is."""
    location: str
    """Where: `path:line`, `release ns/name rev 3`, `manager kube-controller-manager`, ..."""
    api_version: str
    """The apiVersion this observation shows in use."""
    detail: str = ""
    """More context: operation and subresource of a managedFields entry, request counts, ..."""
    time: str | None = None
    """When it was written (ISO 8601), where the source dates it."""
    not_rendered_for: str = ""
    """For a chart template's branch: the Kubernetes versions (a constraint: `<1.21`,
    `>=1.16 <1.21 || >=1.25`) for which the chart's conditions on `.Capabilities` leave it
    out, so a cluster of those versions never receives it; `""`: none known."""


class ObservedObject(msgspec.Struct, frozen=True, gc=False):
    """An object seen in a file or a cluster, with the evidence of how it was written."""

    ref: ObjectRef
    """The object; for a live object the apiVersion it was listed through."""
    evidence: tuple[Evidence, ...]
    """Every observation of the apiVersion it was written in."""
    body: Mapping[str, Any] = msgspec.field(default_factory=dict)
    """What the checks need of the object (metadata, spec, some status); never Secret data."""


@dataclass(frozen=True)
class ClusterInfo:
    """The cluster's API server, as `/version` tells it."""

    server_version: str
    """`gitVersion`, e.g. `v1.29.4-eks-036c24b`."""
    platform: str = "unknown"
    """Recognised distribution or provider: eks, gke, aks, openshift, k3s, ... or unknown."""
    context: str | None = None
    """The kubeconfig context it was reached through."""
    credential_expires: str | None = None
    """notAfter (ISO 8601) of the kubeconfig's client certificate, when it uses one."""
    uid: str | None = None
    """The uid of its kube-system namespace, read from a saved snapshot's objects: who the
    cluster is, whatever its contexts are called (`assess --publish` checks it). None when
    the snapshot does not hold it; never written to a file (the objects hold it)."""


@dataclass(frozen=True)
class NodeInfo:
    """A node's versions and state, from `Node.status.nodeInfo` and its conditions."""

    name: str
    """The node name."""
    kubelet_version: str
    """`status.nodeInfo.kubeletVersion`."""
    kube_proxy_version: str | None = None
    """`status.nodeInfo.kubeProxyVersion` (deprecated and often empty)."""
    container_runtime: str | None = None
    """`status.nodeInfo.containerRuntimeVersion`, e.g. `containerd://1.7.2`."""
    os_image: str | None = None
    """`status.nodeInfo.osImage`."""
    kernel_version: str | None = None
    """`status.nodeInfo.kernelVersion`."""
    architecture: str | None = None
    """`status.nodeInfo.architecture`."""
    ready: bool = True
    """Whether the Ready condition is True."""
    pool: str | None = None
    """The node pool or group, from the provider's well-known labels."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Node labels that name roles and pools."""


@dataclass(frozen=True)
class ClientBinary:
    """A local client program (kubectl, helm) and the version it reported."""

    name: str
    """`kubectl` or `helm`."""
    path: str
    """Where it was found."""
    version: str | None
    """The version it printed, or None when it could not be read."""
    error: str | None = None
    """Why the version could not be read."""


@dataclass(frozen=True)
class HelmRelease:
    """One Helm v3 release revision, decoded from its storage record. Never its values."""

    name: str
    """The release name."""
    namespace: str
    """The namespace its record lives in."""
    revision: int
    """The revision number."""
    status: str
    """deployed, superseded, failed, pending-upgrade, ..."""
    chart: str
    """The chart name."""
    chart_version: str
    """The chart version."""
    app_version: str | None = None
    """The chart's appVersion."""
    kube_version: str | None = None
    """The chart's `kubeVersion` constraint."""
    last_deployed: str | None = None
    """When this revision was deployed (ISO 8601)."""
    storage: str = "secret"
    """`secret` or `configmap`: the Helm storage driver the record was found in."""
    objects: tuple[ObjectRef, ...] = ()
    """The objects of its rendered manifest, with the apiVersion they are written in."""


@dataclass(frozen=True)
class ApiRequest:
    """A series of `apiserver_requested_deprecated_apis`: a deprecated API really requested."""

    group: str
    """The API group (`""` for core)."""
    version: str
    """The API version."""
    resource: str
    """The resource (plural)."""
    subresource: str = ""
    """The subresource, if any."""
    removed_release: str | None = None
    """The release the server says removes it."""
    count: int | None = None
    """Requests to it since the API server started (`apiserver_request_total`), if known."""


@dataclass(frozen=True)
class CoverageNote:
    """Something that was not seen, or not fully: a value, so that every report can show it."""

    subject: str
    """What: a file path, `resource policy/v1beta1/podsecuritypolicies`, a release, ..."""
    reason: str
    """Why, in one line."""
    kind: str = "gap"
    """`error` (bad input: exit 2), `forbidden`, `not-found`, `skipped`, `gap`, or `note`
    (worth saying, but nothing was missed: it does not lower the verdict)."""

    def describe(self) -> str:
        """`subject: reason`, or just the reason when it already starts with the subject."""
        if self.reason.startswith(self.subject):
            return self.reason
        return f"{self.subject}: {self.reason}"

    @property
    def is_gap(self) -> bool:
        """True when something was not seen, so the verdict cannot be `ready`."""
        return self.kind != "note"

    @property
    def is_input_error(self) -> bool:
        """True when the user's input was broken (exit code 2), not just partly unseen."""
        return self.kind == "error"


ControllerKey = tuple[str, str | None, str]
"""A controller as an owner reference names it: (kind, namespace, name)."""


class PodRun(msgspec.Struct, gc=False):
    """Pods next to one another in a snapshot (`Snapshot.of_kind("Pod")[start:end]`) whose
    only owner reference names the same controller (`workloads.sole_controller`), or that
    have no such reference (`key` None). A ReplicaSet's pods are listed one after the
    other, so grouping a large cluster's pods by their runs reads 150,000 pods as 20,000
    runs."""

    key: ControllerKey | None
    """The controller they name, or None."""
    start: int
    """Where the run starts among the snapshot's pods."""
    end: int
    """Where the next run starts."""


_KIND = attrgetter("ref.kind")
"""An object's kind (read in C: the index by kind reads hundreds of thousands)."""


@dataclass(frozen=True)
class Snapshot:
    """Everything known of one cluster or set of manifests at one moment."""

    source: str
    """`cluster` (collected live) or `manifests` (scanned files)."""
    collected_at: str
    """When it was made (ISO 8601, UTC)."""
    cluster: ClusterInfo | None = None
    """The API server, when collected from a cluster."""
    nodes: tuple[NodeInfo, ...] = ()
    """The nodes."""
    clients: tuple[ClientBinary, ...] = ()
    """Local client programs."""
    objects: tuple[ObservedObject, ...] = ()
    """Objects with their evidence."""
    helm_releases: tuple[HelmRelease, ...] = ()
    """Helm release revisions."""
    api_requests: tuple[ApiRequest, ...] = ()
    """Deprecated APIs the API server saw requested."""
    served_apis: tuple[str, ...] = ()
    """Group/versions the server serves (discovery); empty for manifests."""
    coverage: tuple[CoverageNote, ...] = ()
    """What could not be seen."""
    stats: Mapping[str, int] = field(default_factory=dict)
    """Counters: files read, documents, objects, skipped non-Kubernetes documents, ..."""
    tool_version: str = ""
    """The upgradecheck version that wrote it."""

    def of_kind(self, *kinds: str) -> tuple[ObservedObject, ...]:
        """The objects of these kinds, in the snapshot's order. Most checks read a few kinds
        of a snapshot of hundreds of thousands of objects: where each kind is, is found once,
        on first use."""
        found = self._of_kinds.get(kinds)
        if found is None:
            at = [i for kind in dict.fromkeys(kinds) for i in self._positions.get(kind, ())]
            if len(kinds) > 1:
                at.sort()
            found = self._of_kinds[kinds] = tuple(self.objects[i] for i in at)
        return found

    def replaced(self, **changes: Any) -> Snapshot:
        """`dataclasses.replace(self, **changes)`, with the index by kind of the objects
        kept when they stay the same: a snapshot of 273,000 objects is indexed once."""
        new = replace(self, **changes)
        if "objects" not in changes:
            for name in _OBJECT_INDEXES:
                if name in self.__dict__:
                    new.__dict__[name] = self.__dict__[name]
        return new

    def with_bodies(self, objects: tuple[ObservedObject, ...]) -> Snapshot:
        """This snapshot with `objects`: its own objects, in the same order and with the same
        evidence, some bodies changed. The indexes that read no body are kept."""
        if len(objects) != len(self.objects):
            raise ValueError("with_bodies changes bodies, not which objects there are")
        new = replace(self, objects=objects)
        for name in _BODILESS_INDEXES:
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name]
        return new

    def pod_runs(self) -> Sequence[PodRun] | None:
        """The runs of its pods (`workloads.pod_runs`) as the reader that decoded them told
        them; None when none did (`Workloads` then finds them)."""
        told: Sequence[PodRun] | None = self.__dict__.get("_pod_runs")
        return told

    def told_pod_runs(self, runs: Sequence[PodRun]) -> Snapshot:
        """This snapshot, told the runs of its pods by a reader that gathered them while it
        decoded each pod: `runs` must be exactly what `workloads.pod_runs` finds. Returns
        the snapshot itself."""
        self.__dict__["_pod_runs"] = runs
        return self

    def eventful_pods(self) -> Sequence[ObservedObject] | None:
        """Its pods that are not `workloads.quiet`, as the reader that decoded them told
        them; None when none did (the health checks then look at every pod)."""
        told: Sequence[ObservedObject] | None = self.__dict__.get("_eventful_pods")
        return told

    def told_eventful_pods(self, pods: Sequence[ObservedObject]) -> Snapshot:
        """This snapshot, told which of its pods are not `workloads.quiet` by a reader that
        looked while it decoded each pod: `pods` must be exactly those, in order. Returns
        the snapshot itself."""
        self.__dict__["_eventful_pods"] = pods
        return self

    def evidence_versions(self, kind: str) -> AbstractSet[str]:
        """The apiVersions that the evidence of the objects of `kind` names (empty for a
        kind the snapshot does not hold)."""
        return self._evidence_versions.get(kind, _NO_VERSIONS)

    def told_evidence_versions(self, versions: Mapping[str, AbstractSet[str]]) -> Snapshot:
        """This snapshot, told `evidence_versions` for every kind of its objects by a reader
        that gathered them while it decoded each object (in the cache then; a pass over a
        large snapshot's 516,000 pieces of evidence afterwards costs 0.15 s): `versions`
        must be exactly what the pass would find. Returns the snapshot itself."""
        self.__dict__["_evidence_versions"] = versions
        return self

    def kinds(self) -> tuple[str, ...]:
        """The kinds of the objects, in the order they first appear."""
        return tuple(self._positions)

    @cached_property
    def _positions(self) -> Mapping[str, list[int]]:
        """Where in `objects` each kind is."""
        positions: dict[str, list[int]] = {}
        for i, kind in enumerate(map(_KIND, self.objects)):
            at = positions.get(kind)
            if at is None:  # not setdefault: it would make a list per object to drop
                at = positions[kind] = []
            at.append(i)
        return positions

    @cached_property
    def _of_kinds(self) -> dict[tuple[str, ...], tuple[ObservedObject, ...]]:
        return {}

    @cached_property
    def _evidence_versions(self) -> Mapping[str, AbstractSet[str]]:
        return {
            kind: {ev.api_version for obj in self.of_kind(kind) for ev in obj.evidence}
            for kind in self.kinds()
        }


_OBJECT_INDEXES = ("_positions", "_of_kinds", "_evidence_versions", "_pod_runs", "_eventful_pods")
"""The Snapshot's caches computed from its objects (kept by `replaced` when they stay)."""
_BODILESS_INDEXES = ("_positions", "_evidence_versions")
"""Those that read no body (kept by `with_bodies`)."""
_NO_VERSIONS: AbstractSet[str] = frozenset()


@dataclass(frozen=True)
class Suppression:
    """Why a finding does not count: the exception (`.upgradecheck.yaml`) that covers it."""

    reason: str
    """The reason the exception gives."""
    expires: str | None = None
    """The last day the exception applies (ISO date), or None when it does not expire."""
    source: str = ""
    """Where the exception is written: `.upgradecheck.yaml:12`."""


CONFIG_USES = ("reads", "writes")
"""How a component uses an API it does not serve: a file it `reads` at start, or a format it
`writes` when a flag asks for the version."""


@dataclass(frozen=True)
class ConfigUse:
    """An API that is not served but read or written by a component (audit policy files,
    audit events): where it is used, so findings say what breaks."""

    component: str
    """The component, e.g. `kube-apiserver`."""
    flags: tuple[str, ...]
    """The flags that name the file or choose the version, e.g. `--audit-policy-file`."""
    use: str
    """One of CONFIG_USES: `reads` (a file read at start) or `writes` (a format written)."""


@dataclass(frozen=True)
class AddonLifecycle:
    """An add-on API's lifecycle in the add-on's own releases (cert-manager 1.6), which are
    not Kubernetes releases: kept apart from a finding's `deprecated_in`/`removed_in`."""

    name: str
    """The add-on, e.g. `cert-manager`."""
    deprecated_in: str | None = None
    """The add-on release that deprecated the API."""
    removed_in: str | None = None
    """The first add-on release that no longer serves it."""
    replacement_since: str | None = None
    """The first add-on release that serves the replacement, where the data says."""


class Finding(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One thing that matters for the upgrade, with why it was raised and what to do."""

    rule: str
    """The stable rule id, e.g. `api-removed`."""
    severity: Severity
    """blocker, warning or info."""
    message: str
    """What is wrong, in one or two sentences."""
    remediation: str
    """What to do about it."""
    hop: str | None = None
    """The minor release in which it bites (None when it does not depend on a hop)."""
    object: ObjectRef | None = None
    """The object concerned, if any."""
    evidence: tuple[Evidence, ...] = ()
    """The observations that raised it."""
    link: str | None = None
    """A source or documentation link."""
    replacement: str | None = None
    """The apiVersion to move to, for API findings."""
    deprecated_in: str | None = None
    """The release the API was deprecated in."""
    removed_in: str | None = None
    """The release the API is no longer served in."""
    subject: str | None = None
    """What it is about when it is not an object: a node, a client, a component."""
    suppression: Suppression | None = None
    """The exception that suppresses it (then it is listed in `Report.suppressed` only)."""
    replacement_since: str | None = None
    """The first release that serves `replacement` (so a team can tell whether it can migrate
    before the upgrade); None when unknown or there is no replacement."""
    data_source: str | None = None
    """The user data file (`--data`) whose entry judged it; None for the project's data."""
    replacement_kind: str | None = None
    """The kind to write at `replacement` when it is not the object's kind (a karpenter.sh
    Provisioner becomes a NodePool); None when the kind stays."""
    addon: AddonLifecycle | None = None
    """For add-on API findings: the add-on and its own releases. `deprecated_in`,
    `removed_in` and `replacement_since` always name Kubernetes releases, so they stay
    None on these findings."""
    config: ConfigUse | None = None
    """For API findings about a file a component reads or a format it writes rather than a
    served API (an audit policy file): the component and its flags. None for served APIs.
    The plan reads it: `kubectl convert` knows served kinds only."""


@dataclass(frozen=True)
class AddonVersion:
    """A cluster add-on (CoreDNS, kube-proxy, a CNI or CSI driver, ...) and the version its
    image names, as the plan's add-on phase reports them."""

    name: str
    """What it is, for people: `CoreDNS`, `kube-proxy`, `Amazon VPC CNI`, ..."""
    workload: str
    """`Deployment kube-system/coredns`."""
    image: str
    """The container image."""
    version: str
    """The image tag (`v1.8.7-eksbuild.3`), or `unknown`."""


class Result(ABC):
    """What a Report and a Comparison both are: items judged by severity, what could not be
    seen, and the verdict they earn. The summary counts, gaps and notes are worked out here
    once; the exit code from them in exit_codes."""

    verdict: Verdict
    """blocked, review or ready: `verdict_of` the items and the coverage."""
    coverage: tuple[CoverageNote, ...]
    """What could not be seen; a gap among them never allows `ready`."""

    @abstractmethod
    def severities(self) -> Iterator[Severity]:
        """The severity of each item that counts toward the verdict."""

    def count(self, severity: Severity) -> int:
        """How many items have this severity."""
        return sum(1 for s in self.severities() if s is severity)

    @property
    def summary(self) -> dict[str, int]:
        """Counts per severity, the JSON contract's `summary`."""
        return {s.value: self.count(s) for s in Severity}

    @property
    def gaps(self) -> tuple[CoverageNote, ...]:
        """Coverage notes about something not seen (they keep the verdict from `ready`)."""
        return tuple(c for c in self.coverage if c.is_gap)

    @property
    def notes(self) -> tuple[CoverageNote, ...]:
        """Coverage notes that are worth saying but hide nothing."""
        return tuple(c for c in self.coverage if not c.is_gap)

    @property
    def unreachable(self) -> tuple[str, ...]:
        """The clusters that could not be reached (exit code 3 when nothing worse): none for a
        report or a comparison, which exist only once their cluster was read; a fleet's."""
        return ()


def verdict_of(severities: Iterable[Severity], coverage: Iterable[CoverageNote]) -> Verdict:
    """blocked with any blocker; review with warnings or gaps in what was seen; else ready."""
    seen = set(severities)
    if Severity.BLOCKER in seen:
        return Verdict.BLOCKED
    if Severity.WARNING in seen or any(c.is_gap for c in coverage):
        return Verdict.REVIEW
    return Verdict.READY


@dataclass(frozen=True)
class Report(Result):
    """The assessment of one snapshot against one target: what every renderer receives."""

    target_version: str
    """The target minor release."""
    current_version: str | None
    """The current minor release (None for manifest scans with no --current)."""
    hops: tuple[str, ...]
    """The minor releases passed through, in order, ending at the target."""
    verdict: Verdict
    """blocked, review or ready."""
    findings: tuple[Finding, ...]
    """All findings, worst first."""
    coverage: tuple[CoverageNote, ...]
    """What could not be seen; a non-empty coverage never allows `ready`."""
    source: str
    """`cluster`, `manifests` or `snapshot`."""
    generated_at: str
    """When the report was made (ISO 8601, UTC)."""
    tool_version: str
    """The upgradecheck version."""
    cluster: ClusterInfo | None = None
    """The cluster assessed, if any."""
    nodes: tuple[NodeInfo, ...] = ()
    """Its nodes."""
    clients: tuple[ClientBinary, ...] = ()
    """Local clients."""
    stats: Mapping[str, int] = field(default_factory=dict)
    """Counters carried from the snapshot."""
    knowledge_version: str = ""
    """Which knowledge base judged it (its data's date or digest)."""
    addons: tuple[AddonVersion, ...] = ()
    """Add-ons seen in the cluster, with their versions."""
    suppressed: tuple[Finding, ...] = ()
    """Findings an exception covers, each with its `suppression`: shown, but left out of
    `findings`, the summary counts, the verdict and the exit code."""

    def severities(self) -> Iterator[Severity]:
        """The severity of each finding (the suppressed ones do not count)."""
        return (f.severity for f in self.findings)
