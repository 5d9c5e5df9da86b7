"""Build the container image with Buildah from a local Debian base, then prove it runs.

    python scripts/build_image.py             # CI: says why and exits 0 when it cannot build
    python scripts/build_image.py --require   # fails instead of skipping

No registry is needed: the base is a Debian tarball made by mmdebstrap (cached under
.cache/image/ for a month), imported as a `FROM scratch` image with this machine's CA bundle
(pip inside the build must trust the roots pip trusts here), and the Containerfile is built on
it with `buildah bud --build-arg BASE=...`. Then, inside the built image: `upgradecheck
--version`; a `scan` of examples/manifests whose JSON must equal the same scan run here; and
`plan` against the fake API server through the in-cluster service-account path the Helm chart
uses. None of these may write anywhere in the image but /tmp (the chart mounts the root
filesystem read-only). Each phase's time is printed.

Needs root, Linux, and the Debian packages `buildah` and `mmdebstrap`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

CACHE = REPO / ".cache" / "image"
SUITE = "bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
# The release with its point updates and security fixes, as a Debian image would have it.
SOURCES = (
    f"deb {DEBIAN_MIRROR} {SUITE} main",
    f"deb {DEBIAN_MIRROR} {SUITE}-updates main",
    f"deb http://deb.debian.org/debian-security {SUITE}-security main",
)
PACKAGES = ("python3", "python3-venv", "python3-pip", "ca-certificates")
BASE_MAX_AGE = 30 * 86400  # seconds: past this the tarball is rebuilt to pick up updates
CA_IN_IMAGE = "/etc/ssl/certs/ca-certificates.crt"
BUILDAH = ("buildah", "--storage-driver", "vfs")
ISOLATION = ("--isolation", "chroot")
SCAN_TARGET = "1.33"
PLAN_CLUSTER = "v1.21"
EXAMPLES_VOLUME = f"{REPO / 'examples'}:/work/examples:ro"
# pip settings that mean the same inside the build as here (URLs, hosts, a timeout). Paths
# (find-links, constraints, file:// indexes) name this machine's disk and are left out.
_PIP_KEYS = ("index-url", "extra-index-url", "trusted-host", "default-timeout")
_PIP_LINE = re.compile(r"^(?P<scope>[^.]*)\.(?P<key>[^=]+)='(?P<value>.*)'$")


class ImageError(Exception):
    """The image could not be built, or the built image misbehaved."""


def _log(message: str) -> None:
    print(f"image: {message}", flush=True)


def _run(
    args: Sequence[str], *, check: bool = True, capture: bool = False, **kw: Any
) -> subprocess.CompletedProcess[str]:
    """Run a command; its output goes to ours unless captured."""
    done = subprocess.run(
        list(args), text=True, capture_output=capture, check=False, **kw
    )
    if check and done.returncode != 0:
        detail = (done.stderr or "").strip()[-2000:] if capture else ""
        raise ImageError(f"{' '.join(args[:4])} ... exited {done.returncode}\n{detail}")
    return done


def why_not() -> str | None:
    """Why this machine cannot build the image, or None when it can."""
    if sys.platform != "linux":
        return f"needs Linux (this is {sys.platform})"
    if os.geteuid() != 0:
        return "needs root (buildah with chroot isolation and mmdebstrap's root mode)"
    missing = [tool for tool in ("buildah", "mmdebstrap") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install -y buildah mmdebstrap)"
    probe = _run([*BUILDAH, "images", "--quiet"], check=False, capture=True)
    if probe.returncode != 0:
        return f"buildah cannot use its storage here: {probe.stderr.strip()[-300:]}"
    needed = [_package_index()]
    if not _cached_tarball():
        needed.append(f"{DEBIAN_MIRROR}/dists/{SUITE}/InRelease")
    for url in needed:
        reason = _unreachable(url)
        if reason:
            return f"{url} cannot be reached ({reason})"
    return None


def _package_index() -> str:
    """The index pip inside the build will ask first."""
    index = _pip_config().get("index-url", "")
    if not index.startswith(("http://", "https://")):
        index = "https://pypi.org/simple"
    return index.rstrip("/") + "/pip/"


def _unreachable(url: str) -> str | None:
    """Why `url` cannot be fetched from here, or None."""
    import ssl
    import urllib.request

    context = ssl.create_default_context(cafile=str(ca_bundle()))
    try:
        with urllib.request.urlopen(url, timeout=15, context=context) as response:
            response.read(1)
    except (OSError, ValueError) as exc:
        return str(getattr(exc, "reason", None) or exc)
    return None


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:12]


def _tarball_path() -> Path:
    return CACHE / f"debian-{SUITE}-{_digest('minbase', *SOURCES, *PACKAGES)}.tar"


def _cached_tarball() -> bool:
    tarball = _tarball_path()
    return tarball.exists() and time.time() - tarball.stat().st_mtime < BASE_MAX_AGE


def base_tarball() -> tuple[Path, bool]:
    """The Debian base as a tarball (cached); whether it came from the cache."""
    tarball = _tarball_path()
    if _cached_tarball():
        return tarball, True
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = tarball.with_suffix(".part.tar")
    _run(
        [
            "mmdebstrap", "--quiet", "--variant=minbase", f"--include={','.join(PACKAGES)}",
            SUITE, str(partial), *SOURCES,
        ]
    )
    partial.replace(tarball)
    return tarball, False


def ca_bundle() -> Path:
    """The CA bundle pip trusts on this machine."""
    for name in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        value = os.environ.get(name)
        if value and Path(value).is_file():
            return Path(value)
    configured = _pip_config().get("cert")
    if configured and Path(configured).is_file():
        return Path(configured)
    default = Path("/etc/ssl/certs/ca-certificates.crt")
    if default.is_file():
        return default
    import certifi  # pip's own fallback; installed with the kubernetes client

    return Path(certifi.where())


def _image_exists(ref: str) -> bool:
    return _run([*BUILDAH, "inspect", "--type", "image", ref], check=False, capture=True) \
        .returncode == 0


def _image_id(ref: str) -> str | None:
    done = _run([*BUILDAH, "images", "--quiet", "--no-trunc", ref], check=False, capture=True)
    ids = done.stdout.split() if done.returncode == 0 else []
    return ids[0] if ids else None


def base_image(tarball: Path, ca: Path) -> tuple[str, bool]:
    """The base image (tarball + CA bundle), built once per pair; whether it existed."""
    key = _digest(tarball.name, str(tarball.stat().st_mtime_ns), ca.read_bytes())
    ref = f"localhost/upgradecheck-base:{SUITE}-{key}"
    if _image_exists(ref):
        return ref, True
    context = CACHE / "base-context"
    shutil.rmtree(context, ignore_errors=True)
    context.mkdir(parents=True)
    try:
        os.link(tarball, context / "base.tar")  # same filesystem: no copy of ~250 MB
    except OSError:
        shutil.copyfile(tarball, context / "base.tar")
    shutil.copyfile(ca, context / "ca-certificates.crt")
    (context / "Containerfile").write_text(
        "FROM scratch\nADD base.tar /\n"
        f"COPY ca-certificates.crt {CA_IN_IMAGE}\n"
        'CMD ["/bin/bash"]\n'
    )
    try:
        _run([*BUILDAH, "bud", *ISOLATION, "--quiet", "-t", ref, str(context)], capture=True)
    finally:
        shutil.rmtree(context, ignore_errors=True)
    _remove_other_tags(ref)
    return ref, False


def _remove_other_tags(ref: str) -> None:
    """Remove the earlier base images this script made (vfs keeps each as a full copy)."""
    repository = ref.rpartition(":")[0]
    done = _run(
        [*BUILDAH, "images", "--format", "{{.Name}}:{{.Tag}}", "--filter",
         f"reference={repository}"],
        check=False, capture=True,
    )
    for old in done.stdout.split():
        if old != ref and old.rpartition(":")[0] == repository:
            _run([*BUILDAH, "rmi", old], check=False, capture=True)


@functools.cache
def _pip_config() -> dict[str, str]:
    """pip's effective settings here: files by pip's precedence, then environment."""
    done = _run(
        [sys.executable, "-m", "pip", "config", "list"], check=False, capture=True
    )
    from_files: dict[str, str] = {}
    from_env: dict[str, str] = {}
    for line in done.stdout.splitlines():
        m = _PIP_LINE.match(line.strip())
        if not m:
            continue
        into = from_env if m["scope"] == ":env:" else from_files
        into[m["key"]] = m["value"]
    return {**from_files, **from_env}


def pip_build_args() -> list[str]:
    """--build-arg pairs that give pip inside the build what it needs from pip here."""
    config = _pip_config()
    args: list[str] = []
    for key in _PIP_KEYS:
        value = config.get(key, "")
        if key.endswith("url"):
            value = " ".join(v for v in value.split() if v.startswith(("http://", "https://")))
        if value:
            args += ["--build-arg", f"PIP_{key.upper().replace('-', '_')}={value}"]
    return [*args, "--build-arg", f"PIP_CERT={CA_IN_IMAGE}"]


def build(base: str, tag: str) -> None:
    """buildah bud the Containerfile on `base`; the image it replaces under `tag` is removed."""
    before = _image_id(tag)
    _run(
        [
            *BUILDAH, "bud", *ISOLATION, "--quiet", "-f", str(REPO / "Containerfile"),
            "--build-arg", f"BASE={base}", *pip_build_args(), "-t", tag, str(REPO),
        ],
        capture=True,
    )
    after = _image_id(tag)
    if before and before != after:
        _run([*BUILDAH, "rmi", before], check=False, capture=True)


def _tree(root: Path) -> dict[str, tuple[int, int, int]]:
    """(mtime, size, mode) of every path in the container's root, but the scratch places."""
    skip = {"tmp", "proc", "sys", "dev", "run", "var/run"}
    out: dict[str, tuple[int, int, int]] = {}
    for current, dirs, files in os.walk(root):
        rel = os.path.relpath(current, root)
        dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(rel, d)) not in skip]
        for name in [*dirs, *files]:
            path = os.path.join(current, name)
            st = os.lstat(path)
            out[os.path.relpath(path, root)] = (st.st_mtime_ns, st.st_size, st.st_mode)
    return out


