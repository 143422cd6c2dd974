"""Auth content rules, secrets and CI/infra rules: a positive and a negative for each.

The cases are ours, modelled on the shapes CodeQL's query tests, bandit's
examples and gitleaks' rule tests exercise. Every token below is fake: built
from the documented format with filler characters.
"""

from __future__ import annotations

import textwrap

import pytest

from app.detect.base import ChangedFile, FileStatus, Finding, Severity
from app.detect.registry import DETECTORS, run_detectors


def change(
    path: str, added: str = "", removed: str = "", status: FileStatus | None = None
) -> ChangedFile:
    add = textwrap.dedent(added).strip("\n").splitlines() if added else []
    rem = textwrap.dedent(removed).strip("\n").splitlines() if removed else []
    return ChangedFile(
        path=path,
        status=status or (FileStatus.MODIFIED if removed else FileStatus.ADDED),
        added=list(enumerate(add, start=1)),
        removed=list(enumerate(rem, start=1)),
        additions=len(add),
        deletions=len(rem),
    )


def found(detector: str, *files: ChangedFile) -> list[Finding]:
    own = DETECTORS[detector]
    return own.detect(list(files), own.settings_model())


def rules(detector: str, *files: ChangedFile) -> dict[str, Severity]:
    return {f.rule: f.severity for f in found(detector, *files) if not f.rule.endswith(".path")}


# --- auth: risky patterns -------------------------------------------------------------

AUTH_CASES = [
    # rule, path, positive line, negative line
    (
        "auth.jwt-verify-disabled",
        "api/tokens.py",
        'claims = jwt.decode(token, options={"verify_signature": False})',
        'claims = jwt.decode(token, key, algorithms=["HS256"])',
    ),
    (
        "auth.jwt-verify-disabled",
        "api/tokens.py",
        'jwt.decode(token, key, algorithms=["none"])',
        'jwt.decode(token, key, algorithms=["RS256"])',
    ),
    (
        "auth.jwt-verify-disabled",
        "pkg/auth.go",
        "token, _, err := parser.ParseUnverified(raw, claims)",
        "token, err := jwt.ParseWithClaims(raw, claims, keyFunc)",
    ),
    (
        "auth.jwt-verify-disabled",
        "src/jwt.js",
        "jwt.verify(token, key, { ignoreExpiration: true })",
        "jwt.verify(token, key, { algorithms: ['RS256'] })",
    ),
    ("auth.csrf-disabled", "shop/views.py", "@csrf_exempt", "@require_POST"),
    (
        "auth.csrf-disabled",
        "src/main/java/SecurityConfig.java",
        "http.csrf().disable();",
        "http.csrf(Customizer.withDefaults());",
    ),
    (
        "auth.csrf-disabled",
        "app/controllers/api_controller.rb",
        "skip_before_action :verify_authenticity_token",
        "protect_from_forgery with: :exception",
    ),
    (
        "auth.tls-verify-disabled",
        "client/http.py",
        "resp = requests.get(url, verify=False)",
        "resp = requests.get(url, timeout=5)",
    ),
    (
        "auth.tls-verify-disabled",
        "pkg/client.go",
        "TLSClientConfig: &tls.Config{InsecureSkipVerify: true},",
        "TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12},",
    ),
    (
        "auth.tls-verify-disabled",
        "src/agent.ts",
        "const agent = new https.Agent({ rejectUnauthorized: false });",
        "const agent = new https.Agent({ keepAlive: true });",
    ),
    (
        "auth.cookie-insecure",
        "shop/settings.py",
        "SESSION_COOKIE_SECURE = False",
        "SESSION_COOKIE_SECURE = True",
    ),
    (
        "auth.cookie-insecure",
        "src/session.js",
        "app.use(session({ secret: s, cookie: { httpOnly: false } }))",
        "app.use(session({ secret: s, cookie: { httpOnly: true } }))",
    ),
    (
        "auth.weak-password-hash",
        "accounts/hashing.py",
        "digest = hashlib.md5(password.encode()).hexdigest()",
        "digest = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
    ),
    (
        "auth.weak-password-hash",
        "src/main/java/Config.java",
        "return NoOpPasswordEncoder.getInstance();",
        "return new BCryptPasswordEncoder();",
    ),
]


