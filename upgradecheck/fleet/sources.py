"""Which clusters a fleet run judges: kubeconfig contexts (named, or every one the kubeconfig
holds) and snapshot files (named, or found in folders)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from upgradecheck.collect.errors import SourceError
from upgradecheck.fleet.model import Origin

SNAPSHOT_SUFFIXES = (".json", ".json.gz")
"""The names of the files a folder's snapshots are taken from (as `collect -o` writes them)."""


@dataclass(frozen=True)
class Entry:
    """One cluster to judge, before it is judged."""

    name: str
    """The kubeconfig context, or the snapshot file's path as named or found."""
    origin: Origin
    """context or snapshot."""
    problem: str | None = None
    """Why it cannot be judged at all, known before trying (a folder holding no snapshot)."""


def context_names(kubeconfig: str | None) -> list[str]:
    """Every context of the kubeconfig, in the file's order: the file named, else each file
    of KUBECONFIG (merged as kubectl merges them: the first one naming a context wins), else
    ~/.kube/config. SourceError when none can be read or they hold no context. Only the names
    are read here; each context's cluster and credentials are loaded by the collector when it
    is reached."""
    if kubeconfig:
        paths = [kubeconfig]
    else:
        listed = os.environ.get("KUBECONFIG", "")
        paths = [p for p in listed.split(os.pathsep) if p] or ["~/.kube/config"]
    names: list[str] = []
    for path in paths:
        for name in _context_names_in(Path(path).expanduser(), required=bool(kubeconfig)):
            if name not in names:
                names.append(name)
    if not names:
        raise SourceError(f"--all-contexts: no context in {', '.join(paths)}")
    return names


def _context_names_in(path: Path, required: bool) -> list[str]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise SourceError(f"--all-contexts: no such kubeconfig: {path}") from None
        return []  # KUBECONFIG may name files that do not exist, as kubectl allows
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SourceError(f"--all-contexts: cannot read the kubeconfig {path}: {exc}") from None
    contexts = doc.get("contexts") if isinstance(doc, Mapping) else None
    if not isinstance(contexts, list):
        return []
    return [
        str(c["name"]) for c in contexts if isinstance(c, Mapping) and c.get("name")
    ]


def _unique(entries: Iterable[Entry]) -> list[Entry]:
    seen: set[tuple[Origin, str]] = set()
    out = []
    for entry in entries:
        if (entry.origin, entry.name) not in seen:
            seen.add((entry.origin, entry.name))
            out.append(entry)
    return out


def context_entries(contexts: Sequence[str]) -> list[Entry]:
    """One entry per context, each once, in the order given."""
    return _unique(Entry(name, Origin.CONTEXT) for name in contexts)


def _is_snapshot_name(path: Path) -> bool:
    return path.name.lower().endswith(SNAPSHOT_SUFFIXES)


def snapshot_entries(paths: Sequence[str | Path]) -> list[Entry]:
    """One entry per snapshot file: a file as named (whatever its name); a folder's files
    ending in .json or .json.gz, at any depth, sorted. A folder holding none is an entry
    with its problem, so that it shows in the fleet instead of silently adding nothing."""
    entries = []
    for given in paths:
        path = Path(given)
        if not path.is_dir():
            entries.append(Entry(str(given), Origin.SNAPSHOT))
            continue
        found = sorted(p for p in path.rglob("*") if p.is_file() and _is_snapshot_name(p))
        if not found:
            problem = "a folder holding no snapshot file (*.json, *.json.gz)"
            entries.append(Entry(str(given), Origin.SNAPSHOT, problem))
        entries += [Entry(str(p), Origin.SNAPSHOT) for p in found]
    return _unique(entries)
