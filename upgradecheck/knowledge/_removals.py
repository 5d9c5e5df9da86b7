"""Non-API removals and behaviour changes (`removals.yaml`) and their detectors."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from upgradecheck.knowledge._fields import (
    Where,
    as_list,
    as_mapping,
    check_keys,
    check_order,
    get_minor,
    get_pattern,
    get_str,
    get_str_list,
    get_url,
)
from upgradecheck.knowledge.model import DETECTOR_TYPES, Detector, Removal

SCHEMA = "upgradecheck.kb.removals/v1"
KINDS = ("removal", "deprecation", "behaviour-change")
SEVERITIES = ("blocker", "warning", "info")
REMOVAL_KEYS = (
    "id", "title", "kind", "deprecated_in", "breaks_in", "what_breaks", "remediation",
    "detect", "source", "severity",
)  # fmt: skip
NODE_FIELDS = ("osImage", "kernelVersion")

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Per detector type: its parameters and how each is read.
ParamReader = Callable[[Mapping[str, Any], str, Where], Any]


def _text(data: Mapping[str, Any], key: str, where: Where) -> str:
    return get_str(data, key, where)


def _text_or_empty(data: Mapping[str, Any], key: str, where: Where) -> str:
    return get_str(data, key, where, empty_ok=True)


def _names(data: Mapping[str, Any], key: str, where: Where) -> tuple[str, ...]:
    return get_str_list(data, key, where, empty_ok=False)


def _node_field(data: Mapping[str, Any], key: str, where: Where) -> str:
    value = get_str(data, key, where)
    if value not in NODE_FIELDS:
        raise where.error(f"{key} {value!r} is not one of {', '.join(NODE_FIELDS)}")
    return value


PARAMS: dict[str, dict[str, ParamReader]] = {
    "node-runtime": {"pattern": get_pattern},
    "node-os": {"pattern": get_pattern, "field": _node_field},
    "object-kind": {"group": _text_or_empty, "kind": _text},
    "pod-volume": {"field": _text},
    "persistent-volume": {"field": _text},
    "storage-class-provisioner": {"provisioners": _names},
    "pod-annotation": {"prefix": _text},
    "configmap-value": {"namespace": _text, "name": _text, "key": _text, "pattern": get_pattern},
    "component-flag": {"components": _names, "pattern": get_pattern},
    "api-request": {"group": _text_or_empty, "version": _text, "resource": _text},
    "manual": {"check": _text},
}


def parse_detector(data: Mapping[str, Any], where: Where) -> Detector:
    """One detector: a known type and exactly its parameters."""
    check_keys(data, ("type", "params"), (), where)
    kind = get_str(data, "type", where)
    if kind not in DETECTOR_TYPES:
        raise where.error(
            f"detector type {kind!r} is unknown (known: {', '.join(sorted(DETECTOR_TYPES))})"
        )
    readers = PARAMS[kind]
    place = where.at("params").labelled(kind)
    params = as_mapping(data.get("params"), place, "params")
    check_keys(params, tuple(readers), (), place)
    return Detector(type=kind, params={k: read(params, k, place) for k, read in readers.items()})


def one_of(data: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: Where) -> str:
    """A string from a fixed set."""
    value = get_str(data, key, where)
    if value not in allowed:
        raise where.error(f"{key} {value!r} is not one of {', '.join(allowed)}")
    return value


def parse_removal(data: Mapping[str, Any], where: Where, origin: str = "") -> Removal:
    """One removal entry."""
    where = where.labelled(str(data.get("id")))
    check_keys(data, REMOVAL_KEYS, (), where)
    ident = get_str(data, "id", where)
    if not _ID.match(ident):
        raise where.error(f"id {ident!r} must be kebab-case")
    deprecated = get_minor(data, "deprecated_in", where)
    breaks = get_minor(data, "breaks_in", where)
    check_order(deprecated, breaks, ("deprecated_in", "breaks_in"), where)
    place = where.at("detect")
    detectors = as_list(data.get("detect"), place, "detect")
    if not detectors:
        raise place.error(
            "at least one detector is required (use type manual for a checklist step)"
        )
    return Removal(
        id=ident,
        title=get_str(data, "title", where),
        kind=one_of(data, "kind", KINDS, where),
        deprecated_in=deprecated,
        breaks_in=breaks,
        what_breaks=get_str(data, "what_breaks", where),
        remediation=get_str(data, "remediation", where),
        detect=tuple(
            parse_detector(as_mapping(d, place.at(i)), place.at(i)) for i, d in enumerate(detectors)
        ),
        source=get_url(data, "source", where),
        severity=one_of(data, "severity", SEVERITIES, where),
        origin=origin,
    )


def _parse_all(document: Mapping[str, Any], where: Where, origin: str = "") -> list[Removal]:
    """A document's `removals:`, with unique ids."""
    place = where.at("removals")
    removals: list[Removal] = []
    ids: set[str] = set()
    for i, item in enumerate(as_list(document.get("removals"), place, "removals")):
        removal = parse_removal(as_mapping(item, place.at(i)), place.at(i), origin)
        if removal.id in ids:
            raise place.at(i).labelled(removal.id).error("duplicate id")
        ids.add(removal.id)
        removals.append(removal)
    return removals


def build_removals(document: Mapping[str, Any], where: Where) -> tuple[Removal, ...]:
    """All removals, with unique ids."""
    check_keys(document, ("schema", "removals"), (), where)
    return tuple(_parse_all(document, where))


def apply_user_removals(
    current: tuple[Removal, ...], document: Mapping[str, Any], where: Where, origin: str
) -> tuple[Removal, ...]:
    """A user file's `removals:` (validated like removals.yaml) over `current`: an entry
    replaces the one with its id, or is added."""
    if "removals" not in document:
        return current
    users = {r.id: r for r in _parse_all(document, where, origin)}
    kept = [users.pop(r.id, r) for r in current]
    return (*kept, *users.values())
