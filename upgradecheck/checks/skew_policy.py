"""Reading the version skew policy of the knowledge base: which rule governs a component at
a version, whether two versions are within it, and component versions from image tags."""

from __future__ import annotations

from upgradecheck.checks.interface import CheckContext
from upgradecheck.knowledge.model import KnowledgeBase, SkewRule
from upgradecheck.versions import Minor, minor_or_none

SKEW_POLICY = "https://kubernetes.io/releases/version-skew-policy/"


def image_tag(image: str) -> str | None:
    """The tag of an image (`v1.29.4` of `registry.k8s.io/kube-proxy:v1.29.4@sha256:...`), if
    it has one."""
    name = image.split("@", 1)[0]
    _, sep, tag = name.rpartition(":")
    if not sep or "/" in tag:  # `host:port/name` with no tag
        return None
    return tag


def judged_minor(ctx: CheckContext, value: str | None, subject: str, what: str) -> Minor | None:
    """The minor release of a version read from the snapshot (`what` of `subject`: a node's
    kubelet version, an image tag), when the skew policy can judge it against the control
    plane. A value that cannot be judged, not a version or of another major than the
    cluster's (a kube-proxy image tagged 5.24.0), is noted as a coverage gap of `subject`
    and read as None; an absent one (None, empty) is just None."""
    if not value:
        return None
    version = minor_or_none(value)
    if version is not None and version.major == ctx.target.major:
        return version
    ctx.cannot_judge(subject, not_judged(ctx, what, value))
    return None


def not_judged(ctx: CheckContext, what: str, value: str) -> str:
    """Why `value` (`what`: `kubelet version`) is not judged, for a coverage gap."""
    return (
        f"{what}: {shortened(value)!r} is not a Kubernetes {ctx.target.major}.x version, so it "
        "is not judged against the version skew policy"
    )


def shortened(text: str, limit: int = 100) -> str:
    """`text`, cut to `limit` characters: values read from objects can be of any length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def governing(
    kb: KnowledgeBase, component: str, relative_to: str, version: Minor
) -> SkewRule | None:
    """The rule for `component` at `version` measured against `relative_to`, if the policy
    has one."""
    for rule in kb.skew_rules:
        pair = (rule.component, rule.relative_to) == (component, relative_to)
        if pair and rule.applies_to(version):
            return rule
    return None


def within(rule: SkewRule, version: Minor, reference: Minor) -> bool:
    """Whether a component at `version` is within `rule` of `reference`."""
    distance = version.minus(reference)
    return -rule.max_older <= distance <= rule.max_newer


def oldest_allowed(
    kb: KnowledgeBase, component: str, relative_to: str, reference: Minor, start: Minor
) -> Minor | None:
    """The oldest version from `start` up to `reference` that the policy allows against
    `reference` (rules change with the component's version: n-2 before 1.25, n-3 after)."""
    version = start
    while version <= reference:
        rule = governing(kb, component, relative_to, version)
        if rule is not None and within(rule, version, reference):
            return version
        version = version.next()
    return None


def allowance(rule: SkewRule) -> str:
    """`up to 2 minors older and never newer`, in words."""
    older = f"up to {rule.max_older} minor{'s' if rule.max_older != 1 else ''} older"
    if rule.max_newer == 0:
        return f"{older} and never newer"
    return f"{older} or {rule.max_newer} newer"
