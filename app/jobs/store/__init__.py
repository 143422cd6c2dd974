"""Where deliveries and jobs are kept: SQLite by default, Postgres to scale out."""

from __future__ import annotations

from app.jobs.store.postgres import PostgresJournal
from app.jobs.store.protocol import LEASE_SECONDS, Journal
from app.jobs.store.sqlite import SqliteJournal

__all__ = ["LEASE_SECONDS", "Journal", "PostgresJournal", "SqliteJournal", "open_journal"]


def open_journal(database_url: str) -> Journal:
    """`sqlite:///path` (the default) or `postgresql://...`."""
    if database_url.startswith("sqlite:///"):
        return SqliteJournal(database_url.removeprefix("sqlite:///") or ":memory:")
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresJournal(database_url)
    raise ValueError(
        f"DATABASE_URL {database_url.split('@')[-1]!r}: use sqlite:///path/file.db "
        "or postgresql://user@host/db"
    )
