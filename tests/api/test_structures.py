"""Structures through the API, as a manager meets them: create (every identifier type, the SIRET
checks in the contract's order), modify with optimistic locking, activate, deactivate, update from
INSEE; the directory's cost per page.

The helpers at the top are shared by the other structure test modules.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from strawberry import relay

from backend import models
from backend.auth.passwords import hash_password
from backend.models import AccessLevel, IdentifierType, MembershipStatus
from backend.seed.demo import SIRENE_SAMPLE
from backend.sirene.importer import import_stock_file
from tests.conftest import LOG_IN, GraphQLClient

PASSWORD = "Structure-Essai-2026"

BOULANGERIE = "81234567600017"  # active, BOULANGERIE MARTIN ET FILS, Lyon
ATELIER = "84561237300017"  # active
GARNIER = "79012345900014"  # active
GARNIER_EXPRESS = "79012345900022"  # active
CLOSED = "81234567600025"  # closed (fermé)
LA_POSTE = "35600000012341"  # active, La Poste's rule instead of Luhn
NOT_DIFFUSED = "55678901400017"  # active, partially non-diffusible: no name, no address
UNKNOWN = "73282932000074"  # valid Luhn, absent from the register

STRUCTURE_FIELDS = """
  id identifierType identifier name label kind status city email phone version legalFeesProviderCategory
  address { line1 line2 line3 postalCode city country }
  options { receivesLifecycleEdi isEdiSender activeConnectionRequest serviceCodeRequired
            commitmentNumberRequired nonDiffusibleInsee }
  principalManager { id }
  viewerIsPrincipalManager
  viewerProfiles { code }
"""
CREATE = f"""mutation($input: CreateStructureInput!) {{
  createStructure(input: $input) {{ structure {{ {STRUCTURE_FIELDS} }} errors {{ code field message }} }}
}}"""
UPDATE = f"""mutation($id: ID!, $version: Int!, $input: UpdateStructureInput!) {{
  updateStructure(id: $id, version: $version, input: $input) {{
    structure {{ {STRUCTURE_FIELDS} }} errors {{ code field message }} }}
}}"""
ACTIVATE = """mutation($id: ID!) { activateStructure(id: $id) {
  structure { status version } errors { code field message } } }"""
DEACTIVATE = """mutation($id: ID!) { deactivateStructure(id: $id) {
  structure { status version } errors { code field message } } }"""
REFRESH = f"""mutation($id: ID!) {{ refreshStructureFromSirene(id: $id) {{
  structure {{ {STRUCTURE_FIELDS} }} errors {{ code field message }} }} }}"""


def gid(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def pk_of(global_id: str) -> int:
    return int(relay.GlobalID.from_id(global_id).node_id)


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["errors"]]


def address(**changes: str) -> dict[str, str]:
    return {"line1": "1 place Bellecour", "postalCode": "69002", "city": "Lyon", "country": "FR", **changes}


async def load_sirene() -> None:
    await import_stock_file(SIRENE_SAMPLE)


async def profiles_at(level: AccessLevel, organisation: AccessLevel | None = None) -> dict[str, AccessLevel]:
    levels = {code: level for code in await models.Application.all().values_list("code", flat=True)}
    if organisation is not None:
        levels["ORGANISATION"] = organisation
    return levels


async def attach(
    user: models.User,
    structure_id: int,
    *,
    service_id: int | None = None,
    levels: dict[str, AccessLevel] | None = None,
    status: MembershipStatus = MembershipStatus.ACTIVE,
) -> models.Membership:
    """A membership with its habilitations (default: what an attached user gets)."""
    if levels is None:
        levels = await profiles_at(AccessLevel.MODIFICATION, organisation=AccessLevel.CONSULTATION)
    membership = await models.Membership.create(
        user=user, structure_id=structure_id, service_id=service_id, status=status
    )
    for profile in await models.Profile.all().prefetch_related("application"):
        if levels.get(profile.application.code) == profile.level:
            await models.Habilitation.create(
                user=user,
                structure_id=structure_id,
                service_id=service_id,
                profile=profile,
                application_id=profile.application_id,
            )
    return membership


async def organisation_level(user: models.User, structure_id: int) -> AccessLevel | None:
    row = await models.Habilitation.filter(
        user_id=user.id, structure_id=structure_id, service_id=None, application__code="ORGANISATION"
    ).prefetch_related("profile")
    assert len(row) <= 1
    return row[0].profile.level if row else None


async def snapshot() -> dict[str, Any]:
    """What the tests check was not written."""
    return {
        "structures": sorted(
            await models.Structure.all().values_list(
                "id", "identifier", "name", "status", "version", "principal_manager_id"
            )
        ),
        "services": sorted(await models.Service.all().values_list("id", "code", "name", "status", "version")),
        "memberships": sorted(
            await models.Membership.all().values_list("id", "user_id", "structure_id", "status")
        ),
        "habilitations": sorted(
            await models.Habilitation.all().values_list("id", "user_id", "structure_id", "profile_id")
        ),
        "bank_accounts": await models.BankAccount.all().count(),
        "audit": await models.AuditEvent.exclude(action="user.log_in").count(),
    }


class People:
    """Accounts made directly, each with their own browser logged in through `logIn`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.users: dict[str, models.User] = {}
        self._browsers: dict[str, GraphQLClient] = {}
        self._hash = hash_password(PASSWORD)

    async def user(self, key: str, *, admin: bool = False, support: bool = False) -> models.User:
        if key not in self.users:
            self.users[key] = await models.User.create(
                email=f"{key}@structures.test",
                password_hash=self._hash,
                first_name=key.capitalize(),
                last_name="Essai",
                is_platform_admin=admin,
                is_support_agent=support,
            )
        return self.users[key]

    async def browser(self, key: str, **flags: bool) -> GraphQLClient:
        if key not in self._browsers:
            user = await self.user(key, **flags)
            http = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.app), base_url="http://testserver"
            )
            client = GraphQLClient(http, email=user.email)
            data = await client.query(LOG_IN, {"email": user.email, "password": PASSWORD, "code": None})
            assert data["logIn"]["errors"] == [], data
            self._browsers[key] = client
        return self._browsers[key]

    def anonymous(self) -> GraphQLClient:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://testserver")
        client = GraphQLClient(http)
        self._browsers[f"anonymous-{len(self._browsers)}"] = client
        return client

    async def close(self) -> None:
        for client in self._browsers.values():
            await client.http.aclose()


