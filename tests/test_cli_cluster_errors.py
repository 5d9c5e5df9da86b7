"""`collect` and `plan` when something goes wrong: a broken kubeconfig, a server that never
answers, drips or cannot be verified, odd answers, a signal. Every failure is one line and the
documented exit code, in seconds; nothing collected is lost, nothing secret is left or shown."""

from __future__ import annotations

import base64
import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakeapi import SilentServer, make_client_certificate, make_tls_material
from support.cli_runner import Terminal
from support.cli_runner import run_cli as run

from upgradecheck.snapshot_io import read_snapshot


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("upgradecheck: error: "), err
    assert "Traceback" not in err
    return lines[0]


def _edited(path: Path, change: Any) -> Path:
    doc = yaml.safe_load(path.read_text())
    change(doc)
    out = path.with_name(path.name + "-edited")
    out.write_text(yaml.safe_dump(doc))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _coverage(snapshot_path: Path) -> str:
    return "\n".join(c.describe() for c in read_snapshot(snapshot_path).coverage)


# ---- kubeconfig ------------------------------------------------------------------------------


def _user_string(doc: dict[str, Any]) -> None:
    doc["users"][0]["user"] = "admin"


def _key_not_base64(doc: dict[str, Any]) -> None:
    cert = make_client_certificate()
    doc["users"][0]["user"]["client-certificate-data"] = base64.b64encode(cert.cert_pem).decode()
    doc["users"][0]["user"]["client-key-data"] = "not base64!"


@pytest.mark.parametrize(
    ("sample", "words"),
    [
        ("malformed", "not valid YAML"),
        ("user-string", "user 'fake-user': expected a mapping, got a string"),
        ("key-not-base64", "client-key-data is not base64"),
        ("missing", "no such file"),
        ("context-not-found", "no context 'prod' (contexts: fake)"),
    ],
)
def test_kubeconfig_samples_are_one_line_naming_the_file_exit_2(
    fakeapi: Any, monkeypatch, capsys, tmp_path: Path, sample: str, words: str
) -> None:
    api = fakeapi("v1.31")
    good: Path = api.kubeconfig_path
    args: list[str] = []
    if sample == "malformed":
        path = tmp_path / "bad.kc"
        path.write_text(good.read_text().replace("clusters:", "clusters: [", 1))
    elif sample == "user-string":
        path = _edited(good, _user_string)
    elif sample == "key-not-base64":
        path = _edited(good, _key_not_base64)
    elif sample == "missing":
        path = tmp_path / "nope.kc"
    else:
        path, args = good, ["--context", "prod"]
    code, _, err = run(monkeypatch, capsys, "plan", "--kubeconfig", str(path), *args, "-q")
    line = _one_error_line(err)
    assert code == 2
    assert line.startswith(f"upgradecheck: error: kubeconfig {path}: ") and words in line
    assert not api.requests  # nothing was sent


# ---- a server that does not answer -------------------------------------------------------------


def test_a_server_that_never_answers_fails_within_5x_the_timeout(
    fakeapi: Any, monkeypatch, capsys
) -> None:
    api = fakeapi("v1.31")
    api.faults.hang("/version")
    start = time.monotonic()
    code, _, err = run(
        monkeypatch, capsys, "plan", "--kubeconfig", str(api.kubeconfig_path),
        "--request-timeout", "1", "-q",
    )
    elapsed = time.monotonic() - start
    line = _one_error_line(err)
    assert code == 3 and elapsed < 5.0, (elapsed, line)
    assert f"cannot reach the API server at {api.url}: no complete answer within 1 s" in line
    assert 2 <= len(api.requests) <= 3  # a few attempts, then it gives up


def test_a_port_that_accepts_and_stays_silent_fails_within_5x_the_timeout(
    fakeapi: Any, monkeypatch, capsys
) -> None:
    api = fakeapi("v1.31")
    with SilentServer() as silent:
        kubeconfig = _edited(
            api.kubeconfig_path, lambda d: d["clusters"][0]["cluster"].update(server=silent.url)
        )
        start = time.monotonic()
        code, _, err = run(
            monkeypatch, capsys, "collect", "--kubeconfig", str(kubeconfig),
            "--request-timeout", "1", "-o", "/dev/null", "-q",
        )
        elapsed = time.monotonic() - start
    assert code == 3 and elapsed < 5.0 and "no complete answer within 1 s" in _one_error_line(err)


