"""Where `assess` spends time and memory on a big snapshot, stage by stage, in one process:
reading the file, gunzip, json.loads, building the model, loading the knowledge base, the
checks, rendering JSON.

    python benchmarks/stages.py SNAPSHOT [--target 1.26] [--tracemalloc]

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--target", default="1.26")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    gc.disable()
    if args.tracemalloc:
        tracemalloc.start(4)
    stages = Stages()
    from upgradecheck.assess import assess
    from upgradecheck.knowledge.loader import load_knowledge_base
    from upgradecheck.render.json_report import JsonRenderer
    from upgradecheck.snapshot_io import snapshot_from_dict
    stages.done("imports")

    raw = args.snapshot.read_bytes()
    stages.done(f"read the file ({len(raw) / 2**20:,.0f} MiB)")
    raw = gzip.decompress(raw)
    stages.done(f"gunzip ({len(raw) / 2**20:,.0f} MiB of JSON)")
    document = json.loads(raw)
    stages.done("json.loads")
    del raw
    stages.done("the JSON text freed (read_snapshot keeps it until it returns)")
    snapshot = snapshot_from_dict(document, str(args.snapshot))
    del document
    stages.done(f"snapshot_from_dict ({len(snapshot.objects):,} objects)")
    kb = load_knowledge_base()
    stages.done("load_knowledge_base")
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
    text = JsonRenderer().render(report)
    stages.done(f"render JSON ({len(text) / 2**20:,.1f} MiB)")
    print("\n".join(stages.rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
