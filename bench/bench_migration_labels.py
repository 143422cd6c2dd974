"""The migrations detector against the verdicts a careful DBA gives, migration by migration.

bench/migrations/labels.tsv holds our verdicts, read by hand, on real migrations
written by others and fetched here at run time (nothing of theirs is vendored):

- django 5.2.8 (PyPI wheel): django.contrib's Django migrations
- mlflow-skinny 3.17.2 (PyPI wheel): MLflow's Alembic migrations
- procrastinate 3.10.0 (PyPI wheel): hand-written Postgres SQL
- redmine 5.0.4 (Debian package): Redmine's Rails migrations, 2006-2022
- @backstage/plugin-catalog-backend 4.0.5 (npm): Backstage's Knex migrations

plus hand-written cases under bench/migrations/cases/ for the recipes the corpus
lacks. The package's other migrations stand for the base commit each labelled one
is added to (a Django AlterField reads its field's previous definition there).
Each migration is fed to the detector as a newly added file; its file-level
severity (the worst operation's) is our verdict: critical/high = dangerous,
medium = risky, low/info = safe. The bench prints agreement per source, per
framework and per labelled operation, the confusion matrix, and how many
dangerous migrations were rated below high (the gate's misses).

    python bench/bench_migration_labels.py           # tables
    python bench/bench_migration_labels.py --show    # every disagreement, with our findings
"""

from __future__ import annotations

import argparse
import collections
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.detect.base import ChangedFile, FileStatus, Finding, Severity  # noqa: E402
from app.detect.migrations import MigrationsDetector, MigrationSettings  # noqa: E402
from bench import registry  # noqa: E402

LABELS = ROOT / "bench" / "migrations" / "labels.tsv"
CASES = ROOT / "bench" / "migrations" / "cases"
WHEELS = {
    "django": "django==5.2.8",
    "mlflow": "mlflow-skinny==3.17.2",
    "procrastinate": "procrastinate==3.10.0",
}
DEBIAN = {"redmine": ("redmine=5.0.4-5+deb12u1", "/db/migrate/")}
NPM = {"backstage": ("@backstage/plugin-catalog-backend@4.0.5", "package/migrations/")}
VERDICTS = ("safe", "risky", "dangerous")


@dataclass(frozen=True)
class Label:
    source: str
    path: str
    verdict: str
    rule: str
    note: str


def labels() -> list[Label]:
    rows = []
    for line in LABELS.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        source, path, verdict, rule = cells[:4]
        assert verdict in VERDICTS, line
        rows.append(Label(source, path, verdict, rule, cells[4] if len(cells) > 4 else ""))
    return rows


def texts(wanted: list[Label]) -> dict[tuple[str, str], str]:
    """Each labelled migration's text, from its package (or the cases folder)."""
    paths = collections.defaultdict(set)
    for label in wanted:
        paths[label.source].add(label.path)
    found: dict[tuple[str, str], str] = {}
    for source, spec in WHEELS.items():
        [wheel] = registry.wheels((spec,))
        with zipfile.ZipFile(wheel) as archive:
            for path in archive.namelist():  # the labelled ones and their earlier siblings
                if "migrations/" in path and path.endswith((".py", ".sql")):
                    found[source, path] = archive.read(path).decode("utf-8")
    for source, (spec, folder) in DEBIAN.items():
        files = registry.deb_files(registry.debian_package(spec), folder)
        for path in paths[source]:
            found[source, path] = files[path]
    for source, (spec, _folder) in NPM.items():
        [tarball] = registry.npm_tarballs((spec,))
        with tarfile.open(tarball) as archive:
            for path in paths[source]:
                member = archive.extractfile(path)
                assert member is not None, path
                found[source, path] = member.read().decode("utf-8")
    for case in CASES.rglob("*"):  # the labelled cases and their base (db/schema.rb)
        if case.is_file():
            found["cases", case.relative_to(CASES).as_posix()] = case.read_text()
    return found


