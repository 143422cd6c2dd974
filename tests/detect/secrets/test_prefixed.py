"""Issuer-prefixed tokens (app/detect/secrets/prefixed.py): each found in the shape its
provider documents, and not one character short or with a placeholder body."""

from __future__ import annotations

import random
import string

import pytest

from app.detect.secrets.tokens import find

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "_-"


def _r(alphabet: str, n: int, seed: int = 7) -> str:
    rng = random.Random(seed * 1000 + n)
    return "".join(rng.choice(alphabet) for _ in range(n))


# rule id, token; the last body character can be cut to break the length
TOKENS = [
    ("shopify-token", "shpat_" + _r(HEX, 32)),
    ("digitalocean-token", "dop_v1_" + _r(HEX, 64)),
    ("doppler-token", "dp.pt." + _r(ALNUM, 43)),
    ("linear-key", "lin_api_" + _r(ALNUM, 40)),
    ("notion-token", "ntn_" + _r(string.digits, 11) + _r(ALNUM, 35)),
    ("postman-key", f"PMAK-{_r(HEX, 24)}-{_r(HEX, 34)}"),
    ("databricks-token", "dapi" + _r(HEX, 32)),
    ("terraform-cloud-token", f"{_r(ALNUM, 14)}.atlasv1.{_r(ALNUM, 65)}"),
    ("pulumi-token", "pul-" + _r(HEX, 40)),
    ("grafana-token", f"glsa_{_r(ALNUM, 32)}_{_r(HEX, 8)}"),
    ("age-secret-key", "AGE-SECRET-KEY-1" + _r("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
    ("replicate-token", "r8_" + _r(ALNUM, 37)),
    ("supabase-token", "sbp_" + _r(HEX, 40)),
    ("new-relic-key", "NRAK-" + _r(string.ascii_uppercase + string.digits, 27)),
    ("rubygems-key", "rubygems_" + _r(HEX, 48)),
    ("figma-token", "figd_" + _r(ALNUM, 40)),
    ("easypost-key", "EZAK" + _r(ALNUM, 54)),
    ("contentful-token", "CFPAT-" + _r(ALNUM, 43)),
    (
        "dynatrace-token",
        f"dt0c01.{_r('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 24)}.{_r('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 64)}",
    ),
    ("groq-key", "gsk_" + _r(ALNUM, 52)),
    ("perplexity-key", "pplx-" + _r(ALNUM, 48)),
    ("flutterwave-key", f"FLWSECK-{_r(HEX, 32)}-X"),
    ("prefect-key", "pnu_" + _r(ALNUM, 36)),
    ("fly-token", "fo1_" + _r(ALNUM, 43)),
    ("telegram-bot-token", f"123456789:AA{_r(ALNUM, 33)}"),
]


@pytest.mark.parametrize(("rule", "token"), TOKENS)
def test_a_prefixed_token_is_found_in_its_documented_shape(rule: str, token: str) -> None:
    assert rule in [s.rule for s in find(f'CONFIG = "{token}"')]


# Doppler (40-44) and Terraform Cloud (60-70) bodies vary in length: one short is valid
FIXED_LENGTH = [
    (rule, token)
    for rule, token in TOKENS
    if rule not in ("doppler-token", "terraform-cloud-token")
]


@pytest.mark.parametrize(("rule", "token"), FIXED_LENGTH)
def test_a_body_one_character_short_is_not_that_token(rule: str, token: str) -> None:
    short = token[:-2] + token[-1] if token.endswith("-X") else token[:-1]
    assert rule not in [s.rule for s in find(f'CONFIG = "{short}"')]


def test_variable_length_tokens_and_mailgun_beside_its_name() -> None:
    assert "vault-token" in [s.rule for s in find(f'VAULT_TOKEN = "hvs.{_r(URLSAFE, 90)}"')]
    assert "docker-hub-token" in [s.rule for s in find(f"dckr_pat_{_r(URLSAFE, 27)}")]
    assert "sentry-token" in [s.rule for s in find(f"sntrys_{_r(ALNUM, 80)}")]
    key = "key-" + _r(HEX, 32)
    assert "mailgun-key" in [s.rule for s in find(f'MAILGUN_API_KEY = "{key}"')]
    assert "mailgun-key" not in [s.rule for s in find(f'CACHE_NAME = "{key}"')]  # a cache key


def test_placeholder_bodies_are_not_secrets() -> None:
    assert find('SHOPIFY = "shpat_' + "0" * 32 + '"') == []
    assert find('TOKEN = "dop_v1_' + "x" * 64 + '"') == []
    assert [s.rule for s in find('SECRET = "1234567890abcdef"')] == []
