"""Built-in Kubernetes resource types, as the API server's discovery documents describe them.

A fixture cluster names the resources each group/version serves (``cluster.yaml``'s
``apis``); this table supplies the rest of each discovery entry (kind, scope, verbs, short
names, categories, subresources), so that fixtures stay short and every cluster describes a
resource the same way a real API server does.

``storage`` ties resources that share one storage across groups: an Ingress written through
``extensions/v1beta1`` is the same object when read through ``networking.k8s.io/v1``.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field, replace

__all__ = ["BUILTIN", "ResourceType", "lookup", "storage_version_hash"]

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
"""The verbs of an ordinary read-write resource."""
STATUS_VERBS = ("get", "patch", "update")
"""The verbs of a ``/status`` or ``/scale`` subresource."""


@dataclass(frozen=True)
class ResourceType:
    """One resource as discovery presents it, independent of the version serving it."""

    group: str
    """API group ("" for the core group)."""
    name: str
    """Plural resource name used in URLs, e.g. ``poddisruptionbudgets``."""
    singular: str
    """Singular name, e.g. ``poddisruptionbudget``."""
    kind: str
    """Kind of the objects, e.g. ``PodDisruptionBudget``."""
    namespaced: bool
    """Whether objects live in namespaces."""
    verbs: tuple[str, ...] = ALL_VERBS
    """Verbs the resource supports."""
    short_names: tuple[str, ...] = ()
    """kubectl short names, e.g. ``pdb``."""
    categories: tuple[str, ...] = ()
    """Categories, e.g. ``all``."""
    subresources: tuple[str, ...] = ()
    """Subresource names, e.g. ``status``, ``scale``."""
    storage: tuple[str, str] | None = None
    """(group, resource) of the shared storage when it is another group's, else None."""
    list_kind: str = ""
    """Kind of a list of these objects; ``<kind>List`` when empty."""
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    """Anything else for the discovery entry (custom resources' printer columns etc.)."""

    @property
    def storage_key(self) -> tuple[str, str]:
        """The (group, resource) under which objects of this resource are stored."""
        return self.storage or (self.group, self.name)

    @property
    def list_kind_name(self) -> str:
        """The kind of a list of these objects."""
        return self.list_kind or f"{self.kind}List"


def storage_version_hash(group: str, resource: str) -> str:
    """A stable stand-in for discovery's storageVersionHash (8 bytes, base64)."""
    digest = hashlib.sha256(f"{group}/{resource}".encode()).digest()[:8]
    return base64.b64encode(digest).decode()


def _r(
    group: str,
    name: str,
    kind: str,
    namespaced: bool = True,
    *,
    short: tuple[str, ...] = (),
    cats: tuple[str, ...] = (),
    sub: tuple[str, ...] = (),
    verbs: tuple[str, ...] = ALL_VERBS,
    singular: str = "",
    storage: tuple[str, str] | None = None,
) -> ResourceType:
    return ResourceType(
        group=group,
        name=name,
        singular=singular or kind.lower(),
        kind=kind,
        namespaced=namespaced,
        verbs=verbs,
        short_names=short,
        categories=cats,
        subresources=sub,
        storage=storage,
    )


_CREATE = ("create",)
_GET_LIST = ("get", "list")

