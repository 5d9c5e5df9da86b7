"""Kustomize folders in a scan: built with `kubectl kustomize`, each object pointing at the
resource file it came from; without kubectl (or when the build fails), the resource files
the kustomization lists are scanned as written.

To learn where each built object came from, the folder is built through a throw-away
kustomization (in a temporary folder, never in the user's tree) that lists it as its only
resource and asks for kustomize's `originAnnotations`: each object then names its source
file, and the annotation is removed again before the object is kept. A kubectl too old for
that builds the folder directly, and findings point at the line of the built stream.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any

from upgradecheck.collect.binaries import (
    BuildOptions,
    Client,
    FolderOutput,
    Placement,
    RunResult,
    Stream,
    run_client,
)
from upgradecheck.collect.yaml_documents import Document, first_mapping, iter_yaml_documents
from upgradecheck.model import CoverageNote

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
"""The file names that make a folder a kustomization (kustomize's own list)."""

ORIGIN = "config.kubernetes.io/origin"
"""The annotation kustomize's `originAnnotations` adds."""

MAX_DEPTH = 16
"""How deep kustomizations listing kustomizations are followed by the fallback."""

_LISTS = ("resources", "bases", "components")
_ORIGIN_PATH = re.compile(r"^path:[ \t]*['\"]?(.+?)['\"]?[ \t]*$", re.M)
_ORIGIN_REPO = re.compile(r"^repo:[ \t]*(.+?)[ \t]*$", re.M)
_REMOTE_PREFIXES = ("github.com/", "gitlab.com/", "bitbucket.org/", "git@", "git::", "ssh://")


def kustomization_file(fs_dir: str) -> str | None:
    """The folder's kustomization file, or None when it is not a kustomization."""
    for name in KUSTOMIZATION_FILES:
        path = os.path.join(fs_dir, name)
        if os.path.isfile(path):
            return path
    return None


def _is_remote(entry: str) -> bool:
    return "://" in entry or entry.startswith(_REMOTE_PREFIXES) or "?ref=" in entry


@dataclass
class _Listing:
    """What a kustomization lists, followed through the kustomizations it lists."""

    files: list[tuple[str, str]] = field(default_factory=list)
    """(display, filesystem path) of resource files."""
    consumed: list[str] = field(default_factory=list)
    """Filesystem paths of listed files and kustomization folders."""
    notes: list[CoverageNote] = field(default_factory=list)
    """Remote resources, missing paths, broken kustomization files."""


def list_resources(fs_dir: str, display: str) -> _Listing:
    """The resource files a kustomization lists, through the kustomizations it lists."""
    listing = _Listing()
    _list(fs_dir, display, listing, set(), 0)
    return listing


def _list(fs_dir: str, display: str, listing: _Listing, seen: set[str], depth: int) -> None:
    real = os.path.realpath(fs_dir)
    if real in seen or depth > MAX_DEPTH:
        return
    seen.add(real)
    path = kustomization_file(fs_dir)
    if path is None:
        return
    where = os.path.join(display, os.path.basename(path))
    data = _read_kustomization(path, where, listing.notes)
    for key in _LISTS:
        entries = data.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, str) or not entry.strip():
                continue
            entry = entry.strip()
            if _is_remote(entry):
                listing.notes.append(CoverageNote(
                    where, f"{where}: remote resource {entry} not fetched: not scanned", "gap"
                ))
                continue
            target = os.path.normpath(os.path.join(fs_dir, entry))
            shown = os.path.normpath(os.path.join(display, entry))
            if os.path.isfile(target):
                listing.files.append((shown, target))
                listing.consumed.append(target)
            elif os.path.isdir(target) and kustomization_file(target):
                listing.consumed.append(target)
                _list(target, shown, listing, seen, depth + 1)
            elif os.path.isdir(target):
                listing.notes.append(CoverageNote(
                    where, f"{where}: {key} entry {entry} is a folder without a kustomization "
                    "file (kustomize refuses it): not scanned through this kustomization", "gap"
                ))
            else:
                listing.notes.append(CoverageNote(
                    where, f"{where}: {key} entry {entry} does not exist", "error"
                ))


def _read_kustomization(path: str, where: str, notes: list[CoverageNote]) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            text = handle.read(16 * 1024 * 1024).decode("utf-8", "replace")
    except OSError as exc:
        notes.append(CoverageNote(where, f"{where}: cannot read: {exc.strerror or exc}", "error"))
        return {}
    return first_mapping(text, where, notes)


