"""Kubeconfigs, good and broken, read before the kubernetes client sees them: every problem is
one SourceError naming the file and the field; a usable one reaches the fake API server with
its key kept in memory."""

from __future__ import annotations

import base64
import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakeapi import make_client_certificate
from fakeapi.kubeconfig import kubeconfig_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from upgradecheck.collect.cluster.endpoint import load_endpoint
from upgradecheck.collect.cluster.kubeconfig import select
from upgradecheck.collect.errors import ClusterUnreachable, SourceError

SERVER = "https://127.0.0.1:6443"
CLIENT = make_client_certificate()


def _valid(**kw: Any) -> dict[str, Any]:
    return kubeconfig_dict(**{"server": SERVER, "ca_pem": None, "token": "t0ken-abcdef", **kw})


def _write(tmp_path: Path, doc: Any, name: str = "kc") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    return path


def _error(path: Path, context: str | None = None) -> str:
    with pytest.raises(SourceError) as exc:
        load_endpoint(str(path), context)
    message = str(exc.value)
    assert "\n" not in message and str(path) in message, message
    return message


def _with(change: Any) -> dict[str, Any]:
    doc = _valid()
    change(doc)
    return doc


def _user(doc: dict[str, Any]) -> dict[str, Any]:
    user: dict[str, Any] = doc["users"][0]["user"]
    return user


def _cluster(doc: dict[str, Any]) -> dict[str, Any]:
    cluster: dict[str, Any] = doc["clusters"][0]["cluster"]
    return cluster


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# (broken kubeconfig, words the one-line error must hold)
BROKEN: list[tuple[str, Any, str]] = [
    ("malformed YAML", "clusters: [\n  - name: a\n  cluster: {server: x\n", "not valid YAML"),
    ("a tab in YAML", "apiVersion: v1\nclusters:\n\t- name: x\n", "not valid YAML"),
    ("empty file", "", "empty"),
    ("a list at the top", "- a\n- b\n", "got a list"),
    ("a Python tag", "!!python/object:os.system {}\n", "not valid YAML"),
    ("user is a string", _with(lambda d: d["users"][0].update(user="admin")), "got a string"),
    ("cluster is a list", _with(lambda d: d["clusters"][0].update(cluster=[1])), "got a list"),
    ("clusters is a mapping", _with(lambda d: d.update(clusters={"a": 1})), "expected a list"),
    ("entry without name", _with(lambda d: d["users"][0].pop("name")), "no name"),
    (
        "client-key-data not base64",
        _with(
            lambda d: _user(d).update(
                {"client-certificate-data": _b64(CLIENT.cert_pem), "client-key-data": "%%%"}
            )
        ),
        "client-key-data is not base64",
    ),
    (
        "client-key-data not a key",
        _with(
            lambda d: _user(d).update(
                {
                    "client-certificate-data": _b64(CLIENT.cert_pem),
                    "client-key-data": _b64(b"hello"),
                }
            )
        ),
        "no PEM private key",
    ),
    (
        "certificate without key",
        _with(lambda d: _user(d).update({"client-certificate-data": _b64(CLIENT.cert_pem)})),
        "without client-key",
    ),
    (
        "key of another certificate",
        _with(
            lambda d: _user(d).update(
                {
                    "client-certificate-data": _b64(CLIENT.cert_pem),
                    "client-key-data": _b64(make_client_certificate().key_pem),
                }
            )
        ),
        "do not belong together",
    ),
    (
        "CA data not a certificate",
        _with(lambda d: _cluster(d).update({"certificate-authority-data": _b64(b"x")})),
        "holds no PEM certificate",
    ),
    (
        "CA file missing",
        _with(lambda d: _cluster(d).update({"certificate-authority": "nope/ca.crt"})),
        "no such file",
    ),
    (
        "token file missing",
        _with(lambda d: _user(d).update({"tokenFile": "/nonexistent/token"})),
        "no such file",
    ),
    ("no server", _with(lambda d: _cluster(d).pop("server")), "no server URL"),
    ("server not a URL", _with(lambda d: _cluster(d).update(server="my-cluster")), "https://"),
    ("server bad port", _with(lambda d: _cluster(d).update(server="https://h:99999")), "URL"),
    (
        "insecure not a boolean",
        _with(lambda d: _cluster(d).update({"insecure-skip-tls-verify": "yes"})),
        "true or false",
    ),
    ("no current context", _with(lambda d: d.pop("current-context")), "--context"),
    ("no contexts", _with(lambda d: d.update(contexts=[])), "no contexts"),
    ("unknown context", _with(lambda d: d.update({"current-context": "prod"})), "no context"),
    (
        "context names an unknown cluster",
        _with(lambda d: d["contexts"][0]["context"].update(cluster="gone")),
        "not defined",
    ),
    (
        "context names an unknown user",
        _with(lambda d: d["contexts"][0]["context"].update(user="gone")),
        "not defined",
    ),
    ("exec without command", _with(lambda d: _user(d).update(exec={"args": []})), "no command"),
    ("username alone", _with(lambda d: _user(d).update(username="admin")), "password"),
    ("token a number", _with(lambda d: _user(d).update(token=12345)), "expected a string"),
]


