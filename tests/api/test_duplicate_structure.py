"""« Dupliquer une structure »: a new SIRET for an active SIRET structure; what is copied and what is
not; the origin deactivated in the same transaction; every refusal writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from backend import models
from backend.models import AccessLevel, ActivityStatus, MembershipStatus
from tests.api.test_structure_services import CREATE_SERVICE
from tests.api.test_structures import (  # shared helpers
    ACTIVATE,
    BOULANGERIE,
    CLOSED,
    GARNIER_EXPRESS,
    UNKNOWN,
    address,
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

DUPLICATE = """mutation($input: DuplicateStructureInput!) { duplicateStructure(input: $input) {
  structure { id identifier name label kind status email phone legalFeesProviderCategory
    address { line1 city }
    options { receivesLifecycleEdi isEdiSender activeConnectionRequest serviceCodeRequired
              commitmentNumberRequired nonDiffusibleInsee }
    principalManager { id } viewerIsPrincipalManager viewerProfiles { code }
    origin { id } services { edges { node { code name status } } }
    members { totalCount } }
  origin { id status version duplicates { id identifier } }
  errors { code field message }
} }"""


@pytest.fixture
async def origin(people, sirene) -> dict[str, Any]:
    """Boulangerie: options, two services, members of every kind, a document, a bank account."""
    manager = await people.browser("manager")
    structure = await created(
        manager,
        BOULANGERIE,
        label="Boulangerie Martin",
        email="contact@boulangerie.test",
        phone="04 78 00 00 10",
        legalFeesProviderCategory="Traducteur",
        options={
            "receivesLifecycleEdi": True,
            "isEdiSender": True,
            "activeConnectionRequest": True,
            "serviceCodeRequired": True,
            "commitmentNumberRequired": True,
        },
    )
    pk = pk_of(structure["id"])
    services = {}
    for code, name in (("COMPTA", "Comptabilité"), ("BOUTIQUE", "Boutique")):
        data = await manager.query(
            CREATE_SERVICE, {"input": {"structureId": structure["id"], "code": code, "name": name}}
        )
        services[code] = pk_of(data["createService"]["service"]["id"])
    await models.Service.filter(id=services["BOUTIQUE"]).update(status=ActivityStatus.INACTIVE)
    await attach(await people.user("member"), pk)
    await attach(await people.user("comptable"), pk, service_id=services["COMPTA"])
    await attach(await people.user("parti"), pk, status=MembershipStatus.DETACHED)
    await attach(await people.user("candidat"), pk, status=MembershipStatus.PENDING)
    document = await models.Document.create(
        structure_id=pk,
        filename="rib.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        storage_key="cle-rib",
    )
    await models.BankAccount.create(
        structure_id=pk,
        name="Compte courant",
        country="FR",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        rib_document=document,
    )
    return {**structure, "services": services}


async def test_duplicating_copies_what_the_reference_says_and_deactivates_the_origin(people, origin) -> None:
    manager = await people.browser("manager")
    data = await manager.query(
        DUPLICATE, {"input": {"structureId": origin["id"], "newSiret": GARNIER_EXPRESS}}
    )
    payload = data["duplicateStructure"]
    assert payload["errors"] == []
    new = payload["structure"]
    assert (new["identifier"], new["kind"], new["status"]) == (GARNIER_EXPRESS, "PRIVATE", "ACTIVE")
    assert new["name"] == "GARNIER EXPRESS"  # the register's, for the new SIRET
    assert new["address"] == {"line1": "130 BOULEVARD GAMBETTA", "city": "GRENOBLE"}
    assert (new["label"], new["email"], new["phone"]) == (
        "Boulangerie Martin",
        "contact@boulangerie.test",
        "04 78 00 00 10",
    )
    assert new["legalFeesProviderCategory"] == "Traducteur"
    assert new["options"] == {
        "receivesLifecycleEdi": False,  # connection (EDI) settings are not copied
        "isEdiSender": False,
        "activeConnectionRequest": False,
        "serviceCodeRequired": True,
        "commitmentNumberRequired": True,
        "nonDiffusibleInsee": False,
    }
    assert new["principalManager"]["id"] == gid("User", people.users["manager"].id)
    assert new["viewerIsPrincipalManager"] is True
    assert len(new["viewerProfiles"]) == 15
    assert new["origin"]["id"] == origin["id"]
    assert [e["node"] for e in new["services"]["edges"]] == [
        {"code": "BOUTIQUE", "name": "Boutique", "status": "INACTIVE"},
        {"code": "COMPTA", "name": "Comptabilité", "status": "ACTIVE"},
    ]
    assert new["members"]["totalCount"] == 3  # manager, member, comptable: active ones only

    assert payload["origin"]["status"] == "INACTIVE"
    assert payload["origin"]["version"] == 2
    assert payload["origin"]["duplicates"] == [{"id": new["id"], "identifier": GARNIER_EXPRESS}]

    old_pk, new_pk = pk_of(origin["id"]), pk_of(new["id"])
    new_compta = await models.Service.get(structure_id=new_pk, code="COMPTA")
    memberships = {
        (m.user_id, m.service_id, m.status) for m in await models.Membership.filter(structure_id=new_pk)
    }
    users = people.users
    assert memberships == {
        (users["manager"].id, None, MembershipStatus.ACTIVE),
        (users["member"].id, None, MembershipStatus.ACTIVE),
        (users["comptable"].id, new_compta.id, MembershipStatus.ACTIVE),
    }
    for key, service_id in (("member", None), ("comptable", new_compta.id)):
        old_service = origin["services"]["COMPTA"] if service_id else None
        old = await models.Habilitation.filter(
            user_id=users[key].id, structure_id=old_pk, service_id=old_service
        ).values_list("profile_id", flat=True)
        copied = await models.Habilitation.filter(
            user_id=users[key].id, structure_id=new_pk, service_id=service_id
        ).values_list("profile_id", flat=True)
        assert sorted(copied) == sorted(old) and len(copied) == 15
    assert await organisation_level(users["manager"], new_pk) is AccessLevel.MODIFICATION
    assert await organisation_level(users["member"], new_pk) is AccessLevel.CONSULTATION
    assert await models.Habilitation.filter(structure_id=new_pk, user_id=users["parti"].id).count() == 0

    [account] = await models.BankAccount.filter(structure_id=new_pk)
    assert (account.status, account.iban, account.name) == (
        ActivityStatus.INACTIVE,
        "FR7630006000011234567890189",
        "Compte courant",
    )
    assert (await models.BankAccount.get(structure_id=old_pk)).status is ActivityStatus.ACTIVE
    assert await models.Document.filter(structure_id=new_pk).count() == 0

    actions = (
        await models.AuditEvent.filter(action__in=["structure.duplicate", "structure.deactivate"])
        .order_by("id")
        .values_list("action", "structure_id")
    )
    assert actions == [("structure.duplicate", new_pk), ("structure.deactivate", old_pk)]


async def test_what_the_user_types_wins_over_the_register(people, origin) -> None:
    data = await (await people.browser("manager")).query(
        DUPLICATE,
        {
            "input": {
                "structureId": origin["id"],
                "newSiret": GARNIER_EXPRESS,
                "name": "Boulangerie Martin Grenoble",
                "label": "Grenoble",
                "email": "grenoble@boulangerie.test",
                "address": address(line1="4 place des Terreaux", postalCode="38000", city="Grenoble"),
                "nonDiffusibleInsee": True,
            }
        },
    )
    new = data["duplicateStructure"]["structure"]
    assert (new["name"], new["label"], new["email"]) == (
        "Boulangerie Martin Grenoble",
        "Grenoble",
        "grenoble@boulangerie.test",
    )
    assert new["address"] == {"line1": "4 place des Terreaux", "city": "Grenoble"}
    assert new["options"]["nonDiffusibleInsee"] is True


@pytest.mark.parametrize(
    ("new_siret", "code"),
    [
        ("7901234590002", "VALIDATION"),
        ("79012345900023", "VALIDATION"),
        (BOULANGERIE, "ALREADY_EXISTS"),
        (UNKNOWN, "SIRENE_UNKNOWN"),
        (CLOSED, "SIRENE_CLOSED"),
    ],
)
async def test_the_new_siret_is_checked_as_at_creation_and_nothing_is_written(
    people, origin, new_siret: str, code: str
) -> None:
    before = await snapshot()
    data = await (await people.browser("manager")).query(
        DUPLICATE, {"input": {"structureId": origin["id"], "newSiret": new_siret}}
    )
    payload = data["duplicateStructure"]
    assert (payload["structure"], payload["origin"]) == (None, None)
    assert codes(payload) == [code]
    assert payload["errors"][0]["field"] == ["input", "newSiret"]
    assert await snapshot() == before


async def test_only_an_active_siret_structure_can_be_duplicated(people, origin) -> None:
    manager = await people.browser("manager")
    await models.Structure.filter(id=pk_of(origin["id"])).update(status=ActivityStatus.INACTIVE)
    before = await snapshot()
    inactive = await manager.query(
        DUPLICATE, {"input": {"structureId": origin["id"], "newSiret": GARNIER_EXPRESS}}
    )
    assert codes(inactive["duplicateStructure"]) == ["INVALID_STATE"]
    assert "active" in inactive["duplicateStructure"]["errors"][0]["message"]

    other = await create(
        manager, identifierType="HORS_UE", identifier="ACME 7", name="Acme", address=address()
    )
    not_siret = await manager.query(
        DUPLICATE, {"input": {"structureId": other["structure"]["id"], "newSiret": GARNIER_EXPRESS}}
    )
    assert codes(not_siret["duplicateStructure"]) == ["INVALID_STATE"]
    assert "SIRET" in not_siret["duplicateStructure"]["errors"][0]["message"]
    after = await snapshot()
    assert after["services"] == before["services"]
    assert await models.Structure.filter(identifier=GARNIER_EXPRESS).count() == 0


async def test_without_organisation_modification_a_structure_cannot_be_duplicated(people, origin) -> None:
    before = await snapshot()
    for role in ("member", "stranger"):
        data = await (await people.browser(role)).query(
            DUPLICATE, {"input": {"structureId": origin["id"], "newSiret": GARNIER_EXPRESS}}
        )
        assert codes(data["duplicateStructure"]) == ["FORBIDDEN"]
    assert await snapshot() == before


async def test_the_origin_can_be_reactivated_later_with_its_siret_rechecked(people, origin) -> None:
    manager = await people.browser("manager")
    await manager.query(DUPLICATE, {"input": {"structureId": origin["id"], "newSiret": GARNIER_EXPRESS}})
    await models.SireneEstablishment.filter(siret=BOULANGERIE).update(is_active=False)
    refused = await manager.query(ACTIVATE, {"id": origin["id"]})
    assert codes(refused["activateStructure"]) == ["SIRENE_CLOSED"]
    await models.SireneEstablishment.filter(siret=BOULANGERIE).update(is_active=True)
    again = await manager.query(ACTIVATE, {"id": origin["id"]})
    assert again["activateStructure"]["structure"]["status"] == "ACTIVE"
