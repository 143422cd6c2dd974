"""Lockfile injection: is a package fetched from elsewhere, or as other code, at the
version already locked, found — and are real lockfile changes left alone?

The lockfiles are real and made at run time: for each package below, the runtime
dependencies of its last published versions (from the npm registry) are locked by
npm (`npm install --package-lock-only`, `resolved` kept), by pnpm 9 (`pnpm install
--lockfile-only`) and by yarn 1 (`yarn install`), each version in a directory of its
own (cached in bench/.cache/origins). Then, through the dependencies detector:

- **false alarms**: each version's lockfile against the next one's (real upgrades,
  additions, removals), and against legitimate rewrites of itself (npm's registry
  written as yarn's and yarn's as npm's, `resolved` omitted as
  `omit-lockfile-registry-resolved` writes it, an integrity algorithm added beside the
  old one, yarn's `#sha1` fragment left out); any
  `dependency.source-changed` here is wrong;
- **recall**: up to 12 packages of each head that the real change left alone, each
  tampered one way at a time in the head — fetched from another host, as another
  package's tarball on the registry (a real address from the same lockfile), with
  another package's digest (a real one), from a git repository — must each give one
  `dependency.source-changed` that names the package.

    python bench/bench_lockfile_origins.py
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.detect.base import Finding  # noqa: E402
from app.detect.dependencies import DependenciesDetector  # noqa: E402
from bench.bench_dependencies import modified  # noqa: E402
from bench.bench_noise import releases  # noqa: E402
from bench.registry import CACHE  # noqa: E402

# Applications and tools with a few dozen to a few hundred runtime packages.
PACKAGES = {
    "@semantic-release/github": 3,
    "@octokit/auth-app": 3,
    "probot": 3,
    "express": 3,
    "fastify": 3,
    "eslint": 3,
}
# Python projects, locked by uv from PyPI: a project that asks for the package itself.
PY_PACKAGES = {"httpx": 3, "flask": 3, "fastapi": 3, "celery": 3, "black": 3, "rich": 3}
PNPM = "pnpm@9.15.0"
YARN = "yarn@1.22.22"
BERRY = "@yarnpkg/cli-dist@4.5.3"
LOCKFILES = {
    "npm": "package-lock.json",
    "pnpm": "pnpm-lock.yaml",
    "yarn": "yarn.lock",
    "berry": "yarn.lock",
    "uv": "uv.lock",
    "poetry": "poetry.lock",
}
SAMPLED = 12
HOST = "https://npm.evil.example"
DETECTOR = DependenciesDetector()
RULE = "dependency.source-changed"


def npm(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["npm", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=600
    )
    return done.stdout


def last_versions(name: str, count: int) -> list[str]:
    """The last `count` stable versions, in publishing order."""
    times = json.loads(npm("view", name, "time", "--json"))
    stable = [v for v in times if re.fullmatch(r"\d+\.\d+\.\d+", v)]
    return sorted(stable, key=lambda v: times[v])[-count:]


def py_versions(name: str, count: int) -> list[str]:
    """The last `count` final releases on PyPI, oldest first."""
    return [version for version, _ in releases(name, count)]


def uv() -> str:
    """uv from PyPI, in a virtual environment of the bench's own."""
    venv = CACHE / "uv-venv"
    if not (venv / "bin" / "uv").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", "uv"]
        subprocess.run(pip, check=True, capture_output=True)
    return str(venv / "bin" / "uv")


def poetry() -> str:
    """Poetry from PyPI, installed by the bench's uv into an environment of its own."""
    venv = CACHE / "poetry-venv"
    if not (venv / "bin" / "poetry").exists():
        subprocess.run([uv(), "venv", "-q", str(venv)], check=True, capture_output=True)
        install = [uv(), "pip", "install", "-q", "--python", str(venv / "bin" / "python")]
        subprocess.run([*install, "poetry"], check=True, capture_output=True)
    return str(venv / "bin" / "poetry")