async def open_people(app: Any) -> Any:
    """The `people` fixture (other modules declare it with ``pytest.fixture(name="people")(open_people)``)."""
    helper = People(app)
    yield helper
    await helper.close()


async def seed_sirene(db: Any) -> None:
    """The `sirene` fixture: the register's sample establishments."""
    await load_sirene()


people_fixture = pytest.fixture(name="people")(open_people)
sirene_fixture = pytest.fixture(name="sirene")(seed_sirene)


async def create(browser: GraphQLClient, **input_: Any) -> dict[str, Any]:
    """createStructure's payload."""
    data = await browser.query(CREATE, {"input": input_})
    return data["createStructure"]


async def created(browser: GraphQLClient, siret: str = BOULANGERIE, **input_: Any) -> dict[str, Any]:
    """A SIRET structure that must be created without error."""
    payload = await create(browser, identifierType="SIRET", identifier=siret, **input_)
    assert payload["errors"] == [], payload
    return payload["structure"]


# ---------------------------------------------------------------------------------------- create


async def test_a_siret_structure_is_prefilled_from_sirene_and_its_creator_becomes_principal_manager(
    people, sirene
) -> None:
    manager = await people.browser("manager")
    structure = await created(manager, BOULANGERIE, email="Contact@Boulangerie.test", phone="04 78 00 00 10")

    assert structure["identifierType"] == "SIRET" and structure["identifier"] == BOULANGERIE
    assert structure["name"] == "BOULANGERIE MARTIN ET FILS"
    assert structure["address"] == {
        "line1": "12 RUE DE LA REPUBLIQUE",
        "line2": None,
        "line3": None,
        "postalCode": "69002",
        "city": "LYON 2EME ARRONDISSEMENT",
        "country": "FR",
    }
    assert (structure["kind"], structure["status"], structure["version"]) == ("PRIVATE", "ACTIVE", 1)
    assert structure["email"] == "contact@boulangerie.test"
    assert structure["viewerIsPrincipalManager"] is True
    assert structure["principalManager"]["id"] == gid("User", people.users["manager"].id)
    assert structure["options"]["nonDiffusibleInsee"] is False
    # every profile at modification level, Organisation modification included
    assert len(structure["viewerProfiles"]) == 15
    assert {p["code"] for p in structure["viewerProfiles"]} == {
        f"{code}_MODIFICATION" for code in await models.Application.all().values_list("code", flat=True)
    }

    pk = pk_of(structure["id"])
    [membership] = await models.Membership.filter(structure_id=pk)
    assert (membership.user_id, membership.service_id, membership.status) == (
        people.users["manager"].id,
        None,
        MembershipStatus.ACTIVE,
    )
    [event] = await models.AuditEvent.filter(action="structure.create")
    assert (event.actor_id, event.structure_id, event.target_id) == (people.users["manager"].id, pk, str(pk))
    changes = json.loads(event.changes)
    assert changes["identifier"] == [None, BOULANGERIE]
    assert changes["name"] == [None, "BOULANGERIE MARTIN ET FILS"]


