"""Column type changes Postgres makes without rewriting the table.

Widening a varchar, dropping its limit, varchar to text, and raising a numeric's
precision at the same scale are binary-coercible: Postgres changes the catalogue
and at most scans for the new limit, it rewrites nothing (int to bigint, text to
varchar(n), anything else does). Only a reader that knows the old type can say
so: Alembic's `existing_type`; elsewhere the change stays conservatively high.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ColumnType:
    name: str  # varchar, text, numeric, or anything else by its lower-case name
    length: int | None = None  # varchar's limit or numeric's precision; None: unlimited
    scale: int | None = None


def in_place(old: ColumnType, new: ColumnType) -> str | None:
    """Why changing `old` to `new` rewrites nothing on Postgres, or None if it may."""
    if old == new:
        return "the type does not change"
    if old.name == "varchar" and new.name == "varchar" and _not_shorter(old, new):
        return "a varchar widened: no rewrite on Postgres"
    if old.name == "varchar" and new.name == "text":
        return "varchar to text is binary-coercible on Postgres: no rewrite"
    if old.name == "text" and new.name == "varchar" and new.length is None:
        return "text to an unlimited varchar is binary-coercible on Postgres: no rewrite"
    if old.name == new.name == "numeric" and old.scale == new.scale and _not_shorter(old, new):
        return "a numeric's precision raised at the same scale: no rewrite on Postgres"
    return None


def _not_shorter(old: ColumnType, new: ColumnType) -> bool:
    return new.length is None or (old.length is not None and new.length >= old.length)
