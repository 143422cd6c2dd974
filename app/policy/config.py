"""The models of `.github/release-roles.yml`, version 1.

Strict on purpose: an unknown key, a string where a number belongs or a glob
that cannot match is an error with its line and column (see `loading`), not a
silently ignored rule. The JSON Schema for editors is generated from these.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.detect.base import Change, DetectorSettings, Severity
from app.detect.dependencies.detector import DependencySettings
from app.detect.globs import Glob
from app.detect.migrations import MigrationSettings
from app.detect.registry import DETECTORS

CONFIG_PATH = ".github/release-roles.yml"
DEFAULT_CHECK_NAME = "Release roles"
StaleMode = Literal["relevant", "any_push", "never"]
REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$")  # owner/repo
# The registry's names, spelled out for the type checker and the JSON Schema; a test
# keeps this, the `Detectors` fields and the registry the same.
DetectorName = Literal["migrations", "dependencies", "auth", "secrets", "infra"]
SeverityName = Literal["info", "low", "medium", "high", "critical"]
ChangeName = Literal["added", "removed", "major", "minor", "patch", "downgrade", "other"]
_ACRONYMS = {"dba", "sre", "qa", "ops", "ux", "ui", "it", "pm", "devops", "secops"}


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as error:
        where = f" at position {error.pos}" if error.pos is not None else ""
        raise ValueError(f"invalid regular expression {pattern!r}: {error.msg}{where}") from None
    return pattern


Regex = Annotated[str, AfterValidator(_check_regex)]
_DURATION = re.compile(r"^(\d+)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _check_duration(text: str) -> str:
    if not _DURATION.match(text):
        raise ValueError(f"{text!r} is not a duration like 30m, 2h or 1d")
    return text


Duration = Annotated[str, AfterValidator(_check_duration)]


def seconds(duration: str) -> float:
    match = _DURATION.match(duration)
    assert match is not None  # validated
    return float(int(match.group(1)) * _SECONDS[match.group(2)])


Login = Annotated[str, Field(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$")]
RoleKey = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$",
        description="Lowercase letters, digits, '-' and '_'.",
    ),
]
TeamSlug = Annotated[
    str,
    Field(
        pattern=r"^(?:[A-Za-z0-9][A-Za-z0-9-]*/)?[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="A team slug, or org/slug for a team of another organisation.",
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Reviewers(Strict):
    teams: list[TeamSlug] = Field(default_factory=list, description="Team slugs to request.")
    users: list[Login] = Field(default_factory=list, description="GitHub logins to request.")


class Comparison(Strict):
    """A numeric bound such as `{gt: 400}`; every given bound must hold."""

    gt: int | None = None
    gte: int | None = None
    lt: int | None = None
    lte: int | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Self:
        if self.gt is None and self.gte is None and self.lt is None and self.lte is None:
            raise ValueError("give at least one of gt, gte, lt, lte")
        return self

    def holds(self, value: int) -> bool:
        return (
            (self.gt is None or value > self.gt)
            and (self.gte is None or value >= self.gte)
            and (self.lt is None or value < self.lt)
            and (self.lte is None or value <= self.lte)
        )


_DETECTOR_FILTERS = ("min_severity", "rules", "changes", "ecosystems")


class Condition(Strict):
    """One entry of `when` or `unless`: every key given must hold."""

    detector: DetectorName | None = Field(
        default=None, description="Findings of this built-in detector."
    )
    min_severity: SeverityName | None = Field(
        default=None, description="With detector: only findings at least this severe."
    )
    rules: list[Glob] | None = Field(
        default=None, description="With detector: only findings whose rule id matches a glob."
    )
    changes: list[ChangeName] | None = Field(
        default=None, description="With detector: dependencies: only these kinds of change."
    )
    ecosystems: list[str] | None = Field(
        default=None, description="With detector: dependencies: only these ecosystems."
    )
    paths: list[Glob] | None = Field(
        default=None, description="Changed files matching any glob (with detector: its findings)."
    )
    paths_ignore: list[Glob] | None = Field(
        default=None, description="Leave out files matching any of these globs."
    )
    content: Regex | None = Field(
        default=None, description="A regular expression searched in added lines."
    )
    labels: list[str] | None = Field(default=None, description="The PR has any of these labels.")
    base_branches: list[Glob] | None = Field(
        default=None, description="The PR targets a branch matching any glob."
    )
    authors: list[Login] | None = Field(default=None, description="The PR author is one of these.")
    not_authors: list[Login] | None = Field(
        default=None, description="The PR author is none of these."
    )
    lines_changed: Comparison | None = Field(
        default=None, description="Added plus removed lines, e.g. {gt: 400}."
    )
    files_changed: Comparison | None = Field(
        default=None, description="Number of changed files, e.g. {gte: 50}."
    )

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        given = self.model_dump(exclude_none=True)
        if not given:
            raise ValueError("empty condition: give at least one key, e.g. detector: migrations")
        if self.detector is None:
            orphans = [key for key in _DETECTOR_FILTERS if key in given]
            if orphans:
                raise ValueError(f"{', '.join(orphans)} only make sense with `detector:`")
        elif self.detector != "dependencies":
            misplaced = [key for key in ("changes", "ecosystems") if key in given]
            if misplaced:
                raise ValueError(
                    f"{', '.join(misplaced)} only apply to `detector: dependencies`, "
                    f"not {self.detector}"
                )
        if self.detector is not None and self.content is not None:
            raise ValueError("use either `detector:` or `content:` in one entry, not both")
        only_ignore = set(given) == {"paths_ignore"}
        if only_ignore:
            raise ValueError("paths_ignore alone matches nothing; add paths, content or detector")
        return self

    @property
    def min_severity_level(self) -> Severity | None:
        return Severity.parse(self.min_severity) if self.min_severity else None

    @property
    def change_kinds(self) -> frozenset[Change] | None:
        return frozenset(Change(c) for c in self.changes) if self.changes is not None else None


# Only variables of this prefix may be named by a repository's config: a config anyone
# can edit must not make the App send its own secrets somewhere.
NOTIFY_ENV = r"^RELEASE_ROLES_NOTIFY_[A-Z0-9_]+$"
EnvName = Annotated[str, Field(pattern=NOTIFY_ENV)]


class Notify(Strict):
    """Where a role hears of a PR that needs it. Each value names an environment
    variable of the App (RELEASE_ROLES_NOTIFY_...) holding the URL: never the URL."""

    slack: EnvName | None = None
    teams: EnvName | None = None
    webhook: EnvName | None = Field(default=None, description="A JSON POST, HMAC-signed.")
    secret: EnvName | None = Field(default=None, description="The webhook's signing key.")


class RequestWhen(Strict):
    """When a required role's reviewers are asked; the check waits for it all along."""

    stable_for: Duration | None = Field(
        default=None, description="No new commit for this long (30m, 2h, 1d)."
    )
    labels: list[str] | None = Field(default=None, description="Any of these labels is set.")


