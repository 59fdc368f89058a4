"""« Transférer le gestionnaire principal »: unit, multiple, global; all or nothing; the new manager
must be attached at structure level; administrators and support agents appoint managers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backend import models
from backend.models import AccessLevel, MembershipStatus
from tests.api.test_structures import (  # shared helpers
    ATELIER,
    BOULANGERIE,
    GARNIER,
    UPDATE,
    attach,
    codes,
    create,
    created,
    gid,
    open_people,
    organisation_level,
    pk_of,
    seed_sirene,
    snapshot,
)

people_fixture = pytest.fixture(name="people")(open_people)
sirene_fixture = pytest.fixture(name="sirene")(seed_sirene)

TRANSFER = """mutation($input: TransferPrincipalManagerInput!) { transferPrincipalManager(input: $input) {
  structures { id identifier principalManager { id } viewerIsPrincipalManager }
  errors { code field message }
} }"""


@pytest.fixture
async def world(people, sirene) -> dict[str, Any]:
    """`manager` manages three structures; `successor` is attached at structure level to the first two and
    at service level only to the third."""
    manager = await people.browser("manager")
    structures = {}
    for key, siret in (("boulangerie", BOULANGERIE), ("atelier", ATELIER), ("garnier", GARNIER)):
        structures[key] = pk_of((await created(manager, siret))["id"])
    successor = await people.user("successor")
    await attach(successor, structures["boulangerie"])
    await attach(successor, structures["atelier"])
    service = await models.Service.create(structure_id=structures["garnier"], code="SIEGE", name="Siège")
    await attach(successor, structures["garnier"], service_id=service.id)
    return structures


def transfer_input(mode: str, ids: list[int] | None, new: models.User, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"mode": mode, "newManagerId": gid("User", new.id), **extra}
    if ids is not None:
        values["structureIds"] = [gid("Structure", pk) for pk in ids]
    return {"input": values}


async def transfer(browser, *args: Any, **extra: Any) -> dict[str, Any]:
    return (await browser.query(TRANSFER, transfer_input(*args, **extra)))["transferPrincipalManager"]


async def test_a_unit_transfer_hands_the_role_over(people, world) -> None:
    manager, successor = people.users["manager"], people.users["successor"]
    pk = world["boulangerie"]
    payload = await transfer(await people.browser("manager"), "UNIT", [pk], successor)
    assert payload["errors"] == []
    assert [
        (s["id"], s["principalManager"]["id"], s["viewerIsPrincipalManager"]) for s in payload["structures"]
    ] == [(gid("Structure", pk), gid("User", successor.id), False)]
    structure = await models.Structure.get(id=pk)
    assert (structure.principal_manager_id, structure.version) == (successor.id, 2)
    assert await organisation_level(successor, pk) is AccessLevel.MODIFICATION
    assert await organisation_level(manager, pk) is AccessLevel.CONSULTATION
    [membership] = await models.Membership.filter(user_id=manager.id, structure_id=pk)
    assert membership.status is MembershipStatus.ACTIVE
    # the others of the former manager's structures are untouched
    assert (await models.Structure.get(id=world["atelier"])).principal_manager_id == manager.id

    [event] = await models.AuditEvent.filter(action="structure.transfer_principal_manager")
    assert json.loads(event.changes) == {"principal_manager_id": [manager.id, successor.id]}
    assert event.subject_user_id == successor.id
    replaced = await models.AuditEvent.filter(action="habilitation.replace", structure_id=pk).values_list(
        "subject_user_id", flat=True
    )
    assert sorted(replaced) == sorted([manager.id, successor.id])

    # the rights follow at once
    refused = await (await people.browser("manager")).query(
        UPDATE, {"id": gid("Structure", pk), "version": 2, "input": {"label": "x"}}
    )
    assert codes(refused["updateStructure"]) == ["FORBIDDEN"]
    allowed = await (await people.browser("successor")).query(
        UPDATE, {"id": gid("Structure", pk), "version": 2, "input": {"label": "x"}}
    )
    assert allowed["updateStructure"]["errors"] == []


async def test_a_transfer_to_someone_not_attached_at_structure_level_transfers_nothing(people, world) -> None:
    successor = people.users["successor"]
    outsider = await people.user("outsider")
    pending = await people.user("pending")
    await attach(pending, world["boulangerie"], status=MembershipStatus.PENDING)
    manager = await people.browser("manager")
    before = await snapshot()

    payload = await transfer(manager, "MULTIPLE", [world["boulangerie"], world["garnier"]], successor)
    assert payload["structures"] == []
    assert codes(payload) == ["VALIDATION"]
    [error] = payload["errors"]
    assert GARNIER in error["message"] and "maille structure" in error["message"]
    assert error["field"] == ["input", "newManagerId"]

    everywhere = await transfer(manager, "MULTIPLE", list(world.values()), outsider)
    assert codes(everywhere) == ["VALIDATION"] * 3
    assert sorted(
        identifier
        for e in everywhere["errors"]
        for identifier in (BOULANGERIE, ATELIER, GARNIER)
        if identifier in e["message"]
    ) == sorted([BOULANGERIE, ATELIER, GARNIER])

    assert codes(await transfer(manager, "UNIT", [world["boulangerie"]], pending)) == ["VALIDATION"]
    assert await snapshot() == before


async def test_a_global_transfer_takes_every_structure_of_the_manager(people, world) -> None:
    successor = people.users["successor"]
    manager = await people.browser("manager")
    before = await snapshot()
    partial = await transfer(manager, "GLOBAL", None, successor)
    assert codes(partial) == ["VALIDATION"]  # not attached to Garnier at structure level
    assert await snapshot() == before

    await attach(successor, world["garnier"])
    payload = await transfer(manager, "GLOBAL", None, successor)
    assert payload["errors"] == []
    assert sorted(s["identifier"] for s in payload["structures"]) == sorted([BOULANGERIE, ATELIER, GARNIER])
    assert await models.Structure.filter(principal_manager_id=successor.id).count() == 3

    nothing_left = await transfer(manager, "GLOBAL", None, successor)
    assert codes(nothing_left) == ["VALIDATION"]


async def test_only_the_principal_manager_transfers_the_role(people, world) -> None:
    successor = people.users["successor"]
    deputy = await people.user("deputy")
    await attach(deputy, world["boulangerie"], levels={"ORGANISATION": AccessLevel.MODIFICATION})
    before = await snapshot()
    by_deputy = await transfer(await people.browser("deputy"), "UNIT", [world["boulangerie"]], successor)
    assert codes(by_deputy) == ["FORBIDDEN"]
    unknown = await transfer(await people.browser("deputy"), "UNIT", [999_999], successor)
    assert unknown["errors"] == by_deputy["errors"]  # ids cannot be probed
    on_behalf = await transfer(
        await people.browser("deputy"),
        "GLOBAL",
        None,
        successor,
        fromUserId=gid("User", people.users["manager"].id),
    )
    assert codes(on_behalf) == ["FORBIDDEN"]
    anonymous = await people.anonymous().query(
        TRANSFER, transfer_input("UNIT", [world["boulangerie"]], successor)
    )
    assert codes(anonymous["transferPrincipalManager"]) == ["UNAUTHENTICATED"]
    assert await snapshot() == before


async def test_the_mode_decides_how_many_structures_are_named(people, world) -> None:
    successor = people.users["successor"]
    manager = await people.browser("manager")
    before = await snapshot()
    two = await transfer(manager, "UNIT", [world["boulangerie"], world["atelier"]], successor)
    assert [(e["code"], e["field"]) for e in two["errors"]] == [("VALIDATION", ["input", "structureIds"])]
    none = await transfer(manager, "MULTIPLE", [], successor)
    assert codes(none) == ["REQUIRED"]
    global_with_ids = await transfer(manager, "GLOBAL", [world["atelier"]], successor)
    assert codes(global_with_ids) == ["VALIDATION"]
    to_myself = await transfer(manager, "UNIT", [world["atelier"]], people.users["manager"])
    assert codes(to_myself) == ["VALIDATION"]
    assert "déjà gestionnaire principal" in to_myself["errors"][0]["message"]
    bad_id = await manager.query(
        TRANSFER,
        {"input": {"mode": "UNIT", "structureIds": ["abc"], "newManagerId": gid("User", successor.id)}},
    )
    assert [(e["code"], e["field"]) for e in bad_id["transferPrincipalManager"]["errors"]] == [
        ("VALIDATION", ["input", "structureIds", "0"])
    ]
    assert await snapshot() == before


async def test_an_administrator_appoints_a_manager_where_there_is_none(people, sirene) -> None:
    admin = await people.browser("admin", admin=True)
    payload = await create(admin, identifierType="SIRET", identifier="11000001500013", kind="PUBLIC")
    pk = pk_of(payload["structure"]["id"])
    agent = await people.user("agent")
    await attach(agent, pk)

    appointed = await transfer(admin, "UNIT", [pk], agent)
    assert appointed["errors"] == []
    assert (await models.Structure.get(id=pk)).principal_manager_id == agent.id
    assert await organisation_level(agent, pk) is AccessLevel.MODIFICATION


async def test_a_support_agent_moves_every_structure_of_a_departing_manager(people, world) -> None:
    successor = people.users["successor"]
    await attach(successor, world["garnier"])
    support = await people.browser("support", support=True)
    data = await support.query(
        # a support agent holds no habilitation: the public fields only
        TRANSFER.replace("principalManager { id } viewerIsPrincipalManager", "viewerIsPrincipalManager"),
        transfer_input("GLOBAL", None, successor, fromUserId=gid("User", people.users["manager"].id)),
    )
    payload = data["transferPrincipalManager"]
    assert payload["errors"] == []
    assert len(payload["structures"]) == 3
    assert await models.Structure.filter(principal_manager_id=successor.id).count() == 3
    assert await organisation_level(people.users["manager"], world["garnier"]) is AccessLevel.CONSULTATION

    # fromUserId with a unit transfer: the structure must be theirs
    other = await people.user("other")
    await attach(other, world["atelier"])
    wrong_from = (
        await support.query(
            TRANSFER.replace("principalManager { id } viewerIsPrincipalManager", "viewerIsPrincipalManager"),
            transfer_input(
                "UNIT", [world["atelier"]], other, fromUserId=gid("User", people.users["manager"].id)
            ),
        )
    )["transferPrincipalManager"]
    assert codes(wrong_from) == ["VALIDATION"]
    assert ATELIER in wrong_from["errors"][0]["message"]
