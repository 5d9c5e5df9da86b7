"""Knowledge-base bundles: one JSON file carrying a folder of data files, versioned and
digested, so a team can take newer deprecation data without a new upgradecheck release.

`build_bundle` makes one from a data folder (validated first); `install_bundle` checks one
(schema, every file's sha256, the bundle's digest, the data itself, its version against the
data in use) and installs it into `$XDG_DATA_HOME/upgradecheck/kb/`; `reset` removes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from upgradecheck import __version__
from upgradecheck.knowledge import store
from upgradecheck.knowledge._fields import KnowledgeError
from upgradecheck.knowledge.loader import (
    BUNDLE_FILES,
    VERSION,
    active_data,
    load_knowledge_base,
)
from upgradecheck.knowledge.model import KnowledgeBase

BUNDLE_SCHEMA = "upgradecheck.kb-bundle/v1"
BUNDLE_KEYS = ("schema", "data_version", "knowledge_version", "built_by", "files", "sha256")


def _file_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bundle_digest(files: Mapping[str, str]) -> str:
    """The bundle's digest: sha256 over each file's name and sha256, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{files[name]}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Bundle:
    """A bundle's manifest and data files, as read from its file."""

    data_version: str
    """The data's version (its `kb-version.yaml`)."""
    knowledge_version: str
    """The knowledge version reports judged with this data carry."""
    built_by: str
    """The upgradecheck that built it."""
    texts: Mapping[str, str]
    """Each data file's text."""
    sha256: str
    """The bundle's digest (`bundle_digest` of its files' digests)."""

    def document(self) -> dict[str, Any]:
        """The bundle file's JSON document."""
        return {
            "schema": BUNDLE_SCHEMA,
            "data_version": self.data_version,
            "knowledge_version": self.knowledge_version,
            "built_by": self.built_by,
            "files": [
                {"name": n, "sha256": _file_digest(t), "text": t}
                for n, t in sorted(self.texts.items())
            ],
            "sha256": self.sha256,
        }


def build_bundle(folder: Path) -> Bundle:
    """A bundle of the data files in `folder`, which must validate and carry a data
    version (its `kb-version.yaml`)."""
    kb = load_knowledge_base(folder)
    if not kb.data_version:
        raise KnowledgeError(f"{folder}: no {VERSION}; a bundle needs a data version")
    texts: dict[str, str] = {}
    for name in BUNDLE_FILES:
        try:
            texts[name] = (folder / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KnowledgeError(f"{folder / name}: cannot read the file ({exc})") from None
    digests = {n: _file_digest(t) for n, t in texts.items()}
    return Bundle(
        kb.data_version, kb.version, f"upgradecheck {__version__}", texts, bundle_digest(digests)
    )


def write_bundle(bundle: Bundle, path: Path) -> None:
    """Write the bundle file."""
    text = json.dumps(bundle.document(), indent=1, ensure_ascii=False) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot write the bundle ({exc.strerror or exc})") from None


def read_bundle(path: Path) -> Bundle:
    """Read a bundle file and check its shape, every file's sha256 and its digest (the data
    itself is validated on install)."""

    def bad(problem: str) -> KnowledgeError:
        return KnowledgeError(f"{path}: not a valid knowledge-base bundle: {problem}")

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read the bundle ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("schema") != BUNDLE_SCHEMA:
        found = doc.get("schema") if isinstance(doc, dict) else None
        raise bad(f"schema must be {BUNDLE_SCHEMA!r}, not {found!r}")
    unknown = sorted(set(doc) - set(BUNDLE_KEYS))
    missing = sorted(set(BUNDLE_KEYS) - set(doc))
    if unknown or missing:
        raise bad(f"unknown key {unknown[0]!r}" if unknown else f"missing key {missing[0]!r}")
    if not store.is_data_version(doc["data_version"]):
        raise bad(f"data_version {doc['data_version']!r} is not a data version")
    entries = doc["files"]
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and {"name", "sha256", "text"} <= set(e) for e in entries
    ):
        raise bad("files must be a list of {name, sha256, text}")
    texts: dict[str, str] = {}
    digests: dict[str, str] = {}
    for entry in entries:
        name, text = entry["name"], entry["text"]
        if name not in BUNDLE_FILES or name in texts or not isinstance(text, str):
            raise bad(f"file {name!r} is unknown, repeated or not text")
        if _file_digest(text) != entry["sha256"]:
            raise bad(f"{name}: its sha256 does not match its text")
        texts[name], digests[name] = text, entry["sha256"]
    if set(texts) != set(BUNDLE_FILES):
        raise bad(f"files missing: {', '.join(sorted(set(BUNDLE_FILES) - set(texts)))}")
    if bundle_digest(digests) != doc["sha256"]:
        raise bad("its sha256 does not match its files")
    return Bundle(
        doc["data_version"], str(doc["knowledge_version"]), str(doc["built_by"]), texts,
        doc["sha256"],
    )  # fmt: skip


