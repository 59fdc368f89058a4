"""Services of a structure (« Créer / Gérer un service »): code unique within the structure, validity
dates, optimistic locking, activation; who may do it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backend import models
from backend.models import AccessLevel
from tests.api.test_structures import (  # shared helpers
    BOULANGERIE,
    address,
    attach,
    codes,
    created,
    gid,
    open_people,
    pk_of,
    profiles_at,
    seed_sirene,
    snapshot,
)

people_fixture = pytest.fixture(name="people")(open_people)
sirene_fixture = pytest.fixture(name="sirene")(seed_sirene)

SERVICE_FIELDS = """id code name description status validFrom validUntil commitmentNumberRequired version
  address { line1 postalCode city country } structure { id }"""
CREATE_SERVICE = f"""mutation($input: CreateServiceInput!) {{
  createService(input: $input) {{ service {{ {SERVICE_FIELDS} }} errors {{ code field message }} }}
}}"""
UPDATE_SERVICE = f"""mutation($id: ID!, $version: Int!, $input: UpdateServiceInput!) {{
  updateService(id: $id, version: $version, input: $input) {{
    service {{ {SERVICE_FIELDS} }} errors {{ code field message }} }}
}}"""
ACTIVATE_SERVICE = """mutation($id: ID!) { activateService(id: $id) {
  service { status version } errors { code field message } } }"""
DEACTIVATE_SERVICE = """mutation($id: ID!) { deactivateService(id: $id) {
  service { status version } errors { code field message } } }"""


@pytest.fixture
async def structure(people, sirene) -> dict[str, Any]:
    """`manager`'s structure; `member` attached with default profiles (Organisation consultation)."""
    created_structure = await created(await people.browser("manager"), BOULANGERIE)
    await attach(await people.user("member"), pk_of(created_structure["id"]))
    return created_structure


async def new_service(browser, structure_id: str, **values: Any) -> dict[str, Any]:
    data = await browser.query(
        CREATE_SERVICE,
        {"input": {"structureId": structure_id, "code": "COMPTA", "name": "Comptabilité", **values}},
    )
    return data["createService"]


async def test_the_manager_creates_a_service(people, structure) -> None:
    payload = await new_service(
        await people.browser("manager"),
        structure["id"],
        description="Factures fournisseurs",
        validFrom="2026-01-01",
        validUntil="2026-12-31",
        commitmentNumberRequired=True,
        address=address(),
    )
    assert payload["errors"] == []
    service = payload["service"]
    assert (service["code"], service["name"], service["status"], service["version"]) == (
        "COMPTA",
        "Comptabilité",
        "ACTIVE",
        1,
    )
    assert (service["validFrom"], service["validUntil"]) == ("2026-01-01", "2026-12-31")
    assert service["commitmentNumberRequired"] is True
    assert service["address"] == {
        "line1": "1 place Bellecour",
        "postalCode": "69002",
        "city": "Lyon",
        "country": "FR",
    }
    assert service["structure"]["id"] == structure["id"]
    [event] = await models.AuditEvent.filter(action="service.create")
    assert event.structure_id == pk_of(structure["id"])
    assert json.loads(event.changes)["code"] == [None, "COMPTA"]

    listed = await (await people.browser("member")).query(
        "query($id: ID!) { structure(id: $id) { services { totalCount edges { node { code name } } } } }",
        {"id": structure["id"]},
    )
    assert listed["structure"]["services"]["edges"] == [{"node": {"code": "COMPTA", "name": "Comptabilité"}}]


async def test_a_service_code_is_unique_within_its_structure(people, structure) -> None:
    manager = await people.browser("manager")
    assert (await new_service(manager, structure["id"]))["errors"] == []
    before = await snapshot()
    taken = await new_service(manager, structure["id"], code=" compta ", name="Autre")
    assert codes(taken) == ["ALREADY_EXISTS"]
    assert taken["errors"][0]["field"] == ["input", "code"]
    assert "déjà utilisé" in taken["errors"][0]["message"]
    assert await snapshot() == before

    # the same code in another structure is fine
    other = await created(manager, "84561237300017")
    assert (await new_service(manager, other["id"]))["errors"] == []


async def test_bad_service_input_is_reported_at_once_and_nothing_is_written(people, structure) -> None:
    before = await snapshot()
    payload = await new_service(
        await people.browser("manager"),
        structure["id"],
        code=" ",
        name="",
        validFrom="2026-06-01",
        validUntil="2026-05-31",
        address=address(postalCode="ABC"),
    )
    assert sorted((e["code"], tuple(e["field"])) for e in payload["errors"]) == [
        ("REQUIRED", ("input", "code")),
        ("REQUIRED", ("input", "name")),
        ("VALIDATION", ("input", "address", "postalCode")),
        ("VALIDATION", ("input", "validUntil")),
    ]
    assert await snapshot() == before


