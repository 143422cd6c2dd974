"""A stateful fake of the GitHub REST API, as an ASGI app.

It holds repositories (commits as whole file trees, branches), pull requests,
reviews, teams and check runs, and answers the endpoints the gateway calls.
Every response body starts from the example GitHub's own OpenAPI description
gives for that operation (tests/fixtures/github/openapi-subset.json) with the
fake's state written over it, and `responses` records everything returned so
a test can validate it against the OpenAPI schema.

Faults are injected per route: `fail("GET", "/pulls/", 502)` makes the next
matching request fail once.
"""

from __future__ import annotations

import base64
import copy
import difflib
import hashlib
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

SUBSET = json.loads(
    (Path(__file__).parent.parent / "fixtures/github/openapi-subset.json").read_text()
)


CONTENTS_API_LIMIT = 1024 * 1024  # bytes; larger files come back with encoding "none"


def example(operation: str, name: str = "default") -> Any:
    return copy.deepcopy(SUBSET[operation]["examples"][name])


def git_blob_sha(text: str) -> str:
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def sha_of(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()


@dataclass
class Pull:
    number: int
    author: str
    head_ref: str
    base_ref: str
    title: str = "A change"
    body: str = ""
    labels: set[str] = field(default_factory=set)
    draft: bool = False
    state: str = "open"
    requested_users: set[str] = field(default_factory=set)
    requested_teams: set[str] = field(default_factory=set)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    # (label, who set it), oldest first: GitHub's issue events of kind "labeled"
    labelings: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Repo:
    owner: str
    name: str
    id: int
    default_branch: str = "main"
    commits: dict[str, dict[str, str]] = field(default_factory=dict)
    parents: dict[str, str | None] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    pulls: dict[int, Pull] = field(default_factory=dict)
    collaborators: set[str] = field(default_factory=set)
    # sha -> (message, author login, committer login, second parent, GitHub-signed);
    # None login: not a GitHub user
    commit_info: dict[str, tuple[str, str | None, str | None, str | None, bool]] = field(
        default_factory=dict
    )
    commit_times: dict[str, float] = field(default_factory=dict)  # sha -> when pushed
    # None: the dependency graph is off (GitHub answers 403); else the changes to report
    dependency_graph: list[dict[str, Any]] | None = None


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    times: int


class FakeGitHub:
    def __init__(self) -> None:
        self.repos: dict[tuple[str, str], Repo] = {}
        self.teams: dict[tuple[str, str], set[str]] = {}
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.blobs: dict[str, str] = {}
        self.trees: dict[str, tuple[str, str]] = {}  # tree sha -> (commit, directory)
        self.review_requests: list[dict[str, Any]] = []  # every request body, in order
        self.comments: dict[int, dict[str, Any]] = {}  # id -> pull, repo, body, edits
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str]] = []
        self.responses: list[tuple[str, int, Any]] = []  # (operation, status, body)
        self.hook_attempts: list[dict[str, Any]] = []  # the App's deliveries, newest first
        self.redelivered: list[int] = []  # attempt ids asked again, in order
        self.manifest_codes: set[str] = set()  # codes GitHub's manifest flow handed out
        self.manifest_key = ""  # the PEM a manifest conversion answers with
        # The OAuth web flow: who is signed in to GitHub in the browser, the codes handed
        # out (code -> login, one use) and the user tokens (token -> login).
        self.browser_user = "octocat"
        self.oauth_client = ("Iv1.fakeclient", "fake-client-secret")
        self.oauth_codes: dict[str, str] = {}
        self.user_tokens: dict[str, str] = {}
        self._ids = itertools.count(1000)
        self.app = self._build()

    # --- arranging state -----------------------------------------------------------------

    def repo(self, owner: str, name: str, files: dict[str, str]) -> Repo:
        repo = Repo(owner, name, id=next(self._ids))
        repo.collaborators = {owner.lower()}
        self.repos[(owner.lower(), name.lower())] = repo
        self.push(repo, repo.default_branch, files, replace=True)
        return repo

    def push(
        self,
        repo: Repo,
        branch: str,
        files: dict[str, str | None],
        *,
        replace: bool = False,
        message: str = "A commit",
        author: str | None = "alice",
        committer: str | None = "web-flow",
        parent: str | None = None,
        merged: str | None = None,
        signed: bool = False,
    ) -> str:
        """Commit on `branch` (created from `parent`, else the default branch, if new);
        None deletes a file. `merged`: a second parent (a merge commit); `signed`: GitHub
        verified its signature (as for its own web-flow commits)."""
        parent = repo.branches.get(branch) or parent or repo.branches.get(repo.default_branch)
        tree = {} if replace or parent is None else dict(repo.commits[parent])
        for path, content in files.items():
            if content is None:
                tree.pop(path, None)
            else:
                tree[path] = content
        sha = sha_of(repo.name, branch, len(repo.commits), sorted(tree.items()))
        repo.commits[sha] = tree
        repo.parents[sha] = parent
        repo.branches[branch] = sha
        repo.commit_info[sha] = (message, author, committer, merged, signed)
        repo.commit_times[sha] = time.time()
        return sha

    def open_pull(self, repo: Repo, branch: str, author: str, **fields: Any) -> Pull:
        number = len(repo.pulls) + 1
        pull = Pull(number, author, branch, fields.pop("base", repo.default_branch), **fields)
        repo.pulls[number] = pull
        return pull

    def review(
        self, repo: Repo, pull: Pull, user: str, state: str, commit: str | None = None
    ) -> None:
        pull.reviews.append(
            {
                "user": user,
                "state": state,
                "commit_id": commit or repo.branches[pull.head_ref],
                "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
        )
        pull.requested_users.discard(user.lower())
        # GitHub's rule: a team's request is done once one of its members reviews
        pull.requested_teams -= {
            slug
            for (org, slug), members in self.teams.items()
            if org == repo.owner.lower() and user.lower() in members
        }

    def label(self, pull: Pull, label: str, by: str) -> None:
        """`by` sets `label` on the PR (GitHub records who, as an issue event)."""
        pull.labels.add(label)
        pull.labelings.append((label, by))

    def attempt(self, guid: str, status_code: int, at: float, event: str = "pull_request") -> int:
        """GitHub tried to deliver event `guid` at `at` and got `status_code` (0: no
        connection); listed by GET /app/hook/deliveries, newest first."""
        item = example("GET /app/hook/deliveries")[0]
        attempt_id = next(self._ids)
        item |= {
            "id": attempt_id,
            "guid": guid,
            "status_code": status_code,
            "status": "OK" if 200 <= status_code < 300 else "Invalid HTTP Response: 503",
            "delivered_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
            "redelivery": any(a["guid"] == guid for a in self.hook_attempts),
            "event": event,
            "action": "opened",
        }
        self.hook_attempts.append(item)
        self.hook_attempts.sort(key=lambda a: a["delivered_at"], reverse=True)
        return attempt_id

    def team(self, org: str, slug: str, members: set[str]) -> None:
        self.teams[(org.lower(), slug.lower())] = {m.lower() for m in members}

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        message: str = "Server Error",
    ) -> None:
        self.faults.append(
            Fault(
                method, re.compile(path_regex), status, headers or {}, {"message": message}, times
            )
        )

    def checks_for(self, repo: Repo, sha: str) -> list[dict[str, Any]]:
        return [
            c for c in self.check_runs.values() if c["head_sha"] == sha and c["_repo"] == repo.id
        ]

    def count(self, method: str, path_regex: str) -> int:
        pattern = re.compile(path_regex)
        return sum(1 for m, p in self.requests if m == method and pattern.search(p))

    # --- the HTTP surface ------------------------------------------------------------------

    def _build(self) -> FastAPI:
        app = FastAPI()
        fake = self

        @app.middleware("http")
        async def record(request: Request, call_next: Any) -> Response:
            fake.requests.append((request.method, request.url.path))
            for fault in fake.faults:
                if (
                    fault.times > 0
                    and fault.method == request.method
                    and fault.pattern.search(request.url.path)
                ):
                    fault.times -= 1
                    return JSONResponse(fault.body, fault.status, headers=fault.headers)
            response: Response = await call_next(request)
            return response

        def answer(operation: str, body: Any, status: int = 200) -> JSONResponse:
            fake.responses.append((operation, status, body))
            return JSONResponse(body, status)

        def conditional(operation: str, body: Any, request: Request) -> Response:
            """As GitHub answers a list: with a (weak) ETag, and 304 Not Modified with no
            body when the request's If-None-Match names the current one."""
            etag = 'W/"' + hashlib.sha256(json.dumps(body).encode()).hexdigest() + '"'
            if request.headers.get("if-none-match") == etag:
                fake.responses.append((operation, 304, None))
                return Response(status_code=304, headers={"ETag": etag})
            response = answer(operation, body)
            response.headers["ETag"] = etag
            return response

        def not_found() -> JSONResponse:
            return JSONResponse(
                {
                    "message": "Not Found",
                    "documentation_url": "https://docs.github.com/rest",
                    "status": "404",
                },
                404,
            )

        @app.post("/app/installations/{installation_id}/access_tokens")
        async def token(installation_id: int) -> JSONResponse:
            body = example("POST /app/installations/{installation_id}/access_tokens")
            body["token"] = f"ghs_fake{installation_id}"
            body["expires_at"] = time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600)
            )
            return answer("POST /app/installations/{installation_id}/access_tokens", body, 201)

        @app.post("/app-manifests/{code}/conversions")
        async def manifest_conversion(code: str) -> JSONResponse:
            """GitHub's manifest flow: a code (one use) for the new App's credentials."""
            if code not in fake.manifest_codes:
                return not_found()
            fake.manifest_codes.discard(code)
            body = example("POST /app-manifests/{code}/conversions")
            body |= {"id": next(fake._ids), "pem": fake.manifest_key}
            body["webhook_secret"] = f"whsec-{code}-{next(fake._ids)}"
            return answer("POST /app-manifests/{code}/conversions", body, 201)

        @app.get("/login/oauth/authorize")
        async def authorize(request: Request) -> Response:
            """GitHub's authorize page, as if the browser's user pressed Authorize."""
            query = request.query_params
            if query.get("client_id") != fake.oauth_client[0]:
                return JSONResponse({"message": "unknown client"}, 404)
            code = f"code{next(fake._ids)}"
            fake.oauth_codes[code] = fake.browser_user
            back = httpx.URL(query["redirect_uri"]).copy_merge_params(
                {"code": code, "state": query.get("state", "")}
            )
            return RedirectResponse(str(back), 302)

        @app.post("/login/oauth/access_token")
        async def access_token(request: Request) -> JSONResponse:
            """The code for a user token: GitHub answers 200 even to a bad code, with
            an `error` instead of a token (as its documentation says)."""
            body = await request.json()
            login = fake.oauth_codes.pop(body.get("code", ""), None)
            if (body.get("client_id"), body.get("client_secret")) != fake.oauth_client or not login:
                return JSONResponse(
                    {
                        "error": "bad_verification_code",
                        "error_description": "The code passed is incorrect or expired.",
                    }
                )
            token = f"ghu_fake{next(fake._ids)}"
            fake.user_tokens[token] = login
            return JSONResponse(
                {
                    "access_token": token,
                    "expires_in": 28800,
                    "refresh_token": f"ghr_fake{next(fake._ids)}",
                    "refresh_token_expires_in": 15897600,
                    "scope": "",
                    "token_type": "bearer",
                }
            )

        def user_of(request: Request) -> str | None:
            token = request.headers.get("authorization", "").removeprefix("token ")
            return fake.user_tokens.get(token.removeprefix("Bearer "))

        def unauthorized() -> JSONResponse:
            body = {"message": "Bad credentials", "status": "401"}
            return JSONResponse(body | {"documentation_url": "https://docs.github.com/rest"}, 401)

        @app.get("/user")
        async def user(request: Request) -> JSONResponse:
            login = user_of(request)
            if login is None:
                return unauthorized()
            body = example("GET /user", "response-with-public-and-private-profile-information")
            body["login"] = login
            return answer("GET /user", body)

        @app.get("/user/installations")
        async def user_installations(request: Request) -> JSONResponse:
            login = user_of(request)
            if login is None:
                return unauthorized()
            body = example("GET /user/installations")
            owners = sorted({owner for owner, _ in fake.readable(login)})
            template = body["installations"][0]
            body["installations"] = [fake._installation(template, o) for o in owners]
            body["total_count"] = len(owners)
            return answer("GET /user/installations", body)

        @app.get("/user/installations/{installation_id}/repositories")
        async def user_repositories(request: Request, installation_id: int) -> JSONResponse:
            login = user_of(request)
            if login is None:
                return unauthorized()
            operation = "GET /user/installations/{installation_id}/repositories"
            body = example(operation)
            template = body["repositories"][0]
            repos = [
                fake.repos[key]
                for key in sorted(fake.readable(login))
                if fake.installation_id(key[0]) == installation_id
            ]
            body["repositories"] = [
                template | {"id": r.id, "name": r.name, "full_name": f"{r.owner}/{r.name}"}
                for r in repos
            ]
            body["total_count"] = len(repos)
            return answer(operation, body)

        @app.get("/app/hook/deliveries")
        async def hook_deliveries(
            request: Request, per_page: int = 30, cursor: str | None = None
        ) -> JSONResponse:
            start = int(cursor or 0)
            page = fake.hook_attempts[start : start + per_page]
            headers = {}
            if start + per_page < len(fake.hook_attempts):
                after = request.url.include_query_params(cursor=str(start + per_page))
                headers["Link"] = f'<{after}>; rel="next"'
            fake.responses.append(("GET /app/hook/deliveries", 200, page))
            return JSONResponse(page, 200, headers=headers)

        @app.post("/app/hook/deliveries/{attempt_id}/attempts")
        async def redeliver(attempt_id: int) -> JSONResponse:
            if not any(a["id"] == attempt_id for a in fake.hook_attempts):
                return not_found()
            fake.redelivered.append(attempt_id)
            return answer("POST /app/hook/deliveries/{delivery_id}/attempts", {}, 202)

        @app.get("/repos/{owner}/{name}/pulls/{number}")
        async def get_pull(owner: str, name: str, number: int, request: Request) -> Response:
            repo = fake.repos.get((owner.lower(), name.lower()))
            if repo is None or number not in repo.pulls:
                return not_found()
            return conditional(
                "GET /repos/{owner}/{repo}/pulls/{pull_number}",
                fake._pull_body(repo, repo.pulls[number]),
                request,
            )

        @app.get("/repos/{owner}/{name}/pulls")
        async def list_pulls(owner: str, name: str, request: Request) -> JSONResponse:
            repo = fake.repos[(owner.lower(), name.lower())]
            base = request.query_params.get("base")
            state = request.query_params.get("state", "open")
            pulls = [
                p
                for p in repo.pulls.values()
                if (base is None or p.base_ref == base) and p.state == state
            ]
            body = [fake._pull_body(repo, p, simple=True) for p in pulls]
            return answer("GET /repos/{owner}/{repo}/pulls", _page(body, request))

        @app.get("/repos/{owner}/{name}/pulls/{number}/files")
        async def files(owner: str, name: str, number: int, request: Request) -> JSONResponse:
            repo = fake.repos[(owner.lower(), name.lower())]
            pull = repo.pulls.get(number)
            if pull is None:
                return not_found()
            base = fake._merge_base(repo, pull)
            entries = fake._diff(repo, base, repo.branches[pull.head_ref])
            return answer(
                "GET /repos/{owner}/{repo}/pulls/{pull_number}/files", _page(entries, request)
            )

        @app.get("/repos/{owner}/{name}/pulls/{number}/commits")
        async def pull_commits(
            owner: str, name: str, number: int, request: Request
        ) -> JSONResponse:
            repo = fake.repos[(owner.lower(), name.lower())]
            pull = repo.pulls.get(number)
            if pull is None:
                return not_found()
            commits = fake._commits_between(
                repo, fake._merge_base(repo, pull), repo.branches[pull.head_ref]
            )
            return answer(
                "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", _page(commits, request)
            )

        @app.get("/repos/{owner}/{name}/issues/{number}/events")
        async def issue_events(
            owner: str, name: str, number: int, request: Request
        ) -> JSONResponse:
            repo = fake.repos[(owner.lower(), name.lower())]
            pull = repo.pulls.get(number)
            if pull is None:
                return not_found()
            template = example("GET /repos/{owner}/{repo}/issues/{issue_number}/events")[0]
            events = []
            for index, (label, by) in enumerate(pull.labelings):
                event = json.loads(json.dumps(template))
                event |= {"id": 5000 + index, "event": "labeled", "commit_id": None}
                event["commit_url"] = None
                event["actor"]["login"] = by
                event["label"] = {"name": label, "color": "ededed"}
                events.append(event)
            return answer(
                "GET /repos/{owner}/{repo}/issues/{issue_number}/events", _page(events, request)
            )

        @app.post("/repos/{owner}/{name}/issues/{number}/comments")
        async def create_comment(
            owner: str, name: str, number: int, request: Request
        ) -> JSONResponse:
            repo = fake.repos[(owner.lower(), name.lower())]
            if number not in repo.pulls:
                return not_found()
            data = await request.json()
            comment_id = next(fake._ids)
            fake.comments[comment_id] = {"pull": number, "repo": repo.id, "body": data["body"]}
            return answer(
                "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
                fake._comment_body(comment_id),
                201,
            )

        @app.patch("/repos/{owner}/{name}/issues/comments/{comment_id}")
        async def update_comment(
            owner: str, name: str, comment_id: int, request: Request
        ) -> JSONResponse:
            if comment_id not in fake.comments:
                return not_found()
            fake.comments[comment_id]["body"] = (await request.json())["body"]
            fake.comments[comment_id]["edits"] = fake.comments[comment_id].get("edits", 0) + 1
            return answer(
                "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
                fake._comment_body(comment_id),
            )

        @app.get("/repos/{owner}/{name}/pulls/{number}/reviews")
        async def reviews(owner: str, name: str, number: int, request: Request) -> JSONResponse:
            repo = fake.repos[(owner.lower(), name.lower())]
            out = []
            for index, review in enumerate(repo.pulls[number].reviews):
                body = example("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews")[0]
                body["id"] = 80 + index
                body["user"]["login"] = review["user"]
                body["state"] = review["state"]
                body["commit_id"] = review["commit_id"]
                body["submitted_at"] = review["submitted_at"]
                out.append(body)
            return conditional(
                "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
                _page(out, request),
                request,
            )

        @app.post("/repos/{owner}/{name}/pulls/{number}/requested_reviewers")
        async def request_reviewers(
            owner: str, name: str, number: int, request: Request
        ) -> JSONResponse:
            repo = fake.repos[(owner.lower(), name.lower())]
            pull = repo.pulls[number]
            data = await request.json()
            fake.review_requests.append(data)
            users = [u.lower() for u in data.get("reviewers", [])]
            teams = [t.lower() for t in data.get("team_reviewers", [])]
            unknown_teams = [t for t in teams if (owner.lower(), t) not in fake.teams]
            outsiders = [u for u in users if u not in repo.collaborators]
            if unknown_teams or outsiders:
                return JSONResponse(
                    {
                        "message": "Reviews may only be requested from collaborators. One or more "
                        "of the teams you specified is not a collaborator of the "
                        f"{owner}/{name} repository.",
                        "documentation_url": "https://docs.github.com/rest/pulls/review-requests",
                    },
                    422,
                )
            pull.requested_users |= set(users)
            pull.requested_teams |= set(teams)
            body = fake._pull_body(repo, pull, simple=True)
            return answer(
                "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", body, 201
            )

        @app.get("/repos/{owner}/{name}/contents/{path:path}")
        async def contents(owner: str, name: str, path: str, request: Request) -> JSONResponse:
            repo = fake.repos.get((owner.lower(), name.lower()))
            if repo is None:
                return not_found()
            ref = request.query_params.get("ref") or repo.default_branch
            sha = repo.branches.get(ref, ref)
            text = repo.commits.get(sha, {}).get(path)
            if text is None:
                return not_found()
            body = example(
                "GET /repos/{owner}/{repo}/contents/{path}", "response-if-content-is-a-file"
            )
            blob = sha_of(path, text)
            fake.blobs[blob] = text
            raw = text.encode()
            big = len(raw) > CONTENTS_API_LIMIT  # GitHub leaves these to the blob API
            body |= {
                "name": path.rsplit("/", 1)[-1],
                "path": path,
                "size": len(raw),
                "content": "" if big else base64.b64encode(raw).decode(),
                "encoding": "none" if big else "base64",
                "sha": blob,
            }
            return answer("GET /repos/{owner}/{repo}/contents/{path}", body)

        @app.get("/repos/{owner}/{name}/git/trees/{tree}")
        async def get_tree(owner: str, name: str, tree: str, request: Request) -> JSONResponse:
            """A commit's root tree, or a directory's tree (its sha as listed here);
            `recursive`: every entry below, paths in full, as GitHub lists them."""
            repo = fake.repos[(owner.lower(), name.lower())]
            commit, directory = fake.trees.get(tree, (tree, ""))
            if commit not in repo.commits:
                return not_found()
            prefix = f"{directory}/" if directory else ""
            deep = bool(request.query_params.get("recursive"))
            names: dict[str, str | None] = {}
            for path, content in repo.commits[commit].items():
                if not path.startswith(prefix):
                    continue
                rest = path[len(prefix) :]
                parts = rest.split("/")
                for depth in range(1, len(parts)):  # the directories on the way
                    if deep or depth == 1:
                        names.setdefault("/".join(parts[:depth]), None)
                if deep or len(parts) == 1:
                    names[rest] = content
            body = example("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", "default-response")
            blob, subtree = body["tree"][0], body["tree"][1]
            entries = []
            for entry, content in sorted(names.items()):
                if content is None:
                    sha = sha_of(commit, prefix + entry)
                    fake.trees[sha] = (commit, prefix + entry)
                    entries.append(subtree | {"path": entry, "sha": sha})
                else:
                    sha = sha_of(content)
                    entries.append(blob | {"path": entry, "sha": sha, "size": len(content)})
            body |= {"sha": tree, "tree": entries, "truncated": False}
            return answer("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", body)

        @app.get("/repos/{owner}/{name}/git/blobs/{blob}")
        async def get_blob(owner: str, name: str, blob: str) -> JSONResponse:
            text = fake.blobs.get(blob)
            if text is None:
                return not_found()
            body = example("GET /repos/{owner}/{repo}/git/blobs/{file_sha}")
            raw = text.encode()
            body |= {
                "content": base64.b64encode(raw).decode(),
                "encoding": "base64",
                "sha": blob,
                "size": len(raw),
            }
            return answer("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", body)

        @app.get("/repos/{owner}/{name}/compare/{basehead}")
        async def compare(owner: str, name: str, basehead: str, request: Request) -> JSONResponse:
            repo = fake.repos[(owner.lower(), name.lower())]
            base, head = basehead.split("...", 1)
            if base not in repo.commits or head not in repo.commits:
                return not_found()
            body = example("GET /repos/{owner}/{repo}/compare/{basehead}")
            merge_base = fake._common_ancestor(repo, base, head)
            commits = fake._commits_between(repo, merge_base, head)
            behind = fake._commits_between(repo, merge_base, base)
            body["status"] = fake._compare_status(len(commits), len(behind))
            body["merge_base_commit"]["sha"] = merge_base
            body["ahead_by"], body["behind_by"] = len(commits), len(behind)
            body["total_commits"] = len(commits)
            body["commits"] = commits[: int(request.query_params.get("per_page", 250))]
            body["files"] = fake._diff(repo, merge_base, head)
            return answer("GET /repos/{owner}/{repo}/compare/{basehead}", body)

        @app.get("/repos/{owner}/{name}/dependency-graph/compare/{basehead:path}")
        async def dependency_compare(owner: str, name: str, basehead: str) -> JSONResponse:
            repo = fake.repos[(owner.lower(), name.lower())]
            if repo.dependency_graph is None:
                return JSONResponse(
                    {
                        "message": "Dependency review is not supported on this repository. "
                        "Please ensure that Dependency graph is enabled along with GitHub "
                        "Advanced Security on private repositories",
                        "documentation_url": "https://docs.github.com/rest/dependency-graph",
                    },
                    403,
                )
            template = example("GET /repos/{owner}/{repo}/dependency-graph/compare/{basehead}")[0]
            body = [template | {"scope": "runtime"} | change for change in repo.dependency_graph]
            return answer("GET /repos/{owner}/{repo}/dependency-graph/compare/{basehead}", body)

        @app.get("/orgs/{org}/teams/{slug}/members")
        async def members(org: str, slug: str, request: Request) -> JSONResponse:
            logins = fake.teams.get((org.lower(), slug.lower()))
            if logins is None:
                return not_found()
            template = example("GET /orgs/{org}/teams/{team_slug}/members")[0]
            out = [
                template | {"login": login, "id": abs(hash(login)) % 10**6}
                for login in sorted(logins)
            ]
            return answer("GET /orgs/{org}/teams/{team_slug}/members", _page(out, request))

        @app.post("/repos/{owner}/{name}/check-runs")
        async def create_check(owner: str, name: str, request: Request) -> JSONResponse:
            repo = fake.repos[(owner.lower(), name.lower())]
            data = await request.json()
            check_id = next(fake._ids)
            body = example(
                "POST /repos/{owner}/{repo}/check-runs", "example-of-in-progress-conclusion"
            )
            body |= {
                "id": check_id,
                "name": data["name"],
                "head_sha": data["head_sha"],
                "status": data.get("status", "queued"),
                "conclusion": data.get("conclusion"),
                # GitHub shows the App's homepage when a check names no page of its own
                "details_url": data.get("details_url", "https://github.com/apps/release-roles"),
            }
            body["output"] = _output(data.get("output"), [])
            fake.check_runs[check_id] = body | {
                "_repo": repo.id,
                "_annotations": _annotations(data),
            }
            return answer("POST /repos/{owner}/{repo}/check-runs", body, 201)

        @app.patch("/repos/{owner}/{name}/check-runs/{check_id}")
        async def update_check(
            owner: str, name: str, check_id: int, request: Request
        ) -> JSONResponse:
            stored = fake.check_runs.get(check_id)
            if stored is None:
                return not_found()
            data = await request.json()
            for key in ("name", "status", "conclusion", "details_url"):
                if key in data:
                    stored[key] = data[key]
            if data.get("status") in ("queued", "in_progress"):
                stored["conclusion"] = None
            stored["_annotations"] += _annotations(data)
            stored["output"] = _output(data.get("output"), stored["_annotations"], stored["output"])
            body = {k: v for k, v in stored.items() if not k.startswith("_")}
            return answer("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", body)

        return app

    # --- building bodies -------------------------------------------------------------------

    def _pull_body(self, repo: Repo, pull: Pull, *, simple: bool = False) -> dict[str, Any]:
        body = example("GET /repos/{owner}/{repo}/pulls/{pull_number}")
        base_sha = repo.branches[pull.base_ref]
        body |= {
            "number": pull.number,
            "id": 1000 + pull.number,
            "state": pull.state,
            "title": pull.title,
            "body": pull.body,
            "draft": pull.draft,
            "merged": False,
            "merged_at": None,
            "closed_at": None,
            "html_url": f"https://github.com/{repo.owner}/{repo.name}/pull/{pull.number}",
        }
        body["user"]["login"] = pull.author
        body["head"]["sha"] = repo.branches[pull.head_ref]
        body["head"]["ref"] = pull.head_ref
        body["base"]["sha"] = base_sha
        body["base"]["ref"] = pull.base_ref
        for side in ("head", "base"):
            body[side]["repo"]["id"] = repo.id
            body[side]["repo"]["name"] = repo.name
            body[side]["repo"]["full_name"] = f"{repo.owner}/{repo.name}"
            body[side]["repo"]["default_branch"] = repo.default_branch
        # The OpenAPI example lags what GitHub sends (and githubkit validates): a label
        # carries "archived_by".
        label = body["labels"][0] | {"archived_by": None}
        body["labels"] = [
            label | {"name": n, "id": abs(hash(n)) % 10**6} for n in sorted(pull.labels)
        ]
        user = body["requested_reviewers"][0]
        body["requested_reviewers"] = [user | {"login": u} for u in sorted(pull.requested_users)]
        # The OpenAPI example lags the schema: a team now carries "type".
        team = body["requested_teams"][0] | {"type": "organization"}
        body["requested_teams"] = [
            team | {"slug": t, "name": t} for t in sorted(pull.requested_teams)
        ]
        if simple:
            # pull-request-simple lists full `team` objects, which have a parent.
            body["requested_teams"] = [t | {"parent": None} for t in body["requested_teams"]]
            for key in (
                "merged",
                "mergeable",
                "rebaseable",
                "mergeable_state",
                "merged_by",
                "comments",
                "review_comments",
                "maintainer_can_modify",
                "commits",
                "additions",
                "deletions",
                "changed_files",
            ):
                body.pop(key, None)
        return body

    def readable(self, login: str) -> list[tuple[str, str]]:
        """The repositories `login` can read: those they collaborate on."""
        return [key for key, repo in self.repos.items() if login.lower() in repo.collaborators]

    @staticmethod
    def installation_id(owner: str) -> int:
        """One installation per owner, with a stable id."""
        return 70_000 + int(hashlib.sha1(owner.lower().encode()).hexdigest()[:6], 16)

    def _installation(self, template: dict[str, Any], owner: str) -> dict[str, Any]:
        body = copy.deepcopy(template)
        body["id"] = self.installation_id(owner)
        body["account"]["login"] = next(r.owner for (o, _), r in self.repos.items() if o == owner)
        return body

    def _comment_body(self, comment_id: int) -> dict[str, Any]:
        body = example("POST /repos/{owner}/{repo}/issues/{issue_number}/comments")
        body |= {"id": comment_id, "body": self.comments[comment_id]["body"]}
        return body

    def comments_on(self, repo: Repo, pull: Pull) -> list[str]:
        return [
            c["body"]
            for c in self.comments.values()
            if c["repo"] == repo.id and c["pull"] == pull.number
        ]

    def _merge_base(self, repo: Repo, pull: Pull) -> str:
        return self._common_ancestor(
            repo, repo.branches[pull.base_ref], repo.branches[pull.head_ref]
        )

    def _ancestors(self, repo: Repo, sha: str) -> set[str]:
        """`sha` and everything reachable from it, through every parent of a merge."""
        seen: set[str] = set()
        todo = [sha]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            first, merged = repo.parents[current], repo.commit_info.get(current, ("",) * 4)[3]
            todo += [p for p in (first, merged) if p]
        return seen

    def _common_ancestor(self, repo: Repo, base: str, head: str) -> str:
        """git merge-base: the nearest commit of `base`'s history that `head` reaches."""
        reachable = self._ancestors(repo, head)
        sha: str | None = base
        while sha is not None and sha not in reachable:
            sha = repo.parents[sha]
        return sha or base

    def _commits_between(self, repo: Repo, base: str, head: str) -> list[dict[str, Any]]:
        """The commits `head` reaches and `base` does not, oldest first, as GitHub lists them."""
        template = example("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits")[0]
        new = self._ancestors(repo, head) - self._ancestors(repo, base)
        chain = [sha for sha in reversed(repo.commits) if sha in new]
        out = []
        for sha in reversed(chain):
            info = repo.commit_info.get(sha, ("A commit", None, None, None, False))
            message, author, committer, merged, signed = info
            entry = json.loads(json.dumps(template))
            entry["sha"] = sha
            entry["commit"]["message"] = message
            entry["author"] = entry["author"] | {"login": author} if author else None
            entry["committer"] = entry["committer"] | {"login": committer} if committer else None
            parent = repo.parents[sha]
            url = entry["parents"][0]["url"]
            entry["parents"] = [{"sha": p, "url": url} for p in (parent, merged) if p]
            entry["commit"]["verification"] |= {
                "verified": signed,
                "reason": "valid" if signed else "unsigned",
            }
            when = time.gmtime(repo.commit_times.get(sha, 0))
            entry["commit"]["committer"]["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", when)
            out.append(entry)
        return out

    @staticmethod
    def _compare_status(ahead: int, behind: int) -> str:
        if ahead and behind:
            return "diverged"
        if ahead:
            return "ahead"
        return "behind" if behind else "identical"

    def _diff(self, repo: Repo, base: str, head: str) -> list[dict[str, Any]]:
        before, after = repo.commits[base], repo.commits[head]
        template = example("GET /repos/{owner}/{repo}/pulls/{pull_number}/files")[0]
        entries = []
        for path in sorted(set(before) | set(after)):
            old, new = before.get(path), after.get(path)
            if old == new:
                continue
            status = "added" if old is None else "removed" if new is None else "modified"
            # as git splits: at "\n" only (a form feed or U+2028 stays in its line)
            old_lines = (old or "").split("\n")[: -1 if (old or "").endswith("\n") else None]
            new_lines = (new or "").split("\n")[: -1 if (new or "").endswith("\n") else None]
            hunks = list(difflib.unified_diff(old_lines, new_lines, lineterm="", n=3))[2:]
            additions = sum(1 for h in hunks if h.startswith("+"))
            deletions = sum(1 for h in hunks if h.startswith("-"))
            entry = template | {
                # as GitHub: the git blob SHA of the file's new text (its content's name)
                "sha": git_blob_sha(new) if new is not None else sha_of(path, new),
                "filename": path,
                "status": status,
                "additions": additions,
                "deletions": deletions,
                "changes": additions + deletions,
                "patch": "\n".join(hunks),
            }
            entry.pop("previous_filename", None)
            entries.append(entry)
        return entries


def _page(items: list[Any], request: Request) -> list[Any]:
    per_page = int(request.query_params.get("per_page", 30))
    page = int(request.query_params.get("page", 1))
    return items[(page - 1) * per_page : page * per_page]


def _annotations(data: dict[str, Any]) -> list[dict[str, Any]]:
    return list((data.get("output") or {}).get("annotations") or [])


def _output(
    given: dict[str, Any] | None,
    annotations: list[dict[str, Any]],
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    previous = previous or {"title": None, "summary": None, "text": None}
    given = given or {}
    return {
        "title": given.get("title", previous["title"]),
        "summary": given.get("summary", previous["summary"]),
        "text": given.get("text", previous.get("text")),
        "annotations_count": len(annotations),
        "annotations_url": "https://api.github.com/repos/o/r/check-runs/1/annotations",
    }