def locked(name: str, version: str, tool: str) -> str:
    """The lockfile `tool` writes for `name@version`'s runtime dependencies."""
    where = CACHE / "origins" / tool / f"{name.replace('/', '__')}@{version}"
    lockfile = where / LOCKFILES[tool]
    if not lockfile.exists():
        where.mkdir(parents=True, exist_ok=True)
        if tool not in ("uv", "poetry"):
            deps = json.loads(npm("view", f"{name}@{version}", "dependencies", "--json") or "{}")
            manifest = {"name": "bench-app", "version": "1.0.0", "dependencies": deps}
            (where / "package.json").write_text(json.dumps(manifest))
        quiet = ["--ignore-scripts"]
        if tool == "npm":
            npm("install", "--package-lock-only", "--legacy-peer-deps", "--no-audit", *quiet,
                "--omit-lockfile-registry-resolved=false", cwd=where)  # fmt: skip
        elif tool in ("uv", "poetry"):
            (where / "pyproject.toml").write_text(
                '[project]\nname = "bench-app"\nversion = "1.0.0"\n'
                f'requires-python = ">=3.11"\ndependencies = ["{name}=={version}"]\n'
                "\n[tool.poetry]\npackage-mode = false\n"
            )
            command = [uv(), "lock", "-q"] if tool == "uv" else [poetry(), "lock", "-q"]
            subprocess.run(command, cwd=where, check=True, capture_output=True, timeout=600)
        elif tool == "berry":  # checksums need the packages: fetched, not built
            (where / ".yarnrc.yml").write_text("nodeLinker: node-modules\nenableTelemetry: false\n")
            lockfile.touch()
            subprocess.run(
                ["npx", "--yes", BERRY, "install", "--mode=skip-build"],
                cwd=where, check=True, capture_output=True, timeout=600,
                env=os.environ | {"YARN_ENABLE_IMMUTABLE_INSTALLS": "false"},
            )  # fmt: skip
        else:
            command = {
                "pnpm": [PNPM, "install", "--lockfile-only"],
                "yarn": [YARN, "install", "--no-progress", "--non-interactive", "--ignore-engines"],
            }[tool]
            subprocess.run(
                ["npx", "--yes", *command, *quiet],
                cwd=where, check=True, capture_output=True, timeout=600,
            )  # fmt: skip
            shutil.rmtree(where / "node_modules", ignore_errors=True)  # yarn v1 installs
    return lockfile.read_text()


def detect(path: str, base: str, head: str) -> list[Finding]:
    return DETECTOR.detect([modified(path, base, head)], DETECTOR.settings_model())


# Tamperings: (lockfile text, package, version, a donor package's entry) -> text.
Tamper = Callable[[str, str, str, dict[str, str]], str]


def _npm_edit(text: str, name: str, **fields: str) -> str:
    data = json.loads(text)
    data["packages"][f"node_modules/{name}"].update(fields)
    return json.dumps(data, indent=2)


NPM_TAMPERINGS: dict[str, Tamper] = {
    "another host": lambda t, n, v, d: _npm_edit(
        t, n, resolved=f"{HOST}/{n}/-/{n.rpartition('/')[2]}-{v}.tgz"
    ),
    "another package's tarball": lambda t, n, v, d: _npm_edit(t, n, resolved=d["resolved"]),
    "another package's digest": lambda t, n, v, d: _npm_edit(t, n, integrity=d["integrity"]),
    "a git repository": lambda t, n, v, d: _npm_edit(
        t, n, resolved=f"git+ssh://git@github.com/evil/{n.rpartition('/')[2]}.git#{'a' * 40}"
    ),
}
NPM_REWRITES: dict[str, Callable[[str], str]] = {
    "yarn's registry name": lambda t: t.replace(
        "https://registry.npmjs.org/", "https://registry.yarnpkg.com/"
    ),
    "resolved omitted": lambda t: re.sub(r'\n\s*"resolved": "[^"]*",', "", t),
    "sha1 added beside sha512": lambda t: re.sub(
        r'"integrity": "(sha512-[^"]*)"', r'"integrity": "\1 sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA="', t
    ),
}


def _pnpm_edit(text: str, name: str, version: str, resolution: str) -> str:
    key = re.escape(f"{name}@{version}")
    pattern = rf"(\n  '?{key}'?:\n    resolution: )\{{[^\n]*\}}"
    edited, count = re.subn(pattern, lambda m: m.group(1) + resolution, text, count=1)
    assert count == 1, f"{name}@{version} not found"
    return edited


