"""Managing habilitations (« Gérer les habilitations des utilisateurs »): effective immediately.

- A user holds at most one profile per application at a scope (structure
  level, or one service): adding a profile of an application already held
  there, at either level, is refused with « L'utilisateur a déjà l'abonnement
  sélectionné » (the database's partial unique indexes say the same).
- Nobody removes or lowers the principal manager's Organisation modification
  (held at structure level): transfer the role first.
- Every action exists for one user and for several at once; a batch is all or
  nothing, with one error per user or row at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.exceptions import IntegrityError

from backend import models
from backend.auth.grants import ORGANISATION
from backend.auth.viewer import Viewer
from backend.models import AccessLevel
from backend.services.access import NOT_ALLOWED, require, signed_in
from backend.services.audit import audit
from backend.services.errors import (
    AlreadyExists,
    DomainError,
    Forbidden,
    Invalid,
    InvalidState,
    ValidationFailed,
)
from backend.services.memberships import Scope, active_membership, at_scope, managed_scope
from backend.services.tx import transaction

PROFILE_HELD = "L'utilisateur a déjà l'abonnement sélectionné."
PROTECTED = (
    "L'habilitation Organisation modification du gestionnaire principal ne peut pas être retirée : "
    "transférez d'abord le rôle de gestionnaire principal."
)
NOT_A_MEMBER = "Cet utilisateur n'est pas rattaché à ce niveau (structure ou service) : rattachez-le d'abord."


async def load_profile(profile_id: int, field: list[str]) -> models.Profile:
    profile = await models.Profile.get_or_none(id=profile_id).select_related("application")
    if profile is None:
        raise ValidationFailed("Ce profil n'existe pas.", field=field)
    return profile


async def load_profiles(profile_ids: Sequence[int], field: list[str]) -> list[models.Profile]:
    """The profiles in the order given; an unknown one is a VALIDATION error at its index."""
    rows = {
        p.id: p for p in await models.Profile.filter(id__in=list(profile_ids)).select_related("application")
    }
    errors = [
        ValidationFailed("Ce profil n'existe pas.", field=[*field, str(i)])
        for i, pk in enumerate(profile_ids)
        if pk not in rows
    ]
    if errors:
        raise Invalid(errors)
    return [rows[pk] for pk in profile_ids]


def is_organisation_modification(profile: models.Profile) -> bool:
    return profile.application.code == ORGANISATION.code and profile.level == AccessLevel.MODIFICATION


async def protected_row(structure: models.Structure, row: models.Habilitation) -> bool:
    """The principal manager's Organisation modification at structure level."""
    if row.service_id is not None or structure.principal_manager_id != row.user_id:
        return False
    profile = await models.Profile.get(id=row.profile_id).select_related("application")
    return is_organisation_modification(profile)


def _describe(row: models.Habilitation, profile: models.Profile, scope: Scope) -> dict[str, Any]:
    return {"profile": profile.code, "service": scope.service.code if scope.service else None}


async def _user_exists(user_id: int) -> bool:
    return await models.User.exists(id=user_id)


# ------------------------------------------------------------------------------ add


async def _add(
    actor: models.User, user_id: int, scope: Scope, profile: models.Profile, field: list[str]
) -> Any:
    """Inside a transaction. The user must be attached at the scope and hold nothing of the application."""
    if await active_membership(user_id, scope.structure_id, scope.service_id) is None:
        raise InvalidState(NOT_A_MEMBER, field=field)
    held = at_scope(
        models.Habilitation.filter(
            user_id=user_id, structure_id=scope.structure_id, application_id=profile.application_id
        ),
        scope.service_id,
    )
    if await held.exists():
        raise AlreadyExists(PROFILE_HELD, field=field)
    row = await models.Habilitation.create(
        user_id=user_id,
        structure_id=scope.structure_id,
        service_id=scope.service_id,
        profile_id=profile.id,
        application_id=profile.application_id,
        granted_by_id=actor.id if actor else None,
    )
    await audit(
        actor,
        "habilitation.add",
        row,
        structure_id=scope.structure_id,
        subject_user_id=user_id,
        after=_describe(row, profile, scope),
    )
    return row


