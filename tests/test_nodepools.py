"""Nodes by pool: the grouping the checks, the plan and the reports share."""

from __future__ import annotations

from upgradecheck.model import NodeInfo
from upgradecheck.nodepools import by_pool, by_pool_and, pool_label


def _nodes() -> list[NodeInfo]:
    return [
        NodeInfo("b-2", "v1.29.1", pool="blue"),
        NodeInfo("solo", "v1.28.0"),
        NodeInfo("a-1", "v1.30.0", pool="apps"),
        NodeInfo("b-1", "v1.28.4", pool="blue"),
        NodeInfo("b-3", "bad", pool="blue"),
    ]


def test_pools_by_name_nodes_by_name_and_no_pool_first() -> None:
    grouped = by_pool(_nodes())
    assert [(pool, [n.name for n in members]) for pool, members in grouped.items()] == [
        ("", ["solo"]),
        ("apps", ["a-1"]),
        ("blue", ["b-1", "b-2", "b-3"]),
    ]


def test_grouped_by_pool_and_a_value_with_unvalued_nodes_left_out() -> None:
    grouped = by_pool_and(_nodes(), lambda n: n.kubelet_version[:5] if n.name != "b-3" else None)
    assert {k: [n.name for n in v] for k, v in grouped.items()} == {
        ("", "v1.28"): ["solo"],
        ("apps", "v1.30"): ["a-1"],
        ("blue", "v1.28"): ["b-1"],
        ("blue", "v1.29"): ["b-2"],
    }
    assert list(grouped) == sorted(grouped)


def test_pool_label() -> None:
    assert pool_label("blue") == "node pool blue"
    assert pool_label(None) == pool_label("") == "the nodes with no pool label"
