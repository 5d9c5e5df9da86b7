"""A built knowledge base as plain JSON data and back, for the cache (`cache.py`): the model's
frozen dataclasses by name, with tuples, mappings, dates and minors tagged so that what reads
back is equal to what was written, field for field. Nothing but the model's own classes is
ever made from it (no pickle)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from upgradecheck.knowledge import model
from upgradecheck.model import ConfigUse
from upgradecheck.versions import Minor

REVISION = "kb1"
"""The encoding's revision: part of each cached knowledge base's key."""

_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        model.KnowledgeBase, model.ApiLifecycle, ConfigUse, model.AddonApi,
        model.SkewRule, model.Release, model.Detector, model.Removal, model.HelmSupport,
        model.HelmSupportTable,
    )
}  # fmt: skip
"""Every class a knowledge base is made of. Fields named `_...` are its indexes, built again
by its `__post_init__`."""


def encode(value: Any) -> Any:
    """`value` (a KnowledgeBase, or any part of one) as plain data; TypeError for a value the
    model does not hold."""
    if type(value) is Minor:
        return {"$minor": [value.major, value.minor]}
    if type(value).__name__ in _CLASSES and type(value) is _CLASSES[type(value).__name__]:
        fields = dataclasses.fields(value)
        return {"$": type(value).__name__} | {
            f.name: encode(getattr(value, f.name)) for f in fields if not f.name.startswith("_")
        }
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, Mapping):
        return {"$map": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {"$date": value.isoformat()}
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise TypeError(f"a knowledge base holds no {type(value).__name__}")


def object_hook(data: dict[str, Any]) -> Any:
    """`json.loads`'s object_hook for what `encode` wrote: each tagged mapping (its values
    already decoded) as the value it stands for; ValueError for any other mapping (a damaged
    or foreign document)."""
    try:
        if "$" in data:
            return _CLASSES[data.pop("$")](**data)
        ((tag, body),) = data.items()  # every other mapping is one tagged value
        if tag == "$minor":
            major, minor = body
            return Minor(int(major), int(minor))
        if tag == "$tuple":
            return tuple(body)
        if tag == "$map":
            return {key: value for key, value in body}
        if tag == "$date":
            return dt.date.fromisoformat(body)
    # AttributeError: a knowledge base's indexes built from entries that are not entries.
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"not an encoded knowledge base: {exc!r}") from None
    raise ValueError(f"not an encoded knowledge base: unknown tag {tag!r}")
