"""The Kubernetes minors each Helm client minor supports (`helm-support.yaml`, from Helm's
version support policy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from upgradecheck.knowledge._fields import (
    Where,
    as_list,
    as_mapping,
    check_keys,
    check_order,
    get_url,
    parse_minor_text,
)
from upgradecheck.knowledge.model import HelmSupport, HelmSupportTable

SCHEMA = "upgradecheck.kb.helm-support/v1"


def _row(data: Mapping[str, Any], where: Where) -> HelmSupport:
    check_keys(data, ("helm", "oldest", "newest"), (), where)
    oldest = parse_minor_text(data["oldest"], "oldest", where)
    newest = parse_minor_text(data["newest"], "newest", where)
    check_order(oldest, newest, ("oldest", "newest"), where)
    return HelmSupport(parse_minor_text(data["helm"], "helm", where), oldest, newest)


def build_helm_support(document: Mapping[str, Any], where: Where) -> HelmSupportTable:
    """The table, newest Helm first; KnowledgeError names the row that is wrong."""
    check_keys(document, ("schema", "source", "helm"), (), where)
    place = where.at("helm")
    rows = [
        _row(as_mapping(item, place.at(i)), place.at(i).labelled(str(item)))
        for i, item in enumerate(as_list(document["helm"], place, "helm"))
    ]
    if len({r.helm for r in rows}) != len(rows):
        raise place.error("a Helm minor is listed twice")
    rows.sort(key=lambda r: r.helm, reverse=True)
    return HelmSupportTable(tuple(rows), get_url(document, "source", where))
