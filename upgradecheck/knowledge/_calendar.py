"""The version skew policy (`skew-policy.yaml`) and the release calendar (`releases.yaml`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from upgradecheck.knowledge._fields import (
    Where,
    as_list,
    as_mapping,
    check_keys,
    check_order,
    get_bool,
    get_date,
    get_int,
    get_minor,
    get_str,
    get_str_list,
    get_url,
    parse_minor_text,
)
from upgradecheck.knowledge.model import Release, SkewRule
from upgradecheck.versions import Minor, VersionError, parse_patch

SKEW_SCHEMA = "upgradecheck.kb.skew/v1"
RELEASES_SCHEMA = "upgradecheck.kb.releases/v1"

COMPONENTS = (
    "kube-apiserver", "kube-controller-manager", "kube-scheduler", "cloud-controller-manager",
    "kubelet", "kube-proxy", "kubectl",
)  # fmt: skip
RELATIVE_TO = ("kube-apiserver", "kubelet")
RULE_KEYS = (
    "component", "relative_to", "max_older", "max_newer", "component_from", "component_until",
    "note", "source",
)  # fmt: skip
RELEASE_KEYS = ("minor", "released", "maintenance_mode", "end_of_life", "latest_patch", "source")


def one_of(data: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: Where) -> str:
    """A string from a fixed set."""
    value = get_str(data, key, where)
    if value not in allowed:
        raise where.error(f"{key} {value!r} is not one of {', '.join(allowed)}")
    return value


def parse_rule(data: Mapping[str, Any], where: Where) -> SkewRule:
    """One skew rule."""
    where = where.labelled(f"{data.get('component')} vs {data.get('relative_to')}")
    check_keys(data, RULE_KEYS, (), where)
    start = get_minor(data, "component_from", where)
    until = get_minor(data, "component_until", where)
    check_order(start, until, ("component_from", "component_until"), where, strict=True)
    return SkewRule(
        component=one_of(data, "component", COMPONENTS, where),
        relative_to=one_of(data, "relative_to", RELATIVE_TO, where),
        max_older=get_int(data, "max_older", where),
        max_newer=get_int(data, "max_newer", where),
        component_from=start,
        component_until=until,
        source=get_url(data, "source", where),
        note=get_str(data, "note", where),
    )


def check_rule_overlaps(rules: list[tuple[SkewRule, Where]]) -> None:
    """Two rules for the same pair must cover disjoint component-version ranges."""
    for i, (rule, where) in enumerate(rules):
        for other, _ in rules[:i]:
            if (rule.component, rule.relative_to) != (other.component, other.relative_to):
                continue
            lo = max(_low(rule), _low(other))
            hi = min(_high(rule), _high(other))
            if lo < hi:
                raise where.error("its component-version range overlaps another rule's")


def _low(rule: SkewRule) -> tuple[int, int]:
    """The start of a rule's range as a tuple (unbounded: the lowest)."""
    v = rule.component_from
    return (-1, -1) if v is None else (v.major, v.minor)


def _high(rule: SkewRule) -> tuple[int, int]:
    """The end of a rule's range as a tuple (unbounded: the highest)."""
    v = rule.component_until
    return (10**9, 10**9) if v is None else (v.major, v.minor)


def parse_order(document: Mapping[str, Any], where: Where) -> tuple[tuple[str, ...], ...]:
    """The upgrade order: steps of components, each component in one step only."""
    place = where.at("upgrade_order")
    steps: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for i, item in enumerate(as_list(document.get("upgrade_order"), place, "upgrade_order")):
        data = as_mapping(item, place.at(i))
        check_keys(data, ("components", "note", "source"), (), place.at(i))
        components = get_str_list(data, "components", place.at(i), empty_ok=False)
        for c in components:
            if c not in COMPONENTS or c in seen:
                raise place.at(i).error(f"component {c!r} is unknown or already in an earlier step")
            seen.add(c)
        get_str(data, "note", place.at(i))
        get_url(data, "source", place.at(i))
        steps.append(components)
    if not steps or steps[0] != ("kube-apiserver",):
        raise place.error("the first step must be kube-apiserver alone")
    return tuple(steps)