def test_a_refused_port_fails_within_seconds(fakeapi: Any, monkeypatch, capsys) -> None:
    api = fakeapi("v1.31")
    url = f"https://127.0.0.1:{_free_port()}"
    kubeconfig = _edited(
        api.kubeconfig_path, lambda d: d["clusters"][0]["cluster"].update(server=url)
    )
    start = time.monotonic()
    code, _, err = run(monkeypatch, capsys, "plan", "--kubeconfig", str(kubeconfig), "-q")
    elapsed = time.monotonic() - start
    line = _one_error_line(err)
    assert code == 3 and elapsed < 4.0, (elapsed, line)  # the default timeout is 30 s
    assert line.endswith("connection refused (3 attempts)")


def test_retries_are_shown_on_a_terminal_and_not_with_quiet(
    fakeapi: Any, monkeypatch, capsys, tmp_path: Path
) -> None:
    api = fakeapi("v1.31")
    for quiet in (False, True):
        api.faults.clear()
        api.faults.hang("/version", times=1)
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        args = ["--request-timeout", "1", "-o", str(tmp_path / "s.json")]
        code, _, _ = run(
            monkeypatch, capsys, "collect", "--kubeconfig", str(api.kubeconfig_path),
            *args, *(["-q"] if quiet else []),
        )
        assert code == 0
        shown = "retrying /version: no complete answer within 1 s (attempt 2 of 3)"
        assert (shown in terminal.text) is not quiet, terminal.text


# ---- certificates and credentials --------------------------------------------------------------


def test_an_unknown_ca_is_named_with_the_fix_and_not_retried(
    fakeapi: Any, monkeypatch, capsys
) -> None:
    api = fakeapi("v1.31", tls_material=make_tls_material("another-cluster"))
    kubeconfig = _edited(  # the shared test CA, which did not sign this server's certificate
        fakeapi("v1.31").kubeconfig_path,
        lambda d: d["clusters"][0]["cluster"].update(server=api.url),
    )
    start = time.monotonic()
    code, _, err = run(monkeypatch, capsys, "plan", "--kubeconfig", str(kubeconfig), "-q")
    line = _one_error_line(err)
    assert code == 3 and time.monotonic() - start < 4.0  # no retries: it cannot succeed
    assert "certificate could not be verified" in line and "certificate-authority-data" in line
    assert api.connections == 1 and not api.requests


def test_a_password_in_the_server_url_is_never_echoed(fakeapi: Any, monkeypatch, capsys) -> None:
    api = fakeapi("v1.31")
    url = f"https://admin:s3cret-pa55@127.0.0.1:{_free_port()}"
    kubeconfig = _edited(
        api.kubeconfig_path, lambda d: d["clusters"][0]["cluster"].update(server=url)
    )
    code, _, err = run(monkeypatch, capsys, "plan", "--kubeconfig", str(kubeconfig), "-q")
    assert code == 3 and "s3cret-pa55" not in err and "admin" not in err
    assert "cannot reach the API server at https://127.0.0.1:" in _one_error_line(err)


# ---- the target, checked before anything is collected ------------------------------------------


def test_an_unknown_target_is_refused_before_any_request(fakeapi: Any, monkeypatch, capsys) -> None:
    api = fakeapi("v1.21")
    kubeconfig = str(api.kubeconfig_path)
    code, _, err = run(monkeypatch, capsys, "plan", "--kubeconfig", kubeconfig, "-t", "1.99")
    assert code == 2 and "target 1.99 is newer" in _one_error_line(err)
    assert api.requests == []
    code, _, err = run(monkeypatch, capsys, "plan", "--kubeconfig", kubeconfig, "-t", "1.19")
    assert code == 2 and "older than the current version 1.21" in _one_error_line(err)
    assert api.paths() == ["/version"]


# ---- odd answers: coverage, never a crash -------------------------------------------------------

_HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def _odd(api: Any, case: str) -> str:
    """Make the server answer oddly; return words the coverage must hold."""
    faults = api.faults
    if case == "items-are-strings":
        faults.answer_json("/api/v1/nodes", {"kind": "NodeList", "items": ["x", 1, None, {}]})
        return "3 list items were not objects"
    if case == "api-is-an-array":
        faults.answer_json("/api", ["v1"])
        return "api core group (/api): discovery answer malformed"
    if case == "group-without-name":
        groups = json.loads(json.dumps(api.store.api_group_list()))
        groups["groups"][0].pop("name")
        groups["groups"].append({"versions": "nope"})
        faults.answer_json("/apis", groups)
        return "group or version entries without a valid name were skipped"
    if case == "apis-403":
        faults.forbid("/apis")
        return "api groups (/apis): discovery failed: 403 Forbidden"
    if case == "apis-404":
        faults.not_found("/apis")
        return "api groups (/apis): discovery failed: 404"
    if case == "apis-html":
        faults.respond("/apis", _HTML, content_type="text/html")
        return "api groups (/apis): discovery failed: the answer was not JSON (text/html)"
    if case == "list-not-json":
        faults.respond("/apis/apps/v1/deployments", b"{\"items\": [", content_type="text/plain")
        return "resource apps/v1/deployments: the answer was not JSON (text/plain)"
    if case == "list-is-a-string":
        faults.answer_json("/apis/apps/v1/deployments", "deployments")
        return "resource apps/v1/deployments: the answer is not a list object"
    if case == "metadata-wrong-types":
        faults.answer_json(
            "/api/v1/namespaces",
            {"items": [{"metadata": "x"}, {"metadata": {"name": ["n"], "managedFields": 5}}]},
        )
        return ""
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    [
        "items-are-strings", "api-is-an-array", "group-without-name", "apis-403", "apis-404",
        "apis-html", "list-not-json", "list-is-a-string", "metadata-wrong-types",
    ],
)
def test_odd_answers_become_coverage_not_a_crash(
    fakeapi: Any, monkeypatch, capsys, tmp_path: Path, case: str
) -> None:
    api = fakeapi("v1.31")
    words = _odd(api, case)
    snap = tmp_path / "snap.json"
    code, _, err = run(
        monkeypatch, capsys, "collect", "--kubeconfig", str(api.kubeconfig_path), "-o", str(snap)
    )
    assert code == 0 and "Traceback" not in err, err
    assert words in _coverage(snap)
    assert read_snapshot(snap).objects  # the rest was collected


def test_endless_pagination_is_an_error_for_that_list_only(
    fakeapi: Any, monkeypatch, capsys, tmp_path: Path
) -> None:
    api = fakeapi("v1.31")
    page = {"kind": "PodList", "metadata": {"continue": "again"}, "items": [{"metadata": {
        "name": "loop", "namespace": "default"}}]}
    api.faults.answer_json("/api/v1/pods", page, times=50)  # a server that never ends its list
    snap = tmp_path / "snap.json"
    start = time.monotonic()
    code, _, _ = run(
        monkeypatch, capsys, "collect", "--kubeconfig", str(api.kubeconfig_path), "-o", str(snap)
    )
    assert code == 0 and time.monotonic() - start < 10
    assert "resource v1/pods: incomplete, 2 objects read: the server sent the same continue " \
        "token twice" in _coverage(snap)
    assert len([r for r in api.requests if r.path == "/api/v1/pods"]) == 2


def test_one_list_unanswered_or_unauthorized_keeps_the_rest(
    fakeapi: Any, monkeypatch, capsys, tmp_path: Path
) -> None:
    api = fakeapi("v1.31")
    api.faults.drip("/apis/apps/v1/deployments", interval=0.5)  # finishes after ~30 s
    api.faults.unauthorized("/apis/batch/v1/jobs")
    snap = tmp_path / "snap.json"
    start = time.monotonic()
    code, _, err = run(
        monkeypatch, capsys, "collect", "--kubeconfig", str(api.kubeconfig_path),
        "--request-timeout", "1", "-o", str(snap),
    )
    assert code == 0, err
    assert time.monotonic() - start < 12  # the dripped list alone would take 30 s
    coverage = _coverage(snap)
    assert "resource apps/v1/deployments: no complete answer within 1 s" in coverage
    assert "resource batch/v1/jobs: 401 Unauthorized" in coverage
    kinds = {o.ref.kind for o in read_snapshot(snap).objects}
    assert "Deployment" not in kinds and {"Namespace", "Pod"} <= kinds