def read_kustomization(fs_dir: str, display: str, options: BuildOptions) -> FolderOutput:
    """Build a kustomization folder with kubectl (or scan the resources it lists)."""
    listing = list_resources(fs_dir, display)
    out = FolderOutput(consumed=list(listing.consumed))
    kubectl = options.kubectl.get()
    if kubectl is not None:
        result, origins = _build(kubectl, fs_dir, options.timeout)
        if result.ok:
            detail = f"built by kubectl kustomize (kubectl {kubectl.version}) from {display}"
            placer = _KustomizePlacer(fs_dir, display, detail, origins)
            out.streams.append(Stream(f"{display} (kustomize build)", result.stdout, placer))
            out.stats["kustomizations_built"] = 1
            out.stats["files"] = len(listing.files)
            return out
        out.notes.append(CoverageNote(
            display, f"{display}: kubectl kustomize (kubectl {kubectl.version}) failed: "
            f"{result.error}", "error",
        ))
        reason = "kubectl kustomize failed"
    else:
        reason = options.kubectl.missing
    out.notes.extend(listing.notes)
    out.files.extend(listing.files)
    count = len(listing.files)
    out.notes.append(CoverageNote(
        display,
        f"kustomization {display} not built: {reason}; scanned the {count} resource "
        f"file{'s' if count != 1 else ''} it lists as written (patches, generators and name "
        "changes not applied)",
        "gap",
    ))
    out.stats["kustomizations_not_built"] = 1
    return out


def _build(kubectl: Client, fs_dir: str, timeout: float) -> tuple[RunResult, str | None]:
    """Build with origin annotations where kubectl can, else directly. Returns the run and
    the folder the origin paths are relative to (None: no origins)."""
    wrapper = tempfile.mkdtemp(prefix="upgradecheck-kustomize-")
    try:
        relative = os.path.relpath(os.path.realpath(fs_dir), os.path.realpath(wrapper))
        with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as handle:
            handle.write(
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                f"resources:\n- {_yaml_string(relative)}\nbuildMetadata: [originAnnotations]\n"
            )
        result = run_client([kubectl.path, "kustomize", wrapper], timeout)
        if result.ok:
            return result, os.path.realpath(wrapper)
    except (OSError, ValueError):
        pass  # no temporary folder, or another drive (Windows): build directly
    finally:
        shutil.rmtree(wrapper, ignore_errors=True)
    return run_client([kubectl.path, "kustomize", fs_dir], timeout), None


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _KustomizePlacer:
    """Maps each built object to the resource file (and line) it came from."""

    def __init__(self, fs_dir: str, display: str, detail: str, origins: str | None) -> None:
        self.fs_dir = os.path.realpath(fs_dir)
        self.display = display
        self.detail = detail
        self.origins = origins
        self.sources: dict[str, list[tuple[str, str, str, int]]] = {}

    def __call__(self, source: str | None, data: Any, line: int) -> Placement:
        origin, data = _pop_origin(data)
        fallback = Placement(f"{self.display} (kustomize build):{line}", self.detail, data)
        if origin is None or self.origins is None:
            return fallback
        path = _ORIGIN_PATH.search(origin)
        repo = _ORIGIN_REPO.search(origin)
        if path is None or repo is not None:
            return fallback
        fs_path = os.path.normpath(os.path.join(self.origins, path.group(1)))
        shown = os.path.normpath(
            os.path.join(self.display, os.path.relpath(fs_path, self.fs_dir))
        )
        at = self._line(fs_path, data)
        return Placement(f"{shown}:{at}", self.detail, data)

    def _line(self, fs_path: str, data: Any) -> int:
        """The line of the source document that became `data` (same apiVersion and kind,
        the name it had before kustomize's prefixes and suffixes), best effort."""
        documents = self.sources.get(fs_path)
        if documents is None:
            documents = _documents(fs_path)
            self.sources[fs_path] = documents
        if not isinstance(data, dict):
            return 1
        api, kind = data.get("apiVersion"), data.get("kind")
        metadata = data.get("metadata")
        name = str(metadata.get("name") or "") if isinstance(metadata, dict) else ""
        same = [d for d in documents if d[0] == api and d[1] == kind]
        for match in (
            [d for d in same if d[2] == name],
            [d for d in same if d[2] and d[2] in name],
            same,
            documents,
        ):
            if match:
                return match[0][3]
        return 1


def _documents(fs_path: str) -> list[tuple[str, str, str, int]]:
    """(apiVersion, kind, name, line) of each object of a file; empty when unreadable."""
    try:
        with open(fs_path, "rb") as handle:
            text = handle.read(16 * 1024 * 1024).decode("utf-8", "replace")
    except OSError:
        return []
    found = []
    for outcome in iter_yaml_documents(text):
        if isinstance(outcome, Document) and isinstance(outcome.data, dict):
            data = outcome.data
            metadata = data.get("metadata")
            name = str(metadata.get("name") or "") if isinstance(metadata, dict) else ""
            found.append(
                (str(data.get("apiVersion", "")), str(data.get("kind", "")), name, outcome.line)
            )
    return found


def _pop_origin(data: Any) -> tuple[str | None, Any]:
    """The origin annotation, and the object without it."""
    if not isinstance(data, dict):
        return None, data
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return None, data
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict) or ORIGIN not in annotations:
        return None, data
    origin = annotations[ORIGIN]
    rest = {k: v for k, v in annotations.items() if k != ORIGIN}
    new_metadata = {k: v for k, v in metadata.items() if k != "annotations"}
    if rest:
        new_metadata["annotations"] = rest
    return (origin if isinstance(origin, str) else None), {**data, "metadata": new_metadata}

