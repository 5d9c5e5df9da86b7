"""The limits a manifest scan starts from, in a module of their own: the jobs (run.py) and
the command line name them as defaults without importing the scanner and the client runner
that apply them (`assess` imports neither)."""

from __future__ import annotations

DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024
"""Files larger than this are reported, not read: manifests are far smaller."""

RUN_TIMEOUT = 60.0
"""Seconds a `helm template` or `kubectl kustomize` may take (`--client-timeout`): real
charts and overlays take a few; a template looping for ever is stopped here."""
