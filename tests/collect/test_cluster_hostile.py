"""The collector against a hostile API server: any JSON in any answer, endless or cyclic pages,
answers that never end, a server that stops answering. Collection never crashes: each odd
answer is a coverage note, and only /version failing (or nothing read) ends the run."""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from fakeapi import load_cluster
from fakeapi.store import Store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from upgradecheck.collect.cluster import collector as collector_module
from upgradecheck.collect.cluster import listing
from upgradecheck.collect.cluster.collector import CollectOptions, collect_cluster
from upgradecheck.collect.cluster.endpoint import Endpoint, load_endpoint
from upgradecheck.collect.cluster.listing import RESTART, list_items
from upgradecheck.collect.cluster.transport import (
    RequestFailed,
    Transport,
    TransportOptions,
    _Inflate,
)
from upgradecheck.collect.errors import ClusterUnreachable
from upgradecheck.knowledge import load_knowledge_base

KB = load_knowledge_base()
STORE = Store(load_cluster("v1.31"))
VERSION = {"major": "1", "minor": "31", "gitVersion": "v1.31.4"}


class ScriptedTransport(Transport):
    """A Transport whose answers come from a function of the path (no network)."""

    answer: Callable[[str, Sequence[tuple[str, Any]]], Any] = staticmethod(lambda p, q: None)

    def _send(self, request: Any) -> tuple[bytearray, str]:
        doc = type(self).answer(request.path, request.query)
        if isinstance(doc, RequestFailed):
            raise doc
        if isinstance(doc, bytes):
            return bytearray(doc), "text/plain"
        return bytearray(json.dumps(doc).encode()), "application/json"


def _collect(monkeypatch: pytest.MonkeyPatch, answer: Callable[..., Any]) -> Any:
    endpoint = Endpoint(host="https://127.0.0.1:1", context="fuzz", ssl_context=None)
    monkeypatch.setattr(collector_module, "load_endpoint", lambda *_: endpoint)
    monkeypatch.setattr(ScriptedTransport, "answer", staticmethod(answer))
    monkeypatch.setattr(collector_module, "Transport", ScriptedTransport)
    options = CollectOptions(probe_clients=False, transport=TransportOptions(concurrency=2))
    return collect_cluster(options, KB)


# ---- the family: any JSON anywhere ----------------------------------------------------------

_KEYS = st.sampled_from(
    ["items", "metadata", "continue", "name", "namespace", "groups", "versions", "version",
     "preferredVersion", "resources", "kind", "verbs", "namespaced", "managedFields",
     "annotations", "labels", "status", "spec", "nodeInfo", "conditions", "data", "release",
     "type", "apiVersion", "manager", "time", "kubeletVersion", "owner"]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=6) | st.sampled_from(["v1", "list", "\x1b[2J", "apps", "x/y"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS | st.text(max_size=4),
                                                                inner, max_size=6),
    max_leaves=25,
)

def _some(**fields: Any) -> Any:
    """A mapping holding any of `fields`, each of its own shape or of any JSON at all."""
    return st.fixed_dictionaries({}, optional={k: v | _JSON for k, v in fields.items()})


_META = _some(
    name=st.text(max_size=5),
    namespace=st.text(max_size=5),
    labels=st.dictionaries(st.text(max_size=4), _JSON, max_size=3),
    annotations=st.dictionaries(
        st.sampled_from(["kubectl.kubernetes.io/last-applied-configuration", "a"]), _JSON,
        max_size=2,
    ),
    managedFields=st.lists(_some(apiVersion=st.text(max_size=5), manager=_JSON, time=_JSON),
                           max_size=2),
)
_OBJECT = _some(
    metadata=_META,
    status=_some(nodeInfo=st.dictionaries(_KEYS, _JSON, max_size=4),
                 conditions=st.lists(_some(type=st.just("Ready"), status=_JSON), max_size=2)),
    spec=_JSON,
    data=_some(release=st.text(max_size=8)),
    type=_JSON,
)
_LIST = _some(
    items=st.lists(_OBJECT | _JSON, max_size=4),
    metadata=_some(**{"continue": st.sampled_from(["", "a", "b"])}),
)
_FAILURES = st.sampled_from([
    RequestFailed(403, "Forbidden", "?"), RequestFailed(404, "Not Found", "?"),
    RequestFailed(0, "no complete answer within 1 s", "?", "no-answer"),
    RequestFailed(0, "the answer is larger than the 16 MiB limit", "?", "too-large"),
    RequestFailed(410, "Gone", "?"), b"<html>", b"\xff\xfe",
])


