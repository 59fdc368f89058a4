"""Logging in and out, and the viewer's sessions.

A login answers the same, after the same work, whether or not the email
belongs to an account: the password is checked against a dummy Argon2id hash
when it does not, and the failure is counted under the email string either
way. In order:

1. too many attempts from this client address in the last minute → RATE_LIMITED;
2. the email string is locked (five failures within an hour) → ACCOUNT_LOCKED;
3. wrong email or password → VALIDATION, one message for both, failure counted;
4. right password, account INACTIVE → VALIDATION saying how to reactivate
   (account LOCKED by the platform → ACCOUNT_LOCKED);
5. two-factor enabled and no code → TWO_FACTOR_REQUIRED; a wrong code →
   TWO_FACTOR_REQUIRED too, and counts as a failure (so codes cannot be
   guessed faster than passwords);
6. success: a new session, the previous one of this browser ended, the
   email's failures forgotten.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache

from tortoise.expressions import Q

from backend import clock, models
from backend.auth import throttle, totp
from backend.auth.passwords import hash_password, needs_rehash
from backend.auth.sessions import Client, active_sessions, open_session
from backend.auth.tokens import random_secret
from backend.auth.viewer import Viewer
from backend.models import AccountStatus
from backend.services.accounts import hash_in_thread, normalise_email, verify_in_thread
from backend.services.audit import audit
from backend.services.errors import AccountLocked, Forbidden, TwoFactorRequired, ValidationFailed
from backend.services.tx import transaction
from backend.settings import Settings

WRONG_CREDENTIALS = "Adresse électronique ou mot de passe incorrect."
INACTIVE_ACCOUNT = (
    "Ce compte est désactivé. Pour le réactiver, choisissez « Mot de passe oublié » : le lien envoyé à "
    "votre adresse de connexion permet de choisir un nouveau mot de passe et réactive le compte."
)
LOCKED_BY_PLATFORM = "Ce compte est bloqué. Contactez le support de la plateforme."
WRONG_OR_USED_CODE = (
    "Le code de vérification est incorrect, a expiré ou a déjà servi : saisissez le prochain code affiché."
)
NOT_YOURS = "Cette session n'existe pas ou ne vous appartient pas."


@dataclass(frozen=True)
class LoggedIn:
    viewer: Viewer
    #: The cookie secret of the new session (the database only has its digest).
    secret: str


@cache
def _dummy_hash() -> str:
    return hash_password(random_secret())


async def log_in(
    email: str,
    password: str,
    code: str | None,
    *,
    client: Client,
    settings: Settings,
    previous: models.Session | None = None,
) -> LoggedIn:
    await throttle.hit("login", client.ip, limit=settings.login_rate_per_minute, window=throttle.MINUTE)
    key = throttle.email_key(email)
    if await throttle.locked_until(key) is not None:
        raise AccountLocked(
            "Trop d'échecs de connexion pour cette adresse : elle est bloquée pendant une heure. "
            "Vous pouvez aussi réinitialiser votre mot de passe."
        )
    user = await models.User.get_or_none(email=normalise_email(email)[:254])
    password_hash = user.password_hash if user is not None else await asyncio.to_thread(_dummy_hash)
    if not await verify_in_thread(password_hash, password) or user is None:
        await throttle.record_failure(key, client.ip)
        raise ValidationFailed(WRONG_CREDENTIALS)
    if user.status == AccountStatus.INACTIVE:
        raise ValidationFailed(INACTIVE_ACCOUNT)
    if user.status == AccountStatus.LOCKED:
        raise AccountLocked(LOCKED_BY_PLATFORM)
    step = None
    if user.totp_enabled:
        if not (code or "").strip():
            raise TwoFactorRequired()
        step = totp.matching_step(user.totp_secret, code)
        if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
            await throttle.record_failure(key, client.ip)
            raise TwoFactorRequired(WRONG_OR_USED_CODE)
    rehash = await hash_in_thread(password) if needs_rehash(user.password_hash) else None
    async with transaction():
        if step is not None:
            # Claimed in the transaction: of two logins racing with one code, one wins.
            newer = Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step)
            if not await models.User.filter(newer, id=user.id).update(totp_last_step=step):
                raise TwoFactorRequired(WRONG_OR_USED_CODE)
        if previous is not None:
            await models.Session.filter(id=previous.id, revoked_at=None).update(revoked_at=clock.now())
        session, secret = await open_session(
            user, ip=client.ip, user_agent=client.user_agent, settings=settings
        )
        user.last_login_at = clock.now()
        fields = ["last_login_at"]
        if rehash:
            user.password_hash = rehash
            fields.append("password_hash")
        await user.save(update_fields=fields)
        await throttle.forget_failures(key)
        await audit(
            user,
            "user.log_in",
            session,
            subject_user_id=user.id,
            after={"ip": session.ip, "user_agent": session.user_agent},
        )
    return LoggedIn(viewer=Viewer(user=user, session=session), secret=secret)


async def log_out(viewer: Viewer | None) -> None:
    """End the viewer's browser session, if they have one (logging out twice is harmless)."""
    if viewer is None or viewer.session is None:
        return
    async with transaction():
        if await models.Session.filter(id=viewer.session.id, revoked_at=None).update(revoked_at=clock.now()):
            await audit(viewer.user, "user.log_out", viewer.session, subject_user_id=viewer.user.id)


async def end_session(viewer: Viewer, session_id: int) -> int:
    """End one of the viewer's live sessions (another device, or this one: that logs out)."""
    session = await active_sessions(viewer.user.id).filter(id=session_id).first()
    if session is None:
        raise Forbidden(NOT_YOURS, field=["id"])
    async with transaction():
        await models.Session.filter(id=session.id, revoked_at=None).update(revoked_at=clock.now())
        await audit(
            viewer.user,
            "session.end",
            session,
            subject_user_id=viewer.user.id,
            before={"ip": session.ip, "user_agent": session.user_agent},
        )
    return session.id
