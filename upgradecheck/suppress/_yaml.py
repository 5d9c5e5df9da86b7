"""Parsing an exceptions file's YAML: the document, and the line of each of its entries.
Imported only when a file is read: a run without one does not import `yaml` for it."""

from __future__ import annotations

from typing import Any

import yaml

from upgradecheck.suppress.config import ConfigError


class _Loader(yaml.SafeLoader):
    """The safe loader, leaving dates as text so that a bad date is reported with its entry."""


def _date_as_text(loader: _Loader, node: yaml.Node) -> str:
    return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)


def load_yaml(text: str, path: str) -> tuple[Any, list[int]]:
    """The document, and the line of each item of its `exceptions` list."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        raise ConfigError(f"{where}: not valid YAML: {exc.problem or exc.context}") from None
    except (yaml.YAMLError, ValueError) as exc:
        raise ConfigError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    finally:
        loader.dispose()
    return data, _entry_lines(node)


def _entry_lines(node: yaml.Node | None) -> list[int]:
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "exceptions" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []
