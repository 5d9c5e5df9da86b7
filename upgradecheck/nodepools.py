"""Nodes by pool: the one grouping the checks, the plan and the reports share, and what to
call a pool in a sentence."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from upgradecheck.model import NodeInfo

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

K = TypeVar("K", bound="SupportsRichComparison")


def pool_label(pool: str | None) -> str:
    """`node pool batch`, or what to call nodes without a pool label."""
    return f"node pool {pool}" if pool else "the nodes with no pool label"


def by_pool_and(
    nodes: Iterable[NodeInfo], value: Callable[[NodeInfo], K | None]
) -> dict[tuple[str, K], list[NodeInfo]]:
    """Nodes grouped by (pool, `value` of the node), nodes without a value left out; groups
    in key order, nodes in each by name. Nodes with no pool label are under pool `""`."""
    grouped: dict[tuple[str, K], list[NodeInfo]] = {}
    for node in nodes:
        key = value(node)
        if key is not None:
            grouped.setdefault((node.pool or "", key), []).append(node)
    return {k: sorted(grouped[k], key=lambda n: n.name) for k in sorted(grouped)}


def by_pool(nodes: Iterable[NodeInfo]) -> dict[str, list[NodeInfo]]:
    """Nodes grouped by pool name (no pool label: `""`), pools by name, nodes by name."""
    return {pool: members for (pool, _), members in by_pool_and(nodes, lambda _: 0).items()}
