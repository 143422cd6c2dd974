"""Fuzz the edges with over 100,000 seeded inputs: diffs, configs, lockfiles and
webhook deliveries, random and near-valid (real samples mutated a few bytes at a
time). Prints, per target, the inputs run, the crashes (an exception other than the
one the code documents) and the time; the count of crashes must be 0.

    python bench/bench_fuzz.py            # the full run
    python bench/bench_fuzz.py --scale 0.1
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzz import (  # noqa: E402
    LOCKFILES,
    SAMPLE_CONFIG,
    SAMPLE_DIFF,
    SOURCE_CONFIGS,
    auth_sources,
    auth_target,
    config_target,
    delivery_target,
    diff_target,
    lockfile_target,
    mutate,
    swap_values,
)
from tests.harness import WEBHOOKS, payload  # noqa: E402


def random_text(rng: random.Random, size: int) -> str:
    alphabet = "abc xyz-+@ \n\t:{}[]\"'#*&!|>%\\\f\v\u2028\x00é"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(size)))


def _mutated_source(sources: list[tuple[str, str]], r: random.Random) -> tuple[str, str]:
    path, code = r.choice(sources)
    return path, mutate(code, r, r.randrange(1, 12))


def targets(scale: float) -> list[tuple[str, int, Callable[[random.Random], None]]]:
    events = sorted(p.stem for p in WEBHOOKS.glob("*.json"))
    bodies = {name: payload(name) for name in events}
    lockfiles = {name: path.read_text() for name, path in (LOCKFILES | SOURCE_CONFIGS).items()}
    sources = auth_sources()
    n = lambda count: max(1, int(count * scale))  # noqa: E731
    return [
        (
            "diff, mutated",
            n(25_000),
            lambda r: diff_target(mutate(SAMPLE_DIFF, r, r.randrange(1, 12))),
        ),
        (
            "diff, random",
            n(10_000),
            lambda r: diff_target("diff --git a/x b/x\n" + random_text(r, 400)),
        ),
        (
            "config, mutated",
            n(25_000),
            lambda r: config_target(mutate(SAMPLE_CONFIG, r, r.randrange(1, 8))),
        ),
        ("config, random", n(10_000), lambda r: config_target(random_text(r, 300))),
        (
            "auth code, mutated (9 languages)",
            n(10_000),
            lambda r: auth_target(*_mutated_source(sources, r)),
        ),
        *(
            (
                f"lockfile {name}",
                n(3_000),
                lambda r, name=name: lockfile_target(name, mutate(lockfiles[name], r, 6)),
            )
            for name in sorted(lockfiles)
        ),
        *(
            (
                f"delivery {name}",
                n(600),
                lambda r, name=name: delivery_target(
                    name.split(".")[0], swap_values(bodies[name], r)
                ),
            )
            for name in events
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    total = crashes = 0
    started = time.perf_counter()
    print(f"{'target':<44} {'inputs':>8} {'crashes':>8} {'seconds':>8}")
    groups: dict[str, list[int]] = {}
    for name, count, target in targets(args.scale):
        rng = random.Random(name)
        began = time.perf_counter()
        failed = 0
        for _ in range(count):
            try:
                target(rng)
            except Exception:
                failed += 1
                if failed == 1:
                    traceback.print_exc(limit=3)
        total += count
        crashes += failed
        group = name.split(" ", 1)[0].rstrip(",")
        groups.setdefault(group, [0, 0])
        groups[group][0] += count
        groups[group][1] += failed
        if not name.startswith(("lockfile", "delivery")) or failed:
            print(f"{name:<44} {count:>8,} {failed:>8} {time.perf_counter() - began:>8.1f}")
    for group in ("lockfile", "delivery"):
        count, failed = groups.get(group, [0, 0])
        label = {"lockfile": "lockfiles", "delivery": "deliveries"}[group]
        print(f"{label + ' (all)':<44} {count:>8,} {failed:>8}")
    print(f"total: {total:,} inputs, {crashes} crashes, {time.perf_counter() - started:.0f} s")
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
