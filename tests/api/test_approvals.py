"""Approbations: requests to join and to change habilitations, decisions, comments, lists, mails."""

from __future__ import annotations

import pytest

from backend import models
from backend.app import create_app
from backend.auth.passwords import hash_password
from backend.models import ApprovalState, IdentifierType, MembershipStatus
from tests.api.users_helpers import (
    APPROVE,
    DETACH,
    REFUSE,
    REQUEST_ATTACHMENT,
    REQUEST_CHANGE,
    assert_error,
    codes_at,
    gid,
    log_in,
    pk_of,
    profile_id,
    smtp_server,
    snapshot,
    text_of,
    with_smtp,
)
from tests.conftest import PASSWORD, Accounts, GraphQLClient, Outbox
from tests.world import World, build_world

COUNT = "{ viewer { pendingApprovalCount } }"
COMMENT = """mutation($id: ID!, $body: String!) {
  commentApproval(id: $id, body: $body) { approval { comments { body author { firstName } } } errors { code field message } }
}"""
CANCEL = "mutation($id: ID!) { cancelApproval(id: $id) { approval { state } errors { code field message } } }"
APPROVALS = """query($state: ApprovalState, $s: ID, $kind: ApprovalKind, $first: Int, $after: String, $search: String,
                   $toDecide: Boolean) {
  approvals(state: $state, structureId: $s, kind: $kind, first: $first, after: $after, search: $search,
            toDecide: $toDecide) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { number state kind description requester { lastName } structure { name identifier } service { code } createdAt } }
  }
}"""
APPROVAL = """query($id: ID!) { approval(id: $id) {
  number state kind description
  requester { firstName email } approver { firstName } structure { name } service { code }
  profilesToAdd { code } profilesToRemove { code }
  comments { body author { firstName } createdAt }
  decidedBy { firstName } decisionReason createdAt decidedAt viewerCanDecide viewerCanCancel
} }"""


@pytest.fixture
async def world(db) -> World:
    return await build_world()


async def _newcomer(
    accounts: Accounts, email: str = "nina@example.org", first_name: str = "Nina"
) -> GraphQLClient:
    return await accounts.signed_in(email, first_name=first_name, last_name="Nouvelle")


async def _request_join(
    client: GraphQLClient,
    world: World,
    service: bool = False,
    comment: str | None = None,
    structure: models.Structure | None = None,
) -> dict:
    data = {"structureId": gid("Structure", (structure or world.structure).id)}
    if service:
        data["serviceId"] = gid("Service", world.service.id)
    if comment is not None:
        data["comment"] = comment
    payload = (await client.query(REQUEST_ATTACHMENT, {"input": data}))["requestAttachment"]
    assert payload["errors"] == [], payload
    return payload["approval"]


# ---------------------------------------------------------------------------------------- attachment requests


async def test_request_to_join_then_approve(world: World, accounts: Accounts, outbox: Outbox) -> None:
    nina = await _newcomer(accounts)
    approval = await _request_join(nina, world, comment="Je rejoins la comptabilité.")
    assert approval["kind"] == "ATTACHMENT" and approval["state"] == "REQUESTED"
    assert approval["number"].startswith("RITM") and len(approval["number"]) == 11
    assert approval["approver"] == {"id": gid("User", world.users["manager"].id)}
    assert approval["comments"] == [{"body": "Je rejoins la comptabilité."}]
    user = await models.User.get(email="nina@example.org")
    membership = await models.Membership.get(user_id=user.id)
    assert membership.status == MembershipStatus.PENDING

    manager = await log_in(accounts, world, "manager")
    assert (await manager.query(COUNT))["viewer"]["pendingApprovalCount"] == 1
    assert (await nina.query(COUNT))["viewer"]["pendingApprovalCount"] == 0  # never one's own
    for role in ("member", "consultant", "stranger"):  # no Organisation modification there
        assert (await (await log_in(accounts, world, role)).query(COUNT))["viewer"][
            "pendingApprovalCount"
        ] == 0
    page = await manager.query(APPROVAL, {"id": approval["id"]})
    assert page["approval"]["requester"] == {"firstName": "Nina", "email": "nina@example.org"}
    assert page["approval"]["viewerCanDecide"] is True and page["approval"]["viewerCanCancel"] is False

    data = await manager.query(APPROVE, {"id": approval["id"], "comment": "Bienvenue."})
    decided = data["approve"]
    assert decided["errors"] == []
    assert decided["approval"]["state"] == "APPROVED"
    assert decided["approval"]["decidedBy"] == {"id": gid("User", world.users["manager"].id)}
    assert decided["approval"]["viewerCanDecide"] is False
    membership = await models.Membership.get(id=membership.id)
    assert membership.status == MembershipStatus.ACTIVE
    assert "ORGANISATION_CONSULTATION" in await codes_at(user, world.structure)
    assert len(await codes_at(user, world.structure)) == await models.Application.all().count()
    assert (await manager.query(COUNT))["viewer"]["pendingApprovalCount"] == 0
    mail = (await outbox.messages("nina@example.org"))[-1]
    assert mail["Subject"] == f"Demande {approval['number']} approuvée"
    assert "Vous êtes désormais rattaché(e) à la structure Entreprise du Monde" in text_of(mail)


