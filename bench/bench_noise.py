"""How often the built-in defaults call each role on ordinary changes, and why.

The corpus is rebuilt at run time from PyPI (nothing is vendored): for each package
below, its last published source distributions in version order are committed to a
local git repository, one commit per release, and each release-to-release diff is
read the way `release-roles check --base vA --head vB` reads it (whole files
included), under the built-in defaults. Patch releases are the closest public
stand-in for a team's ordinary commits: bug fixes, docs, tests, small features.

It prints, per package and overall, how many diffs require each role, and for
security the rules that made it required (the lead finding of each ping), so every
ping can be read and judged: `--show security` lists them one by one.

    python bench/bench_noise.py                  # the table
    python bench/bench_noise.py --show security  # each ping with its findings
    python bench/bench_noise.py --corpus apps    # applications instead of libraries
    python bench/bench_noise.py --corpus node-apps  # Node applications from npm
    python bench/bench_noise.py --corpus per-pr  # a release for every merged PR
    python bench/bench_noise.py --corpus per-pr-locked  # its npm ones with lockfiles
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import shutil
import subprocess
import sys
import tarfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.detect.registry import run_detectors  # noqa: E402
from app.local.git import Range, Repo  # noqa: E402
from app.policy.evaluate import RoleDecision, evaluate  # noqa: E402
from app.policy.facts import PullFacts  # noqa: E402
from app.policy.loading import default_config  # noqa: E402
from bench.registry import CACHE  # noqa: E402

# Libraries and frameworks of the kinds teams build on: web, HTTP, CLI, data, tooling.
# A few of them hold real auth code (werkzeug's security helpers, django-style
# frameworks): a ping there can be right, which is what --show is for.
LIBRARIES = {
    "flask": 20,
    "werkzeug": 20,
    "click": 20,
    "jinja2": 20,
    "requests": 20,
    "urllib3": 20,
    "httpx": 20,
    "starlette": 20,
    "celery": 20,
    "gunicorn": 16,
    "attrs": 20,
    "rich": 20,
    "black": 20,
    "structlog": 20,
    "alembic": 20,
    "marshmallow": 20,
}
# Applications whose releases are published as sdists: what a team that runs a product
# changes (views, templates, migrations, settings, login), rather than libraries whose
# product is HTTP and auth code. Most are Django or Flask apps with users and logins.
APPS = {
    "wagtail": 20,
    "misago": 20,
    "ckan": 20,
    "octoprint": 20,
    "calibreweb": 16,
    "postorius": 20,
    "hyperkitty": 20,
    "mailman": 20,
    "changedetection.io": 20,
    "datasette": 20,
    "radicale": 20,
    "archivebox": 20,
    "locust": 20,
    "buildbot": 20,
    "lemur": 20,
    "glances": 20,
}
# Node applications whose npm packages ship their server's source (not only a bundle):
# Ghost (members, sessions, staff 2FA, Knex migrations; its admin client ships built),
# Node-RED's editor API and runtime (its auth, sessions and permissions), Ghost's
# members API, Budibase's server. JavaScript and TypeScript through the same rules.
NODE_APPS = {
    "npm:ghost": 20,
    "npm:@node-red/editor-api": 20,
    "npm:@node-red/runtime": 20,
    "npm:@tryghost/members-api": 20,
    "npm:@budibase/server": 17,
}
# Projects that publish a release for every pull request they merge (Hypothesis by its
# documented process; commitizen by `cz bump` on each merge; python-semantic-release,
# semantic-release and its plugins, Octokit's packages and Renovate by semantic-release
# itself): a release-to-release diff is one merged change plus its version bump, the
# granularity the App sees, where the corpora above bundle weeks of work into one diff.
# Only changes that release are here (a `fix`/`feat`, not docs, tests or CI alone), so
# the rates are an upper bound for a project's pull requests.
PER_PR = {
    "hypothesis": 20,
    "commitizen": 20,
    "python-semantic-release": 20,
    "npm:semantic-release": 20,
    "npm:@semantic-release/github": 20,
    "npm:@semantic-release/npm": 20,
    "npm:@semantic-release/commit-analyzer": 20,
    "npm:@semantic-release/release-notes-generator": 20,
    "npm:@octokit/core": 20,
    "npm:@octokit/auth-app": 20,
    "npm:renovate": 20,
}
# The npm projects of the per-PR corpus as their pull requests carry them: with a
# package-lock.json beside package.json (their repositories commit one; the npm
# package ships none), made at run time by npm from each release's package.json
# (`npm install --package-lock-only`, dependencies resolved as of the run, devDependencies
# included as in the repository). A lockfile resolved today is not the one the project
# had, but one PR's change to it is the same kind: what the manifest's change brings in.
PER_PR_LOCKED = {name: count for name, count in PER_PR.items() if name.startswith("npm:")}
CORPORA = {
    "libraries": LIBRARIES,
    "apps": APPS,
    "node-apps": NODE_APPS,
    "per-pr": PER_PR,
    "per-pr-locked": PER_PR_LOCKED,
}
NOISE = CACHE / "noise"


@dataclass(frozen=True)
class Pair:
    package: str
    base: str
    head: str


def _json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=60) as answer:
        data: dict[str, object] = json.load(answer)
        return data


def releases(name: str, count: int) -> list[tuple[str, str]]:
    """(version, sdist URL) of the last `count` final releases with a source distribution
    (`npm:name`: the package's tarballs from the npm registry)."""
    if name.startswith("npm:"):
        return npm_releases(name.removeprefix("npm:"), count)
    index = f"https://pypi.org/pypi/{name}/json"
    listing = _json(index)["releases"]
    assert isinstance(listing, dict)
    candidates = []
    for text, files in listing.items():
        sdists = [f["url"] for f in files if f["packagetype"] == "sdist" and not f["yanked"]]
        if sdists:  # a mirror may answer with URLs relative to the JSON's own
            candidates.append((text, urllib.parse.urljoin(index, sdists[0])))
    return _latest(candidates, count)


def npm_releases(name: str, count: int) -> list[tuple[str, str]]:
    listing = _json(f"https://registry.npmjs.org/{urllib.parse.quote(name, safe='@')}")
    versions = listing["versions"]
    assert isinstance(versions, dict)
    # npm's prereleases carry a `-` (1.0.0-beta.1), which PEP 440 may still parse
    tarballs = [(t, meta["dist"]["tarball"]) for t, meta in versions.items() if "-" not in t]
    return _latest(tarballs, count)


def _latest(candidates: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    """The last `count` final releases among (version, URL) pairs, oldest first."""
    found = []
    for text, url in candidates:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if not version.is_prerelease and not version.is_devrelease:
            found.append((version, url))
    found.sort()
    return [(str(v), url) for v, url in found[-count:]]


def _download(url: str) -> Path:
    path = NOISE / "sdists" / url.rsplit("/", 1)[1]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(url, timeout=120) as answer:
            path.write_bytes(answer.read())
    return path


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True)
    return done.stdout.decode()


def history(name: str, count: int, locked: bool = False) -> tuple[Path, list[str]]:
    """A git repository with one commit per release, tagged with the version (`locked`:
    with a package-lock.json npm makes for each release that ships none)."""
    versions = releases(name, count)
    repo = NOISE / "repos" / (name.replace("/", "__").replace(":", "-") + "-locked" * locked)
    stamp = repo / ".git" / "bench-versions"
    wanted = " ".join(v for v, _ in versions)
    if stamp.exists() and stamp.read_text() == wanted:
        return repo, [v for v, _ in versions]
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    _git(repo, "init", "-q")
    for version, url in versions:
        _commit_release(repo, _download(url), version, locked)
    stamp.write_text(wanted)
    return repo, [v for v, _ in versions]


def _commit_release(repo: Path, sdist: Path, version: str, locked: bool = False) -> None:
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/", 1)
            if len(parts) == 2 and parts[1] and (member.isfile() or member.isdir()):
                member.name = parts[1]
                tar.extract(member, repo, filter="data")
    if locked and not (repo / "package-lock.json").exists():
        _lock(repo, _git_file(repo, "HEAD", "package-lock.json"))
    _git(repo, "add", "-A")
    env = ("-c", "user.name=bench", "-c", "user.email=bench@example.invalid")
    _git(repo, *env, "commit", "-q", "--allow-empty", "-m", version)
    _git(repo, "tag", "-f", f"v{version}")


def _git_file(repo: Path, rev: str, path: str) -> str | None:
    done = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=repo, capture_output=True)
    return done.stdout.decode() if done.returncode == 0 else None


