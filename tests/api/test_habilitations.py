"""Gérer les habilitations des utilisateurs: add, replace, remove, remove all, copy, one user or several."""

from __future__ import annotations

import json

import pytest

from backend import models
from tests.api.users_helpers import (
    ATTACH,
    PROFILE_HELD,
    assert_error,
    codes_at,
    gid,
    log_in,
    profile_id,
    snapshot,
)
from tests.conftest import Accounts
from tests.world import World, build_world

ADD = """mutation($input: AddHabilitationInput!) {
  addHabilitation(input: $input) { habilitation { id profile { code } user { id } service { code } grantedBy { id } }
  errors { code field message } }
}"""
ADD_MANY = """mutation($input: AddHabilitationsInput!) {
  addHabilitations(input: $input) { habilitations { id profile { code } user { id } } errors { code field message } }
}"""
REPLACE = """mutation($id: ID!, $profileId: ID!) {
  replaceHabilitation(id: $id, profileId: $profileId) { habilitation { id profile { code } } errors { code field message } }
}"""
REMOVE = "mutation($id: ID!) { removeHabilitation(id: $id) { deletedId errors { code field message } } }"
REMOVE_MANY = (
    "mutation($ids: [ID!]!) { removeHabilitations(ids: $ids) { deletedIds errors { code field message } } }"
)
REMOVE_ALL = """mutation($u: ID!, $s: ID!, $service: ID) {
  removeAllHabilitations(userId: $u, structureId: $s, serviceId: $service) { habilitations { id } errors { code field message } }
}"""
REMOVE_ALL_MANY = """mutation($u: [ID!]!, $s: ID!) {
  removeAllHabilitationsOfUsers(userIds: $u, structureId: $s) { habilitations { id } errors { code field message } }
}"""
COPY = """mutation($from: ID!, $to: ID!, $s: ID!) {
  copyHabilitations(fromUserId: $from, toUserId: $to, structureId: $s) {
    habilitations { profile { code } user { id } } errors { code field message }
  }
}"""
COPY_MANY = """mutation($from: ID!, $to: [ID!]!, $s: ID!) {
  copyHabilitationsToUsers(fromUserId: $from, toUserIds: $to, structureId: $s) {
    habilitations { profile { code } user { id } } errors { code field message }
  }
}"""


@pytest.fixture
async def world(db) -> World:
    return await build_world()


async def _row(
    world: World, role: str, code: str, service: models.Service | None = None
) -> models.Habilitation:
    query = models.Habilitation.filter(
        user_id=world.users[role].id, structure_id=world.structure.id, profile__code=code
    )
    query = query.filter(service_id=service.id) if service else query.filter(service_id__isnull=True)
    return await query.get()


def _input(world: World, role: str, profile: str, service: models.Service | None = None) -> dict:
    data = {
        "userId": gid("User", world.users[role].id),
        "structureId": gid("Structure", world.structure.id),
        "profileId": profile,
    }
    if service:
        data["serviceId"] = gid("Service", service.id)
    return {"input": data}


# ---------------------------------------------------------------------------------------- add


async def test_add_a_profile_takes_effect_at_once(world: World, accounts: Accounts) -> None:
    member = world.users["member"]
    await (await _row(world, "member", "ENGAGEMENTS_MODIFICATION")).delete()
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(ADD, _input(world, "member", await profile_id("ENGAGEMENTS_CONSULTATION")))
    payload = data["addHabilitation"]
    assert payload["errors"] == []
    assert payload["habilitation"]["profile"] == {"code": "ENGAGEMENTS_CONSULTATION"}
    assert payload["habilitation"]["grantedBy"] == {"id": gid("User", world.users["manager"].id)}
    assert "ENGAGEMENTS_CONSULTATION" in await codes_at(member, world.structure)
    event = await models.AuditEvent.get(action="habilitation.add")
    assert json.loads(event.changes) == {"profile": [None, "ENGAGEMENTS_CONSULTATION"]}
    assert event.subject_user_id == member.id and event.structure_id == world.structure.id


