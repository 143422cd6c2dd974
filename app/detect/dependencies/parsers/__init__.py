"""Manifests and lockfiles to `{package: Dep}`, one pure function per format, one
module per ecosystem; common.py holds what they share."""

from app.detect.dependencies.parsers.actions import actions
from app.detect.dependencies.parsers.common import Dep, Parsed, UnreadableError, safely
from app.detect.dependencies.parsers.docker import dockerfile
from app.detect.dependencies.parsers.dotnet import nuget_lock, nuget_project
from app.detect.dependencies.parsers.elixir import mix_exs, mix_lock
from app.detect.dependencies.parsers.go import go_mod
from app.detect.dependencies.parsers.javascript import (
    package_json,
    package_lock,
    pnpm_lock,
    yarn_lock,
)
from app.detect.dependencies.parsers.jvm import gradle, pom_xml, version_catalog
from app.detect.dependencies.parsers.php import composer_json, composer_lock
from app.detect.dependencies.parsers.python import (
    pipfile,
    pipfile_lock,
    pyproject,
    requirements,
    setup_cfg,
    setup_py,
    toml_packages,
)
from app.detect.dependencies.parsers.ruby import gemfile, gemfile_lock
from app.detect.dependencies.parsers.rust import cargo_lock, cargo_toml

__all__ = [
    "Dep",
    "Parsed",
    "UnreadableError",
    "actions",
    "cargo_lock",
    "cargo_toml",
    "composer_json",
    "composer_lock",
    "dockerfile",
    "gemfile",
    "gemfile_lock",
    "go_mod",
    "gradle",
    "mix_exs",
    "mix_lock",
    "nuget_lock",
    "nuget_project",
    "package_json",
    "package_lock",
    "pipfile",
    "pipfile_lock",
    "pnpm_lock",
    "pom_xml",
    "pyproject",
    "requirements",
    "safely",
    "setup_cfg",
    "setup_py",
    "toml_packages",
    "version_catalog",
    "yarn_lock",
]
