"""upgradecheck benchmarks: scan, assess and collect at realistic sizes, each beside a
baseline measured in the same run, as Markdown tables.

    python benchmarks/run.py                          # all three, scales 0.1 and 1.0, 3 runs
    python benchmarks/run.py --only scan --scale 0.1 --repeat 5

Every command runs as its own process (the installed `upgradecheck` console script, and the
baselines of `benchmarks/baselines.py` on the same interpreter); its wall time and peak
resident memory (from wait4's rusage) are recorded; medians of `--repeat` runs are shown.
Inputs are generated once per seed and size (`benchmarks/generate.py`) and kept in
`--workdir` for later runs.

What is compared (targets from the issue; medians on a 2-core machine):

- scan: `upgradecheck scan DIR --format json` against reading and parsing the same files
  with PyYAML's C loader in one process; target at most 1.5x the baseline's time.
- assess: `upgradecheck assess SNAP --format html|json -o F` against `read_snapshot(SNAP)`
  alone; target at most 3x, and an HTML report under 10 MiB. (The envelope's assess is
  judged against loading the file's JSON, with `read_snapshot` beside it; `--only
  envelope-assess` runs it alone on the snapshot an earlier envelope run collected.)
- collect: `upgradecheck collect -o F` from the test suite's fake API server (run in its
  own process), against the same GETs (same pages, TLS, token and concurrency) made with
  urllib3 and parsed as JSON; target at most 1.5x, and the collector's peak RSS under 1 GiB.

The report (Markdown) goes to stdout, progress to stderr; the exit code is 1 when a target
is missed. Results and method: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import generate
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = sys.executable
BENCHMARKS = ("scan", "assess", "collect")
OPTIONAL = ("envelope", "envelope-assess", "startup")
"""Run only when named in --only: the envelope takes a quarter of an hour."""

# Full-size inputs (scale 1.0), from the issue.
SCAN_FILES, SCAN_OBJECTS = 20_000, 40_000
SNAP_OBJECTS, SNAP_NODES, SNAP_RELEASES = 100_000, 2_000, 500
CLUSTER_OBJECTS, CLUSTER_NODES, CLUSTER_RELEASES = 100_000, 2_000, 500
ASSESS_TARGET = "1.26"  # the snapshot is of a 1.23 cluster: three hops
COLLECT_CONCURRENCY = 8  # `upgradecheck collect`'s default

TARGETS = {"scan": 1.5, "assess": 3.0, "collect": 1.5}
HTML_LIMIT = 10 * 1024 * 1024
COLLECT_RSS_LIMIT_MB = 1024
# The envelope (5,000 nodes, 150,000 pods): each step within 1.5x the bare work's CPU time
# (GC paused) and under 2 GiB, collect and assess together under 3 minutes on 2 cores.
ENVELOPE_TARGET = 1.5
ENVELOPE_RSS_LIMIT_MB = 2048
ENVELOPE_WALL_LIMIT = 180.0
STARTUP_LIMIT = 0.2


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def upgradecheck_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m upgradecheck`."""
    script = Path(PYTHON).parent / "upgradecheck"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [PYTHON, "-m", "upgradecheck"]


def baseline_command(*args: str, gc: str = "default") -> list[str]:
    return [PYTHON, str(HERE / "baselines.py"), "--gc", gc, *args]


# ---- measuring one process -----------------------------------------------------------------


@dataclass
class Run:
    """One process: wall seconds, CPU seconds, peak RSS (MiB), exit code and output."""

    wall: float
    cpu: float
    rss_mb: float
    code: int
    stdout: Path
    stderr: Path
    user: float
    """The user part of `cpu` (the rest is the kernel's: on a VM, first touches of memory
    cost system time that varies from run to run)."""


class Spawner:
    """benchmarks/spawner.py: starts and measures every command from a small process, so
    that the runner's own memory never counts in a measured peak RSS (see spawner.py)."""

    _proc: subprocess.Popen[str] | None = None

    @classmethod
    def call(cls, request: dict[str, Any]) -> dict[str, Any]:
        if cls._proc is None:
            # An installed upgradecheck runs from compiled bytecode (pip compiles it at
            # install; the warm-up run writes it for a source checkout): a shell with
            # PYTHONDONTWRITEBYTECODE set would have every measured run compile every module.
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            cls._proc = subprocess.Popen(
                [PYTHON, "-S", str(HERE / "spawner.py")], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True, env=env,
            )
        assert cls._proc.stdin is not None and cls._proc.stdout is not None
        cls._proc.stdin.write(json.dumps(request) + "\n")
        cls._proc.stdin.flush()
        answer: dict[str, Any] = json.loads(cls._proc.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"cannot run {' '.join(request['cmd'])}: {answer['error']}")
        return answer

    @classmethod
    def stop(cls) -> None:
        if cls._proc is not None:
            assert cls._proc.stdin is not None
            cls._proc.stdin.close()
            cls._proc.wait()
            cls._proc = None


