"""Kustomize folders in a scan: built with `kubectl kustomize`, each object pointing at the
resource file it came from; without kubectl (or when the build fails), the resource files
the kustomization lists are scanned as written.

Nothing outside the scanned tree is read (`contain`). kubectl builds a copy: the
kustomization files, and the files and folders their fields name, copied as regular files
into a temporary folder. A kustomization that names a path leading out of the tree (`../`
past its top, an absolute path, a link out) is not built; the fallback reads only what the
tree holds. Nor is anything fetched: a kustomization naming a remote resource (a git
repository, an http URL) is not built, and kubectl runs with none of the caller's
environment (`binaries.contained_env`), so it finds no kubeconfig, credentials or git.

To learn where each built object came from, the copy is built through a throw-away
kustomization beside it that lists it as its only resource and asks for kustomize's
`originAnnotations`: each object then names its source file, and the annotation is removed
again before the object is kept. A kubectl too old for that builds the copy directly, and
findings point at the line of the built stream.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from upgradecheck.collect.binaries import (
    BuildOptions,
    Client,
    FolderOutput,
    Placement,
    Stream,
    run_client,
)
from upgradecheck.collect.contain import (
    COPY_FACTOR,
    Refused,
    TooLarge,
    Tree,
    copy_files,
    list_folder,
    read_inside,
    read_regular,
)
from upgradecheck.collect.folder_files import KUSTOMIZATION_FILES
from upgradecheck.collect.yaml_documents import Document, first_mapping, iter_yaml_documents
from upgradecheck.model import CoverageNote
from upgradecheck.safetext import redact_url

ORIGIN = "config.kubernetes.io/origin"
"""The annotation kustomize's `originAnnotations` adds."""

MAX_DEPTH = 16
"""How deep kustomizations listing kustomizations are followed by the fallback."""

MAX_KUSTOMIZATION_BYTES = 16 * 1024 * 1024
"""Most bytes read of one kustomization file."""

_LISTS = ("resources", "bases", "components")
_ORIGIN_PATH = re.compile(r"^path:[ \t]*['\"]?(.+?)['\"]?[ \t]*$", re.M)
_ORIGIN_REPO = re.compile(r"^repo:[ \t]*(.+?)[ \t]*$", re.M)
_REMOTE_PREFIXES = ("github.com/", "gitlab.com/", "bitbucket.org/", "git@", "git::", "ssh://")
_NOT_PATHS = frozenset({
    "apiVersion", "kind", "metadata", "namespace", "namePrefix", "nameSuffix",
    "commonLabels", "commonAnnotations", "labels", "images", "replicas", "vars",
    "literals", "patch", "target", "source", "targets", "options", "buildMetadata",
    "sortOptions", "name", "behavior", "type",
})  # fmt: skip
"""Kustomization fields whose strings are never paths (labels, inline patches, literals):
their values are not taken for files to copy or to refuse."""

_LEAVES = "scan a folder that holds both, or pass --root"
_LINK_OUT = "through a symbolic link leading out of the scanned tree"


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
    """Remote resources, missing paths, broken kustomization files, paths out of the tree."""


def list_resources(fs_dir: str, display: str, tree: Tree | None = None) -> _Listing:
    """The resource files a kustomization lists, through the kustomizations it lists, as
    far as they are inside `tree` (default: the kustomization folder)."""
    listing = _Listing()
    _list(fs_dir, display, listing, set(), 0, tree if tree is not None else Tree.of(fs_dir))
    return listing


