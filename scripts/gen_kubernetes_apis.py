#!/usr/bin/env python3
"""Generate deprecations/kubernetes-apis.yaml from the upstream API lifecycle facts.

Usage:
    python scripts/gen_kubernetes_apis.py FACTS_JSON [-o OUT]

FACTS_JSON is the lifecycle facts file read from the `zz_generated.prerelease-lifecycle.go`
files of kubernetes/api (`../shared/upstream/k8s-api-lifecycle.json` beside a checkout).
The output is deterministic: running the script twice on the same facts gives the same
bytes, and the test suite checks that the committed file is what the script produces.

Rules applied (documented in docs/knowledge-base.md):
- every group/version/kind with a deprecation or a removal is emitted, `*List` kinds too;
- effective removal = the earlier of the tagged removal and the release after the last
  release whose source still held the type (a type still in `master` proves nothing);
- alpha: off by default; generator-default tags (deprecated = introduced + 3, removed =
  deprecated + 3) are not real and are dropped, unless the deprecation was tagged by hand;
- beta: off by default when introduced in 1.24 or later (KEP-3136), with the exceptions
  the apiserver itself lists;
- when upstream names no replacement, a newer version of the same group and kind in the
  facts is recorded (GA preferred); the raw upstream values stay under `upstream:`.

The script uses only the standard library, so it runs from a bare checkout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = "upgradecheck.kb.apis/v1"
API_REPO = "https://github.com/kubernetes/api/blob"
GUIDE = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"
FIRST_RELEASE_READ = (1, 19)
KEP_3136_FROM = (1, 24)
_VERSION = re.compile(r"^v\d+(?P<stage>alpha|beta)?(\d+)?$")

# kind -> (resource plural, namespaced). An empty resource means the kind is never served
# as a REST resource (a webhook payload or a discovery document). Subresource bodies are
# written "<parent>/<subresource>"; Scale, served under several parents, is "*/scale".
KINDS: dict[str, tuple[str, bool]] = {
    "APIGroupDiscovery": ("", False),
    "AdmissionReview": ("", False),
    "CSIDriver": ("csidrivers", False),
    "CSINode": ("csinodes", False),
    "CSIStorageCapacity": ("csistoragecapacities", True),
    "CertificateSigningRequest": ("certificatesigningrequests", False),
    "ClusterCIDR": ("clustercidrs", False),
    "ClusterRole": ("clusterroles", False),
    "ClusterRoleBinding": ("clusterrolebindings", False),
    "ClusterTrustBundle": ("clustertrustbundles", False),
    "ControllerRevision": ("controllerrevisions", True),
    "CronJob": ("cronjobs", True),
    "DaemonSet": ("daemonsets", True),
    "Deployment": ("deployments", True),
    "DeploymentRollback": ("deployments/rollback", True),
    "DeviceClass": ("deviceclasses", False),
    "DeviceTaintRule": ("devicetaintrules", False),
    "EndpointSlice": ("endpointslices", True),
    "Event": ("events", True),
    "EvictionRequest": ("evictionrequests", True),
    "FlowSchema": ("flowschemas", False),
    "HorizontalPodAutoscaler": ("horizontalpodautoscalers", True),
    "IPAddress": ("ipaddresses", False),
    "Ingress": ("ingresses", True),
    "IngressClass": ("ingressclasses", False),
    "JobTemplate": ("", False),
    "Lease": ("leases", True),
    "LeaseCandidate": ("leasecandidates", True),
    "LocalSubjectAccessReview": ("localsubjectaccessreviews", True),
    "MutatingAdmissionPolicy": ("mutatingadmissionpolicies", False),
    "MutatingAdmissionPolicyBinding": ("mutatingadmissionpolicybindings", False),
    "MutatingWebhookConfiguration": ("mutatingwebhookconfigurations", False),
    "NetworkPolicy": ("networkpolicies", True),
    "PodCertificateRequest": ("podcertificaterequests", True),
    "PodDisruptionBudget": ("poddisruptionbudgets", True),
    "PodGroup": ("podgroups", True),
    "PodSecurityPolicy": ("podsecuritypolicies", False),
    "PriorityClass": ("priorityclasses", False),
    "PriorityLevelConfiguration": ("prioritylevelconfigurations", False),
    "ReplicaSet": ("replicasets", True),
    "ResourceClaim": ("resourceclaims", True),
    "ResourceClaimTemplate": ("resourceclaimtemplates", True),
    "ResourcePoolStatusRequest": ("resourcepoolstatusrequests", False),
    "ResourceSlice": ("resourceslices", False),
    "Role": ("roles", True),
    "RoleBinding": ("rolebindings", True),
    "RuntimeClass": ("runtimeclasses", False),
    "Scale": ("*/scale", True),
    "SelfSubjectAccessReview": ("selfsubjectaccessreviews", False),
    "SelfSubjectReview": ("selfsubjectreviews", False),
    "SelfSubjectRulesReview": ("selfsubjectrulesreviews", False),
    "ServiceCIDR": ("servicecidrs", False),
    "StatefulSet": ("statefulsets", True),
    "StorageClass": ("storageclasses", False),
    "StorageVersionMigration": ("storageversionmigrations", False),
    "SubjectAccessReview": ("subjectaccessreviews", False),
    "TokenReview": ("tokenreviews", False),
    "ValidatingAdmissionPolicy": ("validatingadmissionpolicies", False),
    "ValidatingAdmissionPolicyBinding": ("validatingadmissionpolicybindings", False),
    "ValidatingWebhookConfiguration": ("validatingwebhookconfigurations", False),
    "VolumeAttachment": ("volumeattachments", False),
    "VolumeAttributesClass": ("volumeattributesclasses", False),
    "Workload": ("workloads", True),
}
# The same kind name in two groups with different meanings.
GROUP_KINDS: dict[tuple[str, str], tuple[str, bool]] = {
    ("policy", "Eviction"): ("pods/eviction", True),
    ("lifecycle.k8s.io", "Eviction"): ("evictions", True),
}

# Betas introduced in 1.24+ that are nevertheless served by default.
# flowcontrol v1beta3: kube-apiserver's legacyBetaEnabledByDefaultResources (KEP-3136
# exception, "deprecate in 1.29, remove in 1.32"). apidiscovery v2beta1: the aggregated
# discovery document, served by default since the AggregatedDiscoveryEndpoint gate went
# beta (on) in 1.27; it is not a REST resource that --runtime-config switches.
BETA_ON_BY_DEFAULT = {
    ("flowcontrol.apiserver.k8s.io", "v1beta3"),
    ("apidiscovery.k8s.io", "v2beta1"),
}

# Anchors of the official Deprecated API Migration Guide, per group/version/kind. Entries
# listed there cite the guide; the List kind of a listed kind cites the same section.
GUIDE_ANCHORS: dict[tuple[str, str], dict[str, str]] = {
    ("flowcontrol.apiserver.k8s.io", "v1beta3"): {
        "FlowSchema": "flowcontrol-resources-v132",
        "PriorityLevelConfiguration": "flowcontrol-resources-v132",
    },
    ("flowcontrol.apiserver.k8s.io", "v1beta2"): {
        "FlowSchema": "flowcontrol-resources-v129",
        "PriorityLevelConfiguration": "flowcontrol-resources-v129",
    },
    ("flowcontrol.apiserver.k8s.io", "v1beta1"): {
        "FlowSchema": "flowcontrol-resources-v126",
        "PriorityLevelConfiguration": "flowcontrol-resources-v126",
    },
    ("storage.k8s.io", "v1beta1"): {
        "CSIStorageCapacity": "csistoragecapacity-v127",
        "CSIDriver": "storage-resources-v122",
        "CSINode": "storage-resources-v122",
        "StorageClass": "storage-resources-v122",
        "VolumeAttachment": "storage-resources-v122",
    },
    ("autoscaling", "v2beta2"): {"HorizontalPodAutoscaler": "horizontalpodautoscaler-v126"},
    ("autoscaling", "v2beta1"): {"HorizontalPodAutoscaler": "horizontalpodautoscaler-v125"},
    ("batch", "v1beta1"): {"CronJob": "cronjob-v125"},
    ("discovery.k8s.io", "v1beta1"): {"EndpointSlice": "endpointslice-v125"},
    ("events.k8s.io", "v1beta1"): {"Event": "event-v125"},
    ("policy", "v1beta1"): {
        "PodDisruptionBudget": "poddisruptionbudget-v125",
        "PodSecurityPolicy": "psp-v125",
    },
    ("node.k8s.io", "v1beta1"): {"RuntimeClass": "runtimeclass-v125"},
    ("admissionregistration.k8s.io", "v1beta1"): {
        "MutatingWebhookConfiguration": "webhook-resources-v122",
        "ValidatingWebhookConfiguration": "webhook-resources-v122",
    },
    ("authentication.k8s.io", "v1beta1"): {"TokenReview": "tokenreview-v122"},
    ("authorization.k8s.io", "v1beta1"): {
        "LocalSubjectAccessReview": "subjectaccessreview-resources-v122",
        "SelfSubjectAccessReview": "subjectaccessreview-resources-v122",
        "SelfSubjectRulesReview": "subjectaccessreview-resources-v122",
        "SubjectAccessReview": "subjectaccessreview-resources-v122",
    },
    ("certificates.k8s.io", "v1beta1"): {
        "CertificateSigningRequest": "certificatesigningrequest-v122"
    },
    ("coordination.k8s.io", "v1beta1"): {"Lease": "lease-v122"},
    ("networking.k8s.io", "v1beta1"): {
        "Ingress": "ingress-v122",
        "IngressClass": "ingressclass-v122",
    },
    ("rbac.authorization.k8s.io", "v1beta1"): {
        "ClusterRole": "rbac-resources-v122",
        "ClusterRoleBinding": "rbac-resources-v122",
        "Role": "rbac-resources-v122",
        "RoleBinding": "rbac-resources-v122",
    },
    ("scheduling.k8s.io", "v1beta1"): {"PriorityClass": "priorityclass-v122"},
    ("extensions", "v1beta1"): {
        "Ingress": "ingress-v122",
        "NetworkPolicy": "networkpolicy-v116",
        "DaemonSet": "daemonset-v116",
        "Deployment": "deployment-v116",
        "ReplicaSet": "replicaset-v116",
        "PodSecurityPolicy": "psp-v116",
    },
    ("apps", "v1beta2"): {
        "DaemonSet": "daemonset-v116",
        "Deployment": "deployment-v116",
        "StatefulSet": "statefulset-v116",
        "ReplicaSet": "replicaset-v116",
    },
    ("apps", "v1beta1"): {
        "Deployment": "deployment-v116",
        "StatefulSet": "statefulset-v116",
    },
}

Version = tuple[int, int]


class GenerationError(Exception):
    """The facts cannot be turned into the data file (an unknown kind, a bad version)."""


@dataclass(frozen=True)
class Facts:
    """The parts of the facts file the generator reads."""

    kinds: tuple[dict[str, Any], ...]
    held: dict[str, tuple[str, ...]]
    refs: tuple[str, ...]
    digest: str
    name: str


def parse_version(text: str) -> Version:
    """`"1.22"` -> `(1, 22)`."""
    major, _, minor = text.partition(".")
    if not (major.isdigit() and minor.isdigit()):
        raise GenerationError(f"{text!r} is not a Kubernetes minor version")
    return int(major), int(minor)


def fmt(version: Version | None) -> str | None:
    """`(1, 22)` -> `"1.22"`; None stays None."""
    return None if version is None else f"{version[0]}.{version[1]}"


def opt_version(text: str | None) -> Version | None:
    """Parse an optional version."""
    return None if text is None else parse_version(text)


def plus(version: Version, n: int) -> Version:
    """The minor release `n` steps after `version`."""
    return version[0], version[1] + n


def stability(version: str) -> str:
    """`alpha`, `beta` or `ga` from a version string such as `v1beta2`."""
    match = _VERSION.match(version)
    if not match:
        raise GenerationError(f"{version!r} is not a Kubernetes API version")
    return match["stage"] or "ga"


def api_version(group: str, version: str) -> str:
    """`group/version`, or `version` for the core group."""
    return f"{group}/{version}" if group else version


def load_facts(path: Path) -> Facts:
    """Read the facts file."""
    raw = path.read_bytes()
    data = json.loads(raw)
    held = {gv: tuple(releases) for gv, releases in data["group_versions_in_source"].items()}
    return Facts(
        kinds=tuple(data["kinds"]),
        held=held,
        refs=tuple(data["refs_read"]),
        digest=hashlib.sha256(raw).hexdigest(),
        name=path.name,
    )


def resource_of(group: str, kind: str, list_kind: bool) -> tuple[str, bool]:
    """The (plural, namespaced) of a kind; a `*List` kind shares its item's resource."""
    base = kind[: -len("List")] if list_kind else kind
    found = GROUP_KINDS.get((group, base)) or KINDS.get(base)
    if found is None:
        raise GenerationError(
            f"unknown kind {api_version(group, '?')} {kind}: add it to KINDS in "
            f"scripts/gen_kubernetes_apis.py with its plural and scope"
        )
    return found


