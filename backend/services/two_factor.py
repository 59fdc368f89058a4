"""Optional two-factor login with an authenticator app (TOTP).

``start`` draws a secret and returns it with its otpauth:// URI (the SPA
shows it as a QR code); nothing changes at login until ``confirm`` proves
the app produces the right codes. ``disable`` needs a current code too.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.auth import totp
from backend.auth.viewer import Viewer
from backend.services.audit import audit
from backend.services.errors import InvalidState, ValidationFailed
from backend.services.tx import transaction

WRONG_CODE = "Le code est incorrect ou a expiré : saisissez le code affiché par votre application."


@dataclass(frozen=True)
class TwoFactorSetup:
    secret: str
    provisioning_uri: str


async def start(viewer: Viewer) -> TwoFactorSetup:
    user = viewer.user
    if user.totp_enabled:
        raise InvalidState("La double authentification est déjà activée : désactivez-la d'abord.")
    secret = totp.new_secret()
    async with transaction():
        before = {"totp_secret": user.totp_secret}
        user.totp_secret = secret
        await user.save(update_fields=["totp_secret", "updated_at"])
        await audit(
            user,
            "two_factor.start",
            user,
            subject_user_id=user.id,
            before=before,
            after={"totp_secret": secret},
        )
    return TwoFactorSetup(secret=secret, provisioning_uri=totp.provisioning_uri(secret, user.email))


async def confirm(viewer: Viewer, code: str) -> bool:
    user = viewer.user
    if user.totp_enabled:
        raise InvalidState("La double authentification est déjà activée.")
    if not user.totp_secret:
        raise InvalidState("Commencez par startTwoFactor : aucune activation n'est en cours.")
    if not totp.verify(user.totp_secret, code):
        raise ValidationFailed(WRONG_CODE, field=["code"])
    async with transaction():
        user.totp_enabled = True
        await user.save(update_fields=["totp_enabled", "updated_at"])
        await audit(
            user,
            "two_factor.enable",
            user,
            subject_user_id=user.id,
            before={"totp_enabled": False},
            after={"totp_enabled": True},
        )
    return True


async def disable(viewer: Viewer, code: str) -> bool:
    user = viewer.user
    if not user.totp_enabled:
        raise InvalidState("La double authentification n'est pas activée.")
    if not totp.verify(user.totp_secret, code):
        raise ValidationFailed(WRONG_CODE, field=["code"])
    async with transaction():
        before = {"totp_enabled": True, "totp_secret": user.totp_secret}
        user.totp_enabled = False
        user.totp_secret = None
        await user.save(update_fields=["totp_enabled", "totp_secret", "updated_at"])
        await audit(
            user,
            "two_factor.disable",
            user,
            subject_user_id=user.id,
            before=before,
            after={"totp_enabled": False, "totp_secret": None},
        )
    return True
