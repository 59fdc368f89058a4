"""Accounts and what authenticates them: sessions, one-time tokens, login failures."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from backend.models._common import enum_field
from backend.models.enums import AccountStatus, OneTimeTokenKind


def normalize_email(email: str) -> str:
    """The login identity: trimmed and lower-cased."""
    return email.strip().lower()


class User(Model):
    id = fields.IntField(primary_key=True)
    #: Login identity, stored lower-cased, never changes.
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    phone = fields.CharField(max_length=32, null=True)
    #: Where to write to (may differ from the login email, may change).
    contact_email = fields.CharField(max_length=254, null=True)
    status = enum_field(AccountStatus, default=AccountStatus.ACTIVE, db_index=True)
    is_platform_admin = fields.BooleanField(default=False)
    is_support_agent = fields.BooleanField(default=False)
    email_verified_at = fields.DatetimeField(null=True)
    totp_secret = fields.CharField(max_length=64, null=True)
    totp_enabled = fields.BooleanField(default=False)
    # The time step of the last code that opened a session: an older or equal one is refused.
    totp_last_step = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    last_login_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)

    class Meta:
        table = "user_account"
        indexes = (("last_name", "first_name"),)

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    async def save(self, *args: Any, **kwargs: Any) -> None:
        if self.email:
            self.email = normalize_email(self.email)
        await super().save(*args, **kwargs)


class Session(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE, db_index=True
    )
    #: SHA-256 of the cookie secret (the secret itself is never stored).
    token_hash = fields.CharField(max_length=128, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    user_agent = fields.CharField(max_length=512, default="")
    ip = fields.CharField(max_length=45, default="")
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "session"


class OneTimeToken(Model):
    """E-mail verification, password reset, invitation links (hashed secrets)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User",
        related_name="one_time_tokens",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    email = fields.CharField(max_length=254, db_index=True)
    kind = enum_field(OneTimeTokenKind, db_index=True)
    token_hash = fields.CharField(max_length=128, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "one_time_token"


class LoginFailure(Model):
    """One failed login, counted per email string and per client over a window."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, db_index=True)
    client_ip = fields.CharField(max_length=45, db_index=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "login_failure"