def last_seen(entry: dict[str, Any]) -> Version | None:
    """The newest release whose source held the type (None: still in the dev branch)."""
    ref = str(entry["last_seen_in_source"])
    if ref == "master":
        return None
    match = re.fullmatch(r"v0\.(\d+)\.\d+", ref)
    if not match:
        raise GenerationError(f"unexpected ref {ref!r} in last_seen_in_source")
    return 1, int(match.group(1))


def served_until(entry: dict[str, Any]) -> Version | None:
    """The release after the last one whose source still held the type."""
    seen = last_seen(entry)
    return None if seen is None else plus(seen, 1)


def earliest(*versions: Version | None) -> Version | None:
    """The earliest of the given versions, ignoring None."""
    present = [v for v in versions if v is not None]
    return min(present) if present else None


def hand_tagged_deprecation(entry: dict[str, Any]) -> bool:
    """Whether the deprecation tag differs from the generator default (introduced + 3)."""
    introduced = opt_version(entry["introduced"])
    deprecated = opt_version(entry["deprecated"])
    if deprecated is None or introduced is None:
        return deprecated is not None
    return deprecated != plus(introduced, 3)


def lifecycle(entry: dict[str, Any]) -> tuple[Version | None, Version | None]:
    """The (deprecated_in, removed_in) this knowledge base records for an entry."""
    tagged_dep = opt_version(entry["deprecated"])
    tagged_rem = opt_version(entry["removed"])
    gone = served_until(entry)
    if stability(entry["version"]) == "alpha" and not hand_tagged_deprecation(entry):
        return None, gone
    return tagged_dep, earliest(tagged_rem, gone)


