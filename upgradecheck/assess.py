"""assess: run every check of every hop against a snapshot and return the Report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from upgradecheck import __version__
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.registry import all_checks
from upgradecheck.gcpause import gc_paused
from upgradecheck.inventory import addon_versions
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import CoverageNote, Finding, Report, Snapshot, verdict_of
from upgradecheck.suppress import ExceptionsConfig, apply_exceptions
from upgradecheck.versions import Minor, VersionError, hops, minor_key, parse_minor


class AssessError(Exception):
    """The assessment cannot be made as asked (exit code 2): e.g. a target older than now."""


def current_version(snapshot: Snapshot, given: str | None) -> Minor | None:
    """The current minor: as given, else the snapshot's API server, else unknown."""
    if given:
        return parse_minor(given)
    if snapshot.cluster is not None:
        try:
            return parse_minor(snapshot.cluster.server_version)
        except VersionError as exc:
            raise AssessError(f"the snapshot's server version is unreadable: {exc}") from None
    return None


def target_version(kb: KnowledgeBase, current: Minor | None, given: str | None) -> Minor:
    """The target minor: as given, else the next minor after current, else the newest known."""
    if given:
        target = parse_minor(given)
    elif current is not None:
        target = current.next()
    else:
        target = kb.newest_release
    newest = kb.newest_release
    if target > newest:
        raise AssessError(
            f"target {target} is newer than the newest release the knowledge base knows "
            f"({newest}); upgrade upgradecheck or choose --target {newest} or older"
        )
    if current is not None and target < current:
        raise AssessError(f"target {target} is older than the current version {current}")
    return target


def _sort_key(f: Finding) -> tuple[int, tuple[int, int], str, str, str, str]:
    hop = minor_key(f.hop) if f.hop else (0, 0)
    obj = f.object
    return (
        -f.severity.rank,
        hop,
        f.rule,
        obj.namespace or "" if obj else "",
        obj.name if obj else f.subject or "",
        obj.api_version if obj else "",
    )


def run_check(check: Check, ctx: CheckContext, findings: list[Finding]) -> CoverageNote | None:
    """Run one check, adding its findings to `findings`. A check that raises has a bug the
    snapshot revealed: what it found until then is kept, and it becomes a coverage gap that
    names it (so the verdict cannot be `ready`), while every other check still runs and the
    report is still written."""
    try:
        findings.extend(check.run(ctx))
    except Exception as exc:  # any bug of one check must not end the run
        rules = ", ".join(rule.id for rule in check.rules)
        problem = " ".join(f"{type(exc).__name__}: {exc}".split())
        problem = problem if len(problem) <= 200 else problem[:199] + "…"
        return CoverageNote(
            f"check {type(check).__name__}",
            f"stopped on an unexpected error ({problem}); the rules {rules} were not fully "
            "judged. Please report this as an upgradecheck bug.",
            "gap",
        )
    return None


def assess(
    snapshot: Snapshot,
    kb: KnowledgeBase,
    *,
    target: str | None = None,
    current: str | None = None,
    checks: Sequence[Check] | None = None,
    now: dt.datetime | None = None,
    exceptions: ExceptionsConfig | None = None,
) -> Report:
    """Assess `snapshot` for an upgrade to `target` (versions as users write them).

    Findings that `exceptions` cover move to `Report.suppressed`, out of the verdict.
    """
    cur = current_version(snapshot, current)
    tgt = target_version(kb, cur, target)
    path = hops(cur, tgt) if cur is not None else (tgt,)
    when = now or dt.datetime.now(dt.UTC)
    ctx = CheckContext(
        snapshot=snapshot, kb=kb, target=tgt, current=cur, hops=path, today=when.date()
    )
    findings: list[Finding] = []
    failed: list[CoverageNote] = []
    with gc_paused():
        for check in checks or all_checks():
            note = run_check(check, ctx, findings)
            if note is not None:
                failed.append(note)
    findings.sort(key=_sort_key)
    applied = apply_exceptions(
        findings, exceptions or ExceptionsConfig(""), snapshot, when.date()
    )
    unjudged = tuple(dict.fromkeys(ctx.unjudged))  # several hops or checks may note one value
    coverage = snapshot.coverage + unjudged + tuple(failed) + applied.notes
    return Report(
        target_version=str(tgt),
        current_version=str(cur) if cur is not None else None,
        hops=tuple(str(h) for h in path),
        verdict=verdict_of((f.severity for f in applied.findings), coverage),
        findings=applied.findings,
        coverage=coverage,
        source=snapshot.source,
        generated_at=when.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        tool_version=__version__,
        cluster=snapshot.cluster,
        nodes=snapshot.nodes,
        clients=snapshot.clients,
        stats=snapshot.stats,
        knowledge_version=kb.version,
        addons=addon_versions(snapshot),
        suppressed=applied.suppressed,
    )
