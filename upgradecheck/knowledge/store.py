"""Where an installed knowledge-base bundle lives (`$XDG_DATA_HOME/upgradecheck/kb/`), the
manifest written beside its files, and how data versions compare."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from upgradecheck.knowledge._fields import KnowledgeError

MANIFEST = "bundle.json"
"""The installed bundle's manifest, beside its data files."""
INSTALLED_SCHEMA = "upgradecheck.kb-installed/v1"

_DATA_VERSION = re.compile(r"^\d{4}\.\d{2}\.\d{2}(\.\d+)?$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def data_home() -> Path:
    """`$XDG_DATA_HOME`, else `~/.local/share` (the XDG base directory default)."""
    given = os.environ.get("XDG_DATA_HOME", "")
    # The specification says a relative path is invalid and must be ignored.
    if given and Path(given).is_absolute():
        return Path(given)
    return Path.home() / ".local" / "share"


def installed_dir() -> Path:
    """The folder an installed bundle's data files live in."""
    return data_home() / "upgradecheck" / "kb"


def is_data_version(text: Any) -> bool:
    """Whether `text` is a data version: `2026.12.02`, or `2026.12.02.1` for a second one
    that day."""
    return isinstance(text, str) and bool(_DATA_VERSION.match(text))


def version_key(text: str) -> tuple[int, ...]:
    """`2026.12.02.1` → (2026, 12, 2, 1), for ordering; a missing serial counts as 0."""
    parts = [int(p) for p in text.split(".")] if is_data_version(text) else [0]
    return tuple(parts + [0] * (4 - len(parts)))


@dataclass(frozen=True)
class InstalledBundle:
    """A bundle installed by `upgradecheck kb update`."""

    folder: Path
    """Where its data files are."""
    data_version: str
    """Its data version."""
    knowledge_version: str
    """The knowledge version its data gives reports (the digest of its data files)."""
    sha256: str
    """The bundle file's own digest."""
    files: Mapping[str, str]
    """Each data file's sha256, checked whenever the data is read."""
    installed_from: str
    """The bundle file it was installed from."""
    installed_at: str
    """When (ISO 8601, UTC)."""

    def manifest(self) -> dict[str, Any]:
        """The manifest's JSON document."""
        return {
            "schema": INSTALLED_SCHEMA,
            "data_version": self.data_version,
            "knowledge_version": self.knowledge_version,
            "sha256": self.sha256,
            "files": dict(sorted(self.files.items())),
            "installed_from": self.installed_from,
            "installed_at": self.installed_at,
        }


def installed(folder: Path | None = None) -> InstalledBundle | None:
    """The installed bundle, None when there is none; a KnowledgeError when its manifest is
    unreadable (the message says how to remove it)."""
    folder = folder or installed_dir()
    path = folder / MANIFEST
    if not folder.exists():
        return None
    fix = "run `upgradecheck kb reset` to go back to the bundled data"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = f"the installed bundle's manifest is unreadable ({exc})"
        raise KnowledgeError(f"{path}: {reason}; {fix}") from None
    files = doc.get("files") if isinstance(doc, dict) else None
    if (
        not isinstance(doc, dict)
        or doc.get("schema") != INSTALLED_SCHEMA
        or not is_data_version(doc.get("data_version"))
        or not isinstance(files, dict)
        or not all(isinstance(k, str) and _SHA256.match(str(v)) for k, v in files.items())
        or not all(isinstance(doc.get(k), str) for k in ("knowledge_version", "sha256"))
    ):
        raise KnowledgeError(f"{path}: the installed bundle's manifest is malformed; {fix}")
    return InstalledBundle(
        folder=folder,
        data_version=doc["data_version"],
        knowledge_version=doc["knowledge_version"],
        sha256=doc["sha256"],
        files=files,
        installed_from=str(doc.get("installed_from", "")),
        installed_at=str(doc.get("installed_at", "")),
    )
