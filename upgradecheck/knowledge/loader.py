"""Loading the knowledge base from `deprecations/`: read, validate, merge, digest.

Public API:
- `KnowledgeError`: the one exception of this layer; its message names the file and the
  entry (`deprecations/addons.yaml: addons[3].apis[1] (cert-manager.io/v1alpha2): ...`).
- `load_knowledge_base(path=None)`: the validated `KnowledgeBase` from a folder of data
  files (default: the bundled `deprecations/`, loaded once per process and cached).
- `DATA_FILES`: the file names digested into the knowledge base's version, in that order.
  `helm-support.yaml` is read too, but kept out of the digest (it joined the knowledge base
  later; digesting it would change every report's knowledge version).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from upgradecheck import resources
from upgradecheck.knowledge import _addons, _apis, _calendar, _helm_support, _removals
from upgradecheck.knowledge._fields import KnowledgeError, Where, as_mapping
from upgradecheck.knowledge.model import KnowledgeBase

__all__ = ["DATA_FILES", "KnowledgeError", "load_knowledge_base"]

APIS = "kubernetes-apis.yaml"
OVERLAY = "kubernetes-apis-overlay.yaml"
ADDONS = "addons.yaml"
SKEW = "skew-policy.yaml"
RELEASES = "releases.yaml"
REMOVALS = "removals.yaml"
HELM_SUPPORT = "helm-support.yaml"
DATA_FILES = (APIS, OVERLAY, ADDONS, SKEW, RELEASES, REMOVALS)

SCHEMAS = {
    APIS: _apis.APIS_SCHEMA,
    OVERLAY: _apis.OVERLAY_SCHEMA,
    ADDONS: _addons.SCHEMA,
    SKEW: _calendar.SKEW_SCHEMA,
    RELEASES: _calendar.RELEASES_SCHEMA,
    REMOVALS: _removals.SCHEMA,
    HELM_SUPPORT: _helm_support.SCHEMA,
}

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


def _display(path: Path) -> str:
    """How a file is named in messages: `deprecations/addons.yaml`."""
    return f"{path.parent.name}/{path.name}"


def _read(folder: Path, name: str) -> tuple[bytes, Mapping[str, Any], Where]:
    """A data file's bytes, its parsed document and its top-level place."""
    path = folder / name
    where = Where(_display(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise where.error(f"cannot read the file ({exc.strerror or exc})") from None
    try:
        document = yaml.load(raw, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise where.error(f"not valid YAML: {exc}") from None
    document = as_mapping(document, where, "the document")
    if document.get("schema") != SCHEMAS[name]:
        raise where.error(f"schema must be {SCHEMAS[name]!r}, not {document.get('schema')!r}")
    return raw, document, where


def _digest(contents: Mapping[str, bytes]) -> str:
    """A short sha256 over the data files' names and bytes."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(name.encode() + b"\0" + contents[name] + b"\0")
    return digest.hexdigest()[:12]


def _build(folder: Path) -> KnowledgeBase:
    """Read and validate every file of `folder`."""
    read = {name: _read(folder, name) for name in (*DATA_FILES, HELM_SUPPORT)}
    docs = {name: (doc, where) for name, (_, doc, where) in read.items()}
    skew_rules, upgrade_order = _calendar.build_skew(*docs[SKEW])
    apis, ga_introduced = _apis.build_apis(docs[APIS], docs[OVERLAY])
    return KnowledgeBase(
        apis=apis,
        addon_apis=_addons.build_addons(*docs[ADDONS]),
        skew_rules=skew_rules,
        releases=_calendar.build_releases(*docs[RELEASES]),
        removals=_removals.build_removals(*docs[REMOVALS]),
        version=_digest({name: raw for name, (raw, _, _) in read.items()}),
        upgrade_order=upgrade_order,
        helm_support=_helm_support.build_helm_support(*docs[HELM_SUPPORT]),
        ga_introduced=ga_introduced,
    )


@functools.lru_cache(maxsize=1)
def _bundled() -> KnowledgeBase:
    """The bundled knowledge base, loaded once."""
    try:
        folder = resources.deprecations_dir()
    except FileNotFoundError as exc:
        raise KnowledgeError(str(exc)) from None
    return _build(folder)


def load_knowledge_base(path: Path | None = None) -> KnowledgeBase:
    """The validated knowledge base from `path` (a `deprecations/` folder), or the bundled
    one when `path` is None (cached: later calls return the same object)."""
    if path is None:
        return _bundled()
    return _build(Path(path))