def measure(cmd: Sequence[str], out_dir: Path, name: str, ok: Sequence[int] = (0,)) -> Run:
    """Run `cmd` to completion; stdout and stderr go to files in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stdout, stderr = out_dir / f"{name}.out", out_dir / f"{name}.err"
    got = Spawner.call({"cmd": list(cmd), "stdout": str(stdout), "stderr": str(stderr)})
    code = int(got["code"])
    run = Run(got["wall"], got["cpu"], got["maxrss_kb"] / 1024, code, stdout, stderr,
              got["user"])
    if code not in ok:
        tail = stderr.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(cmd)} exited {code}:\n{tail}")
    return run


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


@dataclass
class Result:
    """The runs of one command and of its baseline at one scale."""

    bench: str
    command: str
    scale: float
    size: str
    units: float
    """The input size in objects, for the scaling table."""
    target: float
    tool: list[Run] = field(default_factory=list)
    base: list[Run] = field(default_factory=list)
    """The baseline as the issue describes it (a plain script: cyclic GC on)."""
    strict: list[Run] = field(default_factory=list)
    """The same baseline with the cyclic GC paused: the parsing work alone."""
    notes: list[str] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)
    """Further targets: (what, met)."""

    @property
    def time(self) -> float:
        return median([r.wall for r in self.tool])

    @property
    def base_time(self) -> float:
        return median([r.wall for r in self.base])

    @property
    def rss(self) -> float:
        return median([r.rss_mb for r in self.tool])

    @property
    def base_rss(self) -> float:
        return median([r.rss_mb for r in self.base])

    @property
    def ratio(self) -> float:
        return self.time / self.base_time

    @property
    def cpu_ratio(self) -> float:
        return median([r.cpu for r in self.tool]) / median([r.cpu for r in self.base])

    @property
    def strict_time(self) -> float:
        return median([r.wall for r in self.strict])

    @property
    def strict_ratio(self) -> float:
        return self.time / self.strict_time

    @property
    def strict_cpu_ratio(self) -> float:
        return median([r.cpu for r in self.tool]) / median([r.cpu for r in self.strict])

    @property
    def met(self) -> bool:
        return self.ratio <= self.target and all(ok for _, ok in self.checks)


# ---- inputs --------------------------------------------------------------------------------


def _cached(stamp: Path, params: dict[str, Any]) -> dict[str, Any] | None:
    try:
        saved = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None
    if saved.get("params") != params or saved.get("version") != generate.GENERATOR_VERSION:
        return None
    stats: dict[str, Any] = saved["stats"]
    return stats


def _stamp(stamp: Path, params: dict[str, Any], stats: dict[str, Any]) -> None:
    stamp.write_text(json.dumps({"version": generate.GENERATOR_VERSION, "params": params,
                                 "stats": stats}))


def _generate(*args: str) -> dict[str, Any]:
    """Run benchmarks/generate.py in its own process (its memory is not ours to keep)."""
    done = subprocess.run([PYTHON, str(HERE / "generate.py"), *args], check=True,
                          stdout=subprocess.PIPE, text=True)
    stats: dict[str, Any] = json.loads(done.stdout)
    return stats


def manifest_input(
    workdir: Path, seed: int, files: int, objects: int
) -> tuple[Path, dict[str, Any]]:
    params = {"seed": seed, "files": files, "objects": objects}
    root = workdir / "inputs" / f"manifests-s{seed}-{files}-{objects}"
    stamp = root.with_name(root.name + ".json")
    stats = _cached(stamp, params)
    if stats is None or not root.is_dir():
        log(f"  generating {files:,} manifest files ({objects:,} objects) in {root}")
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        stats = _generate("manifests", str(root), "--seed", str(seed), "--files", str(files),
                          "--objects", str(objects))
        log(f"  generated in {time.perf_counter() - started:.1f} s")
        _stamp(stamp, params, stats)
    return root, stats


def snapshot_input(workdir: Path, seed: int, objects: int, nodes: int,
                   releases: int) -> tuple[Path, dict[str, Any]]:
    params = {"seed": seed, "objects": objects, "nodes": nodes, "releases": releases}
    path = workdir / "inputs" / f"snapshot-s{seed}-{objects}-{nodes}-{releases}.json.gz"
    stamp = path.with_name(path.name + ".stamp.json")
    stats = _cached(stamp, params)
    if stats is None or not path.is_file():
        log(f"  generating a snapshot of {objects:,} objects, {nodes:,} nodes, "
            f"{releases:,} Helm releases in {path}")
        started = time.perf_counter()
        stats = _generate("snapshot", str(path), "--seed", str(seed), "--objects", str(objects),
                          "--nodes", str(nodes), "--releases", str(releases))
        log(f"  generated in {time.perf_counter() - started:.1f} s")
        _stamp(stamp, params, stats)
    return path, stats


# ---- the benchmarks ------------------------------------------------------------------------


def _mib(n: float) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def _progress(result: Result, side: str, i: int, run: Run) -> None:
    log(f"  {result.command} [{side} {i}]: {run.wall:.2f} s, {run.cpu:.2f} s CPU, "
        f"{run.rss_mb:.0f} MiB peak")


def bench_scan(scale: float, repeat: int, workdir: Path, seed: int) -> list[Result]:
    files, objects = round(SCAN_FILES * scale), round(SCAN_OBJECTS * scale)
    root, stats = manifest_input(workdir, seed, files, objects)
    out = workdir / "runs" / f"scan-{scale}"
    result = Result("scan", "scan DIR --format json", scale,
                    f"{files:,} files, {objects:,} objects ({_mib(stats['bytes'])})",
                    objects, TARGETS["scan"])
    tool = [*upgradecheck_command(), "scan", str(root), "--format", "json"]
    base = baseline_command("yaml", str(root))
    strict = baseline_command("yaml", str(root), gc="paused")
    measure(base, out, "warmup")  # the files into the page cache, for both sides alike
    for i in range(1, repeat + 1):
        run = measure(base, out, f"baseline-{i}")
        result.base.append(run)
        _progress(result, "baseline", i, run)
        run = measure(strict, out, f"strict-{i}")
        result.strict.append(run)
        _progress(result, "baseline, GC paused", i, run)
        run = measure(tool, out, f"tool-{i}", ok=(0, 1))
        result.tool.append(run)
        _progress(result, "upgradecheck", i, run)
    report = json.loads(result.tool[-1].stdout.read_text())
    seen = report.get("stats", {})
    parsed = json.loads(result.base[-1].stdout.read_text())
    result.checks.append((f"all {objects:,} objects scanned",
                          seen.get("objects") == objects and seen.get("files") == files))
    summary = report.get("summary", {})
    result.notes.append(
        f"upgradecheck read {seen.get('files'):,} files, {seen.get('documents'):,} documents, "
        f"{seen.get('objects'):,} objects → {summary.get('blocker')} blockers, "
        f"{summary.get('warning')} warnings; the baseline parsed {parsed['files']:,} files, "
        f"{parsed['documents']:,} documents")
    return [result]


def bench_assess(scale: float, repeat: int, workdir: Path, seed: int) -> list[Result]:
    objects, nodes = round(SNAP_OBJECTS * scale), round(SNAP_NODES * scale)
    releases = round(SNAP_RELEASES * scale)
    path, stats = snapshot_input(workdir, seed, objects, nodes, releases)
    out = workdir / "runs" / f"assess-{scale}"
    size = (f"{objects:,} objects, {nodes:,} nodes, {releases:,} releases "
            f"({_mib(stats['file_bytes'])} gz, {_mib(stats['json_bytes'])} JSON)")
    results = {fmt: Result("assess", f"assess SNAP --format {fmt}", scale, size, objects,
                           TARGETS["assess"]) for fmt in ("html", "json")}
    base = baseline_command("snapshot", str(path))
    strict = baseline_command("snapshot", str(path), gc="paused")
    measure(base, out, "warmup")
    for i in range(1, repeat + 1):
        run = measure(base, out, f"baseline-{i}")
        strict_run = measure(strict, out, f"strict-{i}")
        for result in results.values():
            result.base.append(run)
            result.strict.append(strict_run)
        _progress(results["html"], "baseline", i, run)
        _progress(results["html"], "baseline, GC paused", i, strict_run)
        for fmt, result in results.items():
            report = out / f"report-{i}.{fmt}"
            tool = [*upgradecheck_command(), "assess", str(path), "--target", ASSESS_TARGET,
                    "--format", fmt, "-o", str(report), "--fail-on", "none"]
            run = measure(tool, out, f"tool-{fmt}-{i}")
            result.tool.append(run)
            _progress(result, "upgradecheck", i, run)
    html_size = (out / f"report-{repeat}.html").stat().st_size
    json_report = json.loads((out / f"report-{repeat}.json").read_text())
    summary = json_report.get("summary", {})
    results["html"].checks.append((f"HTML {_mib(html_size)}, limit 10 MiB",
                                   html_size < HTML_LIMIT))
    results["json"].notes.append(
        f"{len(json_report.get('findings', [])):,} findings ({summary.get('blocker')} blockers, "
        f"{summary.get('warning')} warnings, {summary.get('info')} info); JSON report "
        f"{_mib((out / f'report-{repeat}.json').stat().st_size)}")
    return list(results.values())


class FakeServer:
    """benchmarks/fakeapi_server.py in its own process, started with `args`."""

    def __init__(self, workdir: Path, args: Sequence[str]):
        self.kubeconfig = workdir / "kubeconfig"
        self.workdir = workdir
        self.proc = subprocess.Popen(
            [PYTHON, str(HERE / "fakeapi_server.py"), *args,
             "--kubeconfig", str(self.kubeconfig)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        line = self._read()
        if not line.startswith("ready "):
            raise RuntimeError(f"the fake API server did not start: {line!r}")
        self.url, count, size = line.split()[1:4]
        self.objects = int(count)
        self.bytes = int(size)
        self._logs = 0

    def _read(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def log(self) -> dict[str, Any]:
        """The requests received (and server CPU used) since the last call."""
        assert self.proc.stdin is not None
        self._logs += 1
        path = self.workdir / f"server-log-{self._logs}.json"
        self.proc.stdin.write(f"log {path}\n")
        self.proc.stdin.flush()
        if self._read() != "ok":
            raise RuntimeError("the fake API server did not answer")
        doc: dict[str, Any] = json.loads(path.read_text())
        path.unlink()
        if doc["errors"]:
            raise RuntimeError(f"the fake API server failed: {doc['errors']}")
        return doc

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextlib.contextmanager
def fake_server(workdir: Path, args: Sequence[str]) -> Iterator[FakeServer]:
    server = FakeServer(workdir, args)
    try:
        yield server
    finally:
        server.stop()


def fetch_plan(requests: list[list[Any]]) -> dict[str, list[str]]:
    """The collector's requests as the baseline replays them: those before the first list
    (version and discovery) in order, then each list's first page (and /metrics)."""
    sequential: list[str] = []
    parallel: list[str] = []
    for path, query, _status in requests:
        keys = {k for k, _ in parse_qsl(query, keep_blank_values=True)}
        url = f"{path}?{query}" if query else path
        if "limit" in keys or path == "/metrics" or parallel:
            if "continue" not in keys:
                parallel.append(url)
        else:
            sequential.append(url)
    return {"sequential": sequential, "parallel": parallel}


