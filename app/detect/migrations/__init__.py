"""Migrations: every schema change a DBA should see, and how dangerous each operation is."""

from app.detect.migrations.detector import MigrationsDetector
from app.detect.migrations.files import FRAMEWORKS, SCHEMA_FILES, MigrationSettings, identify

__all__ = ["FRAMEWORKS", "SCHEMA_FILES", "MigrationSettings", "MigrationsDetector", "identify"]
