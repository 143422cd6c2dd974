"""Every other format, written here after its documentation."""

from __future__ import annotations

import pytest

from app.detect.base import Change
from tests.detect.dependencies.helpers import changes, modified

HANDWRITTEN = [
    (
        "go.mod",
        "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/pkg/errors v0.9.1\n\tgolang.org/x/text v0.14.0 // indirect\n)\n",
        "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/pkg/errors v0.8.0\n\tgolang.org/x/text v0.15.0 // indirect\n\tgithub.com/google/uuid v1.6.0\n)\n",
        {
            "github.com/pkg/errors": (Change.DOWNGRADE, "v0.9.1", "v0.8.0"),
            "golang.org/x/text": (Change.MINOR, "v0.14.0", "v0.15.0"),  # Go v0: no caret
            "github.com/google/uuid": (Change.ADDED, None, "v1.6.0"),
        },
    ),
    (
        "Cargo.lock",
        'version = 3\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n\n[[package]]\nname = "serde"\nversion = "1.0.190"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n',
        'version = 3\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n\n[[package]]\nname = "serde"\nversion = "1.0.203"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n\n[[package]]\nname = "anyhow"\nversion = "1.0.86"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n',
        {"serde": (Change.PATCH, "1.0.190", "1.0.203"), "anyhow": (Change.ADDED, None, "1.0.86")},
    ),
    (
        "Gemfile.lock",
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.8)\n    rails (7.0.8)\n      rack (>= 2.2)\n\nDEPENDENCIES\n  rails\n\nBUNDLED WITH\n   2.5.3\n",
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.0.9)\n    rails (7.1.3)\n      rack (>= 2.2)\n\nDEPENDENCIES\n  rails\n\nBUNDLED WITH\n   2.5.3\n",
        {"rack": (Change.MAJOR, "2.2.8", "3.0.9"), "rails": (Change.MINOR, "7.0.8", "7.1.3")},
    ),
    (
        "composer.lock",
        '{"packages": [{"name": "monolog/monolog", "version": "2.9.1"}], "packages-dev": []}',
        '{"packages": [{"name": "monolog/monolog", "version": "3.5.0"}], "packages-dev": [{"name": "phpunit/phpunit", "version": "10.5.0"}]}',
        {
            "monolog/monolog": (Change.MAJOR, "2.9.1", "3.5.0"),
            "phpunit/phpunit": (Change.ADDED, None, "10.5.0"),
        },
    ),
    (
        "Dockerfile",
        "FROM python:3.11-slim AS build\nRUN pip install .\nFROM build\n",
        "FROM python:3.12-slim AS build\nRUN pip install .\nFROM build\n",
        {"python": (Change.MINOR, "3.11-slim", "3.12-slim")},
    ),
    (
        ".github/workflows/ci.yml",
        "jobs:\n  t:\n    steps:\n      - uses: actions/checkout@v3\n      - uses: actions/setup-node@"
        + "a" * 40
        + "\n",
        "jobs:\n  t:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-node@"
        + "b" * 40
        + "\n",
        {
            "actions/checkout": (Change.MAJOR, "v3", "v4"),
            # the pinned commit moved and no tag says how far: read as a major
            "actions/setup-node": (Change.MAJOR, "a" * 40, "b" * 40),
        },
    ),
    (
        "yarn.lock",
        '__metadata:\n  version: 8\n\n"left-pad@npm:^1.1.0":\n  version: 1.1.0\n  resolution: "left-pad@npm:1.1.0"\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n',
        '__metadata:\n  version: 8\n\n"left-pad@npm:^1.3.0":\n  version: 1.3.0\n  resolution: "left-pad@npm:1.3.0"\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n',
        {"left-pad": (Change.MINOR, "1.1.0", "1.3.0")},
    ),
    (
        "package-lock.json",
        '{"lockfileVersion": 1, "dependencies": {"ms": {"version": "2.1.2"}, "debug": {"version": "4.3.4", "dependencies": {"ms": {"version": "2.1.2"}}}}}',
        '{"lockfileVersion": 1, "dependencies": {"ms": {"version": "2.1.3"}, "debug": {"version": "4.3.4"}}}',
        {"ms": (Change.PATCH, "2.1.2", "2.1.3")},
    ),
]


POM = """<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <version>1.0.0</version>
  <properties><spring.version>{spring}</spring.version></properties>
  <dependencies>
    <dependency>
      <groupId>org.springframework</groupId>
      <artifactId>spring-core</artifactId>
      <version>${{spring.version}}</version>
    </dependency>
    {extra}
  </dependencies>
</project>
"""


