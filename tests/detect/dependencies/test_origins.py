"""Lockfile injection: a package fetched from another host, as another package's file or
as other code at the version already locked. And a package a manifest now asks for that
its lockfile already installed: nothing new to trust."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.detect.base import Change, ChangedFile, Finding, Severity
from app.policy.evaluate import evaluate
from app.policy.facts import PullFacts
from app.policy.loading import default_config
from tests.detect.dependencies.helpers import DETECTOR, modified

NPM = "https://registry.npmjs.org"
SHA512 = "sha512-" + "A" * 86 + "=="
OTHER512 = "sha512-" + "B" * 86 + "=="


def _entry(name: str, version: str, **fields: Any) -> dict[str, Any]:
    tail = name.rpartition("/")[2]
    return {
        "version": version,
        "resolved": f"{NPM}/{name}/-/{tail}-{version}.tgz",
        "integrity": SHA512,
    } | fields


def _lock(direct: dict[str, str], **packages: dict[str, Any]) -> str:
    entries = {f"node_modules/{name.replace('__', '/')}": info for name, info in packages.items()}
    root = {"name": "app", "dependencies": direct}
    return json.dumps({"name": "app", "lockfileVersion": 3, "packages": {"": root} | entries})


def _detect(*pairs: tuple[str, str, str]) -> list[Finding]:
    return DETECTOR.detect(_files(pairs), DETECTOR.settings_model())


def _files(pairs: tuple[tuple[str, str, str], ...]) -> list[ChangedFile]:
    return [modified(path, before, after) for path, before, after in pairs]


def _npm(before: dict[str, Any], after: dict[str, Any]) -> list[Finding]:
    direct = {"a": "^1.0.0"}
    return _detect(("package-lock.json", _lock(direct, **before), _lock(direct, **after)))


def _security(findings: list[Finding]) -> bool:
    """Whether security's built-in role answers to these findings."""
    decision = evaluate(default_config().config, [], findings, PullFacts(author="dev"))
    return next(role for role in decision.roles if role.key == "security").required


BASE = {"a": _entry("a", "1.0.0"), "b": _entry("b", "2.1.0")}


def test_the_same_version_fetched_from_another_host_calls_security() -> None:
    evil = "https://user:s3cr3t-t0ken@evil.example/b-2.1.0.tgz?auth=xyz"
    [finding] = _npm(BASE, BASE | {"b": _entry("b", "2.1.0", resolved=evil)})
    assert (finding.rule, finding.severity, finding.change) == (
        "dependency.source-changed",
        Severity.MEDIUM,
        Change.OTHER,
    )
    assert "now fetched from evil.example, a host this lockfile did not fetch" in finding.message
    assert "b 2.1.0" in finding.message
    assert "s3cr3t" not in finding.message
    assert "xyz" not in finding.message
    assert _security([finding])


def test_a_registry_moved_to_a_mirror_is_one_finding_for_the_host() -> None:
    mirror = "https://npm.corp.example/api/npm/remote"
    after = {
        name: _entry(name, version, resolved=f"{mirror}/{name}/-/{name}-{version}.tgz")
        for name, version in (("a", "1.0.0"), ("b", "2.1.0"))
    }
    [finding] = _npm(BASE, after)
    assert finding.message.startswith("2 packages now fetched from npm.corp.example")
    assert finding.extra["packages"] == ("a", "b")


def test_another_packages_tarball_on_the_registry_at_the_same_version() -> None:
    swapped = f"{NPM}/b-evil/-/b-evil-2.1.0.tgz"
    [finding] = _npm(BASE, BASE | {"b": _entry("b", "2.1.0", resolved=swapped)})
    assert finding.rule == "dependency.source-changed"
    assert "is fetched as b-evil/-/b-evil-2.1.0.tgz, another package" in finding.message


def test_the_same_version_with_another_digest_is_high() -> None:
    [finding] = _npm(BASE, BASE | {"b": _entry("b", "2.1.0", integrity=OTHER512)})
    assert (finding.rule, finding.severity) == ("dependency.source-changed", Severity.HIGH)
    assert "another sha512 digest" in finding.message


