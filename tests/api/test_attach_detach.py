"""Rattacher / détacher un utilisateur, invitations, consulter et afficher les utilisateurs: over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from backend import models
from backend.app import create_app
from backend.auth.passwords import hash_password
from backend.models import MembershipStatus
from tests.api.users_helpers import (
    ATTACH,
    DETACH,
    REQUEST_ATTACHMENT,
    assert_error,
    codes_at,
    gid,
    log_in,
    pk_of,
    smtp_server,
    snapshot,
    text_of,
    with_smtp,
)
from tests.conftest import Accounts, Outbox
from tests.world import PASSWORD, World, build_world


@pytest.fixture
async def world(db) -> World:
    return await build_world()


async def _defaults() -> set[str]:
    codes = set()
    for application in await models.Application.all():
        level = "CONSULTATION" if application.code == "ORGANISATION" else "MODIFICATION"
        codes.add(f"{application.code}_{level}")
    return codes


async def _new_user(email: str, first_name: str = "Bruno", last_name: str = "Nouveau") -> models.User:
    return await models.User.create(
        email=email, password_hash=hash_password(PASSWORD), first_name=first_name, last_name=last_name
    )


# ---------------------------------------------------------------------------------------- attach


async def test_the_manager_attaches_an_existing_account_with_the_default_profiles(
    world: World, accounts: Accounts, outbox: Outbox
) -> None:
    bruno = await _new_user("bruno@example.org")
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(
        ATTACH,
        {"input": {"email": " Bruno@Example.org ", "structureId": gid("Structure", world.structure.id)}},
    )
    payload = data["attachUser"]
    assert payload["errors"] == [] and payload["invitation"] is None
    membership = payload["membership"]
    assert membership["status"] == "ACTIVE" and membership["service"] is None
    assert membership["user"] == {"id": gid("User", bruno.id), "email": "bruno@example.org"}
    expected = await _defaults()
    assert {h["profile"]["code"] for h in membership["habilitations"]} == expected
    assert "ORGANISATION_CONSULTATION" in expected and "FACTURES_EMISES_MODIFICATION" in expected

    # read back from the database
    row = await models.Membership.get(user_id=bruno.id, structure_id=world.structure.id)
    assert row.status == MembershipStatus.ACTIVE and row.service_id is None
    assert await codes_at(bruno, world.structure) == expected
    event = await models.AuditEvent.get(action="membership.attach", subject_user_id=bruno.id)
    assert event.actor_id == world.users["manager"].id and event.structure_id == world.structure.id
    # the user is told
    [message] = await outbox.messages("bruno@example.org")
    assert message["Subject"] == "Rattachement à Entreprise du Monde"
    assert "Manager Monde vous a rattaché(e) à la structure Entreprise du Monde" in text_of(message)


async def test_attaching_at_service_level_grants_the_defaults_on_that_service(
    world: World, accounts: Accounts
) -> None:
    bruno = await _new_user("bruno@example.org")
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(
        ATTACH,
        {
            "input": {
                "email": "bruno@example.org",
                "structureId": gid("Structure", world.structure.id),
                "serviceId": gid("Service", world.service.id),
            }
        },
    )
    assert data["attachUser"]["errors"] == []
    assert data["attachUser"]["membership"]["service"] == {"code": "COMPTA"}
    assert await codes_at(bruno, world.structure, world.service) == await _defaults()
    assert await codes_at(bruno, world.structure) == set()
    # attached at service level, still attachable at structure level (another level)
    again = await manager.query(
        ATTACH, {"input": {"email": "bruno@example.org", "structureId": gid("Structure", world.structure.id)}}
    )
    assert again["attachUser"]["errors"] == []


async def test_attaching_someone_already_attached_at_that_level_is_refused(
    world: World, accounts: Accounts
) -> None:
    manager = await log_in(accounts, world, "manager")
    before = await snapshot()
    data = await manager.query(
        ATTACH,
        {"input": {"email": world.email("member"), "structureId": gid("Structure", world.structure.id)}},
    )
    assert data["attachUser"]["membership"] is None
    assert_error(data["attachUser"], "ALREADY_EXISTS", ["input", "email"], "déjà rattaché")
    assert await snapshot() == before


async def test_attach_needs_organisation_modification_and_a_session(world: World, accounts: Accounts) -> None:
    await _new_user("bruno@example.org")
    variables = {"input": {"email": "bruno@example.org", "structureId": gid("Structure", world.structure.id)}}
    before = await snapshot()
    for role in ("member", "consultant", "service_member", "stranger", "support"):
        client = await log_in(accounts, world, role)
        data = await client.query(ATTACH, variables)
        assert_error(data["attachUser"], "FORBIDDEN")
    # an id of nothing answers the same
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(
        ATTACH, {"input": {"email": "bruno@example.org", "structureId": gid("Structure", 999999)}}
    )
    assert_error(data["attachUser"], "FORBIDDEN")
    anonymous = accounts.client()
    data = await anonymous.query(ATTACH, variables)
    assert_error(data["attachUser"], "UNAUTHENTICATED")
    assert await snapshot() == before
    # the administrator may
    admin = await log_in(accounts, world, "admin")
    assert (await admin.query(ATTACH, variables))["attachUser"]["errors"] == []


async def test_bad_email_and_malformed_ids_are_validation_errors(world: World, accounts: Accounts) -> None:
    manager = await log_in(accounts, world, "manager")
    before = await snapshot()
    data = await manager.query(
        ATTACH, {"input": {"email": "pas-une-adresse", "structureId": gid("Structure", world.structure.id)}}
    )
    assert_error(data["attachUser"], "VALIDATION", ["input", "email"], "adresse")
    data = await manager.query(ATTACH, {"input": {"email": "x@example.org", "structureId": "n'importe quoi"}})
    assert_error(data["attachUser"], "VALIDATION", ["input", "structureId"])
    data = await manager.query(
        ATTACH, {"input": {"email": "x@example.org", "structureId": gid("Service", world.service.id)}}
    )
    assert_error(data["attachUser"], "VALIDATION", ["input", "structureId"])
    # a service of another structure is refused like an unknown one
    other_service = await models.Service.create(structure=world.other, code="AUTRE", name="Autre")
    data = await manager.query(
        ATTACH,
        {
            "input": {
                "email": world.email("consultant"),
                "structureId": gid("Structure", world.structure.id),
                "serviceId": gid("Service", other_service.id),
            }
        },
    )
    assert_error(data["attachUser"], "FORBIDDEN")
    assert await snapshot() == before


async def test_attaching_someone_whose_request_is_pending_approves_the_request(
    world: World, accounts: Accounts
) -> None:
    bruno = await _new_user("bruno@example.org")
    asker = await accounts.log_in("bruno@example.org", PASSWORD)
    requested = await asker.query(
        REQUEST_ATTACHMENT, {"input": {"structureId": gid("Structure", world.structure.id)}}
    )
    approval_id = requested["requestAttachment"]["approval"]["id"]
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(
        ATTACH, {"input": {"email": "bruno@example.org", "structureId": gid("Structure", world.structure.id)}}
    )
    assert data["attachUser"]["errors"] == []
    assert (await models.Membership.get(user_id=bruno.id)).status == MembershipStatus.ACTIVE
    approval = await models.Approval.get(id=pk_of(approval_id))
    assert (
        approval.state == models.ApprovalState.APPROVED
        and approval.decided_by_id == world.users["manager"].id
    )
    assert await codes_at(bruno, world.structure) == await _defaults()


# ---------------------------------------------------------------------------------------- invitations


async def test_an_email_without_account_gets_an_invitation_completed_on_sign_up_and_verification(
    world: World, accounts: Accounts, outbox: Outbox
) -> None:
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(
        ATTACH, {"input": {"email": "chloe@example.org", "structureId": gid("Structure", world.structure.id)}}
    )
    payload = data["attachUser"]
    assert payload["errors"] == [] and payload["membership"] is None
    assert payload["invitation"]["email"] == "chloe@example.org"
    assert payload["invitation"]["structure"] == {"name": "Entreprise du Monde"}
    invitation = await models.Invitation.get(email="chloe@example.org")
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    [message] = await outbox.messages("chloe@example.org")
    assert message["Subject"].startswith("Invitation à rejoindre Entreprise du Monde")
    assert "/inscription?email=chloe%40example.org&invitation=" in text_of(message)
    assert "valable 7 jours" in text_of(message)

    # sign-up alone does not attach
    await accounts.sign_up("chloe@example.org", first_name="Chloé", verify=False)
    chloe = await models.User.get(email="chloe@example.org")
    assert not await models.Membership.exists(user_id=chloe.id)
    # verifying the address does
    secret = await outbox.secret("chloe@example.org", "/verifier-email")
    verified = await accounts.client().query(
        "mutation($t: String!) { verifyEmail(token: $t) { ok errors { code } } }", {"t": secret}
    )
    assert verified["verifyEmail"]["ok"] is True
    membership = await models.Membership.get(user_id=chloe.id, structure_id=world.structure.id)
    assert membership.status == MembershipStatus.ACTIVE
    assert await codes_at(chloe, world.structure) == await _defaults()
    invitation = await models.Invitation.get(id=invitation.id)
    assert invitation.accepted_at is not None
    # granted by the inviting manager
    assert set(
        await models.Habilitation.filter(user_id=chloe.id).values_list("granted_by_id", flat=True)
    ) == {world.users["manager"].id}


async def test_an_expired_or_revoked_invitation_attaches_nobody(
    world: World, accounts: Accounts, outbox: Outbox, clock
) -> None:
    manager = await log_in(accounts, world, "manager")
    structure_id = gid("Structure", world.structure.id)
    first = await manager.query(
        ATTACH, {"input": {"email": "denis@example.org", "structureId": structure_id}}
    )
    second = await manager.query(
        ATTACH, {"input": {"email": "emma@example.org", "structureId": structure_id}}
    )
    revoke = "mutation($id: ID!) { revokeInvitation(id: $id) { deletedId errors { code field message } } }"
    # a member without Organisation modification may not revoke
    member = await log_in(accounts, world, "member")
    invitation_id = second["attachUser"]["invitation"]["id"]
    assert_error((await member.query(revoke, {"id": invitation_id}))["revokeInvitation"], "FORBIDDEN")
    data = await manager.query(revoke, {"id": invitation_id})
    assert data["revokeInvitation"] == {"deletedId": invitation_id, "errors": []}
    before = await snapshot()
    again = await manager.query(revoke, {"id": invitation_id})
    assert_error(again["revokeInvitation"], "INVALID_STATE")
    assert await snapshot() == before
    listed = await manager.query(
        "query($s: ID!) { invitations(structureId: $s) { totalCount edges { node { email } } } }",
        {"s": structure_id},
    )
    assert listed["invitations"]["totalCount"] == 1

    clock.advance(timedelta(days=8))
    await accounts.sign_up("denis@example.org", first_name="Denis")
    await accounts.sign_up("emma@example.org", first_name="Emma")
    for address in ("denis@example.org", "emma@example.org"):
        user = await models.User.get(email=address)
        assert not await models.Membership.exists(user_id=user.id)
    assert first["attachUser"]["invitation"]["email"] == "denis@example.org"


# ---------------------------------------------------------------------------------------- detach


async def test_the_manager_detaches_a_user_with_a_comment(
    world: World, accounts: Accounts, outbox: Outbox
) -> None:
    member = world.users["member"]
    assert await codes_at(member, world.structure)
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(
        DETACH,
        {
            "input": {
                "userId": gid("User", member.id),
                "structureId": gid("Structure", world.structure.id),
                "comment": "  A quitté l'entreprise le 31 mars.  ",
            }
        },
    )
    payload = data["detachUser"]
    assert payload["errors"] == []
    assert payload["membership"]["status"] == "DETACHED"
    assert payload["membership"]["detachComment"] == "A quitté l'entreprise le 31 mars."
    assert payload["membership"]["habilitations"] == []
    row = await models.Membership.get(user_id=member.id, structure_id=world.structure.id)
    assert row.status == MembershipStatus.DETACHED and row.detached_at is not None
    assert await codes_at(member, world.structure) == set()
    event = await models.AuditEvent.get(action="membership.detach")
    changes = json.loads(event.changes)
    assert (
        changes["status"] == ["ACTIVE", "DETACHED"]
        and changes["comment"][1] == "A quitté l'entreprise le 31 mars."
    )
    [message] = await outbox.messages(member.email)
    assert message["Subject"] == "Détachement de Entreprise du Monde"
    assert "A quitté l'entreprise le 31 mars." in text_of(message)
    # the detached user no longer sees the structure's private fields
    detached = await log_in(accounts, world, "member")
    body = await detached.post(
        "query($id: ID!) { structure(id: $id) { email } }", {"id": gid("Structure", world.structure.id)}
    )
    assert body["data"]["structure"]["email"] is None


async def test_detaching_at_service_level_keeps_other_levels(world: World, accounts: Accounts) -> None:
    service_member = world.users["service_member"]
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(
        DETACH,
        {
            "input": {
                "userId": gid("User", service_member.id),
                "structureId": gid("Structure", world.structure.id),
                "serviceId": gid("Service", world.service.id),
                "comment": "Changement de service.",
            }
        },
    )
    assert data["detachUser"]["errors"] == []
    assert await codes_at(service_member, world.structure, world.service) == set()
    assert await codes_at(world.users["member"], world.structure)  # others untouched


@pytest.mark.parametrize("comment", ["", "   "])
async def test_detaching_without_a_comment_is_refused(world: World, accounts: Accounts, comment: str) -> None:
    manager = await log_in(accounts, world, "manager")
    before = await snapshot()
    data = await manager.query(
        DETACH,
        {
            "input": {
                "userId": gid("User", world.users["member"].id),
                "structureId": gid("Structure", world.structure.id),
                "comment": comment,
            }
        },
    )
    assert data["detachUser"]["membership"] is None
    assert_error(data["detachUser"], "REQUIRED", ["input", "comment"], "commentaire")
    assert await snapshot() == before


async def test_the_principal_manager_cannot_be_detached(world: World, accounts: Accounts) -> None:
    admin = await log_in(accounts, world, "admin")
    before = await snapshot()
    data = await admin.query(
        DETACH,
        {
            "input": {
                "userId": gid("User", world.users["manager"].id),
                "structureId": gid("Structure", world.structure.id),
                "comment": "Départ.",
            }
        },
    )
    assert_error(data["detachUser"], "INVALID_STATE", ["input", "userId"], "transférez d'abord")
    assert await snapshot() == before


async def test_detaching_someone_not_attached_or_without_the_right(world: World, accounts: Accounts) -> None:
    before = await snapshot()
    manager = await log_in(accounts, world, "manager")
    variables = {
        "input": {
            "userId": gid("User", world.users["stranger"].id),
            "structureId": gid("Structure", world.structure.id),
            "comment": "Départ.",
        }
    }
    assert_error((await manager.query(DETACH, variables))["detachUser"], "INVALID_STATE", ["input", "userId"])
    variables["input"]["userId"] = gid("User", world.users["consultant"].id)
    member = await log_in(accounts, world, "member")
    assert_error((await member.query(DETACH, variables))["detachUser"], "FORBIDDEN")
    assert await snapshot() == before


# ---------------------------------------------------------------------------------------- consult and display


USER_QUERY = """query($id: ID!) { user(id: $id) {
  firstName lastName email phone
  memberships { totalCount edges { node { structure { name } habilitations { profile { code } } } } }
} }"""


async def test_display_a_user_identity_memberships_and_habilitations(
    world: World, accounts: Accounts
) -> None:
    member_id = gid("User", world.users["member"].id)
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(USER_QUERY, {"id": member_id})
    user = data["user"]
    assert (user["firstName"], user["email"], user["phone"]) == ("Member", "member@monde.test", "0102030405")
    assert user["memberships"]["totalCount"] == 1
    node = user["memberships"]["edges"][0]["node"]
    assert node["structure"]["name"] == "Entreprise du Monde"
    assert {h["profile"]["code"] for h in node["habilitations"]} == await _defaults()
    # the user themself
    member = await log_in(accounts, world, "member")
    assert (await member.query(USER_QUERY, {"id": member_id}))["user"]["email"] == "member@monde.test"
    # someone of another structure: the same answer as an id of nothing
    stranger = await log_in(accounts, world, "stranger")
    for target in (member_id, gid("User", 999999)):
        body = await stranger.post(USER_QUERY, {"id": target})
        assert body["data"]["user"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_a_service_level_manager_sees_the_email_of_their_service_members_only(
    world: World, accounts: Accounts
) -> None:
    # the service member holds Organisation consultation on the service only
    service_member = await log_in(accounts, world, "service_member")
    body = await service_member.post(
        USER_QUERY.replace("email phone", "email"), {"id": gid("User", world.users["member"].id)}
    )
    assert body["data"]["user"] is None


MEMBERSHIPS = """query($s: ID, $service: ID, $status: MembershipStatus, $profile: ID, $search: String,
                    $order: MembershipOrder, $first: Int, $after: String) {
  memberships(structureId: $s, serviceId: $service, status: $status, profileId: $profile, search: $search,
              orderBy: $order, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { user { lastName firstName email } service { code } status } }
  }
}"""


async def test_consult_users_with_search_filters_sort_and_pages(world: World, accounts: Accounts) -> None:
    manager = await log_in(accounts, world, "manager")
    s = gid("Structure", world.structure.id)
    data = await manager.query(MEMBERSHIPS, {"s": s})
    names = [e["node"]["user"]["firstName"] for e in data["memberships"]["edges"]]
    assert data["memberships"]["totalCount"] == 4
    assert names == ["Consultant", "Manager", "Member", "Service_member"]
    # only the viewer's structures: the stranger's structure is not listed
    everything = await manager.query(MEMBERSHIPS, {})
    assert everything["memberships"]["totalCount"] == 4
    # service, search, sort, pages
    by_service = await manager.query(MEMBERSHIPS, {"s": s, "service": gid("Service", world.service.id)})
    assert [e["node"]["user"]["firstName"] for e in by_service["memberships"]["edges"]] == ["Service_member"]
    found = await manager.query(MEMBERSHIPS, {"s": s, "search": "CONSULT"})
    assert [e["node"]["user"]["firstName"] for e in found["memberships"]["edges"]] == ["Consultant"]
    desc = await manager.query(MEMBERSHIPS, {"s": s, "order": {"field": "FIRST_NAME", "direction": "DESC"}})
    assert [e["node"]["user"]["firstName"] for e in desc["memberships"]["edges"]] == [
        "Service_member",
        "Member",
        "Manager",
        "Consultant",
    ]
    page = await manager.query(MEMBERSHIPS, {"s": s, "first": 3})
    assert page["memberships"]["pageInfo"]["hasNextPage"] is True
    rest = await manager.query(
        MEMBERSHIPS, {"s": s, "first": 3, "after": page["memberships"]["pageInfo"]["endCursor"]}
    )
    assert len(rest["memberships"]["edges"]) == 1
    # profile: who holds Organisation modification at their level
    org_mod = await manager.query(
        MEMBERSHIPS,
        {"s": s, "profile": gid("Profile", (await models.Profile.get(code="ORGANISATION_MODIFICATION")).id)},
    )
    assert [e["node"]["user"]["firstName"] for e in org_mod["memberships"]["edges"]] == ["Manager"]
    consultation = gid("Profile", (await models.Profile.get(code="FACTURES_EMISES_CONSULTATION")).id)
    holders = await manager.query(MEMBERSHIPS, {"s": s, "profile": consultation})
    assert [e["node"]["user"]["firstName"] for e in holders["memberships"]["edges"]] == ["Consultant"]
    # status
    detached = await manager.query(MEMBERSHIPS, {"s": s, "status": "DETACHED"})
    assert detached["memberships"]["totalCount"] == 0
    # a member without Organisation consultation anywhere sees only themself
    member = await log_in(accounts, world, "stranger")
    mine = await member.query(MEMBERSHIPS, {"s": s})
    assert mine["memberships"]["totalCount"] == 0
    body = await manager.post(MEMBERSHIPS, {"first": 101})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["VALIDATION"]


MEMBERS_PAGE = """query($id: ID!) { structure(id: $id) { members(first: 50) { totalCount edges { node {
  status isPrincipalManager user { firstName lastName email phone status }
  service { code }
  habilitations { id profile { code name level application { code name } } grantedBy { lastName } }
} } } } }"""


async def _structure_with_members(count: int, manager: models.User, tag: str) -> models.Structure:
    from backend.models import IdentifierType

    structure = await models.Structure.create(
        identifier_type=IdentifierType.HORS_UE,
        identifier=f"COMPTAGE {tag}",
        name=f"Comptage {tag}",
        address_line1="1 rue",
        postal_code="75001",
        city="Paris",
        principal_manager=manager,
    )
    profiles = list(await models.Profile.filter(level=models.AccessLevel.MODIFICATION))
    await models.Membership.create(user=manager, structure=structure)
    await models.Habilitation.bulk_create(
        [
            models.Habilitation(user=manager, structure=structure, profile=p, application_id=p.application_id)
            for p in profiles
        ]
    )
    users = await models.User.bulk_create(
        [
            models.User(
                email=f"{tag}-{i}@example.org", password_hash="x", first_name=f"P{i}", last_name=f"N{i:03d}"
            )
            for i in range(count)
        ]
    )
    users = list(await models.User.filter(email__startswith=f"{tag}-"))
    await models.Membership.bulk_create([models.Membership(user=u, structure=structure) for u in users])
    await models.Habilitation.bulk_create(
        [
            models.Habilitation(
                user=u, structure=structure, profile=p, application_id=p.application_id, granted_by=manager
            )
            for u in users
            for p in profiles[:6]
        ]
    )
    return structure


async def test_listing_50_members_with_habilitations_costs_the_same_as_5(
    world: World, accounts: Accounts, count_queries
) -> None:
    manager_row = world.users["manager"]
    few = await _structure_with_members(4, manager_row, "cinq")
    many = await _structure_with_members(49, manager_row, "cinquante")
    manager = await log_in(accounts, world, "manager")
    counts = []
    for structure, total in ((few, 5), (many, 50)):
        with count_queries() as counter:
            data = await manager.query(MEMBERS_PAGE, {"id": gid("Structure", structure.id)})
        assert data["structure"]["members"]["totalCount"] == total
        assert len(data["structure"]["members"]["edges"]) == total
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 14, counts


# ---------------------------------------------------------------------------------------- e-mails through SMTP


async def test_attach_and_detach_mails_reach_a_real_smtp_server(db, world: World) -> None:
    with smtp_server() as (sink, port):
        await _smtp_scenario(db, world, sink, port)


async def _smtp_scenario(db, world: World, sink, port: int) -> None:
    app = create_app(with_smtp(db, port), manage_db=False)
    people = Accounts(app, Outbox(app.state.mailer))
    try:
        bruno = await _new_user("bruno@example.org", first_name="Bruno")
        manager = await log_in(people, world, "manager")
        structure_id = gid("Structure", world.structure.id)
        attached = await manager.query(
            ATTACH, {"input": {"email": "bruno@example.org", "structureId": structure_id}}
        )
        assert attached["attachUser"]["errors"] == []
        detached = await manager.query(
            DETACH,
            {
                "input": {
                    "userId": gid("User", bruno.id),
                    "structureId": structure_id,
                    "comment": "Fin de mission.",
                }
            },
        )
        assert detached["detachUser"]["errors"] == []
        await app.state.mailer.drain()
    finally:
        await people.close()
    first, second = sink.to("bruno@example.org")
    assert first["Subject"] == "Rattachement à Entreprise du Monde"
    assert "Bonjour Bruno," in text_of(first)
    assert "toutes les applications en modification, sauf Organisation en consultation" in text_of(first)
    assert "https://portail.example.gouv.fr/" in text_of(first)
    assert second["Subject"] == "Détachement de Entreprise du Monde"
    assert "Fin de mission." in text_of(second)
    assert second.get_body(preferencelist=("html",)) is not None
