"""`release-roles` as a developer runs it: start-up, a one-file change, and big real
ranges, each a fresh process timed from outside (wall time and peak RSS).

The big ranges are Django's published sdists (PyPI, fetched at run time into
`bench/.cache/`) committed one release per commit, so `check --base vA --head vB`
reads a real history: thousands of changed Python, locale and doc files. Bytecode
caching is left on (as on a developer's machine) and each command runs once before
it is timed. Targets (issue 16): `--version` < 0.15 s; `check` on a one-file change
< 0.35 s; 1,000 changed files < 1.5 s; 6,000 files / 1 M lines < 8 s and < 400 MB.

    python bench/bench_cli.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import registry  # noqa: E402
from bench.bench_noise import _commit_release, _git  # noqa: E402

EXE = str(Path(sys.executable).with_name("release-roles"))
DJANGO = ("1.4.22", "1.8.19", "1.11.29", "2.2.28", "3.2.25", "4.2.16", "5.0.9", "5.1.3", "5.2.8")
REPO = registry.CACHE / "cli" / "django"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def django_history() -> Path:
    stamp = REPO / ".git" / "bench-versions"
    if stamp.exists() and stamp.read_text() == " ".join(DJANGO):
        return REPO
    shutil.rmtree(REPO, ignore_errors=True)
    REPO.mkdir(parents=True)
    _git(REPO, "init", "-q")
    for version in DJANGO:
        _commit_release(REPO, registry.sdist(f"django=={version}"), version)
    stamp.write_text(" ".join(DJANGO))
    return REPO


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS in MB (ru_maxrss of the waited child)."""
    start = time.perf_counter()
    with subprocess.Popen(args, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL) as child:
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if child.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} exited {child.returncode}")
    return wall, usage.ru_maxrss / 1024


def median_of(args: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    timed(args, cwd)  # bytecode and the page cache warm
    walls = [timed(args, cwd)[0] for _ in range(runs)]
    return statistics.median(walls), min(walls)


def one_file_repo(where: Path) -> Path:
    repo = where / "one"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "app.py").write_text("def handler(event):\n    return event\n")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=b", "-c", "user.email=b@example.invalid", "commit", "-qm", "a")
    (repo / "app.py").write_text("def handler(event):\n    return {'ok': event}\n")
    return repo


def range_size(repo: Path, base: str, head: str) -> tuple[int, int]:
    """Changed files and changed lines."""
    numstat = _git(repo, "diff", "--numstat", base, head).splitlines()
    lines = sum(int(a) + int(d) for a, d, _ in (r.split("\t", 2) for r in numstat) if a != "-")
    return len(numstat), lines


def git_diff_seconds(repo: Path, base: str, head: str) -> float:
    start = time.perf_counter()
    subprocess.run(["git", "diff", base, head], cwd=repo, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        one = one_file_repo(Path(tmp))
        version = median_of([EXE, "--version"], one, 10)
        check = median_of([EXE, "check"], one, 10)
    print("| command | median s | best s |")
    print("|---|---:|---:|")
    print(f"| `release-roles --version` | {version[0]:.3f} | {version[1]:.3f} |")
    print(f"| `check`, one changed file | {check[0]:.3f} | {check[1]:.3f} |")
    repo = django_history()
    print("\n| Django range | files | changed lines | `git diff` s | check s | peak MB |")
    print("|---|---:|---:|---:|---:|---:|")
    ranges = (
        ("5.1.3", "5.2.8"),
        ("4.2.16", "5.2.8"),
        ("3.2.25", "5.2.8"),
        ("1.11.29", "5.2.8"),
        ("1.8.19", "5.2.8"),
        ("1.4.22", "5.2.8"),
    )
    for base, head in ranges:
        files, lines = range_size(repo, f"v{base}", f"v{head}")
        diff_s = git_diff_seconds(repo, f"v{base}", f"v{head}")
        args = [EXE, "check", "--base", f"v{base}", "--head", f"v{head}", "--format", "json"]
        timed(args, repo)
        wall, peak = timed(args, repo)
        print(
            f"| {base} -> {head} | {files:,} | {lines:,} | {diff_s:.2f} | {wall:.2f} | {peak:.0f} |"
        )


if __name__ == "__main__":
    main()
