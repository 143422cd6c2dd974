"""Sentences a person reads that more than one place says, each written once here.

Rule texts live beside their rules (the detectors' tables); sentences that one
report alone prints stay in that report.
"""

from __future__ import annotations

from collections.abc import Sequence

RECHECK_COMMAND = "/release-roles recheck"
NOTHING_REQUIRED = "No release role is required for this change."
NOTHING_REQUIRED_TITLE = "No release role needed"
DRAFT_NOTE = "Draft: reviewers will be requested when it is ready for review."
MERGE_GROUP_PASSED = "Release roles approved each pull request in this merge group"


def merge_group_passed(ref: str | None) -> str:
    return (
        "Every pull request entered the merge queue with this check passing "
        f"on {ref}; the merge group commit is the combination of approved changes."
    )


def evaluation_failed(reason: str) -> str:
    return (
        "**Release roles could not finish evaluating this pull request**, so it stays "
        f"blocked (fail closed).\n\n{reason}\n\nComment `{RECHECK_COMMAND}` to try again."
    )


def judged_by_diff(paths: Sequence[str], limit: int) -> str:
    """The note for files over the whole-file limit of one evaluation."""
    shown = ", ".join(f"`{path}`" for path in paths[:5])
    more = f" and {len(paths) - 5} more" if len(paths) > 5 else ""
    return (
        f"{len(paths)} files were judged by their diff alone, over the limit of "
        f"{limit} whole files read per evaluation: {shown}{more}."
    )


def extends_not_a_repository(value: str) -> str:
    return f"extends: {value!r} must name a repository as owner/repo"


def extends_missing(value: str, path: str) -> str:
    return (
        f"extends: {value} has no {path} on its default branch, or this app is not installed there"
    )
