"""Paginated lists (`limit`/`continue`), restarted from the top when the server expires a
continue token (410 Gone)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from upgradecheck.collect.cluster.transport import RequestRefused, Transport

PAGE_SIZE = 500
MAX_RESTARTS = 3
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

    A 410 on a continue token means the snapshot the pages were read from has expired; the
    list starts over and the caller must discard the pages it already got, so each restart
    is signalled by yielding RESTART (compare by identity) first."""
    restarts = 0
    token: str | None = None
    while True:
        query: list[tuple[str, Any]] = [("limit", page_size)]
        if selector:
            query.append(("labelSelector", selector))
        if field_selector:
            query.append(("fieldSelector", field_selector))
        if token:
            query.append(("continue", token))
        try:
            doc = transport.get_json(path, query)
        except RequestRefused as exc:
            if exc.status == 410 and token and restarts < MAX_RESTARTS:
                restarts += 1
                token = None
                yield RESTART
                continue
            raise
        items = doc.get("items") if isinstance(doc, Mapping) else None
        yield list(items or ())
        token = (doc.get("metadata") or {}).get("continue") if isinstance(doc, Mapping) else None
        if not token:
            return
