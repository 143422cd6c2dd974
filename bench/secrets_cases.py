"""Labelled lines for bench_secrets.py: real-looking secrets of many providers, and the
look-alikes that are not secrets.

Positives are generated here, seeded, in each provider's published token format (a
prefix and a body of the documented length and alphabet), and placed in the lines
people write: code assignments, .env lines, YAML and JSON config, URLs. They are not
real credentials. Negatives are what secret scanners cry wolf on: documented example
keys, placeholders, hashes and checksums, UUIDs, integrity strings, public keys,
references to environment variables.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass

UPPER, LOWER, DIGITS = string.ascii_uppercase, string.ascii_lowercase, string.digits
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"


@dataclass(frozen=True)
class Case:
    provider: str
    line: str
    path: str
    secret: bool
    claimed: bool = False  # a provider the README says we find


def _r(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


# provider -> (claimed by our README, generator)
Gen = Callable[[random.Random], str]
PROVIDERS: dict[str, tuple[bool, Gen]] = {
    "aws-access-key-id": (True, lambda g: "AKIA" + _r(g, UPPER + "234567", 16)),  # base32
    "github-classic": (
        True,
        lambda g: g.choice(["ghp_", "gho_", "ghs_", "ghu_"]) + _r(g, ALNUM, 36),
    ),
    "github-fine-grained": (
        True,
        lambda g: "github_pat_" + _r(g, ALNUM, 22) + "_" + _r(g, ALNUM, 59),
    ),
    "gitlab": (True, lambda g: "glpat-" + _r(g, URLSAFE, 20)),
    "slack-bot": (
        True,
        lambda g: f"xoxb-{_r(g, DIGITS, 12)}-{_r(g, DIGITS, 13)}-{_r(g, ALNUM, 24)}",
    ),
    "slack-webhook": (
        True,
        lambda g: (
            f"https://hooks.slack.com/services/T{_r(g, UPPER + DIGITS, 8)}/B{_r(g, UPPER + DIGITS, 10)}/{_r(g, ALNUM, 24)}"
        ),
    ),
    "stripe-live": (True, lambda g: "sk_live_" + _r(g, ALNUM, 99)),
    "openai": (True, lambda g: "sk-proj-" + _r(g, URLSAFE, 74) + "T3BlbkFJ" + _r(g, URLSAFE, 74)),
    "anthropic": (True, lambda g: "sk-ant-api03-" + _r(g, URLSAFE, 93) + "AA"),
    "npm": (True, lambda g: "npm_" + _r(g, ALNUM, 36)),
    "pypi": (True, lambda g: "pypi-AgEIcHlwaS5vcmc" + _r(g, URLSAFE, 70)),
    "google-api-key": (True, lambda g: "AIza" + _r(g, URLSAFE, 35)),
    "google-oauth-secret": (True, lambda g: "GOCSPX-" + _r(g, URLSAFE, 28)),
    "huggingface": (True, lambda g: "hf_" + _r(g, UPPER + LOWER, 34)),
    "sendgrid": (True, lambda g: f"SG.{_r(g, URLSAFE, 22)}.{_r(g, URLSAFE, 43)}"),
    "twilio-api-key": (True, lambda g: "SK" + _r(g, HEX, 32)),
    "mailchimp": (True, lambda g: _r(g, HEX, 32) + "-us" + str(g.randint(1, 20))),
    "square": (True, lambda g: "sq0csp-" + _r(g, URLSAFE, 43)),
    "telegram-bot": (True, lambda g: f"{g.randint(100000000, 999999999)}:AA{_r(g, URLSAFE, 33)}"),
    "shopify": (
        False,
        lambda g: g.choice(["shpat_", "shpca_", "shppa_", "shpss_"]) + _r(g, HEX, 32),
    ),
    "digitalocean": (False, lambda g: "dop_v1_" + _r(g, HEX, 64)),
    "doppler": (False, lambda g: "dp.pt." + _r(g, ALNUM, 43)),
    "linear": (False, lambda g: "lin_api_" + _r(g, ALNUM, 40)),
    "notion": (False, lambda g: "ntn_" + _r(g, DIGITS, 11) + _r(g, ALNUM, 35)),
    "postman": (False, lambda g: f"PMAK-{_r(g, HEX, 24)}-{_r(g, HEX, 34)}"),
    "databricks": (False, lambda g: "dapi" + _r(g, HEX, 32)),
    "hashicorp-vault": (False, lambda g: "hvs." + _r(g, URLSAFE, 90)),
    "terraform-cloud": (False, lambda g: f"{_r(g, ALNUM, 14)}.atlasv1.{_r(g, ALNUM, 67)}"),
    "planetscale": (False, lambda g: "pscale_tkn_" + _r(g, URLSAFE, 43)),
    "pulumi": (False, lambda g: "pul-" + _r(g, HEX, 40)),
    "grafana-service-account": (False, lambda g: f"glsa_{_r(g, ALNUM, 32)}_{_r(g, HEX, 8)}"),
    "age-secret-key": (
        False,
        lambda g: "AGE-SECRET-KEY-1" + _r(g, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58),
    ),
    "replicate": (False, lambda g: "r8_" + _r(g, ALNUM, 37)),
    "supabase": (False, lambda g: "sbp_" + _r(g, HEX, 40)),
    "docker-hub": (False, lambda g: "dckr_pat_" + _r(g, URLSAFE, 27)),
    "mailgun": (False, lambda g: "key-" + _r(g, HEX, 32)),
    "new-relic": (False, lambda g: "NRAK-" + _r(g, UPPER + DIGITS, 27)),
    "rubygems": (False, lambda g: "rubygems_" + _r(g, HEX, 48)),
    "figma": (False, lambda g: f"figd_{_r(g, URLSAFE, 40)}"),
    "easypost": (False, lambda g: "EZAK" + _r(g, ALNUM, 54)),
    "contentful": (False, lambda g: "CFPAT-" + _r(g, URLSAFE, 43)),
    "dynatrace": (
        False,
        lambda g: f"dt0c01.{_r(g, UPPER + DIGITS, 24)}.{_r(g, UPPER + DIGITS, 64)}",
    ),
    "groq": (False, lambda g: "gsk_" + _r(g, ALNUM, 52)),
    "perplexity": (False, lambda g: "pplx-" + _r(g, ALNUM, 48)),
    "flutterwave": (False, lambda g: f"FLWSECK-{_r(g, HEX, 32)}-X"),
    "prefect": (False, lambda g: "pnu_" + _r(g, ALNUM, 36)),
    "sentry-user": (False, lambda g: "sntryu_" + _r(g, HEX, 64)),
    "fly-io": (False, lambda g: "fo1_" + _r(g, URLSAFE, 43)),
}

# How people write a secret: (path, line template) with {v} the secret and {n} a name.
PLACES = (
    ("app/config.py", '{n} = "{v}"'),
    ("src/client.js", "const {n} = '{v}';"),
    (".env", "{n}={v}"),
    ("config/settings.yaml", "{n_lower}: {v}"),
    ("config/credentials.json", '  "{n_lower}": "{v}",'),
    ("app/service.go", 'client := api.New("{v}")'),
    ("deploy/run.sh", "curl -H 'Authorization: Bearer {v}' https://api.example.net/v1/me"),
)


def positives(seed: int = 13, per_provider: int = 7) -> list[Case]:
    rng = random.Random(seed)
    out = []
    for provider, (claimed, make) in PROVIDERS.items():
        name = provider.upper().replace("-", "_") + "_TOKEN"
        for i in range(per_provider):
            path, template = PLACES[i % len(PLACES)]
            line = template.format(v=make(rng), n=name, n_lower=name.lower())
            out.append(Case(provider, line, path, True, claimed))
    return out


# Not secrets: documented examples, placeholders, hashes, ids, public material,
# references. Each on a line shaped like a secret's.
NEGATIVES: tuple[tuple[str, str], ...] = (
    ("app/config.py", 'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"'),
    ("app/config.py", 'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"'),
    ("app/config.py", 'GITHUB_TOKEN = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"'),
    ("app/config.py", 'STRIPE_KEY = "sk_live_0000000000000000000000000000"'),
    ("app/config.py", 'OPENAI_API_KEY = "sk-proj-<your-key-here>"'),
    ("app/config.py", 'API_KEY = "<YOUR_API_KEY>"'),
    ("app/config.py", 'API_KEY = "your-api-key"'),
    ("app/config.py", 'SECRET_KEY = "changeme"'),
    ("app/config.py", 'PASSWORD = "password"'),
    ("app/config.py", 'DB_PASSWORD = os.environ["DB_PASSWORD"]'),
    ("app/config.py", 'API_TOKEN = os.getenv("API_TOKEN", "")'),
    ("app/config.py", "SECRET_KEY = get_random_secret_key()"),
    ("app/config.py", 'TOKEN_URL = "https://oauth2.googleapis.com/token"'),
    ("app/config.py", "PASSWORD_RESET_TIMEOUT = 259200"),
    ("app/config.py", 'AUTH_PASSWORD_VALIDATORS = [{"NAME": "UserAttributeSimilarityValidator"}]'),
    ("src/client.js", "const token = process.env.GITHUB_TOKEN;"),
    ("src/client.js", "const apiKey = config.get('apiKey');"),
    ("src/client.js", "const secret = await vault.read('secret/data/app');"),
    ("src/client.js", "headers: { Authorization: `Bearer ${token}` },"),
    ("src/client.js", "const password = req.body.password;"),
    ("src/client.js", "if (password.length < 12) throw new Error('too short');"),
    (".env.example", "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app"),
    (".env.example", "API_KEY="),
    (".env.example", "SECRET_KEY=replace-me"),
    (".env.example", "GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}"),
    ("config/settings.yaml", "password: ${DB_PASSWORD}"),
    ("config/settings.yaml", "token: {{ .Values.token }}"),
    ("config/settings.yaml", "api_key: !vault secret/app#api_key"),
    ("config/settings.yaml", "secret_name: app-credentials"),
    (".github/workflows/ci.yml", "        env: { NPM_TOKEN: '${{ secrets.NPM_TOKEN }}' }"),
    (
        "package-lock.json",
        '      "integrity": "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==",',
    ),
    (
        "yarn.lock",
        '  resolved "https://registry.yarnpkg.com/ms/-/ms-2.1.3.tgz#574c8138ce1d2b5861f0b44579dbadd60c6615b2"',
    ),
    (
        "app/checksums.py",
        'SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
    ),
    ("app/checksums.py", 'MD5 = "5d41402abc4b2a76b9719d911017c592"'),
    ("app/checksums.py", 'COMMIT = "08c6903cd8c0fde910a37f88322edcfb5dd907a8"'),
    ("app/ids.py", 'TENANT_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"'),
    (
        "app/ids.py",
        'CLIENT_ID = "1234567890-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"',
    ),
    ("app/ids.py", 'STRIPE_PUBLISHABLE_KEY = "pk_live_51H8x2bKd3vZ1q8r2T9m4Y7c0aB5d6E7f8G9h0"'),
    ("app/ids.py", 'SENTRY_DSN_PUBLIC_KEY_ID = "4505370234216448"'),
    ("app/ids.py", 'RECAPTCHA_SITE_KEY = "6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI"'),
    (
        "app/keys.py",
        'PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop"',
    ),
    ("app/keys.py", 'PEM_HEADER = "-----BEGIN RSA PRIVATE KEY-----"'),
    ("app/keys.py", 'KEY_PATH = "/etc/ssl/private/server.key"'),
    ("app/keys.py", 'JWT_ALGORITHM = "HS256"'),
    ("app/keys.py", 'TOKEN_TYPE = "bearer"'),
    ("app/keys.py", 'PASSWORD_HASHER = "argon2"'),
    ("app/keys.py", 'SESSION_COOKIE_NAME = "sessionid"'),
    ("app/keys.py", 'CSRF_HEADER_NAME = "HTTP_X_CSRFTOKEN"'),
    ("app/styles.py", 'PRIMARY = "#1f6feb"'),
    ("app/version.py", '__version__ = "4.2.1"'),
    (
        "app/images.py",
        'PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="',
    ),
    ("app/text.py", 'LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit"'),
    ("app/urls.py", 'DOCS = "https://user:password@example.com/ is how not to write a URL"'),
    ("app/urls.py", 'REDIS_URL = "redis://localhost:6379/0"'),
    ("app/urls.py", 'DATABASE_URL = "postgres://localhost/app"'),
    ("app/test_data.py", 'FAKE_TOKEN = "test-token"'),
    ("app/fixtures.py", 'DUMMY_SECRET = "dummy"'),
    ("app/fixtures.py", 'API_KEY = "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"'),
    ("app/fixtures.py", 'TOKEN = "00000000000000000000000000000000"'),
    ("app/fixtures.py", 'SECRET = "abcdefghijklmnopqrstuvwxyz"'),
    ("app/fixtures.py", 'SECRET = "1234567890abcdef"'),
    ("src/app.ts", "const placeholder = 'sk-...';"),
    ("src/app.ts", "// set OPENAI_API_KEY in your environment"),
    ("src/app.ts", "export const TOKEN_HEADER = 'X-Api-Token';"),
    ("src/app.ts", "const passwordField = document.querySelector('#password');"),
    ("src/app.ts", "type Credentials = { username: string; password: string };"),
    ("README.md", "Set `GITHUB_TOKEN` to a token with the `repo` scope."),
    ("README.md", "export AWS_SECRET_ACCESS_KEY=<your secret key>"),
    ("docs/setup.md", "Your key looks like `sk_live_...`; never commit it."),
    ("app/config.py", 'ENCRYPTION_KEY = base64.b64decode(os.environ["ENCRYPTION_KEY"])'),
    ("app/config.py", "SIGNING_SECRET = settings.SIGNING_SECRET"),
    ("app/config.py", 'token = request.headers.get("Authorization", "").removeprefix("Bearer ")'),
    ("app/config.py", "api_key = None"),
    ("app/config.py", 'secret = ""'),
    ("app/config.py", "password = getpass.getpass()"),
    ("Dockerfile", "ARG NPM_TOKEN"),
    ("Dockerfile", "RUN --mount=type=secret,id=npm_token npm ci"),
    ("k8s/secret.yaml", "  password: ${PASSWORD}"),
    ("k8s/deploy.yaml", "          valueFrom: { secretKeyRef: { name: app, key: api-key } }"),
    ("terraform/main.tf", "  password = var.db_password"),
    ("terraform/main.tf", "  secret_string = random_password.db.result"),
    ("app/hash.py", 'EMPTY_SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"'),
    ("app/hash.py", 'GIT_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"'),
    (
        "app/hash.py",
        'SRI = "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"',
    ),
    ("app/models.py", "password = models.CharField(max_length=128)"),
    ("app/models.py", "api_key = models.UUIDField(default=uuid.uuid4, editable=False)"),
    ("app/models.py", "token = secrets.token_urlsafe(32)"),
    ("app/models.py", "secret_key_prefix = 'whsec_'"),
    ("app/models.py", "TOKEN_PATTERN = re.compile(r'ghp_[A-Za-z0-9]{36}')"),
    ("app/tests/test_auth.py", 'assert response.json()["token"] == "token-123"'),
    ("app/i18n.py", '"password_reset": "Forgot your password?",'),
    ("app/i18n.py", '"api_key_help": "Paste your API key from the dashboard",'),
    ("app/urls.py", 'path("api/tokens/<str:token_id>/", views.token_detail),'),
    ("app/settings.py", "SECRET_KEY_FALLBACKS = []"),
    ("app/settings.py", 'PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]'),
    ("app/settings.py", "AUTH_TOKEN_TTL = timedelta(hours=1)"),
    ("app/settings.py", 'OAUTH_SCOPES = "openid email profile"'),
    ("app/settings.py", 'API_BASE = "https://api.stripe.com/v1"'),
    ("app/settings.py", 'WEBHOOK_PATH = "/hooks/github"'),
    ("app/settings.py", 'KEYCHAIN_SERVICE = "release-roles"'),
    ("app/settings.py", 'GOOGLE_CLOUD_PROJECT = "acme-prod-1234"'),
    ("app/settings.py", 'S3_BUCKET = "acme-uploads-prod"'),
    ("app/settings.py", 'AZURE_TENANT = "contoso.onmicrosoft.com"'),
    ("app/settings.py", 'NPM_REGISTRY = "https://registry.npmjs.org/"'),
    ("app/settings.py", 'SLACK_CHANNEL = "#deploys"'),
    ("app/settings.py", 'TWILIO_FROM = "+15005550006"'),
)


def negatives() -> list[Case]:
    return [Case("none", line, path, False) for path, line in NEGATIVES]