async def test_attachment_request_refusals(world: World, accounts: Accounts) -> None:
    nina = await _newcomer(accounts)
    await _request_join(nina, world)
    member = await log_in(accounts, world, "member")
    before = await snapshot()
    s = gid("Structure", world.structure.id)
    # pending already, attached already
    for client, contains in ((nina, "en attente"), (member, "déjà rattaché")):
        data = await client.query(REQUEST_ATTACHMENT, {"input": {"structureId": s}})
        assert data["requestAttachment"]["approval"] is None
        assert_error(data["requestAttachment"], "ALREADY_EXISTS", ["input", "structureId"], contains)
    # an inactive structure
    world.other.status = models.ActivityStatus.INACTIVE
    await world.other.save()
    data = await nina.query(REQUEST_ATTACHMENT, {"input": {"structureId": gid("Structure", world.other.id)}})
    assert_error(data["requestAttachment"], "INVALID_STATE", ["input", "structureId"], "inactive")
    # a private individual's structure is not in the directory: like an id of nothing
    private = await models.Structure.create(
        identifier_type=IdentifierType.PARTICULIER,
        identifier="P-0001",
        name="Jean Particulier",
        address_line1="3 rue",
        postal_code="75003",
        city="Paris",
    )
    for target in (private.id, 999999):
        data = await nina.query(REQUEST_ATTACHMENT, {"input": {"structureId": gid("Structure", target)}})
        assert_error(data["requestAttachment"], "FORBIDDEN")
    anonymous = accounts.client()
    data = await anonymous.query(REQUEST_ATTACHMENT, {"input": {"structureId": s}})
    assert_error(data["requestAttachment"], "UNAUTHENTICATED")
    assert await snapshot() == before


async def test_the_requester_cancels_and_the_pending_membership_goes(
    world: World, accounts: Accounts
) -> None:
    nina = await _newcomer(accounts)
    approval = await _request_join(nina, world, service=True)
    manager = await log_in(accounts, world, "manager")
    before = await snapshot()
    # only the requester may cancel
    assert_error((await manager.query(CANCEL, {"id": approval["id"]}))["cancelApproval"], "FORBIDDEN", ["id"])
    assert await snapshot() == before
    data = await nina.query(CANCEL, {"id": approval["id"]})
    assert data["cancelApproval"] == {"approval": {"state": "CANCELLED"}, "errors": []}
    user = await models.User.get(email="nina@example.org")
    assert not await models.Membership.exists(user_id=user.id)
    assert (await models.Approval.get(id=pk_of(approval["id"]))).state == ApprovalState.CANCELLED
    # twice, or deciding a cancelled one
    before = await snapshot()
    assert_error(
        (await nina.query(CANCEL, {"id": approval["id"]}))["cancelApproval"], "INVALID_STATE", ["id"]
    )
    assert_error((await manager.query(APPROVE, {"id": approval["id"]}))["approve"], "INVALID_STATE", ["id"])
    assert await snapshot() == before
    # and may ask again
    await _request_join(nina, world, service=True)


