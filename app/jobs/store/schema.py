"""The journal's SQL, shared by the SQLite and Postgres stores.

`?` placeholders throughout; the Postgres store turns them into `%s`. `{blob}` in a
table is the backend's bytes type.
"""

from __future__ import annotations

CHANNEL = "release_roles_jobs"  # Postgres NOTIFY channel that wakes workers
SCHEMA_LOCK = 0x52524A4E  # "RRJN": the advisory lock taken while creating tables

TABLES = (
    """CREATE TABLE IF NOT EXISTS deliveries (
        id TEXT PRIMARY KEY,
        event TEXT NOT NULL,
        action TEXT,
        received_at DOUBLE PRECISION NOT NULL,
        body {blob} NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS jobs (
        key TEXT PRIMARY KEY,
        job TEXT NOT NULL,
        delivery_id TEXT,
        enqueued_at DOUBLE PRECISION NOT NULL,
        available_at DOUBLE PRECISION NOT NULL,
        leased_until DOUBLE PRECISION NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        generation INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE IF NOT EXISTS removed_reviewers (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        reviewer TEXT NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL DEFAULT 0,
        PRIMARY KEY (repo, number, reviewer)
    )""",
    """CREATE TABLE IF NOT EXISTS overrides (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        role TEXT NOT NULL,
        by_login TEXT NOT NULL,
        reason TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0,
        saved_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (repo, number, role)
    )""",
    """CREATE TABLE IF NOT EXISTS checklist_ticks (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        role TEXT NOT NULL,
        item TEXT NOT NULL,
        by_login TEXT NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (repo, number, role, item)
    )""",
    """CREATE TABLE IF NOT EXISTS plan_comments (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        comment_id BIGINT NOT NULL,
        content_hash TEXT NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (repo, number)
    )""",
    """CREATE TABLE IF NOT EXISTS notifications (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        role TEXT NOT NULL,
        event TEXT NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (repo, number, role, event)
    )""",
    """CREATE TABLE IF NOT EXISTS review_requests (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        target TEXT NOT NULL,
        severity INTEGER NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (repo, number, target)
    )""",
    """CREATE TABLE IF NOT EXISTS retargets (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (repo, number)
    )""",
    """CREATE TABLE IF NOT EXISTS org_versions (
        org TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS config_sources (
        source TEXT NOT NULL,
        repo TEXT NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (source, repo)
    )""",
    """CREATE TABLE IF NOT EXISTS check_runs (
        repo TEXT NOT NULL,
        head_sha TEXT NOT NULL,
        name TEXT NOT NULL,
        check_run_id BIGINT NOT NULL,
        content_hash TEXT NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL DEFAULT 0,
        PRIMARY KEY (repo, head_sha, name)
    )""",
    # What the pages show (history.py): each PR's latest evaluation, the evaluations
    # whose verdict differed from the one before, and how long each role was waited on.
    """CREATE TABLE IF NOT EXISTS pulls (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        owner TEXT NOT NULL,
        state TEXT NOT NULL,
        record TEXT NOT NULL,
        digest TEXT NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (repo, number)
    )""",
    """CREATE TABLE IF NOT EXISTS evaluations (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL,
        record TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS role_waits (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        owner TEXT NOT NULL,
        role TEXT NOT NULL,
        release TEXT NOT NULL,
        requested_at DOUBLE PRECISION NOT NULL,
        approved_at DOUBLE PRECISION,
        PRIMARY KEY (repo, number, role, requested_at)
    )""",
    """CREATE TABLE IF NOT EXISTS check_suites (
        repo TEXT NOT NULL,
        head_sha TEXT NOT NULL,
        app TEXT NOT NULL,
        owner TEXT NOT NULL,
        conclusion TEXT NOT NULL,
        updated TEXT NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (repo, head_sha, app)
    )""",
    """CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY,
        login TEXT NOT NULL,
        token TEXT NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL
    )""",
)
# Columns added after the first release: journals created before get them on open.
UPGRADES = (
    ("removed_reviewers", "saved_at DOUBLE PRECISION NOT NULL DEFAULT 0"),
    ("check_runs", "saved_at DOUBLE PRECISION NOT NULL DEFAULT 0"),
    ("check_runs", "number INTEGER"),
    ("deliveries", "body_encoding TEXT"),  # bodies.py; none: the body as it came
)
# Made after the upgrades, which add the columns they cover.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS check_runs_by_repo ON check_runs (repo, saved_at)",
    "CREATE INDEX IF NOT EXISTS check_runs_by_pull ON check_runs (repo, number, saved_at)",
    "CREATE INDEX IF NOT EXISTS pulls_by_owner ON pulls (owner, state)",
    "CREATE INDEX IF NOT EXISTS evaluations_by_pull ON evaluations (repo, number, saved_at)",
    "CREATE INDEX IF NOT EXISTS role_waits_by_owner ON role_waits (owner, approved_at)",
    "CREATE INDEX IF NOT EXISTS check_suites_by_owner ON check_suites (owner)",
)
INSERT_DELIVERY = (
    "INSERT INTO deliveries (id, event, action, received_at, body, body_encoding) "
    "VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO NOTHING"
)
UPSERT_JOB = (
    "INSERT INTO jobs (key, job, delivery_id, enqueued_at, available_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET job = excluded.job, delivery_id = excluded.delivery_id, "
    "enqueued_at = excluded.enqueued_at, available_at = excluded.available_at, attempts = 0, "
    "generation = jobs.generation + 1"
)
CLAIM = (
    "UPDATE jobs SET leased_until = ?, attempts = attempts + 1 WHERE key = ("
    "SELECT key FROM jobs WHERE available_at <= ? AND leased_until <= ? "
    "ORDER BY available_at, enqueued_at LIMIT 1{lock}) "
    "RETURNING job, generation, attempts"
)
FINISH = "DELETE FROM jobs WHERE key = ? AND generation = ?"
RELEASE = "UPDATE jobs SET leased_until = 0 WHERE key = ?"
# only while still leased: a released or finished job is not taken back
RENEW = "UPDATE jobs SET leased_until = ? WHERE key = ? AND leased_until > 0"
RETRY = "UPDATE jobs SET leased_until = 0, available_at = ? WHERE key = ? AND generation = ?"
REMEMBER_REMOVED = (
    "INSERT INTO removed_reviewers (repo, number, reviewer, saved_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (repo, number, reviewer) DO UPDATE SET saved_at = excluded.saved_at"
)
CHECK_RUN = (
    "SELECT check_run_id, content_hash FROM check_runs WHERE repo = ? AND head_sha = ? AND name = ?"
)
SAVE_CHECK_RUN = (
    "INSERT INTO check_runs (repo, head_sha, name, check_run_id, content_hash, saved_at, number) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repo, head_sha, name) DO UPDATE SET "
    "check_run_id = excluded.check_run_id, content_hash = excluded.content_hash, "
    "saved_at = excluded.saved_at, number = COALESCE(excluded.number, check_runs.number)"
)
LAST_CHECK_NAME = "SELECT name FROM check_runs WHERE repo = ? ORDER BY saved_at DESC LIMIT 1"
LAST_HEAD = (
    "SELECT head_sha FROM check_runs WHERE repo = ? AND number = ? ORDER BY saved_at DESC LIMIT 1"
)
REMOVED_REVIEWERS = "SELECT reviewer FROM removed_reviewers WHERE repo = ? AND number = ?"
# Waiting or running: due, leased, or being retried. A re-check scheduled for later
# (never attempted, due in the future) is not pending work.
COUNT_JOBS = "SELECT COUNT(*) FROM jobs WHERE attempts > 0 OR available_at <= ? OR leased_until > 0"
PRUNE_DELIVERIES = "DELETE FROM deliveries WHERE received_at < ?"
HAS_DELIVERY = "SELECT 1 FROM deliveries WHERE id = ?"
DELIVERY = "SELECT event, action, received_at, body, body_encoding FROM deliveries WHERE id = ?"
PRUNE_CHECK_RUNS = "DELETE FROM check_runs WHERE saved_at < ?"
PRUNE_REMOVED = "DELETE FROM removed_reviewers WHERE saved_at < ?"
SAVE_OVERRIDE = (
    "INSERT INTO overrides (repo, number, role, by_login, reason, revoked, saved_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repo, number, role) DO UPDATE SET "
    "by_login = excluded.by_login, reason = excluded.reason, revoked = excluded.revoked, "
    "saved_at = excluded.saved_at"
)
OVERRIDES = (
    "SELECT role, by_login, reason, saved_at FROM overrides "
    "WHERE repo = ? AND number = ? AND revoked = 0 ORDER BY role"
)
PRUNE_OVERRIDES = "DELETE FROM overrides WHERE saved_at < ?"
BUMP_ORG = (
    "INSERT INTO org_versions (org, version, saved_at) VALUES (?, 1, ?) "
    "ON CONFLICT (org) DO UPDATE SET version = org_versions.version + 1, "
    "saved_at = excluded.saved_at"
)
ORG_VERSION = "SELECT version FROM org_versions WHERE org = ?"
SAVE_SOURCE = (
    "INSERT INTO config_sources (source, repo, saved_at) VALUES (?, ?, ?) "
    "ON CONFLICT (source, repo) DO UPDATE SET saved_at = excluded.saved_at"
)
DEPENDENTS = "SELECT repo FROM config_sources WHERE source = ? AND saved_at >= ? ORDER BY repo"
RECENT_PULLS = (
    "SELECT DISTINCT repo, number FROM check_runs "
    "WHERE repo LIKE ? ESCAPE '\\' AND number IS NOT NULL AND saved_at >= ? "
    "ORDER BY repo, number"
)
SAVE_RETARGET = (
    "INSERT INTO retargets (repo, number, saved_at) VALUES (?, ?, ?) "
    "ON CONFLICT (repo, number) DO UPDATE SET saved_at = excluded.saved_at"
)
RETARGETED_AT = "SELECT saved_at FROM retargets WHERE repo = ? AND number = ?"
PRUNE_RETARGETS = "DELETE FROM retargets WHERE saved_at < ?"
SAVE_REQUEST = (
    "INSERT INTO review_requests (repo, number, target, severity, saved_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (repo, number, target) DO UPDATE SET "
    "severity = excluded.severity, saved_at = excluded.saved_at"
)
REQUESTS = "SELECT target, severity FROM review_requests WHERE repo = ? AND number = ?"
PRUNE_REQUESTS = "DELETE FROM review_requests WHERE saved_at < ?"
SAVE_COMMENT = (
    "INSERT INTO plan_comments (repo, number, comment_id, content_hash, saved_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (repo, number) DO UPDATE SET "
    "comment_id = excluded.comment_id, content_hash = excluded.content_hash, "
    "saved_at = excluded.saved_at"
)
COMMENT = "SELECT comment_id, content_hash FROM plan_comments WHERE repo = ? AND number = ?"
PRUNE_COMMENTS = "DELETE FROM plan_comments WHERE saved_at < ?"
SAVE_NOTIFIED = (
    "INSERT INTO notifications (repo, number, role, event, saved_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (repo, number, role, event) DO NOTHING"
)
NOTIFIED = "SELECT role, event FROM notifications WHERE repo = ? AND number = ?"
PRUNE_NOTIFIED = "DELETE FROM notifications WHERE saved_at < ?"
SAVE_TICK = (
    "INSERT INTO checklist_ticks (repo, number, role, item, by_login, saved_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (repo, number, role, item) DO UPDATE SET "
    "by_login = excluded.by_login, saved_at = excluded.saved_at"
)
CLEAR_TICK = "DELETE FROM checklist_ticks WHERE repo = ? AND number = ? AND role = ? AND item = ?"
TICKS = "SELECT role, item, by_login FROM checklist_ticks WHERE repo = ? AND number = ?"
PRUNE_TICKS = "DELETE FROM checklist_ticks WHERE saved_at < ?"