@pytest.mark.parametrize(("rule", "path", "positive", "negative"), AUTH_CASES)
def test_auth_risky_pattern(rule: str, path: str, positive: str, negative: str) -> None:
    assert rules("auth", change(path, positive)).get(rule) == Severity.HIGH, positive
    assert rule not in rules("auth", change(path, negative)), negative


def test_cors_any_origin_is_high_only_with_credentials() -> None:
    alone = 'app.add_middleware(CORSMiddleware, allow_origins=["*"])'
    assert rules("auth", change("api/main.py", alone))["auth.cors-permissive"] == Severity.MEDIUM
    both = alone + "\nCORS_SETTINGS = dict(allow_credentials=True)"
    assert rules("auth", change("api/main.py", both))["auth.cors-permissive"] == Severity.HIGH
    assert "auth.cors-permissive" not in rules(
        "auth", change("api/main.py", 'allow_origins=["https://shop.example"]')
    )


def test_opening_a_route_is_high_where_the_change_removed_its_guard() -> None:
    guarded = "    permission_classes = [IsAuthenticated]"
    opened = "    permission_classes = [AllowAny]"
    swapped = rules("auth", change("shop/api.py", opened, removed=guarded))
    assert swapped["auth.authz-open"] == Severity.HIGH
    assert swapped["auth.guard-removed"] == Severity.MEDIUM
    assert rules("auth", change("shop/api.py", opened))["auth.authz-open"] == Severity.MEDIUM
    assert "auth.authz-open" not in rules("auth", change("shop/api.py", guarded))


@pytest.mark.parametrize(
    ("path", "guard"),
    [
        ("shop/views.py", "@login_required"),
        ("src/orders.controller.ts", "@UseGuards(AuthGuard('jwt'))"),
        ("src/main/java/OrderController.java", "@PreAuthorize(\"hasRole('ADMIN')\")"),
        ("app/controllers/orders_controller.rb", "before_action :authenticate_user!"),
        (
            "routes/web.php",
            "Route::get('/orders', [OrderController::class, 'index'])->middleware('auth');",
        ),
        ("Controllers/OrdersController.cs", '[Authorize(Roles = "Admin")]'),
        ("internal/http/routes.go", "r.Use(RequireAuth(sessions))"),
    ],
)
def test_removing_a_guard_in_each_language_is_medium(path: str, guard: str) -> None:
    assert (
        rules("auth", change(path, "x = 1", removed=guard))["auth.guard-removed"] == Severity.MEDIUM
    )
    moved = change(path, f"# moved\n{guard}", removed=guard)
    assert "auth.guard-removed" not in rules("auth", moved)
    assert rules("auth", change(path, guard))["auth.marker"] == Severity.LOW


def test_weak_hash_is_low_outside_auth_code_and_medium_inside() -> None:
    line = "key = hashlib.md5(url.encode()).hexdigest()"
    assert rules("auth", change("cache/keys.py", line))["auth.weak-hash"] == Severity.LOW
    assert rules("auth", change("app/auth/tokens.py", line))["auth.weak-hash"] == Severity.MEDIUM
    assert "auth.weak-hash" not in rules(
        "auth", change("cache/keys.py", "hashlib.sha256(b).hexdigest()")
    )


@pytest.mark.parametrize(
    "path",
    ["docs/security/auth.md", "tests/test_views.py", "spec/fixtures/session.rb", "README.md"],
)
def test_docs_tests_and_fixtures_are_not_auth_code(path: str) -> None:
    prose = "@csrf_exempt\nrequests.get(url, verify=False)\npermission_classes = [AllowAny]"
    assert found("auth", change(path, prose)) == []


# --- secrets -----------------------------------------------------------------------------