async def add_habilitations(
    viewer: Viewer | None,
    user_ids: Sequence[int],
    structure_id: int,
    service_id: int | None,
    profile_ids: Sequence[int],
    *,
    users_field: Sequence[str] = ("input", "userIds"),
    profiles_field: Sequence[str] = ("input", "profileIds"),
    single: bool = False,
) -> list[models.Habilitation]:
    """Add each profile to each user at the scope; all or nothing."""
    scope = await managed_scope(viewer, structure_id, service_id)
    assert viewer is not None
    if not user_ids:
        raise ValidationFailed("Choisissez au moins un utilisateur.", field=list(users_field))
    if not profile_ids:
        raise ValidationFailed("Choisissez au moins un profil.", field=list(profiles_field))
    profiles = (
        [await load_profile(profile_ids[0], list(profiles_field))]
        if single
        else await load_profiles(profile_ids, list(profiles_field))
    )
    applications = [p.application_id for p in profiles]
    if len(set(applications)) != len(applications):
        raise ValidationFailed(
            "Un utilisateur ne peut détenir qu'un profil par application : choisissez consultation ou "
            "modification, pas les deux.",
            field=list(profiles_field),
        )
    rows: list[models.Habilitation] = []
    try:
        async with transaction():
            errors: list[DomainError] = []
            for i, user_id in enumerate(user_ids):
                field = list(users_field) if single else [*users_field, str(i)]
                for profile in profiles:
                    try:
                        rows.append(await _add(viewer.user, user_id, scope, profile, field))
                    except DomainError as error:
                        if single:
                            # the profile is what the manager chose: point at it
                            error.field = list(profiles_field) if isinstance(error, AlreadyExists) else field
                        errors.append(error)
                        break
            if errors:
                raise Invalid(errors)
    except IntegrityError as error:  # granted concurrently
        raise AlreadyExists(PROFILE_HELD, field=list(profiles_field)) from error
    if viewer.user.id in user_ids:
        viewer.forget_grants()
    return rows


async def add_habilitation(
    viewer: Viewer | None, user_id: int, structure_id: int, service_id: int | None, profile_id: int
) -> models.Habilitation:
    rows = await add_habilitations(
        viewer,
        [user_id],
        structure_id,
        service_id,
        [profile_id],
        users_field=("input", "userId"),
        profiles_field=("input", "profileId"),
        single=True,
    )
    return rows[0]


# ------------------------------------------------------------------------------ replace, remove


async def _managed_row(viewer: Viewer | None, habilitation_id: int) -> tuple[models.Habilitation, Scope]:
    signed_in(viewer)
    row = await models.Habilitation.get_or_none(id=habilitation_id)
    if row is None:
        raise Forbidden(NOT_ALLOWED)
    await require(viewer, ORGANISATION.modification, row.structure_id, row.service_id)
    return row, await managed_scope(viewer, row.structure_id, row.service_id)