def verdict_of(severity: Severity) -> str:
    if severity >= Severity.HIGH:
        return "dangerous"
    return "risky" if severity == Severity.MEDIUM else "safe"


def rate(wanted: list[Label], found: dict[tuple[str, str], str]) -> dict[Label, list[Finding]]:
    """Every labelled migration in one diff (so squawk runs once), findings per label."""
    by_path = {f"{label.source}/{label.path}": label for label in wanted}
    # The package's other migrations stand for the base commit the migration is added
    # to: a Django AlterField reads its field's previous definition there.
    base = {f"{source}/{path}": text for (source, path), text in found.items()}
    files = []
    for key, label in by_path.items():
        text = found[label.source, label.path]
        lines = list(enumerate(text.split("\n"), start=1))
        files.append(
            ChangedFile(
                path=key,
                status=FileStatus.ADDED,
                added=lines,
                head_loader=lambda _p, t=text: t,
                base_loader=base.get,
            )
        )
    out: dict[Label, list[Finding]] = {label: [] for label in wanted}
    for finding in MigrationsDetector().detect(files, MigrationSettings()):
        if finding.file in by_path:
            out[by_path[finding.file]].append(finding)
    return out


def ours(findings: list[Finding]) -> tuple[str, str]:
    """Our verdict and framework (no migration finding at all: not seen, "missed")."""
    added = next((f for f in findings if f.rule == "migration.added"), None)
    if added is None:
        return "missed", "-"
    return verdict_of(added.severity), str(added.extra.get("framework", "?"))


def report(results: dict[Label, list[Finding]], show: bool) -> None:
    rows = [(label, *ours(findings)) for label, findings in results.items()]
    agree = sum(1 for label, verdict, _ in rows if verdict == label.verdict)
    share = agree / len(rows)
    print(f"labelled migrations: {len(rows)}; agreement {agree}/{len(rows)} = {share:.1%}")
    for title, key in (
        ("source", lambda r: r[0].source),
        ("framework", lambda r: r[2]),
        ("labelled operation", lambda r: r[0].rule),
    ):
        groups = collections.defaultdict(list)
        for row in rows:
            groups[key(row)].append(row)
        print(f"\n| {title} | labelled | agree | % |\n|---|---:|---:|---:|")
        for name in sorted(groups, key=lambda g: (-len(groups[g]), g)):
            group = groups[name]
            ok = sum(1 for label, verdict, _ in group if verdict == label.verdict)
            print(f"| {name} | {len(group)} | {ok} | {ok / len(group):.0%} |")
    print("\nconfusion (rows: the DBA's verdict, columns: ours)")
    columns = [*VERDICTS, "missed"]
    print(f"| DBA \\ ours | {' | '.join(columns)} |\n|---|{'---:|' * len(columns)}")
    for expected in VERDICTS:
        counts = collections.Counter(v for label, v, _ in rows if label.verdict == expected)
        print(f"| {expected} | {' | '.join(str(counts[c]) for c in columns)} |")
    under = [r for r in rows if r[0].verdict == "dangerous" and r[1] != "dangerous"]
    over = [r for r in rows if r[0].verdict == "safe" and r[1] == "dangerous"]
    print(f"\ndangerous rated below high (the gate's misses): {len(under)}")
    print(f"safe rated dangerous (false alarms): {len(over)}")
    if show:
        for label, verdict, _ in rows:
            if verdict == label.verdict:
                continue
            print(
                f"\n{label.source}/{label.path}: DBA {label.verdict} ({label.rule}"
                f"{': ' + label.note if label.note else ''}), ours {verdict}"
            )
            for finding in sorted(results[label], key=lambda f: -f.severity):
                if finding.severity >= Severity.MEDIUM:
                    print(
                        f"    {finding.severity.name.lower():8} {finding.rule} "
                        f"line {finding.line}: {finding.message[:110]}"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="print every disagreement")
    args = parser.parse_args()
    wanted = labels()
    report(rate(wanted, texts(wanted)), args.show)


if __name__ == "__main__":
    main()