FILLER = "A1b2C3d4E5f6G7h8J9k0L1m2N3p4Q5r6S7t8U9v0W1x2Y3z4"
SECRET_CASES = [
    ("secret.aws-access-key-id", "AWS_KEY = 'AKIA" + "Z7X4Q2W9E5R1T8Y3" + "'"),
    ("secret.aws-secret-access-key", "aws_secret_access_key = " + FILLER[:40]),
    ("secret.github-token", "token: ghp_" + FILLER[:36]),
    ("secret.gitlab-token", "GITLAB = 'glpat-" + FILLER[:20] + "'"),
    ("secret.slack-token", "SLACK = 'xoxb-123456789012-" + FILLER[:24] + "'"),
    (
        "secret.slack-webhook",
        "url = 'https://hooks.slack.com/services/T0000/B0000/" + FILLER[:24] + "'",
    ),
    ("secret.stripe-key", "stripe.api_key = 'sk_live_" + FILLER[:24] + "'"),
    ("secret.openai-key", "OPENAI_API_KEY=sk-proj-" + FILLER[:44]),
    ("secret.anthropic-key", "key = 'sk-ant-api03-" + (FILLER * 2)[:90] + "'"),
    ("secret.npm-token", "//registry.npmjs.org/:_authToken=npm_" + FILLER[:36]),
    ("secret.pypi-token", "password = pypi-AgEIcHlwaS5vcmc" + (FILLER * 2)[:64]),
    ("secret.google-api-key", "MAPS = 'AIza" + FILLER[:35] + "'"),
    (
        "secret.jwt",
        "auth = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.Sfl" + FILLER[:20] + "'",
    ),
    ("secret.url-password", "DATABASE_URL=postgres://app:" + FILLER[:12] + "@db.internal:5432/app"),
    ("secret.keyword-assignment", 'DB_PASSWORD = "Tr0ub4dor&3xyz"'),
    (
        "secret.detect-secrets.SendGrid API Key",
        "SENDGRID = 'SG." + FILLER[:22] + "." + (FILLER * 2)[:43] + "'",
    ),
    ("secret.private-key", "-----BEGIN RSA PRIVATE KEY-----"),
]
NOT_SECRETS = [
    'DB_PASSWORD = os.environ["DB_PASSWORD"]',
    'password = "changeme"',
    'api_key = "${API_KEY}"',
    "DATABASE_URL=postgres://app:${DB_PASS}@db/app",
    'token_field_name = "token"',
    "aws_region = 'eu-west-1'",
    "AKIA is how AWS key ids start",
    "ghp_ is the prefix of a classic GitHub token",
]


@pytest.mark.parametrize(("rule", "line"), SECRET_CASES)
def test_secret_is_found_and_its_value_is_not_in_the_finding(rule: str, line: str) -> None:
    [finding] = [f for f in found("secrets", change("config/app.py", line)) if f.rule == rule]
    assert finding.severity >= Severity.HIGH
    assert finding.line == 1
    value = line.split("=", 1)[-1].split(":", 1)[-1].strip(" '\"")
    assert value[8:] not in finding.message  # no part of the secret body


@pytest.mark.parametrize("line", NOT_SECRETS)
def test_not_a_secret(line: str) -> None:
    assert [f for f in found("secrets", change("config/app.py", line)) if f.line] == []


def test_lockfiles_are_not_scanned_for_secrets() -> None:
    integrity = '"integrity": "sha512-' + FILLER + FILLER + '=="'
    token = "ghp_" + FILLER[:36]
    assert [
        f for f in found("secrets", change("package-lock.json", f"{integrity}\n{token}")) if f.line
    ] == []


def test_a_secret_in_migration_sql_is_redacted_from_every_message() -> None:
    sql = "ALTER USER app WITH PASSWORD 'Sup3r-S3cret-Pw!';\nALTER TABLE t DROP COLUMN c;\n"
    findings = run_detectors([change("db/migrations/V9__x.sql", sql)], {})
    text = " ".join(f.message + str(f.extra) for f in findings)
    assert "Sup3r-S3cret-Pw!" not in text
    assert any(f.rule == "migration.drop-column" for f in findings)


# --- CI and infrastructure ------------------------------------------------------------------

PR_TARGET = """
on: pull_request_target
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm test
        env:
          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
"""