def _valid(path: str) -> Any:
    if path == "/api":
        return STORE.api_versions()
    if path == "/apis":
        return STORE.api_group_list()
    parts = path.strip("/").split("/")
    if parts[0] == "api" and len(parts) == 2:
        return STORE.api_resource_list("", parts[1])
    if parts[0] == "apis" and len(parts) == 3:
        return STORE.api_resource_list(parts[1], parts[2])
    return {"kind": "List", "metadata": {}, "items": [{"metadata": {"name": "a"}}]}


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    odd=st.lists(st.one_of(_LIST, _JSON, _FAILURES), min_size=1, max_size=12),
    seed=st.integers(0, 7),
)
def test_any_answer_anywhere_is_coverage_never_a_crash(
    monkeypatch: pytest.MonkeyPatch, odd: list[Any], seed: int
) -> None:
    def answer(path: str, query: Sequence[tuple[str, Any]]) -> Any:
        if path == "/version":
            return VERSION
        pick = (zlib.crc32(path.encode()) + seed) % (len(odd) + 2)
        return _valid(path) if pick >= len(odd) else odd[pick]

    try:
        snapshot = _collect(monkeypatch, answer)
    except ClusterUnreachable as exc:  # nothing at all could be read
        assert "no list could be read" in str(exc)
        return
    for note in snapshot.coverage:
        assert "report this as a bug" not in note.reason, note
        assert note.describe().isprintable(), note
    for obj in snapshot.objects:
        assert obj.ref.name.isprintable() and (obj.ref.namespace or "").isprintable()


def test_the_version_answer_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    for doc, words in (([1], "reported no version"), ({"gitVersion": "\x1b]0;x"}, "not a "
                       "Kubernetes version"), (b"<html>", "was not JSON")):
        with pytest.raises(ClusterUnreachable, match=words) as exc:
            _collect(monkeypatch, lambda path, query, doc=doc: doc)
        assert "\x1b" not in str(exc.value)


# ---- pages --------------------------------------------------------------------------------


def _pages(monkeypatch: pytest.MonkeyPatch, answer: Callable[..., Any]) -> list[Any]:
    monkeypatch.setattr(ScriptedTransport, "answer", staticmethod(answer))
    t = ScriptedTransport(Endpoint(host="https://h", context=None, ssl_context=None))
    out: list[Any] = []
    try:
        for page in list_items(t, "/api/v1/pods", page_size=2):
            out.append(page)
    except RequestFailed as exc:
        out.append(exc)
    return out


def test_a_cycle_of_continue_tokens_ends_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    following = {None: "a", "a": "b", "b": "a"}
    pages = _pages(monkeypatch, lambda path, query: {
        "items": [{}], "metadata": {"continue": following[dict(query).get("continue")]}})
    assert len(pages) == 4 and isinstance(pages[-1], RequestFailed)
    assert "same continue token twice" in pages[-1].reason


def test_more_pages_than_any_cluster_holds_end_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing, "MAX_PAGES", 20)
    pages = _pages(monkeypatch, lambda path, query: {
        "items": [], "metadata": {"continue": f"t{len(str(query))}-{time.monotonic_ns()}"}})
    assert len(pages) == 21 and "more than 20 pages" in pages[-1].reason


