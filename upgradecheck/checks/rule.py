"""A rule: the stable id findings are raised under, what it means, and the one function that
builds its findings. Each check module declares the rules it raises beside its code."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from upgradecheck.checks.evidence import EVIDENCE_CAP, capped
from upgradecheck.model import AddonLifecycle, ConfigUse, Evidence, Finding, ObjectRef, Severity
from upgradecheck.versions import Minor

RULES_DOC = "docs/rules.md"
"""The generated page documenting every rule, one section (and anchor) per rule id."""

StepWriter = Callable[[Sequence[Finding]], tuple[str, str | None]]
"""How the upgrade plan words the one step that fixes a group of a rule's findings (same rule,
due before the same hop): the step's text and a command to run, if there is one."""


@dataclass(frozen=True)
class Rule:
    """A stable rule id, its documentation, and how its findings are raised."""

    id: str
    """The stable kebab-case id used in reports and exception files."""
    title: str
    """A short title (SARIF's shortDescription)."""
    what: str
    """What the rule detects."""
    why: str
    """Why it breaks (or endangers) an upgrade."""
    fix: str
    """How to fix it."""
    source: str
    """The official source behind the rule: the link its findings carry unless the check
    names a more specific one."""
    severity: Severity
    """The severity its findings have unless the check weighs the case otherwise (SARIF's
    defaultConfiguration.level)."""
    about_api: bool = False
    """Its findings name an API (group/version) that objects are written in: the plan gives
    one fix per API, kind and replacement, worded for APIs."""
    plan_step: StepWriter | None = None
    """The plan's wording of the step that fixes a group of its findings; None: the plan
    uses the findings' own remediation."""

    @property
    def doc_anchor(self) -> str:
        """The rule's section of the rules page: `docs/rules.md#api-removed`."""
        return f"{RULES_DOC}#{self.id}"

    @property
    def help_uri(self) -> str:
        """An absolute address that explains the rule: its official source (the rules page
        has no published address of its own)."""
        return self.source

    def finding(
        self,
        message: str,
        remediation: str,
        *,
        severity: Severity | None = None,
        obj: ObjectRef | None = None,
        subject: str | None = None,
        hop: Minor | None = None,
        evidence: Iterable[Evidence] = (),
        link: str | None = None,
        replacement: str | None = None,
        deprecated_in: Minor | None = None,
        removed_in: Minor | None = None,
        replacement_since: Minor | None = None,
        data_source: str | None = None,
        evidence_cap: int | None = EVIDENCE_CAP,
        replacement_kind: str | None = None,
        addon: AddonLifecycle | None = None,
        config: ConfigUse | None = None,
    ) -> Finding:
        """A finding of this rule, at the rule's severity unless another is given, linked to
        the rule's source unless another link is given, with at most `evidence_cap` pieces of
        evidence (None keeps all: API findings list every observation of one object)."""
        return Finding(
            rule=self.id,
            severity=self.severity if severity is None else severity,
            message=message,
            remediation=remediation,
            hop=_text(hop),
            object=obj,
            evidence=tuple(evidence) if evidence_cap is None else capped(evidence, evidence_cap),
            link=link or self.source,
            replacement=replacement,
            deprecated_in=_text(deprecated_in),
            removed_in=_text(removed_in),
            subject=subject,
            replacement_since=_text(replacement_since),
            data_source=data_source or None,
            replacement_kind=replacement_kind,
            addon=addon,
            config=config,
        )


def _text(version: Minor | None) -> str | None:
    return str(version) if version is not None else None
