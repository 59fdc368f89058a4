"""Accounts: creation, password policy, roles."""

from __future__ import annotations

import re

from backend import models
from backend.auth.passwords import hash_password
from backend.services.audit import audit
from backend.services.errors import Invalid, ValidationFailed
from backend.services.tx import transaction

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PASSWORD_MIN_LENGTH = 12
PASSWORD_POLICY = (
    f"Le mot de passe doit comporter au moins {PASSWORD_MIN_LENGTH} caractères, "
    "dont une majuscule, une minuscule et un chiffre."
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str, field: list[str]) -> str:
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise ValidationFailed("L'adresse électronique n'est pas valide.", field=field)
    return email


def check_password(password: str, field: list[str]) -> None:
    ok = (
        len(password) >= PASSWORD_MIN_LENGTH
        and re.search(r"[A-Z]", password)
        and re.search(r"[a-z]", password)
        and re.search(r"\d", password)
    )
    if not ok:
        raise ValidationFailed(PASSWORD_POLICY, field=field)


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
