"""The Kubernetes minors each Helm client minor supports (`deprecations/helm-support.yaml`,
from Helm's version support policy): loaded and validated on its own, beside `loader.py`.

Public API: `HelmSupport` (one row), `HelmSupportTable` (the rows, with look-ups) and
`load_helm_support(path=None)` (the bundled table when no path is given, cached).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from upgradecheck import resources
from upgradecheck.knowledge._fields import (
    KnowledgeError,
    Where,
    as_list,
    as_mapping,
    check_keys,
    check_order,
    get_url,
    parse_minor_text,
)
from upgradecheck.versions import Minor

FILE = "helm-support.yaml"
SCHEMA = "upgradecheck.kb.helm-support/v1"


@dataclass(frozen=True)
class HelmSupport:
    """One Helm minor release and the Kubernetes minors it supports."""

    helm: Minor
    """Helm's major.minor, e.g. 3.14 (a Minor used for Helm's numbers)."""
    oldest: Minor
    """The oldest Kubernetes minor it supports."""
    newest: Minor
    """The newest Kubernetes minor it supports (the client it was compiled against)."""

    def supports(self, kubernetes: Minor) -> bool:
        """Whether a cluster at `kubernetes` is within this Helm's support."""
        return self.oldest <= kubernetes <= self.newest

    @property
    def range(self) -> str:
        """`1.26 to 1.29`."""
        return f"{self.oldest} to {self.newest}"


@dataclass(frozen=True)
class HelmSupportTable:
    """Every row, newest Helm first, and where the facts come from."""

    rows: tuple[HelmSupport, ...]
    """The rows, newest Helm first."""
    source: str
    """Helm's version support policy (a URL)."""

    def of(self, helm: Minor) -> HelmSupport | None:
        """The row of a Helm minor, if the table has it."""
        return next((r for r in self.rows if r.helm == helm), None)

    def newest_supporting(self, *kubernetes: Minor) -> HelmSupport | None:
        """The newest Helm minor that supports every given Kubernetes minor, if any."""
        return next((r for r in self.rows if all(r.supports(k) for k in kubernetes)), None)


def _row(data: Mapping[str, Any], where: Where) -> HelmSupport:
    check_keys(data, ("helm", "oldest", "newest"), (), where)
    oldest = parse_minor_text(data["oldest"], "oldest", where)
    newest = parse_minor_text(data["newest"], "newest", where)
    check_order(oldest, newest, ("oldest", "newest"), where)
    return HelmSupport(parse_minor_text(data["helm"], "helm", where), oldest, newest)


def parse_table(document: Any, where: Where) -> HelmSupportTable:
    """The table from a parsed document; KnowledgeError names the row that is wrong."""
    data = as_mapping(document, where, "the document")
    check_keys(data, ("schema", "source", "helm"), (), where)
    if data["schema"] != SCHEMA:
        raise where.error(f"schema must be {SCHEMA!r}, not {data['schema']!r}")
    place = where.at("helm")
    rows = [
        _row(as_mapping(item, place.at(i)), place.at(i).labelled(str(item)))
        for i, item in enumerate(as_list(data["helm"], place, "helm"))
    ]
    if len({r.helm for r in rows}) != len(rows):
        raise place.error("a Helm minor is listed twice")
    rows.sort(key=lambda r: r.helm, reverse=True)
    return HelmSupportTable(tuple(rows), get_url(data, "source", where))


def _load(path: Path) -> HelmSupportTable:
    where = Where(f"{path.parent.name}/{path.name}")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise where.error(f"cannot read the file ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise where.error(f"not valid YAML: {exc}") from None
    return parse_table(document, where)


@functools.lru_cache(maxsize=1)
def _bundled() -> HelmSupportTable:
    try:
        folder = resources.deprecations_dir()
    except FileNotFoundError as exc:
        raise KnowledgeError(str(exc)) from None
    return _load(folder / FILE)


def load_helm_support(path: Path | None = None) -> HelmSupportTable:
    """The Helm support table from `path` (a `helm-support.yaml`), or the bundled one."""
    return _bundled() if path is None else _load(Path(path))