def infra(path: str, text: str) -> dict[str, Severity]:
    return {f.rule: f.severity for f in found("infra", change(path, text)) if f.line is not None}


def test_pull_request_target_checking_out_the_head_with_secrets() -> None:
    hits = infra(".github/workflows/test.yml", PR_TARGET)
    assert hits["infra.pr-target-checkout"] == Severity.HIGH
    assert hits["infra.secrets-to-untrusted"] == Severity.HIGH
    safe = PR_TARGET.replace("pull_request_target", "pull_request")
    assert "infra.pr-target-checkout" not in infra(".github/workflows/test.yml", safe)
    no_head = PR_TARGET.replace(
        "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n", ""
    )
    assert "infra.pr-target-checkout" not in infra(".github/workflows/test.yml", no_head)


WORKFLOW = """
on: issues
permissions: {perms}
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - uses: {action}
      - run: |
          echo "triaging"
          echo "{run}"
"""


@pytest.mark.parametrize(
    ("rule", "positive", "negative"),
    [
        ("infra.write-all", {"perms": "write-all"}, {"perms": "read-all"}),
        (
            "infra.unpinned-action",
            {"action": "tj-actions/changed-files@v45"},
            {"action": "tj-actions/changed-files@" + "a" * 40},
        ),
        ("infra.script-injection", {"run": "${{ github.event.issue.title }}"}, {"run": "$TITLE"}),
    ],
)
def test_workflow_rules(rule: str, positive: dict[str, str], negative: dict[str, str]) -> None:
    base = {"perms": "read-all", "action": "actions/checkout@v4", "run": "ok"}
    hits = infra(".github/workflows/triage.yml", WORKFLOW.format(**(base | positive)))
    assert hits.get(rule) == Severity.HIGH
    assert rule not in infra(".github/workflows/triage.yml", WORKFLOW.format(**(base | negative)))


def test_script_injection_points_at_the_line_in_the_run_block() -> None:
    text = WORKFLOW.format(
        perms="read-all", action="actions/checkout@v4", run="${{ github.event.issue.title }}"
    )
    [hit] = [
        f
        for f in found("infra", change(".github/workflows/t.yml", text))
        if f.rule == "infra.script-injection"
    ]
    assert (
        text.strip("\n").splitlines()[hit.line - 1].strip()
        == 'echo "${{ github.event.issue.title }}"'
    )


def test_insecure_commands_and_secrets_inherit() -> None:
    text = "on: push\njobs:\n  a:\n    uses: org/repo/.github/workflows/x.yml@main\n    secrets: inherit\n  b:\n    runs-on: x\n    env:\n      ACTIONS_ALLOW_UNSECURE_COMMANDS: true\n    steps: []\n"
    hits = infra(".github/workflows/x.yml", text)
    assert hits["infra.secrets-inherit"] == Severity.MEDIUM
    assert hits["infra.insecure-commands"] == Severity.HIGH
    assert "infra.insecure-commands" not in infra(
        ".github/workflows/x.yml", text.replace("true", "false")
    )


def test_a_broken_workflow_is_reported_not_crashed_on() -> None:
    assert "infra.workflow-unreadable" in infra(".github/workflows/x.yml", "on: [push\njobs: {")


def test_only_lines_the_change_added_are_flagged() -> None:
    text = WORKFLOW.format(perms="read-all", action="tj-actions/changed-files@v45", run="ok").strip(
        "\n"
    )
    lines = text.splitlines()
    edited = ChangedFile(
        path=".github/workflows/triage.yml",
        status=FileStatus.MODIFIED,
        added=[(1, lines[0])],
        removed=[(1, "on: push")],
        head_loader=lambda _p: text,
    )
    assert [f.rule for f in found("infra", edited) if f.line] == []


TERRAFORM = """
resource "aws_security_group" "web" {{
  ingress {{
    from_port   = 22
    to_port     = 22
    cidr_blocks = [{ingress}]
  }}
  egress {{
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
"""


def test_terraform_open_ingress_but_not_open_egress() -> None:
    assert (
        infra("infra/main.tf", TERRAFORM.format(ingress='"0.0.0.0/0"'))["infra.open-ingress"]
        == Severity.HIGH
    )
    assert "infra.open-ingress" not in infra(
        "infra/main.tf", TERRAFORM.format(ingress='"10.0.0.0/8"')
    )