def test_too_large_pages_shrink_then_give_up(monkeypatch: pytest.MonkeyPatch) -> None:
    big = RequestFailed(0, "the answer is larger than the 1 MiB limit", "p", "too-large")
    sizes: list[int] = []

    def answer(path: str, query: Sequence[tuple[str, Any]]) -> Any:
        sizes.append(dict(query)["limit"])
        return big

    pages = _pages(monkeypatch, answer)
    assert sizes == [2, 1] and pages[0] is RESTART and pages[-1] is big


# ---- the transport, live ---------------------------------------------------------------------


def _transport(api: Any, **options: Any) -> Transport:
    return Transport(load_endpoint(str(api.kubeconfig_path), None), TransportOptions(**options))


def test_refusals_and_credentials_are_not_retried(fakeapi: Any) -> None:
    api = fakeapi("v1.31")
    api.faults.forbid("/api/v1/nodes")
    api.faults.unauthorized("/api/v1/pods")
    t = _transport(api, retries=5, backoff=0.01)
    for path, status in (("/api/v1/nodes", 403), ("/api/v1/pods", 401)):
        with pytest.raises(RequestFailed) as exc:
            t.get_json(path)
        assert exc.value.status == status and api.paths().count(path) == 1


def test_throttling_is_retried_as_the_server_asks(fakeapi: Any) -> None:
    api = fakeapi("v1.31")
    api.faults.throttle("/api/v1/nodes", times=2, retry_after=0)
    retries: list[str] = []
    t = _transport(api, retries=5, backoff=0.01)
    t.on_retry = retries.append
    assert t.get_json("/api/v1/nodes")["items"]
    assert len(retries) == 2 and "429 Too Many Requests" in retries[0]


def test_a_dripped_body_ends_at_the_deadline(fakeapi: Any) -> None:
    api = fakeapi("v1.31")
    api.faults.drip("/api/v1/nodes", interval=0.2)
    t = _transport(api, timeout=0.6, backoff=0.01)
    start = time.monotonic()
    with pytest.raises(RequestFailed, match=r"no complete answer within 0\.6 s") as exc:
        t.get_json("/api/v1/nodes")
    # Three attempts of 0.6 s each, where the dripped body alone would take 12 s each.
    assert exc.value.attempts == 3 and time.monotonic() - start < 4.0


def test_a_server_that_stops_answering_fails_the_rest_at_once(fakeapi: Any) -> None:
    api = fakeapi("v1.31")
    api.faults.hang("/api*")
    api.faults.hang("/metrics")
    opts = CollectOptions(
        kubeconfig=str(api.kubeconfig_path), probe_clients=False,
        transport=TransportOptions(timeout=0.5, backoff=0.01, concurrency=2),
    )
    start = time.monotonic()
    with pytest.raises(ClusterUnreachable, match="no list could be read"):
        collect_cluster(opts, KB)
    # Discovery and about twenty lists, yet no more than a few rounds of timeouts.
    assert time.monotonic() - start < 6 * 0.5 * 3


def test_cancel_stops_requests_in_flight(fakeapi: Any) -> None:
    import threading

    api = fakeapi("v1.31")
    api.faults.hang("/api/v1/nodes")
    t = _transport(api, timeout=30)
    threading.Timer(0.3, t.cancel).start()
    start = time.monotonic()
    with pytest.raises(RequestFailed, match="cancelled"):
        t.get_json("/api/v1/nodes")
    assert time.monotonic() - start < 3
    with pytest.raises(RequestFailed, match="cancelled"):
        t.get_json("/version")


def test_inflating_stops_past_the_room_given() -> None:
    import gzip

    member = gzip.compress(b" " * 100_000)
    inflate = _Inflate()
    out = inflate.feed(member * 50, 250_000)
    assert 250_000 < len(out) <= 250_001
    whole = _Inflate().feed(member * 3, 10**9)
    assert whole == b" " * 300_000  # several gzip members, one after the other
    assert _Inflate().feed(zlib.compress(b"abc"), 10) == b"abc"  # zlib ("deflate") too
