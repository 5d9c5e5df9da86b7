"""The model types that snapshots and reports both hold, to dict and back, and the two forms
they are written in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, overload

from upgradecheck.codec.reading import Fields
from upgradecheck.model import (
    ClientBinary,
    ClusterInfo,
    CoverageNote,
    Evidence,
    EvidenceSource,
    NodeInfo,
    ObjectRef,
)


class Form(Enum):
    """Which document a value is written into. The snapshot file is read back by this tool:
    compact (empty optional fields left out) and complete (everything the checks read). The
    report documents are read by people and other tools: every field present, null when
    empty, in the contract's order, maps sorted so that two reports diff line by line."""

    SNAPSHOT = "snapshot"
    REPORT = "report"


# ---- ObjectRef -----------------------------------------------------------------------------


@overload
def ref_to_dict(ref: ObjectRef) -> dict[str, Any]: ...
@overload
def ref_to_dict(ref: None) -> None: ...
def ref_to_dict(ref: ObjectRef | None) -> dict[str, Any] | None:
    """`{"apiVersion", "kind", "namespace", "name"}`, the same in every document; None stays
    None (a finding about a node or a client names no object)."""
    if ref is None:
        return None
    return {
        "apiVersion": ref.api_version,
        "kind": ref.kind,
        "namespace": ref.namespace,
        "name": ref.name,
    }


def plain_ref(d: Any) -> ObjectRef | None:
    """The ObjectRef of `ref_to_dict` as written (a dict of strings, the namespace possibly
    null), read without the per-field checks; None when any field is otherwise, for
    `ref_from_dict` to name. A snapshot holds hundreds of thousands."""
    if type(d) is not dict:
        return None
    api_version, kind, namespace, name = (
        d.get("apiVersion"), d.get("kind"), d.get("namespace"), d.get("name")
    )
    if type(api_version) is str and type(kind) is str and type(name) is str and (
        namespace is None or type(namespace) is str
    ):
        return ObjectRef(api_version, kind, namespace, name)
    return None


def ref_from_dict(f: Fields, d: Mapping[str, Any], where: str) -> ObjectRef:
    """The ObjectRef of `ref_to_dict`."""
    return ObjectRef(
        api_version=f.req(d, "apiVersion", where),
        kind=f.req(d, "kind", where),
        namespace=f.opt(d, "namespace", where),
        name=f.req(d, "name", where),
    )


# ---- Evidence ------------------------------------------------------------------------------


def evidence_to_dict(e: Evidence, form: Form) -> dict[str, Any]:
    """The contract's source and location, the apiVersion, then detail and time: in a
    snapshot only when set, in a report always; the versions a chart leaves a template
    branch out for, only when known."""
    out: dict[str, Any] = {
        "source": e.source.value,
        "location": e.location,
        "api_version": e.api_version,
    }
    if e.detail or form is Form.REPORT:
        out["detail"] = e.detail
    if e.time or form is Form.REPORT:
        out["time"] = e.time
    if e.not_rendered_for:
        out["not_rendered_for"] = e.not_rendered_for
    return out


_SOURCES = {source.value: source for source in EvidenceSource}


def plain_evidence(d: Any) -> Evidence | None:
    """The Evidence of `evidence_to_dict` as written, read without the per-field checks;
    None when any field is otherwise, for `evidence_from_dict` to name."""
    if type(d) is not dict:
        return None
    source, location, api_version = d.get("source"), d.get("location"), d.get("api_version")
    detail, time, left = d.get("detail"), d.get("time"), d.get("not_rendered_for")
    kind = _SOURCES.get(source) if type(source) is str else None
    if (
        kind is None
        or type(location) is not str
        or type(api_version) is not str
        or not (detail is None or type(detail) is str)
        or not (time is None or type(time) is str)
        or not (left is None or type(left) is str)
    ):
        return None
    return Evidence(kind, location, api_version, detail or "", time, left or "")


def evidence_from_dict(f: Fields, d: Mapping[str, Any], where: str) -> Evidence:
    """The Evidence of `evidence_to_dict`."""
    source = f.req(d, "source", where)
    kind = _SOURCES.get(source)
    if kind is None:
        raise f.fail(f"{where}.source", f"unknown evidence source {source!r}")
    return Evidence(
        source=kind,
        location=f.req(d, "location", where),
        api_version=f.req(d, "api_version", where),
        detail=f.opt(d, "detail", where) or "",
        time=f.opt(d, "time", where),
        not_rendered_for=f.opt(d, "not_rendered_for", where) or "",
    )