SHA1_BASE = {"a": _entry("a", "1.0.0"), "b": _entry("b", "2.1.0", integrity="sha1-x=")}
UNADDRESSED = {"b": {"version": "2.1.0", "integrity": SHA512}}


@pytest.mark.parametrize(
    ("before", "head"),
    [
        # npm moving an old entry from sha1 to sha512: no algorithm in common
        (SHA1_BASE, {"b": _entry("b", "2.1.0")}),
        # yarn's name for npm's registry
        (
            SHA1_BASE,
            {"b": _entry("b", "2.1.0", resolved="https://registry.yarnpkg.com/b/-/b-2.1.0.tgz")},
        ),
        # `omit-lockfile-registry-resolved`: fetched from the configured registry
        (SHA1_BASE, UNADDRESSED),
        # and back: an entry that had no address (npm's bundled packages too) now has
        # its own tarball on the registry
        (BASE | UNADDRESSED, {}),
        # an ordinary upgrade from the same registry
        (SHA1_BASE, {"b": _entry("b", "2.2.0", integrity=OTHER512)}),
        # a new package from the registry
        (BASE, {"c": _entry("c", "0.3.0")}),
        # a scoped package
        (BASE, {"@s__c": _entry("@s/c", "1.0.0")}),
    ],
)
def test_what_is_not_a_new_source(before: dict[str, Any], head: dict[str, Any]) -> None:
    findings = _npm(before, BASE | head)
    assert [f for f in findings if f.rule == "dependency.source-changed"] == []


def test_a_new_transitive_package_from_a_new_host_keeps_full_weight() -> None:
    tarball = "https://evil.example/c.tgz"
    findings = _npm(BASE, BASE | {"c": _entry("c", "0.3.0", resolved=tarball)})
    [moved] = [f for f in findings if f.rule == "dependency.source-changed"]
    assert moved.severity == Severity.MEDIUM
    assert _security(findings)


YARN = """\
# yarn lockfile v1


a@^1.0.0:
  version "1.0.0"
  resolved "https://registry.yarnpkg.com/a/-/a-1.0.0.tgz#abc"
  integrity {integrity}
  dependencies:
    b "^2.0.0"

b@^2.0.0:
  version "2.1.0"
  resolved "{resolved}"
  integrity sha512-bbb==
"""


def _yarn(resolved: str, integrity: str = SHA512) -> str:
    return YARN.replace("{resolved}", resolved).replace("{integrity}", integrity)


def test_yarn_v1_reads_where_each_package_is_fetched_from() -> None:
    registry = "https://registry.yarnpkg.com/b/-/b-2.1.0.tgz#abc"
    [finding] = _detect(("yarn.lock", _yarn(registry), _yarn("git+ssh://git@github.com/x/b.git")))
    assert "now fetched from github.com (git), a host" in finding.message
    assert finding.line == 12  # b's version line
    [high] = _detect(("yarn.lock", _yarn(registry), _yarn(registry, OTHER512)))
    assert high.severity == Severity.HIGH
    assert high.package == "a"


PNPM = """\
lockfileVersion: '9.0'

importers:
  .:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0

packages:
  a@1.0.0:
    resolution: {resolution}

snapshots:
  a@1.0.0: {}
"""


def test_pnpm_reads_tarballs_and_digests() -> None:
    registry = PNPM.replace("{resolution}", f"{{integrity: {SHA512}}}")
    tarball = PNPM.replace("{resolution}", "{tarball: https://evil.example/a.tgz}")
    [moved] = _detect(("pnpm-lock.yaml", registry, tarball))
    assert "now fetched from evil.example" in moved.message
    other = PNPM.replace("{resolution}", f"{{integrity: {OTHER512}}}")
    [high] = _detect(("pnpm-lock.yaml", registry, other))
    assert high.severity == Severity.HIGH


BERRY = """\
__metadata:
  version: 8
  cacheKey: 10c0

"a@npm:^1.0.0":
  version: 1.0.0
  resolution: "a@npm:1.0.0"
  checksum: {checksum}
  languageName: node
  linkType: hard
"""


