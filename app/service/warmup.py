"""Warm-up: one evaluation of a small made-up pull request, run once as the App starts.

Detectors compile their globs and patterns on first use, sqlglot and the tree-sitter
grammars load on first use: the first real evaluation after a start paid for all of
it (issue 16 measured up to 164 ms of the receiver's loop held). The warm-up pays in
a worker thread instead, and /readyz says ready only after it.
"""

from __future__ import annotations

import time

from app.detect.base import ChangedFile, FileStatus
from app.detect.registry import run_detectors
from app.policy.evaluate import evaluate
from app.policy.facts import PullFacts
from app.policy.loading import default_config

# One file per detector, with what each reads lazily: a Rails and an SQL migration
# (the readers, squawk, sqlglot), a lockfile and a pyproject (TOML, packaging's
# grammars), auth code with a switch (the syntax layer), a token shape (the secret
# rules), a workflow and a manifest (the infra rules).
SAMPLE: dict[str, str] = {
    "db/migrate/20260101000000_add_flag.rb": (
        "class AddFlag < ActiveRecord::Migration[7.1]\n"
        "  def change\n    add_column :users, :flag, :boolean, null: false\n  end\nend\n"
    ),
    "migrations/V2__flag.sql": "ALTER TABLE users ADD COLUMN flag boolean NOT NULL;\n",
    "package.json": '{"dependencies": {"left-pad": "^1.3.0"}}\n',
    "pyproject.toml": '[project]\nname = "x"\ndependencies = ["requests>=2.32"]\n',
    "app/client.py": "import requests\nVERIFY = False\nrequests.get(url, verify=VERIFY)\n",
    "src/server.ts": "app.use(cors({ origin: '*', credentials: true }));\n",
    "config/settings.py": 'API_TOKEN = "placeholder"\n',
    ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - uses: actions/checkout@v5\n",
    "deploy/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
}


def warm_up() -> float:
    """Evaluate the sample; return how long it took (seconds)."""
    started = time.perf_counter()
    files = []
    for path, text in SAMPLE.items():
        lines = list(enumerate(text.split("\n")[:-1], start=1))
        files.append(ChangedFile(path, FileStatus.ADDED, added=lines, additions=len(lines)))
    config = default_config().config
    findings = run_detectors(files, config.detectors.by_name())
    evaluate(config, files, findings, PullFacts(author="warm-up"))
    return time.perf_counter() - started