@dataclass(frozen=True)
class Installed:
    """What `install_bundle` did."""

    bundle: Bundle
    """The bundle installed."""
    folder: Path
    """Where its files now are."""
    replaced: str | None
    """The data version of the bundle it replaced, if one was installed."""


def _unpack(bundle: Bundle, folder: Path) -> KnowledgeBase:
    """Write the bundle's files into `folder` and validate them as the loader will."""
    for name, text in bundle.texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    kb = load_knowledge_base(folder)
    if kb.version != bundle.knowledge_version:
        raise KnowledgeError(
            f"the bundle says knowledge version {bundle.knowledge_version}, its data gives "
            f"{kb.version}"
        )
    if kb.data_version != bundle.data_version:
        raise KnowledgeError(
            f"the bundle says data version {bundle.data_version}, its {VERSION} "
            f"{kb.data_version}"
        )
    return kb


def install_bundle(path: Path, *, expected_sha256: str | None = None) -> Installed:
    """Check the bundle at `path` and install it, replacing an installed one. Refused when
    its data is not newer than the data this upgradecheck ships (it would never be used) or
    than the installed bundle's."""
    bundle = read_bundle(path)
    if expected_sha256 is not None and bundle.sha256 != expected_sha256.lower():
        raise KnowledgeError(f"{path}: sha256 {bundle.sha256} is not the expected one")
    active = active_data()
    newest = active.bundle.data_version if active.bundle else active.bundled_version
    newest = max(newest, active.bundled_version, key=store.version_key)
    if store.version_key(bundle.data_version) <= store.version_key(newest):
        raise KnowledgeError(
            f"{path}: data version {bundle.data_version} is not newer than the data in use or "
            f"installed ({newest}); nothing installed"
        )
    target = store.installed_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix="kb.new-", dir=target.parent))
    try:
        try:
            _unpack(bundle, fresh)
        except KnowledgeError as exc:
            raise KnowledgeError(f"{path}: the bundle's data is not valid: {exc}") from None
        manifest = store.InstalledBundle(
            folder=target,
            data_version=bundle.data_version,
            knowledge_version=bundle.knowledge_version,
            sha256=bundle.sha256,
            files={n: _file_digest(t) for n, t in bundle.texts.items()},
            installed_from=str(path),
            installed_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        )
        (fresh / store.MANIFEST).write_text(
            json.dumps(manifest.manifest(), indent=2) + "\n", encoding="utf-8"
        )
        replaced = active.bundle.data_version if active.bundle else None
        _swap(fresh, target)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return Installed(bundle, target, replaced)


def _swap(fresh: Path, target: Path) -> None:
    """Put `fresh` in place of `target` with renames, so a reader sees one or the other."""
    old = target.with_name(f"kb.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)


def reset() -> store.InstalledBundle | None:
    """Remove the installed bundle (the bundled data is used again); what was removed."""
    target = store.installed_dir()
    try:
        removed = store.installed(target)
    except KnowledgeError:
        removed = None  # a broken install is removed all the same
    if target.exists():
        shutil.rmtree(target)
    return removed
