"""The API server's `apiserver_requested_deprecated_apis` gauge, read from `/metrics`."""

from __future__ import annotations

import re

from upgradecheck.model import ApiRequest

_SERIES = "apiserver_requested_deprecated_apis{"
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def deprecated_api_requests(metrics_text: str) -> tuple[ApiRequest, ...]:
    """Every series of the gauge with a non-zero value, de-duplicated."""
    seen: dict[tuple[str, str, str, str], ApiRequest] = {}
    for line in metrics_text.splitlines():
        if not line.startswith(_SERIES):
            continue
        labels_text, _, value = line[len(_SERIES) :].rpartition("}")
        try:
            if float(value.split()[0]) == 0:
                continue
        except (ValueError, IndexError):
            continue
        labels = dict(_LABEL.findall(labels_text))
        req = ApiRequest(
            group=labels.get("group", ""),
            version=labels.get("version", ""),
            resource=labels.get("resource", ""),
            subresource=labels.get("subresource", ""),
            removed_release=labels.get("removed_release") or None,
        )
        if req.version and req.resource:
            seen[(req.group, req.version, req.resource, req.subresource)] = req
    return tuple(seen.values())
