"""Paginated lists (`limit`/`continue`), started over when the server expires a continue token
(410 Gone) or a page is larger than the answer size limit, and bounded: a continue token seen
twice, or more pages than any cluster holds, ends the list with an error."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from upgradecheck.collect.cluster.transport import Decode, RequestFailed, Transport

PAGE_SIZE = 500
MAX_PAGES = 10_000
"""More pages than this in one list (five million objects at the usual page size) is a
server that never ends its list."""
_MAX_RESTARTS = 4
RESTART: list[Any] = []
"""Yielded (by identity) when a list starts over: drop what the earlier pages gave."""


def _malformed(reason: str, path: str) -> RequestFailed:
    return RequestFailed(0, reason, path, "malformed")


def list_items(
    transport: Transport,
    path: str,
    selector: str | None = None,
    page_size: int = PAGE_SIZE,
    field_selector: str | None = None,
    decode: Decode = json.loads,
) -> Iterator[list[Any]]:
    """Yield the items of a list page by page (items are as `decode` parsed them: the caller
    checks each is an object). RequestFailed when the list cannot be read to its end.

    A 410 on a continue token means the snapshot the pages were read from has expired: the
    list is read again in one unpaginated request. A page over the size limit makes the list
    start again with pages a tenth the size. Either way the caller must discard the pages it
    already got, which RESTART (compare by identity) signals first."""
    token: str | None = None
    paged = True
    seen: set[str] = set()
    restarts = 0
    while True:
        query: list[tuple[str, Any]] = [("limit", page_size)] if paged else []
        if selector:
            query.append(("labelSelector", selector))
        if field_selector:
            query.append(("fieldSelector", field_selector))
        if token:
            query.append(("continue", token))
        try:
            doc = transport.get_json(path, query, decode)
        except RequestFailed as exc:
            if exc.status == 410 and token:
                # The snapshot the pages came from was compacted away. As client-go's pager
                # does, read the whole list in one unpaginated request: it cannot expire.
                paged = False
            elif exc.kind == "too-large" and (page_size > 1 or not paged):
                page_size, paged = max(1, page_size // 10), True
            else:
                raise
            restarts += 1
            if restarts > _MAX_RESTARTS:
                why = f"started over {_MAX_RESTARTS} times ({exc.reason})"
                raise _malformed(why, path) from None
            token = None
            seen.clear()
            yield RESTART
            continue
        if not isinstance(doc, Mapping):
            raise _malformed("the answer is not a list object", path)
        items = doc.get("items")
        if not isinstance(items, list):
            if items is not None:
                raise _malformed("the answer's items are not a list", path)
            items = []
        yield items
        meta = doc.get("metadata")
        token = meta.get("continue") if isinstance(meta, Mapping) else None
        if not token or not paged:
            return
        if not isinstance(token, str):
            raise _malformed("the answer's continue token is not a string", path)
        if token in seen:
            raise _malformed("the server sent the same continue token twice (endless pages)", path)
        seen.add(token)
        if len(seen) >= MAX_PAGES:
            raise _malformed(f"more than {MAX_PAGES:,} pages", path)