@pytest.mark.parametrize(
    ("head", "severity"),
    [("10c0/beef", Severity.HIGH), ("8/cafe", None)],  # a new cache key is not new code
)
def test_yarn_berry_compares_checksums_under_one_cache_key(
    head: str, severity: Severity | None
) -> None:
    found = _detect(
        ("yarn.lock", BERRY.replace("{checksum}", "10c0/abcd"), BERRY.replace("{checksum}", head))
    )
    assert [f.severity for f in found] == ([severity] if severity else [])


def _manifest(**deps: str) -> str:
    return json.dumps({"name": "app", "dependencies": deps})


def test_a_package_already_installed_now_asked_for_is_low() -> None:
    findings = _detect(
        ("package.json", _manifest(a="^1.0.0"), _manifest(a="^1.0.0", b="^2.1.0")),
        (
            "package-lock.json",
            _lock({"a": "^1.0.0"}, **BASE),
            _lock({"a": "^1.0.0", "b": "^2.1.0"}, **BASE),
        ),
    )
    [finding] = findings
    assert (finding.rule, finding.severity, finding.change) == (
        "dependency.other",
        Severity.LOW,
        Change.OTHER,
    )
    assert "b ^2.1.0 now asked for directly" in finding.message
    assert "installed before as a transitive dependency, still at 2.1.0" in finding.message
    assert not _security(findings)


def test_naming_an_installed_package_does_not_cheapen_a_hand_added_one() -> None:
    """Asking for `b` (already installed) pulls in nothing, so `c`, added to the
    lockfile alone, keeps its full weight and still calls security."""
    findings = _detect(
        ("package.json", _manifest(a="^1.0.0"), _manifest(a="^1.0.0", b="^2.1.0")),
        (
            "package-lock.json",
            _lock({"a": "^1.0.0"}, **BASE),
            _lock({"a": "^1.0.0", "b": "^2.1.0"}, **BASE, c=_entry("c", "0.3.0")),
        ),
    )
    [added] = [f for f in findings if f.package == "c"]
    assert added.severity == Severity.MEDIUM
    assert "yet nothing that could pull it in changed" in added.message
    assert _security(findings)


def test_a_package_new_to_the_lockfile_is_still_added() -> None:
    findings = _detect(
        ("package.json", _manifest(a="^1.0.0"), _manifest(a="^1.0.0", c="^0.3.0")),
        (
            "package-lock.json",
            _lock({"a": "^1.0.0"}, **BASE),
            _lock({"a": "^1.0.0", "c": "^0.3.0"}, **BASE, c=_entry("c", "0.3.0")),
        ),
    )
    [finding] = findings
    assert (finding.rule, finding.severity) == ("dependency.added", Severity.MEDIUM)
    assert _security(findings)


def test_a_version_is_compared_with_itself_when_its_copy_changes_role() -> None:
    """js-yaml 4.3.2 was the hoisted copy and is a nested one now (3.15.2 hoisted):
    the same version must still have the same digest."""
    nested = "node_modules/x/node_modules/js-yaml"
    before = {"node_modules/js-yaml": _entry("js-yaml", "4.3.2")}
    after = {
        "node_modules/js-yaml": _entry("js-yaml", "3.15.2"),
        nested: _entry("js-yaml", "4.3.2", integrity=OTHER512),
        "node_modules/x": _entry("x", "1.0.0"),
    }

    def lock(packages: dict[str, Any]) -> str:
        return json.dumps({"lockfileVersion": 3, "packages": {"": {}} | packages})

    found = _detect(("package-lock.json", lock(before), lock(after)))
    [high] = [f for f in found if f.rule == "dependency.source-changed"]
    assert (high.package, high.severity) == ("js-yaml", Severity.HIGH)


UV = """\
version = 1
requires-python = ">=3.11"

[[package]]
name = "idna"
version = "3.10"
source = {{ registry = "https://pypi.org/simple" }}
sdist = {{ url = "https://files.pythonhosted.org/packages/f1/70/idna-3.10.tar.gz", hash = "sha256:aaaa" }}
wheels = [
    {{ url = "{wheel}", hash = "{hash}" }},{extra}
]
"""
WHEEL = "https://files.pythonhosted.org/packages/76/c6/idna-3.10-py3-none-any.whl"


