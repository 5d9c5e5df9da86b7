"""The API server's `apiserver_requested_deprecated_apis` gauge, read from `/metrics`."""

from __future__ import annotations

import re
from dataclasses import replace

from upgradecheck.model import ApiRequest

_SERIES = "apiserver_requested_deprecated_apis{"
_TOTAL = "apiserver_request_total{"
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def _series(line: str, prefix: str) -> tuple[dict[str, str], float] | None:
    labels_text, _, value = line[len(prefix) :].rpartition("}")
    try:
        number = float(value.split()[0])
    except (ValueError, IndexError):
        return None
    return dict(_LABEL.findall(labels_text)), number


def deprecated_api_requests(metrics_text: str) -> tuple[ApiRequest, ...]:
    """Every series of the gauge with a non-zero value, de-duplicated, with the number of
    requests `apiserver_request_total` counted for the same group/version/resource."""
    seen: dict[tuple[str, str, str, str], ApiRequest] = {}
    totals: dict[tuple[str, str, str, str], float] = {}
    for line in metrics_text.splitlines():
        if line.startswith(_TOTAL):
            parsed = _series(line, _TOTAL)
            if parsed is not None:
                lb, n = parsed
                key = (
                    lb.get("group", ""),
                    lb.get("version", ""),
                    lb.get("resource", ""),
                    lb.get("subresource", ""),
                )
                totals[key] = totals.get(key, 0.0) + n
            continue
        if not line.startswith(_SERIES):
            continue
        parsed = _series(line, _SERIES)
        if parsed is None or parsed[1] == 0:
            continue
        labels = parsed[0]
        req = ApiRequest(
            group=labels.get("group", ""),
            version=labels.get("version", ""),
            resource=labels.get("resource", ""),
            subresource=labels.get("subresource", ""),
            removed_release=labels.get("removed_release") or None,
        )
        if req.version and req.resource:
            seen[(req.group, req.version, req.resource, req.subresource)] = req
    return tuple(
        replace(req, count=int(totals[key])) if key in totals else req for key, req in seen.items()
    )