class CollectRounds:
    """Collecting from one fake server: an untimed warm-up collect (the server reads or
    serialises each object once, and its request log becomes the baseline's plan), then
    measured runs of the collector and of the baselines that replay its requests."""

    def __init__(self, server: FakeServer, out: Path) -> None:
        self.server = server
        self.out = out
        self.snapshot = out / "snapshot.json.gz"
        self.tool = [*upgradecheck_command(), "collect", "-o", str(self.snapshot),
                     "--kubeconfig", str(server.kubeconfig), "--quiet", "--concurrency",
                     str(COLLECT_CONCURRENCY)]
        measure(self.tool, out, "warmup")
        first = server.log()
        self.plan = fetch_plan(first["requests"])
        plan_file = out / "plan.json"
        plan_file.write_text(json.dumps(self.plan))
        self.n_requests = len(first["requests"])
        self.kinds = len({url.split("?")[0] for url in self.plan["parallel"]})
        self.failed = sum(1 for *_, status in first["requests"] if status != 200)
        fetch = ("fetch", str(server.kubeconfig), str(plan_file), "--concurrency",
                 str(COLLECT_CONCURRENCY))
        self.baselines = {"baseline": baseline_command(*fetch),
                          "baseline, GC paused": baseline_command(*fetch, gc="paused")}
        self.server_cpu: dict[str, list[float]] = {"upgradecheck": [], **{
            side: [] for side in self.baselines}}
        self.last: Run | None = None

    @property
    def requests(self) -> str:
        return f"{self.kinds} lists, {self.n_requests:,} requests"

    def baseline(self, side: str, i: int, result: Result) -> Run:
        """One run of a baseline ("baseline" or "baseline, GC paused"), kept in `result`."""
        run = measure(self.baselines[side], self.out,
                      f"{side.replace(', GC paused', '-strict')}-{i}")
        self.server_cpu[side].append(self.server.log()["cpu_seconds"])
        (result.base if side == "baseline" else result.strict).append(run)
        replayed = json.loads(run.stdout.read_text())["requests"]
        if replayed != self.n_requests:
            raise RuntimeError(f"the baseline made {replayed} requests, the collector "
                               f"{self.n_requests}")
        _progress(result, side, i, run)
        return run

    def collect(self, i: int, result: Result) -> Run:
        """One run of `upgradecheck collect`, kept in `result`."""
        run = self.last = measure(self.tool, self.out, f"tool-{i}")
        got = self.server.log()
        self.server_cpu["upgradecheck"].append(got["cpu_seconds"])
        self.failed += sum(1 for *_, status in got["requests"] if status != 200)
        result.tool.append(run)
        _progress(result, "upgradecheck", i, run)
        return run

    def written(self) -> str:
        """What the last collect said it wrote."""
        if self.last is None:
            return ""
        stderr = self.last.stderr.read_text().splitlines()
        lines = [line for line in stderr if "written" in line]
        return lines[-1].removeprefix("upgradecheck: ") if lines else ""


