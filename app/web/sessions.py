"""Who is looking at the pages, and what they may see.

A login ends in a random session id: the browser keeps it signed in an HttpOnly,
Secure, SameSite=Lax cookie; the journal keeps its hash with the login and the
user's GitHub token sealed (Fernet, a key derived from SESSION_SECRET), so neither a
copied database nor a forged cookie is a session. What the token can read is asked
of GitHub at most once a minute per session; logout deletes the session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken

from app.github.client import GatewayError
from app.github.users import Users
from app.jobs.store.history import Session

COOKIE = "rr_session"
LOGIN_COOKIE = "rr_login"  # the OAuth state and where to go after, for ten minutes
SESSION_SECONDS = 8 * 3600.0  # a GitHub App's user token lives 8 hours
ACCESS_SECONDS = 60.0  # how long what a token can read is trusted before asking again


class SessionStore(Protocol):
    async def save_session(self, session_id: str, session: Session) -> None: ...
    async def session(self, session_id: str) -> Session | None: ...
    async def drop_session(self, session_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Viewer:
    login: str
    key: str  # the session id's hash: the journal's key and the access cache's
    token: str


class Sessions:
    def __init__(self, secret: str, store: SessionStore, users: Users) -> None:
        self._sign_key = _derive(secret, b"release-roles cookie signature")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, b"release-roles token")))
        self._store = store
        self.users = users
        self._access: dict[str, tuple[float, frozenset[str]]] = {}

    def sign(self, value: str) -> str:
        mac = hmac.new(self._sign_key, value.encode(), hashlib.sha256).digest()
        return f"{value}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"

    def unsign(self, signed: str | None) -> str | None:
        if not signed or "." not in signed:
            return None
        value, _, _mac = signed.rpartition(".")
        # as bytes: compare_digest refuses (TypeError) a str that is not ASCII
        return value if hmac.compare_digest(self.sign(value).encode(), signed.encode()) else None

    async def start(self, login: str, token: str) -> str:
        """A new session; the cookie's value."""
        session_id = secrets.token_urlsafe(32)
        sealed = self._fernet.encrypt(token.encode()).decode()
        expires = time.time() + SESSION_SECONDS
        await self._store.save_session(_key(session_id), Session(login, sealed, expires))
        return self.sign(session_id)

    async def viewer(self, cookie: str | None) -> Viewer | None:
        session_id = self.unsign(cookie)
        if session_id is None:
            return None
        key = _key(session_id)
        session = await self._store.session(key)
        if session is None:
            return None
        try:
            token = self._fernet.decrypt(session.token.encode()).decode()
        except InvalidToken:  # SESSION_SECRET changed: every session ends
            return None
        return Viewer(session.login, key, token)

    async def end(self, cookie: str | None) -> None:
        session_id = self.unsign(cookie)
        if session_id is not None:
            self._access.pop(_key(session_id), None)
            await self._store.drop_session(_key(session_id))

    async def readable(self, viewer: Viewer) -> frozenset[str] | None:
        """The repositories (lower-case owner/name) this viewer may see; None when
        GitHub no longer accepts their token (the session is over)."""
        now = time.monotonic()
        known = self._access.get(viewer.key)
        if known is not None and known[0] > now:
            return known[1]
        try:
            repos = await self.users.readable_repos(viewer.token)
        except GatewayError as error:
            if error.status == 401:
                await self._store.drop_session(viewer.key)
                self._access.pop(viewer.key, None)
                return None
            raise
        if len(self._access) > 10_000:  # sessions that never came back
            self._access = {k: v for k, v in self._access.items() if v[0] > now}
        self._access[viewer.key] = (now + ACCESS_SECONDS, repos)
        return repos


def _derive(secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode(), purpose, hashlib.sha256).digest()


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()