async def replace_habilitation(
    viewer: Viewer | None, habilitation_id: int, profile_id: int
) -> models.Habilitation:
    """The row's profile becomes ``profile_id`` (another level of the same application, or another one)."""
    row, scope = await _managed_row(viewer, habilitation_id)
    assert viewer is not None
    profile = await load_profile(profile_id, ["profileId"])
    try:
        async with transaction():
            row = await models.Habilitation.filter(id=habilitation_id).select_for_update().first()
            if row is None:
                raise Forbidden(NOT_ALLOWED)
            if row.profile_id == profile.id:
                raise AlreadyExists(PROFILE_HELD, field=["profileId"])
            if profile.application_id != row.application_id:
                clash = at_scope(
                    models.Habilitation.filter(
                        user_id=row.user_id,
                        structure_id=row.structure_id,
                        application_id=profile.application_id,
                    ),
                    row.service_id,
                )
                if await clash.exists():
                    raise AlreadyExists(PROFILE_HELD, field=["profileId"])
            structure = await models.Structure.get(id=row.structure_id)
            if await protected_row(structure, row) and not is_organisation_modification(profile):
                raise InvalidState(PROTECTED, field=["id"])
            before = await models.Profile.get(id=row.profile_id)
            row.profile_id = profile.id
            row.application_id = profile.application_id
            row.granted_by_id = viewer.user.id
            await row.save(update_fields=["profile_id", "application_id", "granted_by_id"])
            await audit(
                viewer.user,
                "habilitation.replace",
                row,
                structure_id=row.structure_id,
                subject_user_id=row.user_id,
                before={"profile": before.code},
                after={"profile": profile.code, "service": scope.service.code if scope.service else None},
            )
    except IntegrityError as error:
        raise AlreadyExists(PROFILE_HELD, field=["profileId"]) from error
    if row.user_id == viewer.user.id:
        viewer.forget_grants()
    return row


async def _remove(
    actor: models.User, row: models.Habilitation, structure: models.Structure, field: list[str]
) -> None:
    if await protected_row(structure, row):
        raise InvalidState(PROTECTED, field=field)
    profile = await models.Profile.get(id=row.profile_id)
    service = await models.Service.get_or_none(id=row.service_id) if row.service_id else None
    await audit(
        actor,
        "habilitation.remove",
        row,
        structure_id=row.structure_id,
        subject_user_id=row.user_id,
        before={"profile": profile.code, "service": service.code if service else None},
    )
    await row.delete()


async def remove_habilitations(
    viewer: Viewer | None, habilitation_ids: Sequence[int], *, field: Sequence[str] = ("ids",)
) -> list[int]:
    """Remove several rows (of one or several users); all or nothing."""
    signed_in(viewer)
    assert viewer is not None
    if not habilitation_ids:
        raise ValidationFailed("Choisissez au moins une habilitation.", field=list(field))
    single = len(field) == 1 and field[0] == "id"
    rows = {r.id: r for r in await models.Habilitation.filter(id__in=list(habilitation_ids))}
    grants = await viewer.grants()
    for pk in habilitation_ids:
        row = rows.get(pk)
        if row is None or not grants.has(ORGANISATION.modification, row.structure_id, row.service_id):
            raise Forbidden(NOT_ALLOWED)
    async with transaction():
        structures = {
            s.id: s for s in await models.Structure.filter(id__in={r.structure_id for r in rows.values()})
        }
        errors: list[DomainError] = []
        for i, pk in enumerate(habilitation_ids):
            row = rows[pk]
            try:
                await _remove(
                    viewer.user,
                    row,
                    structures[row.structure_id],
                    list(field) if single else [*field, str(i)],
                )
            except DomainError as error:
                errors.append(error)
        if errors:
            raise Invalid(errors)
    if any(r.user_id == viewer.user.id for r in rows.values()):
        viewer.forget_grants()
    return list(habilitation_ids)


async def remove_habilitation(viewer: Viewer | None, habilitation_id: int) -> int:
    return (await remove_habilitations(viewer, [habilitation_id], field=("id",)))[0]