async def test_what_the_creator_types_wins_over_the_register(people, sirene) -> None:
    manager = await people.browser("manager")
    structure = await created(
        manager,
        ATELIER,
        name="  Atelier Numérique  ",
        label="Atelier",
        address=address(line2="Bâtiment C"),
        options={"serviceCodeRequired": True, "isEdiSender": True},
        legalFeesProviderCategory="Interprète",
    )
    assert (structure["name"], structure["label"]) == ("Atelier Numérique", "Atelier")
    assert structure["address"]["line1"] == "1 place Bellecour"
    assert structure["address"]["line2"] == "Bâtiment C"
    assert structure["options"]["serviceCodeRequired"] is True
    assert structure["options"]["isEdiSender"] is True
    assert structure["options"]["receivesLifecycleEdi"] is False
    assert structure["legalFeesProviderCategory"] == "Interprète"


async def test_a_la_poste_siret_follows_its_own_rule(people, sirene) -> None:
    structure = await created(await people.browser("manager"), LA_POSTE)
    assert structure["name"] == "LA POSTE BELLECOUR"


async def test_a_non_diffusible_establishment_needs_its_name_and_address_typed(people, sirene) -> None:
    manager = await people.browser("manager")
    before = await snapshot()
    payload = await create(manager, identifierType="SIRET", identifier=NOT_DIFFUSED)
    assert sorted(codes(payload)) == ["REQUIRED", "REQUIRED"]
    assert sorted(e["field"][-1] for e in payload["errors"]) == ["address", "name"]
    assert all("SIRENE ne la diffuse pas" in e["message"] for e in payload["errors"])
    assert await snapshot() == before

    structure = await created(manager, NOT_DIFFUSED, name="Cabinet discret", address=address())
    assert structure["options"]["nonDiffusibleInsee"] is True


@pytest.mark.parametrize(
    ("identifier_type", "identifier", "stored"),
    [
        ("UE_HORS_FRANCE", "de 136 695 976", "DE136695976"),
        ("HORS_UE", "Acme  Corporation 42", "Acme Corporation 42"),
        ("RIDET", "1234567.001", "1234567001"),
        ("TAHITI", "a12b34567", "A12B34567"),
        ("AUTRE", "En cours 2026", "En cours 2026"),
    ],
)
async def test_every_identifier_type_creates_its_structure_without_sirene(
    people, db, identifier_type: str, identifier: str, stored: str
) -> None:
    manager = await people.browser("manager")
    payload = await create(
        manager,
        identifierType=identifier_type,
        identifier=identifier,
        name="Structure étrangère",
        address=address(postalCode="10115", city="Berlin", country="DE"),
    )
    assert payload["errors"] == []
    assert (payload["structure"]["identifierType"], payload["structure"]["identifier"]) == (
        identifier_type,
        stored,
    )
    assert payload["structure"]["viewerIsPrincipalManager"] is True


async def test_a_private_individual_gets_an_identifier_from_the_portal(people, db) -> None:
    manager = await people.browser("manager")
    first = await create(manager, identifierType="PARTICULIER", name="Jeanne Particulier", address=address())
    second = await create(manager, identifierType="PARTICULIER", name="Jean Particulier", address=address())
    assert first["errors"] == [] and second["errors"] == []
    assert first["structure"]["identifier"] == "PART0000000001"
    assert second["structure"]["identifier"] == "PART0000000002"

    given = await create(manager, identifierType="PARTICULIER", identifier="MOI", name="X", address=address())
    assert codes(given) == ["VALIDATION"]
    assert "attribué par le portail" in given["errors"][0]["message"]


