"""Whether `helm upgrade` would accept a chart's kubeVersion: judged by each helm that may run
the upgrade (the local ones, else one of each pre-release rule), at the cluster's version now
and after each hop, with the version suffix the platform gives its API server."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from upgradecheck.checks.interface import CheckContext
from upgradecheck.model import ClientBinary, Evidence, EvidenceSource, Severity
from upgradecheck.semver_range import (
    Constraint,
    ConstraintError,
    PrereleaseRule,
    SemVer,
    parse_version,
    rule_for_helm,
)
from upgradecheck.versions import Minor

# The pre-release part EKS and GKE give their API server version (v1.29.4-eks-036c24b,
# v1.29.3-gke.1093000), for a cluster whose own version does not show it.
_PLATFORM_SUFFIX = {"eks": ((1, "eks"), (0, 1)), "gke": ((1, "gke"), (0, 1))}

_RULE_NAMES = {
    PrereleaseRule.PER_COMPARATOR: "Helm before 3.19",
    PrereleaseRule.PER_GROUP: "Helm 3.19 or later (Helm 4 too)",
}
_RULE_WORDS = {
    PrereleaseRule.PER_COMPARATOR: "from every comparator that names no pre-release",
    PrereleaseRule.PER_GROUP: "from every group of comparators joined by AND none of which "
    "names one",
}


@dataclass(frozen=True)
class Judge:
    """A helm that may run the upgrade, and the pre-release rule it applies."""

    name: str
    """`helm v4.1.4 (/usr/local/bin/helm)`, or `Helm before 3.19` when no helm is known."""
    rule: PrereleaseRule
    """How it treats the platform's version suffix."""
    client: ClientBinary | None = None
    """The local binary, when the snapshot found one."""


@dataclass(frozen=True)
class Point:
    """A moment the release may be upgraded at: now (hop None) or after a hop."""

    hop: Minor | None
    """The hop, or None for the cluster as it is."""
    version: SemVer
    """The API server version Helm would read then."""
    shown: str = ""
    """That version as the server shows it (`v1.24.9-eks-036c24b`), for the cluster now."""

    @property
    def hop_text(self) -> str:
        """The version as people read it."""
        return self.shown or f"v{self.version}"


def judges(clients: Iterable[ClientBinary]) -> tuple[Judge, ...]:
    """The local helm binaries whose version is known; when there is none, one judge per
    pre-release rule, so a finding can say what each Helm does."""
    found = []
    for c in clients:
        rule = rule_for_helm(c.version) if c.name == "helm" and c.version else None
        if rule is not None:
            found.append(Judge(f"helm {c.version} ({c.path})", rule, c))
    if found:
        return tuple(found)
    return tuple(Judge(name, rule) for rule, name in _RULE_NAMES.items())


def _suffix(server: SemVer | None, platform: str) -> tuple[tuple[int, int | str], ...]:
    if server is not None and server.is_pre:
        return server.pre  # an upgraded server keeps the platform's form of version
    return _PLATFORM_SUFFIX.get(platform, ())


def suffix_shown(ctx: CheckContext) -> str:
    """The server's version when it carries a suffix, else the platform's form of it."""
    cluster = ctx.snapshot.cluster
    if cluster is None:
        return ""
    if "-" in cluster.server_version:
        return cluster.server_version
    return f"-{cluster.platform}-..." if cluster.platform in _PLATFORM_SUFFIX else ""


def _patches(ctx: CheckContext, hop: Minor) -> tuple[int, ...]:
    """The patches a hop is judged at: its first, and the newest the calendar knows (a
    constraint may refuse either end: `>=1.25.3`, `<1.26.0` on a suffixed version)."""
    release = ctx.kb.release(hop)
    latest = release.latest_patch if release is not None else None
    newest = int(latest.rpartition(".")[2]) if latest else 0
    return (0, newest) if newest else (0,)


def points(ctx: CheckContext) -> tuple[Point, ...]:
    """The cluster now (its real server version, when the snapshot has it), then each hop at
    its first and newest patch, with the platform's suffix."""
    cluster = ctx.snapshot.cluster
    server: SemVer | None = None
    if cluster is not None:
        try:
            server = parse_version(cluster.server_version)
        except (ConstraintError, ValueError):  # ValueError: a number too long to read
            server = None
    suffix = _suffix(server, cluster.platform if cluster else "unknown")
    out: list[Point] = []
    if server is not None and cluster is not None and ctx.current == Minor(
        server.major, server.minor
    ):
        out.append(Point(None, server, cluster.server_version))
    elif ctx.current is not None:
        out.append(Point(None, SemVer(ctx.current.major, ctx.current.minor, 0, suffix)))
    out += [
        Point(h, SemVer(h.major, h.minor, patch, suffix))
        for h in ctx.hops
        for patch in _patches(ctx, h)
    ]
    return tuple(out)