def enabled_by_default(entry: dict[str, Any]) -> bool:
    """Alpha: off. Beta introduced in 1.24+: off (KEP-3136) unless listed as an exception."""
    stage = stability(entry["version"])
    if stage == "alpha":
        return False
    if stage == "ga":
        return True
    introduced = opt_version(entry["introduced"])
    if (entry["group"], entry["version"]) in BETA_ON_BY_DEFAULT:
        return True
    return introduced is None or introduced < KEP_3136_FROM


def version_rank(version: str) -> tuple[int, int, int]:
    """Order versions GA > beta > alpha, then by numbers."""
    match = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not match:
        return (0, 0, 0)
    stage = {"alpha": 0, "beta": 1, None: 2}[match.group(2)]
    return (stage, int(match.group(1)), int(match.group(3) or 0))


def inferred_replacement(
    entry: dict[str, Any], index: dict[tuple[str, str], list[dict[str, Any]]]
) -> dict[str, str] | None:
    """A newer version of the same group and kind, GA preferred, when upstream names none."""
    mine = version_rank(entry["version"])
    candidates = [
        other
        for other in index.get((entry["group"], entry["kind"]), [])
        if version_rank(other["version"]) > mine
    ]
    if not candidates:
        return None
    best = max(candidates, key=lambda other: version_rank(other["version"]))
    return {"api_version": api_version(best["group"], best["version"]), "kind": best["kind"]}


