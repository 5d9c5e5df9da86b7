"""The wgpolicyk8s.io PolicyReport CRDs (tests/schemas/) and what a real API server does with
an object of theirs: validate it against the served version's openAPIV3Schema and prune the
fields the schema does not declare. The render tests check upgradecheck's output with the
same two functions the fake API server applies to what it is sent; `write` is the fake's
server-side apply and delete on the group, the only writes it accepts."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

__all__ = ["CRD_FILES", "GROUP", "crds", "install", "problems", "pruned", "schema", "write"]

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
CRD_FILES = (
    SCHEMAS / "wgpolicyk8s.io_policyreports.yaml",
    SCHEMAS / "wgpolicyk8s.io_clusterpolicyreports.yaml",
)
GROUP = "wgpolicyk8s.io"


@functools.cache
def _crds() -> tuple[dict[str, Any], ...]:
    return tuple(yaml.safe_load(path.read_text()) for path in CRD_FILES)


def crds() -> list[dict[str, Any]]:
    """The two CustomResourceDefinitions (copies)."""
    return copy.deepcopy(list(_crds()))


@functools.cache
def _schema(kind: str, version: str) -> dict[str, Any]:
    for crd in _crds():
        if crd["spec"]["names"]["kind"] != kind:
            continue
        for v in crd["spec"]["versions"]:
            if v["name"] == version:
                return dict(v["schema"]["openAPIV3Schema"])
    raise KeyError(f"no {kind} {version} in {', '.join(p.name for p in CRD_FILES)}")


def schema(kind: str, version: str) -> dict[str, Any]:
    """The openAPIV3Schema of `kind` (`PolicyReport`, `ClusterPolicyReport`) at `version`."""
    return copy.deepcopy(_schema(kind, version))


def pruned(node: Any, spec: dict[str, Any], where: str = "") -> list[str]:
    """The paths of the fields in `node` that `spec` does not declare: a structural schema's
    API server drops them silently (`metadata` is the server's own and never pruned)."""
    out: list[str] = []
    if isinstance(node, dict) and spec.get("type") == "object":
        props = spec.get("properties")
        extra = spec.get("additionalProperties")
        for key, value in node.items():
            path = f"{where}.{key}" if where else key
            if props is not None and key in props:
                if path != "metadata":
                    out += pruned(value, props[key], path)
            elif isinstance(extra, dict):
                out += pruned(value, extra, path)
            elif props is not None:
                out.append(path)
    elif isinstance(node, list) and isinstance(spec.get("items"), dict):
        for i, item in enumerate(node):
            out += pruned(item, spec["items"], f"{where}[{i}]")
    return out


def problems(doc: dict[str, Any]) -> list[str]:
    """Why the API server would refuse or change `doc`: schema violations and pruned
    fields (empty when it would store the object as sent)."""
    api_version = str(doc.get("apiVersion", ""))
    group, _, version = api_version.rpartition("/")
    if group != GROUP:
        return [f"apiVersion {api_version!r} is not in {GROUP}"]
    try:
        spec = _schema(str(doc.get("kind")), version)
    except KeyError as exc:
        return [str(exc.args[0])]
    validator = jsonschema.Draft7Validator(spec)
    errors = [
        f"{'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in validator.iter_errors(doc)
    ]
    return errors + [f"{path}: not in the schema (pruned)" for path in pruned(doc, spec)]


# --------------------------------------------------------------------------- the fake's writes

APPLY = "application/apply-patch+yaml"
MAX_OBJECT_BYTES = 1536 * 1024
"""etcd's default request limit: the largest object a real cluster stores."""
WRITABLE = frozenset({"policyreports", "clusterpolicyreports"})
"""The resources of GROUP the fake accepts writes on."""
Answer = tuple[int, dict[str, Any]]


def install(store: Any) -> None:
    """Install the CRDs into a fake API server's store (served, and listed as objects)."""
    for crd in crds():
        store.install_crd(crd)


def _status(code: int, reason: str, message: str, **details: Any) -> Answer:
    doc: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                           "status": "Failure" if code >= 400 else "Success",
                           "message": message, "reason": reason}
    if details:
        doc["details"] = details
    doc["code"] = code
    return code, doc


