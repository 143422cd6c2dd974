"""Files of the base commit the migrations detector reads beyond the diff.

A Django AlterField is rated against the field's previous definition, found by
walking the app's earlier migrations (readers/django_state.py), a Rails
change_column against db/schema.rb (readers/rails_schema.py). The CLI reads them
from git as the walk asks; the App cannot, so it asks here which paths the walk
still needs given what it has fetched, fetches those, and asks again (each round
one migration further back), within a budget of calls.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.detect.base import ChangedFile, FileStatus
from app.detect.globs import compiled
from app.detect.migrations.files import head_text, identify
from app.detect.migrations.readers.django import alterations
from app.detect.migrations.readers.django_state import wanted
from app.detect.migrations.readers.pyast import parse_quietly
from app.detect.migrations.readers.rails_schema import schema_path

_NO_EXTRA_PATHS = compiled(())


def base_paths_wanted(changed: ChangedFile, known: Mapping[str, str | None]) -> list[str]:
    """Paths at the base commit that reading `changed` needs and `known` lacks."""
    if changed.status == FileStatus.REMOVED or not changed.path.endswith((".py", ".rb")):
        return []
    text = head_text(changed)
    if text is None:
        return []
    framework = identify(changed, _NO_EXTRA_PATHS)
    if framework == "Rails" and "change_column" in text:
        schema = schema_path(changed.path)
        return [] if schema in known else [schema]
    if framework != "Django" or "AlterField" not in text:
        return []
    tree = parse_quietly(text)
    if tree is None:
        return []
    folder = changed.path.rpartition("/")[0]
    return sorted(
        {
            path
            for alteration in alterations(tree)
            for path in wanted(alteration, tree, folder, known)
        }
    )
