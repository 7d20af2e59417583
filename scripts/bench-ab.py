#!/usr/bin/env python3
"""Time commands against each other, interleaved, on a noisy machine.

    scripts/bench-ab.py --dir DIR [--rounds N] NAME 'COMMAND' NAME 'COMMAND' ...

Runs every command once to warm the caches, then N rounds (31 by default) of each command
in turn, every other round in reverse order so that no command always follows the same
one, in DIR, output discarded. Prints for each command the median, the first quartile and
the fastest wall time, and the ratio of its median to the first command's. Used for
issue 16's "the plain audit at most 1.0x rg --files" and for before/after comparisons of
two builds:

    scripts/bench-ab.py --dir bench-work/repo-100000-100 --rounds 60 \\
        rg 'bench-work/tools/bin/rg --files' \\
        squarely 'target/release/squarely audit . --format json -o /dev/null'

Commands run through /bin/sh (`exec COMMAND`); relative program paths are resolved from
the repository root. Nothing is written outside DIR's commands' own doing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="folder the commands run in")
    parser.add_argument("--rounds", type=int, default=31, help="rounds (default 31)")
    parser.add_argument("pairs", nargs="+", help="NAME COMMAND, repeated")
    args = parser.parse_args()
    if len(args.pairs) % 2 or args.rounds < 1:
        parser.error("give NAME COMMAND pairs and at least one round")
    commands = list(zip(args.pairs[0::2], args.pairs[1::2]))
    env = dict(os.environ, PATH=f"{ROOT}:{os.environ.get('PATH', '')}")
    workdir = Path(args.dir).resolve()
    if not workdir.is_dir():
        parser.error(f"{args.dir}: not a folder")

    def run(command: str) -> float:
        # A relative program path is relative to the repository root, not to DIR.
        program, _, rest = command.partition(" ")
        if "/" in program and not program.startswith("/"):
            program = str(ROOT / program)
        start = time.perf_counter()
        done = subprocess.run(["/bin/sh", "-c", f"exec {program} {rest}"], cwd=workdir,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = (time.perf_counter() - start) * 1000
        if done.returncode >= 2:
            sys.exit(f"bench-ab: exit {done.returncode} from: {command}")
        return elapsed

    times: dict[str, list[float]] = {name: [] for name, _ in commands}
    for _, command in commands:
        run(command)
    for round_ in range(args.rounds):
        for name, command in commands if round_ % 2 == 0 else commands[::-1]:
            times[name].append(run(command))
    base = statistics.median(times[commands[0][0]])
    print(f"{args.rounds} interleaved rounds in {workdir}, {os.cpu_count()} cores")
    for name, _ in commands:
        values = sorted(times[name])
        median = statistics.median(values)
        print(f"{name:16s} median {median:7.1f} ms  p25 {values[len(values) // 4]:7.1f}"
              f"  fastest {values[0]:7.1f}  ratio {median / base:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
