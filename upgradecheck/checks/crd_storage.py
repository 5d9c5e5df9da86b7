"""`crd-stored-version`: a CRD whose `status.storedVersions` still lists a version that is
deprecated or no longer served; the add-on upgrade that drops it will be refused."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.model import Evidence, EvidenceSource, Finding, Severity
from upgradecheck.shapes import as_map, as_maps, as_str, as_strs, dig
from upgradecheck.wording import plural

VERSIONING = (
    "https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/"
    "custom-resource-definition-versioning/"
)
MIGRATION_DOC = VERSIONING + "#upgrade-existing-objects-to-a-new-stored-version"
"""The section on migrating stored objects: what each finding links to."""


def _plan_step(findings: Sequence[Finding]) -> tuple[str, str]:
    crds = plural(len(findings), "CustomResourceDefinition")
    name = "CRD"
    if len(findings) == 1 and findings[0].object is not None:
        name = shlex.quote(findings[0].object.name)
    return (
        f"Migrate the stored objects of {crds} off old versions, then drop those versions "
        "from status.storedVersions.",
        f"kubectl get crd {name} -o jsonpath='{{.status.storedVersions}}'",
    )


CRD_STORED_VERSION = Rule(
    id="crd-stored-version",
    title="CRD objects stored in a deprecated or unserved version",
    what="A CustomResourceDefinition's status.storedVersions lists a version that the "
    "CRD marks deprecated, no longer serves, or no longer lists.",
    why="Objects in etcd stay in the version they were written in. The add-on release "
    "that removes that version from the CRD is rejected while storedVersions names it, "
    "and add-on upgrades often come with a cluster upgrade.",
    fix="Rewrite every object of the CRD in the storage version (a no-op update, or "
    "the kube-storage-version-migrator), then drop the old version from "
    "status.storedVersions.",
    source=VERSIONING,
    severity=Severity.WARNING,
    plan_step=_plan_step,
)


def _versions(body: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        name: v
        for v in as_maps(dig(body, "spec", "versions"))
        if (name := as_str(v.get("name")))
    }


class CrdStoredVersionCheck(Check):
    """Stored versions that a later CRD update cannot drop until the objects are migrated."""

    rules = (CRD_STORED_VERSION,)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        for obj in ctx.snapshot.of_kind("CustomResourceDefinition"):
            versions = _versions(obj.body)
            stored = as_strs(dig(obj.body, "status", "storedVersions"))
            storage = next((n for n, v in versions.items() if v.get("storage") is True), None)
            group = as_str(as_map(obj.body.get("spec")).get("group")) or ""
            for name in stored:
                problem = self._problem(versions.get(name))
                if problem is None:
                    continue
                yield CRD_STORED_VERSION.finding(
                    (
                        f"CRD {obj.ref.name} still has objects stored as {group}/{name}, "
                        f"which is {problem}; an upgrade of its add-on that removes "
                        f"{name} from the CRD will be rejected by the API server."
                    ),
                    (
                        f"Rewrite every {obj.ref.name} object in the storage version "
                        f"{storage or '(current)'} (a no-op update of each, or the "
                        "kube-storage-version-migrator), then remove "
                        f"{name} from the CRD's status.storedVersions."
                    ),
                    obj=obj.ref,
                    evidence=(
                        Evidence(
                            EvidenceSource.CRD,
                            "status.storedVersions",
                            f"{group}/{name}",
                            f"stored versions {', '.join(stored)}; "
                            f"storage version {storage}",
                        ),
                    ),
                    link=MIGRATION_DOC,
                    subject=f"{group}/{name}",
                )

    @staticmethod
    def _problem(version: Mapping[str, Any] | None) -> str | None:
        if version is None:
            return "no longer listed in the CRD"
        if version.get("served", True) is False:
            return "no longer served"
        if version.get("deprecated") is True:
            return "deprecated"
        return None