@pytest.mark.parametrize(
    ("rule", "positive", "negative"),
    [
        ("infra.public-bucket", 'acl = "public-read"', 'acl = "private"'),
        ("infra.public-bucket", "block_public_acls = false", "block_public_acls = true"),
        ("infra.iam-wildcard", '"Action": "*",', '"Action": "s3:GetObject",'),
        ("infra.iam-wildcard", 'actions = ["*"]', 'actions = ["s3:GetObject"]'),
    ],
)
def test_terraform_rules(rule: str, positive: str, negative: str) -> None:
    assert infra("infra/storage.tf", positive).get(rule) == Severity.HIGH
    assert rule not in infra("infra/storage.tf", negative)


K8S = """
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      {line}
"""


@pytest.mark.parametrize(
    ("rule", "positive", "negative"),
    [
        ("infra.privileged-pod", "privileged: true", "privileged: false"),
        ("infra.host-namespace", "hostNetwork: true", "hostNetwork: false"),
        ("infra.dangerous-capability", "add: [SYS_ADMIN]", "drop: [ALL]"),
        (
            "infra.privilege-escalation",
            "allowPrivilegeEscalation: true",
            "allowPrivilegeEscalation: false",
        ),
        ("infra.host-path", "hostPath:", "emptyDir: {}"),
    ],
)
def test_kubernetes_rules(rule: str, positive: str, negative: str) -> None:
    assert rule in infra("deploy/web.yaml", K8S.format(line=positive))
    assert rule not in infra("deploy/web.yaml", K8S.format(line=negative))
    assert rule not in infra("config/app.yaml", positive)  # not a manifest


@pytest.mark.parametrize(
    ("rule", "positive", "negative"),
    [
        ("infra.docker-root", "USER root", "USER app"),
        (
            "infra.curl-pipe-shell",
            "RUN curl -fsSL https://get.example.sh | sh",
            "RUN curl -fsSLO https://x/y.tar.gz",
        ),
        ("infra.unpinned-image", "FROM python:latest", "FROM python:3.11-slim@sha256:" + "b" * 64),
    ],
)
def test_dockerfile_rules(rule: str, positive: str, negative: str) -> None:
    assert rule in infra("Dockerfile", positive)
    assert rule not in infra("Dockerfile", negative)


@pytest.mark.parametrize(
    "line",
    [
        "def csrf_exempt(view_func):",
        "# views decorated with @csrf_exempt skip the check",
        "class AllowAny(BasePermission):",
        "response.set_cookie(key, samesite=None)",
        "class PBKDF2SHA1PasswordHasher(PBKDF2PasswordHasher):",
        "key = md5(url.encode(), usedforsecurity=False).hexdigest()",
    ],
)
def test_definitions_comments_and_declared_uses_are_not_findings(line: str) -> None:
    hits = rules("auth", change("lib/security/core.py", line))
    assert not {k for k, v in hits.items() if v >= Severity.MEDIUM}, hits


def test_a_token_in_test_data_is_shown_at_medium() -> None:
    line = "token: 'ghp_" + FILLER[:36] + "'"
    [finding] = [f for f in found("secrets", change("tests/fixtures/tokens.js", line)) if f.line]
    assert finding.severity == Severity.MEDIUM
    assert "test, fixture or doc" in finding.message


