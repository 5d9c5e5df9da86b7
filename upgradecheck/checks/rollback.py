"""Rollback readiness, once per workload: `image-latest` (a warning: rolling back does not
bring the old image back), and as info `no-resource-requests` (rescheduling onto fewer or
new nodes is guesswork) and `no-readiness-probe` (a rollout cannot tell a broken pod from a
working one, so a bad change goes unnoticed)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from upgradecheck.checks.evidence import field_evidence
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.model import Evidence, Finding, Severity
from upgradecheck.shapes import as_map, as_maps, as_str, dig
from upgradecheck.wording import names, plural
from upgradecheck.workloads import PodSpec, containers

IMAGE_LATEST = Rule(
    id="image-latest",
    title="Image without a fixed version",
    what="Containers (init containers included) whose image is untagged or tagged "
    ":latest and not pinned by a digest, one finding per workload.",
    why="Pods rescheduled by drains may pull a different image than the one running, "
    "and a rollback cannot bring the old image back.",
    fix="Pin images to a version tag, or better a digest.",
    source="https://kubernetes.io/docs/concepts/containers/images/#image-names",
    severity=Severity.WARNING,
)

NO_RESOURCE_REQUESTS = Rule(
    id="no-resource-requests",
    title="Containers without resource requests",
    what="Containers with no resources.requests, one finding per workload.",
    why="When drains move pods onto the remaining nodes the scheduler cannot tell whether "
    "they fit; such pods are evicted first under pressure.",
    fix="Set cpu and memory requests from observed usage.",
    source="https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    severity=Severity.INFO,
)

NO_READINESS_PROBE = Rule(
    id="no-readiness-probe",
    title="Serving containers without a readiness probe",
    what="Containers of Deployments, StatefulSets and DaemonSets that declare ports but "
    "no readinessProbe (containers without ports, such as workers, are left alone).",
    why="Traffic reaches pods before they can serve, and a rollout reports a broken "
    "version as ready, so a bad change is not caught in time to roll back.",
    fix="Add a readinessProbe that checks the container can serve.",
    source="https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/",
    severity=Severity.INFO,
)

PROBED_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


def floating_tag(image: str) -> str | None:
    """`untagged` or `:latest` for an image that names no fixed version; None when it is
    pinned by a digest or a tag other than latest."""
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "untagged"
    return ":latest" if last.rsplit(":", 1)[1] == "latest" else None


class RollbackCheck(Check):
    """Workloads that make a rollback (or a reschedule) harder than it needs to be."""

    rules = (IMAGE_LATEST, NO_RESOURCE_REQUESTS, NO_READINESS_PROBE)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        for pod in ctx.workloads.pod_specs():
            if pod.mirror:
                continue  # static pods are the node's, versioned with it
            yield from self._images(pod)
            yield from self._requests(pod)
            yield from self._probes(pod)

    def _images(self, pod: PodSpec) -> Iterator[Finding]:
        evidence: list[Evidence] = []
        shown: list[str] = []
        for group in ("initContainers", "containers"):
            for c in as_maps(pod.spec.get(group)):
                image = as_str(c.get("image")) or ""
                if image and floating_tag(image) is not None:
                    where = pod.field(f"{group}[{c.get('name')}].image")
                    evidence.append(field_evidence(pod.workload, where, image))
                    shown.append(f"{c.get('name')} ({image})")
        if evidence:
            yield IMAGE_LATEST.finding(
                f"{pod.workload.display()} runs images with no fixed version ({names(shown)}): "
                "a pod rescheduled during the upgrade may pull a different image, and a "
                "rollback cannot bring the old one back.",
                "Pin each image to a version tag, or better a digest (image@sha256:...).",
                obj=pod.workload,
                evidence=evidence,
            )

    def _requests(self, pod: PodSpec) -> Iterator[Finding]:
        missing = [c for c in containers(pod.spec) if not as_map(dig(c, "resources", "requests"))]
        if not missing:
            return
        yield NO_RESOURCE_REQUESTS.finding(
            f"{pod.workload.display()}: {plural(len(missing), 'container')} without resource "
            f"requests ({names([str(c.get('name')) for c in missing])}): when drains move it, "
            "the scheduler cannot tell whether the remaining nodes have room, and it is the "
            "first to be evicted under pressure.",
            "Set cpu and memory requests from observed usage.",
            obj=pod.workload,
            evidence=(
                field_evidence(pod.workload, pod.field(f"containers[{c.get('name')}].resources"))
                for c in missing
            ),
        )

    def _probes(self, pod: PodSpec) -> Iterator[Finding]:
        if pod.workload.kind not in PROBED_KINDS:
            return
        # Containers that declare no port usually serve no traffic (workers, sidecars): a
        # readiness probe would say nothing about them.
        missing = [
            c for c in containers(pod.spec) if c.get("ports") and not c.get("readinessProbe")
        ]
        if not missing:
            return
        yield NO_READINESS_PROBE.finding(
            f"{pod.workload.display()}: {plural(len(missing), 'container')} serving ports "
            f"without a readiness probe ({names([str(c.get('name')) for c in missing])}): "
            "traffic reaches its pods before they can serve, and a rollout reports a broken "
            "version as ready, so a bad change is not caught in time to roll back.",
            "Add a readinessProbe that checks the container can serve requests.",
            obj=pod.workload,
            evidence=(
                field_evidence(pod.workload, pod.field(f"containers[{c.get('name')}]"))
                for c in missing
            ),
        )
