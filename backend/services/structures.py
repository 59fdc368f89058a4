"""Structures: create, manage, duplicate, transfer the principal manager.

One public function per use case. Each receives the acting viewer and plain
values, checks the right (the ``Requirement`` constants below are also the
mutations' declarations), validates, writes in one transaction with its
audit event, and returns the model or raises a domain error.

A SIRET is checked in the order of the contract (``errors.md``): malformed
(VALIDATION), already in the portal (ALREADY_EXISTS), absent from SIRENE
(SIRENE_UNKNOWN), closed there (SIRENE_CLOSED).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from backend import models
from backend.auth.grants import ORGANISATION
from backend.auth.requirements import Requirement
from backend.auth.viewer import Viewer
from backend.models import (
    AccessLevel,
    ActivityStatus,
    IdentifierType,
    MembershipStatus,
    SireneEstablishment,
    Structure,
    StructureKind,
)
from backend.models.sequences import next_value
from backend.services.access import NOT_ALLOWED, signed_in, structure_for
from backend.services.audit import audit
from backend.services.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    InvalidState,
    Required,
    SireneClosed,
    SireneUnknown,
    ValidationFailed,
)
from backend.services.tx import transaction
from backend.sirene.register import SireneRegister
from backend.validation import AddressValue, FieldErrors, address, email, phone, text
from backend.validation.identifiers import validate_identifier, validate_siret

CREATE_STRUCTURE = Requirement("signed in; a PUBLIC structure: platform administrators only")
UPDATE_STRUCTURE = Requirement("Organisation modification on the structure", need=ORGANISATION.modification)
ACTIVATE_STRUCTURE = Requirement(
    "Organisation modification on the structure (its SIRET must be active in SIRENE)",
    need=ORGANISATION.modification,
)
DEACTIVATE_STRUCTURE = Requirement(
    "Organisation modification on the structure", need=ORGANISATION.modification
)
REFRESH_STRUCTURE = Requirement("Organisation modification on the structure", need=ORGANISATION.modification)
DUPLICATE_STRUCTURE = Requirement(
    "Organisation modification on the structure to duplicate", need=ORGANISATION.modification
)
TRANSFER_PRINCIPAL_MANAGER = Requirement(
    "principal manager of every structure named (platform administrators and support agents: any structure)"
)

#: Prefix of the identifiers the portal assigns to private individuals.
PARTICULIER_PREFIX = "PART"
PARTICULIER_SEQUENCE = "particulier"


class _Unchanged(StrEnum):
    UNCHANGED = "UNCHANGED"


#: An update field left out by the client: the column keeps its value.
UNCHANGED = _Unchanged.UNCHANGED

#: Options copied to a duplicate: every option but the connection (EDI) ones.
NON_EDI_OPTIONS = ("service_code_required", "commitment_number_required")
OPTION_COLUMNS = (
    "receives_lifecycle_edi",
    "is_edi_sender",
    "active_connection_request",
    "service_code_required",
    "commitment_number_required",
    "non_diffusible_insee",
)
ADDRESS_COLUMNS = ("address_line1", "address_line2", "address_line3", "postal_code", "city", "country")

PUBLIC_ADMIN_ONLY = "Seul un administrateur de la plateforme peut créer une structure publique."
SIRET_TAKEN = "Une structure de ce SIRET existe déjà dans le portail."
IDENTIFIER_TAKEN = "Une structure de cet identifiant existe déjà dans le portail."
SIRET_UNKNOWN = "Ce SIRET est absent du répertoire SIRENE de l'INSEE."
SIRET_CLOSED = "Cet établissement est fermé dans le répertoire SIRENE : la structure ne peut pas être créée."
STALE = "La structure a été modifiée entre-temps : rechargez-la avant de la modifier."


@dataclass(frozen=True)
class OptionsValue:
    """``StructureOptionsInput``: None leaves an option as it is (or at its default)."""

    receives_lifecycle_edi: bool | None = None
    is_edi_sender: bool | None = None
    active_connection_request: bool | None = None
    service_code_required: bool | None = None
    commitment_number_required: bool | None = None
    non_diffusible_insee: bool | None = None

    def given(self) -> dict[str, bool]:
        return {name: value for name in OPTION_COLUMNS if (value := getattr(self, name)) is not None}


@dataclass(frozen=True)
class NewStructure:
    identifier_type: IdentifierType
    identifier: str | None = None
    #: None: the company name of the SIRENE register (SIRET only).
    name: str | None = None
    label: str | None = None
    kind: StructureKind = StructureKind.PRIVATE
    email: str | None = None
    phone: str | None = None
    #: None: the register's address (SIRET only).
    address: AddressValue | None = None
    options: OptionsValue = field(default_factory=OptionsValue)
    legal_fees_provider_category: str | None = None


@dataclass(frozen=True)
class StructureChanges:
    """``UpdateStructureInput``: UNCHANGED leaves a field as it is; None clears an optional one."""

    name: Any = UNCHANGED
    label: Any = UNCHANGED
    email: Any = UNCHANGED
    phone: Any = UNCHANGED
    address: Any = UNCHANGED
    options: Any = UNCHANGED
    legal_fees_provider_category: Any = UNCHANGED


@dataclass(frozen=True)
class Duplication:
    """``DuplicateStructureInput``: None takes the register's value, else the origin's."""

    structure_id: int
    new_siret: str
    name: str | None = None
    label: str | None = None
    email: str | None = None
    phone: str | None = None
    address: AddressValue | None = None
    non_diffusible_insee: bool | None = None


class TransferMode(StrEnum):
    UNIT = "UNIT"
    GLOBAL = "GLOBAL"
    MULTIPLE = "MULTIPLE"


@dataclass(frozen=True)
class Transfer:
    mode: TransferMode
    new_manager_id: int
    structure_ids: Sequence[int] | None = None
    from_user_id: int | None = None


# ---------------------------------------------------------------- helpers


def _now() -> datetime:
    return datetime.now(UTC)


def _snapshot(structure: Structure, columns: Sequence[str]) -> dict[str, Any]:
    return {column: getattr(structure, column) for column in columns}


def _structure_fields(
    values: Any, errors: FieldErrors, prefix: list[str], *, partial: bool
) -> dict[str, Any]:
    """Check the editable fields of ``values`` (NewStructure, StructureChanges, Duplication), all errors at once.

    Attributes ``values`` lacks, and UNCHANGED ones (updates), are left out of
    the result; a name or address left out of a creation (None) too: the
    caller fills them from the register.
    """
    columns: dict[str, Any] = {}

    def given(name: str) -> bool:
        return hasattr(values, name) and getattr(values, name) is not UNCHANGED

    if given("name") and (values.name is not None or partial):
        with errors.check():
            columns["name"] = text(
                values.name, [*prefix, "name"], label="La raison sociale", max_length=255, required=True
            )
    if given("label"):
        with errors.check():
            columns["label"] = text(values.label, [*prefix, "label"], label="Le libellé", max_length=255)
    if given("email"):
        with errors.check():
            columns["email"] = email(values.email, [*prefix, "email"])
    if given("phone"):
        with errors.check():
            columns["phone"] = phone(values.phone, [*prefix, "phone"])
    if given("legal_fees_provider_category"):
        with errors.check():
            columns["legal_fees_provider_category"] = text(
                values.legal_fees_provider_category,
                [*prefix, "legalFeesProviderCategory"],
                label="La catégorie prestataire",
                max_length=100,
            )
    if given("address") and values.address is not None:
        with errors.check():
            columns.update(address(values.address, [*prefix, "address"]).columns())
    if given("options") and values.options is not None:
        columns.update(values.options.given())
    return columns


async def _ensure_identifier_free(identifier_type: IdentifierType, identifier: str, field: list[str]) -> None:
    if await Structure.filter(identifier_type=identifier_type, identifier=identifier).exists():
        message = SIRET_TAKEN if identifier_type is IdentifierType.SIRET else IDENTIFIER_TAKEN
        raise AlreadyExists(message, field=field)


async def _active_establishment(
    register: SireneRegister, siret: str, field: list[str], closed_message: str = SIRET_CLOSED
) -> SireneEstablishment:
    establishment = await register.find(siret)
    if establishment is None:
        raise SireneUnknown(SIRET_UNKNOWN, field=field)
    if not establishment.is_active:
        raise SireneClosed(closed_message, field=field)
    return establishment


def _register_address(establishment: SireneEstablishment | None) -> AddressValue | None:
    if establishment is None or not (
        establishment.address_line1 and establishment.postal_code and establishment.city
    ):
        return None
    return AddressValue(
        line1=establishment.address_line1,
        line2=establishment.address_line2,
        postal_code=establishment.postal_code,
        city=establishment.city,
        country=establishment.country or "FR",
    )


async def _profiles(level: AccessLevel) -> list[models.Profile]:
    return list(await models.Profile.filter(level=level).order_by("application_id"))


async def _profile(application_code: str, level: AccessLevel) -> models.Profile:
    return await models.Profile.get(application__code=application_code, level=level)


async def _attach_as_manager(user_id: int, structure: Structure, actor: Viewer) -> None:
    """An ACTIVE structure-level membership and every profile at modification level."""
    await models.Membership.create(
        user_id=user_id, structure_id=structure.id, service_id=None, status=MembershipStatus.ACTIVE
    )
    await models.Habilitation.bulk_create(
        [
            models.Habilitation(
                user_id=user_id,
                structure_id=structure.id,
                service_id=None,
                profile_id=profile.id,
                application_id=profile.application_id,
                granted_by_id=actor.user.id,
            )
            for profile in await _profiles(AccessLevel.MODIFICATION)
        ]
    )


async def _set_organisation_level(user_id: int, structure_id: int, level: AccessLevel, actor: Viewer) -> None:
    """The user's Organisation profile at structure level becomes ``level`` (one row per application)."""
    profile = await _profile(ORGANISATION.code, level)
    row = await models.Habilitation.filter(
        user_id=user_id, structure_id=structure_id, service_id=None, application_id=profile.application_id
    ).first()
    if row is None:
        row = await models.Habilitation.create(
            user_id=user_id,
            structure_id=structure_id,
            service_id=None,
            profile_id=profile.id,
            application_id=profile.application_id,
            granted_by_id=actor.user.id,
        )
        await audit(
            actor.user,
            "habilitation.add",
            row,
            structure_id=structure_id,
            subject_user_id=user_id,
            after={"profile": profile.code},
        )
    elif row.profile_id != profile.id:
        before = await models.Profile.get(id=row.profile_id)
        await models.Habilitation.filter(id=row.id).update(profile_id=profile.id, granted_by_id=actor.user.id)
        await audit(
            actor.user,
            "habilitation.replace",
            row,
            structure_id=structure_id,
            subject_user_id=user_id,
            before={"profile": before.code},
            after={"profile": profile.code},
        )


