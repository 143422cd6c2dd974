"""Twelve-factor settings: everything from the environment, checked at start."""

from __future__ import annotations

import base64
import binascii
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """A setting is missing or unusable; the message names it and says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    github_app_id: int = Field(gt=0)
    github_private_key: SecretStr | None = None
    github_private_key_path: Path | None = None
    github_webhook_secret: SecretStr
    # During a rotation the old secret too, until GitHub signs with the new one only.
    github_webhook_secret_previous: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    database_url: str = "sqlite:///release-roles.db"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    port: int = Field(default=8000, gt=0, lt=65536)
    # receiver processes of `serve` (uvicorn's workers), all on the same journal: where
    # one core is not enough to acknowledge every delivery
    web_concurrency: int = Field(default=1, ge=1, le=32)
    # Worker tuning; the defaults suit one small machine.
    worker_concurrency: int = Field(default=4, ge=1, le=64)
    # False when `release-roles worker` runs in processes of its own (see README).
    worker_in_process: bool = True
    # Where `serve` runs those evaluations: a child process of its own (true), or on the
    # receiver's own event loop (false: one process, but webhooks wait behind them).
    worker_subprocess: bool = True
    max_attempts: int = Field(default=5, ge=1, le=20)
    retry_base_seconds: float = Field(default=2.0, ge=0)
    team_cache_seconds: float = Field(default=300.0, ge=0)
    keep_deliveries_days: float = Field(default=7.0, gt=0)
    # How often the workers ask GitHub for deliveries that failed and redeliver them
    # (on start, then every this many seconds); 0 turns it off.
    delivery_recovery_seconds: float = Field(default=3600.0, ge=0)
    # A standalone worker serves /metrics on this port (the web process serves it on PORT).
    metrics_port: int | None = Field(default=None, gt=0, lt=65536)
    # The pages (a details page per PR, the readiness board) and their login through
    # the App's OAuth client: on when all four are set, else off and saying so.
    public_url: str | None = None  # this server's address, e.g. https://roles.example.com
    github_url: str = "https://github.com"  # GitHub's web address (GitHub Enterprise: yours)
    session_secret: SecretStr | None = None
    github_client_id: str | None = None
    github_client_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _one_key(self) -> Settings:
        if self.github_private_key is None and self.github_private_key_path is None:
            raise ValueError(
                "set GITHUB_PRIVATE_KEY (PEM or base64 of it) or GITHUB_PRIVATE_KEY_PATH"
            )
        return self

    @property
    def pages_missing(self) -> list[str]:
        """The settings the pages still need (none: they are on)."""
        wanted = {
            "PUBLIC_URL": self.public_url,
            "SESSION_SECRET": self.session_secret,
            "GITHUB_CLIENT_ID": self.github_client_id,
            "GITHUB_CLIENT_SECRET": self.github_client_secret,
        }
        return [name for name, value in wanted.items() if not value]

    @property
    def pages_url(self) -> str | None:
        """Where the pages are served, when they are on (a check's details_url)."""
        return None if self.pages_missing else (self.public_url or "").rstrip("/")

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        """The secrets a delivery may be signed with, the current one first."""
        previous = self.github_webhook_secret_previous
        old = (previous.get_secret_value(),) if previous and previous.get_secret_value() else ()
        return (self.github_webhook_secret.get_secret_value(), *old)

    @cached_property
    def private_key(self) -> str:
        """The App's PEM key, from the variable (PEM or base64) or the file."""
        if self.github_private_key is not None:
            raw = self.github_private_key.get_secret_value().strip()
            if raw.startswith("-----BEGIN"):
                return raw.replace("\\n", "\n")
            try:
                decoded = base64.b64decode(raw, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise SettingsError(
                    "GITHUB_PRIVATE_KEY is neither a PEM key nor base64 of one"
                ) from None
            if not decoded.startswith("-----BEGIN"):
                raise SettingsError("GITHUB_PRIVATE_KEY decodes to something that is not a PEM key")
            return decoded
        assert self.github_private_key_path is not None
        try:
            return self.github_private_key_path.read_text()
        except OSError as error:
            raise SettingsError(
                f"GITHUB_PRIVATE_KEY_PATH={self.github_private_key_path}: {error.strerror}"
            ) from None


def load_settings(env_file: Path | None = None) -> Settings:
    """Settings from the environment (and `env_file`, such as the `.env` that
    `release-roles setup` writes; a variable set in the environment wins), or a
    SettingsError naming each problem."""
    from pydantic import ValidationError

    try:
        settings = Settings(_env_file=env_file)
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            name = "_".join(str(p) for p in detail["loc"]).upper()
            if detail["type"] == "missing":
                problems.append(f"{name} is not set")
            elif name:
                problems.append(f"{name}: {detail['msg']}")
            else:
                problems.append(detail["msg"].removeprefix("Value error, "))
        raise SettingsError("; ".join(problems)) from None
    _ = settings.private_key  # fail at start, not at the first event
    return settings
