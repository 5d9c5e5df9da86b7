"""The knowledge base as frozen data: API lifecycles, add-on CRD APIs, skew rules, the
release calendar, non-API removals and the Kubernetes minors each Helm client supports.
Loaded from `deprecations/` by `loader.py`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from upgradecheck.model import ConfigUse
from upgradecheck.versions import Minor

# The detectors a non-API removal may name; each is implemented by the removed-features check.
DETECTOR_TYPES = frozenset(
    {
        "node-runtime",  # params: pattern (regex on status.nodeInfo.containerRuntimeVersion)
        "node-os",  # params: pattern (regex on osImage or kernelVersion), field
        "object-kind",  # params: group, kind (any object of this kind exists)
        "pod-volume",  # params: field (a key of spec.volumes[] in pods and pod templates)
        "persistent-volume",  # params: field (a key of PersistentVolume.spec)
        "storage-class-provisioner",  # params: provisioners (list)
        "pod-annotation",  # params: prefix (annotation key prefix on pods and pod templates)
        "configmap-value",  # params: namespace, name, key, pattern (regex on the value)
        "component-flag",  # params: components (list), pattern (regex on command/args)
        "api-request",  # params: group, version, resource (apiserver_requested_deprecated_apis)
        "manual",  # not detectable from objects: a checklist step (params: check)
    }
)

TEMPLATE_READS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "node-runtime": (),
    "node-os": (),
    "object-kind": (),
    # Any key of spec.volumes[] (the knowledge base names which): read by its presence.
    "pod-volume": (("spec", "volumes", "*"),),
    "persistent-volume": (),
    "storage-class-provisioner": (),
    # Any annotation (by the prefix the knowledge base names): they are all kept.
    "pod-annotation": (("metadata", "annotations"),),
    "configmap-value": (),
    "component-flag": (
        ("metadata", "labels"),
        ("spec", "containers", "name"),
        ("spec", "containers", "command"),
        ("spec", "containers", "args"),
    ),
    "api-request": (),
    "manual": (),
}
"""What each detector type reads of pods and pod templates (their `metadata` and `spec`;
`*` is any key, read by its presence), whatever its parameters: the collector keeps these
fields (`collect/sanitize.py`), so a new detector entry never reads a field that was not
collected. A new detector type must say here what it reads (a test holds this table,
DETECTOR_TYPES and the removed-features check's DETECTORS to the same types)."""


@dataclass(frozen=True)
class ApiLifecycle:
    """The lifecycle of one built-in group/version/kind."""

    group: str
    """The API group, `""` for core."""
    version: str
    """The version, e.g. `v1beta1`."""
    kind: str
    """The kind, e.g. `PodDisruptionBudget`."""
    resource: str
    """The resource (plural), e.g. `poddisruptionbudgets`."""
    namespaced: bool
    """Whether objects of this kind live in a namespace."""
    stability: str
    """`alpha`, `beta` or `ga`."""
    introduced_in: Minor | None
    """The first release that served it."""
    deprecated_in: Minor | None
    """The release that deprecated it."""
    removed_in: Minor | None
    """The first release that no longer serves it."""
    replacement: str | None
    """The apiVersion to migrate to (`policy/v1`), None when there is none."""
    replacement_kind: str | None
    """The kind at the replacement when it differs (or the same kind)."""
    note: str
    """A one-line migration note where fields changed, else empty."""
    source: str
    """Where these facts come from (a URL)."""
    list_kind: bool = False
    """True for `*List` kinds."""
    enabled_by_default: bool = True
    """False for alpha APIs (and a few betas) that a server serves only when switched on."""
    origin: str = ""
    """The user data file that added or corrected it; empty for the project's data."""
    config: ConfigUse | None = None
    """For an API never served (`resource` empty) that a component reads as a file or
    writes: how; None for everything else."""

    @property
    def api_version(self) -> str:
        """`group/version`, or `version` for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass(frozen=True)
class AddonApi:
    """A third-party CRD group/version and its lifecycle in the add-on's own releases."""

    addon: str
    """The add-on's name, e.g. `cert-manager`."""
    group: str
    """The CRD API group."""
    version: str
    """The CRD version."""
    kinds: tuple[str, ...]
    """The kinds it concerns (empty: every kind of the group/version)."""
    deprecated_in: str | None
    """The add-on release that deprecated it (the add-on's own version string)."""
    removed_in: str | None
    """The add-on release that stopped serving it."""
    replacement: str | None
    """The apiVersion to migrate to."""
    note: str
    """How to migrate, in one line."""
    source: str
    """Where these facts come from (a URL)."""
    replacement_kind: str | None = None
    """The kind to use at the replacement when it is not the same kind (None: same kind)."""
    replacement_since: str | None = None
    """The first add-on release that serves the replacement (None: the data does not say)."""
    origin: str = ""
    """The user data file that added or corrected it; empty for the project's data."""

    @property
    def api_version(self) -> str:
        """`group/version`."""
        return f"{self.group}/{self.version}"


@dataclass(frozen=True)
class SkewRule:
    """One rule of the version skew policy: how far a component may be from another."""

    component: str
    """kubelet, kube-proxy, kube-controller-manager, kube-scheduler, cloud-controller-manager,
    kubectl, kube-apiserver."""
    relative_to: str
    """What it is measured against: `kube-apiserver` or `kubelet`."""
    max_older: int
    """How many minors the component may be older than `relative_to`."""
    max_newer: int
    """How many minors it may be newer."""
    component_from: Minor | None
    """The rule holds for component versions at or after this (None: since ever)."""
    component_until: Minor | None
    """The rule holds for component versions before this (None: still holds)."""
    source: str
    """Where the rule is stated (a URL)."""
    note: str = ""
    """The policy's own words, shortened."""

    def applies_to(self, version: Minor) -> bool:
        """Whether this rule governs a component at `version`."""
        if self.component_from is not None and version < self.component_from:
            return False
        return not (self.component_until is not None and version >= self.component_until)


@dataclass(frozen=True)
class Release:
    """A Kubernetes minor release in the release calendar."""

    minor: Minor
    """The minor release."""
    released: dt.date
    """Its release date."""
    end_of_life: dt.date | None
    """Its end of patch support (None when not yet announced)."""
    maintenance_mode: dt.date | None = None
    """When it entered maintenance mode."""
    latest_patch: str | None = None
    """The newest patch release known when the data was written."""
    source: str = ""
    """Where the dates come from (a URL)."""


@dataclass(frozen=True)
class Detector:
    """How to see a non-API removal in a snapshot: a detector type and its parameters."""

    type: str
    """One of DETECTOR_TYPES."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """The detector's parameters (see DETECTOR_TYPES)."""


@dataclass(frozen=True)
class Removal:
    """A removed or changed behaviour that is not an API: dockershim, PSP admission, ..."""

    id: str
    """A stable kebab-case id, e.g. `dockershim`."""
    title: str
    """A short title."""
    kind: str
    """`removal`, `deprecation` or `behaviour-change`."""
    deprecated_in: Minor | None
    """The release that deprecated it, where known."""
    breaks_in: Minor | None
    """The first release in which it breaks (None: deprecated, no date yet)."""
    what_breaks: str
    """What fails after the upgrade."""
    remediation: str
    """What to do before the upgrade."""
    detect: tuple[Detector, ...]
    """How to detect it from a snapshot."""
    source: str
    """An official source (a URL)."""
    severity: str = "blocker"
    """The severity when detected at or after `breaks_in`: blocker or warning."""
    origin: str = ""
    """The user data file that added or corrected it; empty for the project's data."""


@dataclass(frozen=True)
class HelmSupport:
    """One Helm minor release and the Kubernetes minors it supports."""

    helm: Minor
    """Helm's major.minor, e.g. 3.14 (a Minor used for Helm's numbers)."""
    oldest: Minor
    """The oldest Kubernetes minor it supports."""
    newest: Minor
    """The newest Kubernetes minor it supports (the client it was compiled against)."""

    def supports(self, kubernetes: Minor) -> bool:
        """Whether a cluster at `kubernetes` is within this Helm's support."""
        return self.oldest <= kubernetes <= self.newest

    @property
    def range(self) -> str:
        """`1.26 to 1.29`."""
        return f"{self.oldest} to {self.newest}"


@dataclass(frozen=True)
class HelmSupportTable:
    """Every row, newest Helm first, and where the facts come from."""

    rows: tuple[HelmSupport, ...]
    """The rows, newest Helm first."""
    source: str
    """Helm's version support policy (a URL)."""

    def of(self, helm: Minor) -> HelmSupport | None:
        """The row of a Helm minor, if the table has it."""
        return next((r for r in self.rows if r.helm == helm), None)

    def newest_supporting(self, *kubernetes: Minor) -> HelmSupport | None:
        """The newest Helm minor that supports every given Kubernetes minor, if any."""
        return next((r for r in self.rows if all(r.supports(k) for k in kubernetes)), None)


@dataclass(frozen=True)
class KnowledgeBase:
    """All the data, validated, with look-ups."""

    apis: tuple[ApiLifecycle, ...]
    """Built-in API lifecycles (generated entries with the overlay applied)."""
    addon_apis: tuple[AddonApi, ...]
    """Third-party CRD APIs."""
    skew_rules: tuple[SkewRule, ...]
    """The version skew policy."""
    releases: tuple[Release, ...]
    """The release calendar, oldest first."""
    removals: tuple[Removal, ...]
    """Non-API removals and behaviour changes."""
    version: str = ""
    """A digest of the data files, so a report says which data judged it; `+user-` and a
    digest of the user's data files follow when those were read."""
    upgrade_order: tuple[tuple[str, ...], ...] = ()
    """The supported component upgrade order: steps of components (any order within a
    step), kube-apiserver first."""
    helm_support: HelmSupportTable = HelmSupportTable((), "")
    """The Kubernetes minors each Helm client minor supports (empty: no claim on Helm)."""
    ga_introduced: Mapping[tuple[str, str], Minor] = field(default_factory=dict)
    """The release that introduced each GA (apiVersion, kind) a replacement may name."""
    data_version: str = ""
    """The data's own version (`2026.12.02`), from `kb-version.yaml`; empty when the
    folder has none."""
    origin: str = field(default="", compare=False)
    """Where the data was read: `bundled`, the folder of an installed bundle, or the folder
    given (the same data compares equal wherever it was read)."""
    user_data: tuple[str, ...] = ()
    """The user data files applied on top, in order."""
    _api_index: Mapping[tuple[str, str, str], ApiLifecycle] = field(
        default_factory=dict, repr=False, compare=False
    )
    _addon_index: Mapping[tuple[str, str], tuple[AddonApi, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self._api_index:
            object.__setattr__(
                self, "_api_index", {(a.group, a.version, a.kind): a for a in self.apis}
            )
        if not self._addon_index:
            index: dict[tuple[str, str], list[AddonApi]] = {}
            for a in self.addon_apis:
                index.setdefault((a.group, a.version), []).append(a)
            object.__setattr__(
                self, "_addon_index", {k: tuple(v) for k, v in index.items()}
            )

    def api(self, api_version: str, kind: str) -> ApiLifecycle | None:
        """The lifecycle of `kind` at `api_version` (`policy/v1beta1`), if it is tracked."""
        group, _, version = api_version.rpartition("/")
        return self._api_index.get((group, version, kind))

    def addon_api(self, api_version: str, kind: str) -> AddonApi | None:
        """The add-on lifecycle entry covering `kind` at `api_version`, if any."""
        group, _, version = api_version.rpartition("/")
        for entry in self._addon_index.get((group, version), ()):
            if not entry.kinds or kind in entry.kinds:
                return entry
        return None

    def served_from(self, api_version: str, kind: str) -> Minor | None:
        """The first release that serves `kind` at `api_version` (a tracked API's
        `introduced_in`, or a GA target's), if the data says."""
        entry = self.api(api_version, kind)
        if entry is not None:
            return entry.introduced_in
        return self.ga_introduced.get((api_version, kind))

    def release(self, minor: Minor) -> Release | None:
        """The calendar entry of a minor release."""
        for r in self.releases:
            if r.minor == minor:
                return r
        return None

    @property
    def newest_release(self) -> Minor:
        """The newest minor release in the calendar."""
        return max(r.minor for r in self.releases)