async def _locked(structure_id: int) -> Structure:
    """The structure's current row, locked until the transaction ends (PostgreSQL)."""
    return await Structure.filter(id=structure_id).select_for_update().get()


# ---------------------------------------------------------------- create


async def create_structure(
    viewer: Viewer | None, new: NewStructure, *, register: SireneRegister | None = None
) -> Structure:
    """Créer une structure: the creator becomes its principal manager (administrators: nobody)."""
    viewer = signed_in(viewer)
    register = register or SireneRegister()
    is_admin = bool(viewer.user.is_platform_admin)
    if new.kind is StructureKind.PUBLIC and not is_admin:
        raise Forbidden(PUBLIC_ADMIN_ONLY, field=["input", "kind"])

    identifier_field = ["input", "identifier"]
    is_siret = new.identifier_type is IdentifierType.SIRET
    errors = FieldErrors()
    identifier: str | None = None
    with errors.check():
        identifier = validate_identifier(new.identifier_type, new.identifier, identifier_field)
    columns = _structure_fields(new, errors, ["input"], partial=False)
    if not is_siret:
        if new.name is None:
            errors.add(Required("La raison sociale est obligatoire.", field=["input", "name"]))
        if new.address is None:
            errors.add(Required("L'adresse postale est obligatoire.", field=["input", "address"]))
    errors.raise_if_any()

    establishment = None
    if identifier is not None:
        await _ensure_identifier_free(new.identifier_type, identifier, identifier_field)
    if is_siret and identifier is not None:
        establishment = await _active_establishment(register, identifier, identifier_field)
        columns = _prefill_from_register(columns, establishment, ["input"])
        if new.options.non_diffusible_insee is None:
            columns["non_diffusible_insee"] = not establishment.is_diffusible

    manager_id = None if is_admin else viewer.user.id
    async with transaction():
        if identifier is None:  # PARTICULIER
            identifier = f"{PARTICULIER_PREFIX}{await next_value(PARTICULIER_SEQUENCE):010d}"
        try:
            structure = await Structure.create(
                identifier_type=new.identifier_type,
                identifier=identifier,
                kind=new.kind,
                status=ActivityStatus.ACTIVE,
                principal_manager_id=manager_id,
                **columns,
            )
        except IntegrityError as error:  # created by someone else meanwhile
            raise AlreadyExists(IDENTIFIER_TAKEN, field=identifier_field) from error
        if manager_id is not None:
            await _attach_as_manager(manager_id, structure, viewer)
        await audit(
            viewer.user,
            "structure.create",
            structure,
            structure_id=structure.id,
            subject_user_id=manager_id,
            after={
                "identifier_type": new.identifier_type,
                "identifier": identifier,
                "kind": new.kind,
                "principal_manager_id": manager_id,
                **columns,
            },
        )
    viewer.forget_grants()
    return structure


