"""Selections of the knowledge base for `upgradecheck kb`: pure filters, no printing."""

from __future__ import annotations

from upgradecheck.knowledge.model import AddonApi, ApiLifecycle, KnowledgeBase, Removal
from upgradecheck.versions import Minor


def apis(
    kb: KnowledgeBase,
    *,
    removed_by: Minor | None = None,
    deprecated_by: Minor | None = None,
    group: str | None = None,
    include_lists: bool = False,
) -> list[ApiLifecycle]:
    """Built-in APIs, optionally only those removed (or deprecated) at or before a release."""
    out = []
    for a in kb.apis:
        if a.list_kind and not include_lists:
            continue
        if group is not None and a.group != group:
            continue
        if removed_by is not None and (a.removed_in is None or a.removed_in > removed_by):
            continue
        if deprecated_by is not None and (
            a.deprecated_in is None or a.deprecated_in > deprecated_by
        ):
            continue
        out.append(a)
    return sorted(out, key=lambda a: (a.removed_in or Minor(99, 0), a.group, a.version, a.kind))


def addon_apis(kb: KnowledgeBase, addon: str | None = None) -> list[AddonApi]:
    """Third-party CRD APIs, optionally of one add-on."""
    return [a for a in kb.addon_apis if addon is None or a.addon == addon]


def removals(kb: KnowledgeBase, by: Minor | None = None) -> list[Removal]:
    """Non-API removals, optionally only those that break at or before a release."""
    return [r for r in kb.removals if by is None or (r.breaks_in is not None and r.breaks_in <= by)]
