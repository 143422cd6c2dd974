"""The auth rules against labelled snippets: how many risky ones they find, how
often they cry wolf.

`bench/auth/<language>.txt` holds hand-written cases across the languages the
README claims (Python, JavaScript/TypeScript, Go, Java/Kotlin, Ruby, PHP, C#):
risky snippets (the off-switches, open routes and weak hashes a security engineer
wants to see, written the ways code really spells them: over several lines,
keyword arguments in any order, values passed through a variable) and safe
near-misses (the same APIs used safely, the words in comments and messages).
Each is fed to the auth detector as a newly added file at an ordinary path (not an
auth directory, not a test), so only the content rules can speak.

A risky case is found when the detector reports a medium or higher auth finding
(what the built-in security role answers to); a safe case is a false alarm when it
does. Target (issue 13): recall >= 0.80, false alarms <= 2%.

    python bench/bench_auth_labels.py            # the table
    python bench/bench_auth_labels.py --show     # every miss and false alarm
"""

from __future__ import annotations

import argparse
import collections
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.detect.base import ChangedFile, FileStatus, Finding, Severity  # noqa: E402
from app.detect.registry import DETECTORS  # noqa: E402

CASES = Path(__file__).resolve().parent / "auth"
# ordinary paths: neither an auth directory nor an auth word, nor a test
PATHS = {
    "python": "src/shop/service.py",
    "js": "src/server/app.js",
    "ts": "src/server/app.ts",
    "go": "internal/server/server.go",
    "java": "src/main/java/com/shop/WebConfig.java",
    "kt": "src/main/kotlin/com/shop/WebConfig.kt",
    "ruby": "app/controllers/orders_controller.rb",
    "php": "app/Services/Gateway.php",
    "csharp": "src/Shop/Startup.cs",
}
# a title ending in " .ext" runs the case in that language
OVERRIDES = {
    " .ts": "ts",
    " .kt": "kt",
    " .go": "go",
    " .java": "java",
    " .rb": "ruby",
    " .php": "php",
    " .cs": "csharp",
    " .py": "python",
    " .js": "js",
}
FAMILY = {"ts": "js", "kt": "java"}  # the table's rows: one per language family
HELD_OUT = CASES / "heldout"


@dataclass(frozen=True)
class Case:
    language: str
    risky: bool
    rule: str | None
    title: str
    code: str


def cases(directory: Path = CASES) -> list[Case]:
    out: list[Case] = []
    for source in sorted(directory.glob("*.txt")):
        header: str | None = None
        body: list[str] = []
        for line in [*source.read_text().split("\n"), "=== end"]:
            if line.startswith("=== "):
                if header is not None:
                    out.append(_case(source.stem, header, "\n".join(body).strip("\n") + "\n"))
                header, body = line[4:], []
            elif header is not None:
                body.append(line)
            elif line and not line.startswith("#"):
                raise SystemExit(f"{source}: text before the first case: {line!r}")
        if header != "end":
            raise SystemExit(f"{source}: unterminated")
    return out


def _case(language: str, header: str, code: str) -> Case:
    label, _, title = header.partition(" | ")
    for marker, lang in OVERRIDES.items():
        if title.endswith(marker):
            language, title = lang, title.removesuffix(marker)
    kind, _, rule = label.partition(" ")
    if kind not in ("risky", "safe") or (kind == "risky") != bool(rule):
        raise SystemExit(f"bad case header: {header!r}")
    return Case(language, kind == "risky", rule or None, title, code)


def detect(case: Case) -> list[Finding]:
    lines = list(enumerate(case.code.split("\n")[:-1], start=1))
    changed = ChangedFile(
        path=PATHS[case.language], status=FileStatus.ADDED, added=lines, additions=len(lines)
    )
    detector = DETECTORS["auth"]
    return detector.detect([changed], detector.settings_model())


def flagged(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity >= Severity.MEDIUM]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", action="store_true", help="print misses and false alarms")
    args = parser.parse_args()
    rounds = [("written with the rules", CASES)]
    rounds += [(f"held out, {d.name}", d) for d in sorted(HELD_OUT.iterdir()) if d.is_dir()]
    for title, directory in rounds:
        print(f"\n{title} ({directory.relative_to(ROOT)}):")
        score(cases(directory), args.show)


def score(all_cases: list[Case], show: bool) -> collections.Counter[str]:
    table: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for case in all_cases:
        hits = flagged(detect(case))
        row = table[FAMILY.get(case.language, case.language)]
        if case.risky:
            row["risky"] += 1
            row["found"] += bool(hits)
            row["right"] += any(f.rule == case.rule for f in hits)
            if not hits and show:
                print(f"MISS  {case.language:7} {case.rule}: {case.title}")
        else:
            row["safe"] += 1
            row["false"] += bool(hits)
            if hits and show:
                rules = ", ".join(sorted({f"{f.rule} (line {f.line})" for f in hits}))
                print(f"FALSE {case.language:7} {case.title}: {rules}")
    total: collections.Counter[str] = collections.Counter()
    print(
        "| language | risky | found (medium+) | recall | with the expected rule | safe "
        "| false alarms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for language in sorted(table):
        total.update(table[language])
        _row(language, table[language])
    _row("**all**", total)
    return total


def _row(name: str, c: collections.Counter[str]) -> None:
    recall = c["found"] / c["risky"] if c["risky"] else 0.0
    false = c["false"] / c["safe"] if c["safe"] else 0.0
    print(
        f"| {name} | {c['risky']} | {c['found']} | {recall:.1%} | {c['right']} | "
        f"{c['safe']} | {c['false']} ({false:.1%}) |"
    )


if __name__ == "__main__":
    main()
