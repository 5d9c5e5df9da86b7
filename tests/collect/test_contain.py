"""The containment helpers on their own (what is inside a tree, opening only regular files,
listing and copying a folder without leaving it), and client runs that are capped in time
and output."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from upgradecheck.collect.binaries import SHIM_HINT, contained_env, run_client
from upgradecheck.collect.contain import (
    OUTSIDE,
    Refused,
    TooLarge,
    Tree,
    copy_files,
    list_folder,
    open_regular,
)

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and FIFOs")


def test_a_tree_holds_its_root_and_what_is_below_it_by_name() -> None:
    tree = Tree("/srv/repo")
    assert tree.holds("/srv/repo") and tree.holds("/srv/repo/a/b.yaml")
    assert not tree.holds("/srv/repository/x") and not tree.holds("/srv") and not tree.holds("/")
    assert Tree("/").holds("/etc/passwd")


@posix_only
def test_resolve_follows_links_and_refuses_what_leads_out(tmp_path: Path) -> None:
    (tmp_path / "repo" / "a").mkdir(parents=True)
    (tmp_path / "secret").write_text("x")
    (tmp_path / "repo" / "in").symlink_to("a")
    (tmp_path / "repo" / "out").symlink_to(tmp_path / "secret")
    (tmp_path / "repo" / "up").symlink_to("..")
    tree = Tree.of(str(tmp_path / "repo"))
    assert tree.resolve(str(tmp_path / "repo" / "in")) == str((tmp_path / "repo" / "a").resolve())
    assert tree.resolve(str(tmp_path / "repo" / "out")) is None
    assert tree.resolve(str(tmp_path / "repo" / "up" / "secret")) is None
    assert tree.resolve(str(tmp_path / "repo" / "a" / ".." / ".." / "secret")) is None


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "link", "device", "socket", "folder"])
def test_only_regular_files_are_opened(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x.yaml"
    if kind == "fifo":
        os.mkfifo(path)  # would block a plain open for ever
    elif kind == "link":
        (tmp_path / "real.yaml").write_text("a: 1\n")
        path.symlink_to(tmp_path / "real.yaml")
    elif kind == "device":
        path = Path(os.devnull)
    elif kind == "socket":
        import socket

        path = tmp_path / "s"
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))
            with pytest.raises(OSError):
                open_regular(str(path))  # ENXIO: sockets cannot be opened at all
        return
    else:
        path.mkdir()
    with pytest.raises(Refused) as refused:
        open_regular(str(path))
    expected = {
        "fifo": "a FIFO, not a regular file",
        "link": "a symbolic link, not followed",
        "device": "a device or other special file, not a regular file",
        "folder": "a folder, not a regular file",
    }[kind]
    assert refused.value.why == expected


@posix_only
def test_a_listing_follows_links_inside_and_refuses_the_rest(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "chart" / "templates").mkdir(parents=True)
    (repo / "shared").mkdir()
    (repo / "shared" / "s.yaml").write_text("s")
    (repo / "chart" / "templates" / "t.yaml").write_text("t")
    (repo / "chart" / ".git").mkdir()
    (repo / "chart" / ".git" / "config").write_text("token")
    (repo / "chart" / ".helmignore").write_text("*.bak\n")
    (repo / "chart" / "shared").symlink_to(repo / "shared")
    (repo / "chart" / "again").symlink_to(repo / "shared")
    (repo / "chart" / "loop").symlink_to(repo / "chart")
    (repo / "chart" / "etc").symlink_to("/etc")
    os.mkfifo(repo / "chart" / "pipe")
    listing = list_folder(str(repo / "chart"), Tree.of(str(repo)))
    real = str((repo / "shared" / "s.yaml").resolve())
    assert listing.files == {
        ".helmignore": str(repo / "chart" / ".helmignore"),
        "again/s.yaml": real,  # a folder linked twice is there twice, as helm sees it
        "shared/s.yaml": real,
        "templates/t.yaml": str(repo / "chart" / "templates" / "t.yaml"),
    }
    assert sorted(listing.refused) == [
        ("etc", OUTSIDE),
        ("loop", "a symbolic link loop (a folder it is in)"),
        ("pipe", "a FIFO, not a regular file"),
    ]
    # The chart alone: ../shared is outside.
    alone = list_folder(str(repo / "chart"), Tree.of(str(repo / "chart")))
    assert ("shared", OUTSIDE) in alone.refused and "shared/s.yaml" not in alone.files


def test_a_copy_holds_regular_files_within_its_budget(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a" * 100)
    (tmp_path / "b.txt").write_text("b" * 100)
    files = {"x/a.txt": str(tmp_path / "a.txt"), "y/b.txt": str(tmp_path / "b.txt")}
    assert copy_files(files, str(tmp_path / "copy"), 200) == []
    assert (tmp_path / "copy" / "x" / "a.txt").read_text() == "a" * 100
    assert not (tmp_path / "copy" / "x" / "a.txt").is_symlink()
    with pytest.raises(TooLarge, match="exceed the 199-byte copy limit"):
        copy_files(files, str(tmp_path / "small"), 199)
    assert copy_files({"../up.txt": str(tmp_path / "a.txt")}, str(tmp_path / "c"), 999) == [
        ("../up.txt", "not a plain relative path")
    ]


def test_a_client_printing_too_much_is_stopped_early() -> None:
    endless = [sys.executable, "-c", "import sys\nwhile True: sys.stdout.write('x' * 65536)"]
    started = time.monotonic()
    result = run_client(endless, timeout=60, max_output=1024 * 1024)
    assert not result.ok and result.stopped
    assert result.error == (
        "printed more than the 1 MiB limit (--max-file-size); stopped and not scanned"
    )
    assert time.monotonic() - started < 30


@posix_only
def test_a_timed_out_client_is_killed_with_what_it_started(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    # The child starts a grandchild that holds the output pipe open, then waits.
    script = f"sleep 300 & echo $! > {marker}; wait"
    started = time.monotonic()
    result = run_client(["sh", "-c", script], timeout=1)
    assert time.monotonic() - started < 20
    assert (result.ok, result.stopped, result.error) == (False, True, "timed out after 1s")
    grandchild = int(marker.read_text())
    for _ in range(50):
        if not _running(grandchild):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the grandchild outlived the timeout")


def _running(pid: int) -> bool:
    """Alive and not a zombie (a container's first process may never reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def test_a_failing_client_gives_its_error_line_and_its_output() -> None:
    script = (
        "import sys\nprint('partial')\nprint('Error: no chart', file=sys.stderr)\nsys.exit(3)"
    )
    result = run_client([sys.executable, "-c", script], timeout=60)
    assert (result.ok, result.stopped, result.error) == (False, False, "no chart")
    assert result.stdout == "partial\n"


@posix_only
def test_a_contained_client_sees_none_of_the_callers_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-secret")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "real-kubeconfig"))
    monkeypatch.setenv("HELM_REGISTRY_CONFIG", str(tmp_path / "registry.json"))
    home = tmp_path / "home"
    home.mkdir()
    result = run_client(["/usr/bin/env"], timeout=30, home=str(home))
    env = dict(line.split("=", 1) for line in result.stdout.splitlines())
    assert env == contained_env(str(home))
    assert env["HOME"] == str(home) and env["PATH"] == ""
    # Every folder a client reads its configuration, cache or credentials from is the home.
    for name in ("KUBECONFIG", "DOCKER_CONFIG", "HELM_CONFIG_HOME", "HELM_CACHE_HOME",
                 "HELM_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        assert env[name].startswith(str(home) + os.sep), name
    # Without a home, a client runs in the caller's environment (the version probe).
    assert "GITHUB_TOKEN=ghp-secret" in run_client(["/usr/bin/env"], timeout=30).stdout


@posix_only
def test_a_contained_client_cannot_take_the_machines_memory(tmp_path: Path) -> None:
    # Go runtimes say "out of memory" on stderr when the address-space cap stops them.
    greedy = (
        "import sys\ntry:\n    block = bytearray(3 * 1024 ** 3)\n"
        "except MemoryError:\n    print('fatal error: runtime: out of memory', file=sys.stderr)"
        "\n    sys.exit(2)\nprint('allocated')"
    )
    started = time.monotonic()
    result = run_client([sys.executable, "-c", greedy], timeout=60, home=str(tmp_path))
    assert time.monotonic() - started < 30
    assert (result.ok, result.stopped) == (False, True)
    assert result.error == "used more than its 2 GiB memory limit; stopped and not scanned"


@posix_only
def test_a_shim_that_needs_path_is_told_to_name_the_real_binary(tmp_path: Path) -> None:
    shim = tmp_path / "helm"
    shim.write_text("#!/usr/bin/env sh\nexec real-helm \"$@\"\n")
    shim.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    result = run_client([str(shim), "template"], timeout=30, home=str(home))
    assert not result.ok and not result.stopped
    assert result.error.endswith(f"({SHIM_HINT})"), result.error