@pytest.mark.parametrize("code", ["FACTURES_RECUES_MODIFICATION", "FACTURES_RECUES_CONSULTATION"])
async def test_a_profile_of_an_application_already_held_is_refused(
    world: World, accounts: Accounts, code: str
) -> None:
    manager = await log_in(accounts, world, "manager")
    before = await snapshot()
    data = await manager.query(ADD, _input(world, "member", await profile_id(code)))
    assert data["addHabilitation"]["habilitation"] is None
    assert_error(data["addHabilitation"], "ALREADY_EXISTS", ["input", "profileId"])
    assert data["addHabilitation"]["errors"][0]["message"] == PROFILE_HELD
    assert await snapshot() == before


async def test_add_refusals_not_attached_no_right_unknown_profile(world: World, accounts: Accounts) -> None:
    manager = await log_in(accounts, world, "manager")
    member = await log_in(accounts, world, "member")
    before = await snapshot()
    profile = await profile_id("ENGAGEMENTS_CONSULTATION")
    # the stranger is not attached to this structure
    data = await manager.query(ADD, _input(world, "stranger", profile))
    assert_error(data["addHabilitation"], "INVALID_STATE", ["input", "userId"], "rattaché")
    # the member holds Organisation consultation only
    data = await member.query(ADD, _input(world, "consultant", profile))
    assert_error(data["addHabilitation"], "FORBIDDEN")
    # an unknown profile
    data = await manager.query(ADD, _input(world, "member", gid("Profile", 999999)))
    assert_error(data["addHabilitation"], "VALIDATION", ["input", "profileId"])
    # a profile id that is not a profile
    data = await manager.query(ADD, _input(world, "member", gid("User", world.users["member"].id)))
    assert_error(data["addHabilitation"], "VALIDATION", ["input", "profileId"])
    assert await snapshot() == before


async def test_a_service_level_manager_manages_their_service_only(world: World, accounts: Accounts) -> None:
    # the service member gets Organisation modification on the service
    row = await _row(world, "service_member", "ORGANISATION_CONSULTATION", world.service)
    org_mod = await models.Profile.get(code="ORGANISATION_MODIFICATION")
    row.profile_id = org_mod.id
    await row.save()
    bruno = await models.User.create(
        email="bruno@example.org", password_hash="x", first_name="Bruno", last_name="B"
    )
    client = await log_in(accounts, world, "service_member")
    attached = await client.query(
        ATTACH,
        {
            "input": {
                "email": "bruno@example.org",
                "structureId": gid("Structure", world.structure.id),
                "serviceId": gid("Service", world.service.id),
            }
        },
    )
    assert attached["attachUser"]["errors"] == []
    target = await _row_of(bruno, world, "ENGAGEMENTS_MODIFICATION", world.service)
    assert (await client.query(REMOVE, {"id": gid("Habilitation", target.id)}))["removeHabilitation"][
        "errors"
    ] == []
    # structure-level rows are out of reach
    before = await snapshot()
    structure_row = await _row(world, "member", "ENGAGEMENTS_MODIFICATION")
    data = await client.query(REMOVE, {"id": gid("Habilitation", structure_row.id)})
    assert_error(data["removeHabilitation"], "FORBIDDEN")
    assert await snapshot() == before


async def _row_of(
    user: models.User, world: World, code: str, service: models.Service | None
) -> models.Habilitation:
    query = models.Habilitation.filter(user_id=user.id, structure_id=world.structure.id, profile__code=code)
    query = query.filter(service_id=service.id) if service else query.filter(service_id__isnull=True)
    return await query.get()


# ---------------------------------------------------------------------------------------- replace, remove