def replacement_of(
    entry: dict[str, Any], index: dict[tuple[str, str], list[dict[str, Any]]]
) -> dict[str, str] | None:
    """Upstream's replacement, or the inferred one when upstream names none."""
    upstream = entry.get("replacement")
    if upstream:
        return {
            "api_version": api_version(upstream["group"], upstream["version"]),
            "kind": upstream["kind"],
        }
    return inferred_replacement(entry, index)


def guide_anchor(entry: dict[str, Any]) -> str | None:
    """The guide section that lists this group/version/kind (or the kind of this list)."""
    kinds = GUIDE_ANCHORS.get((entry["group"], entry["version"]), {})
    kind = entry["kind"]
    base = kind[: -len("List")] if entry.get("list_type") else kind
    return kinds.get(base)


def source_ref(entry: dict[str, Any], removed: Version | None, facts: Facts) -> str:
    """The kubernetes/api ref the entry is cited from: the removal release when its source
    still held the type, else the first ref read (for removals before 1.19), else the
    newest tagged ref that held the type, else the development branch."""
    held = facts.held.get(api_version(entry["group"], entry["version"]), ())
    introduced = opt_version(entry["introduced"]) or (1, 0)
    seen = last_seen(entry)
    tags = [
        parse_version(r)
        for r in held
        if r != "master"
        and introduced <= parse_version(r)
        and (seen is None or parse_version(r) <= seen)
    ]
    if removed is not None and removed in tags:
        return f"v0.{removed[1]}.0"
    if removed is not None and removed < FIRST_RELEASE_READ and tags:
        return f"v0.{tags[0][1]}.0"
    if tags:
        return f"v0.{tags[-1][1]}.0"
    return "master"


