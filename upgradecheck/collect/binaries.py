"""The client programs a manifest scan runs for chart and kustomize folders (helm, kubectl):
finding and running them, and what a chart or kustomization hands back to the scanner.

A binary named by the user (`--helm PATH`) must work, or the scan stops (bad usage, exit 2).
One found on PATH is asked for its version only when the first chart or kustomization is
met, and when it does not work the scan carries on without it and says why in coverage.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from upgradecheck.collect.contain import limit_text
from upgradecheck.collect.errors import SourceError
from upgradecheck.collect.limits import RUN_TIMEOUT
from upgradecheck.collect.local_clients import helm_version, kubectl_version
from upgradecheck.model import CoverageNote, ObservedObject
from upgradecheck.versions import Minor

if TYPE_CHECKING:
    from upgradecheck.collect.helm.api_versions import CapabilityTable

MAX_CLIENT_MEMORY = 2 * 1024 * 1024 * 1024
"""Most address space a client run may use (POSIX): a template that builds a string of
gigabytes fails alone instead of taking the machine's memory."""

MAX_OUTPUT = 16 * 1024 * 1024
"""Most bytes a client may print before it is stopped (the scan passes `--max-file-size`)."""

MAX_ERROR_OUTPUT = 64 * 1024
"""Bytes of a client's standard error kept: its first error line is all that is shown."""

SHIM_HINT = (
    "it runs with no PATH and a private HOME: name the real binary with --helm/--kubectl, "
    "not a shim"
)
"""Said when a contained client could not start what it runs."""

_GO_OUT_OF_MEMORY = re.compile(
    r"^fatal error: (?:runtime: )?(?:out of memory|cannot allocate memory)", re.M
)
"""How a Go program (helm, kubectl) dies at its memory cap; a warning that names memory (the
Starlark interpreter in kubectl 1.30 cannot reserve 4 GB, and says so) is no such end."""

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
    capabilities: Callable[[], CapabilityTable] | None = None
    """What `.Capabilities` answers at each Kubernetes version, for charts read without
    helm (None: conditions on the cluster stay undecided). Worked out when such a chart is
    met (`capability_table`): a scan of plain files does not pay for it."""
    timeout: float = RUN_TIMEOUT
    """Seconds one client run may take."""

    def capability_table(self) -> CapabilityTable | None:
        """The table `capabilities` gives, if any."""
        return None if self.capabilities is None else self.capabilities()


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
    stopped: bool = False
    """It was stopped: it ran out of time or printed more than it may."""


