"""Real helm and kubectl binaries for the tests, from the cache `scripts/fetch_clients.py`
fills (`.cache/clients/`, or `$UPGRADECHECK_CLIENTS_DIR`).

A missing binary is fetched once per test session (the script's own code, same pins); a test
skips, quoting why, only when that is impossible (no network, not linux/amd64). Set
`UPGRADECHECK_NO_FETCH=1` to never download from the tests.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
HELM_MAJORS = (3, 4)
"""The helm majors the chart tests run with."""

_HELM = {3: "helm-3.17", 4: "helm-4.1"}
_RETRY_AFTER = 6 * 3600  # seconds before a recorded failure is tried again
_attempt: dict[str, str | None] = {}


@functools.cache
def _script() -> ModuleType:
    """scripts/fetch_clients.py, imported (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "fetch_clients", REPO / "scripts" / "fetch_clients.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fetch_clients", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def clients_dir() -> Path:
    """The cache folder."""
    return Path(os.environ.get("UPGRADECHECK_CLIENTS_DIR") or REPO / ".cache" / "clients")


def _fetch_once() -> str | None:
    """Fetch what is missing (once per session); the reason it failed, or None."""
    if "result" in _attempt:
        return _attempt["result"]
    cache = clients_dir()
    marker = cache / "UNAVAILABLE"
    reason: str | None = None
    if os.environ.get("UPGRADECHECK_NO_FETCH"):
        reason = "UPGRADECHECK_NO_FETCH is set"
    elif marker.exists() and time.time() - marker.stat().st_mtime < _RETRY_AFTER:
        reason = marker.read_text().strip()
    else:
        script = _script()
        try:
            script.fetch(cache)
        except Exception as exc:  # the script's errors, OSError, archive errors: all a skip
            reason = str(exc) or type(exc).__name__
            cache.mkdir(parents=True, exist_ok=True)
            marker.write_text(reason + "\n")
    _attempt["result"] = reason
    return reason


def client(name: str) -> Path:
    """The cached binary `name` (`helm-3.17`, `kubectl-1.33`), fetched if need be; skips
    the test when it cannot be had."""
    path = clients_dir() / name
    if not path.exists():
        reason = _fetch_once()
        if not path.exists():
            pytest.skip(
                f"{name} is not available ({reason or 'not in the cache'}); "
                "run `python scripts/fetch_clients.py` with network access"
            )
    return path


def helm_binary(major: int) -> Path:
    """helm of that major (3 or 4)."""
    return client(_HELM[major])


def kubectl_binaries() -> dict[str, Path]:
    """Every cached kubectl by minor (`1.30` → path); skips when there is none."""
    script = _script()
    names = [f"kubectl-{p.kubectl}" for p in script.PACKAGES if p.kubectl]
    found = {name.split("-", 1)[1]: clients_dir() / name for name in names}
    if not all(path.exists() for path in found.values()):
        _fetch_once()
    found = {minor: path for minor, path in found.items() if path.exists()}
    if not found:
        client(names[0])  # skips with the reason
    return found


def kubectl_minors() -> tuple[str, ...]:
    """The kubectl minors the cache is meant to hold (for parametrizing)."""
    return tuple(p.kubectl for p in _script().PACKAGES if p.kubectl)


class Traced:
    """A client wrapped in `strace`: every path it (and what it starts) opens or looks at is
    logged, to show what a run read. Skips when strace is missing or cannot trace here."""

    SYSTEM = ("/proc", "/sys", "/dev/", "/etc/localtime", "/etc/ld.so", "/lib", "/usr/lib")
    """What any program looks at when it starts: never a user's file."""

    def __init__(self, binary: str | Path, folder: Path, *probe: str) -> None:
        strace = shutil.which("strace")
        if strace is None:
            pytest.skip("strace is not installed")
        self.binary = str(binary)
        self.log = folder / "trace.log"
        self.path = folder / f"traced-{Path(binary).name}"
        self.path.write_text(
            f"#!/bin/sh\nexec {strace} -f -qq -s 4096 "
            "-e trace=open,openat,stat,newfstatat,access,execve "
            f'-o {self.log} {self.binary} "$@"\n'
        )
        self.path.chmod(0o755)
        ran = subprocess.run([str(self.path), *probe], capture_output=True, check=False)
        if ran.returncode != 0:
            pytest.skip(f"strace cannot trace here: {ran.stderr.decode(errors='replace')[:200]}")
        self.log.unlink()  # the probe ran in the caller's environment: only later runs count

    def stray(self, work_marker: str) -> list[str]:
        """Paths looked at outside the run's private folder (named by `work_marker`), the
        binary and system files; folders above those are looked at, never read."""
        opened: set[str] = set()
        for line in self.log.read_text().splitlines():
            opened.update(re.findall(r'"(/[^"]*)"', line))
        work = {path for path in opened if work_marker in path}
        assert work, "the client was not traced"
        kept = [*work, self.binary, str(self.path)]
        return sorted(
            path for path in opened - set(kept)
            if not path.startswith(self.SYSTEM)
            and not any(k.startswith(path.rstrip("/") + "/") for k in kept)
        )
