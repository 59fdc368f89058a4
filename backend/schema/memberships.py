"""Memberships (rattachements), invitations and habilitations: types, the users list, and the mutations
of « Rattacher / Détacher un utilisateur » and « Gérer les habilitations des utilisateurs »."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from backend import models
from backend.auth.grants import ORGANISATION, Grants
from backend.auth.requirements import (
    ATTACH_USER,
    DETACH_USER,
    MANAGE_HABILITATIONS,
    REVOKE_INVITATION,
)
from backend.schema.context import Info
from backend.schema.enums import MembershipStatus, SortDirection
from backend.schema.errors import UserError
from backend.schema.loaders import HabilitationRow
from backend.schema.mutations import mutation
from backend.schema.node import NOT_VISIBLE, decode_id, register_node, require_viewer
from backend.schema.pagination import After, Connection, First, paginate
from backend.schema.payloads import ERRORS_DESCRIPTION, DeletePayload, attempt
from backend.schema.permissions import Guard, Public, Rule, awaiting, guarded
from backend.schema.reference import ProfileType
from backend.schema.structures import ServiceType, StructureType
from backend.services import approvals as approval_service
from backend.services import directory
from backend.services import habilitations as habilitation_service
from backend.services import memberships as membership_service
from backend.services.errors import DomainError, Forbidden, Invalid, Unauthenticated

if TYPE_CHECKING:
    from backend.schema.accounts import UserType

UserRef = Annotated["UserType", strawberry.lazy("backend.schema.accounts")]
WHOEVER_SEES_IT = Public("whoever may see the membership")
HABILITATION_READERS = Public(
    "whoever may see the habilitation: the user themself; Organisation consultation on the structure "
    "(or the service)"
)
INVITATION_READERS = Public("whoever may see the invitation: Organisation consultation on its structure")
Arg = strawberry.argument


async def _user(info: Info, user_id: int | None, reached_through: Any = None) -> Any:
    from backend.schema.accounts import UserType

    if user_id is None:
        return None
    row = await info.context.loaders.by_id(models.User).load(user_id)
    return UserType.from_row(row, reached_through) if row else None


async def _structure(info: Info, structure_id: int) -> StructureType:
    row = await info.context.loaders.by_id(models.Structure).load(structure_id)
    return StructureType.from_row(row)


async def _service(info: Info, service_id: int | None) -> ServiceType | None:
    if service_id is None:
        return None
    row = await info.context.loaders.by_id(models.Service).load(service_id)
    return ServiceType.from_row(row) if row else None


def _optional_id(value: strawberry.ID | None, type_name: str, field: list[str]) -> int | None:
    return decode_id(value, type_name, field) if value else None


def _ids(values: list[strawberry.ID] | None, type_name: str, field: list[str]) -> list[int]:
    """Decode a list of ids, reporting every malformed one at once."""
    found, errors = [], []
    for i, value in enumerate(values or []):
        try:
            found.append(decode_id(value, type_name, [*field, str(i)]))
        except DomainError as error:
            errors.append(error)
    if errors:
        raise Invalid(errors)
    return found


# ---------------------------------------------------------------------------------------- types


@register_node
@strawberry.type(
    name="Membership", description="A user's attachment (rattachement) to a structure or one of its services."
)
class MembershipType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @property
    def structure_id(self) -> int:
        return self.row.structure_id

    @property
    def user_id(self) -> int:
        return self.row.user_id

    @property
    def service_id(self) -> int | None:
        return self.row.service_id

    @guarded(WHOEVER_SEES_IT, description="The attached user.")
    async def user(self, info: Info) -> UserRef:
        return await _user(info, self.row.user_id, reached_through=self.row)

    @guarded(WHOEVER_SEES_IT, description="The structure.")
    async def structure(self, info: Info) -> StructureType:
        return await _structure(info, self.row.structure_id)

    @guarded(WHOEVER_SEES_IT, description="Null when attached at structure level (maille structure).")
    async def service(self, info: Info) -> ServiceType | None:
        return await _service(info, self.row.service_id)

    @guarded(WHOEVER_SEES_IT, description="Pending, active, refused or detached.")
    def status(self) -> MembershipStatus:
        return self.row.status

    @guarded(WHOEVER_SEES_IT, description="True when the user is the structure's principal manager.")
    async def is_principal_manager(self, info: Info) -> bool:
        structure = await info.context.loaders.by_id(models.Structure).load(self.row.structure_id)
        return self.row.service_id is None and structure.principal_manager_id == self.row.user_id

    @guarded(
        Public(
            "whoever may see the membership (the user themself; Organisation consultation on the structure, "
            "or on the service of a service-level membership)"
        ),
        description="The user's habilitations at this membership's scope (structure, or service), by application.",
    )
    async def habilitations(self, info: Info) -> list[HabilitationType]:
        key = (self.row.user_id, self.row.structure_id, self.row.service_id)
        rows = await info.context.loaders.habilitations_at().load(key)
        return [HabilitationType.from_row(row) for row in rows]

    @guarded(WHOEVER_SEES_IT, description="When the attachment was requested or made.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @guarded(WHOEVER_SEES_IT, description="When the user was detached (DETACHED memberships).")
    def detached_at(self) -> datetime | None:
        return self.row.detached_at

    @guarded(WHOEVER_SEES_IT, description="The manager's comment when detaching the user.")
    def detach_comment(self) -> str | None:
        return self.row.detach_comment

    @classmethod
    def from_row(cls, row: Any) -> MembershipType:
        return cls(id=row.id, row=row)

    @staticmethod
    def visible(row: Any, grants: Grants) -> bool:
        return membership_service.membership_visible(grants, row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> MembershipType | None:
        row = await models.Membership.get_or_none(id=pk)
        if row is None or not cls.visible(row, await info.context.grants()):
            return None
        return cls.from_row(row)


@register_node
@strawberry.type(
    name="Habilitation", description="One profile granted to one user on a structure (or one service)."
)
class HabilitationType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @guarded(HABILITATION_READERS, description="The user.")
    async def user(self, info: Info) -> UserRef:
        return await _user(info, self.row.user_id)

    @guarded(HABILITATION_READERS, description="The structure.")
    async def structure(self, info: Info) -> StructureType:
        return await _structure(info, self.row.structure_id)

    @guarded(HABILITATION_READERS, description="The service, when granted at service level.")
    async def service(self, info: Info) -> ServiceType | None:
        return await _service(info, self.row.service_id)

    @guarded(HABILITATION_READERS, description="The profile.")
    def profile(self, info: Info) -> ProfileType:
        fetched = getattr(self.row, "profile_row", None)  # a HabilitationRow of the habilitations_at loader
        if fetched is not None:
            return ProfileType.from_row(fetched)
        return self._load_profile(info)  # an awaitable: graphql-core awaits it

    async def _load_profile(self, info: Info) -> ProfileType:
        row = await info.context.loaders.by_id(models.Profile).load(self.row.profile_id)
        return ProfileType.from_row(row)

    @guarded(HABILITATION_READERS, description="Who granted it (null when granted by the system).")
    async def granted_by(self, info: Info) -> UserRef | None:
        return await _user(info, self.row.granted_by_id)

    @guarded(HABILITATION_READERS, description="When it was granted.")
    def created_at(self, info: Info) -> datetime:
        if isinstance(self.row, HabilitationRow):  # lists leave it out: one statement for the page if asked
            return self._load_created_at(info)  # an awaitable: graphql-core awaits it
        return self.row.created_at

    async def _load_created_at(self, info: Info) -> datetime:
        row = await info.context.loaders.by_id(models.Habilitation).load(self.row.id)
        return row.created_at

    @classmethod
    def from_row(cls, row: Any) -> HabilitationType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> HabilitationType | None:
        row = await models.Habilitation.get_or_none(id=pk)
        if row is None:
            return None
        grants = await info.context.grants()
        if row.user_id != grants.user_id and not grants.has(
            ORGANISATION.consultation, row.structure_id, row.service_id
        ):
            return None
        return cls.from_row(row)


@register_node
@strawberry.type(
    name="Invitation",
    description="attachUser for an email without an account: the attachment is made once that email has "
    "signed up and verified the address. Valid 7 days, revocable.",
)
class InvitationType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @guarded(INVITATION_READERS, description="The invited email.")
    def email(self) -> str:
        return self.row.email

    @guarded(INVITATION_READERS, description="The structure the person is invited to.")
    async def structure(self, info: Info) -> StructureType:
        return await _structure(info, self.row.structure_id)

    @guarded(INVITATION_READERS, description="The service, for an attachment at service level.")
    async def service(self, info: Info) -> ServiceType | None:
        return await _service(info, self.row.service_id)

    @guarded(INVITATION_READERS, description="The manager who invited.")
    async def invited_by(self, info: Info) -> UserRef | None:
        return await _user(info, self.row.invited_by_id)

    @guarded(INVITATION_READERS, description="When the invitation was sent.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @guarded(INVITATION_READERS, description="When the invitation stops working.")
    def expires_at(self) -> datetime:
        return self.row.expires_at

    @guarded(INVITATION_READERS, description="When the invited person completed the attachment.")
    def accepted_at(self) -> datetime | None:
        return self.row.accepted_at

    @guarded(INVITATION_READERS, description="When a manager revoked the invitation.")
    def revoked_at(self) -> datetime | None:
        return self.row.revoked_at

    @classmethod
    def from_row(cls, row: Any) -> InvitationType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> InvitationType | None:
        row = await models.Invitation.get_or_none(id=pk)
        grants = await info.context.grants()
        if row is None or not grants.has(ORGANISATION.consultation, row.structure_id, row.service_id):
            return None
        return cls.from_row(row)


# ---------------------------------------------------------------------------------------- User fields


class ContactRule(Rule):
    """User.email and User.phone: decided from the user's memberships and requests (batched loaders)."""

    def describe(self) -> str:
        return (
            "the user themself; Organisation consultation on a structure where the user has an active "
            "membership; whoever may decide an approval the user requested"
        )

    def allows(self, source: Any, grants: Grants) -> bool:  # the async check below decides
        return True

    def allows_now(self, source: Any, grants: Grants) -> bool:
        """True when the grants alone (and the membership the user was reached through) allow it."""
        through = source.reached_through
        return membership_service.contact_visible(grants, source.id, [through] if through else [], [])

    async def allows_async(self, source: Any, info: Info) -> bool:
        grants = await info.context.grants()
        user_id = source.id
        if self.allows_now(source, grants):
            return True
        loaders = info.context.loaders
        memberships = await loaders.children(models.Membership, "user_id").load(user_id)
        if membership_service.contact_visible(grants, user_id, memberships, []):
            return True
        approvals = await loaders.children(models.Approval, "requester_id").load(user_id)
        return membership_service.contact_visible(grants, user_id, [], approvals)


