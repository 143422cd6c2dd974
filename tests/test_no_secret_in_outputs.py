"""A detected secret's value appears in no output: text, JSON, Markdown, the check
run sent to GitHub, or the App's logs. Every format is grepped for every value."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from app.cli import cli
from tests.conftest import GitRepo
from tests.fakes.github import FakeGitHub
from tests.harness import pages_settings, running

FILLER = "Q9w8E7r6T5y4U3i2O1p0A9s8D7f6G5h4J3k2L1z0"
SECRETS = {
    "github": "ghp_" + FILLER[:36],
    "stripe": "sk_live_" + FILLER[:24],
    "aws": "AKIA" + "Z7X4Q2W9E5R1T8Y3",
    "password": "Tr0ub4dor&3xyz!",
    "sql_password": "Sup3r-S3cret-Pw!",
    "url_password": "p4ssW0rdInUrl9",
    # a token in a dependency's git URL: one in GitHub's format, one in no known format
    "git_url_token": "ghs_" + FILLER[2:38],
    "bare_url_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
    # on a line Python's splitlines() cuts at a form feed, git does not
    "form_feed": "wJalrXUtnFEMI/K7MDENG/" + FILLER[:18],
}
CONFIG = """\
version: 1
roles:
  security:
    reviewers: {teams: [appsec]}
    when: [{detector: secrets}, {detector: dependencies}, {content: 'PASSWORD|token'}]
  dba:
    reviewers: {teams: [dba]}
    when: [{detector: migrations}]
"""
FILES = {
    "app/settings.py": (
        f'GITHUB_TOKEN = "{SECRETS["github"]}"\n'
        f'stripe.api_key = "{SECRETS["stripe"]}"\n'
        f'AWS_ACCESS_KEY_ID = "{SECRETS["aws"]}"\n'
        f'DB_PASSWORD = "{SECRETS["password"]}"\n'
        f'DATABASE_URL = "postgres://app:{SECRETS["url_password"]}@db:5432/app"\n'
    ),
    "requirements.txt": (
        "flask==3.1.0\n"
        f"git+https://{SECRETS['bare_url_token']}@github.com/acme/private.git#egg=private\n"
    ),
    "package.json": (
        '{"dependencies": {"b": "git+https://x-access-token:'
        f'{SECRETS["git_url_token"]}@github.com/acme/b.git"}}}}\n'
    ),
    "app/feed.py": f'x = 1\fAWS_SECRET_ACCESS_KEY = "{SECRETS["form_feed"]}"\n',
    "db/migrations/V9__app_user.sql": (
        f"ALTER USER app WITH PASSWORD '{SECRETS['sql_password']}';\n"
        "ALTER TABLE users DROP COLUMN legacy;\n"
    ),
}


def assert_clean(output: str, where: str) -> None:
    for name, value in SECRETS.items():
        assert value not in output, f"{name} secret leaked into {where}"


@pytest.fixture
def leaky(repo: GitRepo) -> GitRepo:
    repo.commit({".github/release-roles.yml": CONFIG, "README.md": "x\n"})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(FILES)
    return repo


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_cli_outputs_hold_no_secret(leaky: GitRepo, fmt: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["check", "-C", str(leaky.path), "--base", "main", "--head", "feature", "--format", fmt],
    )
    assert result.exit_code == 0, result.output
    assert "secret." in result.output or "secret" in result.output  # the secrets were found
    assert_clean(result.output, fmt)
    if fmt == "json":
        rules = {r["rule"] for role in json.loads(result.output)["roles"] for r in role["reasons"]}
        assert {"secret.github-token", "secret.stripe-key", "secret.url-password"} <= rules
        assert {"dependency.added", "secret.aws-secret-access-key"} <= rules


@pytest.mark.anyio
async def test_check_run_and_logs_hold_no_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeGitHub()
    repo = fake.repo("acme", "shop", {".github/release-roles.yml": CONFIG, "README.md": "x\n"})
    fake.team("acme", "appsec", {"sam"})
    fake.team("acme", "dba", {"dana"})
    repo.collaborators |= {"sam", "dana"}
    fake.push(repo, "leak", dict(FILES))
    # a title is anyone's text: a pasted token must not reach the pages either
    title = f"Rotate {SECRETS['github']}"
    pull = fake.open_pull(repo, "leak", author="alice", title=title)
    pages: dict[str, str] = {}
    async with running(f"sqlite:///{tmp_path / 'j.db'}", fake, **pages_settings(fake)) as h:
        await h.deliver("pull_request", h.pr_event("opened", repo, pull.number))
        await h.settle()
        transport = httpx.ASGITransport(app=h.app)
        async with httpx.AsyncClient(transport=transport, base_url="https://app") as browser:
            fake.user_tokens["ghu_reader"] = "sam"
            cookie = await h.app.state.pages.sessions.start("sam", "ghu_reader")
            for path in ("/acme/shop", "/acme/shop?format=json", "/acme/shop/pull/1"):
                answer = await browser.get(path, headers={"Cookie": f"rr_session={cookie}"})
                assert answer.status_code == 200, path
                pages[path] = answer.text
    assert "secret.github-token" in pages["/acme/shop/pull/1"]
    assert "[redacted" in pages["/acme/shop"]
    for path, text in pages.items():
        assert_clean(text, f"the page {path}")
    [run] = fake.checks_for(repo, repo.branches["leak"])
    assert "secret.github-token" in run["output"]["summary"]
    # what the App wrote to GitHub: check runs (title, summary, annotations), the
    # release-plan comment, review requests; and what it keeps: the journal
    assert "dependency.added" in run["output"]["summary"]
    assert_clean(json.dumps(list(fake.check_runs.values())), "the check run")
    assert_clean(json.dumps(list(fake.comments.values())), "the comments")
    assert_clean(json.dumps(fake.review_requests), "the review requests")
    for journal in tmp_path.glob("j.db*"):  # the database and its write-ahead log
        assert_clean(journal.read_bytes().decode("utf-8", "replace"), "the journal")
    assert_clean(capsys.readouterr().out, "the logs")
