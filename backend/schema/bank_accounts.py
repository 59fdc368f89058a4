"""Bank details (coordonnées bancaires): the ``BankAccount`` type, the structure's bank accounts and
documents, and the bank account mutations (thin: the rules live in backend.services.bank_accounts)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from backend import models
from backend.auth.grants import ORGANISATION
from backend.auth.requirements import MANAGE_BANK_ACCOUNTS
from backend.schema.context import Info
from backend.schema.documents import DocumentType
from backend.schema.enums import ActivityStatus
from backend.schema.errors import UserError
from backend.schema.mutations import mutation
from backend.schema.node import decode_id, register_node
from backend.schema.payloads import ERRORS_DESCRIPTION, attempt
from backend.schema.permissions import OnStructure, Public, guarded
from backend.services import bank_accounts
from backend.services.audit import mask_iban

if TYPE_CHECKING:
    from backend.schema.structures import StructureType

StructureRef = Annotated["StructureType", strawberry.lazy("backend.schema.structures")]
Arg = strawberry.argument

ORG_CONSULTATION = OnStructure(ORGANISATION.consultation)
ORG_MODIFICATION = OnStructure(ORGANISATION.modification)
ACCOUNT_READER = Public("whoever may read the bank account: Organisation consultation on its structure")


@register_node
@strawberry.type(
    name="BankAccount",
    description="Bank details (coordonnée bancaire) of a structure. Organisation consultation reads them with "
    "a masked IBAN; the full IBAN and the RIB need Organisation modification. Informative only: a public "
    "accountant pays only the bank details declared in the contract.",
)
class BankAccountType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @property
    def structure_id(self) -> int:
        return self.row.structure_id

    @guarded(ACCOUNT_READER, description="The structure the account belongs to.")
    async def structure(self, info: Info) -> StructureRef:
        from backend.schema.structures import StructureType

        row = await info.context.loaders.by_id(models.Structure).load(self.row.structure_id)
        return StructureType.from_row(row)

    @guarded(ACCOUNT_READER, description="Name, shown when an invoice is filed.")
    def name(self) -> str:
        return self.row.name

    @guarded(
        ACCOUNT_READER,
        description="Affactureur: the account belongs to the factoring company the structure assigned its "
        "invoices to.",
    )
    def is_factor(self) -> bool:
        return self.row.is_factor

    @guarded(ACCOUNT_READER, description="Active or inactive.")
    def status(self) -> ActivityStatus:
        return self.row.status

    @guarded(ACCOUNT_READER, description="ISO 3166-1 alpha-2 country of the IBAN.")
    def country(self) -> str:
        return self.row.country

    @guarded(
        ACCOUNT_READER,
        description="Masked, e.g. FR76 **** **** **** **** **** 189. Organisation consultation.",
    )
    def masked_iban(self) -> str:
        return mask_iban(self.row.iban) or ""

    @guarded(
        ORG_MODIFICATION,
        description="Full IBAN, electronic format (no spaces): Organisation modification only (null + FORBIDDEN "
        "otherwise).",
    )
    def iban(self) -> str | None:
        return self.row.iban

    @guarded(ACCOUNT_READER, description="BIC (SWIFT code), 8 or 11 characters, if given.")
    def bic(self) -> str | None:
        return self.row.bic

    @guarded(ORG_MODIFICATION, description="The RIB shows the full IBAN: Organisation modification only.")
    async def rib_document(self, info: Info) -> DocumentType | None:
        if self.row.rib_document_id is None:
            return None
        row = await info.context.loaders.by_id(models.Document).load(self.row.rib_document_id)
        return DocumentType.from_row(row) if row is not None and row.deleted_at is None else None

    @guarded(ACCOUNT_READER, description="Optimistic-locking version: send it back with updateBankAccount.")
    def version(self) -> int:
        return self.row.version

    @guarded(ACCOUNT_READER, description="When the account was created.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @guarded(ACCOUNT_READER, description="When the account last changed.")
    def updated_at(self) -> datetime:
        return self.row.updated_at

    @classmethod
    def from_row(cls, row: Any) -> BankAccountType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> BankAccountType | None:
        row = await models.BankAccount.get_or_none(id=pk)
        if row is None or not (await info.context.grants()).has(ORGANISATION.consultation, row.structure_id):
            return None
        return cls.from_row(row)


@strawberry.type(description="Structure fields of bank details and documents (mixed into Structure).")
class StructureBankFields:
    """Fields of ``Structure`` owned by this module; ``self`` is a ``StructureType`` (``self.row``)."""

    @guarded(
        ORG_CONSULTATION,
        description="Bank details (coordonnées bancaires), by name; every status unless `status` is given. The "
        "full IBAN and the RIB need Organisation modification.",
    )
    async def bank_accounts(
        self,
        info: Info,
        status: Annotated[ActivityStatus | None, Arg(description="Only the accounts in this status.")] = None,
    ) -> list[BankAccountType] | None:
        rows = await info.context.loaders.children(models.BankAccount, "structure_id", ("name", "id")).load(
            self.row.id
        )
        return [BankAccountType.from_row(r) for r in rows if status is None or r.status == status]

    @guarded(
        ORG_CONSULTATION,
        description="Documents attached to the structure (pièces jointes), newest first. RIBs are not listed "
        "here: they belong to their bank account.",
    )
    async def documents(self, info: Info) -> list[DocumentType] | None:
        rows = await info.context.loaders.children(
            models.Document, "structure_id", ("-created_at", "-id")
        ).load(self.row.id)
        return [
            DocumentType.from_row(r)
            for r in rows
            if r.deleted_at is None and r.ticket_id is None and r.ticket_activity_id is None
        ]


# ---------------------------------------------------------------------------------------- mutations


@strawberry.input(description="New bank details of a structure.")
class CreateBankAccountInput:
    structure_id: strawberry.ID = strawberry.field(description="The structure.")
    name: str = strawberry.field(description="Name, shown when an invoice is filed (100 characters at most).")
    is_factor: bool | None = strawberry.field(
        default=None, description="Affactureur: the account belongs to the factoring company (default false)."
    )
    iban: str | None = strawberry.field(
        default=None,
        description="Either the whole IBAN, or country + bban + ibanKey (check digits). Spaces are ignored.",
    )
    country: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 country of the account, with bban and ibanKey."
    )
    bban: str | None = strawberry.field(
        default=None,
        description="National account number (BBAN); its length and content depend on the country (23 "
        "alphanumerics for France).",
    )
    iban_key: str | None = strawberry.field(default=None, description="The IBAN's two check digits.")
    bic: str | None = strawberry.field(
        default=None,
        description="BIC/SWIFT, 8 or 11 characters; its country must be the IBAN's (French overseas "
        "territories and Monaco: French IBANs).",
    )
    rib_document: Upload | None = strawberry.field(
        default=None,
        description="Mandatory: left out, the payload answers REQUIRED. The RIB as PDF, JPEG or PNG (checked by "
        "content), 10 MB at most, a name of 50 characters at most.",
    )


@strawberry.input(description="Changes to bank details: fields left out stay as they are.")
class UpdateBankAccountInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    is_factor: bool | None = strawberry.field(default=strawberry.UNSET, description="New factor flag.")
    iban: str | None = strawberry.field(
        default=strawberry.UNSET, description="New whole IBAN; then a new ribDocument is required too."
    )
    bic: str | None = strawberry.field(
        default=strawberry.UNSET, description="New BIC; null or blank removes it."
    )
    rib_document: Upload | None = strawberry.field(
        default=strawberry.UNSET, description="A new RIB (PDF, JPEG or PNG); the previous one is deleted."
    )


@strawberry.type(description="The answer of a bank account mutation.")
class BankAccountPayload:
    bank_account: BankAccountType | None = strawberry.field(
        default=None, description="The bank account after the change; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


def _keep(value: Any) -> Any:
    return bank_accounts.KEEP if value is strawberry.UNSET else value


def _payload(row: Any, errors: list[UserError]) -> BankAccountPayload:
    return BankAccountPayload(bank_account=BankAccountType.from_row(row) if row else None, errors=errors)


@strawberry.type
class BankAccountMutation:
    @mutation(
        requires=MANAGE_BANK_ACCOUNTS,
        description="Create bank details (multipart request, to send the RIB). Bad IBAN, BIC or RIB: "
        "VALIDATION; RIB left out: REQUIRED.",
    )
    async def create_bank_account(
        self, info: Info, input: Annotated[CreateBankAccountInput, Arg(description="The bank details.")]
    ) -> BankAccountPayload:
        async def work() -> models.BankAccount:
            structure_id = decode_id(input.structure_id, "Structure", ["input", "structureId"])
            data = bank_accounts.NewBankAccount(
                structure_id=structure_id,
                name=input.name,
                is_factor=input.is_factor,
                iban=input.iban,
                country=input.country,
                bban=input.bban,
                iban_key=input.iban_key,
                bic=input.bic,
                rib_document=input.rib_document,
            )
            return await bank_accounts.create_bank_account(
                info.context.viewer, data, settings=info.context.settings
            )

        return _payload(*await attempt(work()))

    @mutation(
        requires=MANAGE_BANK_ACCOUNTS,
        description="Modify bank details; send the `version` read (stale: CONFLICT). A new IBAN needs a new RIB.",
    )
    async def update_bank_account(
        self,
        info: Info,
        id: Annotated[strawberry.ID, Arg(description="The bank account.")],
        version: Annotated[int, Arg(description="The version read.")],
        input: Annotated[UpdateBankAccountInput, Arg(description="The changes.")],
    ) -> BankAccountPayload:
        async def work() -> models.BankAccount:
            pk = decode_id(id, "BankAccount", ["id"])
            changes = bank_accounts.BankAccountChanges(
                name=_keep(input.name),
                is_factor=_keep(input.is_factor),
                iban=_keep(input.iban),
                bic=_keep(input.bic),
                rib_document=_keep(input.rib_document),
            )
            return await bank_accounts.update_bank_account(
                info.context.viewer, pk, version, changes, settings=info.context.settings
            )

        return _payload(*await attempt(work()))

    @mutation(
        requires=MANAGE_BANK_ACCOUNTS,
        description="Activate bank details; their IBAN and BIC are checked again and a RIB is needed.",
    )
    async def activate_bank_account(
        self, info: Info, id: Annotated[strawberry.ID, Arg(description="The bank account.")]
    ) -> BankAccountPayload:
        async def work() -> models.BankAccount:
            return await bank_accounts.activate_bank_account(
                info.context.viewer, decode_id(id, "BankAccount", ["id"])
            )

        return _payload(*await attempt(work()))

    @mutation(requires=MANAGE_BANK_ACCOUNTS, description="Deactivate bank details.")
    async def deactivate_bank_account(
        self, info: Info, id: Annotated[strawberry.ID, Arg(description="The bank account.")]
    ) -> BankAccountPayload:
        async def work() -> models.BankAccount:
            return await bank_accounts.deactivate_bank_account(
                info.context.viewer, decode_id(id, "BankAccount", ["id"])
            )

        return _payload(*await attempt(work()))
