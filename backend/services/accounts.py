"""Accounts: sign-up, e-mail verification, password reset, the viewer's own account, roles.

Account rules of the original portal (see design/reference-data.md):

- The login email is the identity and never changes; a contact email can.
- A user may deactivate their account, even while principal manager: their
  structures are then left without a principal manager (support or an
  administrator appoints one), in the same transaction.
- Reactivation (design choice): logging in to an INACTIVE account answers
  VALIDATION, once the password is right, with a message saying how to
  reactivate: « Mot de passe oublié ». The link e-mailed to the login
  address proves the person holds it; choosing a new password through it
  reactivates the account. No other path, so a stolen password alone
  cannot bring an account back.
- Sign-up does not log in; login works before the address is verified
  (``Viewer.emailVerified`` lets the SPA ask for it, and
  ``resendVerificationEmail`` sends a new link).

Every write happens in one transaction with its audit event; mails are sent
after the commit (:mod:`backend.services.mail`).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from backend import clock, models
from backend.auth import throttle
from backend.auth.passwords import hash_password, verify_password
from backend.auth.sessions import Client, end_sessions
from backend.auth.tokens import digest, random_secret
from backend.auth.viewer import Viewer
from backend.models import AccountStatus, OneTimeTokenKind
from backend.services import memberships
from backend.services.audit import audit
from backend.services.errors import (
    AlreadyExists,
    DomainError,
    Invalid,
    InvalidState,
    NotFound,
    Required,
    ValidationFailed,
)
from backend.services.mail import LINK_VALIDITY_MINUTES, Mailer, password_reset_mail, verification_mail
from backend.services.tx import transaction
from backend.settings import Settings

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 .()\-]{6,32}$")
NAME_MAX_LENGTH = 100
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256
PASSWORD_POLICY = (
    f"Le mot de passe doit comporter au moins {PASSWORD_MIN_LENGTH} caractères, "
    "dont une majuscule, une minuscule et un chiffre."
)
LINK_VALIDITY = timedelta(minutes=LINK_VALIDITY_MINUTES)
EXPIRED_LINK = "Ce lien n'est plus valable (il a expiré ou a déjà servi) : demandez-en un nouveau."
ROLES = ("admin", "support", "none")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str, field: list[str]) -> str:
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise ValidationFailed("L'adresse électronique n'est pas valide.", field=field)
    return email


def check_password(password: str, field: list[str]) -> None:
    ok = (
        PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH
        and re.search(r"[A-Z]", password)
        and re.search(r"[a-z]", password)
        and re.search(r"\d", password)
    )
    if not ok:
        raise ValidationFailed(PASSWORD_POLICY, field=field)


def check_name(value: str, field: list[str], what: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise Required(f"Indiquez votre {what}.", field=field)
    if len(value) > NAME_MAX_LENGTH:
        raise ValidationFailed(f"Votre {what} dépasse {NAME_MAX_LENGTH} caractères.", field=field)
    return value


def check_phone(value: str | None, field: list[str]) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not PHONE_RE.match(value) or sum(c.isdigit() for c in value) < 6:
        raise ValidationFailed("Le numéro de téléphone n'est pas valide.", field=field)
    return value


def _collect(checks: Mapping[str, Any]) -> dict[str, Any]:
    """Run every check and report all the failures at once (Invalid), else return the values."""
    values: dict[str, Any] = {}
    errors: list[DomainError] = []
    for key, check in checks.items():
        try:
            values[key] = check()
        except DomainError as error:
            errors.append(error)
    if errors:
        raise Invalid(errors)
    return values


async def hash_in_thread(password: str) -> str:
    """Argon2id takes tens of milliseconds of CPU: keep it off the event loop."""
    return await asyncio.to_thread(hash_password, password)


async def verify_in_thread(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)


# ------------------------------------------------------------------------------ one-time links


async def _issue_link(user: models.User, kind: OneTimeTokenKind) -> str:
    """A new one-time secret for ``user`` (inside the caller's transaction); older unused ones die."""
    now = clock.now()
    await models.OneTimeToken.filter(user_id=user.id, kind=kind, used_at=None).update(used_at=now)
    secret = random_secret()
    await models.OneTimeToken.create(
        user=user,
        email=user.email,
        kind=kind,
        token_hash=digest(secret),
        created_at=now,
        expires_at=now + LINK_VALIDITY,
    )
    return secret


async def _redeem(secret: str, kind: OneTimeTokenKind, field: list[str]) -> models.OneTimeToken:
    """Mark the link used (inside the caller's transaction), or VALIDATION if expired or used."""
    now = clock.now()
    token = (
        await models.OneTimeToken.filter(token_hash=digest(secret or ""), kind=kind)
        .select_related("user")
        .first()
    )
    if token is None or token.user is None or token.used_at is not None or token.expires_at <= now:
        raise ValidationFailed(EXPIRED_LINK, field=field)
    if not await models.OneTimeToken.filter(id=token.id, used_at=None).update(used_at=now):
        raise ValidationFailed(EXPIRED_LINK, field=field)  # used by a concurrent request
    return token


# ------------------------------------------------------------------------------ sign-up, verification


async def sign_up(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str | None,
    client: Client,
    settings: Settings,
    mailer: Mailer,
) -> models.User:
    """Create an ACTIVE account with an unverified email and mail the verification link."""
    await throttle.hit("signup", client.ip, limit=settings.signup_rate_per_hour, window=throttle.HOUR)
    values = _collect(
        {
            "email": lambda: check_email(email, ["input", "email"]),
            "password": lambda: check_password(password, ["input", "password"]),
            "first_name": lambda: check_name(first_name, ["input", "firstName"], "prénom"),
            "last_name": lambda: check_name(last_name, ["input", "lastName"], "nom"),
            "phone": lambda: check_phone(phone, ["input", "phone"]),
        }
    )
    taken = AlreadyExists(
        "Un compte existe déjà avec cette adresse électronique : connectez-vous, ou choisissez « Mot de "
        "passe oublié ».",
        field=["input", "email"],
    )
    if await models.User.exists(email=values["email"]):
        raise taken
    password_hash = await hash_in_thread(password)
    try:
        async with transaction():
            user = await models.User.create(
                email=values["email"],
                password_hash=password_hash,
                first_name=values["first_name"],
                last_name=values["last_name"],
                phone=values["phone"],
            )
            await audit(
                user,
                "user.sign_up",
                user,
                subject_user_id=user.id,
                after={
                    "email": user.email,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "phone": user.phone,
                    "password": "set",
                },
            )
            secret = await _issue_link(user, OneTimeTokenKind.VERIFY_EMAIL)
    except IntegrityError as error:  # the same email signed up concurrently
        raise taken from error
    mailer.send_mail(verification_mail(settings, user.email, user.first_name, secret))
    return user


async def verify_email(secret: str) -> None:
    async with transaction():
        token = await _redeem(secret, OneTimeTokenKind.VERIFY_EMAIL, ["token"])
        user = token.user
        if user.email_verified_at is None and token.email == user.email:
            user.email_verified_at = clock.now()
            await user.save(update_fields=["email_verified_at", "updated_at"])
            await audit(
                user,
                "user.verify_email",
                user,
                subject_user_id=user.id,
                before={"email_verified": False},
                after={"email_verified": True},
            )
    # Invitations to structures waiting for this address complete now (issue 5).
    await memberships.complete_invitations(user)


async def resend_verification(viewer: Viewer, *, settings: Settings, mailer: Mailer) -> None:
    user = viewer.user
    if user.email_verified_at is not None:
        raise InvalidState("Votre adresse électronique est déjà vérifiée.")
    await throttle.hit(
        "verification", str(user.id), limit=settings.password_reset_rate_per_hour, window=throttle.HOUR
    )
    async with transaction():
        secret = await _issue_link(user, OneTimeTokenKind.VERIFY_EMAIL)
        await audit(user, "user.resend_verification", user, subject_user_id=user.id)
    mailer.send_mail(verification_mail(settings, user.email, user.first_name, secret))


# ------------------------------------------------------------------------------ password reset


async def request_password_reset(email: str, *, client: Client, settings: Settings, mailer: Mailer) -> None:
    """Mail a reset link when an ACTIVE or INACTIVE account has that login email; say nothing either way."""
    await throttle.hit(
        "password_reset", client.ip, limit=settings.password_reset_rate_per_hour, window=throttle.HOUR
    )
    user = await models.User.get_or_none(email=normalise_email(email)[:254])
    if user is None or user.status == AccountStatus.LOCKED:
        return
    async with transaction():
        secret = await _issue_link(user, OneTimeTokenKind.RESET_PASSWORD)
        await audit(None, "user.request_password_reset", user, subject_user_id=user.id)
    mailer.send_mail(
        password_reset_mail(
            settings, user.email, user.first_name, secret, reactivates=user.status == AccountStatus.INACTIVE
        )
    )


async def reset_password(secret: str, password: str) -> None:
    """Set a new password through an e-mailed link: ends every session, reactivates an INACTIVE
    account, proves the login email (verified) and clears its failed logins."""
    check_password(password, ["password"])
    password_hash = await hash_in_thread(password)
    async with transaction():
        token = await _redeem(secret, OneTimeTokenKind.RESET_PASSWORD, ["token"])
        user = token.user
        if user.status == AccountStatus.LOCKED:
            raise ValidationFailed(EXPIRED_LINK, field=["token"])
        before = {
            "password": "old",
            "status": user.status,
            "email_verified": user.email_verified_at is not None,
        }
        user.password_hash = password_hash
        if user.status == AccountStatus.INACTIVE:
            user.status = AccountStatus.ACTIVE
        if user.email_verified_at is None:
            user.email_verified_at = clock.now()
        user.version += 1
        await user.save(
            update_fields=["password_hash", "status", "email_verified_at", "version", "updated_at"]
        )
        ended = await end_sessions(user.id)
        await throttle.forget_failures(user.email)
        await audit(
            None,
            "user.reset_password",
            user,
            subject_user_id=user.id,
            before=before,
            after={"password": "new", "status": user.status, "email_verified": True, "sessions_ended": ended},
        )
    # The link proved the address: invitations waiting for it complete now (issue 5).
    await memberships.complete_invitations(user)


# ------------------------------------------------------------------------------ the viewer's account


async def update_my_account(viewer: Viewer, changes: Mapping[str, str | None]) -> models.User:
    """Change first and last name, phone, contact email (only the keys given; None or "" clears)."""
    checks: dict[str, Any] = {}
    if "first_name" in changes:
        checks["first_name"] = lambda: check_name(
            changes["first_name"] or "", ["input", "firstName"], "prénom"
        )
    if "last_name" in changes:
        checks["last_name"] = lambda: check_name(changes["last_name"] or "", ["input", "lastName"], "nom")
    if "phone" in changes:
        checks["phone"] = lambda: check_phone(changes["phone"], ["input", "phone"])
    if "contact_email" in changes:
        checks["contact_email"] = lambda: (
            check_email(changes["contact_email"], ["input", "contactEmail"])
            if (changes["contact_email"] or "").strip()
            else None
        )
    values = _collect(checks)
    user = viewer.user
    before = {key: getattr(user, key) for key in values}
    changed = {key: value for key, value in values.items() if before[key] != value}
    if not changed:
        return user
    async with transaction():
        await models.User.filter(id=user.id).update(
            **changed, version=F("version") + 1, updated_at=clock.now()
        )
        await audit(user, "user.update", user, subject_user_id=user.id, before=before, after=values)
    await user.refresh_from_db()
    return user


async def change_password(viewer: Viewer, current: str, new: str) -> None:
    """Needs the current password; ends every other session of the account."""
    user = viewer.user
    if not await verify_in_thread(user.password_hash, current):
        raise ValidationFailed("Le mot de passe actuel est incorrect.", field=["current"])
    check_password(new, ["new"])
    if new == current:
        raise ValidationFailed("Le nouveau mot de passe doit différer de l'actuel.", field=["new"])
    password_hash = await hash_in_thread(new)
    async with transaction():
        user.password_hash = password_hash
        user.version += 1
        await user.save(update_fields=["password_hash", "version", "updated_at"])
        ended = await end_sessions(user.id, keep=viewer.session.id if viewer.session else None)
        await audit(
            user,
            "user.change_password",
            user,
            subject_user_id=user.id,
            before={"password": "old"},
            after={"password": "new", "other_sessions_ended": ended},
        )


async def deactivate_my_account(viewer: Viewer, password: str) -> None:
    """INACTIVE, every session and API token ended; structures they manage lose their principal
    manager (support or an administrator appoints another). Reactivation: see the module docstring."""
    user = viewer.user
    if not await verify_in_thread(user.password_hash, password):
        raise ValidationFailed("Le mot de passe est incorrect.", field=["password"])
    now = clock.now()
    async with transaction():
        managed = await models.Structure.filter(principal_manager_id=user.id).order_by("id")
        for structure in managed:
            await audit(
                user,
                "structure.clear_principal_manager",
                structure,
                structure_id=structure.id,
                subject_user_id=user.id,
                before={"principal_manager_id": user.id},
                after={"principal_manager_id": None},
            )
        if managed:
            await models.Structure.filter(id__in=[s.id for s in managed]).update(
                principal_manager_id=None, version=F("version") + 1, updated_at=now
            )
        user.status = AccountStatus.INACTIVE
        user.version += 1
        await user.save(update_fields=["status", "version", "updated_at"])
        sessions = await end_sessions(user.id)
        tokens = await models.ApiToken.filter(user_id=user.id, revoked_at=None).update(revoked_at=now)
        await audit(
            user,
            "user.deactivate",
            user,
            subject_user_id=user.id,
            before={"status": AccountStatus.ACTIVE},
            after={
                "status": AccountStatus.INACTIVE,
                "sessions_ended": sessions,
                "api_tokens_revoked": tokens,
                "structures_without_manager": [s.id for s in managed],
            },
        )


# ------------------------------------------------------------------------------ administration (CLI)


async def create_platform_admin(
    email: str, password: str, first_name: str, last_name: str
) -> tuple[models.User, bool]:
    """Create a platform administrator, or promote the existing account with that email."""
    errors = []
    try:
        email = check_email(email, ["email"])
    except ValidationFailed as error:
        errors.append(error)
    try:
        check_password(password, ["password"])
    except ValidationFailed as error:
        errors.append(error)
    if errors:
        raise Invalid(errors)
    async with transaction():
        user = await models.User.get_or_none(email=email)
        created = user is None
        if user is None:
            user = await models.User.create(
                email=email,
                password_hash=hash_password(password),
                first_name=first_name,
                last_name=last_name,
                is_platform_admin=True,
            )
            await audit(None, "user.create_admin", user, subject_user_id=user.id, after={"email": email})
        elif not user.is_platform_admin:
            user.is_platform_admin = True
            await user.save(update_fields=["is_platform_admin"])
            await audit(
                None,
                "user.set_role",
                user,
                subject_user_id=user.id,
                before={"is_platform_admin": False},
                after={"is_platform_admin": True},
            )
    return user, created


async def set_role(email: str, role: str) -> models.User:
    """``admin`` (platform administrator), ``support`` (support agent) or ``none``."""
    if role not in ROLES:
        raise ValidationFailed(f"Rôle inconnu : {role} (admin, support ou none).", field=["role"])
    user = await models.User.get_or_none(email=normalise_email(email))
    if user is None:
        raise NotFound(f"Aucun compte n'a l'adresse {normalise_email(email)}.", field=["email"])
    before = {"is_platform_admin": user.is_platform_admin, "is_support_agent": user.is_support_agent}
    after = {"is_platform_admin": role == "admin", "is_support_agent": role == "support"}
    if before != after:
        async with transaction():
            user.is_platform_admin, user.is_support_agent = (
                after["is_platform_admin"],
                after["is_support_agent"],
            )
            await user.save(update_fields=["is_platform_admin", "is_support_agent", "updated_at"])
            await audit(None, "user.set_role", user, subject_user_id=user.id, before=before, after=after)
    return user
