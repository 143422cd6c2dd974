"""The runbook's commands, run as an operator runs them: scripts/smoke against a real
`serve`, scripts/promote and scripts/rollback against a stand-in `flyctl` that answers
`releases --image` as Fly prints it and records each `deploy` it is asked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import SECRET, SERVE, free_port, serve_env
from tests.test_logs import wait_for

ROOT = Path(__file__).resolve().parent.parent
RELEASES = {
    "release-roles-staging": [
        "v9   true  Release  alice  1m ago   registry.fly.io/release-roles-staging:deployment-NEW",
        "v8   true  Release  alice  1d ago   registry.fly.io/release-roles-staging:deployment-OLD",
    ],
    "release-roles": [
        "v4   true  Release  bob    2m ago   registry.fly.io/release-roles-staging:deployment-B",
        "v3   true  Release  bob    1h ago   registry.fly.io/release-roles-staging:deployment-B",
        "v2   true  Release  bob    2d ago   registry.fly.io/release-roles-staging:deployment-A",
        "v1   true  Release  bob    9d ago   registry.fly.io/release-roles-staging:deployment-Z",
    ],
}


@pytest.fixture
def flyctl(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in flyctl: (its path, the file its deploys are recorded in)."""
    log = tmp_path / "deploys.jsonl"
    stub = tmp_path / "flyctl"
    stub.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"RELEASES = {RELEASES!r}\n"
        "args = sys.argv[1:]\n"
        "app = args[args.index('--app') + 1]\n"
        "if args[0] == 'releases':\n"
        "    if app not in RELEASES:\n"
        "        sys.exit('Error: app not found')\n"
        "    print('VERSION STABLE TYPE USER DATE DOCKER IMAGE')\n"
        "    print('\\n'.join(RELEASES[app]))\n"
        "elif args[0] == 'deploy':\n"
        f"    open({str(log)!r}, 'a').write(json.dumps(args) + '\\n')\n"
    )
    stub.chmod(0o755)
    return stub, log


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        env=os.environ | env,
        capture_output=True,
        text=True,
        check=False,
    )


def deploys(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_promote_ships_the_image_staging_runs(flyctl: tuple[Path, Path]) -> None:
    stub, log = flyctl
    done = run("promote", env={"FLYCTL": str(stub)})
    assert done.returncode == 0, done.stdout + done.stderr
    image = "registry.fly.io/release-roles-staging:deployment-NEW"
    assert deploys(log) == [
        ["deploy", "--app", "release-roles", "--config", "fly.toml", "--image", image]
    ]


def test_rollback_skips_releases_that_kept_the_image(flyctl: tuple[Path, Path]) -> None:
    stub, log = flyctl
    done = run("rollback", env={"FLYCTL": str(stub)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert deploys(log)[-1][-1] == "registry.fly.io/release-roles-staging:deployment-A"
    chosen = run("rollback", "--image", "registry.fly.io/x:deployment-Z", env={"FLYCTL": str(stub)})
    assert chosen.returncode == 0
    assert deploys(log)[-1][-1] == "registry.fly.io/x:deployment-Z"
    missing = run("rollback", "--app", "nope", env={"FLYCTL": str(stub)})
    assert missing.returncode == 1
    assert "app not found" in missing.stdout


def test_smoke_passes_a_ready_app_and_fails_a_wrong_secret(tmp_path: Path) -> None:
    port = free_port()
    env = serve_env(port, f"sqlite:///{tmp_path / 'journal.db'}", DELIVERY_RECOVERY_SECONDS="0")
    logs = tmp_path / "serve.log"
    with logs.open("wb") as sink:
        server = subprocess.Popen(SERVE, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/readyz", ok={200})
        good = run("smoke", url, env={"GITHUB_WEBHOOK_SECRET": SECRET})
        assert good.returncode == 0, good.stdout + logs.read_text()
        bad = run("smoke", url, env={"GITHUB_WEBHOOK_SECRET": "not the secret"})
        assert bad.returncode == 1
        assert "signed ping" in bad.stdout
    finally:
        server.terminate()
        server.wait(20)
    down = run("smoke", f"http://127.0.0.1:{free_port()}", env={"GITHUB_WEBHOOK_SECRET": SECRET})
    assert down.returncode == 1
    assert "readyz" in down.stdout