async def test_a_non_siret_structure_needs_its_name_and_address(people, db) -> None:
    manager = await people.browser("manager")
    payload = await create(manager, identifierType="RIDET", identifier="1234567001")
    assert sorted((e["code"], tuple(e["field"])) for e in payload["errors"]) == [
        ("REQUIRED", ("input", "address")),
        ("REQUIRED", ("input", "name")),
    ]
    assert await models.Structure.all().count() == 0


@pytest.mark.parametrize(
    ("identifier", "code", "message"),
    [
        ("8123456760001", "VALIDATION", "14 chiffres"),
        ("81234567600018", "VALIDATION", "clé de contrôle"),
        (UNKNOWN, "SIRENE_UNKNOWN", "absent du répertoire SIRENE"),
        (CLOSED, "SIRENE_CLOSED", "fermé"),
    ],
)
async def test_a_bad_siret_is_refused_with_its_code_and_nothing_is_written(
    people, sirene, identifier: str, code: str, message: str
) -> None:
    manager = await people.browser("manager")
    before = await snapshot()
    payload = await create(manager, identifierType="SIRET", identifier=identifier)
    assert payload["structure"] is None
    assert codes(payload) == [code]
    assert payload["errors"][0]["field"] == ["input", "identifier"]
    assert message in payload["errors"][0]["message"]
    assert await snapshot() == before


async def test_the_siret_checks_answer_in_the_contract_order(people, sirene) -> None:
    manager = await people.browser("manager")
    # already in the portal, although absent from the register: ALREADY_EXISTS comes first
    await models.Structure.create(
        identifier_type=IdentifierType.SIRET,
        identifier=UNKNOWN,
        name="Ancienne",
        address_line1="1 rue",
        postal_code="75001",
        city="Paris",
    )
    taken = await create(manager, identifierType="SIRET", identifier=UNKNOWN)
    assert codes(taken) == ["ALREADY_EXISTS"]
    assert "existe déjà" in taken["errors"][0]["message"]
    # malformed beats everything, and comes with the other field errors at once
    malformed = await create(manager, identifierType="SIRET", identifier="123", email="pas-un-email")
    assert sorted((e["code"], e["field"][-1]) for e in malformed["errors"]) == [
        ("VALIDATION", "email"),
        ("VALIDATION", "identifier"),
    ]
    # a closed SIRET that is already in the portal: ALREADY_EXISTS before SIRENE_CLOSED
    await created(manager, BOULANGERIE)
    await models.SireneEstablishment.filter(siret=BOULANGERIE).update(is_active=False)
    assert codes(await create(manager, identifierType="SIRET", identifier=BOULANGERIE)) == ["ALREADY_EXISTS"]


async def test_an_identifier_is_unique_per_type(people, db) -> None:
    manager = await people.browser("manager")
    values = {"identifierType": "RIDET", "identifier": "1234567001", "name": "Nouméa", "address": address()}
    assert (await create(manager, **values))["errors"] == []
    before = await snapshot()
    again = await create(manager, **{**values, "identifier": "1234567.001"})
    assert codes(again) == ["ALREADY_EXISTS"]
    assert await snapshot() == before


async def test_a_public_structure_is_for_platform_administrators_only_and_has_no_manager(
    people, sirene
) -> None:
    manager = await people.browser("manager")
    before = await snapshot()
    refused = await create(manager, identifierType="SIRET", identifier="11000001500013", kind="PUBLIC")
    assert codes(refused) == ["FORBIDDEN"]
    assert "administrateur" in refused["errors"][0]["message"]
    assert await snapshot() == before

    admin = await people.browser("admin", admin=True)
    payload = await create(admin, identifierType="SIRET", identifier="11000001500013", kind="PUBLIC")
    assert payload["errors"] == []
    structure = payload["structure"]
    assert (structure["kind"], structure["principalManager"], structure["viewerIsPrincipalManager"]) == (
        "PUBLIC",
        None,
        False,
    )
    assert await models.Membership.filter(structure_id=pk_of(structure["id"])).count() == 0


async def test_an_anonymous_client_cannot_create_a_structure(people, sirene) -> None:
    payload = await create(people.anonymous(), identifierType="SIRET", identifier=BOULANGERIE)
    assert codes(payload) == ["UNAUTHENTICATED"]
    assert await models.Structure.all().count() == 0


