"""The deploy files say what the App does: fly.toml parses and agrees with the settings."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from app.jobs.store import open_journal
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["fly.toml", "fly.staging.toml"])
def test_fly_toml_parses_and_matches_the_app(name: str) -> None:
    fly = tomllib.loads((ROOT / name).read_text())
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


def test_staging_and_production_are_two_apps_alike() -> None:
    production = tomllib.loads((ROOT / "fly.toml").read_text())
    staging = tomllib.loads((ROOT / "fly.staging.toml").read_text())
    assert production["app"] != staging["app"]
    assert production["mounts"]["source"] != staging["mounts"]["source"]
    alike = {k: v for k, v in staging.items() if k not in ("app", "mounts")}
    assert alike == {k: v for k, v in production.items() if k not in ("app", "mounts")}


def test_the_alert_rules_name_only_metrics_the_app_exports() -> None:
    import re

    from ruamel.yaml import YAML

    from app.metrics import Metrics

    rules = YAML(typ="safe").load((ROOT / "ops/alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    used = {name for expr in exprs for name in re.findall(r"release_roles_\w+", expr)}
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    exported = {
        family.name + suffix
        for family in Metrics().registry.collect()
        for suffix in suffixes[family.type]
    }
    assert used, "no rule names a metric"
    assert used <= exported, used - exported


def test_the_installed_app_carries_the_pages_templates(tmp_path: Path) -> None:
    """The image installs the app as a wheel: files that are not Python must be in it.
    Built from a copy, as the Dockerfile copies it (no build/ or egg-info of earlier
    builds to lean on)."""
    import shutil
    import subprocess
    import sys
    import zipfile

    source = tmp_path / "src"
    shutil.copytree(ROOT / "app", source / "app", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("release_roles-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {f"app/web/templates/{p.name}" for p in (ROOT / "app/web/templates").glob("*.html")}
    assert templates
    assert templates <= names