@contextlib.contextmanager
def _container(tag: str) -> Iterator[tuple[str, Path]]:
    """A working container of the image and its mounted root; removed afterwards."""
    name = f"upgradecheck-verify-{os.getpid()}"
    _run([*BUILDAH, "from", "--quiet", "--name", name, tag], capture=True)
    try:
        root = _run([*BUILDAH, "mount", name], capture=True).stdout.strip()
        yield name, Path(root)
    finally:
        _run([*BUILDAH, "umount", name], check=False, capture=True)
        _run([*BUILDAH, "rm", name], check=False, capture=True)


def _in_image(
    container: str, args: Sequence[str], *, volumes: Sequence[str] = (),
    env: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    opts = [o for v in volumes for o in ("-v", v)] + [o for e in env for o in ("-e", e)]
    return _run(
        [*BUILDAH, "run", *ISOLATION, *opts, container, "--", *args], check=False,
        capture=True,
    )


def _report(done: subprocess.CompletedProcess[str], what: str) -> dict[str, Any]:
    try:
        doc = json.loads(done.stdout)
    except ValueError:
        raise ImageError(
            f"{what}: no JSON report (exit {done.returncode}): {done.stderr.strip()[-500:]}"
        ) from None
    if not isinstance(doc, dict):
        raise ImageError(f"{what}: the report is not a JSON object")
    return doc


def check_config(tag: str) -> None:
    """The image runs upgradecheck as a numeric, non-root user."""
    done = _run([*BUILDAH, "inspect", "--type", "image", tag], capture=True)
    config = json.loads(done.stdout)["OCIv1"]["config"]
    user = str(config.get("User", ""))
    uid = user.split(":")[0]
    if not uid.isdigit() or int(uid) == 0:
        raise ImageError(f"the image's user is {user!r}: it must be a numeric, non-root uid")
    if Path(config.get("Entrypoint", [""])[-1]).name != "upgradecheck":
        raise ImageError(f"the entrypoint is {config.get('Entrypoint')}, not upgradecheck")


def check_version(container: str, version: str) -> None:
    done = _in_image(container, ["upgradecheck", "--version"])
    if done.returncode != 0 or done.stdout.strip() != f"upgradecheck {version}":
        raise ImageError(
            f"upgradecheck --version in the image: exit {done.returncode}, "
            f"{done.stdout.strip()!r} {done.stderr.strip()[-500:]}"
        )


def check_scan(container: str) -> None:
    """A scan in the image says exactly what the same scan says here."""
    args = ["scan", "examples/manifests", "--target", SCAN_TARGET, "--format", "json"]
    inside = _in_image(container, ["upgradecheck", *args], volumes=[EXAMPLES_VOLUME])
    here = _run([sys.executable, "-m", "upgradecheck", *args], check=False, capture=True,
                cwd=REPO)
    got, want = _report(inside, "scan in the image"), _report(here, "scan here")
    for doc in (got, want):
        doc.pop("generated_at", None)
    if (inside.returncode, got) != (here.returncode, want):
        raise ImageError(
            f"scan in the image differs from the scan here (exit {inside.returncode} vs "
            f"{here.returncode}; summary {got.get('summary')} vs {want.get('summary')})"
        )


def _service_account_dir(root: Path) -> str:
    """Where the kubelet mounts the service account, with /var/run resolved: buildah does
    not follow a symlink (Debian's /var/run -> /run) in a volume's destination."""
    var_run = root / "var" / "run"
    run = os.readlink(var_run) if var_run.is_symlink() else "/var/run"
    return f"{os.path.normpath(os.path.join('/var', run))}/secrets/kubernetes.io/serviceaccount"


def check_plan_in_cluster(container: str, root: Path) -> None:
    """`plan` in the image reaches the fake API server as a pod would: no kubeconfig, the
    service account's token and CA mounted, KUBERNETES_SERVICE_HOST/PORT set."""
    from fakeapi import DEFAULT_TOKEN, FakeApiServer

    with FakeApiServer(PLAN_CLUSTER, token=DEFAULT_TOKEN) as api, \
            tempfile.TemporaryDirectory(prefix="upgradecheck-sa-") as sa:
        assert api.ca_pem is not None
        (Path(sa) / "token").write_text(DEFAULT_TOKEN)
        (Path(sa) / "ca.crt").write_bytes(api.ca_pem)
        (Path(sa) / "namespace").write_text("upgradecheck")
        os.chmod(sa, 0o755)  # the image's user is not root
        done = _in_image(
            container,
            ["upgradecheck", "plan", "--format", "json", "--fail-on", "none", "--quiet"],
            volumes=[f"{sa}:{_service_account_dir(root)}:ro"],
            env=["KUBERNETES_SERVICE_HOST=127.0.0.1", f"KUBERNETES_SERVICE_PORT={api.port}"],
        )
        report = _report(done, "plan in the image")
        methods = api.methods()
    if done.returncode != 0:
        raise ImageError(f"plan in the image exited {done.returncode}: {done.stderr[-500:]}")
    if not report.get("findings") or methods != {"GET"}:
        raise ImageError(
            f"plan in the image: {len(report.get('findings') or [])} findings, requests "
            f"{sorted(methods)} (expected findings of the {PLAN_CLUSTER} fixture, GETs only)"
        )


def verify(tag: str, version: str) -> None:
    """Run the image's checks; nothing may be written outside /tmp."""
    check_config(tag)
    with _container(tag) as (container, root):
        # The first run makes buildah create its mount points (/work/examples, /etc/hosts,
        # ...); only what changes after it is the tool's doing.
        _in_image(container, ["upgradecheck", "--version"], volumes=[EXAMPLES_VOLUME])
        before = _tree(root)
        check_version(container, version)
        check_scan(container)
        check_plan_in_cluster(container, root)
        after = _tree(root)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    if changed:
        shown = ", ".join(f"/{p}" for p in changed[:10])
        raise ImageError(f"the image wrote outside /tmp (a read-only root would fail): {shown}")


@contextlib.contextmanager
def _phase(name: str, times: dict[str, float]) -> Iterator[None]:
    start = time.monotonic()
    yield
    times[name] = time.monotonic() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tag", help="image name (default localhost/upgradecheck:VERSION)")
    parser.add_argument("--require", action="store_true",
                        help="fail, rather than skip, when this machine cannot build")
    args = parser.parse_args(argv)

    from upgradecheck import __version__

    reason = why_not()
    if reason:
        _log(f"skipped: cannot build here: {reason}")
        return 1 if args.require else 0
    tag = args.tag or f"localhost/upgradecheck:{__version__}"
    times: dict[str, float] = {}
    start = time.monotonic()
    try:
        with _phase("base tarball", times):
            tarball, cached_tar = base_tarball()
        _log(f"base tarball {tarball.name} ({'cached' if cached_tar else 'built'}, "
             f"{times['base tarball']:.1f} s)")
        with _phase("base image", times):
            base, cached_base = base_image(tarball, ca_bundle())
        _log(f"base image {base} ({'cached' if cached_base else 'built'}, "
             f"{times['base image']:.1f} s)")
        with _phase("build", times):
            build(base, tag)
        _log(f"built {tag} ({times['build']:.1f} s)")
        with _phase("verify", times):
            verify(tag, __version__)
        _log(f"verified: --version, scan of examples/manifests equal to here, in-cluster "
             f"plan against the fake API server, nothing written outside /tmp "
             f"({times['verify']:.1f} s)")
    except ImageError as exc:
        _log(f"FAILED: {exc}")
        return 1
    _log(f"done in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
