"""Built-in API lifecycles: the generated file, the hand-kept overlay, and the merge.

An overlay entry whose group/version/kind matches a generated entry overrides the fields
it gives; any other overlay entry is added and must give every field. Replacements must
point at a known group/version/kind: an entry of the merged list or a GA target listed
by either file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from upgradecheck.knowledge._fields import (
    KnowledgeError,
    Where,
    as_list,
    as_mapping,
    check_keys,
    check_order,
    get_bool,
    get_minor,
    get_str,
    get_str_list,
    get_url,
)
from upgradecheck.knowledge.model import ApiLifecycle
from upgradecheck.model import CONFIG_USES, ConfigUse
from upgradecheck.versions import Minor

APIS_SCHEMA = "upgradecheck.kb.apis/v1"
OVERLAY_SCHEMA = "upgradecheck.kb.apis-overlay/v1"

REQUIRED = (
    "group", "version", "kind", "resource", "namespaced", "stability", "enabled_by_default",
    "introduced_in", "deprecated_in", "removed_in", "replacement", "source",
)  # fmt: skip
OPTIONAL = ("list_kind", "note", "upstream", "config")
CONFIG_KEYS = ("component", "flags", "use")
IDENTITY = ("group", "version", "kind")
UPSTREAM_KEYS = ("deprecated", "removed", "replacement", "last_seen_in_source")
STABILITIES = ("alpha", "beta", "ga")

_VERSION = re.compile(r"^v\d+(?:(alpha|beta)\d+)?$")
_GROUP = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$")
_KIND = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_COMPONENT = re.compile(r"^[a-z][a-z0-9-]*$")
_FLAG = re.compile(r"^--[a-z][a-z0-9-]*$")

GVK = tuple[str, str, str]


@dataclass(frozen=True)
class RawApi:
    """One entry as written, with the place it came from (for error messages)."""

    data: Mapping[str, Any]
    where: Where
    origin: str = ""
    """The user data file it comes from; empty for the project's files."""


def gvk_label(data: Mapping[str, Any]) -> str:
    """`policy/v1beta1 PodSecurityPolicy`, as well as the entry allows."""
    group, version, kind = (str(data.get(k, "?")) for k in IDENTITY)
    return f"{group}/{version} {kind}" if group else f"{version} {kind}"


def identity(data: Mapping[str, Any], where: Where) -> GVK:
    """The (group, version, kind) of an entry, checked."""
    group = get_str(data, "group", where, empty_ok=True)
    version = get_str(data, "version", where)
    kind = get_str(data, "kind", where)
    if not _GROUP.match(group):
        raise where.error(f"group {group!r} is not an API group name")
    if not _VERSION.match(version):
        raise where.error(f"version {version!r} is not a Kubernetes API version")
    if not _KIND.match(kind):
        raise where.error(f"kind {kind!r} is not a kind name")
    return group, version, kind


def stage_of(version: str) -> str:
    """`alpha`, `beta` or `ga` from the version string."""
    match = _VERSION.match(version)
    return (match.group(1) if match else None) or "ga"


def parse_replacement(value: Any, where: Where) -> tuple[str, str] | None:
    """`{api_version, kind}` or null."""
    return None if value is None else parse_target(value, where)


def parse_target(value: Any, where: Where, what: str = "replacement") -> tuple[str, str]:
    """An `{api_version, kind}` mapping as a pair, checked."""
    data = as_mapping(value, where, what)
    check_keys(data, ("api_version", "kind"), (), where)
    api_version = get_str(data, "api_version", where)
    kind = get_str(data, "kind", where)
    group, _, version = api_version.rpartition("/")
    if not _VERSION.match(version) or not _GROUP.match(group) or not _KIND.match(kind):
        raise where.error(f"{what} {api_version} {kind} is not an apiVersion and kind")
    return api_version, kind


def check_upstream(value: Any, where: Where) -> None:
    """The optional raw-upstream block: a mapping with the known keys."""
    if value is not None:
        check_keys(as_mapping(value, where, "upstream"), (), UPSTREAM_KEYS, where)


