"""List pages decoded straight into reduced items give the objects that reducing the whole
items gives: on well-formed pages (msgspec's typed path) and on hostile ones (the standard
library's path), for every kind the allow-list names and one it does not."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from support.hostile import Hostile

from upgradecheck.collect.cluster.collector import _name, observed
from upgradecheck.collect.cluster.discovery import ServedResource
from upgradecheck.collect.cluster.evidence import evidence_of
from upgradecheck.collect.cluster.pages import ItemTooDeep, shape
from upgradecheck.collect.sanitize import LAST_APPLIED, trim_object
from upgradecheck.model import ObjectRef, ObservedObject
from upgradecheck.shapes import as_map

ENCODED_SECRET = "czNudGluZWw="


def _resource(kind: str) -> ServedResource:
    return ServedResource("", "v1", kind.lower() + "s", kind, True, ("list",), True)


def _reference(item: dict[str, Any], res: ServedResource) -> ObservedObject:
    """What the collector made of a whole listed item before pages were decoded reduced."""
    meta = as_map(item.get("metadata"))
    ref = ObjectRef(
        res.api_version,
        res.kind,
        _name(meta.get("namespace")),
        _name(meta.get("name")) or "<unnamed>",
    )
    return ObservedObject(ref, evidence_of(meta), trim_object(item, res.api_version, res.kind))


def _collected(raw: bytes, res: ServedResource) -> list[ObservedObject]:
    page = shape(res.kind).decode(raw)
    return [observed(item, res) for item in page["items"] if type(item) is dict]


def _page(items: list[Any]) -> bytes:
    doc = {"kind": "List", "metadata": {"continue": "abc"}, "items": items}
    return json.dumps(doc).encode()


def _pod() -> dict[str, Any]:
    volume = {"name": "data", "emptyDir": {"medium": "Memory"}}
    return {
        "metadata": {
            "name": "web-1",
            "namespace": "shop",
            "uid": "u1",
            "resourceVersion": "7",
            "labels": {"app": "web"},
            "annotations": {LAST_APPLIED: '{"apiVersion":"v1","kind":"Pod"}', "team": "a"},
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "x"}
            ],
            "managedFields": [
                {
                    "manager": "kubectl",
                    "operation": "Apply",
                    "apiVersion": "v1",
                    "time": "2024-01-01T00:00:00Z",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {},
                },
            ],
        },
        "spec": {
            "nodeName": "n1",
            "containers": [
                {
                    "name": "c",
                    "image": "i:1",
                    "env": [{"name": "A"}],
                    "resources": {"requests": {"cpu": "1"}, "limits": {}},
                }
            ],
            "volumes": [
                volume,
                {"name": "cfg", "configMap": {"name": "cfg", "items": []}},
                {"name": "old", "gcePersistentDisk": {"pdName": "d"}},
            ],
        },
        "status": {
            "phase": "Running",
            "podIP": "10.0.0.1",
            "containerStatuses": [
                {
                    "name": "c",
                    "restartCount": 2,
                    "ready": True,
                    "state": {"waiting": {"reason": "X", "message": "m"}},
                }
            ],
        },
    }


WELL_FORMED: dict[str, list[dict[str, Any]]] = {
    "Pod": [_pod(), {**_pod(), "metadata": {"name": "bare"}}],
    "Deployment": [
        {
            "metadata": {"name": "web", "annotations": {"a": "b"}},
            "spec": {
                "replicas": 3,
                "template": {"metadata": {"labels": {"a": "b"}}, "spec": _pod()["spec"]},
            },
            "status": {"readyReplicas": 3, "replicas": 3},
        }
    ],
    "CronJob": [
        {
            "metadata": {"name": "etl"},
            "spec": {
                "schedule": "* * * * *",
                "jobTemplate": {"spec": {"template": {"spec": _pod()["spec"]}}},
            },
        }
    ],
    "ConfigMap": [
        {
            "metadata": {"name": "kube-proxy", "namespace": "kube-system"},
            "data": {"config.conf": "mode: ipvs", "other": "x"},
        },
        {"metadata": {"name": "app", "namespace": "shop"}, "data": {"k": "v"}},
    ],
    "Secret": [
        {
            "metadata": {"name": "tls", "annotations": {LAST_APPLIED: "{}"}},
            "type": "kubernetes.io/tls",
            "data": {"tls.key": ENCODED_SECRET},
            "tls": {"notAfter": "forged"},
        }
    ],
    "PersistentVolume": [
        {
            "metadata": {"name": "pv"},
            "spec": {"csi": {"driver": "d"}, "awsElasticBlockStore": {"v": 1}},
        }
    ],
    "EndpointSlice": [
        {
            "metadata": {"name": "e"},
            "addressType": "IPv4",
            "endpoints": [
                {"addresses": ["1.2.3.4"], "conditions": {"ready": True}, "nodeName": "n"}
            ],
        }
    ],
    "Widget": [{"metadata": {"name": "w", "labels": {"a": "b"}}, "spec": {"size": 1}}],
}


@pytest.mark.parametrize("kind", sorted(WELL_FORMED))
def test_well_formed_pages_decode_typed_to_the_reduced_objects(kind: str) -> None:
    res = _resource(kind)
    items = WELL_FORMED[kind]
    raw = _page(items)
    typed = shape(kind)._decoder.decode(raw)  # the typed path takes it: no fallback
    assert len(typed["items"]) == len(items)
    assert _collected(raw, res) == [_reference(item, res) for item in items]


def test_what_is_dropped_is_never_decoded() -> None:
    """Secret data, managedFields' field sets, a pod's environment are not in the body."""
    (secret,) = _collected(_page(WELL_FORMED["Secret"]), _resource("Secret"))
    assert "data" not in secret.body and "tls" not in secret.body
    assert ENCODED_SECRET not in json.dumps(secret.body)
    assert "annotations" not in secret.body["metadata"]
    pod = _collected(_page(WELL_FORMED["Pod"]), _resource("Pod"))[0]
    assert "managedFields" not in pod.body["metadata"]
    assert LAST_APPLIED not in pod.body["metadata"]["annotations"]
    assert pod.evidence[0].api_version == "v1"  # read from the annotation before it went
    assert "env" not in pod.body["spec"]["containers"][0]
    assert pod.body["spec"]["volumes"][1] == {"name": "cfg", "configMap": {}}


@pytest.mark.parametrize("seed", range(4))
def test_hostile_items_give_the_objects_whole_items_give(seed: int) -> None:
    """Wrong-typed values anywhere (the page then goes the standard library's way) and
    items that are well formed enough for the typed path, one page each and all together."""
    hostile = Hostile(random.Random(seed))
    for _ in range(150):
        item = hostile.manifest()
        res = _resource(item["kind"])
        if random.Random(seed).random() < 0.5:
            item = {k: v for k, v in item.items() if k not in ("apiVersion", "kind")}
        expected = [_reference(json.loads(json.dumps(item)), res)]
        assert _collected(_page([item]), res) == expected, item
        mixed = [item, 7, "text", None]  # items that are not objects are skipped
        assert _collected(_page(mixed), res) == expected


def test_a_page_that_is_not_json_fails_as_json() -> None:
    with pytest.raises(json.JSONDecodeError):
        shape("Pod").decode(b'{"items": [')
    assert shape("Pod").decode(b"[1]") == [1]  # the listing says what is wrong with it


def test_an_item_too_deep_to_reduce_is_not_an_answer_error() -> None:
    """json reads it, the reduction cannot walk it: not 'the answer was not JSON'."""
    deep: Any = "x"
    for _ in range(700):
        deep = [deep]
    raw = _page([{"metadata": {"name": "p"}, "spec": {"containers": deep}}])
    with pytest.raises(ItemTooDeep):
        shape("Pod").decode(raw)
    assert not isinstance(ItemTooDeep("x"), json.JSONDecodeError)