class AsyncGuard(Guard):
    """A guard whose rule may need the database (through the request's DataLoaders). It decides
    synchronously when the grants suffice (a members list: no coroutine per user)."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        viewer = info.context.viewer
        grants = viewer.loaded_grants() if viewer is not None else None
        if grants is not None and self.rule.allows_now(source, grants):  # type: ignore[attr-defined]
            return next_(source, info, **kwargs)
        return self.resolve_async(awaiting(next_), source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        if info.context.viewer is None:
            raise Unauthenticated()
        if not await self.rule.allows_async(source, info):  # type: ignore[attr-defined]
            raise Forbidden("Vous n'avez pas l'habilitation nécessaire pour lire ce champ.")
        return await next_(source, info, **kwargs)


CONTACT = ContactRule()


@strawberry.type
class UserMemberships:
    """Fields of ``User`` about their attachments and contact details (mixed into the User type)."""

    @strawberry.field(
        description="Login email; it never changes. Visible to the user themself, to those holding Organisation "
        "consultation on a structure the user is attached to, to whoever may decide their requests, and to "
        "platform staff (administrators, support agents).",
        extensions=[AsyncGuard(CONTACT)],
    )
    def email(self) -> str | None:
        return self.row.email  # type: ignore[attr-defined]

    @strawberry.field(
        description="Phone number (same readers as the email).", extensions=[AsyncGuard(CONTACT)]
    )
    def phone(self) -> str | None:
        return self.row.phone  # type: ignore[attr-defined]

    @guarded(
        Public(
            "whoever may read the user; lists only the user's own memberships to themself, and those on "
            "structures where the viewer holds Organisation consultation"
        ),
        description="Active attachments of this user that the viewer may see.",
    )
    async def memberships(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[MembershipType]:
        grants = await info.context.grants()
        query = directory.memberships_of_user(grants, self.id)  # type: ignore[attr-defined]
        return await paginate(query, first=first, after=after, default=20, to_node=MembershipType.from_row)


async def resolve_user(info: Info, pk: int) -> Any:
    """A user, if the viewer may read them (themself, or through an object that refers to them)."""
    from backend.schema.accounts import UserType

    if info.context.viewer is None:
        return None
    if not await membership_service.user_visible(await info.context.grants(), pk):
        return None
    row = await info.context.loaders.by_id(models.User).load(pk)
    return UserType.from_row(row) if row else None


# ---------------------------------------------------------------------------------------- Viewer fields


@strawberry.type
class ViewerMemberships:
    """Fields of ``Viewer`` about the viewer's structures (mixed into the Viewer type)."""

    @strawberry.field(description="Structures the viewer is attached to, with what they may do there.")
    async def memberships(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        search: Annotated[
            str | None, strawberry.argument(description="Words of the structure's name or identifier.")
        ] = None,
    ) -> Connection[MembershipType]:
        viewer = require_viewer(info)
        query = models.Membership.filter(user_id=viewer.user.id, status=models.MembershipStatus.ACTIVE)
        if search and search.strip():
            from tortoise.expressions import Q

            term = search.strip()
            query = query.filter(
                Q(structure__name__icontains=term) | Q(structure__identifier__icontains=term)
            )
        return await paginate(
            query.order_by("structure__name", "id"),
            first=first,
            after=after,
            default=20,
            to_node=MembershipType.from_row,
        )

    @strawberry.field(description="Structures where the viewer is principal manager.")
    async def managed_structures(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[StructureType]:
        viewer = require_viewer(info)
        query = models.Structure.filter(principal_manager_id=viewer.user.id).order_by("name", "id")
        return await paginate(query, first=first, after=after, default=20, to_node=StructureType.from_row)

    @strawberry.field(
        description="REQUESTED approvals the viewer may decide (never their own): the number in the header."
    )
    async def pending_approval_count(self, info: Info) -> int:
        require_viewer(info)
        return await approval_service.pending_count(await info.context.grants())

    @strawberry.field(
        description="The viewer's own requests (attachments, habilitation changes) still waiting."
    )
    async def pending_requests(self, info: Info) -> int:
        viewer = require_viewer(info)
        return await models.Approval.filter(
            requester_id=viewer.user.id, state=models.ApprovalState.REQUESTED
        ).count()


# ---------------------------------------------------------------------------------------- inputs, payloads


@strawberry.enum(name="MembershipSortField", description="How the users list can be sorted.")
class MembershipSortField(Enum):
    LAST_NAME = strawberry.enum_value("LAST_NAME", description="Last name, then first name (the default).")
    FIRST_NAME = strawberry.enum_value("FIRST_NAME", description="First name, then last name.")
    EMAIL = strawberry.enum_value("EMAIL", description="Login email.")
    STRUCTURE = strawberry.enum_value("STRUCTURE", description="Company name of the structure.")
    STATUS = strawberry.enum_value("STATUS", description="Membership status.")
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="Date of attachment.")