def write(store: Any, method: str, route: Any, query: dict[str, list[str]],
          content_type: str, body: bytes, now: str) -> Answer:
    """The answer to a write on GROUP's reports: server-side apply (PATCH with
    `application/apply-patch+yaml` and a fieldManager) creates or replaces the object and
    DELETE removes it; any other write is refused (403). With `dryRun=All` both are checked
    and answered as a real server does, and nothing is stored. Stricter than a real server,
    which would drop undeclared fields with a warning: here they make the apply invalid
    (422)."""
    rt = route.rt
    what = f"{rt.name}.{GROUP}"
    if rt.name not in WRITABLE or not route.name or route.subresource:
        return _status(405, "MethodNotAllowed", f"{method} is not allowed here")
    dry_run = query.get("dryRun")
    if dry_run not in (None, ["All"]):
        return _status(400, "BadRequest", f"unsupported dryRun value {dry_run}")
    if method == "DELETE":
        if dry_run:
            found = store.get(rt, route.namespace if rt.namespaced else "", route.name)
            old = found.obj if found is not None else None
        else:
            old = store.remove(rt, route.namespace, route.name)
        if old is None:
            return _status(404, "NotFound", f'{what} "{route.name}" not found',
                           name=route.name, group=GROUP, kind=rt.name)
        return _status(200, "", "", name=route.name, group=GROUP, kind=rt.name,
                       uid=old["metadata"]["uid"])
    if method != "PATCH" or content_type.split(";")[0].strip() != APPLY:
        return _status(403, "Forbidden",
                       f"the fake API server accepts only server-side apply and delete on "
                       f"{GROUP} (got {method} {content_type or 'without a content type'})")
    manager = (query.get("fieldManager") or [""])[0]
    if not manager:
        return _status(400, "BadRequest", "PATCH request needs a fieldManager query parameter "
                       "for apply requests")
    try:
        obj = yaml.load(body, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        return _status(400, "BadRequest", f"error decoding YAML: {exc}")
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
        return _status(400, "BadRequest", "the body is not an object with metadata")
    meta = obj["metadata"]
    got = (obj.get("apiVersion"), obj.get("kind"), meta.get("name"), meta.get("namespace"))
    want = (route.group_version, rt.kind, route.name, route.namespace or None)
    if got[:3] != want[:3] or got[3] not in (None, want[3]):
        return _status(400, "BadRequest", f"the object {got} does not match the URL {want}")
    if rt.namespaced:
        ns_type = store.lookup("", "v1", "namespaces")
        if ns_type is None or store.get(ns_type, "", route.namespace) is None:
            return _status(404, "NotFound", f'namespaces "{route.namespace}" not found',
                           name=route.namespace, kind="namespaces")
        meta["namespace"] = route.namespace
    found = problems(obj)
    if found:
        return _status(422, "Invalid", f'{rt.kind}.{GROUP} "{route.name}" is invalid: '
                       + "; ".join(found[:5]), name=route.name, group=GROUP, kind=rt.kind,
                       causes=[{"reason": "FieldValueInvalid", "message": p} for p in found])
    size = len(json.dumps(obj, separators=(",", ":")).encode())
    if size > MAX_OBJECT_BYTES:
        return _status(413, "RequestEntityTooLarge",
                       f"etcdserver: request is too large ({size} bytes)")
    meta["managedFields"] = [{
        "manager": manager, "operation": "Apply", "apiVersion": route.group_version,
        "time": now, "fieldsType": "FieldsV1", "fieldsV1": {},
    }]
    if dry_run:
        exists = store.get(rt, route.namespace if rt.namespaced else "", route.name)
        return (200 if exists is not None else 201), obj
    stored, created = store.put(rt, obj)
    return (201 if created else 200), stored
