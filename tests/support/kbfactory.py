"""A small, hand-built knowledge base for tests of the checks: facts the tests control."""

from __future__ import annotations

import datetime as dt

from upgradecheck.knowledge.model import AddonApi, ApiLifecycle, KnowledgeBase, Release
from upgradecheck.versions import Minor, parse_minor

GUIDE = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"


def api(
    api_version: str,
    kind: str,
    deprecated: str | None,
    removed: str | None,
    replacement: str | None,
    *,
    resource: str = "",
    note: str = "",
) -> ApiLifecycle:
    group, _, version = api_version.rpartition("/")
    return ApiLifecycle(
        group=group,
        version=version,
        kind=kind,
        resource=resource or kind.lower() + "s",
        namespaced=True,
        stability="beta" if "beta" in version else "ga",
        introduced_in=None,
        deprecated_in=parse_minor(deprecated) if deprecated else None,
        removed_in=parse_minor(removed) if removed else None,
        replacement=replacement,
        replacement_kind=kind if replacement else None,
        note=note,
        source=GUIDE,
    )


def small_kb() -> KnowledgeBase:
    return KnowledgeBase(
        apis=(
            api(
                "policy/v1beta1",
                "PodDisruptionBudget",
                "1.21",
                "1.25",
                "policy/v1",
                resource="poddisruptionbudgets",
                note="An empty selector now selects all.",
            ),
            api(
                "policy/v1beta1",
                "PodSecurityPolicy",
                "1.21",
                "1.25",
                None,
                resource="podsecuritypolicies",
            ),
            api(
                "extensions/v1beta1",
                "Ingress",
                "1.14",
                "1.22",
                "networking.k8s.io/v1",
                resource="ingresses",
            ),
            api("batch/v1beta1", "CronJob", "1.21", "1.25", "batch/v1", resource="cronjobs"),
            api(
                "flowcontrol.apiserver.k8s.io/v1beta3",
                "FlowSchema",
                "1.29",
                "1.32",
                "flowcontrol.apiserver.k8s.io/v1",
                resource="flowschemas",
            ),
            api("v1", "Endpoints", "1.33", None, "discovery.k8s.io/v1", resource="endpoints"),
        ),
        addon_apis=(
            AddonApi(
                "cert-manager",
                "cert-manager.io",
                "v1alpha2",
                (),
                "1.4",
                "1.6",
                "cert-manager.io/v1",
                "",
                "https://cert-manager.io/docs/releases/",
            ),
        ),
        skew_rules=(),
        releases=tuple(
            Release(
                Minor(1, m),
                dt.date(2019 + (m - 16) // 3, 1 + (m % 3) * 4, 1),
                dt.date(2020 + (m - 16) // 3, 1 + (m % 3) * 4, 1),
            )
            for m in range(16, 38)
        ),
        removals=(),
        version="test",
    )
