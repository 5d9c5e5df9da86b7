"""`crd-stored-version`: a CRD whose `status.storedVersions` still lists a version that is
deprecated or no longer served; the add-on upgrade that drops it will be refused."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.model import Evidence, EvidenceSource, Finding, Severity

DOC = (
    "https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/"
    "custom-resource-definition-versioning/#upgrade-existing-objects-to-a-new-stored-version"
)


def _versions(body: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    spec = body.get("spec") or {}
    return {
        str(v.get("name")): v
        for v in spec.get("versions") or ()
        if isinstance(v, Mapping) and v.get("name")
    }


class CrdStoredVersionCheck(Check):
    """Stored versions that a later CRD update cannot drop until the objects are migrated."""

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        for obj in ctx.snapshot.objects:
            if obj.ref.kind != "CustomResourceDefinition":
                continue
            versions = _versions(obj.body)
            stored = (obj.body.get("status") or {}).get("storedVersions") or ()
            storage = next((n for n, v in versions.items() if v.get("storage")), None)
            for name in stored:
                v = versions.get(str(name))
                problem = self._problem(v)
                if problem is None:
                    continue
                group = (obj.body.get("spec") or {}).get("group", "")
                yield Finding(
                    rule="crd-stored-version",
                    severity=Severity.WARNING,
                    message=(
                        f"CRD {obj.ref.name} still has objects stored as {group}/{name}, "
                        f"which is {problem}; an upgrade of its add-on that removes "
                        f"{name} from the CRD will be rejected by the API server."
                    ),
                    remediation=(
                        f"Rewrite every {obj.ref.name} object in the storage version "
                        f"{storage or '(current)'} (a no-op update of each, or the "
                        "kube-storage-version-migrator), then remove "
                        f"{name} from the CRD's status.storedVersions."
                    ),
                    object=obj.ref,
                    evidence=(
                        Evidence(
                            EvidenceSource.CRD,
                            "status.storedVersions",
                            f"{group}/{name}",
                            f"stored versions {', '.join(map(str, stored))}; "
                            f"storage version {storage}",
                        ),
                    ),
                    link=DOC,
                    subject=f"{group}/{name}",
                )

    @staticmethod
    def _problem(version: Mapping[str, Any] | None) -> str | None:
        if version is None:
            return "no longer listed in the CRD"
        if not version.get("served", True):
            return "no longer served"
        if version.get("deprecated"):
            return "deprecated"
        return None