def bench_collect(scale: float, repeat: int, workdir: Path, seed: int,
                  bodies: str = "realistic") -> list[Result]:
    objects, nodes = round(CLUSTER_OBJECTS * scale), round(CLUSTER_NODES * scale)
    releases = round(CLUSTER_RELEASES * scale)
    out = workdir / "runs" / f"collect-{scale}"
    out.mkdir(parents=True, exist_ok=True)
    log(f"  starting the fake API server ({objects:,} objects, {nodes:,} nodes, "
        f"{releases:,} Helm releases, {bodies} bodies)")
    args = ["--seed", str(seed), "--objects", str(objects), "--nodes", str(nodes),
            "--releases", str(releases), "--bodies", bodies]
    with fake_server(out, args) as server:
        rounds = CollectRounds(server, out)
        result = Result("collect", "collect -o F", scale,
                        f"{server.objects:,} objects served ({_mib(server.bytes)} JSON, "
                        f"{bodies} bodies; {nodes:,} nodes, {releases:,} Helm releases); "
                        f"{rounds.requests}", server.objects, TARGETS["collect"])
        for i in range(1, repeat + 1):
            rounds.baseline("baseline", i, result)
            rounds.baseline("baseline, GC paused", i, result)
            rounds.collect(i, result)
    cpu = rounds.server_cpu
    result.checks.append((f"collector peak RSS {result.rss:.0f} MiB, limit 1 GiB",
                          result.rss < COLLECT_RSS_LIMIT_MB))
    result.notes.append(
        f"fake API server CPU per run (median): {median(cpu['upgradecheck']):.2f} s "
        f"serving upgradecheck, {median(cpu['baseline']):.2f} s serving the baseline; "
        + rounds.written())
    return [result]


# ---- the envelope --------------------------------------------------------------------------


@dataclass
class EnvelopeResult(Result):
    """A step of the envelope benchmark, judged as its targets say: CPU time (user + system)
    against the bare work with the GC paused, and peak memory."""

    rss_limit_mb: float = ENVELOPE_RSS_LIMIT_MB
    others: dict[str, list[Run]] = field(default_factory=dict)
    """Other baselines run in the same rounds, shown beside the one the target is judged on."""

    @property
    def met(self) -> bool:
        return (self.strict_cpu_ratio <= self.target and self.rss <= self.rss_limit_mb
                and all(ok for _, ok in self.checks))


def envelope_input(workdir: Path, seed: int, scale: float) -> tuple[Path, dict[str, Any]]:
    params = {"seed": seed, "scale": scale}
    folder = workdir / "inputs" / f"envelope-s{seed}-{scale:g}"
    stamp = folder.with_name(folder.name + ".json")
    stats = _cached(stamp, params)
    if stats is None or not (folder / "index.jsonl").is_file():
        log(f"  generating the envelope cluster at scale {scale:g} in {folder}")
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        stats = _generate("envelope", str(folder), "--seed", str(seed), "--scale", str(scale))
        log(f"  generated in {time.perf_counter() - started:.1f} s")
        _stamp(stamp, params, stats)
    return folder, stats


