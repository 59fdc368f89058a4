"""Accounts: users, the viewer, sessions, API tokens, and the account mutations (thin: the rules
live in backend.services.accounts, sessions, api_tokens and two_factor)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry import relay

from backend import models
from backend.auth.requirements import ANYONE, SIGNED_IN, SIGNED_IN_SESSION
from backend.auth.sessions import Client, active_sessions, clear_cookie, is_https, session_cookie
from backend.auth.viewer import Viewer
from backend.schema.context import Info
from backend.schema.enums import describe_values
from backend.schema.errors import UserError
from backend.schema.memberships import UserMemberships, ViewerMemberships, resolve_user
from backend.schema.mutations import mutation
from backend.schema.node import register_node, require_viewer
from backend.schema.payloads import ERRORS_DESCRIPTION, DeletePayload, OkPayload, attempt, ok_payload
from backend.schema.permissions import Myself, Public, guarded
from backend.services import accounts, api_tokens, sessions, two_factor

AccountStatus = strawberry.enum(
    models.AccountStatus,
    name="AccountStatus",
    description="ACTIVE accounts may log in; INACTIVE ones were deactivated; LOCKED ones are blocked.",
)
describe_values(
    AccountStatus,
    ACTIVE="May log in.",
    INACTIVE="Deactivated by its owner or an administrator; logging in says how to reactivate it.",
    LOCKED="Blocked by an administrator.",
)

USER_PUBLIC = Public("whoever may read the user: themself, or through an object that refers to them")
MYSELF = Myself()
OWNER_ONLY = Public("the owner (nobody else can reach it)")


# ---------------------------------------------------------------------------------------- types


@register_node
@strawberry.type(name="User", description="A person's account, identified by their login email.")
class UserType(UserMemberships, relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]
    #: The membership through which the viewer reached the user, if any: when it is active and on a
    #: scope where the viewer holds Organisation consultation, the contact details need no query.
    reached_through: strawberry.Private[Any] = None

    @property
    def user_id(self) -> int:
        return self.row.id

    @guarded(USER_PUBLIC, description="First name.")
    def first_name(self) -> str:
        return self.row.first_name

    @guarded(USER_PUBLIC, description="Last name.")
    def last_name(self) -> str:
        return self.row.last_name

    # email, phone and memberships come from UserMemberships (backend.schema.memberships).

    @guarded(MYSELF, description="Where the portal writes to, when it differs from the login email.")
    def contact_email(self) -> str | None:
        return self.row.contact_email

    @guarded(USER_PUBLIC, description="Account status.")
    def status(self) -> AccountStatus:
        return self.row.status

    @guarded(USER_PUBLIC, description="When the account was created.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @guarded(USER_PUBLIC, description="Last successful login.")
    def last_login_at(self) -> datetime | None:
        return self.row.last_login_at

    @classmethod
    def from_row(cls, row: Any, reached_through: Any = None) -> UserType:
        return cls(id=row.id, row=row, reached_through=reached_through)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> UserType | None:
        return await resolve_user(info, pk)


@register_node
@strawberry.type(name="Session", description="A browser where the viewer is logged in.")
class SessionType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @guarded(OWNER_ONLY, description="When the user logged in on this browser.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @guarded(OWNER_ONLY, description="Last use (updated at most once a minute).")
    def last_seen_at(self) -> datetime:
        return self.row.last_seen_at

    @guarded(OWNER_ONLY, description="The browser's User-Agent when logging in.")
    def user_agent(self) -> str | None:
        return self.row.user_agent or None

    @guarded(OWNER_ONLY, description="The client address when logging in.")
    def ip_address(self) -> str | None:
        return self.row.ip or None

    @guarded(OWNER_ONLY, description="True for the session of this very request.")
    def current(self, info: Info) -> bool:
        viewer = info.context.viewer
        return viewer is not None and viewer.session is not None and viewer.session.id == self.row.id

    @classmethod
    def from_row(cls, row: Any) -> SessionType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> SessionType | None:
        viewer = info.context.viewer
        row = await active_sessions(viewer.user.id).filter(id=pk).first() if viewer else None
        return cls.from_row(row) if row else None


@register_node
@strawberry.type(
    name="ApiToken", description="A personal API token (Authorization: Bearer …) acting as its owner."
)
class ApiTokenType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @guarded(OWNER_ONLY, description="Name given by the owner, to recognise the token.")
    def name(self) -> str:
        return self.row.name

    @guarded(OWNER_ONLY, description="First characters only; the secret is shown once, at creation.")
    def prefix(self) -> str:
        return self.row.prefix

    @guarded(OWNER_ONLY, description="A read-only token may run queries only.")
    def read_only(self) -> bool:
        return self.row.read_only

    @guarded(OWNER_ONLY, description="When the token was created.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @guarded(OWNER_ONLY, description="After this moment the token authenticates nobody; null: never expires.")
    def expires_at(self) -> datetime | None:
        return self.row.expires_at

    @guarded(OWNER_ONLY, description="Last use (updated at most once a minute).")
    def last_used_at(self) -> datetime | None:
        return self.row.last_used_at

    @classmethod
    def from_row(cls, row: Any) -> ApiTokenType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> ApiTokenType | None:
        viewer = info.context.viewer
        row = await api_tokens.api_tokens_of(viewer.user.id).filter(id=pk).first() if viewer else None
        return cls.from_row(row) if row else None


@strawberry.type(name="Viewer", description="The signed-in account and what it may do.")
class ViewerType(ViewerMemberships):
    viewer: strawberry.Private[Viewer]

    @strawberry.field(description="The signed-in user.")
    def user(self) -> UserType:
        return UserType.from_row(self.viewer.user)

    @strawberry.field(description="True for platform administrators.")
    def is_platform_admin(self) -> bool:
        return bool(self.viewer.user.is_platform_admin)

    @strawberry.field(description="True for support agents.")
    def is_support_agent(self) -> bool:
        return bool(self.viewer.user.is_support_agent)

    @strawberry.field(description="True once the login email was confirmed through the e-mailed link.")
    def email_verified(self) -> bool:
        return self.viewer.user.email_verified_at is not None

    @strawberry.field(description="True when logging in asks for a code of an authenticator app.")
    def two_factor_enabled(self) -> bool:
        return bool(self.viewer.user.totp_enabled)

    @strawberry.field(description="The browsers where the viewer is logged in, most recently used first.")
    async def sessions(self) -> list[SessionType]:
        return [SessionType.from_row(row) for row in await active_sessions(self.viewer.user.id)]

    @strawberry.field(description="The viewer's API tokens that were not revoked, newest first.")
    async def api_tokens(self) -> list[ApiTokenType]:
        return [ApiTokenType.from_row(row) for row in await api_tokens.api_tokens_of(self.viewer.user.id)]


# ---------------------------------------------------------------------------------------- inputs and payloads


@strawberry.input(description="A new account. The login email never changes afterwards.")
class SignUpInput:
    email: str = strawberry.field(description="Login email (the identity of the account).")
    password: str = strawberry.field(
        description="At least 12 characters, with an upper-case letter, a lower-case letter and a digit."
    )
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    phone: str | None = strawberry.field(default=None, description="Phone number.")


@strawberry.input(
    description="Changes to the viewer's account; fields left out are kept, null or empty clears."
)
class UpdateMyAccountInput:
    first_name: str | None = strawberry.field(default=strawberry.UNSET, description="First name.")
    last_name: str | None = strawberry.field(default=strawberry.UNSET, description="Last name.")
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Phone number.")
    contact_email: str | None = strawberry.field(
        default=strawberry.UNSET, description="Where the portal writes to (the login email never changes)."
    )

    def changes(self) -> dict[str, str | None]:
        names = ("first_name", "last_name", "phone", "contact_email")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not strawberry.UNSET}


@strawberry.type(description="The answer of signUp.")
class SignUpPayload:
    user: UserType | None = strawberry.field(default=None, description="The new account; null on failure.")
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type(description="The answer of logIn; the session cookie comes with it.")
class LogInPayload:
    viewer: ViewerType | None = strawberry.field(
        default=None, description="Who is now signed in; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type(description="The answer of logOut.")
class LogOutPayload:
    ok: bool = strawberry.field(default=False, description="True when the session (if any) was ended.")
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type(description="The answer of a change to the viewer's account.")
class ViewerPayload:
    viewer: ViewerType | None = strawberry.field(default=None, description="The account after the change.")
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type(description="A two-factor secret to confirm with confirmTwoFactor.")
class TwoFactorSetupPayload:
    provisioning_uri: str | None = strawberry.field(
        default=None, description="otpauth:// URI to show as a QR code."
    )
    secret: str | None = strawberry.field(default=None, description="The same secret, to type in by hand.")
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type(description="The answer of createApiToken.")
class CreateApiTokenPayload:
    token: ApiTokenType | None = strawberry.field(default=None, description="The new token.")
    secret: str | None = strawberry.field(default=None, description="The secret, shown once.")
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


# ---------------------------------------------------------------------------------------- helpers


def client_of(info: Info) -> Client:
    request = info.context.request
    return Client(
        ip=request.client.host if request.client else "", user_agent=request.headers.get("user-agent", "")
    )


def _secure(info: Info) -> bool:
    request = info.context.request
    return is_https(request.url.scheme, request.headers)


def _set_cookie(info: Info, value: str) -> None:
    info.context.response.headers.append("set-cookie", value)


def _end_browser_session(info: Info) -> None:
    _set_cookie(info, clear_cookie(secure=_secure(info)))
    info.context.viewer = None


def _mailer(info: Info) -> Any:
    assert info.context.mailer is not None, "the GraphQL view gives every context a mailer"
    return info.context.mailer


def _viewer_payload(viewer: Viewer) -> ViewerType:
    return ViewerType(viewer=viewer)


Arg = strawberry.argument


# ---------------------------------------------------------------------------------------- operations


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in account; null when not signed in.")
    def viewer(self, info: Info) -> ViewerType | None:
        viewer = info.context.viewer
        return ViewerType(viewer=viewer) if viewer is not None else None


@strawberry.type
class AccountMutation:
    @mutation(
        requires=ANYONE,
        description="Create an account; a link to verify the email is mailed. Does not log in.",
    )
    async def sign_up(
        self, info: Info, input: Annotated[SignUpInput, Arg(description="The account.")]
    ) -> SignUpPayload:
        user, errors = await attempt(
            accounts.sign_up(
                email=input.email,
                password=input.password,
                first_name=input.first_name,
                last_name=input.last_name,
                phone=input.phone,
                client=client_of(info),
                settings=info.context.settings,
                mailer=_mailer(info),
            )
        )
        return SignUpPayload(user=UserType.from_row(user) if user else None, errors=errors)

    @mutation(
        requires=ANYONE,
        description="Log in: sets the session cookie. Wrong email or password answer alike; five failures "
        "for one email within an hour lock it for an hour (ACCOUNT_LOCKED); with two-factor enabled, send "
        "the code too (TWO_FACTOR_REQUIRED without it).",
    )
    async def log_in(
        self,
        info: Info,
        email: Annotated[str, Arg(description="Login email.")],
        password: Annotated[str, Arg(description="Password.")],
        code: Annotated[
            str | None, Arg(description="Current code of the authenticator app, if enabled.")
        ] = None,
    ) -> LogInPayload:
        current = info.context.viewer
        result, errors = await attempt(
            sessions.log_in(
                email,
                password,
                code,
                client=client_of(info),
                settings=info.context.settings,
                previous=current.session if current else None,
            )
        )
        if result is None:
            return LogInPayload(errors=errors)
        _set_cookie(info, session_cookie(result.secret, info.context.settings, secure=_secure(info)))
        info.context.viewer = result.viewer
        return LogInPayload(viewer=_viewer_payload(result.viewer), errors=[])

    @mutation(requires=ANYONE, description="Log out: ends this browser's session and clears its cookie.")
    async def log_out(self, info: Info) -> LogOutPayload:
        _, errors = await attempt(sessions.log_out(info.context.viewer))
        if not errors:
            _end_browser_session(info)
        return LogOutPayload(ok=not errors, errors=errors)

    @mutation(
        requires=ANYONE,
        description="Confirm the login email with the secret of the e-mailed link (valid 60 minutes, once).",
    )
    async def verify_email(
        self, token: Annotated[str, Arg(description="The `jeton` of the link.")]
    ) -> OkPayload:
        _, errors = await attempt(accounts.verify_email(token))
        return ok_payload(errors)

    @mutation(
        requires=SIGNED_IN,
        description="Mail a new link to verify the login email (the previous ones stop working).",
    )
    async def resend_verification_email(self, info: Info) -> OkPayload:
        viewer = require_viewer(info)
        _, errors = await attempt(
            accounts.resend_verification(viewer, settings=info.context.settings, mailer=_mailer(info))
        )
        return ok_payload(errors)

    @mutation(
        requires=ANYONE,
        description="Mail a link to choose a new password (valid 60 minutes, once); it also reactivates a "
        "deactivated account. Always answers ok, so that it reveals nothing about the email.",
    )
    async def request_password_reset(
        self, info: Info, email: Annotated[str, Arg(description="Login email.")]
    ) -> OkPayload:
        _, errors = await attempt(
            accounts.request_password_reset(
                email, client=client_of(info), settings=info.context.settings, mailer=_mailer(info)
            )
        )
        return ok_payload(errors)

    @mutation(
        requires=ANYONE,
        description="Choose a new password with the secret of the e-mailed link: ends every session, "
        "reactivates a deactivated account.",
    )
    async def reset_password(
        self,
        token: Annotated[str, Arg(description="The `jeton` of the link.")],
        password: Annotated[str, Arg(description="The new password.")],
    ) -> OkPayload:
        _, errors = await attempt(accounts.reset_password(token, password))
        return ok_payload(errors)

    @mutation(
        requires=SIGNED_IN_SESSION,
        description="Change the viewer's names, phone or contact email (not the login email).",
    )
    async def update_my_account(
        self, info: Info, input: Annotated[UpdateMyAccountInput, Arg(description="The changes.")]
    ) -> ViewerPayload:
        viewer = require_viewer(info)
        _, errors = await attempt(accounts.update_my_account(viewer, input.changes()))
        return ViewerPayload(viewer=None if errors else _viewer_payload(viewer), errors=errors)

    @mutation(requires=SIGNED_IN_SESSION, description="Change the password; the viewer's other sessions end.")
    async def change_password(
        self,
        info: Info,
        current: Annotated[str, Arg(description="The current password.")],
        new: Annotated[str, Arg(description="The new password.")],
    ) -> OkPayload:
        _, errors = await attempt(accounts.change_password(require_viewer(info), current, new))
        return ok_payload(errors)

    @mutation(
        requires=SIGNED_IN_SESSION,
        description="Deactivate the viewer's account (sessions and API tokens end). Allowed while principal "
        "manager: those structures are left without one. To reactivate, reset the password through the "
        "e-mailed link.",
    )
    async def deactivate_my_account(
        self, info: Info, password: Annotated[str, Arg(description="The current password, to confirm.")]
    ) -> OkPayload:
        _, errors = await attempt(accounts.deactivate_my_account(require_viewer(info), password))
        if not errors:
            _end_browser_session(info)
        return ok_payload(errors)

    @mutation(
        requires=SIGNED_IN_SESSION,
        description="Start enabling two-factor login: a new secret to add to an authenticator app, then "
        "confirmTwoFactor with a code.",
    )
    async def start_two_factor(self, info: Info) -> TwoFactorSetupPayload:
        setup, errors = await attempt(two_factor.start(require_viewer(info)))
        if setup is None:
            return TwoFactorSetupPayload(errors=errors)
        return TwoFactorSetupPayload(provisioning_uri=setup.provisioning_uri, secret=setup.secret, errors=[])

    @mutation(requires=SIGNED_IN_SESSION, description="Enable two-factor login with a first code of the app.")
    async def confirm_two_factor(
        self, info: Info, code: Annotated[str, Arg(description="The code the app shows.")]
    ) -> OkPayload:
        _, errors = await attempt(two_factor.confirm(require_viewer(info), code))
        return ok_payload(errors)

    @mutation(
        requires=SIGNED_IN_SESSION, description="Disable two-factor login, with a current code of the app."
    )
    async def disable_two_factor(
        self, info: Info, code: Annotated[str, Arg(description="The code the app shows.")]
    ) -> OkPayload:
        _, errors = await attempt(two_factor.disable(require_viewer(info), code))
        return ok_payload(errors)

    @mutation(
        requires=SIGNED_IN_SESSION,
        description="End one of the viewer's sessions; ending the current one logs out.",
    )
    async def end_session(
        self, info: Info, id: Annotated[strawberry.ID, Arg(description="Global ID of the session.")]
    ) -> DeletePayload:
        from backend.schema.node import decode_id

        viewer = require_viewer(info)

        async def work() -> int:
            return await sessions.end_session(viewer, decode_id(id, "Session", ["id"]))

        ended, errors = await attempt(work())
        if ended is None:
            return DeletePayload(errors=errors)
        if viewer.session is not None and viewer.session.id == ended:
            _end_browser_session(info)
        return DeletePayload(deleted_id=strawberry.ID(relay.to_base64("Session", ended)), errors=[])

    @mutation(
        requires=SIGNED_IN_SESSION,
        description="Create a personal API token acting as the viewer; its secret is returned once.",
    )
    async def create_api_token(
        self,
        info: Info,
        name: Annotated[str, Arg(description="A name to recognise the token.")],
        read_only: Annotated[bool | None, Arg(description="True (default): queries only.")] = True,
        expires_at: Annotated[datetime | None, Arg(description="When it stops working; null: never.")] = None,
    ) -> CreateApiTokenPayload:
        viewer = require_viewer(info)
        created, errors = await attempt(
            api_tokens.create_api_token(
                viewer.user, name, read_only=read_only is not False, expires_at=expires_at, actor=viewer.user
            )
        )
        if created is None:
            return CreateApiTokenPayload(errors=errors)
        token, secret = created
        return CreateApiTokenPayload(token=ApiTokenType.from_row(token), secret=secret, errors=[])

    @mutation(
        requires=SIGNED_IN_SESSION,
        description="Revoke one of the viewer's API tokens: it stops working at once.",
    )
    async def revoke_api_token(
        self, info: Info, id: Annotated[strawberry.ID, Arg(description="Global ID of the token.")]
    ) -> DeletePayload:
        from backend.schema.node import decode_id

        viewer = require_viewer(info)

        async def work() -> int:
            return await api_tokens.revoke_api_token(viewer, decode_id(id, "ApiToken", ["id"]))

        revoked, errors = await attempt(work())
        if revoked is None:
            return DeletePayload(errors=errors)
        return DeletePayload(deleted_id=strawberry.ID(relay.to_base64("ApiToken", revoked)), errors=[])
