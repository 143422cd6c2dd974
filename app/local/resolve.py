"""`extends:` for the CLI: a local path, or a local copy of another repository's file."""

from __future__ import annotations

from pathlib import Path

from app.policy.config import REPOSITORY
from app.policy.loading import ExtendsError, Resolver


def local_resolver(extends_path: str | None) -> Resolver:
    def resolve(value: str, source: str) -> tuple[str, str]:
        if REPOSITORY.match(value) and not value.endswith((".yml", ".yaml")):
            if extends_path is None:
                raise ExtendsError(
                    f"extends: {value} names a repository, which the CLI does not fetch; "
                    f"pass --extends-path with a local copy of its {'.github/release-roles.yml'}"
                )
            target = Path(extends_path)
        else:
            anchor = Path(source.split(" (")[0]).parent
            target = Path(value) if Path(value).is_absolute() else anchor / value
        try:
            return target.read_text("utf-8"), str(target)
        except OSError as error:
            raise ExtendsError(f"extends: cannot read {target}: {error.strerror}") from None

    return resolve
