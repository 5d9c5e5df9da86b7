"""The fix phases: one step per distinct fix of the blockers (and warnings), each with the
hop it must be done before. A rule's own step wording comes from its declaration."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from upgradecheck.checks.addon_apis import ADDON_API_DEPRECATED, ADDON_API_REMOVED
from upgradecheck.checks.helm_releases import HELM_RELEASE_REMOVED_API
from upgradecheck.checks.rule import Rule
from upgradecheck.checks.rules import RULES_BY_ID
from upgradecheck.model import Finding, Report
from upgradecheck.plan.common import api_of, count, due_hop, worst
from upgradecheck.plan.model import Step
from upgradecheck.versions import minor_key

# kubectl convert knows built-in kinds only; an add-on's upgrade guide gives its converter.
_ADDON_RULES = frozenset({ADDON_API_REMOVED.id, ADDON_API_DEPRECATED.id})

_FixKey = tuple[tuple[int, int], str, str, str, str, str]
# Distinct fixes of one rule (due before one hop) given a step each before they are counted
# in one step instead.
MAX_REMEDIES = 10


def _rule(finding: Finding) -> Rule | None:
    return RULES_BY_ID.get(finding.rule)


def _about_api(finding: Finding) -> bool:
    rule = _rule(finding)
    return rule is not None and rule.about_api


def _fix_key(finding: Finding, hops: Sequence[str]) -> _FixKey:
    due = due_hop(finding.hop, hops)
    if not _about_api(finding):
        return (minor_key(due), due or "", finding.rule, "", "", "")
    kind = finding.object.kind if finding.object is not None else ""
    return (
        minor_key(due),
        due or "",
        finding.rule,
        api_of(finding) or "",
        kind,
        finding.replacement or "",
    )


def _split_by_remedy(groups: dict[_FixKey, list[Finding]]) -> dict[_FixKey, list[Finding]]:
    """A rule with no step wording of its own whose findings give different fixes (the
    removals under `removed-feature`: dockershim, cgroup v1, ...) gets one step per fix,
    worded by it, when there are at most MAX_REMEDIES of them; beyond that one step counts
    them (each finding keeps its own fix in the report)."""
    out: dict[_FixKey, list[Finding]] = {}
    for key, members in groups.items():
        rule = _rule(members[0])
        remedies = {f.remediation for f in members}
        if _about_api(members[0]) or (rule is not None and rule.plan_step is not None) or not (
            1 < len(remedies) <= MAX_REMEDIES
        ):
            out[key] = members
            continue
        for finding in members:
            out.setdefault((*key[:5], finding.remediation), []).append(finding)
    return out


def fix_steps(findings: Sequence[Finding], report: Report) -> tuple[Step, ...]:
    """One step per distinct fix, in hop order: findings grouped by hop, rule and API (or
    fix, for rules whose findings each name their own)."""
    groups: dict[_FixKey, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(_fix_key(finding, report.hops), []).append(finding)
    groups = _split_by_remedy(groups)
    steps = []
    for key in sorted(groups):
        members = tuple(groups[key])
        text, command = _fix_text(members)
        steps.append(Step(text, command, members, worst(members), key[1] or None))
    return tuple(steps)


def _fix_text(findings: Sequence[Finding]) -> tuple[str, str | None]:
    """What to do about a group of findings of one rule (and one API), and the command."""
    first = findings[0]
    if _about_api(first):
        return _api_fix(findings)
    rule = _rule(first)
    if rule is not None and rule.plan_step is not None:
        return rule.plan_step(findings)
    remedies = {f.remediation for f in findings}
    if len(remedies) == 1:
        return first.remediation, None
    return f"Resolve {count(len(findings), f'{first.rule} finding')}.", None


def _api_fix(findings: Sequence[Finding]) -> tuple[str, str | None]:
    first = findings[0]
    api = api_of(first) or "an old API"
    to = first.replacement
    if to and first.replacement_kind:
        to = f"{to} {first.replacement_kind}"
    since = f" (served since {first.replacement_since})" if first.replacement_since else ""
    if first.addon is not None and first.addon.replacement_since:
        since = f" (served since {first.addon.name} {first.addon.replacement_since})"
    if first.object is None:
        clients = count(len(findings), "request series", "request series")
        target = f" to {to}" if to else ""
        return (
            f"Find the clients that still request {api} ({clients} seen by the API server) "
            f"and move them{target}.",
            "kubectl get --raw /metrics | grep apiserver_requested_deprecated_apis",
        )
    objects = count(len(findings), f"{first.object.kind} object")
    if first.rule == HELM_RELEASE_REMOVED_API.id:
        releases = sorted({f.subject or "" for f in findings} - {""})
        names = count(len(releases), "Helm release") if releases else "the Helm releases"
        return (
            f"Upgrade {names} that deployed {objects} in {api} to chart versions that use "
            f"{to + since if to else 'a served API'}.",
            _mapkubeapis(releases),
        )
    if to is None:
        return f"Remove or replace {objects} in {api} (it has no replacement API).", None
    if first.config is not None:
        return _config_fix(findings, api, to or "")
    if first.rule in _ADDON_RULES:
        return (
            f"Migrate {objects} from {api} to {to}{since} (see the add-on's upgrade guide).",
            None,
        )
    return (
        f"Migrate {objects} from {api} to {to}{since}.",
        f"kubectl convert -f FILE --output-version {first.replacement}  # the kubectl-convert "
        "plugin",
    )


def _config_fix(findings: Sequence[Finding], api: str, to: str) -> tuple[str, None]:
    """A file a component reads (or a format it writes) is edited where it is kept, not
    converted through the API server: `kubectl convert` does not know these kinds."""
    first = findings[0]
    config = first.config
    assert config is not None and first.object is not None
    flags = " / ".join(config.flags)
    if config.use == "reads":
        files = count(len(findings), f"{first.object.kind} file")
        return (
            f"Change the apiVersion of {files} that {config.component} reads through {flags} "
            f"from {api} to {to}, and roll it out to every control-plane node before the "
            "upgrade.",
            None,
        )
    return (
        f"Remove the {flags} flags that ask {config.component} for {api}, and check that "
        f"whatever reads its output accepts {to}.",
        None,
    )


def _mapkubeapis(releases: Sequence[str]) -> str:
    if len(releases) == 1:
        namespace, _, name = releases[0].removeprefix("helm release ").partition("/")
        if name:
            return f"helm mapkubeapis {shlex.quote(name)} --namespace {shlex.quote(namespace)}"
    return "helm mapkubeapis RELEASE --namespace NAMESPACE"