def contained_env(home: str) -> dict[str, str]:
    """The environment a client runs with in a scan: none of the caller's (no tokens, no
    KUBECONFIG, HELM_* or DOCKER_CONFIG), `home` (an empty private folder) for every
    configuration and cache folder, and no PATH, so that nothing outside the copy it is
    given is read: no kubeconfig, registry credentials or credential helpers, no git."""
    env = {
        "HOME": home,
        "PATH": "",
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "KUBECONFIG": os.path.join(home, "kubeconfig"),
        "DOCKER_CONFIG": os.path.join(home, "docker"),
        "HELM_CONFIG_HOME": os.path.join(home, "helm", "config"),
        "HELM_CACHE_HOME": os.path.join(home, "helm", "cache"),
        "HELM_DATA_HOME": os.path.join(home, "helm", "data"),
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "XDG_CACHE_HOME": os.path.join(home, "cache"),
        "XDG_DATA_HOME": os.path.join(home, "data"),
    }
    for name in ("SYSTEMROOT", "WINDIR"):  # Windows programs need these to start
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _limit_memory() -> None:
    """In the child, before it runs: cap its address space (see MAX_CLIENT_MEMORY)."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MAX_CLIENT_MEMORY, MAX_CLIENT_MEMORY))


def run_client(
    argv: Sequence[str],
    timeout: float,
    cwd: str | None = None,
    max_output: int = MAX_OUTPUT,
    home: str | None = None,
) -> RunResult:
    """Run a client; a failure to start, a timeout or more than `max_output` bytes on
    standard output is a failed run, not an exception. The client runs in its own process
    group (POSIX), and the whole group is killed when it is stopped: nothing it started
    outlives it. With `home`, it runs in `contained_env(home)` with its memory capped."""
    posix = os.name == "posix"
    contained = home is not None and posix
    try:
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=cwd, start_new_session=posix,
            env=contained_env(home) if home is not None else None,
            preexec_fn=_limit_memory if contained else None,
        )
    except OSError as exc:
        return RunResult(False, "", f"cannot run {argv[0]}: {exc.strerror or exc}")
    assert proc.stdout is not None and proc.stderr is not None
    out = _Capture(proc.stdout, max_output, lambda: _kill(proc))
    err = _Capture(proc.stderr, MAX_ERROR_OUTPUT, None)
    deadline = time.monotonic() + timeout
    try:
        proc.wait(timeout)
        # A child it left behind may hold the pipes open: wait for them within the deadline.
        out.join(deadline)
        err.join(deadline)
        timed_out = out.reading or err.reading
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        if proc.returncode is None or out.reading or err.reading:
            _kill(proc)
        proc.wait()
    if out.over:
        return RunResult(False, "", f"printed more than the {limit_text(max_output)} limit "
                                    "(--max-file-size); stopped and not scanned", True)
    if timed_out:
        return RunResult(False, "", f"timed out after {timeout:g}s", True)
    stdout = out.text()
    if proc.returncode == 0:
        return RunResult(True, stdout, "")
    errors = err.text()
    if contained and _GO_OUT_OF_MEMORY.search(errors):
        return RunResult(False, "", f"used more than its {limit_text(MAX_CLIENT_MEMORY)} "
                                    "memory limit; stopped and not scanned", True)
    error = first_error(errors, proc.returncode)
    if contained and proc.returncode in (126, 127):
        # What a shim (asdf, mise, `#!/usr/bin/env bash`) says when it cannot find its
        # interpreter or tool without PATH or the user's HOME.
        error += f" ({SHIM_HINT})"
    return RunResult(False, stdout, error)


class _Capture:
    """Reads one pipe of a child in a thread, keeping at most `most` bytes."""

    def __init__(
        self, pipe: IO[bytes], most: int, on_over: Callable[[], None] | None
    ) -> None:
        self.over = False
        """More than `most` bytes came (with `on_over`: reading stopped there)."""
        self._pipe = pipe
        self._most = most
        self._on_over = on_over
        self._parts: list[bytes] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def reading(self) -> bool:
        """The pipe is still open."""
        return self._thread.is_alive()

    def join(self, deadline: float) -> None:
        self._thread.join(max(deadline - time.monotonic(), 0.0))

    def text(self) -> str:
        return b"".join(self._parts).decode("utf-8", "replace")

    def _run(self) -> None:
        kept = 0
        with self._pipe:
            fd = self._pipe.fileno()
            while chunk := os.read(fd, 1 << 16):  # what is there, up to 64 KiB
                if kept + len(chunk) > self._most:
                    self.over = True
                    if self._on_over is not None:
                        self._on_over()
                        return
                    self._parts.append(chunk[: self._most - kept])
                    kept = self._most
                    continue  # keep draining, so the child is not blocked on a full pipe
                if kept < self._most:
                    self._parts.append(chunk)
                    kept += len(chunk)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill a client and everything it started (its process group, on POSIX)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:
        pass  # gone already


def first_error(stderr: str, returncode: int) -> str:
    """The line of a client's stderr that says what failed, shortened."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    chosen = next((line for line in lines if line.lower().startswith("error")), None)
    if chosen is None:
        chosen = lines[0] if lines else f"exit status {returncode}"
    for prefix in ("Error: ", "error: ", "ERROR: "):
        chosen = chosen.removeprefix(prefix)
    return chosen if len(chosen) <= 300 else chosen[:297] + "..."
