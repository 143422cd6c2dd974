"""Environment files whose added lines cannot hold a secret.

A committed `.env` is high because such files usually hold secrets. Some hold only
what a deployment pins: image digests (Budibase's `images-sha.env`), versions, ports,
flags, addresses without credentials, names. Those are shown at low: nothing in them
can leak, and calling security for a new image digest teaches people to ignore the
call. One line the reader cannot place — any other value, a secret-sounding name, a
line that is not `NAME=value` — keeps the file high.
"""

from __future__ import annotations

import re

from app.detect.base import ChangedFile, blank_or_hash_comment

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$")
# words that name a secret anywhere in a name (`SECRETKEY`), and ones that must be a
# whole part of it (`DB_PASS`, `API_KEY`, not `KEYCLOAK_IMAGE` or `PASSENGER_PORT`)
_SECRET_WORDS = re.compile(r"secret|passw|token|credential|apikey|privatekey", re.IGNORECASE)
_SECRET_PART = re.compile(
    r"keys?|pass|pwd|pat|pin|dsn|salt|auth|api|certs?|sign(?:ature)?|session|cookie|private"
    r"|creds",
    re.IGNORECASE,
)
_INERT_VALUE = re.compile(
    r"""^(?:
        (?i:true|false|yes|no|on|off)?
        |-?v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.]+)?       # a number, a port, a version
        |(?:sha1|sha256|sha384|sha512):[0-9a-f]{40,128}  # a digest
        # an image (lower case, as registries write them) by tag or digest
        |[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[0-9][\w.-]*)?(?:@sha256:[0-9a-f]{64})?
        |[A-Za-z][A-Za-z0-9+.-]*://[^@\s]*             # an address without credentials
    )$""",
    re.VERBOSE,
)
# outside a digest, a run of 8+ letters and digits mixed (a UUID's, a hex key's) could
# be a key whatever separates it (`3f2a1b4c-9d8e-…` is a key at some providers)
_DIGEST = re.compile(r"(?:sha1|sha256|sha384|sha512):[0-9a-f]{40,128}")
_KEY_LIKE = re.compile(r"(?=[0-9a-z]*\d)(?=[0-9a-z]*[a-z])[0-9a-z]{8,}", re.IGNORECASE)
# a bare lower-case word or identifier (`production`, `info`, `my-app-2`) is a name;
# a run of letters and digits without separators could be a key
_NAME = re.compile(r"^[a-z]+(?:[_-][a-z]+)*(?:-?\d{1,2})?$")


def only_inert_values(changed: ChangedFile) -> bool:
    """Whether every line the change adds sets a value that cannot be a secret."""
    if not changed.lines_known or not changed.added:
        return False
    return all(_inert_line(text) for _, text in changed.added)


def _inert_line(text: str) -> bool:
    if blank_or_hash_comment(text):
        return True
    assignment = _ASSIGNMENT.match(text)
    if assignment is None:
        return False
    name, value = assignment.groups()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    parts = re.split(r"[_.]", name)
    if _SECRET_WORDS.search(name) or any(_SECRET_PART.fullmatch(part) for part in parts):
        return False
    if _NAME.match(value):
        return True
    if _KEY_LIKE.search(_DIGEST.sub("", value)):
        return False
    # one run of letters and digits with no separator could be a key, not an image name
    return bool(_INERT_VALUE.match(value)) and not (value.isalnum() and not value.isdigit())