async def test_refuse_needs_a_reason_and_tells_the_requester(
    world: World, accounts: Accounts, outbox: Outbox
) -> None:
    nina = await _newcomer(accounts)
    approval = await _request_join(nina, world)
    manager = await log_in(accounts, world, "manager")
    before = await snapshot()
    for reason in ("", "  "):
        data = await manager.query(REFUSE, {"id": approval["id"], "reason": reason})
        assert data["refuse"]["approval"] is None
        assert_error(data["refuse"], "REQUIRED", ["reason"], "motif")
    assert await snapshot() == before
    data = await manager.query(
        REFUSE, {"id": approval["id"], "reason": "Vous ne faites pas partie de nos équipes."}
    )
    assert data["refuse"]["errors"] == []
    assert data["refuse"]["approval"]["state"] == "REFUSED"
    assert data["refuse"]["approval"]["decisionReason"] == "Vous ne faites pas partie de nos équipes."
    user = await models.User.get(email="nina@example.org")
    assert (await models.Membership.get(user_id=user.id)).status == MembershipStatus.REFUSED
    assert await codes_at(user, world.structure) == set()
    mail = (await outbox.messages("nina@example.org"))[-1]
    assert mail["Subject"] == f"Demande {approval['number']} refusée"
    assert "Vous ne faites pas partie de nos équipes." in text_of(mail)
    # deciding a decided one
    before = await snapshot()
    assert_error(
        (await manager.query(APPROVE, {"id": approval["id"]}))["approve"], "INVALID_STATE", ["id"], "déjà"
    )
    again = await manager.query(REFUSE, {"id": approval["id"], "reason": "Encore."})
    assert_error(again["refuse"], "INVALID_STATE", ["id"])
    assert await snapshot() == before
    # a refused request may be made again
    await _request_join(nina, world)


async def test_deciding_needs_organisation_modification_and_never_ones_own_request(
    world: World, accounts: Accounts
) -> None:
    manager = await log_in(accounts, world, "manager")
    data = await manager.query(
        REQUEST_CHANGE,
        {
            "input": {
                "structureId": gid("Structure", world.structure.id),
                "remove": [await profile_id("SIGNATURE_MODIFICATION")],
            }
        },
    )
    approval = data["requestHabilitationChange"]["approval"]
    assert approval["state"] == "REQUESTED"
    before = await snapshot()
    data = await manager.query(APPROVE, {"id": approval["id"]})
    assert_error(data["approve"], "FORBIDDEN", ["id"], "propre demande")
    data = await manager.query(REFUSE, {"id": approval["id"], "reason": "Non."})
    assert_error(data["refuse"], "FORBIDDEN", ["id"], "propre demande")
    assert (await manager.query(COUNT))["viewer"]["pendingApprovalCount"] == 0
    for role in ("member", "consultant", "stranger"):
        client = await log_in(accounts, world, role)
        assert_error((await client.query(APPROVE, {"id": approval["id"]}))["approve"], "FORBIDDEN", ["id"])
    assert await snapshot() == before
    admin = await log_in(accounts, world, "admin")
    assert (await admin.query(COUNT))["viewer"]["pendingApprovalCount"] == 1
    assert (await admin.query(APPROVE, {"id": approval["id"]}))["approve"]["errors"] == []
    assert "SIGNATURE_MODIFICATION" not in await codes_at(world.users["manager"], world.structure)


# ---------------------------------------------------------------------------------------- habilitation changes


async def _request_change(client: GraphQLClient, world: World, add=(), remove=(), comment=None) -> dict:
    data = {
        "structureId": gid("Structure", world.structure.id),
        "add": [await profile_id(c) for c in add],
        "remove": [await profile_id(c) for c in remove],
    }
    if comment is not None:
        data["comment"] = comment
    return (await client.query(REQUEST_CHANGE, {"input": data}))["requestHabilitationChange"]


async def test_a_change_request_applies_on_approval(world: World, accounts: Accounts) -> None:
    consultant = world.users["consultant"]
    client = await log_in(accounts, world, "consultant")
    payload = await _request_change(
        client,
        world,
        add=["ENGAGEMENTS_MODIFICATION"],
        remove=["SIGNATURE_CONSULTATION"],
        comment="Je dois saisir des engagements.",
    )
    assert payload["errors"] == []
    approval = payload["approval"]
    assert approval["state"] == "REQUESTED"
    assert approval["profilesToAdd"] == [{"code": "ENGAGEMENTS_MODIFICATION"}]
    assert approval["profilesToRemove"] == [{"code": "SIGNATURE_CONSULTATION"}]
    assert approval["comments"] == [
        {"body": "Je dois saisir des engagements.", "author": {"id": gid("User", consultant.id)}}
    ]
    before = await codes_at(consultant, world.structure)
    assert "ENGAGEMENTS_CONSULTATION" in before  # nothing applied yet
    manager = await log_in(accounts, world, "manager")
    page = await manager.query(APPROVAL, {"id": approval["id"]})
    assert "Ajout du profil Engagements modification" in page["approval"]["description"]
    assert (await manager.query(APPROVE, {"id": approval["id"]}))["approve"]["errors"] == []
    after = await codes_at(consultant, world.structure)
    assert "ENGAGEMENTS_MODIFICATION" in after and "ENGAGEMENTS_CONSULTATION" not in after
    assert "SIGNATURE_CONSULTATION" not in after
    assert len(after) == len(before) - 1


