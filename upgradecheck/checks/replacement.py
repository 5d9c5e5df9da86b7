"""Which version to migrate an object to: the replacement served at the target (a step on the
way when the final replacement is not served there yet), and, where that one is not yet
served when the migration must happen, a version that bridges."""

from __future__ import annotations

from dataclasses import dataclass

from upgradecheck.checks.interface import CheckContext
from upgradecheck.knowledge.model import ApiLifecycle
from upgradecheck.versions import Minor

_NEVER = Minor(99, 0)
_STABILITY = {"alpha": 0, "beta": 1, "ga": 2}


@dataclass(frozen=True)
class Migration:
    """Where to move an object, and, if needed, the steps on the way."""

    target: str | None
    """The apiVersion to move to, served at the target (None: no replacement exists)."""
    bridges: tuple[tuple[str, Minor], ...] = ()
    """Versions to move to first, each with the release before which the move is due,
    because `target` is not served yet when the version before goes."""
    target_from: Minor | None = None
    """The release that first serves `target`, when that is after the move is due."""
    since: Minor | None = None
    """The release that first serves `target`, where the data says (bridged or not)."""
    kind: str | None = None
    """The kind at `target` when it is not the object's kind (a ResourceClass becomes a
    DeviceClass)."""
    final: str | None = None
    """The replacement the data names, when the target release does not serve it yet and
    `target` is a step towards it."""
    final_from: Minor | None = None
    """The release that first serves `final`."""


def _served(entry: ApiLifecycle, release: Minor) -> bool:
    if entry.introduced_in is not None and entry.introduced_in > release:
        return False
    return entry.removed_in is None or entry.removed_in > release


def _siblings(ctx: CheckContext, group: str, kind: str) -> list[ApiLifecycle]:
    return [a for a in ctx.kb.apis if a.group == group and a.kind == kind and not a.list_kind]


def _lasting(entry: ApiLifecycle) -> tuple[Minor, int]:
    """Order of preference among versions served at once: served longest, then most stable."""
    return (entry.removed_in or _NEVER, _STABILITY.get(entry.stability, 0))


def _final(entry: ApiLifecycle, ctx: CheckContext) -> tuple[str | None, str, set[str]]:
    """The replacement at the end of the chain (past versions the target no longer serves),
    its kind, and the versions passed on the way."""
    current, seen = entry, {entry.api_version}
    while current.replacement is not None:
        nxt = ctx.kb.api(current.replacement, current.replacement_kind or current.kind)
        if nxt is None or nxt.removed_in is None or nxt.removed_in > ctx.target:
            break
        if nxt.api_version in seen:
            break
        seen.add(nxt.api_version)
        current = nxt
    return current.replacement, current.replacement_kind or current.kind, seen


def plan_migration(entry: ApiLifecycle, ctx: CheckContext) -> Migration:
    """Follow the replacement chain past versions the target no longer serves; step back to
    the version the target serves when the final one comes later; then, while the result is
    not served yet when a move is due (the release before a removal hop), bridge."""
    final, kind, seen = _final(entry, ctx)
    if final is None:
        return Migration(None)
    renamed = kind if kind != entry.kind else None
    group = final.rpartition("/")[0]
    siblings = _siblings(ctx, group, kind)
    target, since = final, ctx.kb.served_from(final, kind)
    later: str | None = None
    later_from: Minor | None = None
    if since is not None and since > ctx.target:
        # Named, but not served at the target yet: what is written must be served there.
        steps = [
            a
            for a in siblings
            if a.api_version not in seen and a.api_version != final and _served(a, ctx.target)
        ]
        if steps:
            step = max(steps, key=_lasting)
            later, later_from = final, since
            target, since = step.api_version, step.introduced_in
    if entry.removed_in is None or since is None:
        return Migration(target, since=since, kind=renamed, final=later, final_from=later_from)
    used = {entry.api_version, target, later}
    bridges: list[tuple[str, Minor]] = []
    removed: Minor | None = entry.removed_in
    target_from = None
    while removed is not None and since > _due(removed, ctx):
        target_from = since
        held = [
            a
            for a in siblings
            if a.api_version not in used
            and _served(a, _due(removed, ctx))
            and _served(a, removed)
        ]
        if not held:
            break
        bridge = max(held, key=_lasting)
        bridges.append((bridge.api_version, removed))
        used.add(bridge.api_version)
        removed = bridge.removed_in
    return Migration(target, tuple(bridges), target_from, since, renamed, later, later_from)


def _due(removed: Minor, ctx: CheckContext) -> Minor:
    """When a move away from a version removed in `removed` is due: the release before,
    or now when the cluster is already past it."""
    due = removed.previous()
    return ctx.current if ctx.current is not None and ctx.current > due else due


def migration_text(entry: ApiLifecycle, migration: Migration, hop: Minor | None) -> str:
    """The sentence telling what to move to (and in which order)."""
    if migration.target is None:
        return "There is no direct replacement."
    target = f"{migration.target} {migration.kind}" if migration.kind else migration.target
    if migration.bridges:
        moves = [
            f"{version} before the {hop if i == 0 and hop else removed} hop"
            for i, (version, removed) in enumerate(migration.bridges)
        ]
        text = (
            f"Move to {', then to '.join(moves)} ({migration.target} is served only from "
            f"{migration.target_from}), then to {target}."
        )
    elif migration.target_from is not None:
        text = (
            f"Move to {target}; it is served only from {migration.target_from}, so apply the "
            "change together with that upgrade."
        )
    else:
        text = f"Move to {target}."
    if migration.final is not None:
        text += (
            f" {migration.final} is the lasting replacement, served only from "
            f"{migration.final_from}: move on to it after upgrading that far."
        )
    return text
