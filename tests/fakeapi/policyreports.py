"""The wgpolicyk8s.io PolicyReport CRDs (tests/schemas/) and what a real API server does with
an object of theirs: validate it against the served version's openAPIV3Schema and prune the
fields the schema does not declare. The render tests check upgradecheck's output with the
same two functions the fake API server applies to what it is sent."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import jsonschema
import yaml

__all__ = ["CRD_FILES", "GROUP", "crds", "problems", "pruned", "schema"]

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