async def test_factures_emises_on_oneself_applies_at_once(world: World, accounts: Accounts) -> None:
    member = world.users["member"]
    client = await log_in(accounts, world, "member")
    # only « Factures émises »: an APPROVED approval decided by the system
    payload = await _request_change(client, world, remove=["FACTURES_EMISES_MODIFICATION"])
    approval = payload["approval"]
    assert payload["errors"] == []
    assert approval["state"] == "APPROVED" and approval["decidedBy"] is None
    assert "sans approbation" in approval["decisionReason"]
    assert "FACTURES_EMISES_MODIFICATION" not in await codes_at(member, world.structure)
    # mixed: the « Factures émises » part at once, the rest is REQUESTED (and returned)
    payload = await _request_change(
        client, world, add=["FACTURES_EMISES_CONSULTATION", "ORGANISATION_MODIFICATION"], comment="Merci."
    )
    approval = payload["approval"]
    assert approval["state"] == "REQUESTED"
    assert approval["profilesToAdd"] == [{"code": "ORGANISATION_MODIFICATION"}]
    codes = await codes_at(member, world.structure)
    assert "FACTURES_EMISES_CONSULTATION" in codes and "ORGANISATION_MODIFICATION" not in codes
    auto = await models.Approval.filter(requester_id=member.id, state=ApprovalState.APPROVED).order_by("id")
    assert len(auto) == 2 and all(a.decided_by_id is None for a in auto)
    manager = await log_in(accounts, world, "manager")
    assert (await manager.query(COUNT))["viewer"]["pendingApprovalCount"] == 1


async def test_change_request_refusals(world: World, accounts: Accounts) -> None:
    client = await log_in(accounts, world, "member")
    before = await snapshot()
    payload = await _request_change(client, world)
    assert_error(payload, "REQUIRED", ["input", "add"])
    payload = await _request_change(client, world, add=["ENGAGEMENTS_MODIFICATION"])
    assert_error(payload, "ALREADY_EXISTS", ["input", "add", "0"])
    assert payload["errors"][0]["message"] == "L'utilisateur a déjà l'abonnement sélectionné."
    payload = await _request_change(client, world, remove=["ENGAGEMENTS_CONSULTATION"])
    assert_error(payload, "VALIDATION", ["input", "remove", "0"], "ne détenez pas")
    # several faults at once, each with its path
    payload = await _request_change(
        client, world, add=["ENGAGEMENTS_MODIFICATION"], remove=["SIGNATURE_CONSULTATION"]
    )
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("ALREADY_EXISTS", ["input", "add", "0"]),
        ("VALIDATION", ["input", "remove", "0"]),
    ]
    # not attached to that structure
    stranger = await log_in(accounts, world, "stranger")
    payload = await _request_change(stranger, world, add=["ENGAGEMENTS_MODIFICATION"])
    assert_error(payload, "FORBIDDEN")
    # the principal manager keeps Organisation modification
    manager = await log_in(accounts, world, "manager")
    payload = await _request_change(manager, world, remove=["ORGANISATION_MODIFICATION"])
    assert_error(payload, "INVALID_STATE", ["input", "remove", "0"], "transférez d'abord")
    assert await snapshot() == before


async def test_comments_by_the_requester_and_the_manager(world: World, accounts: Accounts) -> None:
    member = await log_in(accounts, world, "member")
    approval = (await _request_change(member, world, add=["ORGANISATION_MODIFICATION"]))["approval"]
    manager = await log_in(accounts, world, "manager")
    assert (await manager.query(COMMENT, {"id": approval["id"], "body": "Pour quoi faire ?"}))[
        "commentApproval"
    ]["errors"] == []
    data = await member.query(COMMENT, {"id": approval["id"], "body": "Gérer les RIB."})
    assert data["commentApproval"]["approval"]["comments"] == [
        {"body": "Pour quoi faire ?", "author": {"firstName": "Manager"}},
        {"body": "Gérer les RIB.", "author": {"firstName": "Member"}},
    ]
    before = await snapshot()
    assert_error(
        (await member.query(COMMENT, {"id": approval["id"], "body": " "}))["commentApproval"],
        "REQUIRED",
        ["body"],
    )
    stranger = await log_in(accounts, world, "stranger")
    assert_error(
        (await stranger.query(COMMENT, {"id": approval["id"], "body": "Moi aussi."}))["commentApproval"],
        "FORBIDDEN",
    )
    assert await snapshot() == before