def source_of(entry: dict[str, Any], removed: Version | None, facts: Facts) -> str:
    """The guide anchor for guide-listed entries, else the upstream lifecycle file."""
    anchor = guide_anchor(entry)
    if anchor:
        return GUIDE + "#" + anchor
    group_dir = entry["group"].split(".")[0] if entry["group"] else "core"
    ref = source_ref(entry, removed, facts)
    return f"{API_REPO}/{ref}/{group_dir}/{entry['version']}/zz_generated.prerelease-lifecycle.go"


def upstream_block(entry: dict[str, Any]) -> dict[str, Any]:
    """The raw upstream values, kept so a reader can see what the rules changed."""
    repl = entry.get("replacement")
    return {
        "deprecated": entry["deprecated"],
        "removed": entry["removed"],
        "replacement": (
            None
            if not repl
            else {"api_version": api_version(repl["group"], repl["version"]), "kind": repl["kind"]}
        ),
        "last_seen_in_source": entry["last_seen_in_source"],
    }


def build_entry(
    entry: dict[str, Any], facts: Facts, index: dict[tuple[str, str], list[dict[str, Any]]]
) -> dict[str, Any]:
    """One `apis:` entry of the output."""
    list_kind = bool(entry.get("list_type"))
    resource, namespaced = resource_of(entry["group"], entry["kind"], list_kind)
    deprecated, removed = lifecycle(entry)
    return {
        "group": entry["group"],
        "version": entry["version"],
        "kind": entry["kind"],
        "list_kind": list_kind,
        "resource": resource,
        "namespaced": namespaced,
        "stability": stability(entry["version"]),
        "enabled_by_default": enabled_by_default(entry),
        "introduced_in": entry["introduced"],
        "deprecated_in": fmt(deprecated),
        "removed_in": fmt(removed),
        "replacement": replacement_of(entry, index),
        "source": source_of(entry, removed, facts),
        "upstream": upstream_block(entry),
    }


