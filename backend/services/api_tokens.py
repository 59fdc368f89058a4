"""Personal API tokens: created and revoked from a browser session, used as ``Bearer`` secrets."""

from __future__ import annotations

from datetime import datetime

from backend import clock, models
from backend.auth.api_tokens import new_secret, shown_prefix
from backend.auth.tokens import digest
from backend.auth.viewer import Viewer
from backend.services.audit import audit
from backend.services.errors import Forbidden, Required, ValidationFailed
from backend.services.tx import transaction

NAME_MAX_LENGTH = 100
NOT_YOURS = "Ce jeton d'API n'existe pas ou ne vous appartient pas."


def api_tokens_of(user_id: int):
    """The user's tokens that were not revoked (expired ones included, to be recognised), newest first."""
    return models.ApiToken.filter(user_id=user_id, revoked_at=None).order_by("-created_at", "-id")


async def create_api_token(
    user: models.User,
    name: str,
    *,
    read_only: bool = True,
    expires_at: datetime | None = None,
    actor: models.User | None = None,
) -> tuple[models.ApiToken, str]:
    """A new token acting as ``user``; returns it and its secret, which is never shown again."""
    name = " ".join((name or "").split())
    if not name:
        raise Required("Donnez un nom au jeton, pour le reconnaître.", field=["name"])
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(f"Le nom du jeton dépasse {NAME_MAX_LENGTH} caractères.", field=["name"])
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise ValidationFailed("Précisez le fuseau horaire de l'expiration.", field=["expiresAt"])
        if expires_at <= clock.now():
            raise ValidationFailed("L'expiration doit être dans le futur.", field=["expiresAt"])
    secret = new_secret()
    async with transaction():
        token = await models.ApiToken.create(
            user=user,
            name=name,
            prefix=shown_prefix(secret),
            secret_hash=digest(secret),
            read_only=read_only,
            created_at=clock.now(),
            expires_at=expires_at,
        )
        await audit(
            actor,
            "api_token.create",
            token,
            subject_user_id=user.id,
            after={
                "name": name,
                "prefix": token.prefix,
                "read_only": read_only,
                "expires_at": expires_at,
                "secret": "set",
            },
        )
    return token, secret


async def revoke_api_token(viewer: Viewer, token_id: int) -> int:
    token = await api_tokens_of(viewer.user.id).filter(id=token_id).first()
    if token is None:
        raise Forbidden(NOT_YOURS, field=["id"])
    async with transaction():
        await models.ApiToken.filter(id=token.id, revoked_at=None).update(revoked_at=clock.now())
        await audit(
            viewer.user,
            "api_token.revoke",
            token,
            subject_user_id=viewer.user.id,
            before={"name": token.name, "prefix": token.prefix, "revoked": False},
            after={"revoked": True},
        )
    return token.id