class Role(Strict):
    name: str | None = Field(
        default=None, description="Display name (defaults to the key, e.g. dba -> DBA)."
    )
    description: str | None = None
    reviewers: Reviewers = Field(default_factory=Reviewers)
    approvals: int = Field(default=1, ge=1, le=20, description="Distinct approvals needed.")
    stale_approvals: StaleMode | None = Field(
        default=None,
        description="This role's own staleness (QA: any_push, it tested that build); "
        "default: options.stale_approvals.",
    )
    when: list[Condition] = Field(
        min_length=1, description="The role is required if any entry holds."
    )
    unless: list[Condition] = Field(default_factory=list, description="...and no entry here holds.")
    checklist: list[str] = Field(
        default_factory=list,
        description="Items to tick before the role counts as done: in the release-plan "
        "comment by the role's reviewers, or without the comment in the PR body "
        '("- [x] item").',
    )
    notify: list[Notify] = Field(
        default_factory=list,
        description="Sent once per PR when the role becomes required, and when it is "
        "approved or overridden.",
    )
    request_when: RequestWhen | None = Field(
        default=None,
        description="Ask this role only once the code is stable or a label says it is "
        "ready (QA tests a build that stays put).",
    )


class Detectors(Strict):
    migrations: MigrationSettings = Field(default_factory=MigrationSettings)
    dependencies: DependencySettings = Field(default_factory=DependencySettings)
    auth: DetectorSettings = Field(default_factory=DetectorSettings)
    secrets: DetectorSettings = Field(default_factory=DetectorSettings)
    infra: DetectorSettings = Field(default_factory=DetectorSettings)

    def by_name(self) -> dict[str, DetectorSettings]:
        return {name: getattr(self, name) for name in DETECTORS}


