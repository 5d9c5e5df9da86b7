"""Publishing talks to the cluster the way collecting does: the same endpoint (one credential
load for `plan --publish`), the collector's TLS errors, retries and answer size cap; and it
never publishes into a cluster nobody named (`assess` of a snapshot from another context,
`scan`, which has no cluster)."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakeapi import DEFAULT_TOKEN, FakeApiServer, make_tls_material
from support.cli_runner import run_cli
from support.publish_fixtures import collected

GROUP, VERSION = "wgpolicyk8s.io", "v1alpha2"
REPORTS = f"/apis/{GROUP}/{VERSION}"


@pytest.fixture
def api(fakeapi: Any) -> FakeApiServer:
    server: FakeApiServer = fakeapi("v1.21", policy_reports=True)
    return server


def edited(path: Path, change: Any, name: str) -> Path:
    doc = yaml.safe_load(path.read_text())
    change(doc)
    out = path.with_name(name)
    out.write_text(yaml.safe_dump(doc))
    return out


def error_lines(err: str) -> list[str]:
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("upgradecheck: error: ")]


def test_plan_publish_loads_the_credentials_once(
    api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    """An exec plugin (a cloud's get-token) runs once: collection and publishing share the
    endpoint it gave its token to."""
    runs = tmp_path / "runs"
    plugin = tmp_path / "get-token.py"
    credential = {"apiVersion": "client.authentication.k8s.io/v1beta1",
                  "kind": "ExecCredential", "status": {"token": DEFAULT_TOKEN}}
    plugin.write_text(
        f"with open({str(runs)!r}, 'a') as f:\n    f.write('x')\n"
        f"print({json.dumps(json.dumps(credential))})\n"
    )

    def use_plugin(doc: dict[str, Any]) -> None:
        doc["users"][0]["user"] = {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": sys.executable, "args": [str(plugin)],
            "interactiveMode": "Never",
        }}

    assert api.kubeconfig_path is not None
    kubeconfig = edited(api.kubeconfig_path, use_plugin, "exec-kubeconfig")
    code, _, err = run_cli(monkeypatch, capsys, "plan", "--kubeconfig", str(kubeconfig),
                           "--target", "1.25", "--publish", "-f", "json")
    assert code == 1, err
    assert "published" in err and runs.read_text() == "x"
    writes = [r for r in api.requests if r.method == "PATCH"]
    assert writes and all(r.status in (200, 201) for r in writes)


def test_an_unknown_ca_at_publishing_is_the_collectors_line(
    api: FakeApiServer, fakeapi: Any, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    snapshot = collected(api, monkeypatch, capsys, tmp_path)
    other = fakeapi("v1.21", policy_reports=True, tls_material=make_tls_material("elsewhere"))
    assert api.kubeconfig_path is not None
    kubeconfig = edited(  # the shared test CA, which did not sign the other's certificate
        api.kubeconfig_path,
        lambda d: d["clusters"][0]["cluster"].update(server=other.url),
        "other-kubeconfig",
    )
    code, out, err = run_cli(monkeypatch, capsys, "assess", str(snapshot), "--target", "1.25",
                             "--publish", "--kubeconfig", str(kubeconfig), "-f", "json")
    [line] = error_lines(err)
    assert code == 3 and out.startswith("{")
    assert "not published" in line and "certificate could not be verified" in line
    assert "certificate-authority-data" in line
    assert other.connections == 1 and not other.requests  # not retried: it cannot succeed


def test_a_server_error_on_an_apply_is_retried(
    api: FakeApiServer, monkeypatch: Any, capsys: Any
) -> None:
    shop = f"{REPORTS}/namespaces/shop/policyreports/upgradecheck"
    api.faults.error(shop, code=503, times=1)
    code, _, err = run_cli(monkeypatch, capsys, "plan", "--kubeconfig",
                           str(api.kubeconfig_path), "--target", "1.25", "--publish",
                           "-f", "json")
    assert code == 1 and not error_lines(err), err
    tries = [r.status for r in api.requests if r.path == shop]
    assert tries == [503, 201]


def test_publishing_answers_keep_to_max_response_size(
    api: FakeApiServer, monkeypatch: Any, capsys: Any
) -> None:
    api.faults.respond(f"{REPORTS}/clusterpolicyreports", b"{" + b" " * (2 << 20) + b"}")
    code, out, err = run_cli(monkeypatch, capsys, "plan", "--kubeconfig",
                             str(api.kubeconfig_path), "--target", "1.25", "--publish",
                             "--max-response-size", "1", "-f", "json")
    [line] = error_lines(err)
    assert code == 4 and out.startswith("{")
    assert "list clusterpolicyreports: the answer is larger than the 1 MiB limit" in line
    assert {r.method for r in api.requests} == {"GET"}


def collected_here(api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path) -> Path:
    """A snapshot collected from `api`, whose kubeconfig is then the current one."""
    snapshot = collected(api, monkeypatch, capsys, tmp_path)
    assert api.kubeconfig_path is not None
    monkeypatch.setenv("KUBECONFIG", str(api.kubeconfig_path))
    return snapshot


def test_assess_publishes_to_the_current_context_only_if_it_collected_the_snapshot(
    api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    snapshot = collected_here(api, monkeypatch, capsys, tmp_path)
    code, _, err = run_cli(monkeypatch, capsys, "assess", str(snapshot), "--target", "1.25",
                           "--publish", "-f", "json")
    assert code == 1 and "published" in err, err

    def rename(doc: dict[str, Any]) -> None:
        doc["contexts"][0]["name"] = doc["current-context"] = "staging"

    monkeypatch.setenv("KUBECONFIG", str(edited(api.kubeconfig_path, rename, "staging")))
    api.clear_requests()
    code, out, err = run_cli(monkeypatch, capsys, "assess", str(snapshot), "--target", "1.25",
                             "--publish", "-f", "json")
    assert code == 2 and not out and not api.requests
    assert "the snapshot was collected through context 'fake', the current one is 'staging'" \
        in err and "--context" in err
    code, _, err = run_cli(monkeypatch, capsys, "assess", str(snapshot), "--target", "1.25",
                           "--publish", "--context", "staging", "-f", "json")
    assert code == 1 and "published" in err and "(context staging)" in err, err


def test_a_context_of_the_same_name_on_another_cluster_is_refused(
    api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    """Context names repeat across kubeconfig files: the snapshot's kube-system namespace
    uid must be the cluster's when the cluster tells it."""
    snapshot = collected_here(api, monkeypatch, capsys, tmp_path)
    doc = json.loads(gzip.decompress(snapshot.read_bytes()))
    (kube_system,) = [o for o in doc["objects"]
                      if o["kind"] == "Namespace" and o["name"] == "kube-system"]  # fmt: skip
    live_uid = kube_system["body"]["metadata"]["uid"]
    kube_system["body"]["metadata"]["uid"] = "0000-another-cluster"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc))
    api.clear_requests()
    code, out, err = run_cli(monkeypatch, capsys, "assess", str(other), "--target", "1.25",
                             "--publish", "-f", "json")
    assert code == 2 and not out, err
    line = " ".join(err.split())
    assert "Traceback" not in line
    assert "collected from another cluster than context 'fake' reaches now" in line
    assert f"uid {live_uid}, the snapshot's 0000-another-cluster" in line
    assert "--context" in line
    assert [(r.method, r.path) for r in api.requests] == [
        ("GET", "/api/v1/namespaces/kube-system")
    ]
    # Named, the cluster is taken as asked.
    code, _, err = run_cli(monkeypatch, capsys, "assess", str(other), "--target", "1.25",
                           "--publish", "--context", "fake", "-f", "json")
    assert code == 1 and "published" in err, err


def test_a_cluster_that_does_not_tell_its_uid_goes_by_the_context_name(
    api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    snapshot = collected_here(api, monkeypatch, capsys, tmp_path)
    api.faults.forbid("/api/v1/namespaces/kube-system")
    code, _, err = run_cli(monkeypatch, capsys, "assess", str(snapshot), "--target", "1.25",
                           "--publish", "-f", "json")
    assert code == 1 and "published" in err, err


def test_scan_has_no_cluster_to_publish_to(monkeypatch: Any, capsys: Any) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "scan", "examples/manifests", "--publish")
    assert code == 2 and not out
    text = " ".join(err.split())
    assert "scan reads files, not a cluster" in text and "plan --publish" in text
