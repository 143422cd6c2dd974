"""The migrations detector: find every migration, then rate each operation in it.

1. files.py says which changed files are migrations (and schema dumps).
2. Each new or edited migration is read (reading.py) by its framework's analyser (Python
   ast for Django/Alembic, the schema-builder readers for the rest); SQL files
   and the SQL embedded in code are collected as snippets.
3. All Postgres snippets of the diff go through squawk in one run; other
   dialects through sqlglot; the statement patterns fill squawk's gaps.
4. Each operation becomes one finding on its line (rating.py): rated by rules.py,
   then weighed by the rest of the file (a table it creates, a transaction it
   shares, a way back it lacks). rollback.py says which files have none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Finding, Kind, Severity
from app.detect.globs import compiled
from app.detect.migrations.filelevel import lint_only, lint_only_finding, worst_operation
from app.detect.migrations.files import (
    SCHEMA_FILES,
    MigrationSettings,
    ambiguous,
    identify,
    migration_finding,
    pairing_findings,
    schema_finding,
)
from app.detect.pathrules import NOT_CODE, scoped


class MigrationsDetector:
    name = "migrations"
    kind = Kind.MIGRATION
    settings_model = MigrationSettings

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        assert isinstance(settings, MigrationSettings)
        allowed = scoped(settings)
        extra = compiled(tuple(settings.paths))
        findings: list[Finding] = []
        frameworks: set[str] = set()
        schema_files: list[ChangedFile] = []
        migrations: list[tuple[ChangedFile, str]] = []
        file_findings: dict[str, int] = {}  # path -> index of its file finding
        for changed in files:
            if not allowed(changed):
                continue
            if SCHEMA_FILES.match(changed.path):
                schema_files.append(changed)
                findings.append(schema_finding(changed))
                continue
            framework = identify(changed, extra)
            if framework is None:
                continue
            frameworks.add(framework)
            file_findings[changed.path] = len(findings)
            findings.append(_file_finding(changed, framework))
            migrations.append((changed, framework))
        if migrations:  # the readers load only when a change holds a migration
            from app.detect.migrations.reading import rate

            for changed, operations, analysis in rate(migrations, files, settings):
                index = file_findings[changed.path]
                if findings[index].rule == "migration.added":
                    findings[index] = worst_operation(
                        findings[index], operations, analysis.empty, analysis.python_only
                    )
                findings.extend(operations)
        findings.extend(pairing_findings(frameworks, schema_files, files))
        return [_outside_the_app(f) for f in findings]

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        if not scoped(settings)(changed):
            return False
        if ambiguous(changed):
            return True
        # An edited migration is read whole: its operations need their context.
        edited = changed.status in (FileStatus.MODIFIED, FileStatus.RENAMED)
        return (edited or not changed.lines_known) and (
            identify(changed, compiled(tuple(settings.paths))) is not None
        )


def _file_finding(changed: ChangedFile, framework: str) -> Finding:
    """The file's own finding; an edit that only reformats is lint-only."""
    finding = migration_finding(changed, framework)
    if finding.rule == "migration.edited" and lint_only(changed, framework):
        return lint_only_finding(finding, framework)
    return finding


def _outside_the_app(finding: Finding) -> Finding:
    """A test app's or an example's migration (`wagtail/test/testapp/migrations/`) never
    runs against the database the DBA looks after: shown, at info."""
    if (
        finding.file is None
        or finding.severity == Severity.INFO
        or not NOT_CODE.match(finding.file)
    ):
        return finding
    message = f"{finding.message} (in tests, examples or docs: info)"
    return replace(finding, severity=Severity.INFO, message=message)