async def test_without_organisation_modification_no_service_is_created(people, structure) -> None:
    before = await snapshot()
    for role in ("member", "stranger"):
        payload = await new_service(await people.browser(role), structure["id"])
        assert codes(payload) == ["FORBIDDEN"]
    missing = await new_service(await people.browser("member"), gid("Structure", 999_999))
    assert missing["errors"] == (await new_service(await people.browser("member"), structure["id"]))["errors"]
    malformed = await new_service(await people.browser("member"), gid("Service", 1))
    assert [(e["code"], e["field"]) for e in malformed["errors"]] == [
        ("VALIDATION", ["input", "structureId"])
    ]
    assert await snapshot() == before


async def test_the_manager_modifies_a_service_with_its_version(people, structure) -> None:
    manager = await people.browser("manager")
    service = (await new_service(manager, structure["id"], description="Ancienne", address=address()))[
        "service"
    ]
    data = await manager.query(
        UPDATE_SERVICE,
        {
            "id": service["id"],
            "version": 1,
            "input": {"name": "Comptabilité fournisseurs", "description": None, "validUntil": "2027-01-31"},
        },
    )
    payload = data["updateService"]
    assert payload["errors"] == []
    assert payload["service"]["name"] == "Comptabilité fournisseurs"
    assert payload["service"]["description"] is None
    assert payload["service"]["code"] == "COMPTA"
    assert payload["service"]["address"]["city"] == "Lyon"  # left out: unchanged
    assert payload["service"]["version"] == 2

    before = await snapshot()
    stale = await manager.query(
        UPDATE_SERVICE, {"id": service["id"], "version": 1, "input": {"name": "Trop tard"}}
    )
    assert codes(stale["updateService"]) == ["CONFLICT"]
    assert await snapshot() == before

    # the new end date is checked against the stored start date
    await manager.query(
        UPDATE_SERVICE, {"id": service["id"], "version": 2, "input": {"validFrom": "2027-01-01"}}
    )
    early = await manager.query(
        UPDATE_SERVICE, {"id": service["id"], "version": 3, "input": {"validUntil": "2026-12-31"}}
    )
    assert codes(early["updateService"]) == ["VALIDATION"]
    assert str((await models.Service.get(id=pk_of(service["id"]))).valid_until) == "2027-01-31"

    removed = await manager.query(
        UPDATE_SERVICE, {"id": service["id"], "version": 3, "input": {"address": None}}
    )
    assert removed["updateService"]["service"]["address"] is None


async def test_deactivate_and_activate_a_service(people, structure) -> None:
    manager = await people.browser("manager")
    service = (await new_service(manager, structure["id"]))["service"]
    variables = {"id": service["id"]}
    off = (await manager.query(DEACTIVATE_SERVICE, variables))["deactivateService"]
    assert off == {"service": {"status": "INACTIVE", "version": 2}, "errors": []}
    assert codes((await manager.query(DEACTIVATE_SERVICE, variables))["deactivateService"]) == [
        "INVALID_STATE"
    ]
    on = (await manager.query(ACTIVATE_SERVICE, variables))["activateService"]
    assert on == {"service": {"status": "ACTIVE", "version": 3}, "errors": []}
    assert codes((await manager.query(ACTIVATE_SERVICE, variables))["activateService"]) == ["INVALID_STATE"]

    member = await people.browser("member")
    before = await snapshot()
    assert codes((await member.query(DEACTIVATE_SERVICE, variables))["deactivateService"]) == ["FORBIDDEN"]
    missing = (await member.query(DEACTIVATE_SERVICE, {"id": gid("Service", 999_999)}))["deactivateService"]
    assert codes(missing) == ["FORBIDDEN"]
    assert await snapshot() == before


async def test_organisation_modification_on_one_service_manages_that_service_only(people, structure) -> None:
    manager = await people.browser("manager")
    compta = (await new_service(manager, structure["id"]))["service"]
    boutique = (await new_service(manager, structure["id"], code="BOUTIQUE", name="Boutique"))["service"]
    await attach(
        await people.user("chef"),
        pk_of(structure["id"]),
        service_id=pk_of(compta["id"]),
        levels=await profiles_at(AccessLevel.MODIFICATION),
    )
    chef = await people.browser("chef")
    mine = await chef.query(UPDATE_SERVICE, {"id": compta["id"], "version": 1, "input": {"name": "Compta"}})
    assert mine["updateService"]["errors"] == []
    other = await chef.query(UPDATE_SERVICE, {"id": boutique["id"], "version": 1, "input": {"name": "X"}})
    assert codes(other["updateService"]) == ["FORBIDDEN"]
    created_by_chef = await new_service(chef, structure["id"], code="NOUVEAU")
    assert codes(created_by_chef) == ["FORBIDDEN"]
