"""Tokens whose documented prefix names their issuer: one row each, our own patterns
written from the providers' published formats (prefix, body alphabet and length).

A body may end in `-` or `_`, where `\b` does not hold, so `_END` says "no further
token character". Measured, with the engines issue 13 names, in bench/bench_secrets.py.
"""

from __future__ import annotations

from app.detect.base import Severity
from app.detect.secrets.rule import TokenRule, rule

_END = r"(?![A-Za-z0-9_-])"
_HEX32, _HEX40 = r"[a-f0-9]{32}", r"[a-f0-9]{40}"

PREFIXED: tuple[TokenRule, ...] = (
    rule("shopify-token", "Shopify access token", rf"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{{32}}{_END}"),
    rule("digitalocean-token", "DigitalOcean token", rf"\bdo[opr]_v1_[a-f0-9]{{64}}{_END}"),
    rule(
        "doppler-token",
        "Doppler token",
        rf"\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{{40,44}}{_END}",
    ),
    rule("linear-key", "Linear API key", rf"\blin_api_[A-Za-z0-9]{{40}}{_END}"),
    rule("notion-token", "Notion integration token", rf"\bntn_\d{{11}}[A-Za-z0-9]{{35}}{_END}"),
    rule("postman-key", "Postman API key", rf"\bPMAK-[a-f0-9]{{24}}-[a-f0-9]{{34}}{_END}"),
    rule("databricks-token", "Databricks token", rf"\bdapi{_HEX32}(?:-\d)?{_END}"),
    rule("vault-token", "HashiCorp Vault token", rf"\bhv[sbr]\.[A-Za-z0-9_-]{{24,}}{_END}"),
    rule(
        "terraform-cloud-token",
        "Terraform Cloud token",
        rf"\b[A-Za-z0-9]{{14}}\.atlasv1\.[A-Za-z0-9_=-]{{60,70}}{_END}",
    ),
    rule(
        "planetscale-token",
        "PlanetScale token",
        rf"\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{{32,64}}{_END}",
    ),
    rule("pulumi-token", "Pulumi access token", rf"\bpul-{_HEX40}{_END}"),
    rule(
        "grafana-token",
        "Grafana service account token",
        rf"\bglsa_[A-Za-z0-9]{{32}}_[a-fA-F0-9]{{8}}{_END}",
    ),
    rule("grafana-token", "Grafana Cloud token", r"\bglc_[A-Za-z0-9+/]{32,400}={0,2}"),
    rule(
        "age-secret-key",
        "age secret key",
        rf"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{{58}}{_END}",
    ),
    rule("replicate-token", "Replicate API token", rf"\br8_[A-Za-z0-9]{{37}}{_END}"),
    rule("supabase-token", "Supabase access token", rf"\bsbp_{_HEX40}{_END}"),
    rule("docker-hub-token", "Docker Hub access token", rf"\bdckr_pat_[A-Za-z0-9_-]{{27,}}{_END}"),
    # "key-" alone names nothing: only beside the word mailgun
    rule(
        "mailgun-key",
        "Mailgun API key",
        rf"(?i:mailgun)[^\n]{{0,60}}?\b(key-{_HEX32}){_END}",
        group=1,
    ),
    rule("new-relic-key", "New Relic user API key", rf"\bNRAK-[A-Z0-9]{{27}}{_END}"),
    rule("rubygems-key", "RubyGems API key", rf"\brubygems_[a-f0-9]{{48}}{_END}"),
    rule("figma-token", "Figma access token", rf"\bfigd_[A-Za-z0-9_-]{{40}}{_END}"),
    rule("easypost-key", "EasyPost API key", rf"\bEZ[AT]K[A-Za-z0-9]{{54}}{_END}"),
    rule("contentful-token", "Contentful management token", rf"\bCFPAT-[A-Za-z0-9_-]{{43}}{_END}"),
    rule(
        "dynatrace-token", "Dynatrace API token", rf"\bdt0c01\.[A-Z0-9]{{24}}\.[A-Z0-9]{{64}}{_END}"
    ),
    rule("groq-key", "Groq API key", rf"\bgsk_[A-Za-z0-9]{{52}}{_END}"),
    rule("perplexity-key", "Perplexity API key", rf"\bpplx-[A-Za-z0-9]{{48}}{_END}"),
    rule("flutterwave-key", "Flutterwave secret key", rf"\bFLWSECK(?:_TEST)?-{_HEX32}-X{_END}"),
    rule("prefect-key", "Prefect API key", rf"\bpnu_[A-Za-z0-9]{{36}}{_END}"),
    rule("sentry-token", "Sentry auth token", r"\bsntry[su]_[A-Za-z0-9+/=_-]{40,}"),
    rule("fly-token", "Fly.io token", rf"\bfo1_[A-Za-z0-9_-]{{43}}{_END}"),
    rule("fly-token", "Fly.io macaroon", r"\bFlyV1 fm\d_[A-Za-z0-9+/=_,-]{100,}"),
    rule(
        "telegram-bot-token",
        "Telegram bot token",
        rf"\b\d{{8,10}}:AA[A-Za-z0-9_-]{{33}}{_END}",
        Severity.HIGH,
    ),
)
# Every row above has one of these in any match (lower-cased): tokens.py's one-pass
# Aho-Corasick filter needs them to look at a line at all.
ANCHORS: tuple[str, ...] = (
    *("shpat_", "shpca_", "shppa_", "shpss_", "_v1_", "dp.", "lin_api_", "ntn_", "pmak-"),
    *("dapi", "hvs.", "hvb.", "hvr.", ".atlasv1.", "pscale_", "pul-", "glsa_", "glc_"),
    *("age-secret-key-", "r8_", "sbp_", "dckr_pat_", "mailgun", "nrak-", "rubygems_"),
    *("figd_", "ezak", "eztk", "cfpat-", "dt0c01.", "gsk_", "pplx-", "flwseck", "pnu_"),
    *("sntrys_", "sntryu_", "fo1_", "flyv1 ", ":aa"),
)