def _count_in_gzip(path: Path, pattern: bytes) -> int:
    """Occurrences of `pattern` in a gzip file, read in pieces (a snapshot of the envelope
    is a gigabyte of JSON: the runner must not hold it)."""
    count, tail = 0, b""
    with gzip.open(path, "rb") as stream:
        while chunk := stream.read(1 << 24):
            data = tail + chunk
            count += data.count(pattern)
            tail = data[-(len(pattern) - 1):]
    return count


def bench_envelope(scale: float, repeat: int, workdir: Path, seed: int) -> list[Result]:
    """collect and assess of the envelope cluster, each against the bare work with the GC
    paused (the same GETs parsed; reading the snapshot), judged on CPU time and peak RSS."""
    folder, stats = envelope_input(workdir, seed, scale)
    out = workdir / "runs" / f"envelope-{scale:g}"
    out.mkdir(parents=True, exist_ok=True)
    served = (f"{stats['objects']:,} objects ({_mib(stats['bytes'])} JSON as served; "
              f"{stats['nodes']:,} nodes, {stats['pods']:,} pods, "
              f"{stats['helm_revisions']:,} Helm revisions)")
    log(f"  starting the fake API server: {served}")
    with fake_server(out, ["--envelope", str(folder)]) as server:
        rounds = CollectRounds(server, out)
        collect = EnvelopeResult("envelope", "envelope: collect -o F", scale,
                                 f"{served}; {rounds.requests}", stats["objects"],
                                 ENVELOPE_TARGET)
        for i in range(1, repeat + 1):
            rounds.baseline("baseline, GC paused", i, collect)
            rounds.collect(i, collect)
    pods = _count_in_gzip(rounds.snapshot, b'"kind":"Pod","namespace":')
    collect.checks.append((f"{pods:,} of {stats['pods']:,} pods in the snapshot",
                           pods == stats["pods"]))
    collect.checks.append((f"{rounds.failed} failed requests", rounds.failed == 0))
    cpu = rounds.server_cpu
    collect.notes.append(
        f"fake API server CPU per run (median): {median(cpu['upgradecheck']):.2f} s "
        f"serving upgradecheck, {median(cpu['baseline, GC paused']):.2f} s serving the "
        f"baseline; {rounds.written()}")

    snapshot = out / "assess-input.json.gz"
    shutil.copyfile(rounds.snapshot, snapshot)
    return [collect, _envelope_assess(snapshot, stats, scale, repeat, out)]


def bench_envelope_assess(scale: float, repeat: int, workdir: Path, seed: int) -> list[Result]:
    """assess alone, on the snapshot an earlier envelope run left in the work folder (its
    rounds take seconds where collect's take a minute: enough of them to see the noise);
    without one, the whole envelope."""
    _, stats = envelope_input(workdir, seed, scale)
    out = workdir / "runs" / f"envelope-{scale:g}"
    snapshot = out / "assess-input.json.gz"
    if not snapshot.is_file():
        log(f"  no snapshot collected yet in {out}: running the whole envelope")
        return bench_envelope(scale, repeat, workdir, seed)
    log(f"  assessing {snapshot}, collected by an earlier run")
    return [_envelope_assess(snapshot, stats, scale, repeat, out)]


def _envelope_assess(snapshot: Path, stats: dict[str, Any], scale: float, repeat: int,
                     out: Path) -> EnvelopeResult:
    """`repeat` rounds of the bare work, the previous baseline and assess on `snapshot`."""
    size = snapshot.stat().st_size
    assess = EnvelopeResult("envelope", "envelope: assess SNAP --format json", scale,
                            f"the snapshot collected above ({_mib(size)} gz)",
                            stats["objects"], ENVELOPE_TARGET)
    # The bare work is loading the snapshot as the tool writes it (json.load of the gzip
    # file); reading it with read_snapshot, the baseline before the snapshot was reduced,
    # is run in the same rounds and shown beside it.
    strict = baseline_command("snapshot-json", str(snapshot), gc="paused")
    previous = baseline_command("snapshot", str(snapshot), gc="paused")
    previous_name = "read_snapshot(SNAP), GC paused (the previous baseline)"
    assess.others[previous_name] = []
    report = out / "report.json"
    tool = [*upgradecheck_command(), "assess", str(snapshot), "--target", ASSESS_TARGET,
            "--format", "json", "-o", str(report), "--fail-on", "none"]
    measure(strict, out, "assess-warmup")
    for i in range(1, repeat + 1):
        run = measure(strict, out, f"assess-strict-{i}")
        assess.strict.append(run)
        _progress(assess, "baseline, GC paused", i, run)
        run = measure(previous, out, f"assess-previous-{i}")
        assess.others[previous_name].append(run)
        _progress(assess, previous_name, i, run)
        run = measure(tool, out, f"assess-tool-{i}")
        assess.tool.append(run)
        _progress(assess, "upgradecheck", i, run)
    loaded = json.loads(assess.strict[-1].stdout.read_text())
    assess.notes.append(f"the snapshot holds {loaded['objects']:,} objects, "
                        f"{loaded['nodes']:,} nodes, {loaded['helm_releases']:,} Helm "
                        f"revisions; JSON report {_mib(report.stat().st_size)}")
    return assess


# ---- start-up ------------------------------------------------------------------------------


@dataclass
class Startup:
    """Repeated runs of `upgradecheck scan FILE` on one small file, and of the bare
    interpreter, with what the command imports."""

    tool: list[Run]
    python: list[Run]
    imports: list[tuple[str, float]]
    """The largest top-level imports, each followed by the largest it made (marked └),
    with their cumulative import time (ms)."""
    import_total: float


