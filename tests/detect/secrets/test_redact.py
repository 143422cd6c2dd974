"""Redaction: every secret the rules find is cut out of any text we output."""

from __future__ import annotations

from app.detect.secrets.redact import redact

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8J9k0L1m2N3p4Q5r6S7t8"


def test_a_token_in_a_message_is_replaced_by_its_kind() -> None:
    out = redact(f"ALTER ROLE app SET token = '{TOKEN}'")
    assert TOKEN not in out
    assert "[redacted" in out


def test_sql_passwords_are_redacted_even_when_short() -> None:
    assert redact("ALTER USER app PASSWORD 'hunter2'") == "ALTER USER app PASSWORD '[redacted]'"


def test_text_without_secrets_is_left_alone() -> None:
    text = "drops users.legacy_email: deploy the code that stops reading it first"
    assert redact(text) == text
    assert redact("") == ""