PNPM_TAMPERINGS: dict[str, Tamper] = {
    "another host": lambda t, n, v, d: _pnpm_edit(
        t, n, v, f"{{integrity: {d['integrity']}, tarball: {HOST}/{n}.tgz}}"
    ),
    "another package's tarball": lambda t, n, v, d: _pnpm_edit(
        t, n, v, f"{{integrity: {d['integrity']}, tarball: {d['tarball']}}}"
    ),
    "another package's digest": lambda t, n, v, d: _pnpm_edit(
        t, n, v, f"{{integrity: {d['integrity']}}}"
    ),
    "a git repository": lambda t, n, v, d: _pnpm_edit(
        t, n, v, f"{{commit: {'a' * 40}, repo: https://github.com/evil/x, type: git}}"
    ),
}


# A yarn v1 entry: its header (the package's first spec), version, resolved, integrity.
_YARN_ENTRY = re.compile(
    r'^"?((?:@[^@\s/"]+/)?[^@\s"]+)@[^\n]*:\n  version "([^"]+)"\n'
    r'  resolved "([^"]+)"\n  integrity (\S+)',
    re.MULTILINE,
)


def yarn_entries(text: str) -> dict[str, dict[str, str]]:
    out = {}
    for found in _YARN_ENTRY.finditer(text):
        name, version, resolved, integrity = found.groups()
        out[name] = {"version": version, "resolved": resolved, "integrity": integrity}
    return out


def _yarn_edit(text: str, name: str, version: str, field: str, value: str) -> str:
    """`field` (resolved or integrity) of `name`'s entry at `version` set to `value`."""
    for found in _YARN_ENTRY.finditer(text):
        if found.group(1) == name and found.group(2) == version:
            group = 3 if field == "resolved" else 4
            start, end = found.span(group)
            return text[:start] + value + text[end:]
    raise AssertionError(f"{name}@{version} not found")


YARN_TAMPERINGS: dict[str, Tamper] = {
    "another host": lambda t, n, v, d: _yarn_edit(
        t, n, v, "resolved", f"{HOST}/{n}/-/{n.rpartition('/')[2]}-{v}.tgz#{'0' * 40}"
    ),
    "another package's tarball": lambda t, n, v, d: _yarn_edit(t, n, v, "resolved", d["resolved"]),
    "another package's digest": lambda t, n, v, d: _yarn_edit(t, n, v, "integrity", d["integrity"]),
    "a git repository": lambda t, n, v, d: _yarn_edit(
        t, n, v, "resolved", f"git+ssh://git@github.com/evil/{n.rpartition('/')[2]}.git#{'a' * 40}"
    ),
}


def berry_entries(text: str) -> dict[str, dict[str, str]]:
    """yarn berry's registry packages: name -> {version, resolution, checksum}."""
    out = {}
    for block in text.split("\n\n"):
        fields = dict(_BERRY_FIELD.findall(block))
        header = block.lstrip().split("\n", 1)[0].strip('":')
        name = header[: header.find("@", 1)]
        if "@npm:" in header and {"version", "resolution", "checksum"} <= fields.keys():
            out[name] = {k: fields[k].strip('"') for k in ("version", "resolution", "checksum")}
    return out


_BERRY_FIELD = re.compile(r"^  (version|resolution|checksum): (.+)$", re.MULTILINE)


def _berry_edit(text: str, name: str, version: str, field: str, value: str) -> str:
    """`field` of `name`'s block at `version` set to `value`."""
    blocks = text.split("\n\n")
    for index, block in enumerate(blocks):
        header = block.lstrip().split("\n", 1)[0]
        if header.startswith((f'"{name}@', f"{name}@")) and f"\n  version: {version}\n" in block:
            blocks[index] = re.sub(rf"^  {field}: .+$", f"  {field}: {value}", block, flags=re.M)
            return "\n\n".join(blocks)
    raise AssertionError(f"{name}@{version} not found")


