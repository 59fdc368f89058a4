"""« Activités du gestionnaire »: a structure's audit events, filtered by actor, action and date, exported."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from backend import models
from tests.api.users_helpers import ATTACH, DETACH, gid, log_in, profile_id
from tests.conftest import Accounts, GraphQLClient
from tests.world import World, build_world

EVENTS = """query($id: ID!, $actor: ID, $action: String, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  structure(id: $id) {
    auditActions
    auditEvents(actorId: $actor, action: $action, from: $from, to: $to, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id at action targetType targetId changes actor { firstName } subjectUser { firstName }
                     structure { name } } }
    }
  }
}"""


@pytest.fixture
async def world(db) -> World:
    return await build_world()


async def _activity(world: World, accounts: Accounts) -> GraphQLClient:
    """The manager attaches Bruno, removes one of his profiles, detaches him; the admin adds one to the member."""
    await models.User.create(email="bruno@example.org", password_hash="x", first_name="Bruno", last_name="B")
    manager = await log_in(accounts, world, "manager")
    s = gid("Structure", world.structure.id)
    attached = await manager.query(ATTACH, {"input": {"email": "bruno@example.org", "structureId": s}})
    bruno = await models.User.get(email="bruno@example.org")
    row = await models.Habilitation.get(user_id=bruno.id, profile__code="SIGNATURE_MODIFICATION")
    await manager.query(
        "mutation($id: ID!) { removeHabilitation(id: $id) { errors { code } } }",
        {"id": gid("Habilitation", row.id)},
    )
    await manager.query(
        DETACH, {"input": {"userId": gid("User", bruno.id), "structureId": s, "comment": "Départ."}}
    )
    assert attached["attachUser"]["errors"] == []
    admin = await log_in(accounts, world, "admin")
    await (
        await models.Habilitation.get(user_id=world.users["member"].id, profile__code="MARCHES_MODIFICATION")
    ).delete()
    added = await admin.query(
        """mutation($input: AddHabilitationInput!) { addHabilitation(input: $input) { errors { code } } }""",
        {
            "input": {
                "userId": gid("User", world.users["member"].id),
                "structureId": s,
                "profileId": await profile_id("MARCHES_CONSULTATION"),
            }
        },
    )
    assert added["addHabilitation"]["errors"] == []
    return manager


async def test_the_structures_activity_newest_first_with_filters(world: World, accounts: Accounts) -> None:
    manager = await _activity(world, accounts)
    s = gid("Structure", world.structure.id)
    data = await manager.query(EVENTS, {"id": s})
    events = data["structure"]["auditEvents"]
    actions = [e["node"]["action"] for e in events["edges"]]
    assert actions == ["habilitation.add", "membership.detach", "habilitation.remove", "membership.attach"]
    assert events["totalCount"] == 4
    detach = events["edges"][1]["node"]
    assert detach["actor"] == {"firstName": "Manager"} and detach["subjectUser"] == {"firstName": "Bruno"}
    assert detach["targetType"] == "Membership" and detach["structure"] == {"name": "Entreprise du Monde"}
    assert json.loads(detach["changes"])["status"] == ["ACTIVE", "DETACHED"]
    assert data["structure"]["auditActions"] == [
        "habilitation.add",
        "habilitation.remove",
        "membership.attach",
        "membership.detach",
    ]
    # by actor, by action (exact, or a kind), by date
    by_admin = await manager.query(EVENTS, {"id": s, "actor": gid("User", world.users["admin"].id)})
    assert [e["node"]["action"] for e in by_admin["structure"]["auditEvents"]["edges"]] == [
        "habilitation.add"
    ]
    exact = await manager.query(EVENTS, {"id": s, "action": "membership.detach"})
    assert exact["structure"]["auditEvents"]["totalCount"] == 1
    kind = await manager.query(EVENTS, {"id": s, "action": "habilitation."})
    assert kind["structure"]["auditEvents"]["totalCount"] == 2
    now = datetime.now(UTC)
    later = await manager.query(EVENTS, {"id": s, "from": (now + timedelta(hours=1)).isoformat()})
    assert later["structure"]["auditEvents"]["totalCount"] == 0
    window = await manager.query(
        EVENTS,
        {
            "id": s,
            "from": (now - timedelta(hours=1)).isoformat(),
            "to": (now + timedelta(hours=1)).isoformat(),
        },
    )
    assert window["structure"]["auditEvents"]["totalCount"] == 4
    page = await manager.query(EVENTS, {"id": s, "first": 3})
    assert page["structure"]["auditEvents"]["pageInfo"]["hasNextPage"] is True
    # a date range upside down
    body = await manager.post(
        EVENTS, {"id": s, "from": now.isoformat(), "to": (now - timedelta(days=1)).isoformat()}
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == ["VALIDATION"]


async def test_who_may_read_the_activity(world: World, accounts: Accounts) -> None:
    await _activity(world, accounts)
    s = gid("Structure", world.structure.id)
    # Organisation consultation on the structure
    member = await log_in(accounts, world, "member")
    assert (await member.query(EVENTS, {"id": s}))["structure"]["auditEvents"]["totalCount"] == 4
    for role in ("stranger", "service_member"):
        client = await log_in(accounts, world, role)
        body = await client.post(EVENTS, {"id": s})
        assert body["data"]["structure"]["auditEvents"] is None
        assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    # a user sees the events about themself through node(id:)
    event = await models.AuditEvent.get(action="habilitation.add", structure_id=world.structure.id)
    node = "query($id: ID!) { node(id: $id) { ... on AuditEvent { action subjectUser { firstName } } } }"
    assert (await member.query(node, {"id": gid("AuditEvent", event.id)}))["node"][
        "action"
    ] == "habilitation.add"
    stranger = await log_in(accounts, world, "stranger")
    body = await stranger.post(node, {"id": gid("AuditEvent", event.id)})
    assert body["data"]["node"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_activity_export(world: World, accounts: Accounts) -> None:
    manager = await _activity(world, accounts)
    s = gid("Structure", world.structure.id)
    response = await manager.http.get("/exports/activites.csv", params={"structureId": s})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Date",
        "Auteur",
        "Adresse de l'auteur",
        "Action",
        "Objet",
        "Identifiant de l'objet",
        "Utilisateur concerné",
        "Modifications",
    ]
    assert [row[3] for row in rows[1:]] == [
        "habilitation.add",
        "membership.detach",
        "habilitation.remove",
        "membership.attach",
    ]
    filtered = await manager.http.get(
        "/exports/activites.xlsx",
        params={"structureId": s, "actorId": gid("User", world.users["manager"].id), "action": "membership."},
    )
    sheet = list(
        openpyxl.load_workbook(io.BytesIO(filtered.content), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert [row[3] for row in sheet[1:]] == ["membership.detach", "membership.attach"]
    assert {row[1] for row in sheet[1:]} == {"Manager Monde"}
    # rights: the same as the list
    stranger = await log_in(accounts, world, "stranger")
    denied = await stranger.http.get("/exports/activites.csv", params={"structureId": s})
    assert denied.status_code == 403 and denied.json()["errors"][0]["code"] == "FORBIDDEN"
    missing = await manager.http.get("/exports/activites.csv")
    assert missing.status_code == 400 and missing.json()["errors"][0]["code"] == "REQUIRED"
    bad_date = await manager.http.get("/exports/activites.csv", params={"structureId": s, "from": "hier"})
    assert bad_date.status_code == 400 and bad_date.json()["errors"][0]["field"] == ["from"]