def _import_times(cmd: Sequence[str]) -> tuple[list[tuple[str, float]], float]:
    """Run `python -X importtime ...`: the largest top-level imports, each followed by the
    largest imports it made directly (marked └), with cumulative times (ms); and the total
    of the top-level ones."""
    done = subprocess.run([PYTHON, "-X", "importtime", *cmd], capture_output=True, text=True,
                          check=False)
    groups: list[tuple[str, float, list[tuple[str, float]]]] = []
    children: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip())) // 2  # importtime indents by two
        ms = int(cumulative) / 1000
        if depth == 1:
            children.append((name.strip(), ms))
        elif depth == 0:  # a module is printed after the modules it imported
            groups.append((name.strip(), ms, children))
            children = []
    found: list[tuple[str, float]] = []
    for name, ms, below in sorted(groups, key=lambda g: -g[1])[:6]:
        found.append((name, ms))
        found += [(f"└ {child}", t) for child, t in sorted(below, key=lambda c: -c[1])[:6]]
    return found, sum(ms for _, ms, _ in groups)


def bench_startup(repeat: int, workdir: Path) -> Startup:
    folder = workdir / "inputs" / "startup"
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "deployment.yaml"
    g = generate.Gen(1)
    labels = {"app.kubernetes.io/name": "web"}
    manifest.write_text(yaml.safe_dump(generate.deployment(g, "web", "shop", labels),
                                       sort_keys=False))
    out = workdir / "runs" / "startup"
    tool = [*upgradecheck_command(), "scan", str(manifest)]
    bare = [PYTHON, "-c", "pass"]
    runs = max(20, 10 * repeat)
    measure(tool, out, "warmup", ok=(0, 1))
    result = Startup([], [], [], 0.0)
    for i in range(runs):
        result.python.append(measure(bare, out, f"python-{i}"))
        result.tool.append(measure(tool, out, f"scan-{i}", ok=(0, 1)))
    result.imports, result.import_total = _import_times(["-m", "upgradecheck", "scan",
                                                         str(manifest)])
    log(f"  scan FILE: {median([r.wall for r in result.tool]):.3f} s median of {runs}")
    return result


RUNNERS = {"scan": bench_scan, "assess": bench_assess, "collect": bench_collect,
           "envelope": bench_envelope, "envelope-assess": bench_envelope_assess}


# ---- start-up cost, for the scaling table --------------------------------------------------


def startup(repeat: int, out: Path) -> tuple[float, float]:
    """Median wall time and peak RSS of `upgradecheck --help` (imports every command)."""
    runs = [measure([*upgradecheck_command(), "--help"], out, f"startup-{i}")
            for i in range(max(3, repeat))]
    return median([r.wall for r in runs]), median([r.rss_mb for r in runs])


# ---- reporting -----------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import yaml

    try:
        commit = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    import upgradecheck

    return [
        f"- machine: {cpu}, {cores} cores{memory}; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, PyYAML {yaml.__version__} "
        f"(libyaml: {'yes' if yaml.__with_libyaml__ else 'no'}), "
        f"upgradecheck {upgradecheck.__version__} at {commit}",
    ]


def _fmt_time(seconds: float) -> str:
    return f"{seconds:.2f} s"