@pytest.mark.parametrize(("doc", "words"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_each_broken_kubeconfig_is_one_line_naming_the_file(
    tmp_path: Path, doc: Any, words: str
) -> None:
    message = _error(_write(tmp_path, doc))
    assert words in message


def test_missing_folder_and_unreadable_paths_are_named(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "nope")
    assert "is a folder" in _error(tmp_path)
    blocked = _write(tmp_path, _valid(), "blocked")
    blocked.chmod(0)
    if os.access(blocked, os.R_OK):  # root reads anything
        pytest.skip("running as root")
    assert "denied" in _error(blocked)


def test_context_not_found_lists_the_contexts(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, _valid()), context="staging")
    assert "no context 'staging'" in message and "contexts: fake" in message


def test_kubeconfig_list_merges_first_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _valid(context="a", cluster_name="c1", user_name="u1")
    second = _valid(context="b", cluster_name="c1", user_name="u2")
    second["clusters"][0]["cluster"]["server"] = "https://10.0.0.1:6443"
    second["current-context"] = "b"
    paths = [_write(tmp_path, first, "one"), _write(tmp_path, second, "two")]
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join(str(p) for p in [*paths, tmp_path / "gone"]))
    chosen = select(None, None)
    assert chosen is not None and chosen.context == "a" and chosen.server == SERVER
    other = select(None, "b")
    assert other is not None and other.server == SERVER  # cluster c1 from the first file


def test_relative_paths_are_read_beside_the_kubeconfig(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.crt").write_bytes(CLIENT.ca_cert_pem)
    (tmp_path / "certs" / "client.crt").write_bytes(CLIENT.cert_pem)
    (tmp_path / "certs" / "client.key").write_bytes(CLIENT.key_pem)
    doc = _valid()
    _cluster(doc)["certificate-authority"] = "certs/ca.crt"
    _user(doc).update({"client-certificate": "certs/client.crt", "client-key": "certs/client.key"})
    chosen = select(str(_write(tmp_path, doc)), None)
    assert chosen is not None
    assert chosen.tls.ca_pem == CLIENT.ca_cert_pem and chosen.tls.client_key_pem == CLIENT.key_pem
    # The client gets no key material at all (it would write it to a temporary file).
    text = repr(chosen.client_config)
    assert "client-key" not in text and "client-certificate" not in text


def test_credentials_in_the_server_url_are_kept_out_of_messages(tmp_path: Path) -> None:
    doc = _valid()
    _cluster(doc)["server"] = "https://admin:s3cret-pass@127.0.0.1:99999"
    message = _error(_write(tmp_path, doc))
    assert "s3cret-pass" not in message and "admin" not in message
    _cluster(doc)["server"] = "https://admin:s3cret-pass@127.0.0.1:6443"
    chosen = select(str(_write(tmp_path, doc)), None)
    assert chosen is not None and chosen.server == SERVER
    assert chosen.url_credentials == ("admin", "s3cret-pass")
    assert "s3cret-pass" in chosen.secrets


def test_a_failing_exec_plugin_is_one_line(tmp_path: Path) -> None:
    doc = _valid(token=None)
    _user(doc)["exec"] = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "sh",
        "args": ["-c", "echo 'token expired: run aws sso login' >&2; exit 1"],
    }
    with pytest.raises(ClusterUnreachable) as exc:
        load_endpoint(str(_write(tmp_path, doc)), None)
    assert "could not get credentials" in str(exc.value) and "\n" not in str(exc.value)


# ---- the family: any mutation of a good kubeconfig --------------------------------------------

_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _rich() -> dict[str, Any]:
    doc = _valid()
    _user(doc).update(
        {
            "client-certificate-data": _b64(CLIENT.cert_pem),
            "client-key-data": _b64(CLIENT.key_pem),
        }
    )
    _cluster(doc).update({"certificate-authority-data": _b64(CLIENT.ca_cert_pem)})
    return doc


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_mutated_kubeconfig_loads_or_fails_with_one_line(tmp_path: Path, data: Any) -> None:
    doc = _rich()
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)))
        if not path:
            doc = data.draw(_JUNK)
            break
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = data.draw(_JUNK)
        doc = copy.deepcopy(doc)
    kubeconfig = _write(tmp_path, yaml.safe_dump(doc), "fuzz")
    try:
        load_endpoint(str(kubeconfig), None)
    except SourceError as exc:  # ClusterUnreachable is one too
        assert "\n" not in str(exc) and str(kubeconfig) in str(exc)
        assert CLIENT.key_pem.decode().splitlines()[1] not in str(exc)
