"""Browser sessions: a random secret in an HttpOnly cookie, its SHA-256 in the database.

A session slides: each use extends it to ``settings.session_days`` from now,
writing at most once a minute (``last_seen_at``), and the cookie is re-issued
with the new lifetime at the same moment. A session ends when its owner logs
out or ends it from another device, when the password changes (the other
sessions) or is reset, when the account is deactivated, or after
``session_days`` without use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from backend import clock, models
from backend.auth.tokens import digest, random_secret
from backend.auth.viewer import Viewer
from backend.models import AccountStatus
from backend.settings import Settings

COOKIE_NAME = "portail_session"
#: ``last_seen_at`` (and the expiry) are written at most this often.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Client:
    """Where a request comes from: the client address (throttling, session list) and its browser."""

    ip: str = ""
    user_agent: str = ""


def lifetime(settings: Settings) -> timedelta:
    return timedelta(days=settings.session_days)


async def open_session(
    user: models.User, *, ip: str, user_agent: str, settings: Settings
) -> tuple[models.Session, str]:
    """Create a session for ``user`` (inside the caller's transaction); returns it and its secret."""
    secret = random_secret()
    now = clock.now()
    session = await models.Session.create(
        user=user,
        token_hash=digest(secret),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime(settings),
        user_agent=(user_agent or "")[:512],
        ip=(ip or "")[:45],
    )
    return session, secret


def active_sessions(user_id: int):
    """The user's sessions that still open the portal, most recently used first."""
    return models.Session.filter(user_id=user_id, revoked_at=None, expires_at__gt=clock.now()).order_by(
        "-last_seen_at", "-id"
    )


async def session_viewer(secret: str, settings: Settings) -> tuple[Viewer | None, bool]:
    """The viewer behind a cookie secret, and whether the session was just extended.

    None for an unknown, ended or expired session, or an account that is not
    ACTIVE. The extension is one conditional UPDATE, so concurrent requests
    write it once.
    """
    if not secret:
        return None, False
    now = clock.now()
    session = (
        await models.Session.filter(token_hash=digest(secret), revoked_at=None, expires_at__gt=now)
        .select_related("user")
        .first()
    )
    if session is None or session.user.status != AccountStatus.ACTIVE:
        return None, False
    refreshed = False
    if session.last_seen_at <= now - TOUCH_EVERY:
        expires_at = now + lifetime(settings)
        refreshed = bool(
            await models.Session.filter(id=session.id, last_seen_at__lte=now - TOUCH_EVERY).update(
                last_seen_at=now, expires_at=expires_at
            )
        )
        if refreshed:
            session.last_seen_at, session.expires_at = now, expires_at
    return Viewer(user=session.user, session=session), refreshed


async def end_sessions(user_id: int, *, keep: int | None = None) -> int:
    """End every live session of the user (but ``keep``); returns how many were ended."""
    query = models.Session.filter(user_id=user_id, revoked_at=None)
    if keep is not None:
        query = query.exclude(id=keep)
    return await query.update(revoked_at=clock.now())


def is_https(scheme: str, headers: Mapping[str, str]) -> bool:
    """HTTPS as the browser sees it: the request's scheme, or the proxy's X-Forwarded-Proto.

    uvicorn (``proxy_headers``) already rewrites the scheme for trusted
    proxies; reading the header as well keeps the Secure flag right behind a
    proxy it does not trust. A client lying here only makes its own cookie
    stricter.
    """
    forwarded = (headers.get("x-forwarded-proto") or "").split(",")[0].strip().lower()
    return scheme in ("https", "wss") or forwarded == "https"


def cookie_header(secret: str, *, secure: bool, max_age: int) -> str:
    """The Set-Cookie value: HttpOnly, SameSite=Lax, the whole site, Secure over HTTPS."""
    parts = [f"{COOKIE_NAME}={secret}", f"Max-Age={max_age}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def session_cookie(secret: str, settings: Settings, *, secure: bool) -> str:
    return cookie_header(secret, secure=secure, max_age=int(lifetime(settings).total_seconds()))


def clear_cookie(*, secure: bool) -> str:
    return cookie_header("", secure=secure, max_age=0)
