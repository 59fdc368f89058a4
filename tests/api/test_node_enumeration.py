"""No object reachable by guessing ids.

Every ``Node`` type of the schema gets one object in structure A. Three outsiders ask for each
one by ``node(id:)`` and by the type's own lookup: the manager of structure B, a signed-in person
with no membership at all, and an anonymous client. Every field that the permission matrix does
not make public answers null with FORBIDDEN (UNAUTHENTICATED for the anonymous client), and an id
of nothing answers exactly like the hidden object: same data, same error, same message. The
download and export routes are held to the same rule.

The types come from the schema: a new ``Node`` type without a factory below fails this file.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from graphql import GraphQLObjectType, Undefined, get_named_type, is_leaf_type, is_non_null_type

from backend import models
from backend.clock import now
from backend.schema import build_schema
from backend.schema.matrix import REFERENCE_TYPES, node_type_names, read_rules
from backend.settings import Settings
from tests.tickets_world import TicketWorld, build_ticket_world, gid
from tests.world import add_bank_details

SCHEMA = build_schema(Settings())
RULES = {(type_name, field): rule for type_name, field, rule in read_rules(SCHEMA)}
VIEWERS = ("manager_of_b", "outsider", "anonymous")
#: The type's own lookup on Query, besides node(id:).
LOOKUPS = {"Structure": "structure", "User": "user", "Approval": "approval", "Ticket": "ticket"}
MISSING_PK = 987_654


# ---------------------------------------------------------------------------- one object of each


async def as_manager(w: TicketWorld) -> Any:
    return await w.as_("manager")


async def api_token(w: TicketWorld) -> str:
    manager = await as_manager(w)
    data = await manager.query(
        'mutation { createApiToken(name: "Comptabilité") { token { id } errors { code } } }'
    )
    return data["createApiToken"]["token"]["id"]


async def session(w: TicketWorld) -> str:
    manager = await as_manager(w)
    sessions = (await manager.query("{ viewer { sessions { id current } } }"))["viewer"]["sessions"]
    return next(s["id"] for s in sessions if s["current"])


async def approval(w: TicketWorld) -> str:
    applicant = await w.as_("applicant")
    data = await applicant.query(
        "mutation($input: RequestAttachmentInput!) { requestAttachment(input: $input) {"
        " approval { id } errors { code message } } }",
        {"input": {"structureId": gid("Structure", w.issuer.id), "comment": "Nouvelle comptable"}},
    )
    assert data["requestAttachment"]["errors"] == [], data
    return data["requestAttachment"]["approval"]["id"]


async def audit_event(w: TicketWorld) -> str:
    event = await models.AuditEvent.create(
        actor=w.user("manager"),
        action="structure.update",
        target_type="Structure",
        target_id=str(w.issuer.id),
        structure=w.issuer,
        changes='{"phone": ["0199999999", "0188888888"]}',
    )
    return gid("AuditEvent", event.id)


async def bank_account(w: TicketWorld) -> str:
    return gid("BankAccount", (await models.BankAccount.get(structure=w.issuer)).id)


async def document(w: TicketWorld) -> str:
    return gid("Document", (await models.Document.get(structure=w.issuer)).id)


async def habilitation(w: TicketWorld) -> str:
    row = await models.Habilitation.filter(user=w.user("manager"), structure=w.issuer).first()
    assert row is not None
    return gid("Habilitation", row.id)


async def invitation(w: TicketWorld) -> str:
    row = await models.Invitation.create(
        email="nouvelle.recrue@monde.test",
        structure=w.issuer,
        invited_by=w.user("manager"),
        token_hash="e" * 64,
        expires_at=now() + timedelta(days=7),
    )
    return gid("Invitation", row.id)


async def membership(w: TicketWorld) -> str:
    row = await models.Membership.get(user=w.user("manager"), structure=w.issuer, service=None)
    return gid("Membership", row.id)


async def service(w: TicketWorld) -> str:
    return gid("Service", w.base.service.id)


async def structure(w: TicketWorld) -> str:
    return gid("Structure", w.issuer.id)


async def ticket(w: TicketWorld) -> str:
    return (await w.submit("manager", "support"))["id"]


async def user(w: TicketWorld) -> str:
    return gid("User", w.user("manager").id)


def reference(model: Any, type_name: str) -> Callable[[TicketWorld], Awaitable[str]]:
    async def first(w: TicketWorld) -> str:
        row = await model.all().order_by("id").first()
        return gid(type_name, row.id)

    return first


FACTORIES: dict[str, Callable[[TicketWorld], Awaitable[str]]] = {
    "ApiToken": api_token,
    "Application": reference(models.Application, "Application"),
    "Approval": approval,
    "AuditEvent": audit_event,
    "BankAccount": bank_account,
    "Document": document,
    "Habilitation": habilitation,
    "Invitation": invitation,
    "Membership": membership,
    "Profile": reference(models.Profile, "Profile"),
    "Service": service,
    "Session": session,
    "Structure": structure,
    "Ticket": ticket,
    "TicketCategory": reference(models.TicketCategory, "TicketCategory"),
    "TicketSubcategory": reference(models.TicketSubcategory, "TicketSubcategory"),
    "User": user,
}


def test_every_node_type_of_the_schema_has_a_case() -> None:
    assert sorted(FACTORIES) == node_type_names(SCHEMA)


# ------------------------------------------------------------------------------------ the queries


def fields_of(type_name: str) -> dict[str, str]:
    """Every field of the type that needs no argument, with its selection (objects: __typename)."""
    graphql_type = SCHEMA._schema.type_map[type_name]
    assert isinstance(graphql_type, GraphQLObjectType)
    found = {}
    for name, field in graphql_type.fields.items():
        if any(is_non_null_type(a.type) and a.default_value is Undefined for a in field.args.values()):
            continue
        found[name] = name if is_leaf_type(get_named_type(field.type)) else f"{name} {{ __typename }}"
    return found


def selection(type_name: str) -> str:
    return " ".join(fields_of(type_name).values())


def node_query(type_name: str) -> str:
    return f"query($id: ID!) {{ found: node(id: $id) {{ __typename ... on {type_name} {{ {selection(type_name)} }} }} }}"


def lookup_query(type_name: str) -> str:
    return f"query($id: ID!) {{ found: {LOOKUPS[type_name]}(id: $id) {{ {selection(type_name)} }} }}"


def is_public(type_name: str, field: str) -> bool:
    """What the matrix opens to any signed-in person (reference data: everything)."""
    if type_name in REFERENCE_TYPES:
        return True
    rule = RULES.get((type_name, field)) or ""
    return rule.startswith("any signed-in user")


def reachable(type_name: str) -> bool:
    """Whether a signed-in outsider may hold the object at all (a public field, or reference data)."""
    return any(is_public(type_name, f) for f in fields_of(type_name) if f != "id")


def ids_of_nothing(type_name: str, *, typed: bool = False) -> list[str]:
    """Well-formed opaque ids that designate nothing; ``typed``: only those of ``type_name`` (a typed
    lookup answers VALIDATION for an id of another type, as the contract says)."""

    def opaque(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    ids = [
        gid(type_name, MISSING_PK),
        opaque(f"{type_name}:99999999999999999999999999"),
        opaque(f"{type_name}:-1"),
        opaque(f"{type_name}:0"),
    ]
    return ids if typed else [*ids, opaque("Nothing:1"), opaque(f"{type_name}Secret:1")]


def errors_at(body: dict[str, Any], path: list[Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", []) if e.get("path") == path]


# ----------------------------------------------------------------------------------------- world


@pytest.fixture
async def world(app: Any) -> Any:
    w = await build_ticket_world(app)
    manager = w.user("manager")
    for role in ("applicant", "outsider"):
        w.base.users[role] = await models.User.create(
            email=f"{role}@ailleurs.test",
            password_hash=manager.password_hash,
            first_name=role.capitalize(),
            last_name="Ailleurs",
        )
    # The manager of structure B (tests/world.py calls them "stranger").
    w.base.users["manager_of_b"] = w.user("stranger")
    await add_bank_details(w.base)
    yield w
    await w.close()


@pytest.fixture
async def objects(world: TicketWorld) -> dict[str, str]:
    return {type_name: await factory(world) for type_name, factory in FACTORIES.items()}


# ------------------------------------------------------------------------------------------ tests


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_every_field_of_every_node_is_hidden_unless_the_matrix_makes_it_public(
    world: TicketWorld, objects: dict[str, str], viewer: str
) -> None:
    client = await world.as_(viewer)
    refused = "UNAUTHENTICATED" if viewer == "anonymous" else "FORBIDDEN"
    problems: list[str] = []
    for type_name, object_id in objects.items():
        queries = [("node", node_query(type_name))]
        if type_name in LOOKUPS:
            queries.append((LOOKUPS[type_name], lookup_query(type_name)))
        for how, query in queries:
            body = await client.post(query, {"id": object_id})
            found = body["data"]["found"] if body.get("data") else None
            label = f"{type_name} by {how}"
            if viewer == "anonymous" or not reachable(type_name):
                if found is not None or errors_at(body, ["found"]) != [refused]:
                    problems.append(f"{label}: expected null + {refused}, got {body}")
                continue
            if found is None:
                problems.append(f"{label}: expected the public fields, got {body}")
                continue
            for field in fields_of(type_name):
                codes = errors_at(body, ["found", field])
                if is_public(type_name, field) or field == "id":
                    if codes:
                        problems.append(f"{label}.{field} is public but answered {codes}")
                elif found.get(field) is not None or codes != [refused]:
                    problems.append(
                        f"{label}.{field}: expected null + {refused}, got {found.get(field)!r} {codes}"
                    )
            stray = [e for e in body.get("errors", []) if e["extensions"]["code"] != refused]
            if stray:
                problems.append(f"{label}: unexpected errors {stray}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_an_id_of_nothing_answers_exactly_like_a_hidden_object(
    world: TicketWorld, objects: dict[str, str], viewer: str
) -> None:
    client = await world.as_(viewer)
    hidden_type = "ApiToken"  # hidden from every outsider: the yardstick for the public types
    yardstick = await client.post(node_query(hidden_type), {"id": objects[hidden_type]})
    assert yardstick["data"] == {"found": None}
    problems: list[str] = []
    for type_name, object_id in objects.items():
        queries = [("node", node_query(type_name))]
        if type_name in LOOKUPS:
            queries.append((LOOKUPS[type_name], lookup_query(type_name)))
        for how, query in queries:
            hidden = await client.post(query, {"id": object_id})
            for missing_id in ids_of_nothing(type_name, typed=how != "node"):
                missing = await client.post(query, {"id": missing_id})
                label = f"{type_name} by {how}, id {base64.b64decode(missing_id).decode()}"
                if viewer == "anonymous" or not reachable(type_name):
                    if missing != hidden:
                        problems.append(f"{label}: {missing} differs from the hidden object's {hidden}")
                else:
                    # The object itself is in the public directory: nothing answers like the hidden token.
                    comparable = {k: v for k, v in missing.items() if k != "extensions"}
                    expected = {k: v for k, v in yardstick.items() if k != "extensions"}
                    if comparable != expected:
                        problems.append(f"{label}: {missing} differs from a hidden object's {yardstick}")
    assert problems == [], "\n".join(problems)


async def test_a_hidden_document_downloads_like_a_missing_one(
    world: TicketWorld, objects: dict[str, str]
) -> None:
    hidden = objects["Document"]
    ids = [hidden, *ids_of_nothing("Document"), "not-an-id"]
    for viewer in VIEWERS:
        client = await world.as_(viewer)
        answers = set()
        for document_id in ids:
            response = await client.http.get(f"/documents/{document_id}/download")
            answers.add((response.status_code, response.headers["content-type"], response.content))
        assert len(answers) == 1, (viewer, answers)
        [(status, _, _)] = answers
        assert status == (401 if viewer == "anonymous" else 404)


EXPORTS = [
    "/exports/utilisateurs.csv?structureId={id}",
    "/exports/approbations.csv?structureId={id}",
    "/exports/activites.csv?structureId={id}",
    "/exports/tickets-emis.csv?tab=IN_PROGRESS&structureId={id}",
    "/exports/tickets-recus.csv?structureId={id}",
]


@pytest.mark.parametrize("route", EXPORTS, ids=[r.split("?")[0] for r in EXPORTS])
async def test_exports_of_a_hidden_structure_answer_like_those_of_a_missing_one(
    world: TicketWorld, objects: dict[str, str], route: str
) -> None:
    missing = [gid("Structure", MISSING_PK), gid("Structure", 10**25)]
    for viewer in VIEWERS:
        client = await world.as_(viewer)
        answers = set()
        for structure_id in [objects["Structure"], *missing]:
            response = await client.http.get(route.format(id=structure_id))
            answers.add((response.status_code, response.headers["content-type"], response.content))
        assert len(answers) == 1, (viewer, answers)
