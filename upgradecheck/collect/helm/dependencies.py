"""A subchart as helm renders it: its values (its own `values.yaml` under what the parent's
values set for it, the parent's globals over its own) and whether the parent's values
switch it off (the dependency's `condition`, else its `tags`).

Helm decides a dependency in that order (Helm's `pkg/chartutil/dependencies.go`): a tag set
to true in the top chart's `tags` turns it on, tags all set to false turn it off; then the
first path of its comma-separated `condition` that holds a boolean in the parent's values
decides, over the tags. A path that holds nothing, or something else than a boolean, is
skipped; a dependency nothing decides is rendered. What is left out: `import-values`, a
`null` that deletes a subchart's default, and a condition on another subchart's defaults
(read from the parent's values only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from upgradecheck.shapes import dig


@dataclass(frozen=True)
class Gate:
    """A dependency's switch on the way to a subchart's template: its condition or tags, and
    whether the chart's values turn it off."""

    label: str
    """How a reader sees it: `dependency frontend (condition frontend.enabled)`."""
    off: bool
    """The chart's values (with `--values`) switch the subchart off: only other values
    render its templates."""


def merged_values(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Values `over` laid on `base`, maps merged key by key (as helm does)."""
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        if isinstance(value, dict) and isinstance(below, dict):
            merged[key] = merged_values(below, value)
        else:
            merged[key] = value
    return merged


def subchart_values(
    own: Mapping[str, Any], parent: Mapping[str, Any], key: str
) -> dict[str, Any]:
    """The values a subchart's templates see: its own `values.yaml` under the parent's values
    for `key` (its alias, or its name), and the parent's `global` over its own."""
    over = parent.get(key)
    values = merged_values(own, over) if isinstance(over, dict) else dict(own)
    inherited = parent.get("global")
    if isinstance(inherited, dict):
        mine = values.get("global")
        values["global"] = (
            merged_values(mine, inherited) if isinstance(mine, dict) else dict(inherited)
        )
    return values


def gate(
    entry: Mapping[str, Any],
    key: str,
    parent: Mapping[str, Any],
    values: Mapping[str, Any],
    tags: Mapping[str, Any],
) -> Gate | None:
    """The switch of the dependency `entry` (of Chart.yaml), rendered as `key` with `values`
    under the parent's values `parent`; `tags`: the top chart's `tags`. None when the entry
    has neither a condition nor tags."""
    condition = entry.get("condition")
    # As helm splits it: the whole trimmed, its paths not (` b.c` names no value).
    paths = [p for p in condition.strip().split(",") if p] if isinstance(condition, str) else []
    listed = entry.get("tags")
    names = [t for t in listed if isinstance(t, str)] if isinstance(listed, list) else []
    if not paths and not names:
        return None
    on = _by_tags(names, tags)
    # The parent's values as helm reads the condition: this subchart's own defaults
    # coalesced under its key.
    view = {**parent, key: values}
    for path in paths:
        found = _path_value(view, path)
        if isinstance(found, bool):
            on = found
            break
    what = f"condition {','.join(paths)}" if paths else f"tags {', '.join(names)}"
    return Gate(f"dependency {key} ({what})", off=on is False)


def _by_tags(names: list[str], tags: Mapping[str, Any]) -> bool | None:
    """True when a tag is set to true, False when all that are set are false, else None."""
    set_to = [tags[n] for n in names if isinstance(tags.get(n), bool)]
    if True in set_to:
        return True
    return False if set_to else None


def _path_value(values: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path, None when there is none or it is a map (as helm reads a
    condition's path)."""
    found = dig(values, *path.split("."))
    return None if isinstance(found, Mapping) else found
