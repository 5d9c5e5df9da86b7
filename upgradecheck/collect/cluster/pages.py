"""A list page decoded straight into what the snapshot keeps of its items: msgspec decodes each
item into the fields the allow-list (`collect/sanitize.py`) names, skipping the rest of the
text without building it, in one pass.

An item is decoded to its kind's allow-list with two changes (`listed_keep`): the fields a
function or a `*` reduces are decoded whole, for `finish` to reduce; and the metadata keeps
what the evidence is read from (the annotations, the managedFields entries' versions), which
`finish` then lets go. A page msgspec cannot decode into those types (a value of a shape the
allow-list does not expect, JSON that only Python's decoder reads) is decoded by the
standard library and reduced by the allow-list's own functions to the same items: both ways
give what `trim_object` gives of the whole item, up to the order of keys (the server's
order here, the allow-list's there)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypedDict, Union

import msgspec

from upgradecheck.collect.sanitize import (
    DROP,
    WHOLE,
    ConfigMapKeys,
    Keep,
    body_keep,
    compile_keep,
    kept_configmap_data,
)

EVIDENCE_READS: Mapping[str, Keep] = {
    "metadata": {
        "annotations": WHOLE,  # the last-applied annotation's apiVersion
        "managedFields": {
            "apiVersion": WHOLE,
            "manager": WHOLE,
            "operation": WHOLE,
            "subresource": WHOLE,
            "time": WHOLE,
        },
    }
}
"""What `evidence_of` reads of a listed item."""

Finish = Callable[[Any], Any]
# The types are built at run time from the allow-list, where a type checker cannot see them.
_TypedDict: Any = TypedDict
_Union: Any = Union
_List: Any = list


class ItemTooDeep(ValueError):
    """A list item nested more deeply than the allow-list's functions can walk."""


def _merged(a: Keep, b: Keep) -> Keep:
    """What `a` or `b` keeps (both mappings: key by key; else the one that keeps more)."""
    if isinstance(a, Mapping) and "*" not in a and isinstance(b, Mapping) and "*" not in b:
        out = dict(a)
        for key, sub in b.items():
            out[key] = _merged(out[key], sub) if key in out else sub
        return out
    return WHOLE


def _decoded(keep: Keep) -> Keep:
    """`keep` with every function and every mapping holding `*` kept whole."""
    if not isinstance(keep, Mapping) or "*" in keep:
        return WHOLE
    return {key: _decoded(sub) for key, sub in keep.items()}


def _listed_body(kind: str) -> Keep:
    """What the body of a listed item of `kind` keeps of it (its own apiVersion and kind are
    not read: the collector names the object by the resource it listed)."""
    return {k: v for k, v in body_keep(kind).items() if k not in ("apiVersion", "kind")}


def listed_keep(kind: str) -> Keep:
    """What a listed item of `kind` is decoded to."""
    return _merged(_decoded(_listed_body(kind)), EVIDENCE_READS)


def _finisher(keep: Keep, decoded: Keep) -> Finish | None:
    """What turns a value decoded by `decoded` into what `keep` keeps of it (in place), or
    None when they are the same."""
    if decoded is WHOLE:
        return None if keep is WHOLE else compile_keep(keep)
    assert isinstance(keep, Mapping) and isinstance(decoded, Mapping)
    extra = tuple(key for key in decoded if key not in keep)
    inner = tuple(
        (key, fix) for key in keep if (fix := _finisher(keep[key], decoded[key])) is not None
    )
    if not extra and not inner:
        return None

    def finish(value: Any) -> Any:
        if type(value) is dict:
            for key in extra:
                value.pop(key, None)
            for key, fix in inner:
                if key in value:
                    kept = fix(value[key])
                    if kept is DROP:
                        del value[key]
                    else:
                        value[key] = kept
        elif type(value) is list:
            value[:] = [finish(item) for item in value]
        return value

    return finish


def _typed(keep: Keep, name: str) -> Any:
    """The msgspec type that decodes what `keep` (of `listed_keep`) keeps: a mapping of
    optional fields, each a mapping, a list of them or null (any other value fails, and the
    page is decoded the other way)."""
    if not isinstance(keep, Mapping):
        return Any
    fields: dict[str, Any] = {}
    for key, sub in keep.items():
        inner = _typed(sub, f"{name}_{key}")
        fields[key] = inner if inner is Any else _Union[inner, _List[inner], None]
    return _TypedDict(name, fields, total=False)


class Shape:
    """How the pages of one kind are decoded and their items finished."""

    def __init__(self, kind: str) -> None:
        decoded = listed_keep(kind)
        item = _typed(decoded, f"{kind or 'Object'}Item")
        page = _TypedDict(
            f"{kind or 'Object'}List",
            {"metadata": Any, "items": _Union[_List[item], None]},
            total=False,
        )
        self._decoder = msgspec.json.Decoder(page)
        self.reduce: Finish = compile_keep(decoded)
        """Reduces an item decoded whole to what `decode` decodes of it."""
        self.finish: Finish = _finisher(_listed_body(kind), decoded) or (lambda value: value)
        """Reduces a decoded item's metadata and whole-decoded fields to the allow-list."""

    def decode(self, raw: bytes | bytearray) -> Any:
        """The page, its items (those that are objects) decoded to `listed_keep`. Errors
        are json's, as for any answer; an item JSON decodes but that is nested too deeply
        to reduce is ItemTooDeep, not an answer's error (the list is lost to a coverage
        note, as when items were reduced one by one)."""
        try:
            return self._decoder.decode(raw)
        except (msgspec.MsgspecError, RecursionError):
            pass
        page = json.loads(raw)
        items = page.get("items") if type(page) is dict else None
        if type(items) is list:
            try:
                page["items"] = [
                    self.reduce(item) if type(item) is dict else item for item in items
                ]
            except RecursionError:
                raise ItemTooDeep("a list item is nested too deeply to be reduced") from None
        return page


@cache
def shape(kind: str) -> Shape:
    """The Shape of `kind`'s pages (built once per kind)."""
    return Shape(kind)


def body_of(
    item: dict[str, Any], api_version: str, kind: str, configmaps: ConfigMapKeys | None = None
) -> dict[str, Any]:
    """The snapshot's body of an item `shape(kind)` decoded, once its evidence is read: what
    `trim_object` keeps of the whole item. The item is reduced in place."""
    body: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
    if kind == "ConfigMap":
        data = kept_configmap_data(item, configmaps)
        item.pop("data", None)
        item.update(data)
    kept = shape(kind).finish(item)
    if kind == "Secret":
        kept.pop("tls", None)  # the collector adds it from the certificate, never the input
    if type(kept.get("metadata")) is not dict:
        kept.pop("metadata", None)  # read as absent either way; never kept
    body.update(kept)
    return body
