"""Role × field: each cell asserts the value is visible, or null with FORBIDDEN / UNAUTHENTICATED."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.app import create_app
from tests.conftest import GraphQLClient
from tests.world import PASSWORD, World, add_bank_details, build_world

VISIBLE, FORBIDDEN, UNAUTHENTICATED = "visible", "FORBIDDEN", "UNAUTHENTICATED"

STRUCTURE_QUERY = """
query($id: ID!, $service: ID!) {
  structure(id: $id) {
    name identifier city email phone version
    address { city }
    principalManager { lastName email }
    services { totalCount }
    members { totalCount }
    bankAccounts { maskedIban iban ribDocument { filename } }
    documents { filename }
  }
  service: node(id: $service) { ... on Service { code description version } }
}
"""

EVERYONE = ("manager", "member", "consultant", "service_member", "stranger", "support", "admin")
ORG_CONSULTATION = {"manager", "member", "consultant", "admin"}
# Platform staff see who is attached to a structure and how to reach them (support agents appoint
# principal managers), not the structure's other details.
STAFF = {"admin", "support"}

CASES: list[tuple[str, str, str]] = [
    # public directory fields: any signed-in user
    *[(role, "structure.name", VISIBLE) for role in EVERYONE],
    *[(role, "structure.city", VISIBLE) for role in EVERYONE],
    *[(role, "structure.services.totalCount", VISIBLE) for role in EVERYONE],
    *[(role, "service.code", VISIBLE) for role in EVERYONE],
    ("anonymous", "structure", UNAUTHENTICATED),
    # Organisation consultation on the structure
    *[
        (role, field, VISIBLE if role in ORG_CONSULTATION else FORBIDDEN)
        for role in EVERYONE
        for field in ("structure.email", "structure.phone", "structure.version", "structure.address")
    ],
    *[
        (role, "structure.principalManager", VISIBLE if role in ORG_CONSULTATION | STAFF else FORBIDDEN)
        for role in EVERYONE
    ],
    # members: Organisation consultation on the structure, or on a service (its members only), or staff
    *[
        (
            role,
            "structure.members.totalCount",
            VISIBLE if role in ORG_CONSULTATION | STAFF | {"service_member"} else FORBIDDEN,
        )
        for role in EVERYONE
    ],
    # service details: Organisation consultation on the structure or on that service
    *[
        (role, "service.description", VISIBLE if role in ORG_CONSULTATION | {"service_member"} else FORBIDDEN)
        for role in EVERYONE
    ],
    # bank details and documents: Organisation consultation; the full IBAN and the RIB: modification
    *[
        (role, field, VISIBLE if role in ORG_CONSULTATION else FORBIDDEN)
        for role in EVERYONE
        for field in ("structure.bankAccounts.0.maskedIban", "structure.documents.0.filename")
    ],
    *[
        (role, field, VISIBLE if role in {"manager", "admin"} else FORBIDDEN)
        for role in EVERYONE
        for field in ("structure.bankAccounts.0.iban", "structure.bankAccounts.0.ribDocument.filename")
    ],
]


async def _client(app: Any, world: World | None, role: str) -> GraphQLClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    client = GraphQLClient(http)
    if role != "anonymous":
        body = await client.post(
            "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { errors { code message } } }",
            {"e": world.email(role), "p": PASSWORD},
        )
        assert body["data"]["logIn"]["errors"] == [], body
    return client


def _at(data: Any, path: list[str]) -> Any:
    for key in path:
        if data is None:
            return None
        data = data[int(key)] if isinstance(data, list) else data[key]
    return data


def _error_at(body: dict[str, Any], path: list[str]) -> str | None:
    path = [key for key in path if not key.isdigit()]  # list indexes
    for error in body.get("errors", []):
        if [p for p in error.get("path", []) if isinstance(p, str)] == path:
            return (error.get("extensions") or {}).get("code")
    return None


@pytest.fixture
async def world(db) -> World:
    world = await build_world()
    await add_bank_details(world)
    return world


@pytest.mark.parametrize(("role", "path", "expected"), CASES, ids=[f"{r}-{p}" for r, p, _ in CASES])
async def test_role_field_matrix(db, world: World, role: str, path: str, expected: str) -> None:
    from strawberry import relay

    app = create_app(db, manage_db=False)
    client = await _client(app, world, role)
    try:
        variables = {
            "id": str(relay.GlobalID("Structure", str(world.structure.id))),
            "service": str(relay.GlobalID("Service", str(world.service.id))),
        }
        body = await client.post(STRUCTURE_QUERY, variables)
        keys = path.split(".")
        value = _at(body["data"], keys)
        if expected == VISIBLE:
            assert value is not None, body
            assert _error_at(body, keys) is None, body
        else:
            assert value is None, body
            # the error sits on the first field of the path that was refused
            codes = {_error_at(body, keys[:i]) for i in range(1, len(keys) + 1)} - {None}
            assert codes == {expected}, body
    finally:
        await client.http.aclose()


async def test_the_structure_list_counts_only_what_the_viewer_may_see(db, world: World) -> None:
    app = create_app(db, manage_db=False)
    client = await _client(app, world, "service_member")
    try:
        data = await client.query(
            "query($id: ID!) { structure(id: $id) { members { totalCount edges { node { user { firstName } } } } } }",
            {"id": str(__import__("strawberry").relay.GlobalID("Structure", str(world.structure.id)))},
        )
        members = data["structure"]["members"]
        assert members["totalCount"] == 1
        assert [e["node"]["user"]["firstName"] for e in members["edges"]] == ["Service_member"]
    finally:
        await client.http.aclose()


# ---------------------------------------------------------------------------------------- memberships, habilitations, approvals

USERS_QUERY = """
query($structure: ID!, $membership: ID!, $habilitation: ID!, $user: ID!, $approval: ID!) {
  structure(id: $structure) { auditEvents { totalCount } }
  membership: node(id: $membership) { ... on Membership { status habilitations { id } user { firstName } } }
  habilitation: node(id: $habilitation) { ... on Habilitation { profile { code } } }
  user(id: $user) { firstName email phone memberships { totalCount } }
  approval(id: $approval) { number requester { firstName email } profilesToAdd { code } }
}
"""
# The member's own structure-level membership, one of their rows, their account, and their request.
MEMBER_READERS = {"member", "manager", "consultant", "admin"}
APPROVAL_READERS = {"member", "manager", "admin"}

USER_CASES: list[tuple[str, str, str]] = [
    *[
        (role, path, VISIBLE if role in MEMBER_READERS else FORBIDDEN)
        for role in EVERYONE
        for path in (
            "membership.status",
            "membership.habilitations.0.id",
            "habilitation.profile.code",
            "structure.auditEvents.totalCount",
        )
    ],
    *[
        (role, path, VISIBLE if role in MEMBER_READERS | STAFF else FORBIDDEN)
        for role in EVERYONE
        for path in ("user.firstName", "user.email", "user.phone", "user.memberships.totalCount")
    ],
    *[
        (role, path, VISIBLE if role in APPROVAL_READERS else FORBIDDEN)
        for role in EVERYONE
        for path in ("approval.number", "approval.requester.email", "approval.profilesToAdd.0.code")
    ],
    *[
        ("anonymous", path, UNAUTHENTICATED)
        for path in ("structure", "membership", "habilitation", "user", "approval")
    ],
]


USER_ROLES = sorted({role for role, _, _ in USER_CASES})


@pytest.mark.parametrize("role", USER_ROLES)
async def test_role_field_matrix_of_users_and_approvals(db, world: World, role: str) -> None:
    """Every cell of USER_CASES for one role, from one request (a login per role, not per cell)."""
    from strawberry import relay

    from backend import models

    member = world.users["member"]
    membership = await models.Membership.get(user_id=member.id, structure_id=world.structure.id)
    habilitation = await models.Habilitation.filter(
        user_id=member.id, structure_id=world.structure.id
    ).first()
    profile = await models.Profile.get(code="ORGANISATION_MODIFICATION")
    approval = await models.Approval.create(
        number="RITM0000001",
        kind=models.ApprovalKind.HABILITATION_CHANGE,
        description="Ajout du profil Organisation modification",
        requester=member,
        approver=world.users["manager"],
        structure=world.structure,
    )
    await models.ApprovalProfileChange.create(
        approval=approval, profile=profile, change=models.ProfileChangeKind.ADD
    )
    await models.AuditEvent.create(
        actor=world.users["manager"],
        action="membership.attach",
        target_type="Membership",
        target_id=str(membership.id),
        structure=world.structure,
        subject_user=member,
    )
    app = create_app(db, manage_db=False)
    client = await _client(app, world, role)
    try:
        variables = {
            "structure": str(relay.GlobalID("Structure", str(world.structure.id))),
            "membership": str(relay.GlobalID("Membership", str(membership.id))),
            "habilitation": str(relay.GlobalID("Habilitation", str(habilitation.id))),
            "user": str(relay.GlobalID("User", str(member.id))),
            "approval": str(relay.GlobalID("Approval", str(approval.id))),
        }
        body = await client.post(USERS_QUERY, variables)
    finally:
        await client.http.aclose()
    wrong = []
    for _, path, expected in (case for case in USER_CASES if case[0] == role):
        keys = path.split(".")
        value = _at(body["data"], keys)
        if expected == VISIBLE:
            ok = value is not None and _error_at(body, keys) is None
        else:
            # the error sits on the first field of the path that was refused
            codes = {_error_at(body, keys[:i]) for i in range(1, len(keys) + 1)} - {None}
            ok = value is None and codes == {expected}
        if not ok:
            wrong.append(f"{path}: expected {expected}, got {value!r}")
    assert not wrong, (wrong, body)


# ---------------------------------------------------------------------------------------- tickets

TICKET_QUERY = """
query($business: ID!, $support: ID!, $fromService: ID!) {
  business: ticket(id: $business) {
    number title contactEmail viewerActions
    activities { kind author { firstName } }
    issuerStructure { name email }
    recipientStructure { name }
    createdBy { firstName }
  }
  support: node(id: $support) { ... on Ticket { number title } }
  fromService: ticket(id: $fromService) { number issuerService { code } }
}
"""

TICKET_ROLES = (*EVERYONE, "recipient")
ISSUER_SIDE = {"manager", "member", "consultant", "admin"}  # Sollicitations émises consultation or more
BUSINESS_READERS = ISSUER_SIDE | {"recipient"}  # and the recipient structure's Sollicitations reçues
SUPPORT_READERS = ISSUER_SIDE | {"support"}  # support agents read the tickets addressed to the support

TICKET_CASES: list[tuple[str, str, str]] = [
    *[
        (role, field, VISIBLE if role in BUSINESS_READERS else FORBIDDEN)
        for role in TICKET_ROLES
        for field in (
            "business.title",
            "business.contactEmail",
            "business.activities.0.author.firstName",
            "business.recipientStructure.name",
        )
    ],
    # The issuer structure's own details still need Organisation consultation on it.
    *[
        (role, "business.issuerStructure.email", VISIBLE if role in ORG_CONSULTATION else FORBIDDEN)
        for role in TICKET_ROLES
    ],
    *[(role, "support.title", VISIBLE if role in SUPPORT_READERS else FORBIDDEN) for role in TICKET_ROLES],
    # Issued from a service: its members read it too.
    *[
        (
            role,
            "fromService.issuerService.code",
            VISIBLE if role in SUPPORT_READERS | {"service_member"} else FORBIDDEN,
        )
        for role in TICKET_ROLES
    ],
    ("anonymous", "business", UNAUTHENTICATED),
]


async def _tickets(world: World) -> dict[str, str]:
    from strawberry import relay

    from backend import models
    from backend.auth.viewer import Viewer
    from backend.services import tickets

    async def data(code: str, **values: Any) -> tickets.TicketData:
        sub = await models.TicketSubcategory.get(code=code)
        return tickets.TicketData(
            category_id=sub.category_id,
            subcategory_id=sub.id,
            issuer_structure_id=world.structure.id,
            title="Question",
            description="Bonjour.",
            **values,
        )

    assert world.recipient is not None
    business = await tickets.submit_ticket(
        Viewer(user=world.users["member"]),
        None,
        await data(
            "FACTURES_EMISES_QUESTION_DESTINATAIRE",
            recipient_structure_id=world.recipient.id,
            object_type=models.TicketObjectType.FACTURE,
            object_number="FAC-1",
        ),
    )
    support = await tickets.submit_ticket(
        Viewer(user=world.users["member"]), None, await data("SUPPORT_SAISIE_TRAITEMENT_TICKET")
    )
    from_service = await tickets.submit_ticket(
        Viewer(user=world.users["service_member"]),
        None,
        await data("ORGANISATION_HABILITATIONS", issuer_service_id=world.service.id),
    )
    return {
        "business": str(relay.GlobalID("Ticket", str(business.id))),
        "support": str(relay.GlobalID("Ticket", str(support.id))),
        "fromService": str(relay.GlobalID("Ticket", str(from_service.id))),
    }


@pytest.mark.parametrize(
    ("role", "path", "expected"), TICKET_CASES, ids=[f"{r}-{p}" for r, p, _ in TICKET_CASES]
)
async def test_ticket_role_field_matrix(db, world: World, role: str, path: str, expected: str) -> None:
    variables = await _tickets(world)
    app = create_app(db, manage_db=False)
    client = await _client(app, world, role)
    try:
        body = await client.post(TICKET_QUERY, variables)
        keys = path.split(".")
        value = _at(body["data"], keys)
        if expected == VISIBLE:
            assert value is not None, body
            assert _error_at(body, keys) is None, body
        else:
            assert value is None, body
            codes = {_error_at(body, keys[:i]) for i in range(1, len(keys) + 1)} - {None}
            assert codes == {expected}, body
    finally:
        await client.http.aclose()