def _uv(wheel: str = WHEEL, digest: str = "sha256:bbbb", extra: str = "") -> str:
    return UV.format(wheel=wheel, hash=digest, extra=extra)


@pytest.mark.parametrize(
    ("head", "severity"),
    [
        (_uv(wheel="https://evil.example/idna-3.10-py3-none-any.whl"), Severity.MEDIUM),
        (_uv(digest="sha256:cccc"), Severity.HIGH),
        # a wheel PyPI gained for the release after it was first locked
        (_uv(extra=f'\n    {{ url = "{WHEEL[:-4]}-2.whl", hash = "sha256:dddd" }},'), None),
    ],
)
def test_uv_lock_files_and_hashes(head: str, severity: Severity | None) -> None:
    found = _detect(("uv.lock", _uv(), head))
    assert [f.severity for f in found if f.rule == "dependency.source-changed"] == (
        [severity] if severity else []
    )


CARGO = """\
version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["serde"]

[[package]]
name = "serde"
version = "1.0.210"
source = "{source}"
checksum = "{checksum}"
"""
CRATES = "registry+https://github.com/rust-lang/crates.io-index"


@pytest.mark.parametrize(
    ("source", "checksum", "expected"),
    [
        ("git+https://github.com/evil/serde?rev=1#" + "a" * 40, "ab", "github.com (git)"),
        (CRATES, "cd", "another sha256 digest"),
    ],
)
def test_cargo_lock_sources_and_checksums(source: str, checksum: str, expected: str) -> None:
    base = CARGO.format(source=CRATES, checksum="ab")
    [finding] = [
        f
        for f in _detect(("Cargo.lock", base, CARGO.format(source=source, checksum=checksum)))
        if f.rule == "dependency.source-changed"
    ]
    assert expected in finding.message
    assert finding.package == "serde"


def test_a_tarball_in_the_repository_is_its_own_code() -> None:
    """Ghost's pnpm-lock.yaml locks its own packed components (`file:components/…`),
    rebuilt by the release that changes them: no source, and no digest to keep."""
    local = "{integrity: sha512-%s==, tarball: file:components/a-1.0.0.tgz}"
    base, head = (PNPM.replace("{resolution}", local % c) for c in ("A" * 86, "B" * 86))
    assert _detect(("pnpm-lock.yaml", base, head)) == []


def _esm(fork: str, version: str) -> str:
    """Budibase's yarn.lock: `esm` resolved to a fork through yarn `resolutions`."""
    url = f"https://registry.yarnpkg.com/{fork}/-/{fork}-{version}.tgz#abc"
    return f'esm@^3.2.25:\n  version "{version}"\n  resolved "{url}"\n  integrity sha512-e==\n'


def test_a_package_fetched_as_a_fork_is_a_new_source_once() -> None:
    found = _detect(("yarn.lock", _esm("esm", "3.2.25"), _esm("esm-wallaby", "3.2.32")))
    [replaced] = [f for f in found if f.rule == "dependency.source-changed"]
    assert "esm 3.2.32 is fetched as esm-wallaby/-/esm-wallaby-3.2.32.tgz" in replaced.message
    # the fork's next version, as the base already fetched it: an upgrade, not a source
    upgraded = _detect(("yarn.lock", _esm("esm-wallaby", "3.2.32"), _esm("esm-wallaby", "3.2.35")))
    assert [f.rule for f in upgraded] == ["dependency.patch"]


def test_an_installed_package_asked_for_from_a_repository_is_still_added() -> None:
    findings = _detect(
        ("package.json", _manifest(a="^1.0.0"), _manifest(a="^1.0.0", b="github:evil/b")),
        (
            "package-lock.json",
            _lock({"a": "^1.0.0"}, **BASE),
            _lock({"a": "^1.0.0", "b": "github:evil/b"}, **BASE),
        ),
    )
    [finding] = findings
    assert (finding.rule, finding.severity) == ("dependency.added", Severity.MEDIUM)


