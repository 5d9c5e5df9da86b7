"""How counts and lists of names read in messages: `3 nodes`, `a, b and 4 more`."""

from __future__ import annotations

from collections.abc import Sequence

NAMES_CAP = 5
"""At most this many names spelled out in a message."""


def names(items: Sequence[str], cap: int = NAMES_CAP) -> str:
    """`a, b and c`, or `a, b, c, d, e and 7 more` beyond `cap`."""
    if not items:
        return ""
    shown = list(items[:cap])
    rest = len(items) - len(shown)
    if rest:
        return f"{', '.join(shown)} and {rest} more"
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 node`, `3 nodes`."""
    return f"{count} {word if count == 1 else (many or word + 's')}"
