"""`release-roles setup` end to end (issue 17): the real CLI process serves the page
that posts the manifest, the fake GitHub's manifest conversion answers the code, the
.env is written with mode 0600, and `release-roles serve` starts from that .env alone
and accepts a delivery signed with the secret GitHub issued."""

from __future__ import annotations

import html
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.local.setup import EVENTS, PERMISSIONS, env_text, manifest, write_env
from tests.fakes.github import FakeGitHub
from tests.harness import SERVE, free_port, private_key, sign
from tests.test_logs import served, wait_for

GITHUB_WEB = "https://github.example.com"  # GitHub Enterprise's web address, say


@pytest.fixture
def github() -> Iterator[tuple[int, FakeGitHub]]:
    fake = FakeGitHub()
    fake.manifest_key = private_key()
    with served(fake) as port:
        yield port, fake


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any GITHUB_* or DATABASE_URL: only the .env speaks."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DATABASE_"))}
    return keep | extra


def test_setup_writes_an_env_that_serve_starts_from(
    github: tuple[int, FakeGitHub], tmp_path: Path
) -> None:
    api_port, fake = github
    fake.manifest_codes.add("one-time-code")
    page_port = free_port()
    command = [
        *(sys.executable, "-m", "app.cli", "setup", "--url", "https://roles.example.com"),
        *("--github-url", GITHUB_WEB, "--port", str(page_port), "--no-browser"),
    ]
    env = clean_env(GITHUB_API_URL=f"http://127.0.0.1:{api_port}")

    def start_setup() -> tuple[subprocess.Popen[bytes], str]:
        """The setup process, and its page once it serves it."""
        process = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            wait_for(f"http://127.0.0.1:{page_port}/", ok={200})
            return process, httpx.get(f"http://127.0.0.1:{page_port}/").text
        except BaseException:
            process.kill()
            raise

    setup, page = start_setup()
    try:
        action = html.unescape(re.search(r'action="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        assert action.startswith(f"{GITHUB_WEB}/settings/apps/new?state=")
        state = action.split("state=", 1)[1]
        sent = json.loads(html.unescape(re.search(r'value="([^"]+)"', page).group(1)))  # type: ignore[union-attr]
        assert sent["hook_attributes"]["url"] == "https://roles.example.com/webhooks"
        assert sent["default_permissions"]["merge_queues"] == "read"
        assert sent["redirect_url"] == f"http://127.0.0.1:{page_port}/callback"
        forged = httpx.get(f"http://127.0.0.1:{page_port}/callback?code=x&state=wrong")
        assert "state" in forged.text  # another page's answer is refused …
        # … and the flow ended there: a forged answer must not be retried into success
        out, err = setup.communicate(timeout=30)
        assert setup.returncode == 2, (out, err)
        assert not (tmp_path / ".env").exists()
    finally:
        setup.kill()
    # the real run: GitHub sends the browser back with the code and the state
    setup, page = start_setup()
    try:
        state = html.unescape(re.search(r"state=([^\"&]+)", page).group(1))  # type: ignore[union-attr]
        done = httpx.get(
            f"http://127.0.0.1:{page_port}/callback",
            params={"code": "one-time-code", "state": state},
        )
        assert "Registered" in done.text
        out, err = setup.communicate(timeout=30)
        assert setup.returncode == 0, err
    finally:
        setup.kill()
    written = tmp_path / ".env"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    values = dict(
        line.split("=", 1)
        for line in written.read_text().splitlines()
        if "=" in line and line[0] != "#"
    )
    assert set(values) == {
        "GITHUB_APP_ID",
        "GITHUB_PRIVATE_KEY",
        "GITHUB_WEBHOOK_SECRET",
        # the pages, on from the first start: the App's OAuth client and a new secret
        "PUBLIC_URL",
        "GITHUB_CLIENT_ID",
        "GITHUB_CLIENT_SECRET",
        "SESSION_SECRET",
        "GITHUB_URL",
    }
    assert values["PUBLIC_URL"] == "https://roles.example.com"
    assert len(values["SESSION_SECRET"]) >= 40
    assert fake.manifest_codes == set()  # the code was spent
    serve_port = free_port()
    serve_env = clean_env(
        GITHUB_API_URL=f"http://127.0.0.1:{api_port}",
        DATABASE_URL=f"sqlite:///{tmp_path / 'journal.db'}",
        PORT=str(serve_port),
        DELIVERY_RECOVERY_SECONDS="0",
    )
    server = subprocess.Popen(
        SERVE,
        cwd=tmp_path,
        env=serve_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{serve_port}/healthz", ok={200})
        body = b"{}"
        ping = httpx.post(
            f"http://127.0.0.1:{serve_port}/webhooks",
            content=body,
            headers={
                "X-GitHub-Event": "ping",
                "X-GitHub-Delivery": "d-1",
                "X-Hub-Signature-256": sign(body, values["GITHUB_WEBHOOK_SECRET"]),
                "Content-Type": "application/json",
            },
        )
        assert ping.status_code == 200
        login = httpx.get(f"http://127.0.0.1:{serve_port}/login")  # the pages are on
        assert login.status_code == 302
        assert login.headers["location"].startswith(f"{GITHUB_WEB}/login/oauth/authorize?")
    finally:
        server.terminate()
        server.wait(20)


def test_the_manifest_asks_what_the_readme_lists() -> None:
    sent = manifest("Release Roles", "https://roles.example.com/", "http://127.0.0.1:1/callback")
    assert sent["default_permissions"] == PERMISSIONS
    assert sent["default_events"] == EVENTS
    assert sent["public"] is False
    assert sent["url"] == "https://roles.example.com"
    assert sent["callback_urls"] == ["https://roles.example.com/auth/callback"]


def test_the_env_file_is_private_and_not_overwritten(tmp_path: Path) -> None:
    app = {"id": 7, "pem": "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n"}
    app |= {"webhook_secret": "s", "slug": "roles", "html_url": "https://github.com/apps/roles"}
    target = tmp_path / ".env"
    write_env(target, env_text(app), force=False)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    from app.local.setup import SetupError

    with pytest.raises(SetupError, match="exists"):
        write_env(target, "other", force=False)
    target.chmod(0o644)
    write_env(target, env_text(app), force=True)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