@dataclass(frozen=True)
class Refusal:
    """Where one judge first refuses the chart (None: it accepts it throughout)."""

    judge: Judge
    point: Point | None
    by_suffix: bool
    """The refusal comes from the version's pre-release part, not from its numbers."""

    def outcome(self, many: bool) -> str:
        """`refuses it from 1.25` (`refuse` when `many` judges share it)."""
        s = "" if many else "s"
        if self.point is None:
            return f"accept{s} it through the target"
        if self.point.hop is None:
            return f"refuse{s} it already, at the current {self.point.hop_text}"
        at = f" (at v{self.point.version})" if self.point.version.patch else ""
        return f"refuse{s} it from {self.point.hop}{at}"


@dataclass(frozen=True)
class KubeVersionVerdict:
    """How every judge treats one chart's kubeVersion over the upgrade."""

    refusals: tuple[Refusal, ...]
    """One per judge, in the judges' order."""
    first: Point
    """The earliest point any judge refuses."""
    suffix: str
    """How the server's version suffix is shown: `v1.24.9-eks-036c24b`, `-eks-...`."""

    @property
    def unanimous(self) -> bool:
        """Every judge refuses somewhere (then `helm upgrade` fails whichever runs it)."""
        return all(r.point is not None for r in self.refusals)

    @property
    def severity(self) -> Severity:
        """A blocker when every helm refuses; a warning when it depends on the helm."""
        return Severity.BLOCKER if self.unanimous else Severity.WARNING

    def describe(self) -> str:
        """What `helm upgrade` of the release does, judge by judge, and why."""
        same: dict[Point | None, list[Refusal]] = {}
        for r in self.refusals:
            same.setdefault(r.point, []).append(r)
        text = "`helm upgrade` of this release is refused: " if self.unanimous else ""
        text += "; ".join(
            " and ".join(r.judge.name for r in group) + " " + group[0].outcome(len(group) > 1)
            for group in same.values()
        )
        rules = dict.fromkeys(r.judge.rule for r in self.refusals if r.by_suffix and r.point)
        if rules:
            named = [f"{_RULE_NAMES[rule]} {_RULE_WORDS[rule]}" for rule in rules]
            text += (
                f". The API server's version carries a pre-release part ({self.suffix}), which "
                + ", and ".join(named).replace(" from ", " excludes from ", 1)
            )
        text += "."
        if not self.unanimous:
            text += " Which applies depends on the helm that runs the upgrade."
        return text

    def remediation(self, target: Minor) -> str:
        """Upgrade the chart (written with `-0` on a managed platform) before it bites."""
        when = (
            "now, before the cluster upgrade"
            if self.first.hop is None
            else f"before the {self.first.hop} hop"
        )
        text = (
            f"Upgrade the release, {when}, to a chart version whose kubeVersion admits "
            f"Kubernetes {target} and every minor on the way"
        )
        if any(r.by_suffix for r in self.refusals if r.point is not None):
            text += (
                ", version suffix included (a constraint written with `-0`, e.g. `>=1.19.0-0`)"
            )
        text += "."
        accepting = [r.judge for r in self.refusals if r.point is None]
        if accepting and all(r.judge.client is None for r in self.refusals):
            text += (
                f" Or run the upgrade with {accepting[0].name}; name the helm that will run it "
                "with --helm to have it judged alone."
            )
        return text

    def client_evidence(self) -> tuple[Evidence, ...]:
        """The local helm binaries that judged, as evidence."""
        return tuple(
            Evidence(
                EvidenceSource.CLIENT,
                r.judge.client.path,
                "",
                f"helm {r.judge.client.version}: {r.judge.rule.value} pre-release rule",
            )
            for r in self.refusals
            if r.judge.client is not None
        )


def judge_kube_version(
    constraint: Constraint, judges: Sequence[Judge], at: Sequence[Point], suffix: str = ""
) -> KubeVersionVerdict | None:
    """Each judge's first refusal over the points `at`; None when every judge accepts the
    chart throughout. `suffix` shows the server's version suffix in the message."""
    refusals = []
    for judge in judges:
        point = next((p for p in at if not constraint.allows(p.version, judge.rule)), None)
        by_suffix = point is not None and constraint.allows(point.version.release(), judge.rule)
        refusals.append(Refusal(judge, point, by_suffix))
    refused = [r.point for r in refusals if r.point is not None]
    if not refused:
        return None
    first = min(refused, key=lambda p: (p.hop is not None, p.hop or Minor(0, 0)))
    return KubeVersionVerdict(tuple(refusals), first, suffix)