def _list(
    fs_dir: str, display: str, listing: _Listing, seen: set[str], depth: int, tree: Tree
) -> None:
    real = os.path.realpath(fs_dir)
    if real in seen or depth > MAX_DEPTH:
        return
    seen.add(real)
    path = kustomization_file(fs_dir)
    if path is None:
        return
    where = os.path.join(display, os.path.basename(path))
    data = _read_kustomization(path, where, listing.notes, tree)
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
                    where, f"{where}: remote resource {redact_url(entry)} not fetched: not "
                    "scanned", "gap",
                ))
                continue
            target = os.path.normpath(os.path.join(fs_dir, entry))
            shown = os.path.normpath(os.path.join(display, entry))
            inside = tree.resolve(target)
            if inside is None:
                listing.notes.append(CoverageNote(
                    where, f"{where}: {key} entry {entry} leads out of the scanned tree: not "
                    f"read ({_LEAVES})", "error",
                ))
            elif os.path.isfile(inside):
                listing.files.append((shown, inside))
                listing.consumed.append(inside)
            elif os.path.isdir(inside) and kustomization_file(inside):
                listing.consumed.append(inside)
                _list(target, shown, listing, seen, depth + 1, tree)
            elif os.path.isdir(inside):
                listing.notes.append(CoverageNote(
                    where, f"{where}: {key} entry {entry} is a folder without a kustomization "
                    "file (kustomize refuses it): not scanned through this kustomization", "gap"
                ))
            elif os.path.exists(inside):
                listing.notes.append(CoverageNote(
                    where, f"{where}: {key} entry {entry} is not a regular file: not read",
                    "error",
                ))
            else:
                listing.notes.append(CoverageNote(
                    where, f"{where}: {key} entry {entry} does not exist", "error"
                ))


def _read_kustomization(
    path: str, where: str, notes: list[CoverageNote], tree: Tree
) -> dict[str, Any]:
    try:
        raw = read_inside(path, tree, MAX_KUSTOMIZATION_BYTES)
    except Refused as exc:
        notes.append(CoverageNote(where, f"{where}: not read: {exc.why}", "error"))
        return {}
    except OSError as exc:
        notes.append(CoverageNote(where, f"{where}: cannot read: {exc.strerror or exc}", "error"))
        return {}
    return first_mapping(raw.decode("utf-8", "replace"), where, notes)


def read_kustomization(
    fs_dir: str,
    display: str,
    options: BuildOptions,
    limit: int = MAX_KUSTOMIZATION_BYTES,
    tree: Tree | None = None,
) -> FolderOutput:
    """Build a kustomization folder with kubectl (or scan the resources it lists), reading
    nothing outside `tree` (default: the folder); `limit` bounds kubectl's output."""
    tree = tree if tree is not None else Tree.of(fs_dir)
    listing = list_resources(fs_dir, display, tree)
    out = FolderOutput(consumed=list(listing.consumed))
    kubectl = options.kubectl.get()
    if kubectl is not None:
        built = _build(kubectl, fs_dir, display, tree, options.timeout, limit)
        if built.placer is not None:
            detail = f"built by kubectl kustomize (kubectl {kubectl.version}) from {display}"
            built.placer.detail = detail
            out.streams.append(Stream(f"{display} (kustomize build)", built.stdout, built.placer))
            out.stats["kustomizations_built"] = 1
            out.stats["files"] = len(listing.files)
            return out
        if built.failure:
            out.notes.append(CoverageNote(display, f"{display}: {built.failure}", "error"))
        reason = built.reason
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


@dataclass
class _Built:
    """A kubectl build: its output and how to place it, or why there is none."""

    stdout: str = ""
    """What kubectl printed."""
    placer: _KustomizePlacer | None = None
    """Where each built object came from (None: not built)."""
    failure: str = ""
    """The error note's text when not built (none when not building is no input error)."""
    reason: str = ""
    """Why not, for the fallback's note."""


