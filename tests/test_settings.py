from __future__ import annotations

import base64
from pathlib import Path

import pytest

from app.settings import SettingsError, load_settings
from tests.harness import private_key

BASE = {"GITHUB_APP_ID": "12", "GITHUB_WEBHOOK_SECRET": "s"}


def env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name in (
        "GITHUB_APP_ID",
        "GITHUB_WEBHOOK_SECRET",
        "GITHUB_WEBHOOK_SECRET_PREVIOUS",
        "GITHUB_PRIVATE_KEY",
        "GITHUB_PRIVATE_KEY_PATH",
        "DATABASE_URL",
        "PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_missing_settings_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    env(monkeypatch, {})
    with pytest.raises(SettingsError, match=r"GITHUB_APP_ID is not set.*GITHUB_WEBHOOK_SECRET"):
        load_settings()
    env(monkeypatch, BASE)
    with pytest.raises(SettingsError, match="GITHUB_PRIVATE_KEY"):
        load_settings()


def test_private_key_as_pem_base64_or_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pem = private_key()
    env(monkeypatch, BASE | {"GITHUB_PRIVATE_KEY": pem})
    assert load_settings().private_key == pem.strip()
    env(monkeypatch, BASE | {"GITHUB_PRIVATE_KEY": base64.b64encode(pem.encode()).decode()})
    assert load_settings().private_key == pem
    key_file = tmp_path / "app.pem"
    key_file.write_text(pem)
    env(monkeypatch, BASE | {"GITHUB_PRIVATE_KEY_PATH": str(key_file), "PORT": "9000"})
    settings = load_settings()
    assert settings.private_key == pem
    assert settings.port == 9000
    assert settings.database_url == "sqlite:///release-roles.db"


def test_unusable_values_say_what_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    env(monkeypatch, BASE | {"GITHUB_PRIVATE_KEY": "not a key"})
    with pytest.raises(SettingsError, match="neither a PEM key nor base64"):
        load_settings()
    env(monkeypatch, BASE | {"GITHUB_PRIVATE_KEY_PATH": "/nope.pem"})
    with pytest.raises(SettingsError, match=r"GITHUB_PRIVATE_KEY_PATH=/nope\.pem"):
        load_settings()
    env(
        monkeypatch,
        {"GITHUB_APP_ID": "abc", "GITHUB_WEBHOOK_SECRET": "s", "GITHUB_PRIVATE_KEY": private_key()},
    )
    with pytest.raises(SettingsError, match="GITHUB_APP_ID: "):
        load_settings()


def test_webhook_secrets_current_first_and_previous_only_when_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = {"GITHUB_PRIVATE_KEY": private_key()}
    env(monkeypatch, BASE | key)
    assert load_settings().webhook_secrets == ("s",)
    env(monkeypatch, BASE | key | {"GITHUB_WEBHOOK_SECRET_PREVIOUS": ""})
    assert load_settings().webhook_secrets == ("s",)
    env(monkeypatch, BASE | key | {"GITHUB_WEBHOOK_SECRET_PREVIOUS": "old"})
    assert load_settings().webhook_secrets == ("s", "old")


def test_an_env_file_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `release-roles setup` writes is what `serve` reads."""
    for name in ("GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET", "PORT"):
        monkeypatch.delenv(name, raising=False)
    key = base64.b64encode(private_key().encode()).decode()
    env = tmp_path / ".env"
    env.write_text(f"GITHUB_APP_ID=77\nGITHUB_PRIVATE_KEY={key}\nGITHUB_WEBHOOK_SECRET=s\nPORT=9\n")
    assert load_settings(env).github_app_id == 77
    monkeypatch.setenv("PORT", "8123")
    assert load_settings(env).port == 8123
