"""The client programs a manifest scan runs for chart and kustomize folders (helm, kubectl):
finding and running them, and what a chart or kustomization hands back to the scanner.

A binary named by the user (`--helm PATH`) must work, or the scan stops (bad usage, exit 2).
One found on PATH is asked for its version only when the first chart or kustomization is
met, and when it does not work the scan carries on without it and says why in coverage.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from upgradecheck.collect.errors import SourceError
from upgradecheck.collect.local_clients import helm_version, kubectl_version
from upgradecheck.model import CoverageNote, ObservedObject
from upgradecheck.versions import Minor

RUN_TIMEOUT = 120.0
"""Seconds a `helm template` or `kubectl kustomize` may take."""

NO_HELM = "no helm binary (install helm or pass --helm)"
NO_KUBECTL = "no kubectl binary (install kubectl or pass --kubectl)"


class ClientError(SourceError):
    """A client binary named by the user cannot be used (bad usage: exit code 2)."""


@dataclass(frozen=True)
class Client:
    """A helm or kubectl binary that works, and the version it reported."""

    name: str
    """`helm` or `kubectl`."""
    path: str
    """Its absolute path."""
    version: str
    """The version it printed, without the `v`: `3.17.2`, `1.33.9`."""

    @property
    def major(self) -> int:
        """The major version (3 or 4 for helm)."""
        head = self.version.split(".", 1)[0]
        return int(head) if head.isdigit() else 0


def probe_client(name: str, path: str) -> Client:
    """Run a binary for its version; raises RuntimeError (or OSError) when it does not work."""
    reader = helm_version if name == "helm" else kubectl_version
    try:
        version = reader(path).lstrip("v")
    except subprocess.TimeoutExpired:
        raise RuntimeError("timed out printing its version") from None
    client = Client(name, os.path.abspath(path), version)
    if name == "helm" and client.major < 3:
        raise RuntimeError(f"helm {version} is older than helm 3")
    return client


class ClientFinder:
    """helm or kubectl for one scan: the one named, else the one on PATH, probed once."""

    def __init__(
        self, name: str, given: str | None = None, *, search_path: str | None = None,
        use_path: bool = True,
    ) -> None:
        self.name = name
        """`helm` or `kubectl`."""
        self._probed = False
        self._client: Client | None = None
        self._missing = NO_HELM if name == "helm" else NO_KUBECTL
        self._found: str | None = None
        if given:
            # Named by the user: it must work now, or the command line is wrong.
            if not os.path.exists(given):
                raise ClientError(f"--{name} {given}: no such file")
            try:
                self._client = probe_client(name, given)
            except (OSError, RuntimeError) as exc:
                raise ClientError(f"--{name} {given}: does not work: {exc}") from None
            self._probed = True
        elif use_path:
            self._found = shutil.which(name, path=search_path)
        else:
            self._probed = True

    @classmethod
    def ready(cls, name: str, client: Client | None, missing: str = "") -> ClientFinder:
        """A finder that already knows its answer (tests, embedding programs)."""
        finder = cls(name, use_path=False)
        finder._client = client
        if missing:
            finder._missing = missing
        return finder

    def get(self) -> Client | None:
        """The working client, or None (then `missing` says why)."""
        if not self._probed:
            self._probed = True
            if self._found is not None:
                try:
                    self._client = probe_client(self.name, self._found)
                except (OSError, RuntimeError) as exc:
                    self._missing = f"{self.name} at {self._found} does not work: {exc}"
        return self._client

    @property
    def missing(self) -> str:
        """Why there is no client (meaningful when `get()` is None)."""
        return self._missing


@dataclass(frozen=True)
class BuildOptions:
    """How a scan treats chart and kustomize folders: the version to render for, and the
    clients that render them. Without it (`scan_manifests(paths)`) folders are plain files."""

    target: Minor
    """The target minor: charts render for it (`--kube-version`)."""
    helm: ClientFinder = field(default_factory=lambda: ClientFinder("helm", use_path=False))
    """Where helm comes from."""
    kubectl: ClientFinder = field(
        default_factory=lambda: ClientFinder("kubectl", use_path=False)
    )
    """Where kubectl comes from."""
    values: tuple[str, ...] = ()
    """Values files passed to every `helm template` (`--values`)."""
    api_versions: tuple[str, ...] = ()
    """What `.Capabilities.APIVersions` holds: `policy/v1` and `policy/v1/PodDisruptionBudget`
    forms of everything the target serves."""
    timeout: float = RUN_TIMEOUT
    """Seconds one client run may take."""


@dataclass(frozen=True)
class Placement:
    """Where a built document came from: what its evidence says."""

    location: str
    """`path:line` of the file to change."""
    detail: str
    """How it was built: `rendered by helm template 3.17.2 for Kubernetes 1.33`."""
    data: Any
    """The object, with build-only annotations removed."""


Placer = Callable[[str | None, Any, int], Placement]
"""(helm `# Source:` of the document, its object, its line in the stream) → Placement."""


@dataclass(frozen=True)
class Stream:
    """The YAML a client printed (`helm template`, `kubectl kustomize`), to scan."""

    name: str
    """How problems in it are located: `mychart (helm template)`."""
    text: str
    """The output."""
    place: Placer
    """Where each document came from."""


@dataclass
class FolderOutput:
    """What a chart or kustomization folder yields to the scanner."""

    streams: list[Stream] = field(default_factory=list)
    """Built output to parse."""
    files: list[tuple[str, str]] = field(default_factory=list)
    """(display, filesystem path) of files to read as plain manifests."""
    objects: list[ObservedObject] = field(default_factory=list)
    """Objects read without building (template fallback)."""
    notes: list[CoverageNote] = field(default_factory=list)
    """What could not be built or read, and why."""
    consumed: list[str] = field(default_factory=list)
    """Filesystem paths (files and folders) the build covers: not to be scanned again."""
    stats: dict[str, int] = field(default_factory=dict)
    """Counters to add to the snapshot's."""


@dataclass(frozen=True)
class RunResult:
    """What a client run printed."""

    ok: bool
    """Exit status 0."""
    stdout: str
    """Its standard output."""
    error: str
    """Its first error line (when not ok)."""


def run_client(argv: Sequence[str], timeout: float, cwd: str | None = None) -> RunResult:
    """Run a client; a failure to start or a timeout is a failed run, not an exception."""
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL, cwd=cwd, errors="replace",
        )
    except subprocess.TimeoutExpired:
        return RunResult(False, "", f"timed out after {timeout:g}s")
    except OSError as exc:
        return RunResult(False, "", f"cannot run {argv[0]}: {exc.strerror or exc}")
    if done.returncode == 0:
        return RunResult(True, done.stdout, "")
    return RunResult(False, done.stdout, first_error(done.stderr, done.returncode))


def first_error(stderr: str, returncode: int) -> str:
    """The line of a client's stderr that says what failed, shortened."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    chosen = next((line for line in lines if line.lower().startswith("error")), None)
    if chosen is None:
        chosen = lines[0] if lines else f"exit status {returncode}"
    for prefix in ("Error: ", "error: ", "ERROR: "):
        chosen = chosen.removeprefix(prefix)
    return chosen if len(chosen) <= 300 else chosen[:297] + "..."
