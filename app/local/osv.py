"""Known vulnerabilities of added and changed package versions, from OSV.

Optional (`release-roles check --osv`; off by default, it is a network call):
one `POST /v1/querybatch` per 1,000 package versions. A version with known
vulnerabilities becomes a high finding naming them. A timeout, an HTTP error
or an answer of the wrong shape never crashes the check and never passes in
silence: the findings stay as they were and one more finding says the
versions were not checked, and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import httpx

from app.detect.base import Change, Finding, Kind, Severity

OSV_URL = "https://api.osv.dev/v1/querybatch"
BATCH = 1000
# our ecosystem names -> OSV's (case-sensitive)
ECOSYSTEMS = {
    "pypi": "PyPI",
    "npm": "npm",
    "golang": "Go",
    "cargo": "crates.io",
    "gem": "RubyGems",
    "composer": "Packagist",
    "maven": "Maven",
    "nuget": "NuGet",
    "hex": "Hex",
    "pub": "Pub",
    "github-actions": "GitHub Actions",
}
_CHECKED = {Change.ADDED, Change.MAJOR, Change.MINOR, Change.PATCH, Change.DOWNGRADE, Change.OTHER}


def _query(finding: Finding) -> dict[str, object] | None:
    ecosystem = ECOSYSTEMS.get(finding.ecosystem or "")
    if ecosystem is None or finding.change not in _CHECKED or not finding.to_version:
        return None
    version = finding.to_version.removeprefix("v") if ecosystem == "Go" else finding.to_version
    if not version[:1].isdigit():
        return None  # a range or a ref: OSV needs an exact version
    name = finding.package or ""
    return {"package": {"ecosystem": ecosystem, "name": name}, "version": version}


async def check(
    findings: Sequence[Finding], client: httpx.AsyncClient, url: str = OSV_URL
) -> list[Finding]:
    """`findings` with OSV's known vulnerabilities applied (see the module doc)."""
    asked = [(i, q) for i, f in enumerate(findings) if (q := _query(f)) is not None]
    if not asked:
        return list(findings)
    out = list(findings)
    try:
        for start in range(0, len(asked), BATCH):
            chunk = asked[start : start + BATCH]
            response = await client.post(url, json={"queries": [q for _, q in chunk]})
            response.raise_for_status()
            results = response.json()["results"]
            if len(results) != len(chunk):
                raise ValueError(f"{len(results)} results for {len(chunk)} queries")
            for (index, _), result in zip(chunk, results, strict=True):
                ids = [v["id"] for v in (result or {}).get("vulns") or []]
                if ids:
                    out[index] = _vulnerable(out[index], ids)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        return [*findings, _unchecked(len(asked), error)]
    return out


def _vulnerable(finding: Finding, ids: list[str]) -> Finding:
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    return replace(
        finding,
        severity=max(finding.severity, Severity.HIGH),
        message=f"{finding.message}; known vulnerabilities in {finding.to_version} (OSV): {shown}",
        extra={**finding.extra, "advisories": ids},
    )


def _unchecked(count: int, error: Exception) -> Finding:
    reason = type(error).__name__ if not str(error) else f"{type(error).__name__}: {error}"
    # medium: the check was asked for and did not happen, so it still calls security
    return Finding.for_change(
        Kind.DEPENDENCY,
        Severity.MEDIUM,
        "dependency.vulnerabilities-unchecked",
        f"{count} package versions were not checked for known vulnerabilities "
        f"(OSV did not answer: {reason[:200]})",
    )