def test_nothing_readable_is_exit_3(fakeapi: Any, monkeypatch, capsys) -> None:
    api = fakeapi("v1.31")
    api.faults.unauthorized("/api*")
    api.faults.unauthorized("/metrics")
    code, _, err = run(
        monkeypatch, capsys, "collect", "--kubeconfig", str(api.kubeconfig_path), "-o",
        "/dev/null",
    )
    line = _one_error_line(err)
    assert code == 3 and "answered /version but no list could be read" in line


# ---- terminal escapes ---------------------------------------------------------------------------

_ESCAPE = "\x1b]0;owned\x07\x1b[2J"


def test_escapes_from_the_server_never_reach_the_terminal(
    fakeapi: Any, monkeypatch, capsys, tmp_path: Path
) -> None:
    api = fakeapi("v1.31")
    api.faults.forbid("/version", message=f"denied {_ESCAPE} by policy", times=1)
    code, _, err = run(monkeypatch, capsys, "plan", "--kubeconfig", str(api.kubeconfig_path))
    assert code == 3 and "\x1b" not in err and "\x07" not in err
    assert "denied \\x1b]0;owned\\x07\\x1b[2J by policy" in err

    resources = {"kind": "APIResourceList", "groupVersion": "apps/v1", "resources": [
        {"name": f"deployments{_ESCAPE}", "kind": "Deployment", "namespaced": True,
         "verbs": ["list"]}]}
    api.faults.answer_json("/apis/apps/v1", resources)
    api.faults.forbid("/api/v1/nodes", message=f"no {_ESCAPE}")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code, _, _ = run(
        monkeypatch, capsys, "collect", "--kubeconfig", str(api.kubeconfig_path),
        "-o", str(tmp_path / "s.json"),
    )
    assert code == 0 and "collecting: " in terminal.text
    assert terminal.text.replace("\r\x1b[K", "").count("\x1b") == 0
    assert "\x1b" not in _coverage(tmp_path / "s.json")
    assert "no \\x1b]0;owned" in _coverage(tmp_path / "s.json")


# ---- answers too large --------------------------------------------------------------------------


def _gzip_bomb(unpacked_mib: int) -> bytes:
    """`unpacked_mib` MiB of spaces as gzip members of 1 MiB each: about a thousandth the size."""
    return gzip.compress(b" " * (1 << 20), 9) * unpacked_mib