def check_stability(data: Mapping[str, Any], version: str, where: Where) -> str:
    """`stability` must be one of alpha/beta/ga and agree with the version string."""
    stability = get_str(data, "stability", where)
    if stability not in STABILITIES:
        raise where.error(f"stability {stability!r} is not one of {', '.join(STABILITIES)}")
    if stability != stage_of(version):
        raise where.error(f"stability {stability!r} does not match version {version}")
    return stability


def check_list_kind(data: Mapping[str, Any], kind: str, where: Where) -> bool:
    """`list_kind` (default false) must be true exactly for kinds ending in List."""
    list_kind = get_bool(data, "list_kind", where) if "list_kind" in data else False
    if list_kind != kind.endswith("List"):
        raise where.error(f"list_kind {str(list_kind).lower()} does not fit kind {kind}")
    return list_kind


def parse_config(data: Mapping[str, Any], where: Where) -> ConfigUse | None:
    """`config:` of an API that is never served but read or written by a component."""
    if data.get("config") is None:
        return None
    place = where.at("config")
    config = as_mapping(data["config"], place, "config")
    check_keys(config, CONFIG_KEYS, (), place)
    component = get_str(config, "component", place)
    if not _COMPONENT.match(component):
        raise place.error(f"component {component!r} is not a component name")
    flags = get_str_list(config, "flags", place)
    if not flags or not all(_FLAG.match(f) for f in flags):
        raise place.error("flags must be one or more --flag names")
    use = get_str(config, "use", place)
    if use not in CONFIG_USES:
        raise place.error(f"use {use!r} is not one of {', '.join(CONFIG_USES)}")
    if data.get("resource"):
        raise place.error("an API with a config use is never served: its resource must be \"\"")
    return ConfigUse(component, flags, use)


def parse_api(data: Mapping[str, Any], where: Where, origin: str = "") -> ApiLifecycle:
    """A complete entry, validated."""
    where = where.labelled(gvk_label(data))
    check_keys(data, REQUIRED, OPTIONAL, where)
    group, version, kind = identity(data, where)
    introduced = get_minor(data, "introduced_in", where)
    deprecated = get_minor(data, "deprecated_in", where)
    removed = get_minor(data, "removed_in", where)
    check_order(introduced, deprecated, ("introduced_in", "deprecated_in"), where)
    check_order(deprecated, removed, ("deprecated_in", "removed_in"), where)
    check_order(introduced, removed, ("introduced_in", "removed_in"), where, strict=True)
    check_upstream(data.get("upstream"), where.at("upstream"))
    replacement = parse_replacement(data.get("replacement"), where)
    note = get_str(data, "note", where) if "note" in data else ""
    return ApiLifecycle(
        group=group,
        version=version,
        kind=kind,
        resource=get_str(data, "resource", where, empty_ok=True),
        namespaced=get_bool(data, "namespaced", where),
        stability=check_stability(data, version, where),
        introduced_in=introduced,
        deprecated_in=deprecated,
        removed_in=removed,
        replacement=replacement[0] if replacement else None,
        replacement_kind=replacement[1] if replacement else None,
        note=note,
        source=get_url(data, "source", where),
        list_kind=check_list_kind(data, kind, where),
        enabled_by_default=get_bool(data, "enabled_by_default", where),
        origin=origin,
        config=parse_config(data, where),
    )


def raw_entries(
    document: Mapping[str, Any], where: Where, origin: str = ""
) -> dict[GVK, RawApi]:
    """The `apis:` entries of a file by group/version/kind, rejecting duplicates."""
    found: dict[GVK, RawApi] = {}
    items = as_list(document.get("apis"), where.at("apis"), "apis")
    for i, item in enumerate(items):
        place = where.at("apis").at(i)
        data = as_mapping(item, place)
        place = place.labelled(gvk_label(data))
        key = identity(data, place)
        if key in found:
            raise place.error(f"duplicate group/version/kind (also at {found[key].where.path})")
        found[key] = RawApi(data, place, origin)
    return found