def _prefill_from_register(
    columns: dict[str, Any], establishment: SireneEstablishment, prefix: list[str]
) -> dict[str, Any]:
    """Name and address left out are taken from the register; REQUIRED when it does not diffuse them."""
    columns = dict(columns)
    errors = FieldErrors()
    if not columns.get("name"):
        if establishment.name:
            columns["name"] = establishment.name[:255]
        else:
            errors.add(
                Required(
                    "La raison sociale est obligatoire : le répertoire SIRENE ne la diffuse pas.",
                    field=[*prefix, "name"],
                )
            )
    if "address_line1" not in columns:
        register_address = _register_address(establishment)
        if register_address is not None:
            columns.update(register_address.columns())
        else:
            errors.add(
                Required(
                    "L'adresse postale est obligatoire : le répertoire SIRENE ne la diffuse pas.",
                    field=[*prefix, "address"],
                )
            )
    errors.raise_if_any()
    return columns


# ---------------------------------------------------------------- manage


async def update_structure(
    viewer: Viewer | None, structure_id: int, version: int, changes: StructureChanges
) -> Structure:
    """Modifier une structure: the editable fields only (identifier, type, kind, status, manager are not)."""
    await structure_for(viewer, structure_id, UPDATE_STRUCTURE.need)
    errors = FieldErrors()
    columns = _structure_fields(changes, errors, ["input"], partial=True)
    errors.raise_if_any()
    async with transaction():
        current = await _locked(structure_id)
        if current.version != version:
            raise Conflict(STALE, field=["version"])
        before = _snapshot(current, list(columns))
        changed = {column: value for column, value in columns.items() if before[column] != value}
        if not changed:
            return current
        updated = await Structure.filter(id=structure_id, version=version).update(
            **changed, version=F("version") + 1, updated_at=_now()
        )
        if not updated:
            raise Conflict(STALE, field=["version"])
        await audit(
            signed_in(viewer).user,
            "structure.update",
            current,
            structure_id=structure_id,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return await Structure.get(id=structure_id)


async def _set_status(
    viewer: Viewer, structure: Structure, status: ActivityStatus, action: str, already: str
) -> Structure:
    async with transaction():
        updated = (
            await Structure.filter(id=structure.id)
            .exclude(status=status)
            .update(status=status, version=F("version") + 1, updated_at=_now())
        )
        if not updated:
            raise InvalidState(already)
        await audit(
            viewer.user,
            action,
            structure,
            structure_id=structure.id,
            before={"status": structure.status},
            after={"status": status},
        )
    return await Structure.get(id=structure.id)


async def activate_structure(
    viewer: Viewer | None, structure_id: int, *, register: SireneRegister | None = None
) -> Structure:
    """Activer une structure: a SIRET structure is re-checked in SIRENE (closed: SIRENE_CLOSED)."""
    structure = await structure_for(viewer, structure_id, ACTIVATE_STRUCTURE.need)
    if structure.status is ActivityStatus.ACTIVE:
        raise InvalidState("La structure est déjà active.")
    if structure.identifier_type is IdentifierType.SIRET:
        establishment = await (register or SireneRegister()).find(structure.identifier, fresh=True)
        if establishment is None:
            raise SireneUnknown(SIRET_UNKNOWN)
        if not establishment.is_active:
            raise SireneClosed(
                "Cet établissement est désormais fermé dans le répertoire SIRENE : "
                "la structure ne peut pas être réactivée."
            )
    return await _set_status(
        signed_in(viewer),
        structure,
        ActivityStatus.ACTIVE,
        "structure.activate",
        "La structure est déjà active.",
    )


async def deactivate_structure(viewer: Viewer | None, structure_id: int) -> Structure:
    """Désactiver une structure: it can no longer send or receive invoices nor tickets."""
    structure = await structure_for(viewer, structure_id, DEACTIVATE_STRUCTURE.need)
    if structure.status is ActivityStatus.INACTIVE:
        raise InvalidState("La structure est déjà inactive.")
    return await _set_status(
        signed_in(viewer),
        structure,
        ActivityStatus.INACTIVE,
        "structure.deactivate",
        "La structure est déjà inactive.",
    )


async def refresh_structure_from_sirene(
    viewer: Viewer | None, structure_id: int, *, register: SireneRegister | None = None
) -> Structure:
    """Mettre à jour depuis la base INSEE: company name, address and diffusion from the register."""
    structure = await structure_for(viewer, structure_id, REFRESH_STRUCTURE.need)
    if structure.identifier_type is not IdentifierType.SIRET:
        raise InvalidState(
            "Seule une structure identifiée par un SIRET peut être mise à jour depuis le répertoire SIRENE."
        )
    establishment = await (register or SireneRegister()).find(structure.identifier, fresh=True)
    if establishment is None:
        raise SireneUnknown(SIRET_UNKNOWN)
    columns: dict[str, Any] = {"non_diffusible_insee": not establishment.is_diffusible}
    if establishment.name:
        columns["name"] = establishment.name[:255]
    register_address = _register_address(establishment)
    if register_address is not None:
        columns.update(register_address.columns())
    async with transaction():
        current = await _locked(structure_id)
        before = _snapshot(current, list(columns))
        changed = {column: value for column, value in columns.items() if before[column] != value}
        if not changed:
            return current
        await Structure.filter(id=structure_id).update(**changed, version=F("version") + 1, updated_at=_now())
        await audit(
            signed_in(viewer).user,
            "structure.refresh_from_sirene",
            current,
            structure_id=structure_id,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return await Structure.get(id=structure_id)


# ---------------------------------------------------------------- duplicate


async def duplicate_structure(
    viewer: Viewer | None, duplication: Duplication, *, register: SireneRegister | None = None
) -> tuple[Structure, Structure]:
    """Dupliquer une structure (new SIRET): returns (the new structure, the origin, now inactive).

    Copied: kind, options other than the connection (EDI) ones, legal-fees
    category, services, active memberships and their habilitations, the
    principal manager, bank details (inactive, to be re-checked). Not copied:
    EDI options, documents, billing mandates, technical accounts.
    """
    origin = await structure_for(viewer, duplication.structure_id, DUPLICATE_STRUCTURE.need)
    viewer = signed_in(viewer)
    register = register or SireneRegister()
    if origin.identifier_type is not IdentifierType.SIRET:
        raise InvalidState(
            "Seule une structure identifiée par un SIRET peut être dupliquée.", field=["input", "structureId"]
        )
    if origin.status is not ActivityStatus.ACTIVE:
        raise InvalidState("Seule une structure active peut être dupliquée.", field=["input", "structureId"])

    siret_field = ["input", "newSiret"]
    errors = FieldErrors()
    siret: str | None = None
    with errors.check():
        siret = validate_siret(duplication.new_siret, siret_field)
    columns = _structure_fields(duplication, errors, ["input"], partial=False)
    errors.raise_if_any()
    assert siret is not None
    await _ensure_identifier_free(IdentifierType.SIRET, siret, siret_field)
    establishment = await _active_establishment(register, siret, siret_field)

    # Left out: the register's name and address, else the origin's; contact details: the origin's.
    if not columns.get("name"):
        columns["name"] = (establishment.name or origin.name)[:255]
    if "address_line1" not in columns:
        register_address = _register_address(establishment)
        columns.update(register_address.columns() if register_address else _snapshot(origin, ADDRESS_COLUMNS))
    for column in ("label", "email", "phone"):
        if columns.get(column) is None:
            columns[column] = getattr(origin, column)
    columns["non_diffusible_insee"] = (
        duplication.non_diffusible_insee
        if duplication.non_diffusible_insee is not None
        else not establishment.is_diffusible
    )
    columns.update(_snapshot(origin, (*NON_EDI_OPTIONS, "legal_fees_provider_category")))

    async with transaction():
        deactivated = await Structure.filter(id=origin.id, status=ActivityStatus.ACTIVE).update(
            status=ActivityStatus.INACTIVE, version=F("version") + 1, updated_at=_now()
        )
        if not deactivated:
            raise InvalidState(
                "Seule une structure active peut être dupliquée.", field=["input", "structureId"]
            )
        try:
            duplicate = await Structure.create(
                identifier_type=IdentifierType.SIRET,
                identifier=siret,
                kind=origin.kind,
                status=ActivityStatus.ACTIVE,
                principal_manager_id=origin.principal_manager_id,
                origin_id=origin.id,
                **columns,
            )
        except IntegrityError as error:
            raise AlreadyExists(SIRET_TAKEN, field=siret_field) from error
        copied = await _copy_contents(origin, duplicate, viewer)
        await audit(
            viewer.user,
            "structure.duplicate",
            duplicate,
            structure_id=duplicate.id,
            after={"origin_id": origin.id, "identifier": siret, "kind": origin.kind, **columns, **copied},
        )
        await audit(
            viewer.user,
            "structure.deactivate",
            origin,
            structure_id=origin.id,
            before={"status": ActivityStatus.ACTIVE},
            after={"status": ActivityStatus.INACTIVE, "duplicate_id": duplicate.id},
        )
    viewer.forget_grants()
    return duplicate, await Structure.get(id=origin.id)


async def _copy_contents(origin: Structure, duplicate: Structure, viewer: Viewer) -> dict[str, int]:
    """Services, active memberships with their habilitations, bank details (inactive)."""
    service_ids: dict[int, int] = {}
    for service in await models.Service.filter(structure_id=origin.id).order_by("id"):
        copy = await models.Service.create(
            structure_id=duplicate.id,
            code=service.code,
            name=service.name,
            description=service.description,
            status=service.status,
            valid_from=service.valid_from,
            valid_until=service.valid_until,
            commitment_number_required=service.commitment_number_required,
            address_line1=service.address_line1,
            address_line2=service.address_line2,
            address_line3=service.address_line3,
            postal_code=service.postal_code,
            city=service.city,
            country=service.country,
        )
        service_ids[service.id] = copy.id

    memberships = await models.Membership.filter(structure_id=origin.id, status=MembershipStatus.ACTIVE)
    scopes = {(m.user_id, m.service_id) for m in memberships}
    await models.Membership.bulk_create(
        [
            models.Membership(
                user_id=m.user_id,
                structure_id=duplicate.id,
                service_id=service_ids.get(m.service_id) if m.service_id else None,
                status=MembershipStatus.ACTIVE,
            )
            for m in memberships
        ]
    )
    habilitations = [
        h
        for h in await models.Habilitation.filter(structure_id=origin.id).order_by("id")
        if (h.user_id, h.service_id) in scopes
    ]
    await models.Habilitation.bulk_create(
        [
            models.Habilitation(
                user_id=h.user_id,
                structure_id=duplicate.id,
                service_id=service_ids.get(h.service_id) if h.service_id else None,
                profile_id=h.profile_id,
                application_id=h.application_id,
                granted_by_id=h.granted_by_id,
            )
            for h in habilitations
        ]
    )
    manager_id = origin.principal_manager_id
    if manager_id is not None:
        if (manager_id, None) not in scopes:
            await _attach_as_manager(manager_id, duplicate, viewer)
        else:
            await _set_organisation_level(manager_id, duplicate.id, AccessLevel.MODIFICATION, viewer)

    bank_accounts = await models.BankAccount.filter(structure_id=origin.id).order_by("id")
    await models.BankAccount.bulk_create(
        [
            models.BankAccount(
                structure_id=duplicate.id,
                name=account.name,
                is_factor=account.is_factor,
                status=ActivityStatus.INACTIVE,
                country=account.country,
                iban=account.iban,
                bic=account.bic,
                rib_document_id=account.rib_document_id,
            )
            for account in bank_accounts
        ]
    )
    return {
        "services_copied": len(service_ids),
        "memberships_copied": len(memberships),
        "habilitations_copied": len(habilitations),
        "bank_accounts_copied_inactive": len(bank_accounts),
    }


# ---------------------------------------------------------------- transfer


async def transfer_principal_manager(viewer: Viewer | None, transfer: Transfer) -> list[Structure]:
    """Transférer le gestionnaire principal: all or nothing.

    The new manager must hold an ACTIVE structure-level membership on each
    structure (else one VALIDATION error per structure at fault, naming its
    identifier); they get Organisation modification, and the former manager
    stays attached with Organisation consultation. Platform administrators and
    support agents may act on any structure, and appoint a manager where
    there is none.
    """
    viewer = signed_in(viewer)
    grants = await viewer.grants()
    staff = grants.is_platform_admin or grants.is_support_agent
    ids_field = ["input", "structureIds"]
    ids = list(dict.fromkeys(transfer.structure_ids or []))
    if transfer.from_user_id is not None and transfer.from_user_id != viewer.user.id and not staff:
        raise Forbidden(
            "Seuls les administrateurs et les agents du support peuvent transférer le rôle d'un autre "
            "gestionnaire.",
            field=["input", "fromUserId"],
        )
    from_user_id = transfer.from_user_id if transfer.from_user_id is not None else viewer.user.id

    if transfer.mode is TransferMode.UNIT and len(ids) != 1:
        raise ValidationFailed("Un transfert unitaire porte sur une seule structure.", field=ids_field)
    if transfer.mode is TransferMode.MULTIPLE and not ids:
        raise Required("Choisissez au moins une structure.", field=ids_field)
    if transfer.mode is TransferMode.GLOBAL:
        if ids:
            raise ValidationFailed(
                "Un transfert global porte sur toutes les structures du gestionnaire : n'en choisissez pas.",
                field=ids_field,
            )
        structures = list(await Structure.filter(principal_manager_id=from_user_id).order_by("name", "id"))
        if not structures:
            raise ValidationFailed(
                "Aucune structure n'a ce gestionnaire principal : il n'y a rien à transférer.",
                field=["input", "fromUserId"] if transfer.from_user_id is not None else ids_field,
            )
    else:
        found = {s.id: s for s in await Structure.filter(id__in=ids)}
        structures = []
        for position, structure_id in enumerate(ids):
            structure = found.get(structure_id)
            allowed = structure is not None and (staff or structure.principal_manager_id == viewer.user.id)
            if not allowed:
                raise Forbidden(NOT_ALLOWED, field=[*ids_field, str(position)])
            structures.append(structure)
        if transfer.from_user_id is not None:
            not_his = [s for s in structures if s.principal_manager_id != transfer.from_user_id]
            if not_his:
                raise ValidationFailed(
                    "Cette personne n'est pas gestionnaire principal de la structure "
                    + ", ".join(s.identifier for s in not_his)
                    + ".",
                    field=["input", "fromUserId"],
                )

    new_manager_id = transfer.new_manager_id
    members = set(
        await models.Membership.filter(
            user_id=new_manager_id,
            structure_id__in=[s.id for s in structures],
            service_id=None,
            status=MembershipStatus.ACTIVE,
        ).values_list("structure_id", flat=True)
    )
    errors = FieldErrors()
    for structure in structures:
        if structure.id not in members:
            errors.add(
                ValidationFailed(
                    f"Le nouveau gestionnaire doit être rattaché à la structure {structure.identifier} "
                    f"({structure.name}) à la maille structure.",
                    field=["input", "newManagerId"],
                )
            )
        elif structure.principal_manager_id == new_manager_id:
            errors.add(
                ValidationFailed(
                    f"Cette personne est déjà gestionnaire principal de la structure {structure.identifier}.",
                    field=["input", "newManagerId"],
                )
            )
    errors.raise_if_any()
    new_manager = await models.User.get(id=new_manager_id)
    if new_manager.status is not models.AccountStatus.ACTIVE:
        raise ValidationFailed(
            "Le compte du nouveau gestionnaire n'est pas actif : il ne peut pas recevoir le rôle.",
            field=["input", "newManagerId"],
        )

    async with transaction():
        for structure in structures:
            former_id = structure.principal_manager_id
            updated = await Structure.filter(id=structure.id, principal_manager_id=former_id).update(
                principal_manager_id=new_manager_id, version=F("version") + 1, updated_at=_now()
            )
            if not updated:
                raise Conflict(
                    f"Le gestionnaire principal de la structure {structure.identifier} a changé entre-temps : "
                    "rechargez la page."
                )
            await _set_organisation_level(new_manager_id, structure.id, AccessLevel.MODIFICATION, viewer)
            if former_id is not None:
                await _set_organisation_level(former_id, structure.id, AccessLevel.CONSULTATION, viewer)
            await audit(
                viewer.user,
                "structure.transfer_principal_manager",
                structure,
                structure_id=structure.id,
                subject_user_id=new_manager_id,
                before={"principal_manager_id": former_id},
                after={"principal_manager_id": new_manager_id},
            )
    viewer.forget_grants()
    by_id = {s.id: s for s in await Structure.filter(id__in=[s.id for s in structures])}
    return [by_id[s.id] for s in structures]