def test_a_berry_patch_of_a_registry_package_is_no_new_source() -> None:
    patched = BERRY.replace(
        'resolution: "a@npm:1.0.0"',
        'resolution: "a@patch:a@npm%3A1.0.0#~/.yarn/patches/a-npm-1.0.0-0b1c.patch::version=1.0.0&hash=5f1c"',
    ).replace("{checksum}", "10c0/beef")
    assert _detect(("yarn.lock", BERRY.replace("{checksum}", "10c0/abcd"), patched)) == []


def test_yarn_v1_a_package_already_installed_now_asked_for_is_low() -> None:
    """yarn v1 says only what each package pulls in: `b`, pulled in by `a`, is the
    same entry before and after the manifest asks for it."""
    registry = "https://registry.yarnpkg.com/b/-/b-2.1.0.tgz#abc"
    lock = _yarn(registry)
    findings = _detect(
        ("package.json", _manifest(a="^1.0.0"), _manifest(a="^1.0.0", b="^2.0.0")),
        (
            "yarn.lock",
            lock,
            lock.replace("  integrity sha512-bbb==\n", "  integrity sha512-bbb==\n\n"),
        ),
    )
    [finding] = findings
    assert (finding.rule, finding.severity) == ("dependency.other", Severity.LOW)
    assert "b ^2.0.0 now asked for directly" in finding.message


def _berry_esm(resolution: str) -> str:
    """yarn berry's lockfile with `esm` replaced by a fork through `resolutions`."""
    return (
        BERRY.replace('"a@npm:^1.0.0":', '"esm@npm:esm-wallaby@^3.2.25":')
        .replace('resolution: "a@npm:1.0.0"', f'resolution: "{resolution}"')
        .replace("{checksum}", "10c0/abcd")
    )


def test_yarn_berry_reads_a_package_resolved_as_another() -> None:
    plain = _berry_esm("esm@npm:3.2.25")
    [finding] = _detect(("yarn.lock", plain, _berry_esm("esm-wallaby@npm:3.2.32")))
    assert "esm 1.0.0 is fetched as esm-wallaby (an alias), another package" in finding.message
    assert finding.rule == "dependency.source-changed"
    # the fork's next version, as the base already resolved it: no new source
    moved = _berry_esm("esm-wallaby@npm:3.2.35").replace("version: 1.0.0", "version: 1.0.1")
    found = _detect(("yarn.lock", _berry_esm("esm-wallaby@npm:3.2.32"), moved))
    assert [f.rule for f in found] == ["dependency.patch"]


GO_SUM = """\
golang.org/x/net v0.30.0 h1:{net}
golang.org/x/net v0.30.0/go.mod h1:2WdyOJ8pl5vSLJnz1Pr3LAtPjmcHLIXhP8uXfNqoDb0=
corp.example/auth v1.2.0 h1:{auth}
"""


def test_go_sum_a_module_version_with_another_hash_is_high() -> None:
    """A private module (GOPRIVATE) has no checksum database behind it: go.sum is what
    says which code v1.2.0 is."""
    base = GO_SUM.format(net="AAAA=", auth="BBBB=")
    found = _detect(("go.sum", base, GO_SUM.format(net="AAAA=", auth="CCCC=")))
    [finding] = [f for f in found if f.rule == "dependency.source-changed"]
    assert (finding.rule, finding.severity, finding.line) == (
        "dependency.source-changed",
        Severity.HIGH,
        3,
    )
    assert finding.message.startswith("corp.example/auth v1.2.0 has another hash")
    # a new version's line is no change of hash
    added = base + "corp.example/auth v1.3.0 h1:DDDD=\n"
    assert [f for f in _detect(("go.sum", base, added)) if f.severity == Severity.HIGH] == []


