"""The migrations detector on real migrations written by others.

Downloads pinned wheels from PyPI at run time (nothing is vendored) and takes
the migrations they ship:

- django 5.2.8: django.contrib's own Django migrations
- wagtail 8.0.1: a large Django CMS's migrations
- mlflow-skinny 3.17.2: Alembic migrations of MLflow's tracking store
- procrastinate 3.10.0: hand-written Postgres SQL migrations (and Django ones)

Each file is fed to the detector as a newly added migration, all in one diff
(so squawk runs once), to a base commit that holds the rest of the package (so a
Django AlterField reads its field's previous definition in the earlier migrations,
and the app's label in apps.py), and the report prints findings per rule and
severity.
Then the corpus is repeated to 1,000 files and timed.

    python bench/bench_migrations.py              # table + timing
    python bench/bench_migrations.py --show auth  # every finding in files whose path has "auth"
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.detect.base import ChangedFile, FileStatus, Finding, Severity  # noqa: E402
from app.detect.globs import compiled  # noqa: E402
from app.detect.migrations import MigrationsDetector, MigrationSettings, identify  # noqa: E402
from bench import registry  # noqa: E402

WHEELS = ("django==5.2.8", "wagtail==8.0.1", "mlflow-skinny==3.17.2", "procrastinate==3.10.0")


def download() -> list[Path]:
    return registry.wheels(WHEELS)


def corpus(wheels: list[Path]) -> dict[str, str]:
    """Every file of the wheels that the detector calls a migration."""
    nothing = compiled(())
    files: dict[str, str] = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if not name.endswith((".py", ".sql")) or (
                    "/migrations" not in name and "db_migrations" not in name
                ):
                    continue
                text = archive.read(name).decode("utf-8", "replace")
                probe = ChangedFile(
                    path=name, status=FileStatus.ADDED, head_loader=lambda _p, t=text: t
                )
                if identify(probe, nothing) is not None:
                    files[name] = text
    return files


def apps_modules(wheels: list[Path]) -> dict[str, str]:
    """Each app's apps.py: Django takes an app's label from its AppConfig there."""
    files: dict[str, str] = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.endswith("/apps.py"):
                    files[name] = archive.read(name).decode("utf-8", "replace")
    return files


def as_added(path: str, text: str, base: dict[str, str]) -> ChangedFile:
    """A migration added to a base commit that holds the corpus (its earlier siblings:
    a Django AlterField reads its field's previous definition there)."""
    lines = list(enumerate(text.splitlines(), start=1))
    return ChangedFile(
        path=path,
        status=FileStatus.ADDED,
        added=lines,
        additions=len(lines),
        head_loader=lambda _p: text,
        base_loader=base.get,
    )


def detect(files: dict[str, str], base: dict[str, str]) -> tuple[list[Finding], float, int]:
    runs = 0
    real = subprocess.run

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal runs
        runs += 1
        return real(*args, **kwargs)

    subprocess.run = counting  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        findings = MigrationsDetector().detect(
            [as_added(p, t, base) for p, t in files.items()], MigrationSettings()
        )
        elapsed = time.perf_counter() - start
    finally:
        subprocess.run = real  # type: ignore[assignment]
    return findings, elapsed, runs


def table(files: dict[str, str], findings: list[Finding]) -> None:
    by_framework = collections.Counter(
        f.extra["framework"] for f in findings if f.rule == "migration.added"
    )
    print(f"corpus: {len(files)} migrations  {dict(by_framework)}")
    per_rule: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    severity_of: dict[str, set[str]] = collections.defaultdict(set)
    for f in findings:
        if f.rule == "migration.added":
            continue
        source = _source(f.file or "")
        per_rule[f.rule][source] += 1
        severity_of[f.rule].add(f.severity.name.lower())
    sources = ["django", "wagtail", "mlflow", "procrastinate"]
    print(f"| rule | severity | {' | '.join(sources)} | total |")
    print(f"|---|---|{'---:|' * (len(sources) + 1)}")
    order = sorted(per_rule, key=lambda r: (-max(Severity[s.upper()] for s in severity_of[r]), r))
    for rule in order:
        counts = per_rule[rule]
        cells = " | ".join(str(counts.get(s, 0)) for s in sources)
        print(
            f"| {rule} | {'/'.join(sorted(severity_of[rule]))} | {cells} | {sum(counts.values())} |"
        )
    flagged = {
        f.file for f in findings if f.severity >= Severity.HIGH and f.rule != "migration.added"
    }
    print(f"files with a high or critical operation: {len(flagged)} of {len(files)}")


def _source(path: str) -> str:
    for name in ("wagtail", "mlflow", "procrastinate", "django"):
        if path.startswith(name):
            return name
    return "other"


def scale(files: dict[str, str], apps: dict[str, str], target: int = 1000) -> None:
    items = list(files.items())
    big = {}
    for i in range(target):
        path, text = items[i % len(items)]
        big[f"copy{i // len(items)}/{path}"] = text
    copies = {path.split("/", 1)[0] for path in big}
    base = {**big, **{f"{copy}/{path}": text for copy in copies for path, text in apps.items()}}
    lines = sum(t.count("\n") + 1 for t in big.values())
    findings, elapsed, runs = detect(big, base)
    print(
        f"{len(big):,} migration files ({lines:,} lines): {elapsed:.2f} s, "
        f"{len(findings):,} findings, squawk runs: {runs}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", help="print every finding in files whose path contains this")
    args = parser.parse_args()
    wheels = download()
    files, apps = corpus(wheels), apps_modules(wheels)
    findings, elapsed, runs = detect(files, {**files, **apps})
    if args.show:
        for f in sorted(findings, key=Finding.sort_key):
            if args.show in (f.file or ""):
                print(f"{f.file}:{f.line} {f.severity.name} {f.rule}: {f.message[:140]}")
        return
    table(files, findings)
    print(f"detect over the corpus: {elapsed:.2f} s, squawk runs: {runs}")
    scale(files, apps)


if __name__ == "__main__":
    main()
