"""The check run and the release-plan comment as GitHub shows them: GitHub's own
Markdown renderer (cmark-gfm, through `cmarkgfm`) and GitHub's Markdown CSS
(`github-markdown-css`, vendored), in headless Chromium (Debian's `chromium`:
Playwright cannot download its own browser here).

Used by tests/report/test_rendered.py, and by `scripts/dev screenshots`, which
writes docs/*.png from the same story."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

CSS = Path(__file__).parent / "fixtures" / "github-markdown-css" / "github-markdown-light.css"


def chromium() -> str | None:
    """The browser to drive: $CHROMIUM, else Debian's."""
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


def page(markdown: str, title: str) -> str:
    """A page with the Markdown rendered as GitHub renders a comment (raw HTML such
    as our hidden markers is kept as comments; GitHub strips what it would not show)."""
    body = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<style>{CSS.read_text()}</style>"
        "<style>body{margin:0;background:#fff}.markdown-body{box-sizing:border-box;"
        "max-width:900px;padding:24px}</style>"
        f"<title>{title}</title></head><body><article class='markdown-body'>{body}"
        "</article></body></html>"
    )