def ga_targets(
    document: Mapping[str, Any], where: Where, *, with_source: bool
) -> dict[tuple[str, str], Minor | None]:
    """The `ga_targets:` list: (apiVersion, kind) → the release that introduced it, if
    given."""
    targets: dict[tuple[str, str], Minor | None] = {}
    place = where.at("ga_targets")
    for i, item in enumerate(as_list(document.get("ga_targets", []), place, "ga_targets")):
        entry = as_mapping(item, place.at(i))
        keys = ("api_version", "kind", "source") if with_source else ("api_version", "kind")
        check_keys(entry, keys, ("introduced_in",), place.at(i))
        if with_source:
            get_url(entry, "source", place.at(i))
        pair = {k: entry[k] for k in ("api_version", "kind")}
        targets[parse_target(pair, place.at(i), "GA target")] = get_minor(
            entry, "introduced_in", place.at(i)
        )
    return targets


def merge(generated: dict[GVK, RawApi], overlay: dict[GVK, RawApi]) -> dict[GVK, RawApi]:
    """Apply the overlay: overrides keep the generated fields they do not give (and carry
    the overlay's origin)."""
    merged = dict(generated)
    for key, entry in overlay.items():
        base = generated.get(key)
        if base is None:
            merged[key] = entry
            continue
        check_keys(entry.data, ("source",), REQUIRED + OPTIONAL, entry.where)
        merged[key] = RawApi({**base.data, **entry.data}, entry.where, entry.origin)
    return merged


def check_replacements(
    apis: list[tuple[ApiLifecycle, Where]], targets: set[tuple[str, str]]
) -> None:
    """Every replacement must name an entry of the knowledge base or a known GA target."""
    known = targets | {(a.api_version, a.kind) for a, _ in apis}
    for api, where in apis:
        if api.replacement is None:
            continue
        pair = (api.replacement, api.replacement_kind or api.kind)
        if pair not in known:
            raise where.error(
                f"replacement {pair[0]} {pair[1]} points at no known API "
                "(neither an entry here nor a listed GA target)"
            )


def build_apis(
    generated: tuple[Mapping[str, Any], Where],
    overlay: tuple[Mapping[str, Any], Where],
    users: Sequence[tuple[Mapping[str, Any], Where, str]] = (),
) -> tuple[tuple[ApiLifecycle, ...], dict[tuple[str, str], Minor]]:
    """Validate both files, merge them, then each user file's `apis:` in order (as further
    overlays), and check the replacements; the entries, and the release that introduced each
    GA target where the files say."""
    gen_doc, gen_where = generated
    ovl_doc, ovl_where = overlay
    check_keys(gen_doc, ("schema", "apis", "ga_targets"), ("generated_from",), gen_where)
    check_keys(ovl_doc, ("schema", "apis"), ("ga_targets",), ovl_where)
    gen_raw = raw_entries(gen_doc, gen_where)
    # The generated file is valid on its own, before any overlay; an entry no overlay
    # touches is kept as parsed here (merging keeps it as the same RawApi).
    gen_parsed = {key: parse_api(entry.data, entry.where) for key, entry in gen_raw.items()}
    merged = merge(gen_raw, raw_entries(ovl_doc, ovl_where))
    for user_doc, user_where, origin in users:
        if "apis" in user_doc:
            merged = merge(merged, raw_entries(user_doc, user_where, origin))
    parsed = [
        (gen_parsed[key] if e is gen_raw.get(key) else parse_api(e.data, e.where, e.origin),
         e.where)
        for key, e in sorted(merged.items())
    ]  # fmt: skip
    targets = ga_targets(gen_doc, gen_where, with_source=False)
    targets |= ga_targets(ovl_doc, ovl_where, with_source=True)
    check_replacements(parsed, set(targets))
    introduced = {pair: minor for pair, minor in targets.items() if minor is not None}
    return tuple(api for api, _ in parsed), introduced


__all__ = ["APIS_SCHEMA", "OVERLAY_SCHEMA", "KnowledgeError", "build_apis"]
