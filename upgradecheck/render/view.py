"""What the templates show, computed once from a Report: headline, grouped findings, plan.

Pure functions over plain data: no escaping here (that is each format's job), no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from upgradecheck.model import CoverageNote, Evidence, Finding, NodeInfo, Report, Severity
from upgradecheck.plan import (
    MANAGED_PLATFORMS,
    Phase,
    Plan,
    build_plan,
    count,
    due_hop,
    pools,
)
from upgradecheck.render.summary import counts_text, document_kind, path_nodes, path_text
from upgradecheck.versions import minor_key

SEVERITIES = (Severity.BLOCKER, Severity.WARNING, Severity.INFO)
SECTION_TITLES = {
    Severity.BLOCKER: "Blockers",
    Severity.WARNING: "Warnings",
    Severity.INFO: "Info",
}
CLUSTER_SCOPED = "(cluster-wide)"


# --- headline ------------------------------------------------------------------------------
# The counts, the path and the summary line are in summary.py: the command line says them
# without importing the plan.


@dataclass(frozen=True)
class PathStop:
    """One version on the upgrade path, with the blockers and warnings due there."""

    version: str
    """The minor release (`1.30`)."""
    role: str
    """`current`, `hop` or `target` (the target of a health check is `current`)."""
    label: str
    """`current`, `hop 1`, `target`."""
    blockers: int
    """Blockers to fix before the control plane reaches it; for the current version, those
    with no hop (wrong today, or due before any hop)."""
    warnings: int
    """Warnings, counted the same way."""


def path_stops(report: Report) -> tuple[PathStop, ...]:
    """Every version on the way, with what is due at each: the current one (when known: the
    findings with no hop), then each hop (the findings due before it)."""
    due: dict[str | None, list[Finding]] = {}
    for finding in report.findings:
        if finding.severity is not Severity.INFO:
            due.setdefault(due_hop(finding.hop, report.hops), []).append(finding)

    def stop(version: str, role: str, label: str, hop: str | None) -> PathStop:
        found = due.get(hop, [])
        blockers = sum(1 for f in found if f.severity is Severity.BLOCKER)
        return PathStop(version, role, label, blockers, len(found) - blockers)

    stops = []
    if report.current_version:
        stops.append(stop(report.current_version, "current", "current", None))
    elif due.get(None):
        stops.append(stop("now", "current", "any version", None))
    for index, hop in enumerate(report.hops, start=1):
        if index == len(report.hops):
            stops.append(stop(hop, "target", "target", hop))
        else:
            stops.append(stop(hop, "hop", f"hop {index}", hop))
    return tuple(stops)


def document_title(report: Report) -> str:
    """The title of the document, by its kind (see `document_kind`)."""
    kind = document_kind(report)
    if kind == "health check":
        return f"Health check of Kubernetes {report.current_version}"
    if kind == "manifest review":
        current = f"{report.current_version} → " if report.current_version else ""
        return f"Manifest review for Kubernetes {current}{report.target_version}"
    return f"Upgrade plan {path_text(report)}"


def verdict_sentence(report: Report) -> str:
    """What the verdict means for this report, in one sentence."""
    blockers, warnings = report.count(Severity.BLOCKER), report.count(Severity.WARNING)
    gaps = len(report.gaps)
    health = document_kind(report) == "health check"
    if blockers:
        if health:
            verb, them = ("is", "it") if blockers == 1 else ("are", "them")
            return (
                f"{count(blockers, 'blocker')} {verb} wrong already at "
                f"{report.current_version}: fix {them} before any upgrade."
            )
        verb, them = ("breaks", "it") if blockers == 1 else ("break", "them")
        return f"{count(blockers, 'blocker')} {verb} the upgrade: fix {them} before you start."
    reasons = []
    if warnings:
        reasons.append(count(warnings, "warning"))
    if gaps:
        reasons.append(count(gaps, "coverage gap"))
    if reasons:
        return f"No blockers found, but review the {' and the '.join(reasons)} first."
    if health:
        return "Nothing found wrong with the cluster as it is."
    return "Nothing found that would break the upgrade."


def platform_name(report: Report) -> str:
    """`EKS`, `GKE`, `AKS`, or the platform as the report names it (`unknown` without one)."""
    platform = report.cluster.platform if report.cluster is not None else "unknown"
    return MANAGED_PLATFORMS.get(platform, platform)


def scope_text(report: Report) -> str:
    """What was looked at: files and skipped documents for a scan, objects for a cluster."""
    st = report.stats

    def n(key: str, word: str) -> str:
        return count(st.get(key, 0), word)

    if report.source == "manifests":
        text = f"Scanned {n('files', 'file')}: {n('objects', 'object')}"
        if st.get("skipped_documents"):
            text += f"; {n('skipped_documents', 'non-Kubernetes document')} skipped"
        return text + "."
    parts = [n("objects", "object")]
    if "resources" in st:
        parts[0] += f" of {n('resources', 'resource type')}"
    parts.append(count(len(report.nodes), "node"))
    if st.get("helm_releases"):
        parts.append(n("helm_releases", "Helm release revision"))
    return f"Collected {', '.join(parts)}."


STAT_LABELS = {
    "resources": ("resource type", "resource types"),
    "objects": ("object", "objects"),
    "nodes": ("node", "nodes"),
    "helm_releases": ("Helm release revision", "Helm release revisions"),
    "requests": ("API request", "API requests"),
    "files": ("file", "files"),
    "documents": ("YAML or JSON document", "YAML or JSON documents"),
    "skipped_documents": ("non-Kubernetes document skipped", "non-Kubernetes documents skipped"),
    "skipped_files": ("file skipped", "files skipped"),
    "charts_rendered": ("chart rendered", "charts rendered"),
    "charts_not_rendered": ("chart read without helm", "charts read without helm"),
    "kustomizations_built": ("kustomization built", "kustomizations built"),
    "kustomizations_not_built": (
        "kustomization read without kubectl",
        "kustomizations read without kubectl",
    ),
}
"""How each counter of `Report.stats` reads for people (singular, plural)."""


def stat_text(key: str, value: int) -> str:
    """`9 Helm release revisions` for `helm_releases`; an unknown counter reads as its key
    with spaces (`7 widgets seen`)."""
    one, many = STAT_LABELS.get(key, (key.replace("_", " "), key.replace("_", " ")))
    return count(value, one, many)


def stats_text(report: Report) -> str:
    """Every counter of the report, for people: `412 objects, 9 Helm release revisions`
    (known counters in a fixed order, then the others by name)."""
    order = {key: i for i, key in enumerate(STAT_LABELS)}
    keys = sorted(report.stats, key=lambda k: (order.get(k, len(order)), k))
    return ", ".join(stat_text(k, report.stats[k]) for k in keys)


def headline(report: Report) -> str:
    """`Verdict: blocked — 3 blockers, 1 warning, 0 info (1.29 → 1.31 via 1.30)`, unstyled."""
    return f"Verdict: {report.verdict.value} — {counts_text(report)} ({path_text(report)})"


# --- findings ------------------------------------------------------------------------------


def object_label(finding: Finding) -> str:
    """`Kind ns/name` for an object, else its subject, else its rule."""
    if finding.object is not None:
        return finding.object.display()
    return finding.subject or finding.rule


def namespace_label(finding: Finding) -> str:
    """The namespace of the finding's object, or `(cluster-wide)`."""
    if finding.object is not None and finding.object.namespace:
        return finding.object.namespace
    return CLUSTER_SCOPED