_BUILTIN_LIST = [
    # core
    _r("", "bindings", "Binding", verbs=_CREATE),
    _r("", "componentstatuses", "ComponentStatus", False, short=("cs",), verbs=_GET_LIST),
    _r("", "configmaps", "ConfigMap", short=("cm",)),
    _r("", "endpoints", "Endpoints", short=("ep",), singular="endpoints"),
    _r("", "events", "Event", short=("ev",)),
    _r("", "limitranges", "LimitRange", short=("limits",)),
    _r("", "namespaces", "Namespace", False, short=("ns",), sub=("finalize", "status"),
       verbs=("create", "delete", "get", "list", "patch", "update", "watch")),
    _r("", "nodes", "Node", False, short=("no",), sub=("proxy", "status")),
    _r("", "persistentvolumeclaims", "PersistentVolumeClaim", short=("pvc",), sub=("status",)),
    _r("", "persistentvolumes", "PersistentVolume", False, short=("pv",), sub=("status",)),
    _r("", "pods", "Pod", short=("po",), cats=("all",),
       sub=("attach", "binding", "eviction", "exec", "log", "portforward", "proxy", "status")),
    _r("", "podtemplates", "PodTemplate"),
    _r("", "replicationcontrollers", "ReplicationController", short=("rc",), cats=("all",),
       sub=("scale", "status")),
    _r("", "resourcequotas", "ResourceQuota", short=("quota",), sub=("status",)),
    _r("", "secrets", "Secret"),
    _r("", "serviceaccounts", "ServiceAccount", short=("sa",), sub=("token",)),
    _r("", "services", "Service", short=("svc",), cats=("all",), sub=("proxy", "status"),
       verbs=("create", "delete", "get", "list", "patch", "update", "watch")),
    # admissionregistration.k8s.io
    _r("admissionregistration.k8s.io", "mutatingwebhookconfigurations",
       "MutatingWebhookConfiguration", False, cats=("api-extensions",)),
    _r("admissionregistration.k8s.io", "validatingwebhookconfigurations",
       "ValidatingWebhookConfiguration", False, cats=("api-extensions",)),
    _r("admissionregistration.k8s.io", "validatingadmissionpolicies",
       "ValidatingAdmissionPolicy", False, cats=("api-extensions",), sub=("status",)),
    _r("admissionregistration.k8s.io", "validatingadmissionpolicybindings",
       "ValidatingAdmissionPolicyBinding", False, cats=("api-extensions",)),
    # apiextensions.k8s.io
    _r("apiextensions.k8s.io", "customresourcedefinitions", "CustomResourceDefinition", False,
       short=("crd", "crds"), cats=("api-extensions",), sub=("status",)),
    # apiregistration.k8s.io
    _r("apiregistration.k8s.io", "apiservices", "APIService", False, cats=("api-extensions",),
       sub=("status",)),
    # apps
    _r("apps", "controllerrevisions", "ControllerRevision"),
    _r("apps", "daemonsets", "DaemonSet", short=("ds",), cats=("all",), sub=("status",)),
    _r("apps", "deployments", "Deployment", short=("deploy",), cats=("all",),
       sub=("scale", "status")),
    _r("apps", "replicasets", "ReplicaSet", short=("rs",), cats=("all",),
       sub=("scale", "status")),
    _r("apps", "statefulsets", "StatefulSet", short=("sts",), cats=("all",),
       sub=("scale", "status")),
    # authentication / authorization (create-only reviews)
    _r("authentication.k8s.io", "tokenreviews", "TokenReview", False, verbs=_CREATE),
    _r("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", False,
       verbs=_CREATE),
    _r("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview",
       verbs=_CREATE),
    _r("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", False,
       verbs=_CREATE),
    _r("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", False,
       verbs=_CREATE),
    _r("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", False,
       verbs=_CREATE),
    # autoscaling
    _r("autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", short=("hpa",),
       cats=("all",), sub=("status",)),
    # batch
    _r("batch", "cronjobs", "CronJob", short=("cj",), cats=("all",), sub=("status",)),
    _r("batch", "jobs", "Job", cats=("all",), sub=("status",)),
    # certificates.k8s.io
    _r("certificates.k8s.io", "certificatesigningrequests", "CertificateSigningRequest", False,
       short=("csr",), sub=("approval", "status")),
    # coordination.k8s.io
    _r("coordination.k8s.io", "leases", "Lease"),
    # discovery.k8s.io
    _r("discovery.k8s.io", "endpointslices", "EndpointSlice"),
    # events.k8s.io (the same storage as core events)
    _r("events.k8s.io", "events", "Event", short=("ev",), storage=("", "events")),
    # extensions (ingresses share networking.k8s.io's storage)
    _r("extensions", "ingresses", "Ingress", short=("ing",), sub=("status",),
       storage=("networking.k8s.io", "ingresses")),
    # flowcontrol.apiserver.k8s.io
    _r("flowcontrol.apiserver.k8s.io", "flowschemas", "FlowSchema", False, sub=("status",)),
    _r("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations",
       "PriorityLevelConfiguration", False, sub=("status",)),
    # networking.k8s.io
    _r("networking.k8s.io", "ingressclasses", "IngressClass", False),
    _r("networking.k8s.io", "ingresses", "Ingress", short=("ing",), sub=("status",)),
    _r("networking.k8s.io", "networkpolicies", "NetworkPolicy", short=("netpol",)),
    # node.k8s.io
    _r("node.k8s.io", "runtimeclasses", "RuntimeClass", False),
    # policy
    _r("policy", "poddisruptionbudgets", "PodDisruptionBudget", short=("pdb",),
       sub=("status",)),
    _r("policy", "podsecuritypolicies", "PodSecurityPolicy", False, short=("psp",)),
    # rbac.authorization.k8s.io
    _r("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", False),
    _r("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", False),
    _r("rbac.authorization.k8s.io", "rolebindings", "RoleBinding"),
    _r("rbac.authorization.k8s.io", "roles", "Role"),
    # scheduling.k8s.io
    _r("scheduling.k8s.io", "priorityclasses", "PriorityClass", False, short=("pc",)),
    # storage.k8s.io
    _r("storage.k8s.io", "csidrivers", "CSIDriver", False),
    _r("storage.k8s.io", "csinodes", "CSINode", False),
    _r("storage.k8s.io", "csistoragecapacities", "CSIStorageCapacity"),
    _r("storage.k8s.io", "storageclasses", "StorageClass", False, short=("sc",)),
    _r("storage.k8s.io", "volumeattachments", "VolumeAttachment", False, sub=("status",)),
    # metrics.k8s.io (served by metrics-server through an APIService)
    _r("metrics.k8s.io", "nodes", "NodeMetrics", False, verbs=_GET_LIST,
       singular="nodemetrics"),
    _r("metrics.k8s.io", "pods", "PodMetrics", verbs=_GET_LIST, singular="podmetrics"),
]

