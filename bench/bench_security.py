"""The auth and secrets rules on real code written by others, and their speed.

Downloads pinned packages at run time (nothing is vendored): from PyPI django,
djangorestframework, flask-login and authlib; from npm passport, passport-jwt,
express-session, jsonwebtoken, cors and helmet. Every source file is fed to the
auth and secrets detectors as newly added (tests, fixtures and docs are skipped
by the auth rules, as in a real PR), and the hits are counted per rule.

Then 100,000 added lines of that code are scanned by both detectors and timed
(target: under 1 s on the project machine).

    python bench/bench_security.py               # table + timing
    python bench/bench_security.py --show auth.csrf-disabled   # every hit of a rule
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.detect.base import ChangedFile, FileStatus, Finding  # noqa: E402
from app.detect.registry import DETECTORS  # noqa: E402
from bench import registry  # noqa: E402

PYPI = ("django==5.2.8", "djangorestframework==3.16.1", "flask-login==0.6.3", "authlib==1.6.5")
NPM = (
    "passport@0.7.0",
    "passport-jwt@4.0.1",
    "express-session@1.18.1",
    "jsonwebtoken@9.0.2",
    "cors@2.8.5",
    "helmet@8.1.0",
)
SOURCE = (".py", ".js", ".mjs", ".cjs", ".ts")


def download() -> list[Path]:
    return registry.wheels(PYPI) + registry.npm_tarballs(NPM)


def sources(archives: list[Path]) -> dict[str, str]:
    files: dict[str, str] = {}
    for archive in archives:
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as z:
                for name in z.namelist():
                    if name.endswith(SOURCE):
                        files[name] = z.read(name).decode("utf-8", "replace")
        else:
            package = archive.name.rsplit("-", 1)[0]
            with tarfile.open(archive) as tar:
                for member in tar.getmembers():
                    if member.isfile() and member.name.endswith(SOURCE):
                        data = tar.extractfile(member)
                        if data is not None:
                            path = f"{package}/{member.name.removeprefix('package/')}"
                            files[path] = data.read().decode("utf-8", "replace")
    return files


def as_added(path: str, text: str) -> ChangedFile:
    lines = list(enumerate(text.splitlines(), start=1))
    return ChangedFile(path=path, status=FileStatus.ADDED, added=lines, additions=len(lines))


def scan(files: list[ChangedFile]) -> list[Finding]:
    out: list[Finding] = []
    for name in ("auth", "secrets"):
        detector = DETECTORS[name]
        out.extend(detector.detect(files, detector.settings_model()))
    return out


def _package(path: str) -> str:
    return path.split("/", 1)[0]


def table(files: dict[str, str], findings: list[Finding]) -> None:
    lines = sum(t.count("\n") + 1 for t in files.values())
    print(f"corpus: {len(files)} source files, {lines:,} lines")
    packages = sorted({_package(p) for p in files})
    per: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(
        collections.Counter
    )
    for f in findings:
        per[(f.rule, f.severity.name.lower())][_package(f.file or "")] += 1
    print(f"| rule | severity | {' | '.join(packages)} | total |")
    print(f"|---|---|{'---:|' * (len(packages) + 1)}")
    for (rule, severity), counts in sorted(per.items()):
        cells = " | ".join(str(counts.get(p, 0)) for p in packages)
        print(f"| {rule} | {severity} | {cells} | {sum(counts.values())} |")


def speed(files: dict[str, str], target: int = 100_000) -> None:
    pool = [line for text in files.values() for line in text.splitlines()]
    lines = [pool[i % len(pool)] for i in range(target)]
    chunks = [lines[i : i + 500] for i in range(0, target, 500)]
    changed = [
        ChangedFile(
            path=f"src/app{i}/module.py", status=FileStatus.ADDED, added=list(enumerate(c, 1))
        )
        for i, c in enumerate(chunks)
    ]
    for name in ("secrets", "auth"):
        detector = DETECTORS[name]
        start = time.perf_counter()
        found = detector.detect(changed, detector.settings_model())
        elapsed = time.perf_counter() - start
        print(f"{name}: {target:,} added lines in {elapsed:.2f} s ({len(found)} findings)")
    start = time.perf_counter()
    scan(changed)
    print(f"both: {target:,} added lines in {time.perf_counter() - start:.2f} s")


BANDIT = "bandit==1.8.6"


def bandit_examples() -> dict[str, str]:
    """bandit's own example files (Apache-2.0), from its sdist, as a labelled yardstick."""
    sdist = registry.sdist(BANDIT)
    wanted = (
        "requests-ssl-verify-disabled.py",
        "crypto-md5.py",
        "hashlib_new_insecure_functions.py",
        "hardcoded-passwords.py",
    )
    out = {}
    with tarfile.open(sdist) as tar:
        for name in wanted:
            data = tar.extractfile(f"bandit-1.8.6/examples/{name}")
            if data is not None:
                out[name] = data.read().decode()
    return out


def _code(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(("#", "import ", "from "))


def yardstick() -> None:
    """Recall on the lines bandit's examples mark as findings, by category."""
    examples = bandit_examples()
    cases = {
        "tls-verify-disabled": (
            ["requests-ssl-verify-disabled.py"],
            lambda line: "verify=False" in line,
            {"auth.tls-verify-disabled"},
        ),
        "weak hash (MD5/SHA-1)": (
            ["crypto-md5.py", "hashlib_new_insecure_functions.py"],
            lambda line: (
                re.search(r"(?i)md5|sha1|sha-1", line) is not None
                and "usedforsecurity=False" not in line
            ),
            {"auth.weak-hash", "auth.weak-password-hash"},
        ),
    }
    print("| yardstick (bandit 1.8.6 examples) | marked lines | found | recall |")
    print("|---|---:|---:|---:|")
    for label, (names, marked, rule_set) in cases.items():
        positives = found = 0
        for name in names:
            text = examples[name]
            hits = {f.line for f in scan([as_added(f"app/{name}", text)]) if f.rule in rule_set}
            for number, line in enumerate(text.splitlines(), start=1):
                if _code(line) and marked(line):
                    positives += 1
                    found += number in hits
        print(f"| {label} | {positives} | {found} | {found / positives:.0%} |")
    text = examples["hardcoded-passwords.py"]
    lines = text.splitlines()
    marked = [
        next(j for j in range(i + 1, len(lines)) if _code(lines[j])) + 1
        for i, line in enumerate(lines)
        if line.startswith("# Possible hardcoded password")
        or "# Possible hardcoded password" in line
    ]
    hits = {
        f.line for f in scan([as_added("app/passwords.py", text)]) if f.rule.startswith("secret.")
    }
    found = sum(1 for n in marked if n in hits)
    print(f"| hardcoded password literal | {len(marked)} | {found} | {found / len(marked):.0%} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", help="print every hit of this rule with its line")
    args = parser.parse_args()
    files = sources(download())
    findings = scan([as_added(p, t) for p, t in files.items()])
    if args.show:
        for f in findings:
            if f.rule == args.show:
                line = files[f.file or ""].splitlines()[f.line - 1].strip() if f.line else ""
                print(f"{f.file}:{f.line} {f.severity.name}: {line[:150]}")
        return
    table(files, findings)
    yardstick()
    speed(files)


if __name__ == "__main__":
    main()