async def test_bad_contact_details_and_address_are_all_reported_at_once(people, sirene) -> None:
    payload = await create(
        await people.browser("manager"),
        identifierType="SIRET",
        identifier=BOULANGERIE,
        email="contact@",
        phone="appelez-moi",
        address=address(postalCode="690", country="ZZ"),
    )
    assert sorted(tuple(e["field"]) for e in payload["errors"]) == [
        ("input", "address", "country"),
        ("input", "email"),
        ("input", "phone"),
    ]
    assert all(e["code"] == "VALIDATION" for e in payload["errors"])
    assert await models.Structure.all().count() == 0


# ---------------------------------------------------------------------------------------- manage


@pytest.fixture
async def boulangerie(people, sirene) -> dict[str, Any]:
    """A structure of `manager`, with a member (default profiles) and a stranger elsewhere."""
    structure = await created(await people.browser("manager"), BOULANGERIE)
    await attach(await people.user("member"), pk_of(structure["id"]))
    await created(await people.browser("stranger"), ATELIER)
    return structure


async def test_the_manager_modifies_the_editable_fields_and_the_version_moves_on(people, boulangerie) -> None:
    manager = await people.browser("manager")
    data = await manager.query(
        UPDATE,
        {
            "id": boulangerie["id"],
            "version": 1,
            "input": {
                "label": "Boulangerie du centre",
                "email": "compta@boulangerie.test",
                "address": address(line2="Bâtiment B"),
                "options": {"commitmentNumberRequired": True},
            },
        },
    )
    payload = data["updateStructure"]
    assert payload["errors"] == []
    structure = payload["structure"]
    assert structure["version"] == 2
    assert structure["label"] == "Boulangerie du centre"
    assert structure["name"] == "BOULANGERIE MARTIN ET FILS"  # left out: unchanged
    assert structure["address"]["line2"] == "Bâtiment B"
    assert structure["options"]["commitmentNumberRequired"] is True
    assert structure["options"]["serviceCodeRequired"] is False

    [event] = await models.AuditEvent.filter(action="structure.update")
    changes = json.loads(event.changes)
    assert changes["label"] == [None, "Boulangerie du centre"]
    assert changes["commitment_number_required"] == [False, True]
    assert "name" not in changes

    # null clears an optional field
    cleared = await manager.query(UPDATE, {"id": boulangerie["id"], "version": 2, "input": {"label": None}})
    assert cleared["updateStructure"]["structure"]["label"] is None


async def test_a_stale_version_is_refused_and_nothing_is_written(people, boulangerie) -> None:
    manager = await people.browser("manager")
    first = await manager.query(UPDATE, {"id": boulangerie["id"], "version": 1, "input": {"label": "A"}})
    assert first["updateStructure"]["errors"] == []
    before = await snapshot()
    stale = await manager.query(UPDATE, {"id": boulangerie["id"], "version": 1, "input": {"label": "B"}})
    payload = stale["updateStructure"]
    assert payload["structure"] is None
    assert codes(payload) == ["CONFLICT"]
    assert "rechargez" in payload["errors"][0]["message"]
    assert await snapshot() == before
    assert (await models.Structure.get(id=pk_of(boulangerie["id"]))).label == "A"


async def test_greyed_fields_are_not_part_of_the_update(people, boulangerie) -> None:
    body = await (await people.browser("manager")).post(
        'mutation($id: ID!) { updateStructure(id: $id, version: 1, input: { identifier: "79012345900014" }) '
        "{ errors { code } } }",
        {"id": boulangerie["id"]},
    )
    assert body.get("data") is None
    assert "identifier" in body["errors"][0]["message"]
    assert (await models.Structure.get(id=pk_of(boulangerie["id"]))).identifier == BOULANGERIE


async def test_a_blank_company_name_is_refused(people, boulangerie) -> None:
    data = await (await people.browser("manager")).query(
        UPDATE, {"id": boulangerie["id"], "version": 1, "input": {"name": "   ", "email": "x@"}}
    )
    assert sorted((e["code"], e["field"][-1]) for e in data["updateStructure"]["errors"]) == [
        ("REQUIRED", "name"),
        ("VALIDATION", "email"),
    ]
    assert (await models.Structure.get(id=pk_of(boulangerie["id"]))).version == 1


