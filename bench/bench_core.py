"""End-to-end cost of the CLI's core on a synthetic pull request.

Builds `git diff` text for N files and ~33 changed lines per file (a mix of
migrations, lockfiles, auth code, workflows and plain source), then times
parse -> detectors -> policy -> all three reports. Each size runs in a fresh
process so peak RSS is that size's own. Target: 3,000 files / 100,000 lines
under 2 s and 300 MB, with cost linear in the diff size.

    python bench/bench_core.py            # the three sizes
    python bench/bench_core.py --one 3000 # one size, machine-readable
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

CONFIG = """\
version: 1
roles:
  dba: {reviewers: {teams: [dba]}, when: [{detector: migrations}], checklist: [Rollback tested]}
  security:
    reviewers: {teams: [appsec]}
    when:
      - detector: auth
      - detector: secrets
      - detector: dependencies
        changes: [added, major]
      - content: 'verify\\s*=\\s*False|jwt\\.decode'
        paths: ['src/**']
  sre: {reviewers: {teams: [sre]}, when: [{detector: infra}]}
  qa: {reviewers: {teams: [qa]}, when: [{lines_changed: {gt: 400}}]}
  docs: {when: [{paths: ['docs/**']}]}
"""
KINDS = (
    ("app{n}/migrations/{n:04}_auto.py", "class Migration(migrations.Migration):"),
    ("db/migrate/2026{n:010}_change.rb", "class Change < ActiveRecord::Migration[7.1]"),
    ("services/s{n}/package-lock.json", '"version": "1.0.{n}",'),
    ("src/auth/handler_{n}.py", "token = jwt.decode(raw, key)"),
    (".github/workflows/job_{n}.yml", "runs-on: ubuntu-latest"),
    ("docs/page_{n}.md", "Some prose about the release"),
    ("src/pkg{n}/module_{n}.py", "requests.get(url, verify=False)"),
    ("src/pkg{n}/util_{n}.py", "value = compute({n})"),
    ("src/pkg{n}/models_{n}.py", "class Model{n}: pass"),
    ("web/src/component_{n}.tsx", "export const C{n} = () => null"),
)
LINES_PER_FILE = 33  # 3,000 files x 33 = ~100,000 changed lines


def synthetic_diff(files: int) -> str:
    chunks = []
    for n in range(files):
        template, marker = KINDS[n % len(KINDS)]
        path = template.format(n=n)
        added = [f"+{marker.format(n=n)}"] + [f"+line {i} of {n}" for i in range(1, 25)]
        removed = [f"-old line {i} of {n}" for i in range(LINES_PER_FILE - len(added))]
        body = removed + added
        chunks.append(
            f"diff --git a/{path} b/{path}\nindex 1111111..2222222 100644\n"
            f"--- a/{path}\n+++ b/{path}\n"
            f"@@ -1,{len(removed) + 1} +1,{len(added) + 1} @@\n context\n" + "\n".join(body)
        )
    return "\n".join(chunks) + "\n"


def run_one(files: int) -> dict[str, float]:
    from app.detect.diff import parse_git_diff
    from app.detect.registry import run_detectors
    from app.policy.evaluate import evaluate
    from app.policy.facts import PullFacts
    from app.policy.loading import load_config
    from app.report import json as json_report
    from app.report import markdown, text

    diff = synthetic_diff(files)
    start = time.perf_counter()
    config = load_config(CONFIG).config
    changed = parse_git_diff(diff)
    parsed = time.perf_counter()
    findings = run_detectors(changed, config.detectors.by_name())
    detected = time.perf_counter()
    decision = evaluate(config, changed, findings, PullFacts(author="dev"))
    evaluated = time.perf_counter()
    json_report.render(decision)
    markdown.render(decision)
    text.render(decision)
    done = time.perf_counter()
    lines = sum(f.additions + f.deletions for f in changed)
    return {
        "files": len(changed),
        "lines": lines,
        "findings": len(findings),
        "parse_s": parsed - start,
        "detect_s": detected - parsed,
        "evaluate_s": evaluated - detected,
        "report_s": done - evaluated,
        "total_s": done - start,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(run_one(int(sys.argv[2]))))
        return
    print(
        f"{'files':>6} {'lines':>8} {'findings':>8} {'parse':>7} {'detect':>7} "
        f"{'policy':>7} {'report':>7} {'total s':>8} {'peak MB':>8} {'us/line':>8}"
    )
    for files in (750, 1500, 3000):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(files)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout)
        print(
            f"{r['files']:>6} {r['lines']:>8} {r['findings']:>8} {r['parse_s']:>7.3f} "
            f"{r['detect_s']:>7.3f} {r['evaluate_s']:>7.3f} {r['report_s']:>7.3f} "
            f"{r['total_s']:>8.3f} {r['peak_rss_mb']:>8.1f} "
            f"{1e6 * r['total_s'] / r['lines']:>8.2f}"
        )


if __name__ == "__main__":
    main()
