"""The jobs behind the commands, each returning a Report (or a Comparison): what the CLI
calls, and what a program embedding upgradecheck would call."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from upgradecheck.assess import AssessError, assess, target_version
from upgradecheck.collect.limits import DEFAULT_MAX_FILE_BYTES, RUN_TIMEOUT
from upgradecheck.collect.local_clients import probe
from upgradecheck.knowledge import KnowledgeBase, load_knowledge_base
from upgradecheck.lifetime import outlive
from upgradecheck.model import ClusterInfo, Report, Snapshot
from upgradecheck.suppress import ExceptionsConfig, load_config
from upgradecheck.versions import parse_minor
from upgradecheck.workloads import metadata

# The cluster collector (HTTP and TLS), the snapshot codec and compare are imported by the
# jobs that use them: `scan` runs on every commit, and its start-up is most of its time. The
# manifest scanner and the client runner likewise: `assess` and `collect` read no manifest.
if TYPE_CHECKING:
    from upgradecheck.collect.cluster.collector import CollectOptions, Progress
    from upgradecheck.collect.cluster.endpoint import Endpoint
    from upgradecheck.compare import Comparison


def report_for_manifests(
    paths: Sequence[str],
    *,
    target: str | None,
    current: str | None = None,
    stdin: TextIO | None = None,
    helm: str | None = None,
    kubectl: str | None = None,
    values: Sequence[str] = (),
    find_clients: bool = True,
    config: str | Path | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    data: Sequence[str | Path] = (),
    root: str | None = None,
    client_timeout: float = RUN_TIMEOUT,
) -> Report:
    """Scan manifest files and folders (`-` for stdin) and assess them.

    Chart folders are rendered with `helm template` for the target version and kustomization
    folders built with `kubectl kustomize`: with the binaries named (`helm`, `kubectl`), else
    those on PATH when `find_clients`; without one, the folder is read by its fallback and
    the report's coverage says so. `values` files are passed to every `helm template`.
    `config` names an exceptions file (`.upgradecheck.yaml`); `data` user data files for the
    knowledge base, applied after the config file's own. Nothing outside each named folder
    (or `root`, which must hold every named path) is read, by the scan or by the clients;
    each client run may take `client_timeout` seconds.
    """
    from upgradecheck.collect.binaries import BuildOptions, ClientFinder
    from upgradecheck.collect.errors import ManifestError
    from upgradecheck.collect.files.scan import scan_manifests
    from upgradecheck.collect.helm.api_versions import capability_table, served_api_versions

    exceptions = _exceptions(config)
    kb = _knowledge(exceptions, data)
    current_minor = parse_minor(current) if current else None
    target_minor = target_version(kb, current_minor, target)
    for path in values:
        if not Path(path).is_file():
            raise ManifestError(f"--values {path}: no such file")
    build = BuildOptions(
        target=target_minor,
        helm=ClientFinder("helm", helm, use_path=find_clients),
        kubectl=ClientFinder("kubectl", kubectl, use_path=find_clients),
        values=tuple(values),
        api_versions=served_api_versions(kb, target_minor),
        # Only a chart read without helm asks (5 ms at every scan otherwise): worked out once.
        capabilities=functools.cache(functools.partial(capability_table, kb, target_minor)),
        timeout=client_timeout,
    )
    snapshot = scan_manifests(
        paths, stdin=stdin, build=build, max_file_bytes=max_file_bytes, root=root
    )
    outlive(snapshot)
    return assess(snapshot, kb, target=target, current=current, exceptions=exceptions)


def report_for_snapshot(
    path: str | Path,
    *,
    target: str | None,
    current: str | None = None,
    config: str | Path | None = None,
    data: Sequence[str | Path] = (),
    helm: Sequence[str] = (),
) -> Report:
    """Assess a saved snapshot file (with the exceptions file `config` and the user data
    files `data`, if any). `helm` names the helm binaries that will run `helm upgrade`: they
    replace the helm clients the snapshot recorded (they judge charts' kubeVersion, and
    their skew is checked)."""
    from upgradecheck.snapshot_io import read_snapshot

    exceptions = _exceptions(config)
    kb = _knowledge(exceptions, data)
    snapshot = read_snapshot(path)
    outlive(snapshot)
    snapshot = _identified(snapshot)
    if helm:
        others = tuple(c for c in snapshot.clients if c.name != "helm")
        local = tuple(probe("helm", p) for p in helm)
        for client in local:
            if client.version is None:
                raise AssessError(f"--helm {client.path}: no version ({client.error})")
        snapshot = snapshot.replaced(clients=others + local)
    return assess(snapshot, kb, target=target, current=current, exceptions=exceptions)


def _identified(snapshot: Snapshot) -> Snapshot:
    """`snapshot` with its cluster's uid: its kube-system namespace's, when it holds one."""
    if snapshot.cluster is None:
        return snapshot
    for o in snapshot.of_kind("Namespace"):
        uid = metadata(o).get("uid") if o.ref.name == "kube-system" else None
        if isinstance(uid, str) and uid:
            cluster = dataclasses.replace(snapshot.cluster, uid=uid)
            return snapshot.replaced(cluster=cluster)
    return snapshot


def collect_snapshot(
    options: CollectOptions, progress: Progress | None = None, data: Sequence[str | Path] = ()
) -> Snapshot:
    """Collect a live cluster into a Snapshot (the knowledge base, with the user data files
    `data`, names the APIs to read)."""
    from upgradecheck.collect.cluster.collector import collect_cluster

    snapshot = collect_cluster(options, load_knowledge_base(user_data=data), progress)
    outlive(snapshot)
    return snapshot


def report_for_cluster(
    options: CollectOptions,
    *,
    target: str | None,
    progress: Progress | None = None,
    config: str | Path | None = None,
    data: Sequence[str | Path] = (),
    snapshot_out: str | Path | None = None,
    reached: Callable[[ClusterInfo], None] | None = None,
    endpoint: Endpoint | None = None,
) -> Report:
    """Collect a live cluster and assess it (with the exceptions file `config` and the user
    data files `data`, if any). A target the knowledge base does not know fails before any
    request; one below the cluster's version, right after the server has said its version.
    `snapshot_out` keeps the snapshot collected: written before assessing, so that it is
    kept even when the assessment fails. `reached` is told the server once it has said its
    version: the credentials are loaded (and their temporary files gone), nothing is listed
    yet. `endpoint`: the cluster's, already loaded from `options` (see collect_cluster)."""
    from upgradecheck.collect.cluster.collector import collect_cluster
    from upgradecheck.snapshot_io import write_snapshot

    exceptions = _exceptions(config)
    kb = _knowledge(exceptions, data)
    target_version(kb, None, target)

    def check(cluster: ClusterInfo) -> None:
        if reached is not None:
            reached(cluster)
        target_version(kb, parse_minor(cluster.server_version), target)

    snapshot = collect_cluster(options, kb, progress, check=check, endpoint=endpoint)
    outlive(snapshot)
    if snapshot_out is not None:
        write_snapshot(snapshot, snapshot_out, reduced=True)  # collected: bodies already kept
    return assess(snapshot, kb, target=target, exceptions=exceptions)


