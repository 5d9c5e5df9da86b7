"""Start-up of short commands: CPU time of `upgradecheck --version`, `scan FILE` and `assess
SNAPSHOT` beside baselines measured in the same run, as a Markdown table.

    python benchmarks/startup.py                       # 20 rounds
    python benchmarks/startup.py --repeat 30 --before /tmp/old-checkout

Each round runs every command once, in turn, as its own process (`python -m upgradecheck`,
the same code as the console script); CPU time (user + system) and wall time come from
wait4's rusage. The baselines: the bare interpreter; `import yaml` and parsing the same file
with PyYAML's C loader (the work `scan FILE` cannot avoid); `json.load` of the same snapshot.
Ratios are of median CPU times, which a loaded machine disturbs less than wall times.
`--before DIR` also runs the commands from the source tree DIR (another checkout of
upgradecheck, e.g. `git archive main | tar -x -C DIR`), in the same rounds. The commands run
as an installed upgradecheck does: from compiled bytecode (PYTHONDONTWRITEBYTECODE is
dropped), with the knowledge base's parse cache in a folder of the run's own, filled by the
untimed warm-up round; `scan FILE (UPGRADECHECK_NO_CACHE=1)` shows a run without it. The module
count is of one `python -X importtime` run (its times are wall times: see that output for
where the time goes on a quiet machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = sys.executable
SNAPSHOT = REPO / "examples" / "cluster-1.23.snapshot.json"
STARTUP_LIMIT = 0.2
"""Seconds: the issue's start-up target for `scan FILE` (wall, on a quiet machine)."""

# One Deployment, as pre-commit hands `scan` a changed manifest.
MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app.kubernetes.io/name: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app.kubernetes.io/name: web}
  template:
    metadata:
      labels: {app.kubernetes.io/name: web}
    spec:
      containers:
        - name: web
          image: registry.example.com/shop/web:1.4.2
          ports: [{containerPort: 8080}]
          resources:
            requests: {cpu: 100m, memory: 128Mi}
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
"""


@dataclass
class Subject:
    """One command line, measured over the rounds."""

    name: str
    cmd: list[str]
    source: Path | None = None
    """The source tree the command imports upgradecheck from (None: the installed one)."""
    env: dict[str, str] = field(default_factory=dict)
    """Variables set for it alone."""
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    modules: int = 0


CACHE = "XDG_CACHE_HOME"
"""Set to a folder of the run's own: the knowledge base's parse cache (filled by the warm-up
round, as by a user's first run) is neither the user's nor left behind."""


def _env(subject: Subject, cwd: Path) -> dict[str, str]:
    env = dict(os.environ)
    # An installed upgradecheck runs from compiled bytecode (pip compiles it at install): a
    # shell with PYTHONDONTWRITEBYTECODE set would have every run compile every module.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env[CACHE] = str(cwd / "cache")
    if subject.source is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(subject.source), env.get("PYTHONPATH")])
        )
    return {**env, **subject.env}


def measure(subject: Subject, cwd: Path) -> None:
    start = time.perf_counter()
    proc = subprocess.Popen(subject.cmd, cwd=cwd, env=_env(subject, cwd),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    subject.wall.append(time.perf_counter() - start)
    subject.cpu.append(usage.ru_utime + usage.ru_stime)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: findings at or above --fail-on
        raise SystemExit(f"{subject.name}: exit code {code}")


def count_modules(subject: Subject, cwd: Path) -> None:
    """The number of modules imported, from one -X importtime run."""
    done = subprocess.run([subject.cmd[0], "-X", "importtime", *subject.cmd[1:]], cwd=cwd,
                          env=_env(subject, cwd), capture_output=True, text=True,
                          check=False)  # fmt: skip
    subject.modules = sum(1 for line in done.stderr.splitlines()
                          if line.startswith("import time:") and "cumulative" not in line)


def subjects(manifest: Path, before: Path | None) -> list[Subject]:
    load_yaml = (f"import yaml; list(yaml.load_all(open({str(manifest)!r}).read(), "
                 "Loader=yaml.CSafeLoader))")  # fmt: skip
    found = [
        Subject("python -c pass", [PYTHON, "-c", "pass"]),
        Subject("import yaml; parse FILE with the C loader", [PYTHON, "-c", load_yaml]),
        Subject("import json; json.load(SNAPSHOT)",
                [PYTHON, "-c", f"import json; json.load(open({str(SNAPSHOT)!r}))"]),
    ]  # fmt: skip
    commands = [
        ("upgradecheck --version", ["--version"]),
        ("upgradecheck scan FILE", ["scan", str(manifest)]),
        ("upgradecheck scan FILE --format json", ["scan", str(manifest), "--format", "json"]),
        ("upgradecheck assess SNAPSHOT --format json", ["assess", str(SNAPSHOT), "--format",
                                                        "json"]),
    ]  # fmt: skip
    trees: list[tuple[str, Path | None]] = [("", None)]
    if before is not None:
        trees.insert(0, (" (before)", before.resolve()))
    for suffix, source in trees:
        found += [Subject(name + suffix, [PYTHON, "-m", "upgradecheck", *args], source)
                  for name, args in commands]  # fmt: skip
    # What a read-only home (a container, some CI) pays: the knowledge base parsed every run.
    found.append(Subject("upgradecheck scan FILE (UPGRADECHECK_NO_CACHE=1)",
                         [PYTHON, "-m", "upgradecheck", "scan", str(manifest)],
                         env={"UPGRADECHECK_NO_CACHE": "1"}))  # fmt: skip
    return found


def report(found: list[Subject], rounds: int) -> str:
    yaml_cpu = statistics.median(found[1].cpu)
    lines = [
        f"Medians of {rounds} rounds; load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| command | median CPU | min CPU | median wall | CPU ratio to the YAML baseline "
        "| modules imported |",
        "|---|---|---|---|---|---|",
    ]
    for s in found:
        cpu = statistics.median(s.cpu)
        lines.append(f"| {s.name} | {cpu:.3f} s | {min(s.cpu):.3f} s "
                     f"| {statistics.median(s.wall):.3f} s | {cpu / yaml_cpu:.2f}x "
                     f"| {s.modules} |")  # fmt: skip
    scan = next(s for s in found if s.name == "upgradecheck scan FILE")
    lines += ["", f"Target: `scan FILE` in at most {STARTUP_LIMIT:g} s of wall time on a quiet "
              f"machine; here {statistics.median(scan.wall):.3f} s median wall, "
              f"{statistics.median(scan.cpu):.3f} s CPU."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="rounds (default 20)")
    parser.add_argument("--before", type=Path, help="an older source tree to measure too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="upgradecheck-startup-") as tmp:
        cwd = Path(tmp)  # not the checkout: `python -m` would import from the folder it runs in
        manifest = cwd / "deployment.yaml"
        manifest.write_text(MANIFEST)
        found = subjects(manifest, args.before)
        for s in found:  # warm-up: files in the page cache, bytecode compiled
            measure(s, cwd)
            s.cpu.clear()
            s.wall.clear()
        for i in range(args.repeat):
            for s in found:
                measure(s, cwd)
            print(f"round {i + 1}/{args.repeat}", file=sys.stderr)
        for s in found:
            count_modules(s, cwd)
    print(report(found, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