@pytest.mark.parametrize("role", ["member", "stranger"])
async def test_without_organisation_modification_a_structure_cannot_be_managed(
    people, boulangerie, role: str
) -> None:
    browser = await people.browser(role)
    before = await snapshot()
    variables = {"id": boulangerie["id"]}
    answers = [
        (await browser.query(UPDATE, {**variables, "version": 1, "input": {"label": "x"}}))[
            "updateStructure"
        ],
        (await browser.query(DEACTIVATE, variables))["deactivateStructure"],
        (await browser.query(ACTIVATE, variables))["activateStructure"],
        (await browser.query(REFRESH, variables))["refreshStructureFromSirene"],
    ]
    assert [codes(a) for a in answers] == [["FORBIDDEN"]] * 4
    assert await snapshot() == before


async def test_an_unknown_id_answers_like_a_forbidden_one_and_a_malformed_one_is_invalid(
    people, boulangerie
) -> None:
    browser = await people.browser("member")
    forbidden = (await browser.query(DEACTIVATE, {"id": boulangerie["id"]}))["deactivateStructure"]["errors"]
    missing = (await browser.query(DEACTIVATE, {"id": gid("Structure", 999_999)}))["deactivateStructure"][
        "errors"
    ]
    assert forbidden == missing
    assert [e["code"] for e in missing] == ["FORBIDDEN"]
    wrong_type = (await browser.query(DEACTIVATE, {"id": gid("Service", 1)}))["deactivateStructure"]["errors"]
    garbage = (await browser.query(DEACTIVATE, {"id": "n'importe quoi"}))["deactivateStructure"]["errors"]
    assert [(e["code"], e["field"]) for e in wrong_type + garbage] == [("VALIDATION", ["id"])] * 2


