"""Approvals (« Approbations »): requests a structure's managers decide on.

- A request to join (ATTACHMENT) creates a PENDING membership and the
  approval; approving makes the membership ACTIVE with the default profiles,
  refusing makes it REFUSED, cancelling removes it.
- A request to change one's habilitations (HABILITATION_CHANGE) lists
  profiles to add and to remove. The « Factures émises » part applies at once
  and is recorded as an approval already APPROVED, decided by the system
  (``decided_by`` null); the rest becomes a REQUESTED approval.
- Whoever holds Organisation modification on the approval's structure (or on
  its service) decides, never on their own request; a decision applies in
  the same transaction, and the requester is told by e-mail after it commits.
- The requester may comment and cancel (while REQUESTED).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from backend import clock, models
from backend.auth.grants import FACTURES_EMISES, ORGANISATION, Grants
from backend.auth.viewer import Viewer
from backend.models import ApprovalKind, ApprovalState, MembershipStatus, ProfileChangeKind
from backend.models.sequences import next_approval_number
from backend.services import notifications
from backend.services.access import NOT_ALLOWED, signed_in
from backend.services.audit import audit
from backend.services.directory import directory_filter
from backend.services.errors import (
    AlreadyExists,
    DomainError,
    Forbidden,
    Invalid,
    InvalidState,
    Required,
    ValidationFailed,
)
from backend.services.habilitations import (
    PROFILE_HELD,
    apply_profile_changes,
    is_organisation_modification,
    load_profiles,
)
from backend.services.mail import Mailer
from backend.services.memberships import (
    Scope,
    active_membership,
    at_scope,
    grant_defaults,
    load_scope,
    open_memberships,
)
from backend.services.tx import transaction
from backend.settings import Settings

OWN_REQUEST = (
    "Vous ne pouvez pas décider de votre propre demande : un autre gestionnaire de la structure s'en charge."
)
NOT_REQUESTED = "Cette demande a déjà été traitée ou annulée : elle ne peut plus être modifiée."
SYSTEM_DECISION = "Appliqué sans approbation : un utilisateur gère lui-même son profil Factures émises."


# ------------------------------------------------------------------------------ who sees, who decides


def visible_filter(grants: Grants) -> Q:
    """Approvals the viewer may see: their own requests, and those of the structures (or services) where
    they hold Organisation modification."""
    if grants.is_platform_admin:
        return Q()
    visible = Q(requester_id=grants.user_id or 0)
    structures = sorted(grants.structures_with(ORGANISATION.modification))
    services = sorted(grants.services_with(ORGANISATION.modification))
    if structures:
        visible |= Q(structure_id__in=structures)
    if services:
        visible |= Q(service_id__in=services)
    return visible


def decidable_filter(grants: Grants) -> Q:
    """Approvals the viewer may decide (never their own)."""
    if grants.is_platform_admin:
        return ~Q(requester_id=grants.user_id or 0)
    structures = sorted(grants.structures_with(ORGANISATION.modification))
    services = sorted(grants.services_with(ORGANISATION.modification))
    if not structures and not services:
        return Q(id__in=[])
    # No OR with an empty side: "structure IN (…) OR service IN (0)" keeps SQLite's planner off the
    # (structure, state) index, and a manager of 1,000 structures then reads every pending approval.
    if not services:
        where = Q(structure_id__in=structures)
    elif not structures:
        where = Q(service_id__in=services)
    else:
        where = Q(structure_id__in=structures) | Q(service_id__in=services)
    return where & ~Q(requester_id=grants.user_id or 0)


def is_visible(grants: Grants, approval: models.Approval) -> bool:
    return approval.requester_id == grants.user_id or grants.has(
        ORGANISATION.modification, approval.structure_id, approval.service_id
    )


def may_decide(grants: Grants, approval: models.Approval) -> bool:
    return approval.requester_id != grants.user_id and grants.has(
        ORGANISATION.modification, approval.structure_id, approval.service_id
    )


def search_approvals(
    grants: Grants,
    *,
    state: ApprovalState | None = None,
    structure_id: int | None = None,
    kind: ApprovalKind | None = None,
    search: str | None = None,
    to_decide: bool = False,
) -> QuerySet[models.Approval]:
    """The list, newest first, filtered in SQL."""
    query = models.Approval.filter(visible_filter(grants))
    if to_decide:
        query = query.filter(decidable_filter(grants), state=ApprovalState.REQUESTED)
    if state is not None:
        query = query.filter(state=state)
    if structure_id is not None:
        query = query.filter(structure_id=structure_id)
    if kind is not None:
        query = query.filter(kind=kind)
    if search and search.strip():
        term = search.strip()
        query = query.filter(
            Q(number__icontains=term)
            | Q(description__icontains=term)
            | Q(requester__last_name__icontains=term)
            | Q(requester__first_name__icontains=term)
            | Q(structure__name__icontains=term)
            | Q(structure__identifier__icontains=term)
        )
    return query.order_by("-created_at", "-id")


async def pending_count(grants: Grants) -> int:
    """REQUESTED approvals the viewer may decide: one COUNT."""
    if grants.user_id is None:
        return 0
    return await models.Approval.filter(decidable_filter(grants), state=ApprovalState.REQUESTED).count()


async def visible_approval(viewer: Viewer | None, approval_id: int) -> models.Approval:
    grants = await signed_in(viewer).grants()
    approval = await models.Approval.get_or_none(id=approval_id)
    if approval is None or not is_visible(grants, approval):
        raise Forbidden(NOT_ALLOWED)
    return approval


# ------------------------------------------------------------------------------ requests


async def _new_approval(
    *,
    kind: ApprovalKind,
    requester: models.User,
    scope: Scope,
    description: str,
    membership: models.Membership | None = None,
    state: ApprovalState = ApprovalState.REQUESTED,
    add: Sequence[models.Profile] = (),
    remove: Sequence[models.Profile] = (),
    comment: str | None = None,
) -> models.Approval:
    now = clock.now()
    system = state == ApprovalState.APPROVED
    approval = await models.Approval.create(
        number=await next_approval_number(),
        kind=kind,
        state=state,
        description=description,
        requester_id=requester.id,
        approver_id=scope.structure.principal_manager_id,
        structure_id=scope.structure_id,
        service_id=scope.service_id,
        membership=membership,
        decided_at=now if system else None,
        decision_reason=SYSTEM_DECISION if system else None,
    )
    changes = [
        models.ApprovalProfileChange(approval=approval, profile_id=p.id, change=ProfileChangeKind.ADD)
        for p in add
    ]
    changes += [
        models.ApprovalProfileChange(approval=approval, profile_id=p.id, change=ProfileChangeKind.REMOVE)
        for p in remove
    ]
    if changes:
        await models.ApprovalProfileChange.bulk_create(changes)
    if comment:
        await models.ApprovalComment.create(approval=approval, author_id=requester.id, body=comment)
    await audit(
        requester,
        "approval.request",
        approval,
        structure_id=scope.structure_id,
        subject_user_id=requester.id,
        after={
            "number": approval.number,
            "kind": kind,
            "state": state,
            "add": [p.code for p in add] or None,
            "remove": [p.code for p in remove] or None,
        },
    )
    return approval


async def request_attachment(
    viewer: Viewer | None, structure_id: int, service_id: int | None, comment: str | None
) -> models.Approval:
    """« Demander un rattachement »: a PENDING membership and an ATTACHMENT approval."""
    viewer = signed_in(viewer)
    grants = await viewer.grants()
    if not await models.Structure.filter(directory_filter(grants), id=structure_id).exists():
        raise Forbidden(NOT_ALLOWED)
    scope = await load_scope(structure_id, service_id)
    if scope.structure.status != models.ActivityStatus.ACTIVE:
        raise InvalidState(
            "Cette structure est inactive : on ne peut pas demander à y être rattaché.",
            field=["input", "structureId"],
        )
    if scope.service is not None and scope.service.status != models.ActivityStatus.ACTIVE:
        raise InvalidState(
            "Ce service est inactif : on ne peut pas demander à y être rattaché.",
            field=["input", "serviceId"],
        )
    user = viewer.user
    comment = (comment or "").strip() or None
    try:
        async with transaction():
            existing = await open_memberships(user.id, structure_id, service_id).first()
            if existing is not None:
                raise AlreadyExists(
                    "Vous êtes déjà rattaché à ce niveau."
                    if existing.status == MembershipStatus.ACTIVE
                    else "Une demande de rattachement à ce niveau est déjà en attente.",
                    field=["input", "structureId"],
                )
            membership = await models.Membership.create(
                user_id=user.id,
                structure_id=structure_id,
                service_id=service_id,
                status=MembershipStatus.PENDING,
            )
            await audit(
                user,
                "membership.request",
                membership,
                structure_id=structure_id,
                subject_user_id=user.id,
                after={
                    "status": MembershipStatus.PENDING,
                    "service": scope.service.code if scope.service else None,
                },
            )
            return await _new_approval(
                kind=ApprovalKind.ATTACHMENT,
                requester=user,
                scope=scope,
                description=f"Demande de rattachement de {user.full_name} à {scope.label()}",
                membership=membership,
                comment=comment,
            )
    except IntegrityError as error:
        raise AlreadyExists(
            "Une demande de rattachement à ce niveau est déjà en attente.", field=["input", "structureId"]
        ) from error


async def request_habilitation_change(
    viewer: Viewer | None,
    structure_id: int,
    service_id: int | None,
    add_ids: Sequence[int],
    remove_ids: Sequence[int],
    comment: str | None,
) -> models.Approval:
    """« Gérer mes habilitations »: the « Factures émises » part applies at once (an APPROVED approval
    decided by the system), the rest becomes a REQUESTED approval. Returns the REQUESTED one when there is
    one, else the auto-approved one."""
    viewer = signed_in(viewer)
    user = viewer.user
    if await active_membership(user.id, structure_id, service_id) is None:
        raise Forbidden(
            "Vous n'êtes pas rattaché à cette structure (ou à ce service) : demandez d'abord un rattachement."
        )
    scope = await load_scope(structure_id, service_id)
    if not add_ids and not remove_ids:
        raise Required("Choisissez au moins un profil à ajouter ou à retirer.", field=["input", "add"])
    errors: list[DomainError] = []
    add: list[models.Profile] = []
    remove: list[models.Profile] = []
    for ids, target, name in ((add_ids, add, "add"), (remove_ids, remove, "remove")):
        try:
            target += await load_profiles(ids, ["input", name])
        except Invalid as error:
            errors += error.errors
    if errors:
        raise Invalid(errors)
    held = {
        r.application_id: r.profile_id
        for r in await at_scope(
            models.Habilitation.filter(user_id=user.id, structure_id=structure_id), service_id
        )
    }
    seen: set[int] = set()
    for i, profile in enumerate(add):
        if held.get(profile.application_id) == profile.id:
            errors.append(AlreadyExists(PROFILE_HELD, field=["input", "add", str(i)]))
        elif profile.application_id in seen:
            errors.append(
                ValidationFailed(
                    "Un seul profil par application : consultation ou modification, pas les deux.",
                    field=["input", "add", str(i)],
                )
            )
        seen.add(profile.application_id)
    added = {p.id for p in add}
    for i, profile in enumerate(remove):
        if profile.id in added:
            errors.append(
                ValidationFailed(
                    "Un même profil ne peut pas être ajouté et retiré.", field=["input", "remove", str(i)]
                )
            )
        elif held.get(profile.application_id) != profile.id:
            errors.append(
                ValidationFailed(
                    f"Vous ne détenez pas le profil {profile.name}.", field=["input", "remove", str(i)]
                )
            )
        elif (
            scope.service is None
            and scope.structure.principal_manager_id == user.id
            and is_organisation_modification(profile)
        ):
            errors.append(
                InvalidState(
                    "Le gestionnaire principal garde Organisation modification : transférez d'abord le rôle.",
                    field=["input", "remove", str(i)],
                )
            )
    if errors:
        raise Invalid(errors)

    def own(profile: models.Profile) -> bool:
        return profile.application.code == FACTURES_EMISES.code

    comment = (comment or "").strip() or None
    async with transaction():
        requested = None
        self_add, self_remove = [p for p in add if own(p)], [p for p in remove if own(p)]
        rest_add, rest_remove = [p for p in add if not own(p)], [p for p in remove if not own(p)]
        auto = None
        if self_add or self_remove:
            auto = await _new_approval(
                kind=ApprovalKind.HABILITATION_CHANGE,
                requester=user,
                scope=scope,
                description=notifications.change_description(self_add, self_remove, scope.structure),
                state=ApprovalState.APPROVED,
                add=self_add,
                remove=self_remove,
                comment=comment if not (rest_add or rest_remove) else None,
            )
            await apply_profile_changes(None, user.id, scope, self_add, self_remove, field=["input", "add"])
        if rest_add or rest_remove:
            requested = await _new_approval(
                kind=ApprovalKind.HABILITATION_CHANGE,
                requester=user,
                scope=scope,
                description=notifications.change_description(rest_add, rest_remove, scope.structure),
                add=rest_add,
                remove=rest_remove,
                comment=comment,
            )
    if auto is not None:
        viewer.forget_grants()
    result = requested or auto
    assert result is not None
    return result


# ------------------------------------------------------------------------------ decisions


async def _to_decide(viewer: Viewer, approval_id: int, field: list[str]) -> models.Approval:
    grants = await viewer.grants()
    approval = await models.Approval.get_or_none(id=approval_id)
    if approval is None or not is_visible(grants, approval):
        raise Forbidden(NOT_ALLOWED, field=field)
    if approval.requester_id == grants.user_id:
        raise Forbidden(OWN_REQUEST, field=field)
    if not may_decide(grants, approval):
        raise Forbidden(NOT_ALLOWED, field=field)
    if approval.state != ApprovalState.REQUESTED:
        raise InvalidState(NOT_REQUESTED, field=field)
    return approval


async def _claim(
    approval: models.Approval, state: ApprovalState, actor: models.User, reason: str | None, field: list[str]
) -> None:
    """The one conditional UPDATE that moves REQUESTED to a decision: a concurrent decision loses."""
    now = clock.now()
    updated = await models.Approval.filter(id=approval.id, state=ApprovalState.REQUESTED).update(
        state=state,
        decided_by_id=actor.id,
        decided_at=now,
        decision_reason=reason,
        version=approval.version + 1,
    )
    if not updated:
        raise InvalidState(NOT_REQUESTED, field=field)
    approval.state, approval.decided_by_id, approval.decided_at = state, actor.id, now
    approval.decision_reason, approval.version = reason, approval.version + 1


async def _profiles_of(approval: models.Approval) -> tuple[list[models.Profile], list[models.Profile]]:
    changes = (
        await models.ApprovalProfileChange.filter(approval_id=approval.id)
        .select_related("profile", "profile__application")
        .order_by("id")
    )
    add = [c.profile for c in changes if c.change == ProfileChangeKind.ADD]
    remove = [c.profile for c in changes if c.change == ProfileChangeKind.REMOVE]
    return add, remove


async def _approve_one(
    actor: models.User, approval: models.Approval, comment: str | None, field: list[str]
) -> None:
    """Inside a transaction."""
    scope = await load_scope(approval.structure_id, approval.service_id)
    await _claim(approval, ApprovalState.APPROVED, actor, None, field)
    if approval.kind == ApprovalKind.ATTACHMENT:
        membership = (
            await models.Membership.get_or_none(id=approval.membership_id) if approval.membership_id else None
        )
        if membership is None or membership.status != MembershipStatus.PENDING:
            raise InvalidState("La demande de rattachement n'est plus en attente.", field=field)
        membership.status = MembershipStatus.ACTIVE
        await membership.save(update_fields=["status", "updated_at"])
        await grant_defaults(approval.requester_id, scope, actor)
        await audit(
            actor,
            "membership.attach",
            membership,
            structure_id=scope.structure_id,
            subject_user_id=approval.requester_id,
            before={"status": MembershipStatus.PENDING},
            after={"status": MembershipStatus.ACTIVE, "approval": approval.number},
        )
    else:
        if await active_membership(approval.requester_id, scope.structure_id, scope.service_id) is None:
            raise InvalidState(
                "Le demandeur n'est plus rattaché à ce niveau : la demande ne peut pas s'appliquer.",
                field=field,
            )
        add, remove = await _profiles_of(approval)
        await apply_profile_changes(actor, approval.requester_id, scope, add, remove, field=field)
    if comment:
        await models.ApprovalComment.create(approval_id=approval.id, author_id=actor.id, body=comment)
    await audit(
        actor,
        "approval.approve",
        approval,
        structure_id=scope.structure_id,
        subject_user_id=approval.requester_id,
        before={"state": ApprovalState.REQUESTED},
        after={"state": ApprovalState.APPROVED, "comment": comment},
    )


async def _refuse_one(actor: models.User, approval: models.Approval, reason: str, field: list[str]) -> None:
    await _claim(approval, ApprovalState.REFUSED, actor, reason, field)
    if approval.kind == ApprovalKind.ATTACHMENT and approval.membership_id:
        await models.Membership.filter(id=approval.membership_id, status=MembershipStatus.PENDING).update(
            status=MembershipStatus.REFUSED, updated_at=clock.now()
        )
    await audit(
        actor,
        "approval.refuse",
        approval,
        structure_id=approval.structure_id,
        subject_user_id=approval.requester_id,
        before={"state": ApprovalState.REQUESTED},
        after={"state": ApprovalState.REFUSED, "reason": reason},
    )


@dataclass(frozen=True)
class Decision:
    approve: bool
    text: str | None


async def decide(
    viewer: Viewer | None,
    approval_ids: Sequence[int],
    decision: Decision,
    *,
    settings: Settings,
    mailer: Mailer | None,
    ids_field: Sequence[str] = ("ids",),
    single: bool = False,
) -> list[models.Approval]:
    """Approve or refuse one or several approvals; all or nothing, one error per approval at fault."""
    viewer = signed_in(viewer)
    text = (decision.text or "").strip() or None
    if not decision.approve and not text:
        raise Required("Le motif du refus est obligatoire.", field=["reason"])
    if not approval_ids:
        raise ValidationFailed("Choisissez au moins une demande.", field=list(ids_field))
    fields = [list(ids_field) if single else [*ids_field, str(i)] for i in range(len(approval_ids))]
    errors: list[DomainError] = []
    approvals: list[models.Approval] = []
    for pk, field in zip(approval_ids, fields, strict=True):
        try:
            approvals.append(await _to_decide(viewer, pk, field))
        except DomainError as error:
            errors.append(error)
    if errors:
        raise Invalid(errors)
    try:
        async with transaction():
            for approval, field in zip(approvals, fields, strict=True):
                try:
                    if decision.approve:
                        await _approve_one(viewer.user, approval, text, field)
                    else:
                        assert text is not None
                        await _refuse_one(viewer.user, approval, text, field)
                except DomainError as error:
                    errors.append(error)
            if errors:
                raise Invalid(errors)
    except IntegrityError as error:  # the requester was attached meanwhile by another path
        raise InvalidState(NOT_REQUESTED, field=list(ids_field)) from error
    viewer.forget_grants()
    await _notify_decisions(approvals, viewer.user, settings, mailer)
    return approvals


async def _notify_decisions(
    approvals: Sequence[models.Approval], actor: models.User, settings: Settings, mailer: Mailer | None
) -> None:
    if mailer is None:
        return
    mails = []
    for approval in approvals:
        requester = await models.User.get(id=approval.requester_id)
        structure = await models.Structure.get(id=approval.structure_id)
        service = await models.Service.get_or_none(id=approval.service_id) if approval.service_id else None
        mails.append(notifications.decision_mail(settings, approval, requester, structure, service, actor))
    notifications.deliver(mailer, mails)


async def comment_approval(viewer: Viewer | None, approval_id: int, body: str) -> models.Approval:
    """The requester, or whoever may decide, adds a comment (in any state)."""
    approval = await visible_approval(viewer, approval_id)
    assert viewer is not None
    body = (body or "").strip()
    if not body:
        raise Required("Le commentaire ne peut pas être vide.", field=["body"])
    async with transaction():
        comment = await models.ApprovalComment.create(
            approval_id=approval.id, author_id=viewer.user.id, body=body
        )
        await audit(
            viewer.user,
            "approval.comment",
            approval,
            structure_id=approval.structure_id,
            subject_user_id=approval.requester_id,
            after={"comment": comment.body},
        )
    return approval


async def cancel_approval(viewer: Viewer | None, approval_id: int) -> models.Approval:
    """The requester withdraws a REQUESTED approval; a request to join takes its PENDING membership along."""
    approval = await visible_approval(viewer, approval_id)
    assert viewer is not None
    if approval.requester_id != viewer.user.id:
        raise Forbidden("Seul le demandeur peut annuler sa demande.", field=["id"])
    if approval.state != ApprovalState.REQUESTED:
        raise InvalidState(NOT_REQUESTED, field=["id"])
    async with transaction():
        updated = await models.Approval.filter(id=approval.id, state=ApprovalState.REQUESTED).update(
            state=ApprovalState.CANCELLED, decided_at=clock.now(), version=approval.version + 1
        )
        if not updated:
            raise InvalidState(NOT_REQUESTED, field=["id"])
        if approval.kind == ApprovalKind.ATTACHMENT and approval.membership_id:
            membership = await models.Membership.get_or_none(
                id=approval.membership_id, status=MembershipStatus.PENDING
            )
            if membership is not None:
                await audit(
                    viewer.user,
                    "membership.cancel",
                    membership,
                    structure_id=approval.structure_id,
                    subject_user_id=viewer.user.id,
                    before={"status": MembershipStatus.PENDING},
                    after={"status": None},
                )
                await membership.delete()
        await audit(
            viewer.user,
            "approval.cancel",
            approval,
            structure_id=approval.structure_id,
            subject_user_id=viewer.user.id,
            before={"state": ApprovalState.REQUESTED},
            after={"state": ApprovalState.CANCELLED},
        )
    return await models.Approval.get(id=approval.id)


__all__ = [
    "Decision",
    "cancel_approval",
    "comment_approval",
    "decide",
    "pending_count",
    "request_attachment",
    "request_habilitation_change",
    "search_approvals",
]
