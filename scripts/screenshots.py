"""docs/check-run.png and docs/release-plan.png: the demo change's check run and
release-plan comment, rendered as GitHub renders them (the story and the renderer of
tests/report/test_rendered.py, which checks what they show); docs/board.png and
docs/details.png: the pages in Chromium (the story of tests/web/test_browser.py)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.report.test_rendered import screenshots  # noqa: E402
from tests.web.test_browser import story  # noqa: E402

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        asyncio.run(screenshots(f"sqlite:///{scratch}/journal.db", ROOT / "docs"))
        asyncio.run(story(f"sqlite:///{scratch}/pages.db", ROOT / "docs"))
    print("wrote docs/check-run.png, docs/release-plan.png, docs/board.png and docs/details.png")