async def test_replace_the_profile_of_a_row(world: World, accounts: Accounts) -> None:
    row = await _row(world, "member", "FACTURES_RECUES_MODIFICATION")
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(
        REPLACE,
        {"id": gid("Habilitation", row.id), "profileId": await profile_id("FACTURES_RECUES_CONSULTATION")},
    )
    assert data["replaceHabilitation"]["errors"] == []
    assert data["replaceHabilitation"]["habilitation"] == {
        "id": gid("Habilitation", row.id),
        "profile": {"code": "FACTURES_RECUES_CONSULTATION"},
    }
    codes = await codes_at(world.users["member"], world.structure)
    assert "FACTURES_RECUES_CONSULTATION" in codes and "FACTURES_RECUES_MODIFICATION" not in codes
    event = await models.AuditEvent.get(action="habilitation.replace")
    assert json.loads(event.changes)["profile"] == [
        "FACTURES_RECUES_MODIFICATION",
        "FACTURES_RECUES_CONSULTATION",
    ]


async def test_replace_refusals(world: World, accounts: Accounts) -> None:
    manager = await log_in(accounts, world, "manager")
    before = await snapshot()
    row = await _row(world, "member", "FACTURES_RECUES_MODIFICATION")
    # same profile, or a profile of another application the user holds
    for code in ("FACTURES_RECUES_MODIFICATION", "ENGAGEMENTS_CONSULTATION"):
        data = await manager.query(
            REPLACE, {"id": gid("Habilitation", row.id), "profileId": await profile_id(code)}
        )
        assert data["replaceHabilitation"]["habilitation"] is None
        assert_error(data["replaceHabilitation"], "ALREADY_EXISTS", ["profileId"], "abonnement sélectionné")
    # the principal manager's Organisation modification stays
    org = await _row(world, "manager", "ORGANISATION_MODIFICATION")
    admin = await log_in(accounts, world, "admin")
    data = await admin.query(
        REPLACE,
        {"id": gid("Habilitation", org.id), "profileId": await profile_id("ORGANISATION_CONSULTATION")},
    )
    assert_error(data["replaceHabilitation"], "INVALID_STATE", ["id"], "transférez d'abord")
    # an id of nothing, and no right
    data = await manager.query(
        REPLACE,
        {"id": gid("Habilitation", 999999), "profileId": await profile_id("ENGAGEMENTS_CONSULTATION")},
    )
    assert_error(data["replaceHabilitation"], "FORBIDDEN")
    consultant = await log_in(accounts, world, "consultant")
    data = await consultant.query(
        REPLACE,
        {"id": gid("Habilitation", row.id), "profileId": await profile_id("FACTURES_RECUES_CONSULTATION")},
    )
    assert_error(data["replaceHabilitation"], "FORBIDDEN")
    assert await snapshot() == before


async def test_remove_a_row_and_never_the_principal_managers_organisation_modification(
    world: World, accounts: Accounts
) -> None:
    row = await _row(world, "member", "SIGNATURE_MODIFICATION")
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(REMOVE, {"id": gid("Habilitation", row.id)})
    assert data["removeHabilitation"] == {"deletedId": gid("Habilitation", row.id), "errors": []}
    assert not await models.Habilitation.exists(id=row.id)
    assert (await models.AuditEvent.get(action="habilitation.remove")).subject_user_id == world.users[
        "member"
    ].id

    before = await snapshot()
    org = await _row(world, "manager", "ORGANISATION_MODIFICATION")
    data = await manager.query(REMOVE, {"id": gid("Habilitation", org.id)})
    assert data["removeHabilitation"]["deletedId"] is None
    assert_error(data["removeHabilitation"], "INVALID_STATE", ["id"], "transférez d'abord")
    # twice the same row: gone already, answered like an id of nothing
    data = await manager.query(REMOVE, {"id": gid("Habilitation", row.id)})
    assert_error(data["removeHabilitation"], "FORBIDDEN")
    assert await snapshot() == before


