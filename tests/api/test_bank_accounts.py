"""Bank details through the API: create (whole IBAN, or country + BBAN + key) with the RIB in a
multipart request, modify with optimistic locking, activate, deactivate; the masked IBAN for
Organisation consultation, the full IBAN and the RIB for Organisation modification. Every refusal
writes nothing: no row, no audit event, no file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from backend import models
from backend.models import ActivityStatus
from tests.api.test_documents import (  # noqa: F401  (the *_fixture names are fixtures)
    JPEG,
    MAX_SIZE,
    PDF,
    PNG,
    TEXT,
    browsers_fixture,
    documents_dir_fixture,
    gid,
    multipart,
    pk_of,
    stored_files,
    world_fixture,
)
from tests.conftest import GraphQLClient
from tests.world import World

FR_IBAN = "FR7630006000011234567890189"
FR_BBAN = "30006000011234567890189"
MASKED = "FR76 **** **** **** **** **** 189"
DE_IBAN = "DE89370400440532013000"
OTHER_FR_IBAN = "FR1420041010050500013M02606"

ACCOUNT_FIELDS = """
  id name isFactor status country maskedIban iban bic version createdAt
  structure { id }
  ribDocument { id filename contentType size sha256 downloadUrl }
"""
CREATE = f"""mutation($input: CreateBankAccountInput!) {{
  createBankAccount(input: $input) {{ bankAccount {{ {ACCOUNT_FIELDS} }} errors {{ code field message }} }}
}}"""
UPDATE = f"""mutation($id: ID!, $version: Int!, $input: UpdateBankAccountInput!) {{
  updateBankAccount(id: $id, version: $version, input: $input) {{
    bankAccount {{ {ACCOUNT_FIELDS} }} errors {{ code field message }} }}
}}"""
ACTIVATE = """mutation($id: ID!) { activateBankAccount(id: $id) {
  bankAccount { status version } errors { code field message } } }"""
DEACTIVATE = """mutation($id: ID!) { deactivateBankAccount(id: $id) {
  bankAccount { status version } errors { code field message } } }"""
ACCOUNTS = """query($id: ID!, $status: ActivityStatus) {
  structure(id: $id) { bankAccounts(status: $status) { id name status maskedIban iban ribDocument { filename } } }
}"""


def check_digits(country: str, bban: str) -> str:
    number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{98 - number % 97:02d}"


def rib(name: str = "rib.pdf", data: bytes = PDF, mime: str = "application/pdf") -> tuple[str, bytes, str]:
    return (name, data, mime)


def new_account(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "structureId": gid("Structure", world.structure.id),
        "name": "Compte principal",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "AGRIFRPP",
        "ribDocument": None,
        **changes,
    }


async def create(
    client: GraphQLClient, variables: dict[str, Any], file: tuple[str, bytes, str] | None = rib()
):
    if file is None:
        body = await client.post(CREATE, {"input": variables})
    else:
        body = await multipart(client, CREATE, {"input": variables}, {"input.ribDocument": file})
    assert "errors" not in body, body
    return body["data"]["createBankAccount"]


async def update(
    client: GraphQLClient,
    account_id: str,
    version: int,
    changes: dict[str, Any],
    file: tuple[str, bytes, str] | None = None,
):
    variables = {"id": account_id, "version": version, "input": changes}
    if file is None:
        body = await client.post(UPDATE, variables)
    else:
        variables["input"] = {**changes, "ribDocument": None}
        body = await multipart(client, UPDATE, variables, {"input.ribDocument": file})
    assert "errors" not in body, body
    return body["data"]["updateBankAccount"]


def errors_of(payload: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def nothing_created(folder: Path) -> None:
    assert await models.BankAccount.all().count() == 0
    assert await models.Document.all().count() == 0
    assert await models.AuditEvent.filter(action__startswith="bank_account.").count() == 0
    assert stored_files(folder) == []


@pytest.fixture
async def manager(browsers) -> GraphQLClient:
    return await browsers("manager")


@pytest.fixture
async def account(manager, world, documents_dir) -> dict[str, Any]:
    payload = await create(manager, new_account(world))
    assert payload["errors"] == [], payload
    return payload["bankAccount"]


# ------------------------------------------------------------------------------------------ create


async def test_a_manager_creates_bank_details_with_their_rib(manager, world, documents_dir) -> None:
    payload = await create(manager, new_account(world, isFactor=True))
    assert payload["errors"] == []
    account = payload["bankAccount"]
    assert account["name"] == "Compte principal"
    assert account["isFactor"] is True
    assert account["status"] == "ACTIVE"
    assert account["country"] == "FR"
    assert account["iban"] == FR_IBAN
    assert account["maskedIban"] == MASKED
    assert account["bic"] == "AGRIFRPP"
    assert account["version"] == 1
    assert account["structure"]["id"] == gid("Structure", world.structure.id)
    digest = hashlib.sha256(PDF).hexdigest()
    assert account["ribDocument"]["filename"] == "rib.pdf"
    assert account["ribDocument"]["sha256"] == digest
    assert stored_files(documents_dir) == [digest]

    row = await models.BankAccount.get(id=pk_of(account["id"]))
    assert (row.structure_id, row.iban, row.country, row.bic) == (
        world.structure.id,
        FR_IBAN,
        "FR",
        "AGRIFRPP",
    )
    document = await models.Document.get(id=row.rib_document_id)
    assert document.structure_id is None  # a RIB belongs to its bank account, not to the attachments
    event = await models.AuditEvent.get(action="bank_account.create")
    assert event.structure_id == world.structure.id and event.actor_id == world.users["manager"].id
    changes = json.loads(event.changes)
    assert changes["iban"] == [None, MASKED]  # the audit never holds the full IBAN
    assert FR_IBAN not in event.changes

    response = await manager.http.get(account["ribDocument"]["downloadUrl"])
    assert response.status_code == 200 and response.content == PDF


async def test_the_iban_may_be_given_as_country_bban_and_key(manager, world, documents_dir) -> None:
    variables = new_account(world, iban=None, country="FR", bban=FR_BBAN, ibanKey="76", bic=None)
    payload = await create(manager, variables, rib("rib.png", PNG, "image/png"))
    assert payload["errors"] == []
    assert payload["bankAccount"]["iban"] == FR_IBAN
    assert payload["bankAccount"]["bic"] is None
    assert payload["bankAccount"]["ribDocument"]["contentType"] == "image/png"


async def test_a_reunion_bic_goes_with_a_french_iban(manager, world, documents_dir) -> None:
    payload = await create(manager, new_account(world, bic="BNPARERX"), rib("rib.jpg", JPEG, "image/jpeg"))
    assert payload["errors"] == []
    assert payload["bankAccount"]["bic"] == "BNPARERX"


async def test_a_foreign_account_with_its_own_bic(manager, world, documents_dir) -> None:
    payload = await create(manager, new_account(world, iban=DE_IBAN, bic="DEUTDEFF"))
    assert payload["errors"] == []
    assert payload["bankAccount"]["country"] == "DE"
    assert payload["bankAccount"]["maskedIban"] == "DE89 **** **** **** ***0 00"


WRONG_RIB_KEY = "30006000011234567890188"

BAD_CREATES = [
    pytest.param(
        {"iban": "FR76 3000 6000 0112 3456 7890 18"},
        rib(),
        ("VALIDATION", ["input", "iban"]),
        "27 caractères",
        id="invalid-iban-length",
    ),
    pytest.param(
        {"iban": "FR76300060000112345678901AB"},
        rib(),
        ("VALIDATION", ["input", "iban"]),
        "format FR",
        id="invalid-iban-format",
    ),
    pytest.param(
        {"iban": "FR7730006000011234567890189"},
        rib(),
        ("VALIDATION", ["input", "iban"]),
        "clé de l'IBAN",
        id="wrong-check-digits",
    ),
    pytest.param(
        {"iban": f"FR{check_digits('FR', WRONG_RIB_KEY)}{WRONG_RIB_KEY}"},
        rib(),
        ("VALIDATION", ["input", "iban"]),
        "clé RIB",
        id="wrong-rib-key",
    ),
    pytest.param(
        {"iban": None, "country": "FR", "bban": FR_BBAN, "ibanKey": "77"},
        rib(),
        ("VALIDATION", ["input", "ibanKey"]),
        "clé de l'IBAN",
        id="wrong-key-in-parts",
    ),
    pytest.param(
        {"bic": "DEUTDEFF"}, rib(), ("VALIDATION", ["input", "bic"]), "« DE »", id="bic-of-another-country"
    ),
    pytest.param({"bic": "AGRIFR"}, rib(), ("VALIDATION", ["input", "bic"]), "8 ou 11", id="malformed-bic"),
    pytest.param({}, None, ("REQUIRED", ["input", "ribDocument"]), "Joignez le RIB", id="missing-rib"),
    pytest.param(
        {},
        rib("rib.pdf", TEXT, "application/pdf"),
        ("VALIDATION", ["input", "ribDocument"]),
        "n'est pas un PDF",
        id="rib-disguised-text",
    ),
    pytest.param(
        {},
        rib("rib.png", PDF, "image/png"),
        ("VALIDATION", ["input", "ribDocument"]),
        "n'est pas un PDF",
        id="rib-pdf-named-png",
    ),
    pytest.param(
        {},
        rib("rib.pdf", PDF + b"0" * MAX_SIZE),
        ("VALIDATION", ["input", "ribDocument"]),
        "10 Mo",
        id="rib-oversized",
    ),
    pytest.param(
        {},
        rib("r" * 47 + ".pdf"),
        ("VALIDATION", ["input", "ribDocument"]),
        "50 au plus",
        id="rib-name-too-long",
    ),
    pytest.param(
        {},
        rib("rib.docx", b"PK\x03\x04rest", "application/octet-stream"),
        ("VALIDATION", ["input", "ribDocument"]),
        "Formats acceptés : jpeg, jpg, pdf, png",
        id="rib-forbidden-extension",
    ),
    pytest.param(
        {},
        rib("rib.exe", b"MZ\x90\x00"),
        ("VALIDATION", ["input", "ribDocument"]),
        "n'est pas accepté",
        id="rib-exe",
    ),
    pytest.param({"name": "   "}, rib(), ("REQUIRED", ["input", "name"]), "obligatoire", id="blank-name"),
    pytest.param(
        {"name": "n" * 101}, rib(), ("VALIDATION", ["input", "name"]), "100 caractères", id="name-too-long"
    ),
]


@pytest.mark.parametrize(("changes", "file", "error", "fragment"), BAD_CREATES)
async def test_bad_bank_details_are_refused_and_nothing_is_written(
    manager, world, documents_dir, changes, file, error, fragment
) -> None:
    payload = await create(manager, new_account(world, **changes), file)
    assert payload["bankAccount"] is None
    assert errors_of(payload) == [error]
    assert fragment in payload["errors"][0]["message"], payload["errors"][0]["message"]
    await nothing_created(documents_dir)


async def test_every_fault_of_the_form_comes_at_once(manager, world, documents_dir) -> None:
    payload = await create(
        manager, new_account(world, name="", iban="FR7730006000011234567890189", bic="BNPA"), None
    )
    assert errors_of(payload) == [
        ("REQUIRED", ["input", "name"]),
        ("VALIDATION", ["input", "iban"]),
        ("VALIDATION", ["input", "bic"]),
        ("REQUIRED", ["input", "ribDocument"]),
    ]
    await nothing_created(documents_dir)


async def test_a_rib_sent_as_text_is_refused(manager, world, documents_dir) -> None:
    payload = await create(manager, new_account(world, ribDocument="JVBERi0xLjQ="), None)
    assert errors_of(payload) == [("VALIDATION", ["input", "ribDocument"])]
    await nothing_created(documents_dir)


@pytest.mark.parametrize("role", ["member", "consultant", "service_member", "stranger", "support"])
async def test_creating_needs_organisation_modification(browsers, world, documents_dir, role: str) -> None:
    payload = await create(await browsers(role), new_account(world))
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    await nothing_created(documents_dir)


async def test_an_unknown_structure_answers_like_a_forbidden_one(browsers, world, documents_dir) -> None:
    stranger = await browsers("stranger")
    forbidden = await create(stranger, new_account(world))
    unknown = await create(stranger, new_account(world, structureId=gid("Structure", 999_999)))
    assert forbidden["errors"] == unknown["errors"]
    anonymous = await create(browsers.anonymous(), new_account(world))
    assert [e["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]
    await nothing_created(documents_dir)


# ------------------------------------------------------------------------------------------ read


async def test_consultation_sees_the_masked_iban_modification_the_full_one_and_the_rib(
    browsers, world, account
) -> None:
    variables = {"id": gid("Structure", world.structure.id)}
    member = await browsers("member")
    body = await member.post(ACCOUNTS, variables)
    listed = body["data"]["structure"]["bankAccounts"]
    assert listed == [
        {
            "id": account["id"],
            "name": "Compte principal",
            "status": "ACTIVE",
            "maskedIban": MASKED,
            "iban": None,
            "ribDocument": None,
        }
    ]
    assert sorted((e["path"][-1], e["extensions"]["code"]) for e in body["errors"]) == [
        ("iban", "FORBIDDEN"),
        ("ribDocument", "FORBIDDEN"),
    ]
    # the RIB shows the IBAN: its download needs Organisation modification too
    assert (await member.http.get(account["ribDocument"]["downloadUrl"])).status_code == 404
    # nor is it among the structure's attachments
    documents = await member.query("query($id: ID!) { structure(id: $id) { documents { id } } }", variables)
    assert documents["structure"]["documents"] == []

    manager = await browsers("manager")
    seen = await manager.query(ACCOUNTS, variables)
    assert seen["structure"]["bankAccounts"][0]["iban"] == FR_IBAN
    assert seen["structure"]["bankAccounts"][0]["ribDocument"] == {"filename": "rib.pdf"}

    stranger = await browsers("stranger")
    hidden = await stranger.post(ACCOUNTS, variables)
    assert hidden["data"]["structure"]["bankAccounts"] is None
    assert (await stranger.http.get(account["ribDocument"]["downloadUrl"])).status_code == 404


async def test_node_of_a_bank_account_and_of_its_rib(browsers, world, account) -> None:
    query = """query($id: ID!, $rib: ID!) {
      account: node(id: $id) { ... on BankAccount { maskedIban } }
      rib: node(id: $rib) { ... on Document { filename } }
    }"""
    variables = {"id": account["id"], "rib": account["ribDocument"]["id"]}
    member = await (await browsers("member")).post(query, variables)
    assert member["data"]["account"] == {"maskedIban": MASKED}
    assert member["data"]["rib"] is None
    manager = await (await browsers("manager")).query(query, variables)
    assert manager["rib"] == {"filename": "rib.pdf"}
    stranger = await (await browsers("stranger")).post(query, variables)
    assert stranger["data"] == {"account": None, "rib": None}


async def test_a_rib_cannot_be_deleted_as_an_attachment(manager, account, documents_dir) -> None:
    body = await manager.query(
        "mutation($id: ID!) { deleteStructureDocument(id: $id) { deletedId errors { code } } }",
        {"id": account["ribDocument"]["id"]},
    )
    assert [e["code"] for e in body["deleteStructureDocument"]["errors"]] == ["FORBIDDEN"]
    assert stored_files(documents_dir) == [account["ribDocument"]["sha256"]]


# ------------------------------------------------------------------------------------------ update


async def test_a_manager_modifies_bank_details(manager, account) -> None:
    payload = await update(
        manager, account["id"], 1, {"name": "Compte courant", "isFactor": True, "bic": "BNPAGPGX"}
    )
    assert payload["errors"] == []
    changed = payload["bankAccount"]
    assert (changed["name"], changed["isFactor"], changed["bic"], changed["version"]) == (
        "Compte courant",
        True,
        "BNPAGPGX",
        2,
    )
    assert changed["iban"] == FR_IBAN
    removed = await update(manager, account["id"], 2, {"bic": None})
    assert removed["errors"] == [] and removed["bankAccount"]["bic"] is None
    assert removed["bankAccount"]["version"] == 3
    event = await models.AuditEvent.filter(action="bank_account.update").order_by("id").first()
    assert json.loads(event.changes) == {
        "bic": ["AGRIFRPP", "BNPAGPGX"],
        "is_factor": [False, True],
        "name": ["Compte principal", "Compte courant"],
    }


async def test_a_stale_version_is_a_conflict_and_changes_nothing(manager, account, documents_dir) -> None:
    assert (await update(manager, account["id"], 1, {"name": "Premier"}))["errors"] == []
    stale = await update(manager, account["id"], 1, {"name": "Second"})
    assert errors_of(stale) == [("CONFLICT", [])]
    assert "modifié entre-temps" in stale["errors"][0]["message"]
    stale_with_rib = await update(
        manager, account["id"], 1, {"iban": OTHER_FR_IBAN}, rib("nouveau.png", PNG, "image/png")
    )
    assert errors_of(stale_with_rib) == [("CONFLICT", [])]
    row = await models.BankAccount.get(id=pk_of(account["id"]))
    assert (row.name, row.version, row.iban) == ("Premier", 2, FR_IBAN)
    assert stored_files(documents_dir) == [account["ribDocument"]["sha256"]]
    assert await models.Document.all().count() == 1


async def test_a_new_iban_needs_a_new_rib_which_replaces_the_old_one(manager, account, documents_dir) -> None:
    missing = await update(manager, account["id"], 1, {"iban": OTHER_FR_IBAN})
    assert errors_of(missing) == [("REQUIRED", ["input", "ribDocument"])]
    assert (await models.BankAccount.get(id=pk_of(account["id"]))).iban == FR_IBAN

    payload = await update(
        manager, account["id"], 1, {"iban": OTHER_FR_IBAN}, rib("nouveau-rib.png", PNG, "image/png")
    )
    assert payload["errors"] == []
    changed = payload["bankAccount"]
    assert changed["iban"] == OTHER_FR_IBAN and changed["maskedIban"] == "FR14 **** **** **** **** **** 606"
    assert changed["ribDocument"]["filename"] == "nouveau-rib.png"
    # the old RIB is soft-deleted and its file removed; only the new one is on disk
    old = await models.Document.get(id=pk_of(account["ribDocument"]["id"]))
    assert old.deleted_at is not None
    assert stored_files(documents_dir) == [hashlib.sha256(PNG).hexdigest()]
    assert (await manager.http.get(account["ribDocument"]["downloadUrl"])).status_code == 404
    response = await manager.http.get(changed["ribDocument"]["downloadUrl"])
    assert response.status_code == 200 and response.content == PNG
    event = await models.AuditEvent.filter(action="bank_account.update").get()
    assert OTHER_FR_IBAN not in event.changes and FR_IBAN not in event.changes


BAD_UPDATES = [
    pytest.param(
        {"iban": "FR76 3000 6000 0112 3456 7890 18"},
        rib("n.png", PNG, "image/png"),
        ("VALIDATION", ["input", "iban"]),
        id="invalid-iban",
    ),
    pytest.param(
        {"iban": "FR7730006000011234567890189"},
        rib("n.png", PNG, "image/png"),
        ("VALIDATION", ["input", "iban"]),
        id="wrong-check-digits",
    ),
    pytest.param({"bic": "DEUTDEFF"}, None, ("VALIDATION", ["input", "bic"]), id="bic-of-another-country"),
    pytest.param(
        {"iban": DE_IBAN},
        rib("n.png", PNG, "image/png"),
        ("VALIDATION", ["input", "iban"]),
        id="iban-of-another-country-than-the-bic",
    ),
    pytest.param({}, rib("rib.pdf", TEXT), ("VALIDATION", ["input", "ribDocument"]), id="rib-disguised-text"),
    pytest.param(
        {},
        rib("rib.pdf", PDF + b"0" * MAX_SIZE),
        ("VALIDATION", ["input", "ribDocument"]),
        id="rib-oversized",
    ),
    pytest.param(
        {}, rib("r" * 47 + ".png", PNG), ("VALIDATION", ["input", "ribDocument"]), id="rib-name-too-long"
    ),
    pytest.param(
        {},
        rib("rib.gif", b"GIF89a\x01\x00"),
        ("VALIDATION", ["input", "ribDocument"]),
        id="rib-forbidden-extension",
    ),
    pytest.param({"name": ""}, None, ("REQUIRED", ["input", "name"]), id="blank-name"),
]


@pytest.mark.parametrize(("changes", "file", "error"), BAD_UPDATES)
async def test_bad_changes_are_refused_and_nothing_is_written(
    manager, account, documents_dir, changes, file, error
) -> None:
    payload = await update(manager, account["id"], 1, changes, file)
    assert payload["bankAccount"] is None
    assert errors_of(payload) == [error]
    assert payload["errors"][0]["message"]
    row = await models.BankAccount.get(id=pk_of(account["id"]))
    assert (row.version, row.iban, row.bic, row.name) == (1, FR_IBAN, "AGRIFRPP", "Compte principal")
    assert await models.Document.all().count() == 1
    assert await models.AuditEvent.filter(action="bank_account.update").count() == 0
    assert stored_files(documents_dir) == [account["ribDocument"]["sha256"]]


@pytest.mark.parametrize("role", ["member", "stranger"])
async def test_modifying_needs_organisation_modification(browsers, account, role: str) -> None:
    client = await browsers(role)
    payload = await update(client, account["id"], 1, {"name": "Piraté"})
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    unknown = await update(client, gid("BankAccount", 999_999), 1, {"name": "Piraté"})
    assert unknown["errors"] == payload["errors"]
    assert (await models.BankAccount.get(id=pk_of(account["id"]))).name == "Compte principal"


# ------------------------------------------------------------------------------------------ status


async def test_deactivate_then_activate(manager, world, account) -> None:
    body = await manager.query(DEACTIVATE, {"id": account["id"]})
    assert body["deactivateBankAccount"] == {
        "bankAccount": {"status": "INACTIVE", "version": 2},
        "errors": [],
    }
    again = await manager.query(DEACTIVATE, {"id": account["id"]})
    assert errors_of(again["deactivateBankAccount"]) == [("INVALID_STATE", [])]

    variables = {"id": gid("Structure", world.structure.id)}
    active = await manager.query(ACCOUNTS, {**variables, "status": "ACTIVE"})
    inactive = await manager.query(ACCOUNTS, {**variables, "status": "INACTIVE"})
    assert active["structure"]["bankAccounts"] == []
    assert [a["id"] for a in inactive["structure"]["bankAccounts"]] == [account["id"]]

    body = await manager.query(ACTIVATE, {"id": account["id"]})
    assert body["activateBankAccount"] == {"bankAccount": {"status": "ACTIVE", "version": 3}, "errors": []}
    again = await manager.query(ACTIVATE, {"id": account["id"]})
    assert errors_of(again["activateBankAccount"]) == [("INVALID_STATE", [])]
    actions = await models.AuditEvent.filter(
        action__in=["bank_account.activate", "bank_account.deactivate"]
    ).count()
    assert actions == 2
    # an update with the version read before the status changes is stale
    assert errors_of(await update(manager, account["id"], 1, {"name": "Vieux"})) == [("CONFLICT", [])]


async def test_activation_checks_the_details_again(manager, world, documents_dir) -> None:
    # as a duplication copies them: inactive, to be re-checked, here without a RIB and with a bad BIC
    row = await models.BankAccount.create(
        structure=world.structure,
        name="Copié",
        country="FR",
        iban=FR_IBAN,
        bic="DEUTDEFF",
        status=ActivityStatus.INACTIVE,
    )
    body = await manager.query(ACTIVATE, {"id": gid("BankAccount", row.id)})
    assert errors_of(body["activateBankAccount"]) == [("VALIDATION", [])]
    assert "« DE »" in body["activateBankAccount"]["errors"][0]["message"]
    await models.BankAccount.filter(id=row.id).update(bic="BNPAMCMX")
    body = await manager.query(ACTIVATE, {"id": gid("BankAccount", row.id)})
    assert errors_of(body["activateBankAccount"]) == [("REQUIRED", [])]
    assert (await models.BankAccount.get(id=row.id)).status == ActivityStatus.INACTIVE


@pytest.mark.parametrize("mutation", [ACTIVATE, DEACTIVATE])
async def test_status_changes_need_organisation_modification(browsers, account, mutation: str) -> None:
    body = await (await browsers("member")).query(mutation, {"id": account["id"]})
    (payload,) = body.values()
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    assert (await models.BankAccount.get(id=pk_of(account["id"]))).version == 1
