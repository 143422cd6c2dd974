"""MikroORM and Doctrine: migrations are `addSql('…')` calls."""

from __future__ import annotations

import re

from app.detect.migrations.analysis import Analysis
from app.detect.migrations.readers.calls import JS_UP, body_of, embedded_sql


def add_sql(text: str) -> Analysis:
    """MikroORM and Doctrine: migrations are `addSql('…')` calls."""
    analysis = Analysis()
    lo, hi = body_of(text, JS_UP)
    embedded_sql(text, re.compile(r"\b(addSql)\s*\("), lo, hi, analysis)
    return analysis