async def test_remove_all_of_a_user_on_the_structure(world: World, accounts: Accounts) -> None:
    manager = await log_in(accounts, world, "manager")
    s = gid("Structure", world.structure.id)
    data = await manager.query(REMOVE_ALL, {"u": gid("User", world.users["member"].id), "s": s})
    assert data["removeAllHabilitations"] == {"habilitations": [], "errors": []}
    assert await codes_at(world.users["member"], world.structure) == set()
    assert await codes_at(world.users["consultant"], world.structure)  # nobody else
    # the principal manager: refused as a whole
    before = await snapshot()
    data = await manager.query(REMOVE_ALL, {"u": gid("User", world.users["manager"].id), "s": s})
    assert_error(data["removeAllHabilitations"], "INVALID_STATE", ["userId"], "transférez d'abord")
    assert await snapshot() == before


async def test_copy_one_users_habilitations_to_another(world: World, accounts: Accounts) -> None:
    manager = await log_in(accounts, world, "manager")
    s = gid("Structure", world.structure.id)
    consultant, member = world.users["consultant"], world.users["member"]
    data = await manager.query(
        COPY, {"from": gid("User", consultant.id), "to": gid("User", member.id), "s": s}
    )
    payload = data["copyHabilitations"]
    assert payload["errors"] == []
    expected = await codes_at(consultant, world.structure)
    assert {h["profile"]["code"] for h in payload["habilitations"]} == expected
    assert await codes_at(member, world.structure) == expected
    # onto the principal manager, without Organisation modification: refused
    before = await snapshot()
    data = await manager.query(
        COPY, {"from": gid("User", consultant.id), "to": gid("User", world.users["manager"].id), "s": s}
    )
    assert_error(data["copyHabilitations"], "INVALID_STATE", ["toUserId"], "transférez d'abord")
    # from someone not attached to the structure
    data = await manager.query(
        COPY, {"from": gid("User", world.users["stranger"].id), "to": gid("User", member.id), "s": s}
    )
    assert_error(data["copyHabilitations"], "INVALID_STATE", ["fromUserId"])
    assert await snapshot() == before


# ---------------------------------------------------------------------------------------- several users at once


async def test_the_same_actions_on_several_users_at_once(world: World, accounts: Accounts) -> None:
    manager = await log_in(accounts, world, "manager")
    s = gid("Structure", world.structure.id)
    member, consultant = world.users["member"], world.users["consultant"]
    ids = [gid("User", member.id), gid("User", consultant.id)]
    # remove the Signature row of both
    rows = [
        await _row(world, "member", "SIGNATURE_MODIFICATION"),
        await _row(world, "consultant", "SIGNATURE_CONSULTATION"),
    ]
    data = await manager.query(REMOVE_MANY, {"ids": [gid("Habilitation", r.id) for r in rows]})
    assert data["removeHabilitations"]["errors"] == []
    assert len(data["removeHabilitations"]["deletedIds"]) == 2
    # add Signature consultation to both
    data = await manager.query(
        ADD_MANY,
        {
            "input": {
                "userIds": ids,
                "structureId": s,
                "profileIds": [await profile_id("SIGNATURE_CONSULTATION")],
            }
        },
    )
    assert data["addHabilitations"]["errors"] == []
    assert {h["user"]["id"] for h in data["addHabilitations"]["habilitations"]} == set(ids)
    # again: both hold it now, every user at fault is reported, nothing written
    before = await snapshot()
    data = await manager.query(
        ADD_MANY,
        {
            "input": {
                "userIds": ids,
                "structureId": s,
                "profileIds": [await profile_id("SIGNATURE_MODIFICATION")],
            }
        },
    )
    errors = data["addHabilitations"]["errors"]
    assert [(e["code"], e["field"], e["message"]) for e in errors] == [
        ("ALREADY_EXISTS", ["input", "userIds", "0"], PROFILE_HELD),
        ("ALREADY_EXISTS", ["input", "userIds", "1"], PROFILE_HELD),
    ]
    assert data["addHabilitations"]["habilitations"] == []
    assert await snapshot() == before
    # copy the consultant's rows to the member and the service member's structure level (not attached there)
    data = await manager.query(
        COPY_MANY,
        {
            "from": gid("User", consultant.id),
            "to": [gid("User", member.id), gid("User", world.users["service_member"].id)],
            "s": s,
        },
    )
    assert [(e["code"], e["field"]) for e in data["copyHabilitationsToUsers"]["errors"]] == [
        ("INVALID_STATE", ["toUserIds", "1"])
    ]
    assert await snapshot() == before
    data = await manager.query(
        COPY_MANY, {"from": gid("User", consultant.id), "to": [gid("User", member.id)], "s": s}
    )
    assert data["copyHabilitationsToUsers"]["errors"] == []
    assert await codes_at(member, world.structure) == await codes_at(consultant, world.structure)
    # remove everything of both
    data = await manager.query(REMOVE_ALL_MANY, {"u": ids, "s": s})
    assert data["removeAllHabilitationsOfUsers"]["errors"] == []
    assert await codes_at(member, world.structure) == set() == await codes_at(consultant, world.structure)


