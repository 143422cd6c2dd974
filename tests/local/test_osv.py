"""OSV lookups: found vulnerabilities raise the finding, failures say "not checked"."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from app.cli import cli
from app.detect.base import Change, Finding, Kind, Severity
from app.local import osv
from tests.conftest import GitRepo

pytestmark = pytest.mark.anyio


def dep(package: str, to: str | None, change: Change, ecosystem: str = "pypi") -> Finding:
    return Finding(
        Kind.DEPENDENCY,
        "requirements.txt",
        3,
        Severity.MEDIUM if change == Change.ADDED else Severity.LOW,
        f"dependency.{change.value}",
        f"{package} {to} ({ecosystem})",
        ecosystem=ecosystem,
        package=package,
        to_version=to,
        change=change,
    )


def fake_osv(known: dict[tuple[str, str, str], list[str]], seen: list[dict]) -> httpx.MockTransport:
    """Answers like OSV's querybatch: one result per query, in order, ids only."""

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/querybatch"
        body = json.loads(request.content)
        seen.append(body)
        results = []
        for query in body["queries"]:
            package = query["package"]
            ids = known.get((package["ecosystem"], package["name"], query["version"]), [])
            results.append(
                {"vulns": [{"id": i, "modified": "2026-01-01T00:00:00Z"} for i in ids]}
                if ids
                else {}
            )
        return httpx.Response(200, json={"results": results})

    return httpx.MockTransport(handle)


async def test_known_vulnerabilities_raise_the_finding_and_name_the_advisory() -> None:
    seen: list[dict] = []
    transport = fake_osv(
        {("PyPI", "jinja2", "2.4.1"): ["GHSA-462w-v97r-4m45", "PYSEC-2019-217"]}, seen
    )
    findings = [
        dep("jinja2", "2.4.1", Change.ADDED),
        dep("requests", "2.32.3", Change.MINOR),
        dep("left-pad", "^1.3.0", Change.OTHER, "npm"),  # a range: not asked
        dep("gone", None, Change.REMOVED),
    ]
    async with httpx.AsyncClient(transport=transport, base_url="https://api.osv.dev") as client:
        out = await osv.check(findings, client, "https://api.osv.dev/v1/querybatch")
    assert [q["package"]["name"] for q in seen[0]["queries"]] == ["jinja2", "requests"]
    assert out[0].severity == Severity.HIGH
    assert "GHSA-462w-v97r-4m45" in out[0].message
    assert out[0].extra["advisories"] == ["GHSA-462w-v97r-4m45", "PYSEC-2019-217"]
    assert out[1:] == findings[1:]


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(503, text="unavailable"),
        httpx.Response(200, json={"results": []}),  # wrong length
        httpx.Response(200, text="not json"),
    ],
)
async def test_failures_degrade_to_not_checked(answer: httpx.Response) -> None:
    transport = httpx.MockTransport(lambda _request: answer)
    findings = [dep("jinja2", "2.4.1", Change.ADDED)]
    async with httpx.AsyncClient(transport=transport) as client:
        out = await osv.check(findings, client, "https://osv.test/v1/querybatch")
    assert out[0] == findings[0]
    [unchecked] = out[1:]
    assert unchecked.rule == "dependency.vulnerabilities-unchecked"
    assert "1 package versions were not checked" in unchecked.message


def test_cli_osv_is_off_by_default_and_says_when_it_could_not_check(repo: GitRepo) -> None:
    repo.commit({"requirements.txt": "jinja2==2.4.0\n"})
    repo.git("checkout", "-q", "-b", "bump")
    repo.commit({"requirements.txt": "jinja2==2.4.1\n"})
    args = ["check", "-C", str(repo.path), "--base", "main", "--head", "bump", "--format", "json"]
    plain = CliRunner().invoke(cli, args)
    assert "vulnerabilities" not in plain.output
    unreachable = CliRunner().invoke(
        cli, [*args, "--osv", "--osv-url", "http://127.0.0.1:9/v1/querybatch"]
    )
    assert unreachable.exit_code == 0, unreachable.output
    reasons = [r for role in json.loads(unreachable.output)["roles"] for r in role["reasons"]]
    assert "dependency.vulnerabilities-unchecked" in {r["rule"] for r in reasons}
