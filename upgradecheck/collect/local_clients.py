"""Local client programs (kubectl, helm): where they are and which version they report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence

from upgradecheck.model import ClientBinary

TIMEOUT = 15.0


def _run(argv: Sequence[str]) -> str:
    done = subprocess.run(
        list(argv), capture_output=True, text=True, timeout=TIMEOUT, check=False,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        first = (done.stderr or done.stdout).strip().splitlines()
        raise RuntimeError(first[0][:200] if first else f"exit status {done.returncode}")
    return done.stdout


def kubectl_version(path: str) -> str:
    """`kubectl version --client -o json` → clientVersion.gitVersion."""
    out = _run([path, "version", "--client", "-o", "json"])
    try:
        return str(json.loads(out)["clientVersion"]["gitVersion"])
    except (json.JSONDecodeError, KeyError, TypeError):
        raise RuntimeError("unrecognised `kubectl version` output") from None


def helm_version(path: str) -> str:
    """`helm version --short` → `v3.17.0` (the build suffix after `+` dropped)."""
    out = _run([path, "version", "--short"]).strip()
    if not out.startswith("v"):
        raise RuntimeError("unrecognised `helm version` output")
    return out.split()[0].split("+")[0]


_READERS = {"kubectl": kubectl_version, "helm": helm_version}


def probe(name: str, path: str) -> ClientBinary:
    """Run one binary for its version; failures become the ClientBinary's error."""
    try:
        return ClientBinary(name, path, _READERS[name](path))
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        reason = "timed out" if isinstance(exc, subprocess.TimeoutExpired) else str(exc)
        return ClientBinary(name, path, None, reason or type(exc).__name__)


def find_clients(
    kubectl: Sequence[str] = (), helm: Sequence[str] = (), search_path: str | None = None
) -> tuple[ClientBinary, ...]:
    """The kubectl and helm on PATH, plus those given explicitly; each path once."""
    wanted: list[tuple[str, str]] = []
    for name in ("kubectl", "helm"):
        found = shutil.which(name, path=search_path if search_path is not None else None)
        if found:
            wanted.append((name, os.path.abspath(found)))
    wanted += [("kubectl", os.path.abspath(p)) for p in kubectl]
    wanted += [("helm", os.path.abspath(p)) for p in helm]
    seen: set[str] = set()
    out: list[ClientBinary] = []
    for name, path in wanted:
        if path not in seen:
            seen.add(path)
            out.append(probe(name, path))
    return tuple(out)