def results_table(results: list[Result]) -> list[str]:
    lines = [
        "| benchmark | scale | input | upgradecheck | baseline | ratio (target) "
        "| CPU-time ratio | baseline, GC paused | ratio to it | upgradecheck peak RSS "
        "| baseline peak RSS | target met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        extra = "; ".join(what for what, _ in r.checks)
        verdict = "yes" if r.met else "**no**"
        strict = f"{r.strict_ratio:.2f}x"
        if r.strict_ratio > r.target:
            strict = f"**{strict}**"
        lines.append(
            f"| {r.command} | {r.scale:g} | {r.size} | {_fmt_time(r.time)} "
            f"| {_fmt_time(r.base_time)} | {r.ratio:.2f}x (≤ {r.target:g}x) "
            f"| {r.cpu_ratio:.2f}x | {_fmt_time(r.strict_time)} | {strict} "
            f"| {r.rss:.0f} MiB | {r.base_rss:.0f} MiB "
            f"| {verdict}{f' ({extra})' if extra else ''} |"
        )
    return lines


def _exponent(small: float, big: float, factor: float) -> float:
    if small <= 0 or big <= 0:
        return math.nan
    return math.log(big / small) / math.log(factor)


def growth_word(k: float) -> str:
    if math.isnan(k):
        return "n/a"
    if k > 1.15:
        return "**superlinear**"
    if k < 0.85:
        return "sublinear (fixed costs)"
    return "linear"


def scaling_table(results: list[Result], start: tuple[float, float]) -> list[str]:
    """For each command measured at two or more scales: how time and memory grow between
    the smallest and the largest, as an exponent k (size xf → time xf^k), after taking off
    the start-up cost of `upgradecheck --help`."""
    by_command: dict[str, list[Result]] = {}
    for r in results:
        by_command.setdefault(r.command, []).append(r)
    lines = [
        "| command | size x | time x (upgradecheck) | time x (baseline) "
        "| time exponent k, start-up taken off | peak RSS x | RSS exponent k, start-up taken "
        "off | growth |",
        "|---|---|---|---|---|---|---|---|",
    ]
    t0, m0 = start
    for command, runs in by_command.items():
        if len(runs) < 2:
            continue
        small, big = min(runs, key=lambda r: r.units), max(runs, key=lambda r: r.units)
        factor = big.units / small.units
        k_time = _exponent(small.time - t0, big.time - t0, factor)
        k_rss = _exponent(small.rss - m0, big.rss - m0, factor)
        lines.append(
            f"| {command} | {factor:.1f}x | {big.time / small.time:.1f}x "
            f"| {big.base_time / small.base_time:.1f}x | {k_time:.2f} "
            f"| {big.rss / small.rss:.1f}x | {k_rss:.2f} "
            f"| time {growth_word(k_time)}, memory {growth_word(k_rss)} |"
        )
    return lines


def _cpu(runs: Sequence[Run]) -> str:
    """The median CPU time, and the range when there are several runs (how noisy it was)."""
    cpus = sorted(r.cpu for r in runs)
    spread = f" ({cpus[0]:.1f} to {cpus[-1]:.1f})" if len(cpus) > 1 else ""
    return f"{median(cpus):.2f} s{spread}"


def envelope_table(results: Sequence[Result]) -> list[str]:
    """The envelope's steps: each beside the bare work (GC paused), CPU time first."""
    lines = [
        "| step | scale | input | upgradecheck wall | CPU | peak RSS "
        "| bare work (GC paused) wall | CPU | peak RSS | CPU-time ratio (target) "
        "| wall ratio | target met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        extra = "; ".join(what for what, _ in r.checks)
        lines.append(
            f"| {r.command.removeprefix('envelope: ')} | {r.scale:g} | {r.size} "
            f"| {_fmt_time(r.time)} | {_cpu(r.tool)} | {r.rss:.0f} MiB "
            f"| {_fmt_time(r.strict_time)} | {_cpu(r.strict)} "
            f"| {median([x.rss_mb for x in r.strict]):.0f} MiB "
            f"| {r.strict_cpu_ratio:.2f}x (≤ {r.target:g}x) | {r.strict_ratio:.2f}x "
            f"| {'yes' if r.met else '**no**'} (peak {r.rss:.0f} MiB of ≤ "
            f"{ENVELOPE_RSS_LIMIT_MB} MiB{'; ' + extra if extra else ''}) |")
        tool_cpu = median([x.cpu for x in r.tool])
        if len(r.tool) == len(r.strict):
            # Each round runs the bare work then the tool: the ratio of each round shows
            # how much the machine's noise moves the median's.
            rounds = ", ".join(
                f"{t.cpu / b.cpu:.2f}x" for t, b in zip(r.tool, r.strict, strict=True))
            tool_user = median([x.user for x in r.tool])
            bare_user = median([x.user for x in r.strict])
            cells = ["↳ user time alone; each round's CPU-time ratio", "", "", "",
                     f"{tool_user:.2f} s", "", "", f"{bare_user:.2f} s", "",
                     f"{tool_user / max(bare_user, 1e-9):.2f}x; rounds: {rounds}", "", ""]
            lines.append("| " + " | ".join(cells) + " |")
        for name, runs in getattr(r, "others", {}).items():
            lines.append(
                f"| ↳ against {name} | | | | | | {_fmt_time(median([x.wall for x in runs]))} "
                f"| {_cpu(runs)} | {median([x.rss_mb for x in runs]):.0f} MiB "
                f"| {tool_cpu / median([x.cpu for x in runs]):.2f}x "
                f"| {r.time / median([x.wall for x in runs]):.2f}x | |")
    by_scale: dict[float, float] = {}
    steps: dict[float, set[str]] = {}
    for r in results:
        if r.command not in steps.setdefault(r.scale, set()):  # each step once
            steps[r.scale].add(r.command)
            by_scale[r.scale] = by_scale.get(r.scale, 0.0) + r.time
    for scale, total in sorted(by_scale.items()):
        if len(steps[scale]) < 2:
            continue  # assess alone (envelope-assess): no total to judge
        verdict = "yes" if total < ENVELOPE_WALL_LIMIT else "**no**"
        lines.append(f"| collect + assess | {scale:g} | | {_fmt_time(total)} | | | | | "
                     f"| | | {verdict} (< {ENVELOPE_WALL_LIMIT:.0f} s) |")
    return lines


def startup_lines(s: Startup) -> list[str]:
    tool = sorted(r.wall for r in s.tool)
    lines = [
        "| command | runs | median wall | min | max | median CPU | peak RSS | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, runs in (("upgradecheck scan FILE (one Deployment)", s.tool),
                       ("python -c pass (the interpreter alone)", s.python)):
        walls = sorted(r.wall for r in runs)
        target = ""
        if runs is s.tool:
            met = median(tool) <= STARTUP_LIMIT
            target = f"{'yes' if met else '**no**'} (≤ {STARTUP_LIMIT:g} s)"
        lines.append(f"| {name} | {len(runs)} | {median(walls):.3f} s | {walls[0]:.3f} s "
                     f"| {walls[-1]:.3f} s | {median([r.cpu for r in runs]):.3f} s "
                     f"| {median([r.rss_mb for r in runs]):.0f} MiB | {target} |")
    lines += ["", f"Imported at start-up (`python -X importtime -m upgradecheck scan FILE`): "
              f"{s.import_total:.0f} ms in top-level imports; the largest:", ""]
    lines += ["| module | cumulative import time |", "|---|---|"]
    lines += [f"| {name} | {ms:.1f} ms |" for name, ms in s.imports]
    return lines


def report(results: list[Result], start: tuple[float, float], args: argparse.Namespace,
           elapsed: float, started: Startup | None = None) -> str:
    lines = ["## Results", ""]
    lines += machine()
    command = " ".join(["python benchmarks/run.py", *args.argv])
    lines.append(f"- command: `{command}`")
    lines.append(f"- medians of {args.repeat} runs; total time of this run "
                 f"{elapsed / 60:.1f} min")
    lines.append(f"- start-up (`upgradecheck --help`): {start[0]:.2f} s, {start[1]:.0f} MiB")
    with contextlib.suppress(OSError):
        load = Path("/proc/loadavg").read_text().split()[:3]
        lines.append(f"- load average at the end: {' '.join(load)} (other work on the machine "
                     "shows here and in wall times)")
    envelope = [r for r in results if isinstance(r, EnvelopeResult)]
    results = [r for r in results if not isinstance(r, EnvelopeResult)]
    lines.append("")
    if results:
        lines += [*results_table(results), ""]
        lines += [
            "Times are wall-clock medians; peak RSS is the process's own (wait4 rusage). "
            "*baseline* is the issue's baseline, a plain script (Python's cyclic garbage "
            "collector on, as by default); the target is judged against it. *baseline, GC "
            "paused* is the same script with the collector off, i.e. the parsing work "
            "alone: a ratio in bold there would miss the target against that stricter "
            "baseline. The CPU-time ratio (user + system, same pairs of runs) is steadier "
            "than wall time on a busy machine.",
            "",
        ]
    notes = [f"- {r.command} at {r.scale:g}: {n}"
             for r in [*results, *envelope] for n in r.notes]
    if notes:
        lines += ["Notes:", "", *notes, ""]
    scaling = scaling_table(results, start)
    if len(scaling) > 2:
        lines += ["### Scaling", "", *scaling, ""]
    if envelope:
        lines += ["### Envelope", "", *envelope_table(envelope), "",
                  "CPU time is user + system of the process (wait4), medians; the bare work "
                  "is the baseline with Python's cyclic GC paused: the same GETs parsed "
                  "(collect), the snapshot file's JSON loaded with `json.load` (assess; "
                  "↳ rows: other baselines of the same rounds).", ""]
    if started is not None:
        lines += ["### Start-up", "", *startup_lines(started), ""]
    missed = [
        f"{r.command} at {r.scale:g} ("
        + (f"CPU {r.strict_cpu_ratio:.2f}x of ≤ {r.target:g}x, peak {r.rss:.0f} MiB"
           if isinstance(r, EnvelopeResult) else f"{r.ratio:.2f}x of ≤ {r.target:g}x")
        + "".join(f"; {what}" for what, ok in r.checks if not ok) + ")"
        for r in [*results, *envelope] if not r.met]
    if started is not None and median([r.wall for r in started.tool]) > STARTUP_LIMIT:
        missed.append(f"scan FILE start-up ({median([r.wall for r in started.tool]):.2f} s "
                      f"of ≤ {STARTUP_LIMIT:g} s)")
    lines.append("Targets: " + ("all met." if not missed else f"missed by {', '.join(missed)}."))
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark upgradecheck's scan, assess and collect against baselines.")
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help="benchmarks to run, comma-separated: scan, assess, collect, "
                        "and, only when named, envelope (about 15 minutes at scale 1), "
                        "envelope-assess (its assess alone, on the snapshot an earlier "
                        "envelope run collected) and startup (default: scan,assess,collect)")
    parser.add_argument("--scale", default="0.1,1.0",
                        help="input sizes as fractions of the full size, comma-separated "
                        "(default: 0.1,1.0)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each command; the median is shown (default: 3)")
    parser.add_argument("--workdir", type=Path,
                        default=Path(os.environ.get("TMPDIR", "/tmp")) / "upgradecheck-bench",
                        help="where generated inputs are kept and outputs written "
                        "(default: $TMPDIR/upgradecheck-bench)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument("--collect-bodies", choices=("realistic", "generated"),
                        default="realistic",
                        help="objects the fake API server serves: realistic bodies (default) "
                        "or the test generator's small ones")
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)
    args.argv = argv
    args.only = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = set(args.only) - set(BENCHMARKS) - set(OPTIONAL)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    try:
        args.scales = sorted({float(s) for s in args.scale.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--scale: not a list of numbers: {args.scale}")
    if not args.scales or min(args.scales) <= 0:
        parser.error("--scale: give one or more positive numbers")
    if args.repeat < 1:
        parser.error("--repeat: at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    args.workdir.mkdir(parents=True, exist_ok=True)
    log(f"upgradecheck benchmarks: {', '.join(args.only)} at scales "
        f"{', '.join(f'{s:g}' for s in args.scales)}, {args.repeat} runs each; "
        f"work folder {args.workdir}")
    results: list[Result] = []
    start_up: Startup | None = None
    try:
        start = startup(args.repeat, args.workdir / "runs" / "startup")  # starts the spawner
        for bench in [b for b in (*BENCHMARKS, "envelope", "envelope-assess")
                      if b in args.only]:
            for scale in args.scales:
                log(f"{bench} at scale {scale:g}")
                if bench == "collect":
                    results += bench_collect(scale, args.repeat, args.workdir, args.seed,
                                             args.collect_bodies)
                else:
                    results += RUNNERS[bench](scale, args.repeat, args.workdir, args.seed)
        if "startup" in args.only:
            log("start-up of scan FILE")
            start_up = bench_startup(args.repeat, args.workdir)
    finally:
        Spawner.stop()
    text = report(results, start, args, time.perf_counter() - started, start_up)
    sys.stdout.write(text)
    if args.output:
        args.output.write_text(text)
    slow_start = start_up is not None and median([r.wall for r in start_up.tool]) > STARTUP_LIMIT
    return 0 if all(r.met for r in results) and not slow_start else 1


if __name__ == "__main__":
    raise SystemExit(main())
