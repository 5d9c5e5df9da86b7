"""A command that makes one report leaves its snapshot to the process's end (lifetime.py), and
the console entry then ends the process as `sys.exit` would, without tearing the heap down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from upgradecheck import lifetime
from upgradecheck.run import report_for_snapshot

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = REPO / "examples" / "cluster-1.23.snapshot.json"


def entry(tmp_path: Path, code: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """`code` run after importing the console entry as `entry`, in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-c", "import upgradecheck.__main__ as entry\n" + code],
        capture_output=True, text=True, cwd=tmp_path, check=False, timeout=120, **kwargs,
    )  # type: ignore[call-overload, no-any-return]  # fmt: skip


def test_nothing_is_kept_by_a_process_that_frees_as_usual() -> None:
    # Tests and programs call the command line in their own process: without the console
    # entry's word, a one-shot job keeps nothing, and neither does a job outside one_shot.
    before = lifetime.kept()
    with lifetime.one_shot():
        report_for_snapshot(SNAPSHOT, target="1.25")
    report_for_snapshot(SNAPSHOT, target="1.25")
    assert lifetime.kept() == before


def test_a_one_shot_job_keeps_its_snapshot_and_nothing_else_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lifetime, "_ends_without_teardown", True)
    monkeypatch.setattr(lifetime, "_kept", [])
    with lifetime.one_shot():
        report_for_snapshot(SNAPSHOT, target="1.25")
        assert lifetime.kept() == 1
    # The fleet makes many reports in one process: its jobs run outside one_shot.
    report_for_snapshot(SNAPSHOT, target="1.25")
    assert lifetime.kept() == 1


def test_the_console_entry_ends_as_sys_exit_would(tmp_path: Path) -> None:
    done = entry(tmp_path, (
        "import sys\n"
        f"sys.argv = ['upgradecheck', 'assess', {str(SNAPSHOT)!r}, '--target', '1.25',\n"
        "            '--format', 'json']\n"
        "entry.main()\n"
    ))  # fmt: skip
    assert done.returncode == 1, done.stderr  # blockers, at the default --fail-on
    # Standard output was flushed before the process ended: the whole report is there.
    findings = report_for_snapshot(SNAPSHOT, target="1.25").findings
    assert len(json.loads(done.stdout)["findings"]) == len(findings) > 0

    missing = entry(tmp_path, (
        "import sys\n"
        "sys.argv = ['upgradecheck', 'assess', 'missing.json']\n"
        "entry.main()\n"
    ))  # fmt: skip
    assert missing.returncode == 2
    assert missing.stderr.strip() == "upgradecheck: error: no such snapshot file: missing.json"


@pytest.mark.parametrize(
    ("code", "status", "stderr"),
    [(None, 0, ""), (0, 0, ""), (3, 3, ""), ("a message", 1, "a message\n")],
)
def test_the_exit_status_is_sys_exit_s(
    tmp_path: Path, code: object, status: int, stderr: str
) -> None:
    # Exit functions run (temporary folders' finalizers are among them) and buffered output
    # is flushed before the process ends.
    done = entry(tmp_path, (
        "import atexit\n"
        "atexit.register(lambda: print('exit functions ran'))\n"
        "print('buffered', end='')\n"
        f"entry._exit({code!r})\n"
    ))  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (
        status, "bufferedexit functions ran\n", stderr
    )


def test_a_closed_pipe_gives_the_interpreter_s_status(tmp_path: Path) -> None:
    # As Python's own exit does when standard output cannot be flushed: 120, not success.
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    process = subprocess.Popen(
        [sys.executable, "-c",
         "import upgradecheck.__main__ as entry\nprint('x' * 100)\nentry._exit(0)"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=tmp_path, env=buffered,
    )  # fmt: skip
    assert process.stdout is not None
    process.stdout.close()
    assert process.wait(timeout=120) == 120


def test_a_bug_still_ends_with_its_traceback(tmp_path: Path) -> None:
    done = entry(tmp_path, (
        "from upgradecheck import cli\n"
        "def broken(prog_name):\n"
        "    raise RuntimeError('a bug')\n"
        "cli.main = broken\n"
        "entry.main()\n"
    ))  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "RuntimeError: a bug" in done.stderr
