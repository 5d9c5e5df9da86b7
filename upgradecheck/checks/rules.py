"""Every rule the checks can raise, with what it means: the source of `docs/rules.md`."""

from __future__ import annotations

from dataclasses import dataclass

DOCS_BASE = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"


@dataclass(frozen=True)
class Rule:
    """A stable rule id and its documentation."""

    id: str
    """The stable kebab-case id used in reports and exception files."""
    title: str
    """A short title."""
    what: str
    """What the rule detects."""
    why: str
    """Why it breaks (or endangers) an upgrade."""
    fix: str
    """How to fix it."""
    source: str
    """The official source behind the rule."""


RULES: tuple[Rule, ...] = (
    Rule(
        id="api-removed",
        title="API no longer served at the target",
        what="An object is written, applied or requested through a group/version that the "
        "target release (or a hop on the way) no longer serves.",
        why="After the control plane moves past the removal, every create, update and apply "
        "through the old version fails: CI pipelines, operators and `helm upgrade` break, "
        "although the stored objects themselves survive.",
        fix="Rewrite the manifests (and the clients that write them) to the replacement "
        "version before the hop, applying the migration notes; `kubectl convert` helps.",
        source=DOCS_BASE,
    ),
    Rule(
        id="stale-last-applied",
        title="Stale last-applied annotation in a removed API",
        what="An object's kubectl.kubernetes.io/last-applied-configuration names an apiVersion "
        "the target no longer serves, but every current field manager writes a served "
        "version and no kubectl manager uses the annotation's version.",
        why="The object was migrated; the annotation is a leftover. It is not a blocker, but "
        "the next `kubectl apply` computes its three-way patch from that stale base.",
        fix="Re-apply the manifest in a served version, or remove the annotation.",
        source="https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/",
    ),
    Rule(
        id="api-deprecated",
        title="Deprecated API still in use",
        what="An object is written through a group/version that is deprecated at the target; "
        "as info, APIs whose deprecation or removal comes after the target.",
        why="Deprecated APIs are removed in a later release; migrating now keeps the next "
        "upgrade from being blocked.",
        fix="Move to the replacement version at the next change of the manifests.",
        source=DOCS_BASE,
    ),
    Rule(
        id="addon-api-removed",
        title="Add-on API removed by the add-on's own releases",
        what="An object uses a CRD group/version of a third-party add-on (cert-manager, "
        "Istio, Gateway API, ...) that newer releases of that add-on no longer serve.",
        why="Upgrading Kubernetes usually forces add-on upgrades (their supported "
        "Kubernetes ranges move); the add-on upgrade then rejects or drops these objects.",
        fix="Migrate the objects to the add-on's replacement version before upgrading the "
        "add-on, following its upgrade guide.",
        source="https://kubernetes.io/docs/concepts/extend-kubernetes/api-extension/custom-resources/",
    ),
    Rule(
        id="addon-api-deprecated",
        title="Add-on API deprecated",
        what="An object uses a CRD group/version that its add-on has deprecated.",
        why="A later add-on release will remove it.",
        fix="Move to the replacement version at the next change of the manifests.",
        source="https://kubernetes.io/docs/concepts/extend-kubernetes/api-extension/custom-resources/",
    ),
    Rule(
        id="helm-release-removed-api",
        title="Helm release deployed with a removed API",
        what="The manifest Helm stored for a deployed release holds an object in a "
        "group/version that the target no longer serves.",
        why="Helm compares the new chart against the stored manifest; after the cluster "
        "upgrade it cannot map the old kinds and `helm upgrade` or rollback fails.",
        fix="Upgrade the release to a chart using served APIs before the hop; after the "
        "fact, rewrite the release record with the helm-mapkubeapis plugin.",
        source="https://helm.sh/docs/topics/kubernetes_apis/",
    ),
    Rule(
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
        source="https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/"
        "custom-resource-definition-versioning/",
    ),
    Rule(
        id="helm-release-kube-version",
        title="Chart kubeVersion excludes the target",
        what="The chart of a deployed Helm release declares a kubeVersion constraint that a "
        "hop (or the target) does not satisfy, judged as Helm does (a managed platform's "
        "version suffix counts as a prerelease, so constraints need `-0`).",
        why="`helm upgrade` refuses a chart whose kubeVersion does not admit the cluster: "
        "the release can no longer be changed after the hop.",
        fix="Upgrade the release to a chart version that admits the target before the hop.",
        source="https://helm.sh/docs/topics/charts/#the-kubeversion-field",
    ),
    Rule(
        id="helm-release-duplicate-deployed",
        title="Several revisions of one Helm release marked deployed",
        what="More than one stored revision of a release has status deployed (a known Helm "
        "inconsistency after interrupted operations).",
        why="Helm then picks one of them to diff against on the next upgrade or rollback; "
        "findings are judged on the newest only.",
        fix="Mark the older records superseded (their status label), or delete them.",
        source="https://helm.sh/docs/topics/advanced/#storage-backends",
    ),
    Rule(
        id="helm-release-stuck",
        title="Helm release pending or failed",
        what="The newest revision of a release is pending-install, pending-upgrade, "
        "pending-rollback or failed.",
        why="Helm refuses to upgrade a release with an operation in progress, and a failed "
        "release upgrades from a half-applied state: fix it before changing the cluster.",
        fix="Roll back to the last good revision (`helm rollback`), or finish the operation.",
        source="https://helm.sh/docs/helm/helm_rollback/",
    ),
    Rule(
        id="upgrade-path",
        title="Upgrade spans more than one minor release",
        what="The target is more than one minor release ahead of the current version.",
        why="The control plane must not skip minor releases: each hop is a separate upgrade "
        "with its own removals and skew limits.",
        fix="Upgrade one minor release at a time, following the plan's hops in order.",
        source="https://kubernetes.io/releases/version-skew-policy/#supported-component-upgrade-order",
    ),
    # --- risk checks (issue 4): version skew, removed features, drain, webhooks, ... -------
    Rule(
        id="kubelet-skew",
        title="Kubelet outside the version skew policy",
        what="Nodes whose kubelet would be further behind the control plane than the skew "
        "policy allows once the control plane reaches a hop (n-3 for kubelets 1.25 and "
        "later, n-2 before), or that run a kubelet newer than the control plane. One finding "
        "per node pool and version, in the first hop it bites.",
        why="A kubelet outside the skew is unsupported: API changes the control plane makes "
        "at the hop can break node registration, pod status updates and volume handling.",
        fix="Upgrade the named node pools first, to at least the version the message gives, "
        "before the control plane moves to the hop; never add nodes newer than the control "
        "plane.",
        source="https://kubernetes.io/releases/version-skew-policy/#kubelet",
    ),
    Rule(
        id="kube-proxy-skew",
        title="kube-proxy outside the version skew policy",
        what="kube-proxy (the kube-system DaemonSet's image, else each node's reported "
        "version, else its kubelet's) further behind the control plane at a hop than the skew "
        "policy allows, newer than the control plane, or too far from its node's kubelet.",
        why="An unsupported kube-proxy may mis-program Service routing after the control "
        "plane upgrade: traffic to Services breaks cluster-wide.",
        fix="Upgrade kube-proxy (the DaemonSet, or the node pools) to the version the "
        "message gives before the hop.",
        source="https://kubernetes.io/releases/version-skew-policy/#kube-proxy",
    ),
    Rule(
        id="control-plane-skew",
        title="Control-plane component out of step with the API server",
        what="kube-apiserver, kube-controller-manager, kube-scheduler or "
        "cloud-controller-manager pods in kube-system (static pods by their `component` "
        "label) whose image is at a different minor than the API server.",
        why="Controllers and the scheduler must never be newer than the API server and may "
        "be at most one minor older; a component already behind falls out of the policy the "
        "moment the API server moves to the next hop. Often a previous upgrade left unfinished.",
        fix="Bring every control-plane component to the API server's version on every "
        "control-plane node before starting the next hop.",
        source="https://kubernetes.io/releases/version-skew-policy/"
        "#kube-controller-manager-kube-scheduler-and-cloud-controller-manager",
    ),
    Rule(
        id="kubectl-skew",
        title="kubectl outside the supported skew",
        what="A local kubectl binary more than one minor away from the target, or from a hop "
        "on the way; the finding names the binary and its path.",
        why="kubectl is supported within one minor of the API server; older clients "
        "mis-handle new fields and removed APIs (e.g. `kubectl apply` or `drain` misbehave "
        "mid-upgrade).",
        fix="Install the kubectl version the remediation names (one that is within one minor "
        "of every hop when such a version exists).",
        source="https://kubernetes.io/releases/version-skew-policy/#kubectl",
    ),
    Rule(
        id="helm-client-skew",
        title="Helm client does not support the target",
        what="A local helm binary whose minor release does not support the target or a hop "
        "(Helm 3 and 4 support the Kubernetes minor they were built against and the three "
        "before it), by the table in `deprecations/helm-support.yaml`.",
        why="Helm makes no compatibility promise outside its range; an old helm builds "
        "requests from old client libraries and may fail or mis-render against the new API.",
        fix="Install the Helm release the remediation names before upgrading the cluster.",
        source="https://helm.sh/docs/topics/version_skew/",
    ),
    Rule(
        id="release-eol",
        title="Kubernetes minor past or near its end of life",
        what="When the current version is known (a cluster, or `--current`): the target "
        "minor (warning) or the current minor (info) is past, or within 60 days of, its end "
        "of patch support in the knowledge base's release calendar, measured from the "
        "report date.",
        why="An end-of-life minor gets no more patch releases, security fixes included; "
        "upgrading to one means planning the next upgrade at once.",
        fix="Choose a later target, or plan to continue to a supported minor; managed "
        "platforms may publish their own, longer calendars.",
        source="https://kubernetes.io/releases/",
    ),
    Rule(
        id="removed-feature",
        title="Removed or changed behaviour in use",
        what="A removal from the knowledge base (`deprecations/removals.yaml`: dockershim, "
        "PodSecurityPolicy, in-tree volume plugins and cloud providers, seccomp and AppArmor "
        "annotations, gitRepo volumes, kube-proxy modes, removed flags, ...) seen in the "
        "snapshot by its detectors: node runtimes and OS images, objects of a kind, pod "
        "volumes and annotations (pods and pod templates), PersistentVolumes, StorageClass "
        "provisioners, the kube-proxy ConfigMap, control-plane command lines, and request "
        "metrics. One rule id for the family: the message starts with the removal's own id "
        "(`[dockershim]`), and `deprecated_in`/`removed_in` carry its dates. Severity is the "
        "removal's own when it breaks at or before the target (in the hop it breaks in), "
        "info when it breaks later or has no date. Removals detectable only by hand are not "
        "findings: the plan shows them as checklist steps.",
        why="Unlike a removed API, these do not fail at `kubectl apply`: nodes fail to come "
        "up, volumes fail to mount, components refuse to start, or security settings are "
        "silently ignored after the upgrade.",
        fix="Follow the removal's remediation before the hop it breaks in; the link is the "
        "removal's own source.",
        source="https://kubernetes.io/docs/reference/using-api/deprecation-policy/"
        "#deprecating-a-feature-or-behavior",
    ),
    Rule(
        id="pdb-blocks-drain",
        title="PodDisruptionBudget allows no eviction",
        what="A PodDisruptionBudget with pods to protect whose status.disruptionsAllowed is 0, "
        'or whose spec allows no eviction: maxUnavailable 0 or "0%", minAvailable "100%", '
        "or minAvailable at or above the pods it covers (status.expectedPods, else the "
        "replicas of the workloads it selects). A budget covering 0 pods is not one.",
        why="`kubectl drain` and managed node-pool upgrades evict pods through the eviction "
        "API; such a budget refuses every eviction, so node upgrades hang or time out.",
        fix="For the upgrade window raise maxUnavailable to at least 1 (or lower "
        "minAvailable below the replica count), or scale the workload up; restore it after.",
        source="https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
    ),
    Rule(
        id="pdb-matches-nothing",
        title="PodDisruptionBudget selects no pod",
        what="A PodDisruptionBudget whose status counts 0 expected pods, or (without status) "
        "whose selector matches none of the pods collected in its namespace.",
        why="The workload it was written for (often renamed or relabelled) is unprotected "
        "while nodes are drained during the upgrade.",
        fix="Fix the selector to match the workload's pod labels, or delete the budget.",
        source="https://kubernetes.io/docs/tasks/run-application/configure-pdb/"
        "#specifying-a-poddisruptionbudget",
    ),
    Rule(
        id="single-replica",
        title="Workload with one replica",
        what="A Deployment or StatefulSet with spec.replicas 1 (an unset replicas in a file "
        "is left alone: an autoscaler usually sets it).",
        why="When its node is drained for the upgrade the only pod is evicted: the service is "
        "down until the replacement is scheduled and ready.",
        fix="Run at least two replicas with a PodDisruptionBudget for the upgrade, or accept "
        "and announce the downtime.",
        source="https://kubernetes.io/docs/concepts/workloads/pods/disruptions/",
    ),
    Rule(
        id="unmanaged-pod",
        title="Pod with no controller",
        what="Running pods without ownerReferences (mirror pods of static pods excluded), "
        "one finding per namespace.",
        why="`kubectl drain` refuses such pods unless forced, and then deletes them: nothing "
        "recreates them on another node.",
        fix="Run them under a Deployment, StatefulSet or Job, or plan to recreate them after "
        "their node is upgraded.",
        source="https://kubernetes.io/docs/reference/kubectl/generated/kubectl_drain/",
    ),
    Rule(
        id="emptydir-data",
        title="Pods keep data in emptyDir volumes",
        what="Workloads (DaemonSets and static pods excluded: drains skip them) whose pods "
        "mount emptyDir volumes.",
        why="`kubectl drain` refuses to evict them without --delete-emptydir-data, and the "
        "eviction deletes that data.",
        fix="Make sure nothing in those volumes must survive a restart, then drain with "
        "--delete-emptydir-data; keep lasting data on PersistentVolumes.",
        source="https://kubernetes.io/docs/reference/kubectl/generated/kubectl_drain/",
    ),
    Rule(
        id="webhook-failure-policy",
        title="Fail-closed webhook without ready endpoints",
        what="Admission webhooks with failurePolicy Fail (the default in "
        "admissionregistration.k8s.io/v1) whose service has no ready endpoint in the "
        "collected EndpointSlices (or Endpoints): a blocker. When neither kind was collected, "
        "an info finding that says the endpoints were not verified.",
        why="Every request the webhook intercepts is rejected: pods, and the upgrade's own "
        "changes to workloads and system objects, cannot be created.",
        fix="Restore the webhook's backend (pods, service, certificate) before the upgrade, or "
        "delete the configuration of a component that is gone.",
        source="https://kubernetes.io/docs/reference/access-authn-authz/"
        "extensible-admission-controllers/#failure-policy",
    ),
    Rule(
        id="webhook-intercepts-system",
        title="Fail-closed webhook on kube-system or every resource",
        what="Admission webhooks with failurePolicy Fail whose namespaceSelector does not "
        "exclude kube-system (judged against kube-system's labels), or whose rules name every "
        "resource (`*`).",
        why="While the webhook's own pods are being drained or rescheduled during the "
        "upgrade, system and control-plane pods cannot be created or changed: the cluster can "
        "lock itself out.",
        fix="Exclude kube-system with a namespaceSelector on kubernetes.io/metadata.name, "
        "narrow the rules, or use failurePolicy Ignore.",
        source="https://kubernetes.io/docs/reference/access-authn-authz/"
        "extensible-admission-controllers/#avoiding-operating-on-the-kube-system-namespace",
    ),
    Rule(
        id="webhook-timeout",
        title="Webhook timeout above 10 seconds",
        what="Admission webhooks with timeoutSeconds above 10 (the default).",
        why="While the backend is unreachable during the upgrade, every matching request "
        "waits that long; clients and controllers time out first.",
        fix="Lower timeoutSeconds to 10 or less.",
        source="https://kubernetes.io/docs/reference/access-authn-authz/"
        "extensible-admission-controllers/#timeouts",
    ),
    Rule(
        id="apiservice-unavailable",
        title="Aggregated API unavailable",
        what="APIServices whose Available condition is False.",
        why="Discovery is incomplete: namespace deletion and garbage collection stall, and "
        "`helm upgrade` and some kubectl commands fail on the missing group.",
        fix="Repair the backing service, or delete the APIService of a component that is "
        "gone, before the upgrade.",
        source="https://kubernetes.io/docs/concepts/extend-kubernetes/api-extension/"
        "apiserver-aggregation/",
    ),
    Rule(
        id="certificate-expiry",
        title="Certificate expired or expiring soon",
        what="The caBundles of admission webhooks and APIServices, and TLS Secrets (by the "
        "notAfter date the collector records, never the key), that have expired (a blocker "
        "when every certificate of the bundle has) or expire within 30 days of the report "
        "date (a warning).",
        why="An expired CA or serving certificate makes the API server reject the webhook or "
        "aggregated API; an upgrade window is the worst time to find out.",
        fix="Renew the certificates (and update caBundle) before the upgrade window.",
        source="https://kubernetes.io/docs/tasks/tls/managing-tls-in-a-cluster/",
    ),
    Rule(
        id="node-not-ready",
        title="Node not Ready",
        what="Nodes whose Ready condition is not True, one finding per node pool (a warning).",
        why="Their pods cannot be evicted cleanly, node-pool upgrades wait on them, and after "
        "the upgrade they would pass for something the upgrade broke.",
        fix="Repair or remove the nodes before the upgrade.",
        source="https://kubernetes.io/docs/concepts/architecture/nodes/#condition",
    ),
    Rule(
        id="pod-crashloop",
        title="Pods crash-looping or restarting often (baseline)",
        what="Containers waiting in CrashLoopBackOff or restarted 10 or more times, one "
        "finding per controller.",
        why="Recorded before the upgrade so that afterwards it is not mistaken for something "
        "the upgrade broke.",
        fix="Find the cause (kubectl logs --previous), or note it as already broken.",
        source="https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/"
        "#container-restarts",
    ),
    Rule(
        id="pod-oomkilled",
        title="Containers killed for memory (baseline)",
        what="Containers whose last (or current) termination reason is OOMKilled, one finding "
        "per controller.",
        why="Recorded before the upgrade so that afterwards it is not mistaken for something "
        "the upgrade broke; tight limits also fail more often on busier, fewer nodes.",
        fix="Raise the memory limit or fix the leak; note it as already broken.",
        source="https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/",
    ),
    Rule(
        id="pvc-pending",
        title="PersistentVolumeClaim Pending (baseline)",
        what="PersistentVolumeClaims in phase Pending.",
        why="Recorded before the upgrade so that a storage problem after it (for instance a "
        "CSI migration) can be told from one that was already there.",
        fix="Check the provisioner and the storage class (kubectl describe pvc).",
        source="https://kubernetes.io/docs/concepts/storage/persistent-volumes/#binding",
    ),
    Rule(
        id="job-failed",
        title="Failed Jobs (baseline)",
        what="Jobs with a Failed condition, or with failed pods, none succeeded and none "
        "active; one finding per CronJob (or Job).",
        why="Recorded before the upgrade so that afterwards it is not mistaken for something "
        "the upgrade broke.",
        fix="Look at the failed pods' logs; note it as already broken.",
        source="https://kubernetes.io/docs/concepts/workloads/controllers/job/"
        "#handling-pod-and-container-failures",
    ),
    Rule(
        id="image-latest",
        title="Image without a fixed version",
        what="Containers (init containers included) whose image is untagged or tagged "
        ":latest and not pinned by a digest, one finding per workload.",
        why="Pods rescheduled by drains may pull a different image than the one running, "
        "and a rollback cannot bring the old image back.",
        fix="Pin images to a version tag, or better a digest.",
        source="https://kubernetes.io/docs/concepts/containers/images/#image-names",
    ),
    Rule(
        id="no-resource-requests",
        title="Containers without resource requests",
        what="Containers with no resources.requests, one finding per workload.",
        why="When drains move pods onto the remaining nodes the scheduler cannot tell whether "
        "they fit; such pods are evicted first under pressure.",
        fix="Set cpu and memory requests from observed usage.",
        source="https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    ),
    Rule(
        id="no-readiness-probe",
        title="Serving containers without a readiness probe",
        what="Containers of Deployments, StatefulSets and DaemonSets that declare ports but "
        "no readinessProbe (containers without ports, such as workers, are left alone).",
        why="Traffic reaches pods before they can serve, and a rollout reports a broken "
        "version as ready, so a bad change is not caught in time to roll back.",
        fix="Add a readinessProbe that checks the container can serve.",
        source="https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/",
    ),
)

RULES_BY_ID = {r.id: r for r in RULES}


def rules_markdown() -> str:
    """`docs/rules.md`: every rule's documentation, generated from RULES."""
    lines = [
        "# Rules",
        "",
        "Generated by `upgradecheck rules --markdown` from `upgradecheck/checks/rules.py`; "
        "a test keeps this file in step with the code.",
        "",
        "| rule | title |",
        "|---|---|",
    ]
    lines += [f"| [`{r.id}`](#{r.id}) | {r.title} |" for r in RULES]
    for r in RULES:
        lines += [
            "",
            f"## {r.id}",
            "",
            f"**{r.title}.** {r.what}",
            "",
            f"- Why it matters: {r.why}",
            f"- How to fix: {r.fix}",
            f"- Source: <{r.source}>",
        ]
    return "\n".join(lines) + "\n"
