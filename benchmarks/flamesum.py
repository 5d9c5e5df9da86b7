"""Summarise a sampling profile in folded form (py-spy's `--format raw`): the share of
samples in which each function is on the stack (inclusive) and at its top (self).

    py-spy record --format raw -o PROFILE --rate 50 -- upgradecheck assess SNAP ...
    python benchmarks/flamesum.py PROFILE [--top 25] [--match upgradecheck/]

`--match` keeps only functions whose file contains the text in the inclusive table (the
self table always shows every function: C-level work such as json decoding shows there).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:()]+)(?::\d+)?\)$")


def _name(frame: str) -> tuple[str, str]:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip(), ""
    return f"{match['func']} ({match['file']})", match["file"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="")
    args = parser.parse_args(argv)
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in args.profile.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_name(f) for f in stack.split(";")]
        for name in {name for name, file in frames if args.match in file}:
            inclusive[name] += samples
        own[frames[-1][0]] += samples
    print(f"{total:,} samples\n")
    for title, counter in (("on the stack (inclusive)", inclusive), ("at the top (self)", own)):
        print(f"| function, {title} | share of samples |\n|---|---|")
        for name, samples in counter.most_common(args.top):
            print(f"| {name} | {samples / max(1, total):.1%} |")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