def kind_index(facts: Facts) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Entries of the facts by (group, kind)."""
    index: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in facts.kinds:
        index.setdefault((entry["group"], entry["kind"]), []).append(entry)
    return index


def has_lifecycle(entry: dict[str, Any]) -> bool:
    """Whether upstream tags a deprecation or a removal (GA types carry neither)."""
    return entry["deprecated"] is not None or entry["removed"] is not None


def ga_targets(facts: Facts) -> list[dict[str, str]]:
    """Every GA group/version/kind in the facts: what a replacement may point at, with the
    release that introduced it (so a report can say whether a migration can start now)."""
    targets = {
        (api_version(e["group"], e["version"]), e["kind"]): e["introduced"]
        for e in facts.kinds
        if stability(e["version"]) == "ga" and not has_lifecycle(e)
    }
    return [
        {"api_version": av, "kind": kind, "introduced_in": introduced}
        for (av, kind), introduced in sorted(targets.items())
    ]


def check_replacements(apis: list[dict[str, Any]], targets: list[dict[str, str]]) -> list[str]:
    """Replacements that point at nothing the facts know (the overlay must correct them)."""
    known = {(t["api_version"], t["kind"]) for t in targets}
    known |= {(api_version(a["group"], a["version"]), a["kind"]) for a in apis}
    return [
        f"{api_version(a['group'], a['version'])} {a['kind']} -> "
        f"{a['replacement']['api_version']} {a['replacement']['kind']}"
        for a in apis
        if a["replacement"]
        and (a["replacement"]["api_version"], a["replacement"]["kind"]) not in known
    ]


def build_document(facts: Facts) -> dict[str, Any]:
    """The whole output document."""
    index = kind_index(facts)
    chosen = sorted(
        (e for e in facts.kinds if has_lifecycle(e)),
        key=lambda e: (e["group"], e["version"], e["kind"]),
    )
    apis = [build_entry(e, facts, index) for e in chosen]
    return {
        "schema": SCHEMA,
        "generated_from": {
            "file": facts.name,
            "sha256": facts.digest,
            "refs_read": list(facts.refs),
        },
        "apis": apis,
        "ga_targets": ga_targets(facts),
    }


HEADER = """\
# GENERATED FILE - do not edit by hand. Corrections and additions belong in
# kubernetes-apis-overlay.yaml, which the loader applies on top of this file.
#
# Generated by scripts/gen_kubernetes_apis.py from the upstream API lifecycle facts
# (k8s-api-lifecycle.json, read from kubernetes/api zz_generated.prerelease-lifecycle.go).
# Regenerate from the repository root with:
#   python scripts/gen_kubernetes_apis.py ../shared/upstream/k8s-api-lifecycle.json \\
#       -o deprecations/kubernetes-apis.yaml
# Field meanings: deprecations/README.md. Rules: docs/knowledge-base.md.
"""


_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9./:_#*-]*$")
_KEYWORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(value: Any) -> str:
    """A YAML scalar: plain where unambiguous, else a JSON (double-quoted) string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _KEYWORDS:
        return text
    return json.dumps(text)


def flow(value: Any) -> str:
    """A value in YAML flow style (one line)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def render_entry(entry: dict[str, Any]) -> list[str]:
    """One list item of `apis:`, a key per line, nested maps in flow style."""
    lines = []
    for i, (key, value) in enumerate(entry.items()):
        lead = "  - " if i == 0 else "    "
        lines.append(f"{lead}{key}: {flow(value)}")
    return lines


def render(document: dict[str, Any]) -> str:
    """The YAML text, with the header comment."""
    lines = [HEADER.rstrip("\n"), f"schema: {scalar(document['schema'])}"]
    lines.append("generated_from:")
    lines += [f"  {k}: {flow(v)}" for k, v in document["generated_from"].items()]
    lines.append("apis:")
    for entry in document["apis"]:
        lines += render_entry(entry)
    lines.append("ga_targets:")
    lines += [f"  - {flow(t)}" for t in document["ga_targets"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("facts", type=Path, help="k8s-api-lifecycle.json")
    parser.add_argument("-o", "--output", type=Path, help="output file (default: stdout)")
    args = parser.parse_args(argv)
    try:
        document = build_document(load_facts(args.facts))
    except (GenerationError, OSError, KeyError, ValueError) as exc:
        print(f"gen_kubernetes_apis: {exc}", file=sys.stderr)
        return 1
    for problem in check_replacements(document["apis"], document["ga_targets"]):
        print(f"gen_kubernetes_apis: warning: replacement unknown: {problem}", file=sys.stderr)
    text = render(document)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
