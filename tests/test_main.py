"""The app's start-up: what the lifespan does before the first request."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from tests.harness import running

pytestmark = pytest.mark.anyio


async def test_startup_objects_are_frozen_out_of_the_collectors_sight(tmp_path: Path) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    async with running(f"sqlite:///{tmp_path / 'journal.db'}"):
        assert gc.get_freeze_count() > 0
    gc.unfreeze()