async def remove_all_habilitations(
    viewer: Viewer | None,
    user_ids: Sequence[int],
    structure_id: int,
    service_id: int | None,
    *,
    field: Sequence[str] = ("userIds",),
) -> list[models.Habilitation]:
    """« Supprimer tout »: every row of each user at the scope. Refused for the principal manager at
    structure level (their Organisation modification stays). Returns what the users still hold there
    (nothing)."""
    scope = await managed_scope(viewer, structure_id, service_id)
    assert viewer is not None
    single = len(field) == 1 and field[0] == "userId"
    async with transaction():
        errors: list[DomainError] = []
        for i, user_id in enumerate(user_ids):
            at = list(field) if single else [*field, str(i)]
            rows = await at_scope(
                models.Habilitation.filter(user_id=user_id, structure_id=structure_id), service_id
            ).order_by("id")
            try:
                for row in rows:
                    if await protected_row(scope.structure, row):
                        raise InvalidState(PROTECTED, field=at)
            except DomainError as error:
                errors.append(error)
                continue
            codes = sorted(
                await models.Profile.filter(id__in=[r.profile_id for r in rows]).values_list(
                    "code", flat=True
                )
            )
            if rows:
                await models.Habilitation.filter(id__in=[r.id for r in rows]).delete()
                await audit(
                    viewer.user,
                    "habilitation.remove_all",
                    rows[0],
                    structure_id=structure_id,
                    subject_user_id=user_id,
                    before={"profiles": codes, "service": scope.service.code if scope.service else None},
                    after={"profiles": []},
                )
        if errors:
            raise Invalid(errors)
    if viewer.user.id in user_ids:
        viewer.forget_grants()
    return []


# ------------------------------------------------------------------------------ copy


async def copy_habilitations(
    viewer: Viewer | None,
    from_user_id: int,
    to_user_ids: Sequence[int],
    structure_id: int,
    *,
    field: Sequence[str] = ("toUserIds",),
) -> list[models.Habilitation]:
    """Each target gets exactly the structure-level profiles of ``from_user_id`` on the structure
    (their other rows there are removed). Both must be attached at structure level. Returns the targets'
    rows after the copy."""
    scope = await managed_scope(viewer, structure_id, None)
    assert viewer is not None
    single = len(field) == 1 and field[0] == "toUserId"
    if await active_membership(from_user_id, structure_id, None) is None:
        raise InvalidState(
            "L'utilisateur dont on copie les habilitations n'est pas rattaché à cette structure.",
            field=["fromUserId"],
        )
    source = await at_scope(models.Habilitation.filter(user_id=from_user_id, structure_id=structure_id), None)
    profiles = {
        p.id: p
        for p in await models.Profile.filter(id__in=[r.profile_id for r in source]).select_related(
            "application"
        )
    }
    wanted = {profiles[r.profile_id].application_id: profiles[r.profile_id] for r in source}
    result: list[models.Habilitation] = []
    try:
        async with transaction():
            errors: list[DomainError] = []
            for i, user_id in enumerate(to_user_ids):
                at = list(field) if single else [*field, str(i)]
                if user_id == from_user_id:
                    errors.append(
                        ValidationFailed("Choisissez un autre utilisateur que celui copié.", field=at)
                    )
                    continue
                if await active_membership(user_id, structure_id, None) is None:
                    errors.append(InvalidState(NOT_A_MEMBER, field=at))
                    continue
                try:
                    result += await _copy_to(viewer.user, user_id, scope, wanted, at)
                except DomainError as error:
                    errors.append(error)
            if errors:
                raise Invalid(errors)
    except IntegrityError as error:
        raise AlreadyExists(PROFILE_HELD, field=list(field)) from error
    if viewer.user.id in to_user_ids:
        viewer.forget_grants()
    return result


