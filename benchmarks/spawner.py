"""Run commands and measure them from a small process.

Linux counts a process's peak RSS (`ru_maxrss`) from the peak of the process that started
it: exec records the old address space's high-water mark. A runner that has grown (it
generated a big input, it holds results) would raise every measured peak to its own. So the
runner starts this small process first and has it start every measured command.

Protocol: one JSON request per line on stdin, `{"cmd": [...], "stdout": PATH, "stderr":
PATH}`; one JSON answer per line on stdout, `{"wall": s, "cpu": s, "maxrss_kb": n,
"code": n}`. Only the standard library, so the spawner itself stays at ~10 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def run(cmd: list[str], stdout: str, stderr: str) -> dict[str, float | int]:
    with open(stdout, "wb") as so, open(stderr, "wb") as se:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=so, stderr=se, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "user": usage.ru_utime,
            "maxrss_kb": usage.ru_maxrss, "code": code}


def main() -> int:
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer: dict[str, object] = dict(
                run(request["cmd"], request["stdout"], request["stderr"]))
        except OSError as exc:
            answer = {"error": str(exc)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
