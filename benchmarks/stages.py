"""Where `assess` spends time and memory on a big snapshot, stage by stage, in one process:
reading the snapshot, loading the knowledge base, the checks, rendering JSON (and, with
`--baseline`, first the bare work the envelope benchmark compares with: `json.load`).

    python benchmarks/stages.py SNAPSHOT [--target 1.26] [--baseline] [--checks] [--tracemalloc]

Runs the same functions `upgradecheck assess SNAP --format json` runs, in the same order
and with the GC paused as it pauses it, and prints per stage: wall and CPU seconds, the
resident memory after it and the process's peak so far (from /proc/self/status). With
`--tracemalloc`, also the largest allocation sites alive at the end of the checks (slow:
tracing roughly doubles time and memory).
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path


def _memory() -> tuple[float, float]:
    """(resident now, peak resident) in MiB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


class Stages:
    def __init__(self) -> None:
        self.rows: list[str] = [
            "| stage | wall | CPU | RSS after | peak so far |", "|---|---|---|---|---|"]
        self._mark()

    def _mark(self) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self._wall, self._cpu = time.perf_counter(), usage.ru_utime + usage.ru_stime

    def done(self, name: str) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        wall = time.perf_counter() - self._wall
        cpu = usage.ru_utime + usage.ru_stime - self._cpu
        now, peak = _memory()
        self.rows.append(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {now:,.0f} MiB "
                         f"| {peak:,.0f} MiB |")
        print(self.rows[-1], file=sys.stderr, flush=True)
        self._mark()


def _time_each_check(stages: Stages) -> None:
    """Make `assess` report each check's time as a stage of its own (the first check to
    ask for a shared index, such as the pods grouped by owner, pays for building it)."""
    import upgradecheck.assess as assessing

    run_check = assessing.run_check

    def timed(check, ctx, findings):  # type: ignore[no-untyped-def]
        before = len(findings)
        note = run_check(check, ctx, findings)
        stages.done(f"  {type(check).__name__} ({len(findings) - before:,} findings)")
        return note

    assessing.run_check = timed  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--target", default="1.26")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--checks", action="store_true", help="time each check")
    parser.add_argument("--baseline", action="store_true",
                        help="first load the snapshot with json.load (the bare work), then free it")
    args = parser.parse_args(argv)
    gc.disable()
    if args.tracemalloc:
        tracemalloc.start(4)
    stages = Stages()
    from upgradecheck.assess import assess
    from upgradecheck.knowledge.loader import load_knowledge_base
    from upgradecheck.render.json_report import JsonRenderer
    from upgradecheck.run import _identified
    from upgradecheck.snapshot_io import read_snapshot
    stages.done("imports")

    if args.baseline:
        with gzip.open(args.snapshot) as stream:
            document = json.load(stream)
        stages.done("the bare work: json.load of the snapshot")
        del document
        stages.done("its documents freed")
    snapshot = _identified(read_snapshot(args.snapshot))
    stages.done(f"read_snapshot ({len(snapshot.objects):,} objects)")
    kb = load_knowledge_base()
    stages.done("load_knowledge_base")
    if args.checks:
        _time_each_check(stages)
    report = assess(snapshot, kb, target=args.target)
    stages.done(f"assess: the checks ({len(report.findings):,} findings)")
    if args.tracemalloc:
        top = tracemalloc.take_snapshot().statistics("lineno")[:15]
        for stat in top:
            frame = stat.traceback[0]
            print(f"  {stat.size / 2**20:8.1f} MiB {stat.count:>10,} blocks "
                  f"{frame.filename.split('site-packages/')[-1]}:{frame.lineno}",
                  file=sys.stderr)
        tracemalloc.stop()
    data = JsonRenderer().render_bytes(report)
    stages.done(f"render JSON ({len(data) / 2**20:,.1f} MiB)")
    print("\n".join(stages.rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
