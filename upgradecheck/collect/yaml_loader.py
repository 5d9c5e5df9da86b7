"""Loading one YAML document into JSON-compatible values, faster than PyYAML's constructor.

libyaml (`CSafeLoader`) parses and composes in C, but PyYAML builds the values from the
node graph in Python, through a general machine (generators for every mapping and list, a
memo of every node, a path resolver consulted for every scalar) that took about half of a
scan's reading time. Manifests nearly always hold only plain mappings, lists and scalars,
so such a document is built here by a short recursive walk, and each plain scalar's tag is
looked up in a cache before PyYAML's resolver regexps are tried. Anything else is left to
PyYAML: values of other tags are built by its constructors, and a document that shares
values (anchors and aliases), merges keys (`<<`) or fails on the short walk for any reason
(an unhashable key, a bad explicit tag, deep nesting) is built again by PyYAML alone, which
gives it its usual value or error. Either way the value is the one `yaml.load` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml import CSafeLoader as _FastSafeLoader
except ImportError:  # PyYAML built without libyaml: same results, only slower.
    from yaml import SafeLoader as _FastSafeLoader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# Keys PyYAML's constructor rewrites (`<<` merges, `=` values): built by it alone.
_REWRITTEN_KEYS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})

_PLAIN_TAGS: dict[str, str] = {}
"""The tag of each plain (unquoted) scalar met so far: it depends on the text alone."""
_PLAIN_TAGS_MAX = 1 << 16
_PLAIN_TAG_LENGTH_MAX = 64
"""Long texts are rarely repeated: caching them would only hold memory."""


def _construct_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


def _construct_set(loader: yaml.SafeLoader, node: yaml.MappingNode) -> list[Any]:
    return list(loader.construct_mapping(node))


def _construct_untagged(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    # Unknown tags (CloudFormation `!Ref`, GitLab `!reference`, ...) read as plain values,
    # so such files are skipped as non-Kubernetes instead of failing the scan.
    if isinstance(node, yaml.MappingNode):
        return loader.construct_yaml_map(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_yaml_seq(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_resolve: Callable[[Any, type[Node], str | None, Any], str] = _FastSafeLoader.resolve
"""PyYAML's resolver (its stub leaves it untyped)."""


class Loader(_FastSafeLoader):
    """Safe loading whose results JSON can hold: no datetime, bytes, set or custom objects."""

    def resolve(self, kind: type[Node], value: str | None, implicit: Any) -> str:
        # The composer asks for every scalar's tag: for a plain one the answer depends only
        # on its text (this loader has no path resolvers), so it is remembered.
        if kind is ScalarNode and implicit[0] and value is not None:
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = _resolve(self, kind, value, implicit)
                if len(value) <= _PLAIN_TAG_LENGTH_MAX and len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
                    _PLAIN_TAGS[value] = tag
            return tag
        return _resolve(self, kind, value, implicit)


Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_as_text)
Loader.add_constructor("tag:yaml.org,2002:binary", _construct_as_text)
Loader.add_constructor("tag:yaml.org,2002:set", _construct_set)
Loader.add_constructor(None, _construct_untagged)

_SCALARS = {
    tag: Loader.yaml_constructors[tag]
    for tag in (
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
    )
}
"""PyYAML's own constructors of the other common scalars: plain functions of one node."""


def load_node(text: str) -> tuple[Node | None, Any]:
    """The node graph of a one-document YAML text and its value (None, None when the text
    holds no document). Raises what `yaml.load` raises for the text."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        if not _may_share(text):
            try:
                return node, _build(loader, node)
            except Exception:  # PyYAML, below, decides what the text is
                pass
    finally:
        loader.dispose()
    return load_node_by_pyyaml(text)


def _may_share(text: str) -> bool:
    """Whether the text may hold aliases, whose values PyYAML shares (an alias needs an
    anchor `&` and a `*`)."""
    return "&" in text and "*" in text


def load_node_by_pyyaml(text: str) -> tuple[Node | None, Any]:
    """What `load_node` returns, built by PyYAML's constructor alone (on a parse of its
    own: a walk that gave up may have left a loader's memo half-filled)."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        return node, None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def _build(loader: Loader, node: Node) -> Any:
    """The value of a node with no alias under it; raises on anything PyYAML would
    construct differently (then the caller asks PyYAML)."""
    cls, tag = node.__class__, node.tag
    if cls is ScalarNode:
        if tag == _STR:
            return node.value
        scalar = _SCALARS.get(tag)
        if scalar is not None:
            return scalar(loader, node)
    elif cls is MappingNode:
        if tag == _MAP:
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key_tag = key_node.tag
                if key_tag == _STR and key_node.__class__ is ScalarNode:
                    key = key_node.value
                elif key_tag in _REWRITTEN_KEYS:
                    raise _Unusual
                else:
                    key = _build(loader, key_node)
                # Later duplicates replace earlier ones in the first one's place, as in
                # PyYAML; an unhashable key raises TypeError here.
                mapping[key] = _build(loader, value_node)
            return mapping
    elif cls is SequenceNode and tag == _SEQ:
        return [_build(loader, item) for item in node.value]
    return loader.construct_object(node, deep=True)


class _Unusual(Exception):
    """A document the short walk leaves to PyYAML."""
