"""Sentences a person reads that more than one place says, each written once here.

Rule texts live beside their rules (the detectors' tables); sentences that one
report alone prints stay in that report.
"""

from __future__ import annotations

from collections.abc import Sequence

RECHECK_COMMAND = "/release-roles recheck"
OVERRIDE_COMMAND = "/release-roles override"
NOTHING_REQUIRED = "No release role is required for this change."
NOTHING_REQUIRED_TITLE = "No release role needed"
# The checklist outside the place it is ticked (the check run; the comment when the
# PR body is where): plain marks, not task boxes that would look tickable and count
# for nothing there
TICKED, UNTICKED = "☑", "☐"
DRAFT_NOTE = "Draft: reviewers will be requested when it is ready for review."
DRAFT_HEADS_UP = (
    "This is a draft: nothing is asked of you yet. Reviews will be requested when it is "
    "ready; this is so you hear of it early."
)
GROUP_FAILED_TITLE = "This merge group cannot pass"
GROUP_TOO_LARGE = (
    "The merge group is larger than GitHub's compare lists (300 files or 100 commits), so "
    "not every change in it can be matched to an approved pull request. Merge it in "
    "smaller groups."
)
GROUP_EMPTY = (
    "No pull request of this merge group could be found (its branch and commits name "
    "none that is open), so nothing in it is known to be approved."
)


def group_unreadable(reason: str) -> str:
    return f"The merge group's commits could not be read, so it stays blocked: {reason}"


def group_passed(numbers: Sequence[int]) -> str:
    names = ", ".join(f"#{n}" for n in numbers)
    return f"Every pull request in this merge group passes now: {names}"


def group_held(number: int, title: str) -> str:
    return f"#{number}: {title}"


def group_unclaimed(paths: Sequence[str]) -> str:
    shown = ", ".join(f"`{p}`" for p in paths[:10])
    more = f" and {len(paths) - 10} more" if len(paths) > 10 else ""
    return (
        f"Changed in this merge group but by none of its pull requests: {shown}{more}. "
        "Changes no pull request brought cannot have been approved."
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


def contributed(login: str) -> str:
    return f"@{login} pushed to this pull request; their approval does not count."


def config_vanished(path: str, sha: str) -> str:
    return (
        f"GitHub said {path} does not exist at {sha[:7]}, but the commit has it; reading it again"
    )


def checklist_heading(where: str) -> str:
    return f"Checklist, ticked in {where}:"