# ---------------------------------------------------------------------------------------- lists


async def test_the_list_shows_what_the_viewer_may_see_newest_first(world: World, accounts: Accounts) -> None:
    nina = await _newcomer(accounts)
    first = await _request_join(nina, world)
    member = await log_in(accounts, world, "member")
    second = (await _request_change(member, world, add=["ORGANISATION_MODIFICATION"]))["approval"]
    other = await _request_join(nina, world, structure=world.other)
    manager = await log_in(accounts, world, "manager")

    data = await manager.query(APPROVALS, {})
    numbers = [e["node"]["number"] for e in data["approvals"]["edges"]]
    assert numbers == [second["number"], first["number"]]  # newest first; not the other structure's
    assert data["approvals"]["totalCount"] == 2
    node = data["approvals"]["edges"][1]["node"]
    assert node["requester"] == {"lastName": "Nouvelle"}
    assert node["structure"] == {"name": "Entreprise du Monde", "identifier": "73282932000074"}
    # filters
    assert (await manager.query(APPROVALS, {"kind": "ATTACHMENT"}))["approvals"]["totalCount"] == 1
    assert (await manager.query(APPROVALS, {"state": "APPROVED"}))["approvals"]["totalCount"] == 0
    assert (await manager.query(APPROVALS, {"search": first["number"]}))["approvals"]["totalCount"] == 1
    assert (await manager.query(APPROVALS, {"toDecide": True}))["approvals"]["totalCount"] == 2
    assert (await manager.query(APPROVALS, {"s": gid("Structure", world.other.id)}))["approvals"][
        "totalCount"
    ] == 0
    page = await manager.query(APPROVALS, {"first": 1})
    assert page["approvals"]["pageInfo"]["hasNextPage"] is True
    # the requester sees their own requests only
    mine = await nina.query(APPROVALS, {})
    assert {e["node"]["number"] for e in mine["approvals"]["edges"]} == {first["number"], other["number"]}
    # the stranger (manager of the other structure) sees the request to join theirs
    stranger = await log_in(accounts, world, "stranger")
    theirs = await stranger.query(APPROVALS, {})
    assert [e["node"]["number"] for e in theirs["approvals"]["edges"]] == [other["number"]]
    # one approval: probe-safe
    for target in (first["id"], gid("Approval", 999999)):
        body = await stranger.post(APPROVAL, {"id": target})
        assert body["data"]["approval"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    body = await stranger.post("query($id: ID!) { node(id: $id) { id } }", {"id": first["id"]})
    assert body["data"]["node"] is None


async def test_approve_or_refuse_several_at_once(world: World, accounts: Accounts, outbox: Outbox) -> None:
    nina = await _newcomer(accounts)
    omar = await _newcomer(accounts, "omar@example.org", "Omar")
    a = await _request_join(nina, world)
    b = await _request_join(omar, world)
    manager = await log_in(accounts, world, "manager")
    many = """mutation($ids: [ID!]!, $reason: String!) {
      refuseApprovals(ids: $ids, reason: $reason) { approvals { state } errors { code field message } }
    }"""
    # one of them is not decidable: nothing is decided
    await nina.query(CANCEL, {"id": a["id"]})
    before = await snapshot()
    data = await manager.query(many, {"ids": [a["id"], b["id"]], "reason": "Non."})
    assert [(e["code"], e["field"]) for e in data["refuseApprovals"]["errors"]] == [
        ("INVALID_STATE", ["ids", "0"])
    ]
    assert await snapshot() == before
    c = await _request_join(nina, world)
    approve_many = """mutation($ids: [ID!]!) {
      approveApprovals(ids: $ids) { approvals { state } errors { code field message } }
    }"""
    data = await manager.query(approve_many, {"ids": [b["id"], c["id"]]})
    assert data["approveApprovals"] == {
        "approvals": [{"state": "APPROVED"}, {"state": "APPROVED"}],
        "errors": [],
    }
    for address in ("nina@example.org", "omar@example.org"):
        user = await models.User.get(email=address)
        assert (
            await models.Membership.get(user_id=user.id, status=MembershipStatus.ACTIVE)
        ).structure_id == world.structure.id
        assert (await outbox.messages(address))[-1]["Subject"].endswith("approuvée")


# ---------------------------------------------------------------------------------------- the webinar, with a real SMTP server


async def test_the_webinar_user_part_and_its_three_mails(db, world: World) -> None:
    """A new user asks to join; the manager sees the count, approves, removes two profiles; the user asks
    for a profile, the manager refuses with a reason; the manager detaches the user with a comment."""
    with smtp_server() as (sink, port):
        await _webinar(db, world, sink, port)


async def _webinar(db, world: World, sink, port: int) -> None:
    app = create_app(with_smtp(db, port), manage_db=False)
    people = Accounts(app, Outbox(app.state.mailer))
    try:
        await models.User.create(
            email="paul@example.org",
            password_hash=hash_password(PASSWORD),
            first_name="Paul",
            last_name="Nouveau",
        )
        paul = await people.log_in("paul@example.org")
        approval = await _request_join(paul, world)
        manager = await log_in(people, world, "manager")
        assert (await manager.query(COUNT))["viewer"]["pendingApprovalCount"] == 1
        assert (await manager.query(APPROVE, {"id": approval["id"]}))["approve"]["errors"] == []
        paul_row = await models.User.get(email="paul@example.org")
        for code in ("MARCHES_MODIFICATION", "SIGNATURE_MODIFICATION"):
            row = await models.Habilitation.get(user_id=paul_row.id, profile__code=code)
            removed = await manager.query(
                "mutation($id: ID!) { removeHabilitation(id: $id) { errors { code } } }",
                {"id": gid("Habilitation", row.id)},
            )
            assert removed["removeHabilitation"]["errors"] == []
        asked = await _request_change(
            paul, world, add=["SIGNATURE_CONSULTATION"], comment="Pour signer les devis."
        )
        refused = await manager.query(
            REFUSE, {"id": asked["approval"]["id"], "reason": "Réservé à la direction."}
        )
        assert refused["refuse"]["errors"] == []
        detached = await manager.query(
            DETACH,
            {
                "input": {
                    "userId": gid("User", paul_row.id),
                    "structureId": gid("Structure", world.structure.id),
                    "comment": "Fin du contrat.",
                }
            },
        )
        assert detached["detachUser"]["errors"] == []
        await app.state.mailer.drain()
    finally:
        await people.close()
    subjects = [m["Subject"] for m in sink.to("paul@example.org")]
    assert subjects == [
        f"Demande {approval['number']} approuvée",
        f"Demande {asked['approval']['number']} refusée",
        "Détachement de Entreprise du Monde",
    ]
    refused_text = text_of(sink.to("paul@example.org")[1])
    assert (
        "Réservé à la direction." in refused_text
        and "https://portail.example.gouv.fr/approbations" in refused_text
    )
    assert sink.to(world.email("manager")) == []


async def test_the_live_pending_count_is_sent_at_once_and_on_every_change(
    db, world: World, accounts: Accounts, monkeypatch
) -> None:
    """Through the schema's subscription (the WebSocket transport is Strawberry's)."""
    import dataclasses

    from backend.auth.viewer import Viewer
    from backend.schema import build_schema
    from backend.schema.context import Context

    # Changes are announced (tests/api/test_subscriptions.py); without a LISTENing worker in this
    # process (PostgreSQL), the safety re-check finds them.
    settings = dataclasses.replace(db, live_recheck_seconds=0.05)
    schema = build_schema(settings)
    manager = Viewer(user=world.users["manager"])
    context = Context(request=None, response=None, settings=settings, viewer=manager)  # type: ignore[arg-type]
    stream = await schema.subscribe("subscription { pendingApprovalCount }", context_value=context)
    try:
        first = await anext(stream)
        assert first.errors is None and first.data == {"pendingApprovalCount": 0}
        nina = await _newcomer(accounts)
        await _request_join(nina, world)
        second = await anext(stream)
        assert second.data == {"pendingApprovalCount": 1}
    finally:
        await stream.aclose()
    anonymous = await schema.subscribe(
        "subscription { pendingApprovalCount }",
        context_value=Context(request=None, response=None, settings=db),  # type: ignore[arg-type]
    )
    result = await anext(anonymous)
    assert [e.extensions["code"] for e in result.errors] == ["UNAUTHENTICATED"]