def check_one_minor(document: Mapping[str, Any], where: Where) -> None:
    """The rule that the control plane upgrades one minor at a time."""
    place = where.at("control_plane_one_minor_at_a_time")
    data = as_mapping(document.get("control_plane_one_minor_at_a_time"), place)
    check_keys(data, ("required", "note", "source"), (), place)
    if not get_bool(data, "required", place):
        raise place.error("the policy requires one minor at a time; required must be true")
    get_str(data, "note", place)
    get_url(data, "source", place)


def build_skew(
    document: Mapping[str, Any], where: Where
) -> tuple[tuple[SkewRule, ...], tuple[tuple[str, ...], ...]]:
    """The skew rules and the upgrade order."""
    check_keys(
        document,
        ("schema", "rules", "upgrade_order", "control_plane_one_minor_at_a_time"),
        (),
        where,
    )
    place = where.at("rules")
    rules: list[tuple[SkewRule, Where]] = []
    for i, item in enumerate(as_list(document.get("rules"), place, "rules")):
        rule = parse_rule(as_mapping(item, place.at(i)), place.at(i))
        rules.append((rule, place.at(i, f"{rule.component} vs {rule.relative_to}")))
    check_rule_overlaps(rules)
    order = parse_order(document, where)
    check_one_minor(document, where)
    return tuple(rule for rule, _ in rules), order


def parse_release(data: Mapping[str, Any], where: Where) -> Release:
    """One release of the calendar."""
    where = where.labelled(str(data.get("minor")))
    check_keys(data, RELEASE_KEYS, ("note",), where)
    minor = parse_minor_text(data.get("minor"), "minor", where)
    released = get_date(data, "released", where)
    if released is None:
        raise where.error("released is required")
    maintenance = get_date(data, "maintenance_mode", where)
    end = get_date(data, "end_of_life", where)
    check_order(released, maintenance, ("released", "maintenance_mode"), where, strict=True)
    check_order(maintenance, end, ("maintenance_mode", "end_of_life"), where, strict=True)
    check_order(released, end, ("released", "end_of_life"), where, strict=True)
    if "note" in data:
        get_str(data, "note", where)
    return Release(
        minor=minor,
        released=released,
        end_of_life=end,
        maintenance_mode=maintenance,
        latest_patch=latest_patch(data, minor, where),
        source=get_url(data, "source", where),
    )


def latest_patch(data: Mapping[str, Any], minor: Minor, where: Where) -> str | None:
    """The newest known patch, which must belong to the entry's minor."""
    if data.get("latest_patch") is None:
        return None
    text = get_str(data, "latest_patch", where)
    try:
        patch_minor, patch = parse_patch(text)
    except VersionError:
        raise where.error(f"latest_patch {text!r} is not a version") from None
    if patch_minor != minor or patch is None:
        raise where.error(f"latest_patch {text!r} is not a patch of {minor}")
    return text


def build_releases(document: Mapping[str, Any], where: Where) -> tuple[Release, ...]:
    """The calendar, strictly ordered by minor, without gaps or repeats."""
    check_keys(document, ("schema", "releases"), (), where)
    place = where.at("releases")
    releases: list[Release] = []
    for i, item in enumerate(as_list(document.get("releases"), place, "releases")):
        release = parse_release(as_mapping(item, place.at(i)), place.at(i))
        if releases and release.minor != releases[-1].minor.next():
            raise (
                place.at(i)
                .labelled(str(release.minor))
                .error(
                    f"releases must be consecutive and sorted: {release.minor} follows "
                    f"{releases[-1].minor}"
                )
            )
        releases.append(release)
    if not releases:
        raise place.error("the calendar is empty")
    return tuple(releases)