BERRY_TAMPERINGS: dict[str, Tamper] = {
    "another host": lambda t, n, v, d: _berry_edit(
        t, n, v, "resolution", f'"{n}@{HOST}/{n.rpartition("/")[2]}-{v}.tgz"'
    ),
    "another package's tarball": lambda t, n, v, d: _berry_edit(
        t, n, v, "resolution", f'"{d["resolution"]}"'
    ),
    "another package's digest": lambda t, n, v, d: _berry_edit(t, n, v, "checksum", d["checksum"]),
    "a git repository": lambda t, n, v, d: _berry_edit(
        t,
        n,
        v,
        "resolution",
        f'"{n}@https://github.com/evil/{n.rpartition("/")[2]}.git#commit={"a" * 40}"',
    ),
}
BERRY_REWRITES: dict[str, Callable[[str], str]] = {
    # yarn 4 after a cache-key change: every checksum recomputed under another key
    "another cache key": lambda t: t.replace("checksum: 10c0/", "checksum: 10/"),
}


def uv_entries(text: str) -> dict[str, dict[str, str]]:
    """uv's registry packages: name -> {version, sdist, hash}."""
    out = {}
    for package in tomllib.loads(text).get("package", []):
        sdist = package.get("sdist") or {}
        if "registry" in (package.get("source") or {}) and "url" in sdist:
            out[package["name"]] = {
                "version": package["version"],
                "sdist": sdist["url"],
                "hash": sdist["hash"],
            }
    return out


def _uv_git(text: str, name: str, version: str) -> str:
    registry = 'source = { registry = "https://pypi.org/simple" }'
    block = f'name = "{name}"\nversion = "{version}"\n{registry}'
    assert block in text, f"{name} {version} not found"
    git = f'source = {{ git = "https://github.com/evil/{name}?rev=main#{"a" * 40}" }}'
    return text.replace(block, block.replace(registry, git), 1)


UV_TAMPERINGS: dict[str, Tamper] = {
    "another host": lambda t, n, v, d: t.replace(
        uv_entries(t)[n]["sdist"], f"{HOST}/{n}-{v}.tar.gz"
    ),
    "another package's tarball": lambda t, n, v, d: t.replace(
        uv_entries(t)[n]["sdist"], d["sdist"]
    ),
    "another package's digest": lambda t, n, v, d: t.replace(uv_entries(t)[n]["hash"], d["hash"]),
    "a git repository": lambda t, n, v, d: _uv_git(t, n, v),
}
UV_REWRITES: dict[str, Callable[[str], str]] = {
    # a wheel PyPI gained for each release after it was first locked
    "a wheel added to every release": lambda t: t.replace(
        "wheels = [\n",
        'wheels = [\n    { url = "https://files.pythonhosted.org/packages/00/00/late-1.0-py3-'
        'none-any.whl", hash = "sha256:00", size = 1 },\n',
    ),
}


def poetry_entries(text: str) -> dict[str, dict[str, str]]:
    """Poetry's packages from the default source: name -> {version, hash}."""
    out = {}
    for package in tomllib.loads(text).get("package", []):
        files = package.get("files") or []
        if files and "source" not in package:
            out[package["name"]] = {"version": package["version"], "hash": files[0]["hash"]}
    return out


def _poetry_source(text: str, name: str, version: str, table: str) -> str:
    """A `[package.source]` table written into `name`'s entry (before the next one)."""
    start = text.index(f'\nname = "{name}"\nversion = "{version}"\n')
    end = text.find("\n[[package]]", start)
    end = len(text) if end < 0 else end
    return text[:end].rstrip("\n") + f"\n\n[package.source]\n{table}\n" + text[end:]


POETRY_TAMPERINGS: dict[str, Tamper] = {
    "another host": lambda t, n, v, d: _poetry_source(
        t, n, v, f'type = "legacy"\nurl = "{HOST}/simple"\nreference = "evil"'
    ),
    "another package's digest": lambda t, n, v, d: t.replace(
        poetry_entries(t)[n]["hash"], d["hash"], 1
    ),
    "a git repository": lambda t, n, v, d: _poetry_source(
        t,
        n,
        v,
        f'type = "git"\nurl = "https://github.com/evil/{n}.git"\nreference = "main"\n'
        f'resolved_reference = "{"a" * 40}"',
    ),
}
YARN_REWRITES: dict[str, Callable[[str], str]] = {
    "npm's registry name": lambda t: t.replace(
        "https://registry.yarnpkg.com/", "https://registry.npmjs.org/"
    ),
    "the sha1 fragment left out": lambda t: re.sub(r'(resolved "[^"#]*)#[0-9a-f]+"', r'\1"', t),
}