def _lock(repo: Path, previous: str | None) -> None:
    """A package-lock.json for the release's package.json, as npm resolves it now,
    updating the previous release's as `npm install` updates a branch's: what the
    manifest's change needs moves, the rest stays."""
    if previous is not None:
        (repo / "package-lock.json").write_text(previous)
    manifest = json.loads((repo / "package.json").read_text())
    manifest.pop("workspaces", None)  # the package is one workspace of its repository
    (repo / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    flags = ["--ignore-scripts", "--legacy-peer-deps", "--no-audit", "--no-fund"]
    flags.append("--omit-lockfile-registry-resolved=false")  # as npm writes it by default
    done = subprocess.run(
        ["npm", "install", "--package-lock-only", *flags],
        cwd=repo, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    if done.returncode != 0:
        print(f"  (no lockfile for {repo.name}: {done.stderr.strip()[-200:]})", file=sys.stderr)


def evaluate_pair(repo: Path, pair: Pair) -> tuple[dict[str, RoleDecision], int]:
    """Each role's decision, and the diff's size in changed lines."""
    git = Repo(repo)
    span = Range(git.resolve(f"v{pair.base}"), git.resolve(f"v{pair.head}"), "")
    files = git.changed_files(span)
    config = default_config().config
    findings = run_detectors(files, config.detectors.by_name())
    decision = evaluate(config, files, findings, PullFacts(author="dev"))
    size = sum(f.additions + f.deletions for f in files)
    return {role.key: role for role in decision.roles}, size


# A release diff bundles many commits; its size says how many. Small ones are the
# closest stand-in for a team's ordinary pull requests.
SIZES = ((200, "<= 200 lines"), (1000, "201-1,000"), (5000, "1,001-5,000"), (None, "> 5,000"))


def size_bucket(size: int) -> str:
    return next(label for limit, label in SIZES if limit is None or size <= limit)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", metavar="ROLE", help="list each diff that requires ROLE")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="libraries")
    args = parser.parse_args()
    per_package: dict[str, collections.Counter[str]] = {}
    lead_rules: collections.Counter[str] = collections.Counter()
    by_size: dict[str, collections.Counter[str]] = {
        label: collections.Counter() for _, label in SIZES
    }
    shown: list[str] = []
    for name, count in CORPORA[args.corpus].items():
        repo, versions = history(name, count, locked=args.corpus == "per-pr-locked")
        tally: collections.Counter[str] = collections.Counter()
        for base, head in itertools.pairwise(versions):
            roles, size = evaluate_pair(repo, Pair(name, base, head))
            tally["diffs"] += 1
            by_size[size_bucket(size)]["diffs"] += 1
            for key, role in roles.items():
                by_size[size_bucket(size)][key] += role.required
            for key, role in roles.items():
                if role.required:
                    tally[key] += 1
            security = roles.get("security")
            if security is not None and security.required:
                lead_rules.update({security.reasons[0].rule})
                if args.show == "security":
                    shown.append(_ping(name, base, head, security, size))
            if args.show and args.show != "security" and roles[args.show].required:
                shown.append(_ping(name, base, head, roles[args.show], size))
        per_package[name] = tally
    _table(per_package)
    print("\nby the diff's size (changed lines):\n")
    _table(by_size, "size")
    print("\nsecurity pings by their lead finding's rule:")
    for rule, n in lead_rules.most_common():
        print(f"  {n:4d}  {rule}")
    for line in shown:
        print(line)


def _ping(name: str, base: str, head: str, role: RoleDecision, size: int) -> str:
    lines = [f"\n{name} {base} -> {head} ({size:,} lines): {len(role.reasons)} findings"]
    for finding in role.reasons[:6]:
        where = f"{finding.file}:{finding.line}" if finding.line else finding.file
        lines.append(f"  {finding.severity.name.lower():8} {finding.rule:28} {where}")
        lines.append(f"           {finding.message[:150]}")
    return "\n".join(lines)


def _table(per_package: dict[str, collections.Counter[str]], first: str = "package") -> None:
    roles = ("dba", "security", "sre")
    print(f"| {first} | diffs | " + " | ".join(roles) + " |")
    print("|---|---:|" + "---:|" * len(roles))
    total: collections.Counter[str] = collections.Counter()
    for name, tally in per_package.items():
        total.update(tally)
        print(f"| {name} | {tally['diffs']} | " + " | ".join(str(tally[r]) for r in roles) + " |")
    diffs = total["diffs"] or 1
    cells = " | ".join(f"{total[r]} ({100 * total[r] / diffs:.1f}%)" for r in roles)
    print(f"| **all** | {diffs} | {cells} |")


if __name__ == "__main__":
    main()