def _endless_list() -> Iterator[bytes]:
    yield b'{"kind":"PodList","metadata":{},"items":['
    item = b'{"metadata":{"name":"p","namespace":"default"}},' * 1000
    for _ in range(512 * (1 << 20) // len(item)):  # 512 MiB
        yield item
    yield b'{}]}'


def _rss_of(args: list[str], env: dict[str, str] | None = None) -> tuple[int, int, str]:
    """Run upgradecheck in a child process: (exit code, peak RSS in MiB, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "upgradecheck", *args], stderr=subprocess.PIPE, text=True, env=env
    )
    err = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss // 1024, err


def test_a_gzip_bomb_and_a_huge_list_are_cut_at_the_limit(fakeapi: Any, tmp_path: Path) -> None:
    api = fakeapi("v1.31")
    bomb = _gzip_bomb(1024)  # 1 GiB unpacked
    assert len(bomb) < 2 * (1 << 20)
    api.faults.respond("/apis/apps/v1/deployments", bomb, headers={"Content-Encoding": "gzip"})
    api.faults.respond("/api/v1/pods", _endless_list)
    snap = tmp_path / "snap.json"
    code, rss, err = _rss_of(
        ["collect", "--kubeconfig", str(api.kubeconfig_path), "-o", str(snap), "-q"]
    )
    assert code == 0, err
    assert rss < 400, rss  # the bomb alone would be 1024 MiB
    coverage = _coverage(snap)
    assert "resource apps/v1/deployments: the answer is larger than the 16 MiB limit " \
        "(--max-response-size)" in coverage
    assert "resource v1/pods: " in coverage and "larger than the 16 MiB limit" in coverage


def test_the_answer_size_limit_is_an_option(fakeapi: Any, monkeypatch, capsys, tmp_path) -> None:
    api = fakeapi("v1.31")
    api.faults.respond("/apis/apps/v1/deployments", _gzip_bomb(3), headers={
        "Content-Encoding": "gzip"})
    snap = tmp_path / "snap.json"
    code, _, _ = run(
        monkeypatch, capsys, "collect", "--kubeconfig", str(api.kubeconfig_path), "-o", str(snap),
        "--max-response-size", "2",
    )
    assert code == 0 and "larger than the 2 MiB limit" in _coverage(snap)
    # A page too large for the limit is asked for again in smaller pages: nothing is lost.
    api.faults.clear()
    api.clear_requests()
    for i in range(30):
        api.store.add_object({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": f"big-{i}", "namespace": "kube-system",
                         "annotations": {"blob": "x" * 100_000}},
        })
    code, _, _ = run(
        monkeypatch, capsys, "collect", "--kubeconfig", str(api.kubeconfig_path), "-o", str(snap),
        "--max-response-size", "1",
    )
    full = read_snapshot(snap)
    assert code == 0 and not [c for c in full.coverage if "limit" in c.reason]
    names = {o.ref.name for o in full.objects if o.ref.kind == "ConfigMap"}
    assert {f"big-{i}" for i in range(30)} <= names
    limits = [r.param("limit") for r in api.requests if r.path.endswith("system/configmaps")]
    assert limits[:3] == ["500", "50", "5"]


# ---- signals and interrupted writes -------------------------------------------------------------


def _start_collect(kubeconfig: Path, out: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "upgradecheck", "collect", "--kubeconfig", str(kubeconfig),
         "-o", str(out), "-q"],
        stderr=subprocess.PIPE, text=True, env=env,
    )


def _wait_for_lists(api: Any, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not any(r.path.startswith("/apis/") for r in api.requests):
        assert time.monotonic() < end, "collect never started listing"
        time.sleep(0.05)
    time.sleep(0.3)


def test_ctrl_c_stops_at_once_with_130(fakeapi: Any, tmp_path: Path) -> None:
    api = fakeapi("v1.31")
    api.faults.delay("/apis/*", 20)  # a queue of slow lists
    proc = _start_collect(api.kubeconfig_path, tmp_path / "s.json", dict(os.environ))
    try:
        _wait_for_lists(api)
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    assert time.monotonic() - start < 5.0  # not the 20 s of the lists in flight
    assert proc.returncode == 130
    assert proc.stderr is not None and proc.stderr.read().strip() == "upgradecheck: interrupted"
    assert not (tmp_path / "s.json").exists()


def test_sigterm_leaves_no_private_key_in_the_temporary_folder(
    fakeapi: Any, tmp_path: Path
) -> None:
    client = make_client_certificate("ci-robot")
    api = fakeapi("v1.31", token=None, client_ca_pem=client.ca_cert_pem)
    kubeconfig = api.write_kubeconfig(
        tmp_path / "kc", token="", client_cert_pem=client.cert_pem, client_key_pem=client.key_pem
    )
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    key_line = client.key_pem.splitlines()[1]

    def key_files() -> list[str]:
        return [p.name for p in temporary.rglob("*") if p.is_file() and key_line in p.read_bytes()]

    api.faults.delay("/apis/*", 20)
    proc = _start_collect(kubeconfig, tmp_path / "s.json", env)
    try:
        _wait_for_lists(api)
        assert key_files() == []  # not even while it runs
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 143
    assert key_files() == []
    assert {r.client_user for r in api.requests} == {"ci-robot"}  # the key was used, from memory


def test_an_interrupted_snapshot_write_keeps_the_earlier_file(
    fakeapi: Any, monkeypatch, capsys, tmp_path: Path
) -> None:
    import upgradecheck.snapshot_io as snapshot_io

    api = fakeapi("v1.31")
    snap = tmp_path / "prod.json.gz"
    args = ("collect", "--kubeconfig", str(api.kubeconfig_path), "-o", str(snap), "-q")
    assert run(monkeypatch, capsys, *args)[0] == 0
    good = snap.read_bytes()
    chunks = snapshot_io._chunks

    def interrupted(*args: Any) -> Iterator[bytes]:
        pieces = chunks(*args)
        yield next(pieces)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C half way through the write
        yield from pieces

    monkeypatch.setattr(snapshot_io, "_chunks", interrupted)
    code, _, err = run(monkeypatch, capsys, *args)
    assert code == 130 and err.strip() == "upgradecheck: interrupted"
    assert snap.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
