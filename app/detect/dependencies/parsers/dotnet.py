"""NuGet: project files, central package versions, packages.config, packages.lock.json."""

from __future__ import annotations

import re

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import Parsed, UnreadableError, load_json, new_dep

_NUGET = re.compile(
    r"""<(?:PackageReference|PackageVersion|package)\s[^>]*?(?:Include|Update|id)\s*=\s*"([^"]+)"[^>]*?(?:Version|version)\s*=\s*"([^"]+)\""""
)


def nuget_project(text: str) -> Parsed:
    """*.csproj/fsproj/vbproj, Directory.Packages.props, packages.config."""
    out: Parsed = {}
    for number, line in enumerate(split_lines(text), start=1):
        for match in _NUGET.finditer(line):
            out[match.group(1)] = new_dep(match.group(1), match.group(2), number, True)
    if not out and "<" in text and "</" not in text and "/>" not in text:
        raise UnreadableError("not an XML project file")
    return out


def nuget_lock(text: str) -> Parsed:
    data = load_json(text)
    out: Parsed = {}
    for framework in (data.get("dependencies") or {}).values():
        for name, info in framework.items():
            digest = info.get("contentHash")  # base64 SHA-512 of the package
            out[name] = new_dep(
                name,
                str(info.get("resolved") or "*"),
                None,
                info.get("type") == "Direct",
                digest=f"sha512-{digest}" if isinstance(digest, str) else None,
            )
    return out