async def _copy_to(
    actor: models.User, user_id: int, scope: Scope, wanted: dict[int, models.Profile], field: list[str]
) -> list[models.Habilitation]:
    current = await at_scope(
        models.Habilitation.filter(user_id=user_id, structure_id=scope.structure_id), None
    )
    by_application = {r.application_id: r for r in current}
    before = sorted(
        await models.Profile.filter(id__in=[r.profile_id for r in current]).values_list("code", flat=True)
    )
    for row in current:
        profile = wanted.get(row.application_id)
        if (profile is None or not is_organisation_modification(profile)) and await protected_row(
            scope.structure, row
        ):
            raise InvalidState(PROTECTED, field=field)
    kept = []
    for application_id, row in by_application.items():
        profile = wanted.get(application_id)
        if profile is None:
            await row.delete()
        elif row.profile_id != profile.id:
            row.profile_id = profile.id
            row.granted_by_id = actor.id
            await row.save(update_fields=["profile_id", "granted_by_id"])
            kept.append(row)
        else:
            kept.append(row)
    for application_id, profile in wanted.items():
        if application_id not in by_application:
            kept.append(
                await models.Habilitation.create(
                    user_id=user_id,
                    structure_id=scope.structure_id,
                    service_id=None,
                    profile_id=profile.id,
                    application_id=application_id,
                    granted_by_id=actor.id,
                )
            )
    after = sorted(p.code for p in wanted.values())
    if before != after:
        await audit(
            actor,
            "habilitation.copy",
            kept[0] if kept else scope.structure,
            structure_id=scope.structure_id,
            subject_user_id=user_id,
            before={"profiles": before},
            after={"profiles": after},
        )
    return sorted(kept, key=lambda r: (r.application_id, r.id))


# ------------------------------------------------------------------------------ changes of a request


async def apply_profile_changes(
    actor: models.User | None,
    user_id: int,
    scope: Scope,
    add: Sequence[models.Profile],
    remove: Sequence[models.Profile],
    *,
    field: Sequence[str] = (),
) -> None:
    """Inside a transaction: what an approved request (or the « Factures émises » part of one) does.

    A profile to remove goes if held; a profile to add replaces the profile held for its application
    at the scope, or is granted. The principal manager's Organisation modification stays.
    """
    rows = await at_scope(
        models.Habilitation.filter(user_id=user_id, structure_id=scope.structure_id), scope.service_id
    )
    by_application = {r.application_id: r for r in rows}
    service_code = scope.service.code if scope.service else None
    for profile in remove:
        row = by_application.get(profile.application_id)
        if row is None or row.profile_id != profile.id:
            continue
        if await protected_row(scope.structure, row):
            raise InvalidState(PROTECTED, field=list(field))
        await audit(
            actor,
            "habilitation.remove",
            row,
            structure_id=scope.structure_id,
            subject_user_id=user_id,
            before={"profile": profile.code, "service": service_code},
        )
        await row.delete()
        del by_application[profile.application_id]
    for profile in add:
        row = by_application.get(profile.application_id)
        if row is not None and row.profile_id == profile.id:
            continue
        if row is not None:
            if await protected_row(scope.structure, row) and not is_organisation_modification(profile):
                raise InvalidState(PROTECTED, field=list(field))
            old = await models.Profile.get(id=row.profile_id)
            row.profile_id = profile.id
            row.granted_by_id = actor.id if actor else None
            await row.save(update_fields=["profile_id", "granted_by_id"])
            await audit(
                actor,
                "habilitation.replace",
                row,
                structure_id=scope.structure_id,
                subject_user_id=user_id,
                before={"profile": old.code},
                after={"profile": profile.code, "service": service_code},
            )
            continue
        row = await models.Habilitation.create(
            user_id=user_id,
            structure_id=scope.structure_id,
            service_id=scope.service_id,
            profile_id=profile.id,
            application_id=profile.application_id,
            granted_by_id=actor.id if actor else None,
        )
        by_application[profile.application_id] = row
        await audit(
            actor,
            "habilitation.add",
            row,
            structure_id=scope.structure_id,
            subject_user_id=user_id,
            after={"profile": profile.code, "service": service_code},
        )


async def habilitations_at(
    user_id: int, structure_id: int, service_id: int | None
) -> list[models.Habilitation]:
    return await at_scope(
        models.Habilitation.filter(user_id=user_id, structure_id=structure_id), service_id
    ).order_by("application_id", "id")


__all__ = [
    "PROFILE_HELD",
    "add_habilitation",
    "add_habilitations",
    "apply_profile_changes",
    "copy_habilitations",
    "remove_all_habilitations",
    "remove_habilitation",
    "remove_habilitations",
    "replace_habilitation",
]
