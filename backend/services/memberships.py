"""Attaching users to structures and services (rattachements), invitations, detaching, listing.

Rules (design/domain.md, reference-data.md, permissions.md):

- A manager (Organisation modification on the structure, or on the service for
  a service-level attachment) attaches a user by email, at structure level
  (``service_id`` None) or at service level. The user gets the default
  profiles: every application at modification, Organisation at consultation.
- An email without an account gets an :class:`~backend.models.Invitation`
  (valid 7 days, revocable); the attachment is made when that email has an
  account *and* has verified it (:func:`complete_invitations`).
- Attaching someone whose request to join is pending approves that request.
- Detaching needs a comment, ends the membership (DETACHED) and removes the
  habilitations at that level; the principal manager cannot be detached at
  structure level (transfer the role first).

Every write happens in one transaction with its audit event; mails go after
the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, RawSQL
from tortoise.queryset import QuerySet

from backend import clock, models
from backend.auth.grants import ORGANISATION, Grants
from backend.auth.tokens import digest, random_secret
from backend.auth.viewer import Viewer
from backend.models import AccessLevel, ApprovalState, MembershipStatus
from backend.services import notifications
from backend.services.access import NOT_ALLOWED, require, signed_in
from backend.services.audit import audit
from backend.services.errors import AlreadyExists, Forbidden, InvalidState, Required
from backend.services.mail import Mailer
from backend.services.tx import transaction
from backend.settings import Settings

INVITATION_VALIDITY_DAYS = 7
ALREADY_ATTACHED = "Cet utilisateur est déjà rattaché à ce niveau (structure ou service)."
NOT_ATTACHED = "Cet utilisateur n'est pas rattaché à ce niveau (structure ou service)."
TRANSFER_FIRST = (
    "Le gestionnaire principal ne peut pas être détaché de sa structure : transférez d'abord le rôle "
    "de gestionnaire principal à un autre utilisateur."
)


# ------------------------------------------------------------------------------ scope and defaults


@dataclass(frozen=True)
class Scope:
    """A structure, or one of its services: where a membership or a habilitation applies."""

    structure: models.Structure
    service: models.Service | None = None

    @property
    def structure_id(self) -> int:
        return self.structure.id

    @property
    def service_id(self) -> int | None:
        return self.service.id if self.service is not None else None

    def label(self) -> str:
        return notifications.scope_label(self.structure, self.service)


async def load_scope(structure_id: int, service_id: int | None) -> Scope:
    """The structure and service named by a request; a service of another structure is refused like a
    missing one (FORBIDDEN, so ids cannot be probed)."""
    structure = await models.Structure.get_or_none(id=structure_id)
    if structure is None:
        raise Forbidden(NOT_ALLOWED)
    service = None
    if service_id is not None:
        service = await models.Service.get_or_none(id=service_id, structure_id=structure_id)
        if service is None:
            raise Forbidden(NOT_ALLOWED)
    return Scope(structure, service)


async def managed_scope(viewer: Viewer | None, structure_id: int, service_id: int | None) -> Scope:
    """The scope, if the viewer holds Organisation modification on it (the structure, or that service)."""
    await require(viewer, ORGANISATION.modification, structure_id, service_id)
    return await load_scope(structure_id, service_id)


def at_scope(query: QuerySet[Any], service_id: int | None) -> QuerySet[Any]:
    """Rows at structure level (service NULL) or on one service."""
    return (
        query.filter(service_id__isnull=True) if service_id is None else query.filter(service_id=service_id)
    )


def default_level(application_code: str) -> AccessLevel:
    """A user attached to a structure: everything at modification, Organisation at consultation."""
    return AccessLevel.CONSULTATION if application_code == "ORGANISATION" else AccessLevel.MODIFICATION


async def grant_defaults(
    user_id: int, scope: Scope, granted_by: models.User | None
) -> list[models.Habilitation]:
    """Give the default profiles at ``scope`` for the applications the user holds nothing of there yet."""
    held = set(
        await at_scope(
            models.Habilitation.filter(user_id=user_id, structure_id=scope.structure_id), scope.service_id
        ).values_list("application_id", flat=True)
    )
    rows = []
    for profile in (
        await models.Profile.all().select_related("application").order_by("application__position", "id")
    ):
        if profile.application_id in held or profile.level != default_level(profile.application.code):
            continue
        rows.append(
            models.Habilitation(
                user_id=user_id,
                structure_id=scope.structure_id,
                service_id=scope.service_id,
                profile_id=profile.id,
                application_id=profile.application_id,
                granted_by_id=granted_by.id if granted_by else None,
                created_at=clock.now(),
            )
        )
    if rows:
        await models.Habilitation.bulk_create(rows)
    return rows


def open_memberships(user_id: int, structure_id: int, service_id: int | None) -> QuerySet[models.Membership]:
    """PENDING or ACTIVE memberships of the user at exactly that level."""
    return at_scope(
        models.Membership.filter(
            user_id=user_id,
            structure_id=structure_id,
            status__in=[MembershipStatus.PENDING, MembershipStatus.ACTIVE],
        ),
        service_id,
    )


async def active_membership(
    user_id: int, structure_id: int, service_id: int | None
) -> models.Membership | None:
    return (
        await open_memberships(user_id, structure_id, service_id)
        .filter(status=MembershipStatus.ACTIVE)
        .first()
    )


# ------------------------------------------------------------------------------ attach


@dataclass
class Attached:
    """What ``attachUser`` made: a membership, or an invitation for an email without an account."""

    membership: models.Membership | None = None
    invitation: models.Invitation | None = None


async def attach_user(
    viewer: Viewer | None,
    email: str,
    structure_id: int,
    service_id: int | None,
    *,
    settings: Settings,
    mailer: Mailer | None,
) -> Attached:
    from backend.services.accounts import check_email

    scope = await managed_scope(viewer, structure_id, service_id)
    assert viewer is not None
    email = check_email(email or "", ["input", "email"])
    actor = viewer.user
    user = await models.User.get_or_none(email=email)
    if user is None:
        invitation, secret = await _invite(actor, email, scope)
        notifications.deliver(
            mailer,
            [
                notifications.invitation_mail(
                    settings, email, scope.structure, scope.service, actor, secret, INVITATION_VALIDITY_DAYS
                )
            ],
        )
        return Attached(invitation=invitation)
    try:
        async with transaction():
            membership = await _attach(actor, user, scope)
    except IntegrityError as error:  # attached concurrently
        raise AlreadyExists(ALREADY_ATTACHED, field=["input", "email"]) from error
    if actor.id == user.id:
        viewer.forget_grants()
    notifications.deliver(
        mailer, [notifications.attached_mail(settings, user, scope.structure, scope.service, actor)]
    )
    return Attached(membership=membership)


async def _attach(actor: models.User | None, user: models.User, scope: Scope) -> models.Membership:
    """Inside a transaction: a new ACTIVE membership with the default profiles (or the pending request
    approved)."""
    existing = (
        await open_memberships(user.id, scope.structure_id, scope.service_id).select_for_update().first()
    )
    if existing is not None and existing.status == MembershipStatus.ACTIVE:
        raise AlreadyExists(ALREADY_ATTACHED, field=["input", "email"])
    if existing is not None:  # a pending request to join: attaching approves it
        membership = existing
        membership.status = MembershipStatus.ACTIVE
        await membership.save(update_fields=["status", "updated_at"])
        now = clock.now()
        for approval in await models.Approval.filter(
            membership_id=membership.id, state=ApprovalState.REQUESTED
        ):
            approval.state = ApprovalState.APPROVED
            approval.decided_by_id = actor.id if actor else None
            approval.decided_at = now
            approval.decision_reason = "Utilisateur rattaché directement par un gestionnaire."
            await approval.save(
                update_fields=["state", "decided_by_id", "decided_at", "decision_reason", "updated_at"]
            )
            await audit(
                actor,
                "approval.approve",
                approval,
                structure_id=scope.structure_id,
                subject_user_id=user.id,
                before={"state": ApprovalState.REQUESTED},
                after={"state": ApprovalState.APPROVED},
            )
    else:
        membership = await models.Membership.create(
            user_id=user.id,
            structure_id=scope.structure_id,
            service_id=scope.service_id,
            status=MembershipStatus.ACTIVE,
        )
    granted = await grant_defaults(user.id, scope, actor)
    await audit(
        actor,
        "membership.attach",
        membership,
        structure_id=scope.structure_id,
        subject_user_id=user.id,
        before={"status": existing.status if existing else None},
        after={
            "status": MembershipStatus.ACTIVE,
            "user": user.email,
            "service": scope.service.code if scope.service else None,
            "profiles": len(granted),
        },
    )
    return membership


# ------------------------------------------------------------------------------ invitations


def live_invitations() -> QuerySet[models.Invitation]:
    """Invitations still waiting: neither accepted, revoked nor expired."""
    return models.Invitation.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=clock.now()
    )


async def _invite(actor: models.User, email: str, scope: Scope) -> tuple[models.Invitation, str]:
    """A new invitation (the previous one for the same email and level, if any, is replaced)."""
    secret = random_secret()
    now = clock.now()
    async with transaction():
        previous = await at_scope(
            live_invitations().filter(email=email, structure_id=scope.structure_id), scope.service_id
        )
        for old in previous:
            old.revoked_at = now
            await old.save(update_fields=["revoked_at"])
            await audit(
                actor,
                "invitation.revoke",
                old,
                structure_id=scope.structure_id,
                before={"revoked": False},
                after={"revoked": True, "reason": "renouvelée"},
            )
        invitation = await models.Invitation.create(
            email=email,
            structure_id=scope.structure_id,
            service_id=scope.service_id,
            invited_by_id=actor.id,
            token_hash=digest(secret),
            created_at=now,
            expires_at=now + timedelta(days=INVITATION_VALIDITY_DAYS),
        )
        await audit(
            actor,
            "invitation.create",
            invitation,
            structure_id=scope.structure_id,
            after={"email": email, "service": scope.service.code if scope.service else None},
        )
    return invitation, secret


async def revoke_invitation(viewer: Viewer | None, invitation_id: int) -> models.Invitation:
    signed_in(viewer)
    invitation = await models.Invitation.get_or_none(id=invitation_id)
    if invitation is None:
        raise Forbidden(NOT_ALLOWED)
    await require(viewer, ORGANISATION.modification, invitation.structure_id, invitation.service_id)
    assert viewer is not None
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise InvalidState("Cette invitation a déjà été acceptée ou révoquée.")
    async with transaction():
        updated = await models.Invitation.filter(
            id=invitation.id, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=clock.now())
        if not updated:
            raise InvalidState("Cette invitation a déjà été acceptée ou révoquée.")
        await audit(
            viewer.user,
            "invitation.revoke",
            invitation,
            structure_id=invitation.structure_id,
            before={"revoked": False},
            after={"revoked": True, "email": invitation.email},
        )
    return invitation


async def complete_invitations(
    user: models.User, *, settings: Settings | None = None, mailer: Mailer | None = None
) -> list[models.Membership]:
    """Attach ``user`` where their email was invited, once they have verified that email.

    Call it after the transaction that verified the address has committed (e-mail verification, or a
    password reset, which proves the address too). It opens its own transaction; an invitation whose
    level the user is already attached at is simply marked accepted.
    """
    if user.email_verified_at is None:
        return []
    invitations = await live_invitations().filter(email=user.email).order_by("id")
    if not invitations:
        return []
    made: list[tuple[models.Membership, Scope, models.User | None]] = []
    async with transaction():
        for invitation in invitations:
            claimed = await models.Invitation.filter(
                id=invitation.id, accepted_at__isnull=True, revoked_at__isnull=True
            ).update(accepted_at=clock.now())
            if not claimed:
                continue
            scope = await load_scope(invitation.structure_id, invitation.service_id)
            inviter = (
                await models.User.get_or_none(id=invitation.invited_by_id)
                if invitation.invited_by_id
                else None
            )
            await audit(
                user,
                "invitation.accept",
                invitation,
                structure_id=scope.structure_id,
                subject_user_id=user.id,
                before={"accepted": False},
                after={"accepted": True},
            )
            if (
                await open_memberships(user.id, scope.structure_id, scope.service_id)
                .filter(status=MembershipStatus.ACTIVE)
                .exists()
            ):
                continue
            made.append((await _attach(inviter, user, scope), scope, inviter))
    if settings is not None:
        notifications.deliver(
            mailer,
            [notifications.attached_mail(settings, user, s.structure, s.service, by) for _, s, by in made],
        )
    return [membership for membership, _, _ in made]


# ------------------------------------------------------------------------------ detach


async def detach_user(
    viewer: Viewer | None,
    user_id: int,
    structure_id: int,
    service_id: int | None,
    comment: str,
    *,
    settings: Settings,
    mailer: Mailer | None,
) -> models.Membership:
    scope = await managed_scope(viewer, structure_id, service_id)
    assert viewer is not None
    comment = (comment or "").strip()
    if not comment:
        raise Required(
            "Un commentaire est obligatoire pour détacher un utilisateur.", field=["input", "comment"]
        )
    if scope.service is None and scope.structure.principal_manager_id == user_id:
        raise InvalidState(TRANSFER_FIRST, field=["input", "userId"])
    async with transaction():
        membership = (
            await open_memberships(user_id, structure_id, service_id)
            .filter(status=MembershipStatus.ACTIVE)
            .select_for_update()
            .first()
        )
        if membership is None:
            raise InvalidState(NOT_ATTACHED, field=["input", "userId"])
        # read the principal manager again inside the transaction (a transfer may have just happened)
        structure = await models.Structure.get(id=structure_id)
        if scope.service is None and structure.principal_manager_id == user_id:
            raise InvalidState(TRANSFER_FIRST, field=["input", "userId"])
        now = clock.now()
        membership.status = MembershipStatus.DETACHED
        membership.detached_at = now
        membership.detach_comment = comment
        await membership.save(update_fields=["status", "detached_at", "detach_comment", "updated_at"])
        rows = at_scope(models.Habilitation.filter(user_id=user_id, structure_id=structure_id), service_id)
        removed = sorted(await rows.values_list("profile__code", flat=True))
        await rows.delete()
        cancelled = await at_scope(
            models.Approval.filter(
                requester_id=user_id,
                structure_id=structure_id,
                state=ApprovalState.REQUESTED,
                kind=models.ApprovalKind.HABILITATION_CHANGE,
            ),
            service_id,
        ).update(
            state=ApprovalState.CANCELLED,
            decided_at=now,
            decision_reason="Demande annulée : l'utilisateur a été détaché.",
        )
        await audit(
            viewer.user,
            "membership.detach",
            membership,
            structure_id=structure_id,
            subject_user_id=user_id,
            before={"status": MembershipStatus.ACTIVE, "profiles": removed},
            after={
                "status": MembershipStatus.DETACHED,
                "profiles": [],
                "comment": comment,
                "cancelled_requests": cancelled or None,
            },
        )
    if user_id == viewer.user.id:
        viewer.forget_grants()
    user = await models.User.get(id=user_id)
    notifications.deliver(
        mailer,
        [notifications.detached_mail(settings, user, scope.structure, scope.service, viewer.user, comment)],
    )
    return membership


# ------------------------------------------------------------------------------ reading


def members_filter(grants: Grants) -> Q:
    """Memberships the viewer may list: on structures where they hold Organisation consultation, on
    services where they hold it, and their own."""
    if grants.is_platform_admin:
        return Q()
    structures = sorted(grants.structures_with(ORGANISATION.consultation))
    services = sorted(grants.services_with(ORGANISATION.consultation))
    visible = Q(user_id=grants.user_id or 0)
    if structures:
        visible |= Q(structure_id__in=structures)
    if services:
        visible |= Q(service_id__in=services)
    return visible


#: Sort keys of the users list: (ascending order_by fields).
MEMBER_ORDERS: dict[str, tuple[str, ...]] = {
    "LAST_NAME": ("user__last_name", "user__first_name"),
    "FIRST_NAME": ("user__first_name", "user__last_name"),
    "EMAIL": ("user__email",),
    "STRUCTURE": ("structure__name", "user__last_name", "user__first_name"),
    "STATUS": ("status", "user__last_name", "user__first_name"),
    "CREATED_AT": ("created_at",),
}


def search_members(
    grants: Grants,
    *,
    structure_id: int | None = None,
    service_id: int | None = None,
    status: MembershipStatus | None = None,
    profile_id: int | None = None,
    search: str | None = None,
    order: str = "LAST_NAME",
    descending: bool = False,
) -> QuerySet[models.Membership]:
    """« Consulter les utilisateurs »: the memberships of the viewer's structures and services, filtered
    and sorted in SQL (ACTIVE ones unless ``status`` says otherwise). ``profile_id``: members holding that
    profile at their membership's level."""
    # On a structure the viewer may consult as a whole, every membership is visible: no need to
    # send the (possibly thousand-long) list of the viewer's structures along.
    whole = structure_id is not None and grants.has(ORGANISATION.consultation, structure_id)
    query = models.Membership.filter(
        Q() if whole else members_filter(grants), status=status or MembershipStatus.ACTIVE
    )
    if structure_id is not None:
        query = query.filter(structure_id=structure_id)
    if service_id is not None:
        query = query.filter(service_id=service_id)
    if profile_id is not None:
        query = query.annotate(
            holds_profile=RawSQL(
                'EXISTS (SELECT 1 FROM "habilitation" h WHERE h."user_id" = "membership"."user_id" '
                'AND h."structure_id" = "membership"."structure_id" '
                'AND (h."service_id" = "membership"."service_id" '
                'OR (h."service_id" IS NULL AND "membership"."service_id" IS NULL)) '
                f'AND h."profile_id" = {int(profile_id)})'
            )
        ).filter(holds_profile=True)
    if search and search.strip():
        term = search.strip()
        query = query.filter(
            Q(user__last_name__icontains=term)
            | Q(user__first_name__icontains=term)
            | Q(user__email__icontains=term)
        )
    fields = MEMBER_ORDERS.get(order, MEMBER_ORDERS["LAST_NAME"])
    prefix = "-" if descending else ""
    return query.order_by(*(prefix + f for f in fields), prefix + "id")


