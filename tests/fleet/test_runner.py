"""Judging the members: the same jobs as `plan` and `assess`, live clusters side by side (never
more than --parallel at once), snapshots one at a time, every failure a member of its own."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from support.fleet_reports import report

from upgradecheck.assess import AssessError
from upgradecheck.collect.cluster.collector import CollectOptions
from upgradecheck.collect.errors import ClusterUnreachable, SourceError
from upgradecheck.fleet import runner
from upgradecheck.fleet.model import Member, Origin, Status
from upgradecheck.fleet.runner import FleetOptions, judge_fleet
from upgradecheck.fleet.sources import Entry, context_entries, snapshot_entries
from upgradecheck.model import Report
from upgradecheck.versions import VersionError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cluster-1.23.snapshot.json"


class Concurrency:
    """Counts the jobs running at once; `gate` makes `together` of them meet (so a runner
    that ran them one after the other fails with a broken barrier instead of passing)."""

    def __init__(self, together: int = 1) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.calls: list[str] = []
        self.gate = threading.Barrier(together, timeout=20) if together > 1 else None

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.now -= 1


def fake_cluster(seen: Concurrency, failures: dict[str, Exception] | None = None) -> Any:
    def report_for_cluster(options: CollectOptions, **kwargs: Any) -> Report:
        assert options.context is not None
        with seen:
            seen.calls.append(options.context)
            if seen.gate is not None:
                seen.gate.wait()
            if failures and options.context in failures:
                raise failures[options.context]
            return report("1.30", kwargs["target"] or "1.31")

    return report_for_cluster


def test_live_clusters_run_side_by_side_but_never_more_than_parallel(monkeypatch) -> None:
    seen = Concurrency(together=2)
    monkeypatch.setattr(runner, "report_for_cluster", fake_cluster(seen))
    entries = context_entries(["a", "b", "c", "d", "e", "f"])
    fleet = judge_fleet(entries, FleetOptions(parallel=2))
    assert seen.most == 2
    assert sorted(seen.calls) == ["a", "b", "c", "d", "e", "f"]
    assert [m.name for m in fleet.members] == ["a", "b", "c", "d", "e", "f"]  # as named
    assert {m.status for m in fleet.members} == {Status.ASSESSED}


def test_each_context_gets_the_fleets_collect_options(monkeypatch) -> None:
    received: list[CollectOptions] = []

    def report_for_cluster(options: CollectOptions, **kwargs: Any) -> Report:
        received.append(options)
        return report("1.30", "1.31")

    monkeypatch.setattr(runner, "report_for_cluster", report_for_cluster)
    base = CollectOptions(kubeconfig="/k/config", context="ignored")
    judge_fleet(context_entries(["x"]), FleetOptions(collect=base, parallel=1))
    assert received[0].kubeconfig == "/k/config" and received[0].context == "x"


def test_every_failure_is_its_members_alone(monkeypatch) -> None:
    failures: dict[str, Exception] = {
        "dead": ClusterUnreachable("cannot reach the API server at https://x: refused"),
        "typo": SourceError("cannot use kubeconfig: context 'typo' not found"),
        "newer": AssessError("target 1.29 is older than the current version 1.30"),
        "bug": KeyError("spec"),
    }
    monkeypatch.setattr(runner, "report_for_cluster", fake_cluster(Concurrency(), failures))
    fleet = judge_fleet(context_entries(["dead", "ok", "typo", "newer", "bug"]), FleetOptions())
    got = {m.name: (m.status, m.reason) for m in fleet.members}
    assert got == {
        "dead": (Status.UNREACHABLE, "cannot reach the API server at https://x: refused"),
        "ok": (Status.ASSESSED, None),
        "typo": (Status.FAILED, "cannot use kubeconfig: context 'typo' not found"),
        "newer": (Status.FAILED, "target 1.29 is older than the current version 1.30"),
        "bug": (Status.FAILED, "unexpected error: KeyError: 'spec'"),
    }


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (FleetOptions(target="1.99"), AssessError),
        (FleetOptions(target="one"), VersionError),
    ],
)
def test_a_bad_target_fails_before_any_cluster(monkeypatch, options, error) -> None:
    seen = Concurrency()
    monkeypatch.setattr(runner, "report_for_cluster", fake_cluster(seen))
    with pytest.raises(error):
        judge_fleet(context_entries(["a"]), options)
    assert seen.calls == []


def test_snapshots_are_assessed_as_assess_does_and_bad_ones_say_why(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "prod.json")
    (folder / "broken.json").write_text('{"schema": "upgradecheck.snapshot/v1", ')
    (tmp_path / "empty").mkdir()
    entries = snapshot_entries([folder, tmp_path / "empty", tmp_path / "gone.json.gz"])
    fleet = judge_fleet(entries, FleetOptions(target="1.25"))
    by_name = {Path(m.name).name: m for m in fleet.members}
    prod = by_name["prod.json"]
    assert prod.status is Status.ASSESSED and prod.origin is Origin.SNAPSHOT
    assert prod.report is not None
    assert (prod.report.current_version, prod.report.target_version) == ("1.23", "1.25")
    assert by_name["broken.json"].status is Status.FAILED
    assert "invalid JSON" in (by_name["broken.json"].reason or "")
    assert "no snapshot file" in (by_name["empty"].reason or "")
    assert "no such snapshot file" in (by_name["gone.json.gz"].reason or "")


def test_snapshots_are_read_one_at_a_time(monkeypatch) -> None:
    seen = Concurrency()

    def report_for_snapshot(path: str, **kwargs: Any) -> Report:
        with seen:
            seen.calls.append(path)
            return report("1.30", "1.31")

    monkeypatch.setattr(runner, "report_for_snapshot", report_for_snapshot)
    entries = [Entry(f"s{n}.json", Origin.SNAPSHOT) for n in range(6)]
    judge_fleet(entries, FleetOptions(parallel=4))
    assert seen.most == 1 and len(seen.calls) == 6




def test_the_watcher_hears_of_each_member_finished_on_the_callers_thread(monkeypatch) -> None:
    monkeypatch.setattr(runner, "report_for_cluster", fake_cluster(Concurrency()))
    started: list[str] = []
    finished: list[tuple[str, int]] = []

    class Watcher:
        def started(self, entry: Entry) -> None:
            started.append(entry.name)

        def finished(self, member: Member) -> None:
            finished.append((member.name, threading.get_ident()))

    entries = [*context_entries(["a", "b"]), Entry("empty/", Origin.SNAPSHOT, "no snapshot")]
    judge_fleet(entries, FleetOptions(parallel=2), Watcher())
    assert sorted(started) == ["a", "b"]  # a member known bad before it starts never starts
    assert sorted(name for name, _ in finished) == ["a", "b", "empty/"]
    assert {thread for _, thread in finished} == {threading.get_ident()}


def test_interrupted_it_waits_for_credentials_loading_then_starts_nothing(monkeypatch) -> None:
    loaded = threading.Event()
    calls: list[str] = []

    def report_for_cluster(options: CollectOptions, **kwargs: Any) -> Report:
        calls.append(options.context or "")
        if options.context == "loading":
            threading.Timer(0.3, loaded.set).start()  # an exec plugin taking its time
            loaded.wait(20)
        kwargs["reached"](None)
        return report("1.30", "1.31")

    class Interrupting:
        def started(self, entry: Entry) -> None:
            return None

        def finished(self, member: Member) -> None:
            raise KeyboardInterrupt  # Ctrl-C, as the first member is done

    monkeypatch.setattr(runner, "report_for_cluster", report_for_cluster)
    entries = context_entries(["fast", "loading"])
    with pytest.raises(KeyboardInterrupt):
        judge_fleet(entries, FleetOptions(parallel=2), Interrupting())
    assert loaded.is_set()  # it did not end while "loading" held its credentials' files
    judge = runner._Judge(FleetOptions(), None, threading.Event())
    judge.settle(0)
    assert judge.member(Entry("later", Origin.CONTEXT)).reason == (
        "not started: the run was interrupted"
    )


def test_the_wait_for_credentials_is_bounded(monkeypatch) -> None:
    def report_for_cluster(options: CollectOptions, **kwargs: Any) -> Report:
        if options.context == "stuck":
            threading.Event().wait(30)  # an exec plugin waiting for a login that never comes
        return report("1.30", "1.31")

    class Interrupting:
        def started(self, entry: Entry) -> None:
            return None

        def finished(self, member: Member) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(runner, "report_for_cluster", report_for_cluster)
    monkeypatch.setattr(runner, "SETTLE_SECONDS", 0.2)
    with pytest.raises(KeyboardInterrupt):
        judge_fleet(context_entries(["done", "stuck"]), FleetOptions(parallel=2), Interrupting())