@strawberry.input(description="Sort order of the users list.")
class MembershipOrder:
    field: MembershipSortField = strawberry.field(description="The column.")
    direction: SortDirection = strawberry.field(
        default=SortDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Attach a user by email, at structure level or at service level.")
class AttachUserInput:
    email: str = strawberry.field(
        description="The user's login email; without an account, an invitation is sent."
    )
    structure_id: strawberry.ID = strawberry.field(description="The structure.")
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="The service, for an attachment at service level (maille service)."
    )


@strawberry.input(description="Detach a user from a structure or one of its services.")
class DetachUserInput:
    user_id: strawberry.ID = strawberry.field(description="The user.")
    structure_id: strawberry.ID = strawberry.field(description="The structure.")
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="The service, to detach at service level."
    )
    comment: str = strawberry.field(description="Why (mandatory; sent to the user).")


@strawberry.input(description="Grant one profile to one user on a structure or service.")
class AddHabilitationInput:
    user_id: strawberry.ID = strawberry.field(description="The user (attached at that level).")
    structure_id: strawberry.ID = strawberry.field(description="The structure.")
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="The service, at service level."
    )
    profile_id: strawberry.ID = strawberry.field(description="The profile.")


@strawberry.input(description="Grant profiles to several users at once (all or nothing).")
class AddHabilitationsInput:
    user_ids: list[strawberry.ID] = strawberry.field(description="The users (attached at that level).")
    structure_id: strawberry.ID = strawberry.field(description="The structure.")
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="The service, at service level."
    )
    profile_ids: list[strawberry.ID] = strawberry.field(
        description="The profiles, one per application at most."
    )


