"""The deploy files say what the App does: fly.toml parses and agrees with the settings."""

from __future__ import annotations

import tomllib
from pathlib import Path

from app.jobs.store import open_journal
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_fly_toml_parses_and_matches_the_app() -> None:
    fly = tomllib.loads((ROOT / "fly.toml").read_text())
    port = int(fly["env"]["PORT"])
    assert fly["http_service"]["internal_port"] == port
    assert fly["metrics"] == {"port": port, "path": "/metrics"}
    paths = {check["path"] for check in fly["http_service"]["checks"]}
    assert paths == {"/healthz", "/readyz"}
    # the journal lives on the volume
    database = fly["env"]["DATABASE_URL"]
    assert database.startswith(f"sqlite:///{fly['mounts']['destination']}/")
    open_journal(database)  # a URL the App accepts
    assert Settings.model_fields["port"].default == port  # the image listens where fly looks
