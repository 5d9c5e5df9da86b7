"""Parsing a data file's YAML: PyYAML's safe loader (its C parser when built with libyaml),
refusing a key written twice. Imported only when a file is not in the parse cache."""

from __future__ import annotations

from typing import Any

import yaml

from upgradecheck.knowledge._fields import Where

try:  # the C parser when PyYAML was built with libyaml
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """The safe loader, refusing duplicate keys (YAML would keep the last silently)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    """Build a mapping, rejecting a key that appears twice."""
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(raw: bytes, where: Where) -> Any:
    """The document `raw` holds; a KnowledgeError at `where` when it is not valid YAML.
    (What this returns for given bytes is what the parse cache keeps: a change to it bumps
    `loader.PARSER_REVISION`.)"""
    try:
        return yaml.load(raw, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise where.error(f"not valid YAML: {exc}") from None