NEAR_MISSES = {
    "secret.aws-access-key-id": "AWS_KEY = 'AKIA" + "Z7X4Q2" + "'",
    "secret.aws-secret-access-key": "aws_secret_access_key = os.environ['AWS_SECRET']",
    "secret.github-token": "token: ghp_" + FILLER[:12],
    "secret.gitlab-token": "GITLAB = 'glpat-" + FILLER[:8] + "'",
    "secret.slack-token": "SLACK = 'xoxb-'",
    "secret.slack-webhook": "url = 'https://hooks.slack.com/services/'",
    "secret.stripe-key": "stripe.api_key = 'sk_live_' + key",
    "secret.openai-key": "OPENAI_API_KEY=sk-proj-",
    "secret.anthropic-key": "key = 'sk-ant-api03-'",
    "secret.npm-token": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    "secret.pypi-token": "password = pypi-AgEIcHlwaS5vcmc",
    "secret.google-api-key": "MAPS = 'AIza" + FILLER[:10] + "'",
    "secret.jwt": "auth = 'eyJhbGciOiJIUzI1NiJ9'",
    "secret.url-password": "DATABASE_URL=postgres://app:${DB_PASS}@db.internal:5432/app",
    "secret.keyword-assignment": 'DB_PASSWORD = "password"',
    "secret.detect-secrets.SendGrid API Key": "SENDGRID = 'SG.short.key'",
    "secret.private-key": "-----BEGIN RSA PUBLIC KEY-----",
}


def test_every_secret_rule_has_a_near_miss() -> None:
    assert set(NEAR_MISSES) == {rule for rule, _ in SECRET_CASES}


@pytest.mark.parametrize(("rule", "line"), sorted(NEAR_MISSES.items()))
def test_secret_near_miss_is_not_found(rule: str, line: str) -> None:
    assert rule not in {f.rule for f in found("secrets", change("config/app.py", line))}


def test_secrets_to_untrusted_needs_the_head_checkout() -> None:
    no_checkout_of_head = PR_TARGET.replace("${{ github.event.pull_request.head.sha }}", "main")
    assert "infra.secrets-to-untrusted" not in infra(
        ".github/workflows/test.yml", no_checkout_of_head
    )


def test_secrets_inherit_is_high_in_pull_request_target() -> None:
    text = (
        "on: pull_request_target\njobs:\n  a:\n    uses: org/repo/.github/workflows/x.yml@"
        + "c" * 40
        + "\n    secrets: inherit\n"
    )
    assert infra(".github/workflows/x.yml", text)["infra.secrets-inherit"] == Severity.HIGH
    named = text.replace("secrets: inherit", "secrets:\n      token: ${{ secrets.DEPLOY }}")
    assert "infra.secrets-inherit" not in infra(".github/workflows/x.yml", named)


def test_an_edited_workflow_without_its_whole_text_gets_the_line_rules() -> None:
    edited = change(
        ".github/workflows/ci.yml",
        "      - uses: tj-actions/changed-files@v45\n      - run: echo ${{ github.event.issue.title }}\n      - with: {title: '${{ github.event.issue.title }}'}",
        removed="      - uses: actions/checkout@v3",
    )
    hits = {(f.rule, f.line) for f in found("infra", edited)}
    assert ("infra.unpinned-action", 1) in hits
    assert ("infra.script-injection", 2) in hits
    assert ("infra.script-injection", 3) not in hits  # an input, not a shell script
    assert DETECTORS["infra"].wants_content(edited, DETECTORS["infra"].settings_model())
    new = change(".github/workflows/new.yml", "on: push")
    assert not DETECTORS["infra"].wants_content(new, DETECTORS["infra"].settings_model())


def test_a_regex_that_describes_a_risk_is_not_the_risk() -> None:
    line = '    r"@csrf_exempt\\b|WTF_CSRF_ENABLED\\s*=\\s*False",'
    assert rules("auth", change("lint/rules.py", line)) == {}


def test_an_env_line_quoted_in_code_is_not_a_secret_value() -> None:
    line = '"secret.openai-key": "OPENAI_API_KEY=sk-proj-",'
    assert [f for f in found("secrets", change("lint/cases.py", line)) if f.line] == []


def test_a_private_key_in_test_data_is_medium() -> None:
    [finding] = found(
        "secrets", change("tests/fixtures/key.txt", "-----BEGIN RSA PRIVATE KEY-----")
    )
    assert finding.severity == Severity.MEDIUM


def test_a_trailing_comment_is_not_code() -> None:
    assert (
        rules("auth", change("app/views.py", "return None  # unlike AllowAny, this checks")) == {}
    )
    assert "auth.authz-open" in rules(
        "auth", change("app/views.py", "permission_classes = [AllowAny]  # public")
    )
