"""Paginated lists (`limit`/`continue`), restarted from the top when the server expires a
continue token (410 Gone)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from upgradecheck.collect.cluster.transport import RequestRefused, Transport

PAGE_SIZE = 500
RESTART: list[Mapping[str, Any]] = []
"""Yielded (by identity) when a list starts over: drop what the earlier pages gave."""


def list_items(
    transport: Transport,
    path: str,
    selector: str | None = None,
    page_size: int = PAGE_SIZE,
    field_selector: str | None = None,
) -> Iterator[list[Mapping[str, Any]]]:
    """Yield the items of a list page by page. RequestRefused for 403/404 and the like.

    A 410 on a continue token means the snapshot the pages were read from has expired: the
    list is read again in one unpaginated request, and the caller must discard the pages it
    already got, which RESTART (compare by identity) signals first."""
    token: str | None = None
    paged = True
    while True:
        query: list[tuple[str, Any]] = [("limit", page_size)] if paged else []
        if selector:
            query.append(("labelSelector", selector))
        if field_selector:
            query.append(("fieldSelector", field_selector))
        if token:
            query.append(("continue", token))
        try:
            doc = transport.get_json(path, query)
        except RequestRefused as exc:
            if exc.status == 410 and token:
                # The snapshot the pages came from was compacted away. As client-go's pager
                # does, read the whole list in one unpaginated request: it cannot expire.
                token, paged = None, False
                yield RESTART
                continue
            raise
        items = doc.get("items") if isinstance(doc, Mapping) else None
        yield list(items or ())
        token = (doc.get("metadata") or {}).get("continue") if isinstance(doc, Mapping) else None
        if not token:
            return