class Options(Strict):
    check_name: str = Field(default=DEFAULT_CHECK_NAME, min_length=1, max_length=100)
    stale_approvals: StaleMode = Field(
        default="relevant",
        description="relevant: an approval goes stale when files that triggered the role "
        "change after it; any_push: on any new commit; never: approvals never go stale.",
    )
    request_reviews: bool = True
    summary_comment: bool = Field(
        default=True,
        description="Keep one release-plan comment on the PR (created when a role is "
        "required, edited in place).",
    )
    skip_drafts: bool = True
    early_notice: bool = Field(
        default=True,
        description="On a draft that already needs a role, the release-plan comment names "
        "its teams as a heads-up (no review request until it is ready).",
    )
    checklist_by_author: bool = Field(
        default=False,
        description="Count the author's own ticks of a role's checklist in the "
        "release-plan comment (by default only the role's reviewers' ticks count).",
    )
    separation_of_duties: bool = Field(
        default=False, description="One person's approval satisfies at most one role."
    )
    allow_contributors: bool = Field(
        default=False,
        description="Count approvals of people who authored or committed commits of the PR.",
    )
    require_last_push_approval: bool | None = Field(
        default=None,
        description="The approval of whoever made the head commit never counts. Default: "
        "true when stale_approvals is any_push, else false.",
    )


class Overrides(Strict):
    """Who may waive a required role: by a comment `/release-roles override <role>
    --reason "..."`, or by setting a label that a role's `unless` names."""

    by: Reviewers = Field(
        default_factory=Reviewers, description="The people and teams who may override."
    )
    reason_required: bool = Field(default=True, description="An override must say why.")
    allow_author: bool = Field(
        default=False, description="Let the author override their own pull request."
    )


class Config(Strict):
    """The whole of `.github/release-roles.yml`."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="Release Roles configuration",
        json_schema_extra={"$id": "https://release-roles.dev/schema/v1.json"},
    )

    version: Literal[1]
    extends: str | None = Field(
        default=None,
        description="Org defaults merged under this file: owner/repo (its "
        ".github/release-roles.yml) or, for the CLI, a local path.",
    )
    roles: dict[RoleKey, Role] = Field(default_factory=dict)
    detectors: Detectors = Field(default_factory=Detectors)
    options: Options = Field(default_factory=Options)
    overrides: Overrides | None = Field(
        default=None,
        description="Who may waive roles. Without it, a waiver label counts only when "
        "someone other than the author and the PR's contributors set it, and no comment "
        "override is accepted.",
    )


def display_name(key: str, role: Role) -> str:
    """What people read: the role's `name`, or its key with acronyms in capitals."""
    if role.name:
        return role.name
    words = re.split(r"[-_]", key)
    return " ".join(w.upper() if w in _ACRONYMS else w.capitalize() for w in words)


def json_schema() -> dict[str, object]:
    schema = Config.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