async def test_deactivate_then_activate_with_the_siret_rechecked(people, boulangerie) -> None:
    manager = await people.browser("manager")
    variables = {"id": boulangerie["id"]}
    off = (await manager.query(DEACTIVATE, variables))["deactivateStructure"]
    assert off == {"structure": {"status": "INACTIVE", "version": 2}, "errors": []}
    again = (await manager.query(DEACTIVATE, variables))["deactivateStructure"]
    assert codes(again) == ["INVALID_STATE"]

    await models.SireneEstablishment.filter(siret=BOULANGERIE).update(is_active=False)
    before = await snapshot()
    closed = (await manager.query(ACTIVATE, variables))["activateStructure"]
    assert codes(closed) == ["SIRENE_CLOSED"]
    assert "réactivée" in closed["errors"][0]["message"]
    assert await snapshot() == before

    await models.SireneEstablishment.filter(siret=BOULANGERIE).update(is_active=True)
    on = (await manager.query(ACTIVATE, variables))["activateStructure"]
    assert on == {"structure": {"status": "ACTIVE", "version": 3}, "errors": []}
    assert codes((await manager.query(ACTIVATE, variables))["activateStructure"]) == ["INVALID_STATE"]
    actions = (
        await models.AuditEvent.filter(structure_id=pk_of(boulangerie["id"]))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["structure.create", "structure.deactivate", "structure.activate"]


async def test_a_non_siret_structure_is_reactivated_without_sirene(people, db) -> None:
    manager = await people.browser("manager")
    payload = await create(
        manager, identifierType="HORS_UE", identifier="ACME 1", name="Acme", address=address(country="US")
    )
    variables = {"id": payload["structure"]["id"]}
    assert (await manager.query(DEACTIVATE, variables))["deactivateStructure"]["errors"] == []
    assert (await manager.query(ACTIVATE, variables))["activateStructure"]["structure"]["status"] == "ACTIVE"


async def test_update_from_insee_takes_the_registers_name_and_address(people, boulangerie) -> None:
    manager = await people.browser("manager")
    await manager.query(
        UPDATE,
        {"id": boulangerie["id"], "version": 1, "input": {"name": "Ma boulangerie", "address": address()}},
    )
    await models.SireneEstablishment.filter(siret=BOULANGERIE).update(address_line1="3 QUAI SAINT-ANTOINE")
    payload = (await manager.query(REFRESH, {"id": boulangerie["id"]}))["refreshStructureFromSirene"]
    assert payload["errors"] == []
    structure = payload["structure"]
    assert structure["name"] == "BOULANGERIE MARTIN ET FILS"
    assert structure["address"]["line1"] == "3 QUAI SAINT-ANTOINE"
    assert structure["address"]["city"] == "LYON 2EME ARRONDISSEMENT"
    assert structure["version"] == 3
    [event] = await models.AuditEvent.filter(action="structure.refresh_from_sirene")
    assert json.loads(event.changes)["name"] == ["Ma boulangerie", "BOULANGERIE MARTIN ET FILS"]

    unchanged = (await manager.query(REFRESH, {"id": boulangerie["id"]}))["refreshStructureFromSirene"]
    assert unchanged["structure"]["version"] == 3


async def test_update_from_insee_is_for_siret_structures(people, db) -> None:
    manager = await people.browser("manager")
    payload = await create(
        manager, identifierType="RIDET", identifier="1234567001", name="N", address=address()
    )
    refused = (await manager.query(REFRESH, {"id": payload["structure"]["id"]}))["refreshStructureFromSirene"]
    assert codes(refused) == ["INVALID_STATE"]


async def test_the_manager_sees_the_structure_through_the_query_after_creating_it(
    people, boulangerie
) -> None:
    data = await (await people.browser("manager")).query(
        "query($id: ID!) { structure(id: $id) { name email version viewerIsPrincipalManager } }",
        {"id": boulangerie["id"]},
    )
    assert data["structure"] == {
        "name": "BOULANGERIE MARTIN ET FILS",
        "email": None,
        "version": 1,
        "viewerIsPrincipalManager": True,
    }


# ---------------------------------------------------------------------------------------- directory

DIRECTORY = """query($first: Int) { structures(first: $first) { totalCount edges { node {
  id identifier name label kind status city email version
  principalManager { firstName }
  viewerIsPrincipalManager viewerProfiles { code }
  services(first: 5) { totalCount edges { node { code name status description } } }
  origin { id } duplicates { id }
} } } }"""


async def _structures_with_services(count: int, manager: models.User) -> None:
    levels = await profiles_at(AccessLevel.CONSULTATION)
    for i in range(count):
        structure = await models.Structure.create(
            identifier_type=IdentifierType.HORS_UE,
            identifier=f"ANNUAIRE {count} {i}",
            name=f"Annuaire {count}-{i:03d}",
            address_line1="1 rue",
            postal_code="75001",
            city="Paris",
            principal_manager=manager,
        )
        await attach(manager, structure.id, levels=levels)
        for code in ("A", "B"):
            await models.Service.create(structure=structure, code=code, name=f"Service {code}")


async def test_the_directory_costs_the_same_for_5_and_for_50_structures(people, db, count_queries) -> None:
    few_user = await people.user("peu")
    many_user = await people.user("beaucoup")
    await _structures_with_services(5, few_user)
    await _structures_with_services(50, many_user)

    async def cost(key: str) -> tuple[int, int]:
        browser = await people.browser(key)
        with count_queries() as counter:
            data = await browser.query(
                DIRECTORY.replace("structures(first: $first)", "structures(first: $first, mine: true)"),
                {"first": 50},
            )
        edges = data["structures"]["edges"]
        assert all(e["node"]["services"]["totalCount"] == 2 for e in edges)
        assert all(e["node"]["version"] == 1 for e in edges)
        return counter.count, data["structures"]["totalCount"]

    few, few_total = await cost("peu")
    many, many_total = await cost("beaucoup")
    assert (few_total, many_total) == (5, 50)
    assert few == many, f"{few} statements for 5 structures, {many} for 50"


async def test_a_structure_directory_page_never_lists_a_private_individual_to_strangers(people, db) -> None:
    owner = await people.browser("owner")
    await create(owner, identifierType="PARTICULIER", name="Jeanne Particulier", address=address())
    await create(owner, identifierType="HORS_UE", identifier="VISIBLE 1", name="Visible", address=address())
    stranger = await people.browser("stranger")
    data = await stranger.query("{ structures { totalCount edges { node { name } } } }")
    assert [e["node"]["name"] for e in data["structures"]["edges"]] == ["Visible"]
    mine = await owner.query("{ structures(mine: true) { totalCount } }")
    assert mine["structures"]["totalCount"] == 2


async def test_an_inactive_membership_does_not_make_a_structure_mine(people, boulangerie) -> None:
    user = await people.user("ancien")
    await attach(user, pk_of(boulangerie["id"]), status=MembershipStatus.DETACHED)
    data = await (await people.browser("ancien")).query("{ structures(mine: true) { totalCount } }")
    assert data["structures"]["totalCount"] == 0
