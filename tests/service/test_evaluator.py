"""The evaluator on the real stack (githubkit -> fake GitHub, SQLite and Postgres
journals), one job at a time without webhooks: read, decide, act, in that order."""

from __future__ import annotations

import pytest

from app.jobs.model import Job, JobKind
from app.jobs.store import Journal
from app.service.evaluator import Evaluator
from tests.fakes.github import FakeGitHub, Pull, Repo
from tests.harness import INSTALLATION_ID, fake_gateway

pytestmark = pytest.mark.anyio

CONFIG = """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba], users: [octocat]}
    when: [{detector: migrations}]
options:
  check_name: Gate
"""
MIGRATION = "db/migrate/20261101_drop_email.rb"
DROP = (
    "class DropEmail < ActiveRecord::Migration[7.1]\n"
    "  def change\n    remove_column :users, :email\n  end\nend\n"
)


def shop(fake: FakeGitHub, config: str = CONFIG) -> Repo:
    repo = fake.repo("acme", "shop", {".github/release-roles.yml": config, "README.md": "x\n"})
    fake.team("acme", "dba", {"dana"})
    repo.collaborators |= {"dana", "octocat"}
    return repo


def drop_email(fake: FakeGitHub) -> tuple[Repo, Pull]:
    """The shop with Alice's PR dropping a column: the DBA is needed."""
    repo = shop(fake)
    fake.push(repo, "drop-email", {MIGRATION: DROP})
    return repo, fake.open_pull(repo, "drop-email", author="alice")


def pull_job(number: int) -> Job:
    return Job(JobKind.PULL, "acme", "shop", INSTALLATION_ID, number=number)


async def test_every_read_comes_before_the_first_write(journal: Journal) -> None:
    fake = FakeGitHub()
    repo, pull = drop_email(fake)
    evaluator = Evaluator(fake_gateway(fake), journal)
    [outcome] = await evaluator.run(pull_job(pull.number))
    assert outcome.conclusion == "in_progress"
    assert outcome.requested == ("@octocat", "team dba")
    methods = [method for method, path in fake.requests if not path.endswith("/access_tokens")]
    first_write = next(i for i, method in enumerate(methods) if method != "GET")
    assert "GET" not in methods[first_write:], fake.requests
    [check] = fake.checks_for(repo, repo.branches["drop-email"])
    assert check["name"] == "Gate"
    assert outcome.calls == len(fake.requests)  # the installation token included


async def test_an_unchanged_evaluation_writes_nothing_again(journal: Journal) -> None:
    fake = FakeGitHub()
    _, pull = drop_email(fake)
    evaluator = Evaluator(fake_gateway(fake), journal)
    await evaluator.run(pull_job(pull.number))
    before = len(fake.requests)
    [again] = await evaluator.run(pull_job(pull.number))
    later = fake.requests[before:]
    # the request is not repeated (GitHub lists them as requested now) nor the check
    assert [m for m, _ in later if m != "GET"] == []
    assert again.requested == ()


async def test_an_invalid_base_config_fails_under_the_default_name(journal: Journal) -> None:
    fake = FakeGitHub()
    repo = shop(fake, config="version: 1\nroles: {dba: {when: nope}}\n")
    fake.push(repo, "drop-email", {MIGRATION: DROP})
    pull = fake.open_pull(repo, "drop-email", author="alice")
    [outcome] = await Evaluator(fake_gateway(fake), journal).run(pull_job(pull.number))
    assert outcome.conclusion == "failure"
    assert outcome.title.startswith("Invalid config")
    [check] = fake.checks_for(repo, repo.branches["drop-email"])
    assert check["name"] == "Release roles"
    assert fake.count("POST", "/requested_reviewers$") == 0