def evidence_label(evidence: Evidence) -> str:
    """`file manifests/pdb.yaml:12`."""
    return f"{evidence.source.value} {evidence.location}"


def lifecycle(finding: Finding) -> str:
    """`deprecated 1.21 · removed 1.25`; for an add-on API the add-on's own releases,
    `cert-manager: deprecated 1.4 · removed 1.6`; or empty."""
    parts = []
    dates = finding.addon or finding
    if dates.deprecated_in:
        parts.append(f"deprecated {dates.deprecated_in}")
    if dates.removed_in:
        parts.append(f"removed {dates.removed_in}")
    if finding.addon is not None and parts:
        return f"{finding.addon.name}: " + " · ".join(parts)
    return " · ".join(parts)


def by_severity(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Findings worst first, keeping the report's order within a severity."""
    return tuple(sorted(findings, key=lambda f: -f.severity.rank))


def _finding_key(finding: Finding) -> tuple[tuple[int, int], str, str, str]:
    obj = finding.object
    name = obj.name if obj is not None else finding.subject or ""
    return (minor_key(finding.hop), obj.kind if obj else "", name, obj.api_version if obj else "")


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one rule in one namespace, some of them shown."""

    rule: str
    """The rule id."""
    namespace: str
    """The namespace, or `(cluster-wide)`."""
    total: int
    """How many findings the group holds."""
    shown: tuple[Finding, ...]
    """The ones to show, in order."""

    @property
    def hidden(self) -> int:
        """How many are not shown."""
        return self.total - len(self.shown)

    @property
    def place(self) -> str:
        """`in shop` or `cluster-wide`."""
        return "cluster-wide" if self.namespace == CLUSTER_SCOPED else f"in {self.namespace}"


@dataclass(frozen=True)
class Section:
    """All findings of one severity, grouped by rule then namespace."""

    severity: Severity
    """The severity."""
    total: int
    """How many findings it holds."""
    groups: tuple[FindingGroup, ...]
    """The groups shown, by rule then namespace."""
    hidden_groups: int = 0
    """Groups left out entirely (beyond the group limit)."""
    hidden_findings: int = 0
    """Findings in the groups left out."""

    @property
    def title(self) -> str:
        """`Blockers`, `Warnings` or `Info`."""
        return SECTION_TITLES[self.severity]


@dataclass(frozen=True)
class Limits:
    """How much of a large report to show; the rest is counted."""

    group_rows: int = 50
    """Findings shown per (rule, namespace) group at most."""
    section_rows: int = 1000
    """Findings shown per severity at most, shared among its groups."""
    groups: int = 200
    """Groups shown per severity at most."""


def group_findings(findings: Sequence[Finding]) -> dict[tuple[str, str], list[Finding]]:
    """Findings by (rule, namespace), both sorted, cluster-wide first; each group sorted."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.rule, namespace_label(finding)), []).append(finding)
    ordered = sorted(groups, key=lambda k: (k[0], k[1] != CLUSTER_SCOPED, k[1]))
    return {key: sorted(groups[key], key=_finding_key) for key in ordered}


def build_section(severity: Severity, findings: Sequence[Finding], limits: Limits) -> Section:
    """The section of `findings` (all of `severity`), within `limits`."""
    groups = group_findings(findings)
    keys = list(groups)
    shown_keys, left_out = keys[: limits.groups], keys[limits.groups :]
    # Share the section's rows among its groups so that every group shows a few.
    per_group = max(1, min(limits.group_rows, limits.section_rows // max(len(shown_keys), 1)))
    built = tuple(
        FindingGroup(rule, ns, len(groups[(rule, ns)]), tuple(groups[(rule, ns)][:per_group]))
        for rule, ns in shown_keys
    )
    hidden = sum(len(groups[key]) for key in left_out)
    return Section(severity, len(findings), built, len(left_out), hidden)


def build_sections(report: Report, limits: Limits) -> tuple[Section, ...]:
    """One section per severity that has findings, blockers first."""
    sections = []
    for severity in SEVERITIES:
        findings = [f for f in report.findings if f.severity is severity]
        if findings:
            sections.append(build_section(severity, findings, limits))
    return tuple(sections)


# --- plan, inventory -----------------------------------------------------------------------


@dataclass(frozen=True)
class NumberedPhase:
    """A phase with its number in the whole plan."""

    number: int
    """1-based, across the whole plan."""
    phase: Phase
    """The phase."""


@dataclass(frozen=True)
class PhaseBlock:
    """Consecutive phases under one heading: the preparation, or one hop."""

    title: str
    """`Prepare`, or `Hop 1 of 2: 1.29 → 1.30`."""
    hop: str | None
    """The hop, None for the preparation."""
    phases: tuple[NumberedPhase, ...]
    """The phases, numbered."""


def phase_blocks(plan: Plan, report: Report) -> tuple[PhaseBlock, ...]:
    """The plan's phases numbered and grouped: preparation first, then one block per hop."""
    numbered = [NumberedPhase(i, p) for i, p in enumerate(plan.phases, start=1)]
    blocks = [PhaseBlock("Prepare", None, tuple(n for n in numbered if n.phase.hop is None))]
    previous = report.current_version
    for index, hop in enumerate(report.hops, start=1):
        start = f"{previous} → " if previous else ""
        title = f"Hop {index} of {len(report.hops)}: {start}{hop}"
        members = tuple(n for n in numbered if n.phase.hop == hop)
        blocks.append(PhaseBlock(title, hop, members))
        previous = hop
    return tuple(b for b in blocks if b.phases)


@dataclass(frozen=True)
class PoolSummary:
    """One node pool, summarised."""

    name: str
    """The pool name, or `(no pool)`."""
    nodes: int
    """How many nodes."""
    kubelets: str
    """The kubelet versions, comma-separated."""
    not_ready: int
    """How many are not Ready."""
    runtimes: str
    """The container runtimes, comma-separated."""


def pool_summaries(nodes: Sequence[NodeInfo]) -> tuple[PoolSummary, ...]:
    """The node pools, each summarised."""
    return tuple(
        PoolSummary(
            name or "(no pool)",
            len(members),
            ", ".join(sorted({n.kubelet_version for n in members})),
            sum(1 for n in members if not n.ready),
            ", ".join(sorted({n.container_runtime or "?" for n in members})),
        )
        for name, members in pools(nodes).items()
    )


@dataclass(frozen=True)
class ReportView:
    """Everything a document template needs, computed once."""

    report: Report
    """The report itself."""
    headline: str
    """The plain headline."""
    counts: str
    """`3 blockers, 1 warning, 0 info`."""
    path: str
    """`1.29 → 1.31 via 1.30`."""
    path_nodes: tuple[str, ...]
    """Current version, then each hop."""
    sentence: str
    """What the verdict means, in one sentence."""
    sections: tuple[Section, ...]
    """Findings by severity, grouped."""
    plan: Plan
    """The phased plan."""
    blocks: tuple[PhaseBlock, ...]
    """The plan's phases, numbered and grouped by hop."""
    coverage: tuple[CoverageNote, ...]
    """Coverage notes shown."""
    coverage_hidden: int
    """Coverage notes left out."""
    notes: tuple[CoverageNote, ...]
    """Notes that hide nothing (e.g. no local kubectl found)."""
    pools: tuple[PoolSummary, ...]
    """Node pools."""
    platform: str
    """The platform's name for people (`EKS`), or `unknown`."""
    scope: str
    """What was looked at (`Scanned 12 files: 24 objects; ...`)."""
    kind: str
    """`upgrade plan`, `health check` or `manifest review` (see `document_kind`)."""
    title: str
    """The document's title: `Upgrade plan 1.29 → 1.31 via 1.30`, `Health check of
    Kubernetes 1.29`, `Manifest review for Kubernetes 1.31`."""
    stops: tuple[PathStop, ...]
    """The versions on the way, with the blockers and warnings due at each."""
    stats: str
    """Every counter of the report, for people."""


def build_view(
    report: Report, limits: Limits | None = None, coverage_rows: int = 200
) -> ReportView:
    """The view of `report`, showing at most what `limits` and `coverage_rows` allow."""
    plan = build_plan(report)
    return ReportView(
        report=report,
        headline=headline(report),
        counts=counts_text(report),
        path=path_text(report),
        path_nodes=path_nodes(report),
        sentence=verdict_sentence(report),
        sections=build_sections(report, limits or Limits()),
        plan=plan,
        blocks=phase_blocks(plan, report),
        coverage=report.gaps[:coverage_rows],
        coverage_hidden=max(len(report.gaps) - coverage_rows, 0),
        notes=report.notes[:coverage_rows],
        pools=pool_summaries(report.nodes),
        platform=platform_name(report),
        scope=scope_text(report),
        kind=document_kind(report),
        title=document_title(report),
        stops=path_stops(report),
        stats=stats_text(report),
    )