def comparison_for_files(
    first: str | Path, second: str | Path, *, fidelity: bool = False
) -> Comparison:
    """Compare two snapshot files: one cluster before and after its upgrade, or (fidelity)
    production and the test cluster that rehearses its upgrade."""
    from upgradecheck.compare import CompareMode, compare_snapshots
    from upgradecheck.snapshot_io import read_snapshot

    mode = CompareMode.FIDELITY if fidelity else CompareMode.REHEARSAL
    snapshots = read_snapshot(first), read_snapshot(second)
    outlive(snapshots)
    return compare_snapshots(*snapshots, mode=mode, files=(str(first), str(second)))


def check_inputs(
    *, target: str | None, config: str | Path | None = None, data: Sequence[str | Path] = ()
) -> None:
    """Raise what the report_for_ functions would raise for a bad exceptions file, user data
    file or target (one the knowledge base does not know): for a job making many reports, so
    that a bad option fails once, before any cluster is reached."""
    target_version(_knowledge(_exceptions(config), data), None, target)


def _exceptions(config: str | Path | None) -> ExceptionsConfig | None:
    # Read before any slow work, so that a broken file fails at once.
    return load_config(config) if config is not None else None


def _knowledge(exceptions: ExceptionsConfig | None, data: Sequence[str | Path]) -> KnowledgeBase:
    """The knowledge base with the config file's data files, then `data`, applied."""
    configured = exceptions.data if exceptions is not None else ()
    return load_knowledge_base(user_data=[*configured, *data])