def _build(
    kubectl: Client, fs_dir: str, display: str, tree: Tree, timeout: float, limit: int
) -> _Built:
    """Build a copy of the kustomization (and what it names) with origin annotations where
    kubectl can, else directly."""
    closure = _closure(fs_dir, display, tree)
    if closure.remote:
        # Not an input error: the remote entries are each noted by the listing.
        return _Built(reason=(
            f"it names a remote resource ({redact_url(closure.remote[0][1])}), which the scan "
            "does not fetch (build it where it may be fetched and scan the output: "
            "kubectl kustomize DIR | upgradecheck scan -)"
        ))
    if closure.outside:
        where, entry, why = closure.outside[0]
        return _Built(
            failure=f"kubectl kustomize not run: {where} names {entry}, {why} ({_LEAVES})",
            reason="it names a path outside the scanned tree",
        )
    version = f"kubectl kustomize (kubectl {kubectl.version})"
    with tempfile.TemporaryDirectory(prefix="upgradecheck-kustomize-") as work:
        work = os.path.realpath(work)
        copy_root = os.path.join(work, "tree")
        try:
            problems = copy_files(closure.files, copy_root, COPY_FACTOR * limit)
        except (TooLarge, OSError) as exc:
            why = str(exc) if isinstance(exc, TooLarge) else f"cannot copy it: {exc}"
            return _Built(failure=f"kubectl kustomize not run: {why}", reason=why)
        if problems:
            rel, why = problems[0]
            return _Built(
                failure=f"kubectl kustomize not run: {rel}: {why}",
                reason="a file it names cannot be copied for kubectl",
            )
        folder = os.path.join(copy_root, *closure.top.split("/")) if closure.top else copy_root
        sources = {os.path.join(copy_root, *rel.split("/")): real
                   for rel, real in closure.files.items()}
        wrapper = os.path.join(work, "wrapper")
        os.mkdir(wrapper)
        with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as handle:
            handle.write(
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                f"resources:\n- {_yaml_string(os.path.relpath(folder, wrapper))}\n"
                "buildMetadata: [originAnnotations]\n"
            )
        home = os.path.join(work, "home")
        os.mkdir(home)
        result = run_client(
            [kubectl.path, "kustomize", wrapper], timeout, max_output=limit, home=home
        )
        origins: str | None = wrapper
        if not result.ok and not result.stopped:
            # A kubectl too old for origin annotations: build the copy directly.
            result = run_client(
                [kubectl.path, "kustomize", folder], timeout, max_output=limit, home=home
            )
            origins = None
    if not result.ok:
        failure = f"{version} failed: {result.error}"
        return _Built(failure=failure, reason="kubectl kustomize failed")
    placer = _KustomizePlacer(folder, display, origins, sources)
    return _Built(stdout=result.stdout, placer=placer)


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class _Closure:
    """A kustomization's files for kubectl: itself, the kustomizations it names, and every
    file or folder their fields name, inside the tree."""

    top: str = ""
    """The kustomization folder, relative to the tree's root (POSIX)."""
    files: dict[str, str] = field(default_factory=dict)
    """Relative path in the copy → real path of the file to copy there."""
    outside: list[tuple[str, str, str]] = field(default_factory=list)
    """(kustomization file, value, why) of each value that leads out of the tree."""
    remote: list[tuple[str, str]] = field(default_factory=list)
    """(kustomization file, value) of each value kubectl would fetch (git, http)."""


def _closure(fs_dir: str, display: str, tree: Tree) -> _Closure:
    """What kubectl needs to build `fs_dir` from a copy.

    Every string of every field (but those that never hold paths) is taken as a path
    relative to its kustomization, as kustomize does for the fields that hold one, and as
    `key=path` for generators. Positions are by name (`a/link/../b` is `a/b`), as in the
    copy, where no links remain. A value that leads above the tree's top, an absolute path
    that exists, or a path through a link out of the tree is refused; one that does not
    exist is left for kubectl to report.
    """
    closure = _Closure()
    top = tree.resolve(fs_dir)
    if top is None:
        closure.outside.append((display, fs_dir, _LINK_OUT))
        return closure
    closure.top = tree.relative(top)
    queue = [(top, display)]
    seen: set[str] = set()
    while queue:
        folder, shown = queue.pop(0)
        if folder in seen:
            continue
        seen.add(folder)
        path = kustomization_file(folder)
        if path is None:
            continue
        where = os.path.join(shown, os.path.basename(path))
        if not _take(closure, tree, path, where):
            continue
        for value in _strings(_read_kustomization(path, where, [], tree)):
            text = value.strip()
            if "\n" not in text and "file:" not in text and _is_remote(text):
                # Fetched by kubectl (with the network and git): nothing of the tree.
                closure.remote.append((where, text))
                continue
            for candidate in _candidates(value):
                _add_candidate(closure, tree, folder, shown, where, value, candidate, queue)
    return closure


