"""Redaction: every finding's text passes through here before it is output, so no
secret a detector quotes (SQL, a workflow line) reaches a report, a log or GitHub."""

from __future__ import annotations

import re

from app.detect.secrets.tokens import find

# Values that are secrets in SQL and shell text even when short: PASSWORD 'x'.
_SQL_PASSWORD = re.compile(r"(?i)(\bPASSWORD\s+)('[^']*'|\"[^\"]*\")")
# Whatever sits before the `@` of a URL is a credential or a name: a token with no
# known format (`https://<40 hex>@github.com/…`) is cut out like a password.
_URL_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]{1,20}://)([^\s/@\"'<>]+)@")


def redact(text: str) -> str:
    """`text` with every secret these rules find replaced by a marker."""
    if not text:
        return text
    # each pattern only where its literal is: redact() runs on every finding's text,
    # and a regex scanned over a line that cannot match is most of its cost
    if "assword" in text.lower():
        text = _SQL_PASSWORD.sub(r"\1'[redacted]'", text)
    if "://" in text:
        text = _URL_USERINFO.sub(r"\1[redacted]@", text)
    secrets = find(text)
    for secret in reversed(secrets):
        text = f"{text[: secret.start]}[redacted {secret.name}]{text[secret.end :]}"
    return text