@strawberry.type(
    description="attachUser answers with the membership, or with an invitation when no account has that email yet."
)
class MembershipPayload:
    membership: MembershipType | None = strawberry.field(
        default=None, description="The membership; null otherwise."
    )
    invitation: InvitationType | None = strawberry.field(
        default=None, description="The invitation sent, when no account has that email yet."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type(description="The answer of a change to one habilitation.")
class HabilitationPayload:
    habilitation: HabilitationType | None = strawberry.field(
        default=None, description="The habilitation; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type(description="The answer of a change to several habilitations.")
class HabilitationsPayload:
    habilitations: list[HabilitationType] = strawberry.field(
        default_factory=list,
        description="The habilitations added or held after the change (empty on failure).",
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type(description="The answer of a mutation that deletes several things at once.")
class DeleteManyPayload:
    deleted_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Global IDs of what was deleted (empty on failure)."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


def _mailer(info: Info) -> Any:
    return info.context.mailer


def _habilitations(rows: list[Any] | None) -> list[HabilitationType]:
    return [HabilitationType.from_row(row) for row in rows or []]


# ---------------------------------------------------------------------------------------- operations


@strawberry.type
class MembershipQuery:
    @strawberry.field(
        description="A user, if the viewer may read them (themself, or a user of their structures)."
    )
    async def user(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The user's global ID.")],
    ) -> UserRef | None:
        pk = decode_id(id, "User", ["id"])
        require_viewer(info)
        found = await resolve_user(info, pk)
        if found is None:
            raise Forbidden(NOT_VISIBLE)
        return found

    @strawberry.field(
        description="« Consulter les utilisateurs »: the memberships of the viewer's structures and services "
        "(Organisation consultation), ACTIVE unless `status` says otherwise, sorted by last name by default, "
        "20 a page. `profileId`: members holding that profile at their membership's level."
    )
    async def memberships(
        self,
        info: Info,
        structure_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the users of this structure.")
        ] = None,
        service_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the users attached to this service.")
        ] = None,
        status: Annotated[
            MembershipStatus | None,
            strawberry.argument(description="Only the memberships in this status (ACTIVE by default)."),
        ] = None,
        profile_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the users holding this profile.")
        ] = None,
        search: Annotated[
            str | None, strawberry.argument(description="Words of the last name, first name or email.")
        ] = None,
        order_by: Annotated[
            MembershipOrder | None, strawberry.argument(description="Sort order (last name by default).")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[MembershipType]:
        require_viewer(info)
        query = membership_service.search_members(
            await info.context.grants(),
            structure_id=_optional_id(structure_id, "Structure", ["structureId"]),
            service_id=_optional_id(service_id, "Service", ["serviceId"]),
            status=status,
            profile_id=_optional_id(profile_id, "Profile", ["profileId"]),
            search=search,
            order=order_by.field.value if order_by else "LAST_NAME",
            descending=bool(order_by and order_by.direction == SortDirection.DESC),
        )
        return await paginate(query, first=first, after=after, default=20, to_node=MembershipType.from_row)

    @strawberry.field(
        description="Invitations of a structure still waiting (neither accepted, revoked nor expired), newest "
        "first. Organisation consultation on the structure."
    )
    async def invitations(
        self,
        info: Info,
        structure_id: Annotated[strawberry.ID, strawberry.argument(description="The structure.")],
        first: First = None,
        after: After = None,
    ) -> Connection[InvitationType]:
        require_viewer(info)
        pk = decode_id(structure_id, "Structure", ["structureId"])
        grants = await info.context.grants()
        query = membership_service.live_invitations().filter(structure_id=pk)
        if not grants.has(ORGANISATION.consultation, pk):
            query = query.filter(
                service_id__in=sorted(grants.services_with(ORGANISATION.consultation)) or [0]
            )
        return await paginate(
            query.order_by("-created_at", "-id"),
            first=first,
            after=after,
            default=20,
            to_node=InvitationType.from_row,
        )


@strawberry.type
class MembershipMutation:
    @mutation(
        requires=ATTACH_USER,
        description="« Rattacher un utilisateur » by email, at structure or service level, with the default "
        "profiles; an email without an account gets an invitation (valid 7 days).",
    )
    async def attach_user(
        self,
        info: Info,
        input: Annotated[AttachUserInput, strawberry.argument(description="Who, and where.")],
    ) -> MembershipPayload:
        async def work() -> Any:
            return await membership_service.attach_user(
                info.context.viewer,
                input.email,
                decode_id(input.structure_id, "Structure", ["input", "structureId"]),
                _optional_id(input.service_id, "Service", ["input", "serviceId"]),
                settings=info.context.settings,
                mailer=_mailer(info),
            )

        done, errors = await attempt(work())
        if done is None:
            return MembershipPayload(errors=errors)
        return MembershipPayload(
            membership=MembershipType.from_row(done.membership) if done.membership else None,
            invitation=InvitationType.from_row(done.invitation) if done.invitation else None,
            errors=[],
        )

    @mutation(requires=REVOKE_INVITATION, description="Revoke an invitation that is still waiting.")
    async def revoke_invitation(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The invitation.")]
    ) -> DeletePayload:
        async def work() -> Any:
            return await membership_service.revoke_invitation(
                info.context.viewer, decode_id(id, "Invitation", ["id"])
            )

        done, errors = await attempt(work())
        return DeletePayload(deleted_id=id if done is not None else None, errors=errors)

    @mutation(
        requires=DETACH_USER,
        description="« Détacher un utilisateur » (comment mandatory): the membership becomes DETACHED and the "
        "habilitations at that level go with it. The principal manager cannot be detached.",
    )
    async def detach_user(
        self,
        info: Info,
        input: Annotated[DetachUserInput, strawberry.argument(description="Who, where, and why.")],
    ) -> MembershipPayload:
        async def work() -> Any:
            return await membership_service.detach_user(
                info.context.viewer,
                decode_id(input.user_id, "User", ["input", "userId"]),
                decode_id(input.structure_id, "Structure", ["input", "structureId"]),
                _optional_id(input.service_id, "Service", ["input", "serviceId"]),
                input.comment,
                settings=info.context.settings,
                mailer=_mailer(info),
            )

        done, errors = await attempt(work())
        return MembershipPayload(membership=MembershipType.from_row(done) if done else None, errors=errors)

    @mutation(
        requires=MANAGE_HABILITATIONS,
        description="Grant a profile; a profile of an application the user already holds at that level is "
        "refused (« L'utilisateur a déjà l'abonnement sélectionné »).",
    )
    async def add_habilitation(
        self,
        info: Info,
        input: Annotated[
            AddHabilitationInput, strawberry.argument(description="The user, the level and the profile.")
        ],
    ) -> HabilitationPayload:
        async def work() -> Any:
            return await habilitation_service.add_habilitation(
                info.context.viewer,
                decode_id(input.user_id, "User", ["input", "userId"]),
                decode_id(input.structure_id, "Structure", ["input", "structureId"]),
                _optional_id(input.service_id, "Service", ["input", "serviceId"]),
                decode_id(input.profile_id, "Profile", ["input", "profileId"]),
            )

        done, errors = await attempt(work())
        return HabilitationPayload(
            habilitation=HabilitationType.from_row(done) if done else None, errors=errors
        )

    @mutation(
        requires=MANAGE_HABILITATIONS, description="Grant profiles to several users at once (all or nothing)."
    )
    async def add_habilitations(
        self,
        info: Info,
        input: Annotated[
            AddHabilitationsInput, strawberry.argument(description="The users, the level and the profiles.")
        ],
    ) -> HabilitationsPayload:
        async def work() -> Any:
            return await habilitation_service.add_habilitations(
                info.context.viewer,
                _ids(input.user_ids, "User", ["input", "userIds"]),
                decode_id(input.structure_id, "Structure", ["input", "structureId"]),
                _optional_id(input.service_id, "Service", ["input", "serviceId"]),
                _ids(input.profile_ids, "Profile", ["input", "profileIds"]),
            )

        done, errors = await attempt(work())
        return HabilitationsPayload(habilitations=_habilitations(done), errors=errors)

    @mutation(
        requires=MANAGE_HABILITATIONS,
        description="Replace the profile of a habilitation row (the pencil of the table).",
    )
    async def replace_habilitation(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The habilitation row.")],
        profile_id: Annotated[
            strawberry.ID, strawberry.argument(description="The new profile (same application).")
        ],
    ) -> HabilitationPayload:
        async def work() -> Any:
            return await habilitation_service.replace_habilitation(
                info.context.viewer,
                decode_id(id, "Habilitation", ["id"]),
                decode_id(profile_id, "Profile", ["profileId"]),
            )

        done, errors = await attempt(work())
        return HabilitationPayload(
            habilitation=HabilitationType.from_row(done) if done else None, errors=errors
        )

    @mutation(
        requires=MANAGE_HABILITATIONS, description="Remove a habilitation row (the cross of the table)."
    )
    async def remove_habilitation(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The habilitation row.")],
    ) -> DeletePayload:
        async def work() -> Any:
            return await habilitation_service.remove_habilitation(
                info.context.viewer, decode_id(id, "Habilitation", ["id"])
            )

        done, errors = await attempt(work())
        return DeletePayload(deleted_id=id if done is not None else None, errors=errors)

    @mutation(
        requires=MANAGE_HABILITATIONS,
        description="Remove several habilitation rows at once (all or nothing).",
    )
    async def remove_habilitations(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="The habilitation rows.")],
    ) -> DeleteManyPayload:
        async def work() -> Any:
            return await habilitation_service.remove_habilitations(
                info.context.viewer, _ids(ids, "Habilitation", ["ids"])
            )

        done, errors = await attempt(work())
        return DeleteManyPayload(deleted_ids=list(ids) if done is not None else [], errors=errors)

    @mutation(
        requires=MANAGE_HABILITATIONS,
        description="« Supprimer tout »: every habilitation of the user at that level (structure, or the "
        "service). Answers what the user still holds there.",
    )
    async def remove_all_habilitations(
        self,
        info: Info,
        user_id: Annotated[strawberry.ID, strawberry.argument(description="The user.")],
        structure_id: Annotated[strawberry.ID, strawberry.argument(description="The structure.")],
        service_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The service, at service level.")
        ] = None,
    ) -> HabilitationsPayload:
        async def work() -> Any:
            return await habilitation_service.remove_all_habilitations(
                info.context.viewer,
                [decode_id(user_id, "User", ["userId"])],
                decode_id(structure_id, "Structure", ["structureId"]),
                _optional_id(service_id, "Service", ["serviceId"]),
                field=("userId",),
            )

        done, errors = await attempt(work())
        return HabilitationsPayload(habilitations=_habilitations(done), errors=errors)

    @mutation(
        requires=MANAGE_HABILITATIONS,
        description="« Supprimer tout » for several users at once (all or nothing).",
    )
    async def remove_all_habilitations_of_users(
        self,
        info: Info,
        user_ids: Annotated[list[strawberry.ID], strawberry.argument(description="The users.")],
        structure_id: Annotated[strawberry.ID, strawberry.argument(description="The structure.")],
        service_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The service, at service level.")
        ] = None,
    ) -> HabilitationsPayload:
        async def work() -> Any:
            return await habilitation_service.remove_all_habilitations(
                info.context.viewer,
                _ids(user_ids, "User", ["userIds"]),
                decode_id(structure_id, "Structure", ["structureId"]),
                _optional_id(service_id, "Service", ["serviceId"]),
            )

        done, errors = await attempt(work())
        return HabilitationsPayload(habilitations=_habilitations(done), errors=errors)

    @mutation(
        requires=MANAGE_HABILITATIONS,
        description="Give a user exactly the structure-level profiles another user holds on the structure; "
        "answers the target's habilitations there after the copy.",
    )
    async def copy_habilitations(
        self,
        info: Info,
        from_user_id: Annotated[
            strawberry.ID, strawberry.argument(description="The user whose profiles are copied.")
        ],
        to_user_id: Annotated[strawberry.ID, strawberry.argument(description="The user who receives them.")],
        structure_id: Annotated[strawberry.ID, strawberry.argument(description="The structure.")],
    ) -> HabilitationsPayload:
        async def work() -> Any:
            return await habilitation_service.copy_habilitations(
                info.context.viewer,
                decode_id(from_user_id, "User", ["fromUserId"]),
                [decode_id(to_user_id, "User", ["toUserId"])],
                decode_id(structure_id, "Structure", ["structureId"]),
                field=("toUserId",),
            )

        done, errors = await attempt(work())
        return HabilitationsPayload(habilitations=_habilitations(done), errors=errors)

    @mutation(
        requires=MANAGE_HABILITATIONS,
        description="copyHabilitations to several users at once (all or nothing).",
    )
    async def copy_habilitations_to_users(
        self,
        info: Info,
        from_user_id: Annotated[
            strawberry.ID, strawberry.argument(description="The user whose profiles are copied.")
        ],
        to_user_ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="The users who receive them.")
        ],
        structure_id: Annotated[strawberry.ID, strawberry.argument(description="The structure.")],
    ) -> HabilitationsPayload:
        async def work() -> Any:
            return await habilitation_service.copy_habilitations(
                info.context.viewer,
                decode_id(from_user_id, "User", ["fromUserId"]),
                _ids(to_user_ids, "User", ["toUserIds"]),
                decode_id(structure_id, "Structure", ["structureId"]),
            )

        done, errors = await attempt(work())
        return HabilitationsPayload(habilitations=_habilitations(done), errors=errors)


__all__ = [
    "HabilitationType",
    "InvitationType",
    "MembershipMutation",
    "MembershipQuery",
    "MembershipType",
    "UserMemberships",
    "ViewerMemberships",
    "resolve_user",
]
