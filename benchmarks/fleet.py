"""The fleet benchmark: `upgradecheck fleet` over N clusters against the same clusters' `plan`
run one after the other, as Markdown.

    python benchmarks/fleet.py                         # 2 clusters of 20,000 objects, 3 runs
    python benchmarks/fleet.py --clusters 4 --objects 5000 --repeat 5

Each cluster is benchmarks/fakeapi_server.py in its own process (generated objects with
realistic bodies, a different seed each), all in one kubeconfig (contexts c1, c2, ...) plus a
context `dead` on a port nobody listens on. Every command runs as its own process through
benchmarks/spawner.py (wall time and peak RSS from wait4), medians of `--repeat` runs:

- plans in a row: `upgradecheck plan --context cK -f json` for each cluster, times summed
  (the peak is the largest of them); CPU time is the process's user + system time;
- fleet: `upgradecheck fleet --context c1 ... --context cN -f json` (default --parallel);
- fleet --parallel 1: the same, one cluster after the other inside one process (what one
  process saves alone: the start-up and the knowledge base, paid once);
- fleet + dead context: the fleet with `--context dead` added (it must not slow the rest).

Results and method: docs/fleet.md ("Speed").
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import yaml
from run import PYTHON, Run, Spawner, log, measure, median, upgradecheck_command

HERE = Path(__file__).resolve().parent


@contextlib.contextmanager
def clusters(
    workdir: Path, count: int, objects: int, nodes: int, releases: int
) -> Iterator[Path]:
    """Serve `count` generated clusters; yield one kubeconfig with contexts c1..cN and dead."""
    procs: list[subprocess.Popen[str]] = []
    dead = socket.socket()  # bound, never listening: connections are refused at once
    dead.bind(("127.0.0.1", 0))
    try:
        merged: dict[str, object] = {"apiVersion": "v1", "kind": "Config",
                                     "clusters": [], "users": [], "contexts": []}
        for k in range(1, count + 1):
            kubeconfig = workdir / f"kubeconfig-{k}"
            proc = subprocess.Popen(
                [PYTHON, str(HERE / "fakeapi_server.py"), "--seed", str(k), "--objects",
                 str(objects), "--nodes", str(nodes), "--releases", str(releases),
                 "--kubeconfig", str(kubeconfig)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )
            procs.append(proc)
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line.startswith("ready "):
                raise RuntimeError(f"fake API server {k} did not start: {line!r}")
            log(f"cluster c{k}: {line.split()[1]}, {int(line.split()[2]):,} objects")
            doc = yaml.safe_load(kubeconfig.read_text())
            _add(merged, doc, f"c{k}")
        port = dead.getsockname()[1]
        _add(merged, {
            "clusters": [{"name": "bench", "cluster": {"server": f"https://127.0.0.1:{port}"}}],
            "users": [{"name": "bench", "user": {"token": "t"}}],
            "contexts": [{"name": "bench", "context": {"cluster": "bench", "user": "bench"}}],
        }, "dead")
        path = workdir / "kubeconfig"
        path.write_text(yaml.safe_dump(merged))
        yield path
    finally:
        dead.close()
        for proc in procs:
            with contextlib.suppress(OSError, ValueError):
                assert proc.stdin is not None
                proc.stdin.write("quit\n")
                proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _add(merged: dict[str, object], doc: dict[str, object], name: str) -> None:
    """Add the single context of `doc` to `merged`, its cluster, user and context renamed."""
    for key, inner in (("clusters", "cluster"), ("users", "user"), ("contexts", "context")):
        (entry,) = doc[key]  # type: ignore[misc]
        body = dict(entry[inner])
        if key == "contexts":
            body.update(cluster=name, user=name)
        merged[key].append({"name": name, inner: body})  # type: ignore[attr-defined]


def _row(what: str, runs: Sequence[Sequence[Run]], base: float | None) -> str:
    walls = [sum(r.wall for r in group) for group in runs]
    cpus = [sum(r.cpu for r in group) for group in runs]
    rss = [max(r.rss_mb for r in group) for group in runs]
    wall = median(walls)
    ratio = f"{wall / base:.2f}x" if base else "1.00x"
    spread = f"{min(walls):.1f} to {max(walls):.1f}"
    return (f"| {what} | {wall:.1f} s ({spread}) | {ratio} | {median(cpus):.1f} s "
            f"| {median(rss):.0f} MiB |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clusters", type=int, default=2)
    parser.add_argument("--objects", type=int, default=20_000, help="objects per cluster")
    parser.add_argument("--nodes", type=int, default=400, help="nodes per cluster")
    parser.add_argument("--releases", type=int, default=100, help="Helm releases per cluster")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/upgradecheck-bench-fleet"))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    out = args.workdir / "out"
    tool = upgradecheck_command()
    names = [f"c{k}" for k in range(1, args.clusters + 1)]
    common = ["-f", "json", "--fail-on", "none", "-q"]
    plans: list[list[Run]] = []
    fleets: list[list[Run]] = []
    serial: list[list[Run]] = []
    with_dead: list[list[Run]] = []
    try:
        with clusters(args.workdir, args.clusters, args.objects, args.nodes,
                      args.releases) as kubeconfig:
            kc = ["--kubeconfig", str(kubeconfig)]
            contexts = [arg for name in names for arg in ("--context", name)]
            for i in range(args.repeat):
                plans.append([
                    measure([*tool, "plan", *kc, "--context", name, *common], out,
                            f"plan-{name}-{i}")
                    for name in names
                ])
                fleets.append([measure([*tool, "fleet", *kc, *contexts, *common], out,
                                       f"fleet-{i}")])
                serial.append([measure([*tool, "fleet", *kc, *contexts, "--parallel", "1",
                                        *common], out, f"fleet-serial-{i}")])
                with_dead.append([measure(
                    [*tool, "fleet", *kc, *contexts, "--context", "dead", *common], out,
                    f"fleet-dead-{i}", ok=(3,))])
                log(f"run {i + 1}/{args.repeat}: plans {sum(r.wall for r in plans[-1]):.1f} s, "
                    f"fleet {fleets[-1][0].wall:.1f} s, --parallel 1 {serial[-1][0].wall:.1f} s, "
                    f"+dead {with_dead[-1][0].wall:.1f} s")
    finally:
        Spawner.stop()
    base = median([sum(r.wall for r in group) for group in plans])
    print(f"{args.clusters} clusters of {args.objects:,} objects, {args.nodes:,} nodes and "
          f"{args.releases} Helm releases each; medians of {args.repeat} runs (range)\n")
    print("| run | wall time | vs plans in a row | CPU time | peak RSS |")
    print("|---|---|---|---|---|")
    print(_row(f"{args.clusters} x `plan`, one after the other", plans, None))
    print(_row("`fleet` (--parallel 4)", fleets, base))
    print(_row("`fleet --parallel 1`", serial, base))
    print(_row("`fleet` + a dead context", with_dead, base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