async def test_a_change_is_effective_at_once_for_the_user(world: World, accounts: Accounts) -> None:
    member = await log_in(accounts, world, "member")
    s = gid("Structure", world.structure.id)
    variables = {"input": {"email": "new@example.org", "structureId": s}}
    assert_error((await member.query(ATTACH, variables))["attachUser"], "FORBIDDEN")
    manager = await log_in(accounts, world, "manager")
    row = await _row(world, "member", "ORGANISATION_CONSULTATION")
    data = await manager.query(
        REPLACE,
        {"id": gid("Habilitation", row.id), "profileId": await profile_id("ORGANISATION_MODIFICATION")},
    )
    assert data["replaceHabilitation"]["errors"] == []
    # the same session, the next request
    assert (await member.query(ATTACH, variables))["attachUser"]["errors"] == []


async def test_the_users_list_gives_each_habilitation_with_its_grant_date_and_author(
    world: World, accounts: Accounts, count_queries
) -> None:
    """Lists read habilitations as plain values; their grant date and author are read for the whole
    page at once when asked."""
    await (await _row(world, "member", "ENGAGEMENTS_MODIFICATION")).delete()
    manager = await log_in(accounts, world, "manager")
    added = await manager.query(ADD, _input(world, "member", await profile_id("ENGAGEMENTS_CONSULTATION")))
    assert added["addHabilitation"]["errors"] == []
    query = """query($s: ID!) { memberships(structureId: $s, first: 50) { edges { node {
      habilitations { id createdAt grantedBy { lastName } profile { code application { code } } }
    } } } }"""
    with count_queries() as counter:
        data = await manager.query(query, {"s": gid("Structure", world.structure.id)})
    shown = {h["id"]: h for edge in data["memberships"]["edges"] for h in edge["node"]["habilitations"]}
    stored = await models.Habilitation.filter(structure_id=world.structure.id).select_related(
        "profile__application", "granted_by"
    )
    assert set(shown) == {gid("Habilitation", row.id) for row in stored}
    for row in stored:
        habilitation = shown[gid("Habilitation", row.id)]
        assert habilitation["createdAt"][:19] == row.created_at.strftime("%Y-%m-%dT%H:%M:%S")
        author = {"lastName": row.granted_by.last_name} if row.granted_by else None
        assert habilitation["grantedBy"] == author
        assert habilitation["profile"] == {
            "code": row.profile.code,
            "application": {"code": row.profile.application.code},
        }
    assert sum(1 for h in shown.values() if h["grantedBy"]) == 1  # the one the manager just added
    assert counter.count <= 12