def _add_candidate(
    closure: _Closure,
    tree: Tree,
    folder: str,
    shown: str,
    where: str,
    value: str,
    candidate: str,
    queue: list[tuple[str, str]],
) -> None:
    if os.path.isabs(candidate):
        # kubectl would read it where it is, not in the copy: refused when it exists.
        if os.path.lexists(candidate):
            closure.outside.append((where, value, "an absolute path"))
        return
    position = os.path.normpath(os.path.join(folder, candidate))
    if not tree.holds(position):
        # Refused whether it exists or not: from the copy, the same `../` leads elsewhere.
        closure.outside.append((where, value, "which leads above the scanned tree"))
        return
    if not os.path.lexists(position):
        return
    real = tree.resolve(position)
    if real is None:
        closure.outside.append((where, value, _LINK_OUT))
    elif os.path.isdir(real):
        if kustomization_file(real) is not None:
            queue.append((position, os.path.normpath(os.path.join(shown, candidate))))
        else:
            rel = tree.relative(position)
            for sub, file_real in list_folder(real, tree).files.items():
                closure.files[f"{rel}/{sub}" if rel else sub] = file_real
    else:
        _take(closure, tree, position, where)


def _take(closure: _Closure, tree: Tree, position: str, where: str) -> bool:
    """Add the file at `position` (a path by name inside the tree) to the copy."""
    real = tree.resolve(position)
    if real is None:
        closure.outside.append((where, os.path.basename(position), _LINK_OUT))
        return False
    closure.files[tree.relative(position)] = real
    return True


def _strings(data: Any, key: str = "") -> Iterator[str]:
    """Every string value of a kustomization, but those of fields that hold no paths."""
    if key in _NOT_PATHS:
        return
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for name, value in data.items():
            yield from _strings(value, name if isinstance(name, str) else "")
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value, key)


def _candidates(value: str) -> Iterator[str]:
    """The paths a kustomization value may name: itself, the path of `key=path`, and the
    path of a `file://` URL; a remote resource and a multi-line (inline) text name none."""
    text = value.strip()
    if not text or "\n" in text:
        return
    if "file:" in text:
        yield text.split("file:", 1)[1].removeprefix("//")
        return
    if _is_remote(text):
        return
    yield text
    if "=" in text:
        yield text.split("=", 1)[1]


class _KustomizePlacer:
    """Maps each built object to the resource file (and line) it came from."""

    def __init__(
        self, fs_dir: str, display: str, origins: str | None, sources: dict[str, str]
    ) -> None:
        self.fs_dir = fs_dir
        """The kustomization's folder in the copy kubectl built."""
        self.display = display
        self.detail = ""
        self.origins = origins
        """The folder origin paths are relative to (None: no origins)."""
        self.sources = sources
        """Path in the copy → the real file it was copied from."""
        self.documents: dict[str, list[tuple[str, str, str, int]]] = {}

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
        documents = self.documents.get(fs_path)
        if documents is None:
            real = self.sources.get(fs_path)
            documents = _documents(real) if real is not None else []
            self.documents[fs_path] = documents
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


def _documents(real: str) -> list[tuple[str, str, str, int]]:
    """(apiVersion, kind, name, line) of each object of a file; empty when unreadable."""
    try:
        text = read_regular(real, MAX_KUSTOMIZATION_BYTES).decode("utf-8", "replace")
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

