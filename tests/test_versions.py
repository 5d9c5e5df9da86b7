"""Version parsing and hops."""

import pytest

from upgradecheck.versions import Minor, VersionError, hops, minor_from_server, parse_minor


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


def test_server_minor_with_plus() -> None:
    assert minor_from_server("1", "28+") == Minor(1, 28)
    assert minor_from_server("1", "28+", "v1.28.5-gke.100") == Minor(1, 28)
    with pytest.raises(VersionError):
        minor_from_server("one", "x")
