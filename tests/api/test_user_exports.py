"""Exports of the users list (with their habilitations) and of the approvals: every matching row, CSV and XLSX."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

import backend.exports
from backend import models
from tests.api.users_helpers import gid, log_in
from tests.conftest import Accounts
from tests.world import World, build_world


@pytest.fixture
async def world(db) -> World:
    return await build_world()


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode()), "UTF-8 with BOM"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(content: bytes) -> list[list[object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheet = workbook.worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


async def _many_members(world: World, count: int) -> None:
    """``count`` more users attached with two profiles each; one of them named like a formula."""
    users = await models.User.bulk_create(
        [
            models.User(
                email=f"export-{i:03d}@example.org",
                password_hash="x",
                first_name='=HYPERLINK("http://x")' if i == 0 else f"Prénom {i:03d}",
                last_name=f"Exporté {i:03d}",
            )
            for i in range(count)
        ]
    )
    users = list(await models.User.filter(email__startswith="export-"))
    await models.Membership.bulk_create([models.Membership(user=u, structure=world.structure) for u in users])
    profiles = [
        await models.Profile.get(code="ENGAGEMENTS_CONSULTATION"),
        await models.Profile.get(code="SIGNATURE_MODIFICATION"),
    ]
    await models.Habilitation.bulk_create(
        [
            models.Habilitation(user=u, structure=world.structure, profile=p, application_id=p.application_id)
            for u in users
            for p in profiles
        ]
    )


async def test_the_users_export_has_every_matching_row_with_habilitations(
    world: World, accounts: Accounts, monkeypatch
) -> None:
    monkeypatch.setattr(backend.exports, "BATCH", 7)  # several batches
    await _many_members(world, 30)
    manager = await log_in(accounts, world, "manager")
    s = gid("Structure", world.structure.id)
    response = await manager.http.get("/exports/utilisateurs.csv", params={"structureId": s})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert re.search(
        r'attachment; filename="utilisateurs-\d{8}-\d{4}\.csv"', response.headers["content-disposition"]
    )
    rows = read_csv(response.content)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Nom", "Prénom", "Adresse électronique", "Téléphone"]
    assert header[-1] == "Habilitations"
    assert len(body) == 34  # the 4 members of the world and the 30 others, not a page of 20
    by_email = {row[2]: dict(zip(header, row, strict=True)) for row in body}
    exported = by_email["export-005@example.org"]
    assert exported["Habilitations"] == "Engagements consultation, Signature modification"
    assert exported["Raison sociale"] == "Entreprise du Monde"
    assert exported["État du rattachement"] == "Validée"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", exported["Date de rattachement"])
    assert by_email["manager@monde.test"]["Gestionnaire principal"] == "Oui"
    assert by_email["service_member@monde.test"]["Service"] == "Comptabilité"
    assert by_email["export-000@example.org"]["Prénom"].startswith("'=HYPERLINK")  # formula neutralised
    # sorted by last name like the list
    assert [row[0] for row in body][:2] == ["Exporté 000", "Exporté 001"]
    # ... across every batch of 7, none lost or repeated
    assert [row[0] for row in body if row[0].startswith("Exporté")] == [f"Exporté {i:03d}" for i in range(30)]

    xlsx = await manager.http.get("/exports/utilisateurs.xlsx", params={"structureId": s})
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = read_xlsx(xlsx.content)
    assert sheet[0] == header
    assert len(sheet) == 35
    assert [str(v) for v in sheet[1]] == body[0]


async def test_the_users_export_applies_the_list_filters_and_rights(world: World, accounts: Accounts) -> None:
    await _many_members(world, 3)
    manager = await log_in(accounts, world, "manager")
    s = gid("Structure", world.structure.id)
    only = await manager.http.get(
        "/exports/utilisateurs.csv", params={"structureId": s, "serviceId": gid("Service", world.service.id)}
    )
    assert [row[2] for row in read_csv(only.content)[1:]] == ["service_member@monde.test"]
    search = await manager.http.get(
        "/exports/utilisateurs.csv", params={"structureId": s, "search": "export-001"}
    )
    assert len(read_csv(search.content)) == 2
    signature = gid("Profile", (await models.Profile.get(code="SIGNATURE_MODIFICATION")).id)
    holders = await manager.http.get(
        "/exports/utilisateurs.csv", params={"structureId": s, "profileId": signature}
    )
    assert len(read_csv(holders.content)) == 1 + 3 + 3  # the 3 exported, the manager, member, service member
    # someone of another structure gets the header alone, as the list would show nothing
    stranger = await log_in(accounts, world, "stranger")
    theirs = await stranger.http.get("/exports/utilisateurs.csv", params={"structureId": s})
    assert read_csv(theirs.content)[1:] == []
    # anonymous: 401; a malformed id: 400 with a French message
    anonymous = accounts.client()
    denied = await anonymous.http.get("/exports/utilisateurs.csv", params={"structureId": s})
    assert denied.status_code == 401 and denied.json()["errors"][0]["code"] == "UNAUTHENTICATED"
    bad = await manager.http.get("/exports/utilisateurs.csv", params={"structureId": "pas-un-id"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == ["structureId"]
    assert (await manager.http.get("/exports/utilisateurs.pdf")).status_code == 404


async def test_the_approvals_export(world: World, accounts: Accounts) -> None:
    member = world.users["member"]
    profile = await models.Profile.get(code="ORGANISATION_MODIFICATION")
    from backend.models.sequences import next_approval_number

    for i in range(25):
        approval = await models.Approval.create(
            number=await next_approval_number(),
            kind=models.ApprovalKind.HABILITATION_CHANGE,
            state=models.ApprovalState.REFUSED if i % 5 == 0 else models.ApprovalState.REQUESTED,
            description=f"Demande n°{i}",
            requester=member,
            structure=world.structure,
            decision_reason="Non." if i % 5 == 0 else None,
        )
        await models.ApprovalProfileChange.create(approval=approval, profile=profile, change="ADD")
    manager = await log_in(accounts, world, "manager")
    response = await manager.http.get("/exports/approbations.csv")
    assert response.status_code == 200
    rows = read_csv(response.content)
    assert rows[0][:4] == ["Numéro", "État", "Type", "Description"]
    assert len(rows) == 26
    assert rows[1][0] == "RITM0000025"  # newest first
    assert {row[1] for row in rows[1:]} == {"Demandée", "Refusée"}
    refused = await manager.http.get("/exports/approbations.xlsx", params={"state": "REFUSED"})
    sheet = read_xlsx(refused.content)
    assert len(sheet) == 6 and {row[1] for row in sheet[1:]} == {"Refusée"}
    assert {row[-1] for row in sheet[1:]} == {"Non."}
    # the requester sees theirs; someone else nothing
    assert (
        len(
            read_csv(
                (
                    await (await log_in(accounts, world, "member")).http.get("/exports/approbations.csv")
                ).content
            )
        )
        == 26
    )
    assert (
        len(
            read_csv(
                (
                    await (await log_in(accounts, world, "stranger")).http.get("/exports/approbations.csv")
                ).content
            )
        )
        == 1
    )
    bad = await manager.http.get("/exports/approbations.csv", params={"state": "PERDU"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "VALIDATION"