def _composer_lock(
    version: str, reference: str, url: str = "https://github.com/guzzle/psr7.git"
) -> str:
    package = {
        "name": "guzzlehttp/psr7",
        "version": version,
        "source": {"type": "git", "url": url, "reference": reference},
        "dist": {
            "type": "zip",
            "url": f"https://api.github.com/repos/guzzle/psr7/zipball/{reference}",
            "reference": reference,
            "shasum": "",
        },
    }
    return json.dumps({"packages": [package], "packages-dev": []})


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (_composer_lock("2.7.0", "b" * 40), "another commit digest"),  # the tag moved
        (
            _composer_lock("2.7.0", "a" * 40, "https://git.evil.example/psr7.git"),
            "now fetched from git.evil.example",
        ),
    ],
)
def test_composer_lock_a_moved_tag_or_another_repository(head: str, expected: str) -> None:
    [finding] = _detect(("composer.lock", _composer_lock("2.7.0", "a" * 40), head))
    assert finding.rule == "dependency.source-changed"
    assert expected in finding.message


def test_composer_lock_a_branch_version_moves_with_every_update() -> None:
    base, head = _composer_lock("dev-main", "a" * 40), _composer_lock("dev-main", "b" * 40)
    assert _detect(("composer.lock", base, head)) == []


def _pipfile_lock(digest: str) -> str:
    entry = {"hashes": [f"sha256:{digest}"], "version": "==2.32.3"}
    return json.dumps({"_meta": {}, "default": {"requests": entry}, "develop": {}})


def _nuget_lock(digest: str) -> str:
    entry = {
        "type": "Direct",
        "requested": "[13.0.3, )",
        "resolved": "13.0.3",
        "contentHash": digest,
    }
    return json.dumps({"version": 1, "dependencies": {"net8.0": {"Newtonsoft.Json": entry}}})


def _mix_lock(repo: str, digest: str) -> str:
    inner = "1" * 64
    return (
        '%{\n  "jason": {:hex, :jason, "1.4.1", "'
        + inner
        + '", [:mix], [{:decimal, "~> 2.0", [hex: :decimal, repo: "hexpm", optional: true]}], "'
        + repo
        + '", "'
        + digest
        + '"},\n}\n'
    )


def _gemfile_lock(remote: str, digest: str) -> str:
    return (
        f"GEM\n  remote: {remote}\n  specs:\n    rack (3.0.8)\n\nPLATFORMS\n  ruby\n\n"
        f"DEPENDENCIES\n  rack\n\nCHECKSUMS\n  rack (3.0.8) sha256={digest}\n\n"
        "BUNDLED WITH\n   2.5.3\n"
    )


@pytest.mark.parametrize(
    ("path", "base", "head", "expected"),
    [
        ("Pipfile.lock", _pipfile_lock("aa"), _pipfile_lock("bb"), "another sha256 digest"),
        ("packages.lock.json", _nuget_lock("AA=="), _nuget_lock("BB=="), "another sha512 digest"),
        ("mix.lock", _mix_lock("hexpm", "a" * 64), _mix_lock("hexpm", "b" * 64), "another sha256"),
        (
            "mix.lock",
            _mix_lock("hexpm", "a" * 64),
            _mix_lock("hexpm:evilcorp", "a" * 64),
            "now fetched from evilcorp (hexpm)",
        ),
        (
            "Gemfile.lock",
            _gemfile_lock("https://rubygems.org/", "aa"),
            _gemfile_lock("https://rubygems.org/", "bb"),
            "another sha256 digest",
        ),
        (
            "Gemfile.lock",
            _gemfile_lock("https://rubygems.org/", "aa"),
            _gemfile_lock("https://gems.evil.example/", "aa"),
            "now fetched from gems.evil.example",
        ),
    ],
)
def test_other_lockfiles_say_where_and_what(path: str, base: str, head: str, expected: str) -> None:
    found = [f for f in _detect((path, base, head)) if f.rule == "dependency.source-changed"]
    assert len(found) == 1
    assert expected in found[0].message


def test_uv_a_git_source_written_beside_the_files_it_had_is_where_it_comes_from() -> None:
    """Found by bench_lockfile_origins: only `source` changed to a repository, the sdist
    and wheels left as they were. uv fetches from the repository then."""
    base = _uv()
    head = base.replace(
        'source = { registry = "https://pypi.org/simple" }',
        'source = { git = "https://github.com/evil/idna?rev=main#' + "a" * 40 + '" }',
    )
    [finding] = [
        f for f in _detect(("uv.lock", base, head)) if f.rule == "dependency.source-changed"
    ]
    assert "now fetched from github.com" in finding.message
