"""Third-party CRD APIs (`addons.yaml`), keyed by each add-on's own release versions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from packaging.version import Version

from upgradecheck.knowledge._fields import (
    Where,
    as_list,
    as_mapping,
    check_keys,
    check_order,
    get_str,
    get_str_list,
    get_url,
)
from upgradecheck.knowledge.model import AddonApi

SCHEMA = "upgradecheck.kb.addons/v1"
ADDON_KEYS = ("name", "homepage", "apis")
API_KEYS = (
    "group", "version", "kinds", "deprecated_in", "removed_in", "replacement", "note", "source",
)  # fmt: skip
OPTIONAL_API_KEYS = ("replacement_kind", "replacement_since")

_COMPONENT_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")
_GROUP = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$")
_VERSION = re.compile(r"^v\d+((alpha|beta)\d+)?$")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_KIND = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def component_version(data: Mapping[str, Any], key: str, where: Where) -> str | None:
    """An add-on release such as `"1.6"` or `"0.17.0"` (quoted), or null."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not _COMPONENT_VERSION.match(value):
        raise where.error(f"{key} {value!r} is not a version")
    return value


def version_key(text: str | None) -> Version | None:
    """An add-on release for ordering (`"1.6"` equals `"1.6.0"`), None when absent."""
    from packaging.version import Version  # here: a command that reads no add-on starts without it

    return None if text is None else Version(text)


def replacement(data: Mapping[str, Any], where: Where) -> str | None:
    """The apiVersion to migrate to (`group/version`), or null."""
    value = data.get("replacement")
    if value is None:
        return None
    text = get_str(data, "replacement", where)
    group, _, version = text.partition("/")
    if not (_GROUP.match(group) and _VERSION.match(version)):
        raise where.error(f"replacement {text!r} is not a group/version")
    return text


def replacement_kind(data: Mapping[str, Any], where: Where) -> str | None:
    """The kind to migrate to where it differs from the old one (Provisioner -> NodePool)."""
    if data.get("replacement_kind") is None:
        return None
    kind = get_str(data, "replacement_kind", where)
    if not _KIND.match(kind):
        raise where.error(f"replacement_kind {kind!r} is not a kind name")
    if data.get("replacement") is None:
        raise where.error("replacement_kind needs a replacement apiVersion")
    return kind


def replacement_since(data: Mapping[str, Any], where: Where) -> str | None:
    """The add-on release that first serves the replacement, or null."""
    since = component_version(data, "replacement_since", where)
    if since is not None and data.get("replacement") is None:
        raise where.error("replacement_since needs a replacement apiVersion")
    return since


def parse_api(addon: str, data: Mapping[str, Any], where: Where, origin: str = "") -> AddonApi:
    """One `apis:` entry of an add-on."""
    group = get_str(data, "group", where)
    version = get_str(data, "version", where)
    where = where.labelled(f"{group}/{version}")
    check_keys(data, API_KEYS, OPTIONAL_API_KEYS, where)
    if not _GROUP.match(group) or not _VERSION.match(version):
        raise where.error(f"{group}/{version} is not a CRD group and version")
    deprecated = component_version(data, "deprecated_in", where)
    removed = component_version(data, "removed_in", where)
    check_order(
        version_key(deprecated), version_key(removed), ("deprecated_in", "removed_in"), where
    )
    return AddonApi(
        addon=addon,
        group=group,
        version=version,
        kinds=get_str_list(data, "kinds", where),
        deprecated_in=deprecated,
        removed_in=removed,
        replacement=replacement(data, where),
        replacement_kind=replacement_kind(data, where),
        replacement_since=replacement_since(data, where),
        note=get_str(data, "note", where),
        source=get_url(data, "source", where),
        origin=origin,
    )


def parse_addon(data: Mapping[str, Any], where: Where, origin: str = "") -> list[AddonApi]:
    """One add-on and its APIs."""
    name = get_str(data, "name", where)
    where = where.labelled(name)
    check_keys(data, ADDON_KEYS, (), where)
    if not _NAME.match(name):
        raise where.error(f"name {name!r} must be lower-case kebab-case")
    get_url(data, "homepage", where)
    place = where.at("apis")
    items = as_list(data.get("apis"), place, "apis")
    if not items:
        raise place.error("an add-on needs at least one API")
    return [
        parse_api(name, as_mapping(item, place.at(i)), place.at(i), origin)
        for i, item in enumerate(items)
    ]


def check_overlaps(apis: list[tuple[AddonApi, Where]]) -> None:
    """No two entries may cover the same kind of the same group/version."""
    seen: dict[tuple[str, str], list[tuple[AddonApi, Where]]] = {}
    for api, where in apis:
        for other, other_where in seen.get((api.group, api.version), []):
            if not api.kinds or not other.kinds or set(api.kinds) & set(other.kinds):
                raise where.error(
                    f"{api.group}/{api.version} overlaps the entry at {other_where.path}"
                )
        seen.setdefault((api.group, api.version), []).append((api, where))


def _located(
    document: Mapping[str, Any], where: Where, origin: str = ""
) -> list[tuple[AddonApi, Where]]:
    """Every add-on API of a document's `addons:`, with its place; names must be unique."""
    place = where.at("addons")
    located: list[tuple[AddonApi, Where]] = []
    names: set[str] = set()
    for i, item in enumerate(as_list(document.get("addons"), place, "addons")):
        data = as_mapping(item, place.at(i))
        apis = parse_addon(data, place.at(i), origin)
        if apis[0].addon in names:
            raise place.at(i).error(f"add-on {apis[0].addon!r} is listed twice")
        names.add(apis[0].addon)
        located += [
            (api, place.at(i).at("apis").at(j, f"{api.group}/{api.version}"))
            for j, api in enumerate(apis)
        ]
    check_overlaps(located)
    return located


def build_addons(document: Mapping[str, Any], where: Where) -> tuple[AddonApi, ...]:
    """All add-on APIs, flattened, validated."""
    check_keys(document, ("schema", "addons"), (), where)
    return tuple(api for api, _ in _located(document, where))


def _overlaps(a: AddonApi, b: AddonApi) -> bool:
    same_api = (a.group, a.version) == (b.group, b.version)
    return same_api and (not a.kinds or not b.kinds or bool(set(a.kinds) & set(b.kinds)))


def apply_user_addons(
    current: tuple[AddonApi, ...], document: Mapping[str, Any], where: Where, origin: str
) -> tuple[AddonApi, ...]:
    """A user file's `addons:` (validated like addons.yaml) over `current`: each of its APIs
    replaces every entry of the same group/version whose kinds overlap, or is added."""
    if "addons" not in document:
        return current
    users = [api for api, _ in _located(document, where, origin)]
    kept = [api for api in current if not any(_overlaps(api, u) for u in users)]
    return (*kept, *users)