HANDWRITTEN += [
    (
        "pom.xml",
        POM.format(spring="5.3.31", extra=""),
        POM.format(
            spring="6.1.2",
            extra="<dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>33.0.0-jre</version></dependency>",
        ),
        {
            "org.springframework:spring-core": (Change.MAJOR, "5.3.31", "6.1.2"),
            "com.google.guava:guava": (Change.ADDED, None, "33.0.0-jre"),
        },
    ),
    (
        "app/build.gradle.kts",
        'dependencies {\n    implementation("com.squareup.okhttp3:okhttp:4.12.0")\n    testImplementation("junit:junit:4.13.2")\n}\n',
        'dependencies {\n    implementation("com.squareup.okhttp3:okhttp:4.11.0")\n}\n',
        {
            "com.squareup.okhttp3:okhttp": (Change.DOWNGRADE, "4.12.0", "4.11.0"),
            "junit:junit": (Change.REMOVED, "4.13.2", None),
        },
    ),
    (
        "gradle/libs.versions.toml",
        '[versions]\nkotlin = "1.9.22"\n\n[libraries]\nkotlin-stdlib = { module = "org.jetbrains.kotlin:kotlin-stdlib", version.ref = "kotlin" }\n',
        '[versions]\nkotlin = "2.0.0"\n\n[libraries]\nkotlin-stdlib = { module = "org.jetbrains.kotlin:kotlin-stdlib", version.ref = "kotlin" }\n',
        {"org.jetbrains.kotlin:kotlin-stdlib": (Change.MAJOR, "1.9.22", "2.0.0")},
    ),
    (
        "src/Api/Api.csproj",
        '<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n    <PackageReference Include="Newtonsoft.Json" Version="12.0.3" />\n  </ItemGroup>\n</Project>\n',
        '<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n    <PackageReference Include="Newtonsoft.Json" Version="13.0.3" />\n    <PackageReference Include="Serilog" Version="3.1.1" />\n  </ItemGroup>\n</Project>\n',
        {
            "Newtonsoft.Json": (Change.MAJOR, "12.0.3", "13.0.3"),
            "Serilog": (Change.ADDED, None, "3.1.1"),
        },
    ),
    (
        "src/Api/packages.lock.json",
        '{"version": 1, "dependencies": {"net8.0": {"Serilog": {"type": "Direct", "requested": "[3.1.0, )", "resolved": "3.1.0"}}}}',
        '{"version": 1, "dependencies": {"net8.0": {"Serilog": {"type": "Direct", "requested": "[3.1.1, )", "resolved": "3.1.1"}}}}',
        {"Serilog": (Change.PATCH, "3.1.0", "3.1.1")},
    ),
    (
        "mix.exs",
        'defp deps do\n  [\n    {:phoenix, "~> 1.7.0"},\n    {:jason, "~> 1.4"}\n  ]\nend\n',
        'defp deps do\n  [\n    {:phoenix, "~> 1.8.0"}\n  ]\nend\n',
        {
            "phoenix": (Change.MINOR, "~> 1.7.0", "~> 1.8.0"),
            "jason": (Change.REMOVED, "~> 1.4", None),
        },
    ),
    (
        "mix.lock",
        '%{\n  "phoenix": {:hex, :phoenix, "1.7.10", "02189140a61b2ce85bb633a9b6fd02dff705a5f1596869547aeb2b2b95edd729", [:mix], [], "hexpm", "x"},\n}\n',
        '%{\n  "phoenix": {:hex, :phoenix, "1.7.12", "02189140a61b2ce85bb633a9b6fd02dff705a5f1596869547aeb2b2b95edd729", [:mix], [], "hexpm", "x"},\n}\n',
        {"phoenix": (Change.PATCH, "1.7.10", "1.7.12")},
    ),
    (
        "Pipfile",
        '[packages]\nrequests = "==2.31.0"\n\n[dev-packages]\npytest = "*"\n',
        '[packages]\nrequests = "==2.32.3"\n',
        {"requests": (Change.MINOR, "2.31.0", "2.32.3"), "pytest": (Change.REMOVED, "*", None)},
    ),
    (
        "Gemfile",
        'source "https://rubygems.org"\ngem "rails", "~> 7.0.8"\n',
        'source "https://rubygems.org"\ngem "rails", "~> 7.1.3"\ngem "sidekiq"\n',
        {"rails": (Change.MINOR, "~> 7.0.8", "~> 7.1.3"), "sidekiq": (Change.ADDED, None, "*")},
    ),
]


@pytest.mark.parametrize(
    ("path", "base", "head", "expected"), HANDWRITTEN, ids=[h[0] for h in HANDWRITTEN]
)
def test_handwritten_formats(path: str, base: str, head: str, expected: dict) -> None:
    assert changes(modified(path, base, head)) == expected