BUILTIN: dict[tuple[str, str], ResourceType] = {(r.group, r.name): r for r in _BUILTIN_LIST}
"""Built-in resource types by (group, plural name)."""

SUBRESOURCES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    # name: (group, version, kind, verbs); an empty kind means the parent's kind, an
    # empty group/version means the parent's (discovery then leaves them out).
    "status": ("", "", "", STATUS_VERBS),
    "scale": ("autoscaling", "v1", "Scale", STATUS_VERBS),
    "approval": ("", "", "", STATUS_VERBS),
    "finalize": ("", "", "", ("update",)),
    "log": ("", "", "Pod", ("get",)),
    "exec": ("", "", "PodExecOptions", ("create", "get")),
    "attach": ("", "", "PodAttachOptions", ("create", "get")),
    "portforward": ("", "", "PodPortForwardOptions", ("create", "get")),
    "binding": ("", "", "Binding", ("create",)),
    "eviction": ("policy", "v1", "Eviction", ("create",)),
    "token": ("authentication.k8s.io", "v1", "TokenRequest", ("create",)),
    "proxy": ("", "", "", ("create", "delete", "get", "patch", "update")),
}
"""How discovery describes each subresource."""


def lookup(group: str, name: str, **overrides: object) -> ResourceType:
    """The built-in resource (group, name), with any field overridden."""
    try:
        base = BUILTIN[(group, name)]
    except KeyError:
        raise KeyError(f"no built-in resource {name!r} in group {group!r}") from None
    return replace(base, **overrides) if overrides else base  # type: ignore[arg-type]