async def user_visible(grants: Grants, user_id: int) -> bool:
    """A user's identity is readable by themself, and by whoever may read an object that refers to
    them: a membership (any status) on a structure or service where the viewer holds Organisation
    consultation, an approval they requested that the viewer may see; anybody to platform staff."""
    if grants.user_id == user_id or grants.sees_every_member:
        return True
    structures = sorted(grants.structures_with(ORGANISATION.consultation))
    services = sorted(grants.services_with(ORGANISATION.consultation))
    if not structures and not services:
        return False
    where = Q(structure_id__in=structures or [0]) | Q(service_id__in=services or [0])
    if await models.Membership.filter(where, user_id=user_id).exists():
        return True
    return await models.Approval.filter(where, requester_id=user_id).exists()


def contact_visible(
    grants: Grants, user_id: int, memberships: list[models.Membership], approvals: list[models.Approval]
) -> bool:
    """User.email and User.phone: the user themself; Organisation consultation on a structure where the
    user has an active membership; whoever may decide an approval the user requested; platform staff."""
    if grants.user_id == user_id or grants.sees_every_member:
        return True
    for membership in memberships:
        if membership.status == MembershipStatus.ACTIVE and grants.has(
            ORGANISATION.consultation, membership.structure_id, membership.service_id
        ):
            return True
    return any(
        approval.state == ApprovalState.REQUESTED
        and grants.has(ORGANISATION.modification, approval.structure_id, approval.service_id)
        for approval in approvals
    )


def membership_visible(grants: Grants, membership: models.Membership) -> bool:
    """The user themself, or Organisation consultation on the membership's structure (or its service)."""
    return membership.user_id == grants.user_id or grants.has(
        ORGANISATION.consultation, membership.structure_id, membership.service_id
    )


def check_blank(value: str | None, field: list[str], message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Required(message, field=field)
    return value


__all__ = [
    "INVITATION_VALIDITY_DAYS",
    "Attached",
    "Scope",
    "attach_user",
    "complete_invitations",
    "detach_user",
    "grant_defaults",
    "revoke_invitation",
    "search_members",
]
