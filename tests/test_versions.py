"""Version parsing and hops."""

import pytest

from upgradecheck.versions import (
    Minor,
    VersionError,
    hops,
    minor_key,
    minor_or_none,
    parse_minor,
)


@pytest.mark.parametrize(
    "text", ["1.33", "v1.33", "1.33.2", "v1.33.2", "v1.33.2-eks-1234", " 1.33 ", "v1.33.0+k3s1"]
)
def test_accepted_forms(text: str) -> None:
    assert parse_minor(text) == Minor(1, 33)


@pytest.mark.parametrize("text", ["1.x", "", "latest", "1", "v1.33.x", "1..3", "133"])
def test_rejected_forms(text: str) -> None:
    with pytest.raises(VersionError, match="not a Kubernetes version"):
        parse_minor(text)


def test_ordering_and_steps() -> None:
    assert Minor(1, 9) < Minor(1, 10)
    assert Minor(1, 29).next() == Minor(1, 30)
    assert Minor(1, 31).minus(Minor(1, 28)) == 3
    assert hops(Minor(1, 29), Minor(1, 31)) == (Minor(1, 30), Minor(1, 31))
    assert hops(Minor(1, 29), Minor(1, 29)) == ()


@pytest.mark.parametrize(
    ("text", "minor"),
    [("v1.23.17-eks-a59e1f0", Minor(1, 23)), ("1.30", Minor(1, 30)), ("", None), (None, None),
     ("5.x", None), ("v" + "9" * 5000 + ".1", None)],
)
def test_minor_or_none_reads_what_a_cluster_reports(text: str | None, minor: Minor | None) -> None:
    assert minor_or_none(text) == minor


def test_minor_key_orders_by_minor_with_unreadable_first() -> None:
    versions = ["1.10", "v1.9.3", None, "garbage", "1.9"]
    assert sorted(versions, key=minor_key) == [None, "garbage", "v1.9.3", "1.9", "1.10"]