# ---- ClusterInfo ---------------------------------------------------------------------------


def cluster_to_dict(cluster: ClusterInfo | None, form: Form) -> dict[str, Any] | None:
    """The API server's version, platform and context, or None. Only the snapshot keeps the
    client certificate's expiry: the credential check reads it there and raises a finding
    when it matters."""
    if cluster is None:
        return None
    out: dict[str, Any] = {
        "server_version": cluster.server_version,
        "platform": cluster.platform,
        "context": cluster.context,
    }
    if form is Form.SNAPSHOT:
        out["credential_expires"] = cluster.credential_expires
    return out


def cluster_from_dict(f: Fields, d: Mapping[str, Any]) -> ClusterInfo:
    """The ClusterInfo of `cluster_to_dict`."""
    return ClusterInfo(
        server_version=f.req(d, "server_version", "cluster"),
        platform=f.opt(d, "platform", "cluster") or "unknown",
        context=f.opt(d, "context", "cluster"),
        credential_expires=f.opt(d, "credential_expires", "cluster"),
    )


# ---- NodeInfo ------------------------------------------------------------------------------


def node_to_dict(node: NodeInfo, form: Form) -> dict[str, Any]:
    """One node's versions and state. A snapshot keeps the fields in the model's order and the
    labels as collected; a report puts the pool beside the name and sorts the labels."""
    out = {
        "name": node.name,
        "kubelet_version": node.kubelet_version,
        "kube_proxy_version": node.kube_proxy_version,
        "container_runtime": node.container_runtime,
        "os_image": node.os_image,
        "kernel_version": node.kernel_version,
        "architecture": node.architecture,
        "ready": node.ready,
        "pool": node.pool,
        "labels": dict(node.labels),
    }
    if form is Form.REPORT:
        # A key given again keeps its first place: name and pool lead, labels stay last.
        out = {"name": node.name, "pool": node.pool, **out}
        out["labels"] = dict(sorted(node.labels.items()))
    return out


def node_from_dict(f: Fields, d: Mapping[str, Any], where: str) -> NodeInfo:
    """The NodeInfo of `node_to_dict`."""
    return NodeInfo(
        name=f.req(d, "name", where),
        kubelet_version=f.req(d, "kubelet_version", where),
        kube_proxy_version=f.opt(d, "kube_proxy_version", where),
        container_runtime=f.opt(d, "container_runtime", where),
        os_image=f.opt(d, "os_image", where),
        kernel_version=f.opt(d, "kernel_version", where),
        architecture=f.opt(d, "architecture", where),
        ready=bool(d.get("ready", True)),
        pool=f.opt(d, "pool", where),
        # Labels are strings, as the collector keeps them; a hand-edited snapshot's others
        # are left out rather than carried into every report.
        labels={
            k: v for k, v in (f.opt(d, "labels", where, dict) or {}).items() if isinstance(v, str)
        },
    )


# ---- ClientBinary --------------------------------------------------------------------------


def client_to_dict(client: ClientBinary) -> dict[str, Any]:
    """One local client binary, the same in every document."""
    return {
        "name": client.name,
        "path": client.path,
        "version": client.version,
        "error": client.error,
    }


def client_from_dict(f: Fields, d: Mapping[str, Any], where: str) -> ClientBinary:
    """The ClientBinary of `client_to_dict`."""
    return ClientBinary(
        name=f.req(d, "name", where),
        path=f.req(d, "path", where),
        version=f.opt(d, "version", where),
        error=f.opt(d, "error", where),
    )


# ---- CoverageNote --------------------------------------------------------------------------


def note_to_dict(note: CoverageNote) -> dict[str, Any]:
    """`{"subject", "reason", "kind"}`, the same in every document."""
    return {"subject": note.subject, "reason": note.reason, "kind": note.kind}


def note_from_dict(f: Fields, d: Mapping[str, Any], where: str) -> CoverageNote:
    """The CoverageNote of `note_to_dict`."""
    return CoverageNote(
        subject=f.req(d, "subject", where),
        reason=f.req(d, "reason", where),
        kind=f.opt(d, "kind", where) or "gap",
    )


def coverage_to_dict(notes: Sequence[CoverageNote]) -> dict[str, Any]:
    """A report's or a comparison's coverage: `{"warnings": ["subject: reason"], "notes":
    [{subject, reason, kind}]}` (a snapshot lists the notes alone)."""
    return {
        "warnings": [n.describe() for n in notes],
        "notes": [note_to_dict(n) for n in notes],
    }