# --- the pages (history.py) ---------------------------------------------------------------
# An evaluation is kept only when its verdict differs from the PR's latest: the pulls
# row is written after, so it still holds the previous digest here.
SAVE_EVALUATION = (
    "INSERT INTO evaluations (repo, number, saved_at, record) SELECT ?, ?, ?, ? "
    "WHERE NOT EXISTS (SELECT 1 FROM pulls WHERE repo = ? AND number = ? AND digest = ?)"
)
SAVE_PULL = (
    "INSERT INTO pulls (repo, number, owner, state, record, digest, saved_at) "
    "VALUES (?, ?, ?, 'open', ?, ?, ?) ON CONFLICT (repo, number) DO UPDATE SET "
    "state = 'open', record = excluded.record, digest = excluded.digest, "
    "saved_at = excluded.saved_at"
)
CLOSE_PULL = "UPDATE pulls SET state = ?, saved_at = ? WHERE repo = ? AND number = ?"
START_WAIT = (
    "INSERT INTO role_waits (repo, number, owner, role, release, requested_at) "
    "SELECT ?, ?, ?, ?, ?, ? "
    "WHERE NOT EXISTS (SELECT 1 FROM role_waits "
    "WHERE repo = ? AND number = ? AND role = ? AND approved_at IS NULL)"
)
END_WAIT = (
    "UPDATE role_waits SET approved_at = ? "
    "WHERE repo = ? AND number = ? AND role = ? AND approved_at IS NULL"
)
DROP_WAIT = (
    "DELETE FROM role_waits WHERE repo = ? AND number = ? AND role = ? AND approved_at IS NULL"
)
OPEN_PULLS = "SELECT repo, number, record, saved_at FROM pulls WHERE owner = ? AND state = 'open'"
REPO_OPEN_PULLS = OPEN_PULLS + " AND repo = ?"
PULL = "SELECT record, state, saved_at FROM pulls WHERE repo = ? AND number = ?"
EVALUATIONS = (
    "SELECT saved_at, record FROM evaluations WHERE repo = ? AND number = ? "
    "ORDER BY saved_at DESC LIMIT 50"
)
WAITS = (
    "SELECT repo, number, role, release, requested_at, approved_at FROM role_waits "
    "WHERE owner = ? AND (approved_at IS NULL OR approved_at >= ?)"
)
REPO_WAITS = WAITS + " AND repo = ?"
PULL_WAITS = (
    "SELECT role, release, requested_at, approved_at FROM role_waits "
    "WHERE repo = ? AND number = ? "
    "ORDER BY requested_at"
)
PRUNE_PULLS = "DELETE FROM pulls WHERE saved_at < ?"
PRUNE_EVALUATIONS = "DELETE FROM evaluations WHERE saved_at < ?"
# a wait still open stays while its PR does (an old PR still waiting is on the board)
PRUNE_WAITS = (
    "DELETE FROM role_waits WHERE requested_at < ? AND (approved_at IS NOT NULL OR NOT EXISTS "
    "(SELECT 1 FROM pulls WHERE pulls.repo = role_waits.repo "
    "AND pulls.number = role_waits.number))"
)
DROP_OPEN_WAITS = "DELETE FROM role_waits WHERE repo = ? AND number = ? AND approved_at IS NULL"
SAVE_SESSION = "INSERT INTO sessions (id, login, token, expires_at) VALUES (?, ?, ?, ?)"
SESSION = "SELECT login, token, expires_at FROM sessions WHERE id = ? AND expires_at > ?"
DROP_SESSION = "DELETE FROM sessions WHERE id = ?"
PRUNE_SESSIONS = "DELETE FROM sessions WHERE expires_at < ?"
# another app's check suite on a commit: the latest (by GitHub's updated_at) wins
SAVE_SUITE = (
    "INSERT INTO check_suites (repo, head_sha, app, owner, conclusion, updated, saved_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repo, head_sha, app) DO UPDATE SET "
    "conclusion = excluded.conclusion, updated = excluded.updated, saved_at = excluded.saved_at "
    "WHERE excluded.updated >= check_suites.updated"
)
# {heads}: one ? per head commit asked about (the open PRs' heads only)
SUITES = (
    "SELECT repo, head_sha, app, conclusion FROM check_suites "
    "WHERE owner = ? AND head_sha IN ({heads})"
)
PRUNE_SUITES = "DELETE FROM check_suites WHERE saved_at < ?"
