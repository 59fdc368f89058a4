"""Créer / Gérer une coordonnée bancaire: bank details of a structure.

Rules (domain.md, reference-data.md, errors.md):

- a name (shown when an invoice is filed), the factor flag (affactureur:
  the account belongs to the factoring company), the IBAN — whole, or as
  country + BBAN + check digits — and an optional BIC, all checked by
  :mod:`backend.validation.bank`;
- the RIB document is mandatory: PDF, JPEG or PNG, checked by content;
  left out → REQUIRED;
- every use case needs Organisation modification on the structure
  (``MANAGE_BANK_ACCOUNTS``); an account id that does not exist and one of
  a structure the viewer may not manage answer the same FORBIDDEN;
- modifying sends the ``version`` read: a stale one → CONFLICT. Changing
  the IBAN needs a new RIB in the same request (the RIB shows the IBAN);
  a replaced RIB is soft-deleted (and its file removed when unused);
- activating re-checks the stored IBAN and BIC with today's rules and
  needs a RIB (accounts copied by a duplication start inactive, to be
  re-checked); activating an active account or deactivating an inactive
  one → INVALID_STATE. Every change bumps ``version``.

Every write happens in one transaction with its audit event (IBANs are
masked there). On any error nothing is written and no file is left behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.expressions import F

from backend import clock, models
from backend.auth.grants import Need
from backend.auth.requirements import MANAGE_BANK_ACCOUNTS
from backend.auth.viewer import Viewer
from backend.models import ActivityStatus
from backend.services import documents
from backend.services.access import NOT_ALLOWED, require, signed_in, structure_for
from backend.services.audit import audit
from backend.services.errors import Conflict, DomainError, Forbidden, InvalidState, Required, ValidationFailed
from backend.services.tx import transaction
from backend.settings import Settings
from backend.storage import store_for
from backend.validation import FieldErrors, text
from backend.validation import bank as bank_rules
from backend.validation.documents import CheckedFile, check_rib

NAME_MAX_LENGTH = 100
RIB_MISSING = "Joignez le RIB (relevé d'identité bancaire) : un fichier PDF, JPEG ou PNG."
RIB_FOR_NEW_IBAN = "Le RIB montre l'IBAN : joignez le RIB du nouvel IBAN."
AUDITED = ("name", "is_factor", "status", "country", "iban", "bic", "rib_document_id")


class _Keep:
    """Leave the value as it is (an update's field that was not sent)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@dataclass
class NewBankAccount:
    structure_id: int
    name: str | None
    is_factor: bool | None = None
    iban: str | None = None
    country: str | None = None
    bban: str | None = None
    iban_key: str | None = None
    bic: str | None = None
    rib_document: Any = None


@dataclass
class BankAccountChanges:
    """``KEEP`` (or None, except for ``bic``) leaves a field as it is; ``bic`` None or blank removes it."""

    name: Any = KEEP
    is_factor: Any = KEEP
    iban: Any = KEEP
    bic: Any = KEEP
    rib_document: Any = KEEP


def _snapshot(account: models.BankAccount) -> dict[str, Any]:
    return {name: getattr(account, name) for name in AUDITED}


def _sent(value: Any) -> bool:
    return value is not KEEP and value is not None


async def bank_account_for(viewer: Viewer | None, account_id: int, need: Need) -> models.BankAccount:
    """The bank account, if the viewer holds ``need`` on its structure (probe-safe)."""
    account = await models.BankAccount.get_or_none(id=account_id)
    if account is None:
        signed_in(viewer)
        raise Forbidden(NOT_ALLOWED)
    await require(viewer, need, account.structure_id)
    return account


async def _rib(upload: Any, field: list[str]) -> CheckedFile:
    filename, data = await documents.read_upload(upload, field, missing=RIB_MISSING)
    return check_rib(filename, data, field)


async def create_bank_account(
    viewer: Viewer | None, data: NewBankAccount, *, settings: Settings
) -> models.BankAccount:
    structure = await structure_for(viewer, data.structure_id, MANAGE_BANK_ACCOUNTS.need)
    user = signed_in(viewer).user
    errors = FieldErrors()
    name: str | None = None
    details: bank_rules.BankDetails | None = None
    rib: CheckedFile | None = None
    with errors.check():
        name = text(data.name, ["input", "name"], label="Le nom", max_length=NAME_MAX_LENGTH, required=True)
    with errors.check():
        details = bank_rules.bank_details(
            iban_value=data.iban,
            country=data.country,
            bban=data.bban,
            iban_key=data.iban_key,
            bic_value=data.bic,
            field=["input"],
        )
    with errors.check():
        rib = await _rib(data.rib_document, ["input", "ribDocument"])
    errors.raise_if_any()
    assert name is not None and details is not None and rib is not None
    checked_rib = rib

    async def write() -> models.BankAccount:
        async with transaction():
            document = await documents.create_row(checked_rib, uploaded_by=user)
            account = await models.BankAccount.create(
                structure_id=structure.id,
                name=name,
                is_factor=bool(data.is_factor),
                country=details.country,
                iban=details.iban,
                bic=details.bic,
                rib_document_id=document.id,
            )
            await audit(
                user, "bank_account.create", account, structure_id=structure.id, after=_snapshot(account)
            )
        return account

    return await documents.stored_then(store_for(settings), checked_rib, write)


async def update_bank_account(
    viewer: Viewer | None, account_id: int, version: int, changes: BankAccountChanges, *, settings: Settings
) -> models.BankAccount:
    account = await bank_account_for(viewer, account_id, MANAGE_BANK_ACCOUNTS.need)
    user = signed_in(viewer).user
    if version != account.version:
        raise Conflict()
    errors = FieldErrors()
    values: dict[str, Any] = {}
    rib: CheckedFile | None = None
    if _sent(changes.name):
        with errors.check():
            values["name"] = text(
                changes.name, ["input", "name"], label="Le nom", max_length=NAME_MAX_LENGTH, required=True
            )
    if _sent(changes.is_factor):
        values["is_factor"] = bool(changes.is_factor)
    iban_ok = True
    if _sent(changes.iban):
        try:
            parsed = bank_rules.iban(changes.iban, ["input", "iban"])
            values["iban"], values["country"] = str(parsed.compact), parsed.country_code
        except (ValidationFailed, Required) as error:
            errors.add(error)
            iban_ok = False
    bic_ok = True
    if changes.bic is not KEEP:
        try:
            values["bic"] = bank_rules.bic(changes.bic, ["input", "bic"])
        except ValidationFailed as error:
            errors.add(error)
            bic_ok = False
    if iban_ok and bic_ok and ("iban" in values or "bic" in values):
        with errors.check():
            bank_rules.bic_country(
                values.get("bic", account.bic),
                values.get("country", account.country),
                ["input", "bic"] if "bic" in values else ["input", "iban"],
            )
    if _sent(changes.rib_document):
        with errors.check():
            rib = await _rib(changes.rib_document, ["input", "ribDocument"])
    elif iban_ok and values.get("iban", account.iban) != account.iban:
        errors.add(Required(RIB_FOR_NEW_IBAN, field=["input", "ribDocument"]))
    errors.raise_if_any()
    values = {k: v for k, v in values.items() if getattr(account, k) != v}
    if not values and rib is None:
        return account
    before = _snapshot(account)
    replaced: models.Document | None = None

    async def write() -> models.BankAccount:
        nonlocal replaced
        async with transaction():
            if rib is not None:
                document = await documents.create_row(rib, uploaded_by=user)
                values["rib_document_id"] = document.id
            changed = await models.BankAccount.filter(id=account.id, version=version).update(
                **values, version=F("version") + 1, updated_at=clock.now()
            )
            if not changed:
                raise Conflict()
            if rib is not None and account.rib_document_id is not None:
                replaced = await _retire_rib(account.rib_document_id)
            updated = await models.BankAccount.get(id=account.id)
            await audit(
                user,
                "bank_account.update",
                updated,
                structure_id=updated.structure_id,
                before=before,
                after=_snapshot(updated),
            )
        return updated

    store = store_for(settings)
    if rib is None:
        updated = await write()
    else:
        updated = await documents.stored_then(store, rib, write)
    if replaced is not None:
        await documents.release_blob(store, replaced.sha256)
    return updated


async def _retire_rib(document_id: int) -> models.Document | None:
    """Soft-delete a RIB no bank account points to any more (inside the transaction)."""
    if await models.BankAccount.filter(rib_document_id=document_id).exists():
        return None
    document = await models.Document.get_or_none(id=document_id, deleted_at=None)
    if document is None:
        return None
    await models.Document.filter(id=document_id).update(deleted_at=clock.now())
    return document


async def activate_bank_account(viewer: Viewer | None, account_id: int) -> models.BankAccount:
    account = await bank_account_for(viewer, account_id, MANAGE_BANK_ACCOUNTS.need)
    if account.status == ActivityStatus.ACTIVE:
        raise InvalidState("Cette coordonnée bancaire est déjà active.")
    try:
        bank_rules.bank_details(
            iban_value=account.iban, country=None, bban=None, iban_key=None, bic_value=account.bic, field=[]
        )
    except DomainError as error:
        message = error.message
        raise ValidationFailed(
            f"Cette coordonnée bancaire ne peut pas être activée : {message} Modifiez-la d'abord."
        ) from error
    if account.rib_document_id is None:
        raise Required(f"Cette coordonnée bancaire ne peut pas être activée sans RIB. {RIB_MISSING}")
    return await _set_status(viewer, account, ActivityStatus.ACTIVE, "bank_account.activate")


async def deactivate_bank_account(viewer: Viewer | None, account_id: int) -> models.BankAccount:
    account = await bank_account_for(viewer, account_id, MANAGE_BANK_ACCOUNTS.need)
    if account.status == ActivityStatus.INACTIVE:
        raise InvalidState("Cette coordonnée bancaire est déjà désactivée.")
    return await _set_status(viewer, account, ActivityStatus.INACTIVE, "bank_account.deactivate")


async def _set_status(
    viewer: Viewer | None, account: models.BankAccount, status: ActivityStatus, action: str
) -> models.BankAccount:
    user = signed_in(viewer).user
    async with transaction():
        changed = await models.BankAccount.filter(id=account.id, status=account.status).update(
            status=status, version=F("version") + 1, updated_at=clock.now()
        )
        if not changed:
            raise InvalidState("La coordonnée bancaire vient d'être modifiée : rechargez-la.")
        await audit(
            user,
            action,
            account,
            structure_id=account.structure_id,
            before={"status": account.status},
            after={"status": status},
        )
    return await models.BankAccount.get(id=account.id)