async def test_a_closed_pull_request_is_skipped_without_writing(journal: Journal) -> None:
    fake = FakeGitHub()
    _, pull = drop_email(fake)
    pull.state = "closed"
    [outcome] = await Evaluator(fake_gateway(fake), journal).run(pull_job(pull.number))
    assert (outcome.conclusion, outcome.title) == ("skipped", "pull request is closed")
    assert [m for m, _ in fake.requests if m != "GET" and "access_tokens" not in _] == []


DJANGO_HEAD = (
    "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
)
DJANGO_BASE = {
    "shop/migrations/0001_initial.py": DJANGO_HEAD
    + "    dependencies = []\n    operations = [\n        migrations.CreateModel(name='Site', "
    "fields=[('id', models.AutoField(primary_key=True)), "
    "('domain', models.CharField(max_length=100))]),\n    ]\n",
}


def _alter(field: str) -> str:
    return (
        DJANGO_HEAD + "    dependencies = [('shop', '0001_initial')]\n    operations = [\n"
        f"        migrations.AlterField(model_name='site', name='domain', field={field}),\n    ]\n"
    )


@pytest.mark.parametrize(
    ("field", "asked"),
    [
        ("models.CharField(max_length=255)", ()),  # widened: nothing to ask the DBA
        ("models.CharField(max_length=100, unique=True)", ("@octocat", "team dba")),
    ],
)
async def test_a_django_alter_field_is_rated_from_the_earlier_migrations_on_github(
    journal: Journal, field: str, asked: tuple[str, ...]
) -> None:
    fake = FakeGitHub()
    repo = shop(
        fake,
        CONFIG.replace(
            "[{detector: migrations}]", "[{detector: migrations, min_severity: medium}]"
        ),
    )
    fake.push(repo, repo.default_branch, DJANGO_BASE)
    fake.push(repo, "domain", {"shop/migrations/0002_alter_site_domain.py": _alter(field)})
    pull = fake.open_pull(repo, "domain", author="alice")
    [outcome] = await Evaluator(fake_gateway(fake), journal).run(pull_job(pull.number))
    assert outcome.requested == asked
    read = [path for method, path in fake.requests if "/contents/" in path]
    assert any(path.endswith("shop/migrations/0001_initial.py") for path in read), read


async def test_a_re_evaluation_reads_only_what_can_have_moved(journal: Journal) -> None:
    """The file list for the same head and base, and the config at the same base commit,
    are GitHub's answers about exact commits: read once. A push reads them again."""
    fake = FakeGitHub()
    repo, pull = drop_email(fake)
    evaluator = Evaluator(fake_gateway(fake), journal)
    await evaluator.run(pull_job(pull.number))
    before = len(fake.requests)
    [again] = await evaluator.run(pull_job(pull.number))
    reads = [path for method, path in fake.requests[before:] if method == "GET"]
    assert not any(p.endswith("/files") or "/contents/" in p for p in reads), reads
    assert again.calls <= 4, reads
    fake.push(repo, "drop-email", {"db/migrate/20261102_more.rb": DROP})
    before = len(fake.requests)
    await evaluator.run(pull_job(pull.number))
    reads = [path for method, path in fake.requests[before:] if method == "GET"]
    assert any(p.endswith("/files") for p in reads), reads
    assert not any("/contents/" in p for p in reads), reads  # the base did not move


