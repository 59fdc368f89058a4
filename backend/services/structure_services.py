"""Services of a structure (sub-units, « secteurs étanches »): create, modify, activate, deactivate.

Organisation modification on the structure (a service-level holder manages
that service only). The code is unique within its structure, compared
without regard to case; validity dates: the end is not before the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from backend.auth.grants import ORGANISATION
from backend.auth.requirements import Requirement
from backend.auth.viewer import Viewer
from backend.models import ActivityStatus, Service
from backend.services.access import service_for, signed_in, structure_for
from backend.services.audit import audit
from backend.services.errors import AlreadyExists, Conflict, InvalidState
from backend.services.structures import UNCHANGED
from backend.services.tx import transaction
from backend.validation import AddressValue, FieldErrors, address, date_range, text

CREATE_SERVICE = Requirement("Organisation modification on the structure", need=ORGANISATION.modification)
UPDATE_SERVICE = Requirement(
    "Organisation modification on the structure (or on that service)", need=ORGANISATION.modification
)
ACTIVATE_SERVICE = Requirement(
    "Organisation modification on the structure (or on that service)", need=ORGANISATION.modification
)
DEACTIVATE_SERVICE = Requirement(
    "Organisation modification on the structure (or on that service)", need=ORGANISATION.modification
)

CODE_TAKEN = "Ce code de service est déjà utilisé dans cette structure."
STALE = "Le service a été modifié entre-temps : rechargez-le avant de le modifier."
ADDRESS_COLUMNS = ("address_line1", "address_line2", "address_line3", "postal_code", "city", "country")


@dataclass(frozen=True)
class NewService:
    structure_id: int
    code: str
    name: str
    description: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    commitment_number_required: bool | None = None
    address: AddressValue | None = None


@dataclass(frozen=True)
class ServiceChanges:
    """``UpdateServiceInput``: UNCHANGED leaves a field as it is; None clears an optional one."""

    name: Any = UNCHANGED
    description: Any = UNCHANGED
    valid_from: Any = UNCHANGED
    valid_until: Any = UNCHANGED
    commitment_number_required: Any = UNCHANGED
    address: Any = UNCHANGED


def _now() -> datetime:
    return datetime.now(UTC)


def _fields(values: Any, errors: FieldErrors) -> dict[str, Any]:
    """Checked columns of the fields ``values`` gives (UNCHANGED ones left out)."""
    columns: dict[str, Any] = {}

    def given(name: str) -> bool:
        return getattr(values, name) is not UNCHANGED

    if given("name"):
        with errors.check():
            columns["name"] = text(
                values.name, ["input", "name"], label="Le nom du service", max_length=255, required=True
            )
    if given("description"):
        with errors.check():
            columns["description"] = text(
                values.description, ["input", "description"], label="La description", max_length=4000
            )
    for name in ("valid_from", "valid_until"):
        if given(name):
            columns[name] = getattr(values, name)
    if given("commitment_number_required") and values.commitment_number_required is not None:
        columns["commitment_number_required"] = bool(values.commitment_number_required)
    if given("address"):
        if values.address is None:
            columns.update(dict.fromkeys(ADDRESS_COLUMNS))
        else:
            with errors.check():
                columns.update(address(values.address, ["input", "address"]).columns())
    return columns


async def create_service(viewer: Viewer | None, new: NewService) -> Service:
    """Créer un service: the code is unique within the structure."""
    structure = await structure_for(viewer, new.structure_id, CREATE_SERVICE.need)
    errors = FieldErrors()
    code = None
    with errors.check():
        code = text(new.code, ["input", "code"], label="Le code du service", max_length=100, required=True)
    columns = _fields(new, errors)
    with errors.check():
        date_range(new.valid_from, new.valid_until, ["input", "validUntil"])
    errors.raise_if_any()
    if await Service.filter(structure_id=structure.id, code__iexact=code).exists():
        raise AlreadyExists(CODE_TAKEN, field=["input", "code"])
    async with transaction():
        try:
            service = await Service.create(
                structure_id=structure.id, code=code, status=ActivityStatus.ACTIVE, **columns
            )
        except IntegrityError as error:
            raise AlreadyExists(CODE_TAKEN, field=["input", "code"]) from error
        await audit(
            signed_in(viewer).user,
            "service.create",
            service,
            structure_id=structure.id,
            after={"code": code, **columns},
        )
    return service


async def update_service(
    viewer: Viewer | None, service_id: int, version: int, changes: ServiceChanges
) -> Service:
    """Gérer un service: name, description, validity, commitment flag, address (the code is not editable)."""
    await service_for(viewer, service_id, UPDATE_SERVICE.need)
    errors = FieldErrors()
    columns = _fields(changes, errors)
    errors.raise_if_any()
    async with transaction():
        current = await Service.filter(id=service_id).select_for_update().get()
        if current.version != version:
            raise Conflict(STALE, field=["version"])
        date_range(
            columns.get("valid_from", current.valid_from),
            columns.get("valid_until", current.valid_until),
            ["input", "validUntil"],
        )
        before = {column: getattr(current, column) for column in columns}
        changed = {column: value for column, value in columns.items() if before[column] != value}
        if not changed:
            return current
        updated = await Service.filter(id=service_id, version=version).update(
            **changed, version=F("version") + 1, updated_at=_now()
        )
        if not updated:
            raise Conflict(STALE, field=["version"])
        await audit(
            signed_in(viewer).user,
            "service.update",
            current,
            structure_id=current.structure_id,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return await Service.get(id=service_id)


async def _set_status(viewer: Viewer | None, service_id: int, status: ActivityStatus, need: Any) -> Service:
    service = await service_for(viewer, service_id, need)
    action, already = (
        ("service.activate", "Le service est déjà actif.")
        if status is ActivityStatus.ACTIVE
        else ("service.deactivate", "Le service est déjà inactif.")
    )
    async with transaction():
        updated = (
            await Service.filter(id=service_id)
            .exclude(status=status)
            .update(status=status, version=F("version") + 1, updated_at=_now())
        )
        if not updated:
            raise InvalidState(already)
        await audit(
            signed_in(viewer).user,
            action,
            service,
            structure_id=service.structure_id,
            before={"status": service.status},
            after={"status": status},
        )
    return await Service.get(id=service_id)


async def activate_service(viewer: Viewer | None, service_id: int) -> Service:
    return await _set_status(viewer, service_id, ActivityStatus.ACTIVE, ACTIVATE_SERVICE.need)


async def deactivate_service(viewer: Viewer | None, service_id: int) -> Service:
    return await _set_status(viewer, service_id, ActivityStatus.INACTIVE, DEACTIVATE_SERVICE.need)