def npm_entries(text: str) -> dict[str, dict[str, str]]:
    """Top-level packages: name -> {version, resolved, integrity}."""
    out = {}
    for path, info in json.loads(text)["packages"].items():
        if path.count("node_modules/") == 1 and "resolved" in info and "integrity" in info:
            out[path.removeprefix("node_modules/")] = info
    return out


_PNPM_ENTRY = re.compile(
    r"\n  '?([^\s']+)@([^@\s':]+)'?:\n    resolution: \{integrity: ([^}\s]+)\}"
)


def pnpm_entries(text: str) -> dict[str, dict[str, str]]:
    out = {}
    for found in _PNPM_ENTRY.finditer(text):
        name, version, integrity = found.groups()
        tail = name.rpartition("/")[2]
        tarball = f"https://registry.npmjs.org/{name}/-/{tail}-{version}.tgz"
        out[name] = {"version": version, "integrity": integrity, "tarball": tarball}
    return out


def main() -> None:
    tools = {
        "npm": ("package-lock.json", NPM_TAMPERINGS, npm_entries, NPM_REWRITES),
        "pnpm": ("pnpm-lock.yaml", PNPM_TAMPERINGS, pnpm_entries, {}),
        "yarn": ("yarn.lock", YARN_TAMPERINGS, yarn_entries, YARN_REWRITES),
        "berry": ("yarn.lock", BERRY_TAMPERINGS, berry_entries, BERRY_REWRITES),
        "uv": ("uv.lock", UV_TAMPERINGS, uv_entries, UV_REWRITES),
        "poetry": ("poetry.lock", POETRY_TAMPERINGS, poetry_entries, {}),
    }
    rng = random.Random(13)
    for tool, (path, tamperings, entries, rewrites) in tools.items():
        found: Counter[str] = Counter()
        tried: Counter[str] = Counter()
        pairs = wrong = rewritten = wrong_rewrites = real_findings = 0
        python = tool in ("uv", "poetry")
        for name, count in (PY_PACKAGES if python else PACKAGES).items():
            versions = py_versions(name, count) if python else last_versions(name, count)
            texts = [locked(name, version, tool) for version in versions]
            for base, head in itertools.pairwise(texts):
                pairs += 1
                real = detect(path, base, head)
                real_findings += len(real)
                wrong += sum(f.rule == RULE for f in real)
                for rewrite in rewrites.values():
                    rewritten += 1
                    wrong_rewrites += sum(f.rule == RULE for f in detect(path, head, rewrite(head)))
                before, after = entries(base), entries(head)
                kept = sorted(n for n, e in after.items() if before.get(n) == e)
                for victim in rng.sample(kept, min(SAMPLED, len(kept))):
                    donor = after[rng.choice([n for n in after if n != victim])]
                    for kind, tamper in tamperings.items():
                        tampered = tamper(head, victim, after[victim]["version"], donor)
                        hits = [
                            f
                            for f in detect(path, base, tampered)
                            if f.rule == RULE
                            and victim in (f.package, *f.extra.get("packages", ()))
                        ]
                        tried[kind] += 1
                        found[kind] += bool(hits)
        print(f"{tool} ({path}): {pairs} real version-to-version pairs, {real_findings} findings")
        print(f"  false alarms: {wrong} source-changed findings on the real pairs")
        if rewrites:
            print(f"  false alarms: {wrong_rewrites} on {rewritten} legitimate rewrites")
        for kind in tamperings:
            print(f"  recall, {kind}: {found[kind]}/{tried[kind]}")
        total = sum(found.values())
        print(f"  recall, all: {total}/{sum(tried.values())} ({total / sum(tried.values()):.3f})")


if __name__ == "__main__":
    if shutil.which("npm") is None:
        sys.exit("npm is needed: the lockfiles are made by npm and pnpm at run time")
    main()