async def test_detection_and_the_policy_run_off_the_event_loop(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 3,000-file PR takes about half a second to detect (bench_core): on the loop it
    would hold every webhook's acknowledgement that long. Both run holding the
    evaluator's turns, which a worker process's journal writes wait for."""
    import threading

    from app.service import evaluator as module

    threads: list[tuple[str, bool]] = []
    real_findings, real_plan = module.findings_of, module.plan_pull
    turns = threading.Lock()

    def findings_of(snapshot: object) -> object:
        threads.append((threading.current_thread().name, turns.locked()))
        return real_findings(snapshot)  # type: ignore[arg-type]

    def plan_pull(*args: object) -> object:
        threads.append((threading.current_thread().name, turns.locked()))
        return real_plan(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "findings_of", findings_of)
    monkeypatch.setattr(module, "plan_pull", plan_pull)
    fake = FakeGitHub()
    _, pull = drop_email(fake)
    evaluator = Evaluator(fake_gateway(fake), journal, turns=turns)
    [outcome] = await evaluator.run(pull_job(pull.number))
    assert outcome.conclusion == "in_progress"
    loop_thread = threading.current_thread().name
    assert len(threads) == 2
    assert all(name != loop_thread and held for name, held in threads)
    assert not turns.locked()


WHOLE = """\
version: 1
roles:
  sre: {reviewers: {teams: [sre]}, when: [{detector: infra}]}
  security: {reviewers: {teams: [appsec]}, when: [{detector: dependencies}]}
"""
WORKFLOW = ".github/workflows/ci.yml"
LOCK = "package-lock.json"


def lockfile(version: str) -> str:
    return (
        '{"name": "shop", "lockfileVersion": 3, "packages": {"": {"dependencies": '
        f'{{"left-pad": "{version}"}}}}, "node_modules/left-pad": {{"version": "{version}"}}}}}}\n'
    )


async def test_files_read_whole_are_read_once_per_content(journal: Journal) -> None:
    """A PR editing a workflow and a lockfile (both read whole, at the merge base and the
    head): a re-evaluation that nothing moved makes at most 4 calls, and a push that
    leaves those two files alone reads neither again (same blob) nor the base side."""
    fake = FakeGitHub()
    repo = shop(fake, WHOLE)
    job = "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
    fake.push(repo, "main", {WORKFLOW: "on: push\n" + job, LOCK: lockfile("1.0.0")})
    fake.team("acme", "sre", {"sue"})
    fake.team("acme", "appsec", {"sam"})
    repo.collaborators |= {"sue", "sam"}
    changed = {WORKFLOW: "on: [push, pull_request_target]\n" + job, LOCK: lockfile("2.0.0")}
    fake.push(repo, "ci", changed)
    pull = fake.open_pull(repo, "ci", author="alice")
    evaluator = Evaluator(fake_gateway(fake), journal)
    await evaluator.run(pull_job(pull.number))
    contents = [p for _, p in fake.requests if "/contents/" in p and p.endswith((".yml", ".json"))]
    assert contents, "the two files were not read whole"
    before = len(fake.requests)
    [again] = await evaluator.run(pull_job(pull.number))
    assert again.calls <= 4, fake.requests[before:]
    fake.push(repo, "ci", {"README.md": "y\n"})
    before = len(fake.requests)
    await evaluator.run(pull_job(pull.number))
    reads = [path for method, path in fake.requests[before:] if method == "GET"]
    assert not any("/contents/" in p for p in reads), reads
    assert len(reads) <= 4, reads  # the PR, its files, its reviews, the merge base


async def test_a_head_text_that_does_not_hash_to_its_blob_is_fetched(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The head text is rebuilt from the base and the patch only when git's blob SHA
    agrees; a file list whose SHA does not match (a patch GitHub cut, say) costs the
    fetch, never a wrong text."""
    fake = FakeGitHub()
    repo = shop(fake, WHOLE)
    job = "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
    fake.push(repo, "main", {WORKFLOW: "on: push\n" + job})
    fake.team("acme", "sre", {"sue"})
    fake.push(repo, "ci", {WORKFLOW: "on: [push, pull_request_target]\n" + job})
    pull = fake.open_pull(repo, "ci", author="alice")
    real = fake._diff

    def wrong_sha(*args: object) -> list[dict[str, object]]:
        return [entry | {"sha": "f" * 40} for entry in real(*args)]  # type: ignore[arg-type]

    monkeypatch.setattr(fake, "_diff", wrong_sha)
    [outcome] = await Evaluator(fake_gateway(fake), journal).run(pull_job(pull.number))
    assert fake.count("GET", f"/contents/{WORKFLOW}") == 2  # the base, then the head
    assert outcome.requested  # and SRE is asked: the trigger was read from the real text
