"""Which version to migrate an object to: the replacement still served at the target, and,
where that one is not yet served when the migration must happen, a version that bridges."""

from __future__ import annotations

from dataclasses import dataclass

from upgradecheck.checks.interface import CheckContext
from upgradecheck.knowledge.model import ApiLifecycle
from upgradecheck.versions import Minor


@dataclass(frozen=True)
class Migration:
    """Where to move an object, and, if needed, a first step."""

    target: str | None
    """The apiVersion still served at the target (None: no replacement exists)."""
    bridge: str | None = None
    """A version to move to first, because `target` is not served yet when the move is due."""
    target_from: Minor | None = None
    """The release that first serves `target`, when a bridge is needed."""
    since: Minor | None = None
    """The release that first serves `target`, where the data says (bridge or not)."""


def _served(entry: ApiLifecycle, release: Minor) -> bool:
    if entry.introduced_in is not None and entry.introduced_in > release:
        return False
    return entry.removed_in is None or entry.removed_in > release


def _siblings(ctx: CheckContext, group: str, kind: str) -> list[ApiLifecycle]:
    return [a for a in ctx.kb.apis if a.group == group and a.kind == kind and not a.list_kind]


def plan_migration(entry: ApiLifecycle, ctx: CheckContext) -> Migration:
    """Follow the replacement chain past versions the target no longer serves; then make sure
    the result is served when the move is due (the release before the removal hop)."""
    current, seen = entry, {entry.api_version}
    while current.replacement is not None:
        kind = current.replacement_kind or current.kind
        nxt = ctx.kb.api(current.replacement, kind)
        if nxt is None or nxt.removed_in is None or nxt.removed_in > ctx.target:
            break
        if nxt.api_version in seen:
            break
        seen.add(nxt.api_version)
        current = nxt
    final = current.replacement
    if final is None:
        return Migration(None)
    final_kind = current.replacement_kind or current.kind
    since = ctx.kb.served_from(final, final_kind)
    final_entry = ctx.kb.api(final, final_kind)
    if entry.removed_in is None or final_entry is None or final_entry.introduced_in is None:
        return Migration(final, since=since)
    due = entry.removed_in.previous()
    if ctx.current is not None and ctx.current > due:
        due = ctx.current
    if final_entry.introduced_in <= due:
        return Migration(final, since=since)
    group = final.rpartition("/")[0]
    bridges = [
        a
        for a in _siblings(ctx, group, final_kind)
        if a.api_version not in seen and _served(a, due) and _served(a, entry.removed_in)
    ]
    if not bridges:
        return Migration(final, None, final_entry.introduced_in, since)
    bridge = max(bridges, key=lambda a: a.removed_in or Minor(99, 0))
    return Migration(final, bridge.api_version, final_entry.introduced_in, since)


def migration_text(entry: ApiLifecycle, migration: Migration, hop: Minor | None) -> str:
    """The sentence telling what to move to (and in which order)."""
    if migration.target is None:
        return "There is no direct replacement."
    kind = entry.replacement_kind if entry.replacement_kind not in (None, entry.kind) else None
    target = f"{migration.target} {kind}" if kind else migration.target
    if migration.bridge is not None:
        before = f" before the {hop} hop" if hop else ""
        return (
            f"Move to {migration.bridge}{before} ({migration.target} is served only from "
            f"{migration.target_from}), then to {target}."
        )
    if migration.target_from is not None:
        return (
            f"Move to {target}; it is served only from {migration.target_from}, so apply the "
            "change together with that upgrade."
        )
    return f"Move to {target}."
