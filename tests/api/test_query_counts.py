"""SQL statements per request do not grow with the number of rows on the page."""

from __future__ import annotations

import httpx

from backend import models
from backend.app import create_app
from backend.auth.passwords import hash_password
from backend.models import AccessLevel, IdentifierType, MembershipStatus
from tests.conftest import GraphQLClient

PASSWORD = "Compte-Portail-2026"

VIEWER_MEMBERSHIPS = """
{ viewer { memberships(first: 50) { totalCount edges { node {
    status isPrincipalManager
    structure { name identifier }
    service { code }
    habilitations { profile { name application { code } } }
} } } } }
"""


async def _user_with_memberships(count: int, email: str) -> models.User:
    user = await models.User.create(
        email=email, password_hash=hash_password(PASSWORD), first_name="Nombreux", last_name="Rattachements"
    )
    profiles = [p for p in await models.Profile.all() if p.level == AccessLevel.CONSULTATION][:5]
    for i in range(count):
        structure = await models.Structure.create(
            identifier_type=IdentifierType.HORS_UE,
            identifier=f"{email}-{i}",
            name=f"Structure {i:03d}",
            address_line1="1 rue",
            postal_code="75001",
            city="Paris",
        )
        await models.Membership.create(user=user, structure=structure, status=MembershipStatus.ACTIVE)
        for profile in profiles:
            await models.Habilitation.create(
                user=user, structure=structure, profile=profile, application_id=profile.application_id
            )
    return user


async def _statements_for(db, count_queries, email: str) -> tuple[int, int]:
    app = create_app(db, manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        client = GraphQLClient(http)
        body = await client.post(
            "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { errors { code } } }",
            {"e": email, "p": PASSWORD},
        )
        assert body["data"]["logIn"]["errors"] == []
        with count_queries() as counter:
            data = await client.query(VIEWER_MEMBERSHIPS)
        return counter.count, data["viewer"]["memberships"]["totalCount"]


async def test_viewer_memberships_with_habilitations_costs_the_same_for_5_and_50_rows(
    db, count_queries
) -> None:
    await _user_with_memberships(5, "cinq@example.test")
    await _user_with_memberships(50, "cinquante@example.test")
    few, few_total = await _statements_for(db, count_queries, "cinq@example.test")
    many, many_total = await _statements_for(db, count_queries, "cinquante@example.test")
    assert (few_total, many_total) == (5, 50)
    assert few == many, f"{few} statements for 5 memberships, {many} for 50"
    assert many <= 12


# --- The bench's read operations (bench/operations.py): constant in page size and in data-set size ---

BENCH_PASSWORD = PASSWORD


async def _bench_world(tag: str, size: int) -> dict[str, object]:
    """A manager of a structure with ``size`` members (three habilitations each), ``size`` tickets per
    status with ``size`` activities on one, ``size`` pending approvals, ``size`` directory entries."""
    from datetime import timedelta

    from backend import clock

    manager = await models.User.create(
        email=f"gerant-{tag}@example.test",
        password_hash=hash_password(BENCH_PASSWORD),
        first_name="Gérant",
        last_name=tag,
    )
    structure = await models.Structure.create(
        identifier_type=IdentifierType.HORS_UE,
        identifier=f"BENCH-{tag}",
        name=f"Annuaire{tag} siège",
        address_line1="1 rue",
        postal_code="75001",
        city="Paris",
        principal_manager=manager,
    )
    for i in range(size):
        await models.Structure.create(
            identifier_type=IdentifierType.HORS_UE,
            identifier=f"BENCH-{tag}-{i}",
            name=f"Annuaire{tag} {i:03d}",
            address_line1="1 rue",
            postal_code="75001",
            city="Paris",
        )
    profiles = {(p.application_id, p.level): p for p in await models.Profile.all()}
    apps = {a.code: a.id for a in await models.Application.all()}
    await models.Membership.create(user=manager, structure=structure, status=MembershipStatus.ACTIVE)
    for code in ("ORGANISATION", "SOLLICITATIONS_EMISES", "SOLLICITATIONS_RECUES"):
        profile = profiles[(apps[code], AccessLevel.MODIFICATION)]
        await models.Habilitation.create(
            user=manager, structure=structure, profile=profile, application_id=profile.application_id
        )
    service = await models.Service.create(structure=structure, code=f"S{tag}", name="Service")
    for i in range(size):
        member = await models.User.create(
            email=f"membre-{tag}-{i}@example.test",
            password_hash="x",
            first_name="Membre",
            last_name=f"{tag}{i:03d}",
        )
        await models.Membership.create(
            user=member,
            structure=structure,
            status=MembershipStatus.ACTIVE,
            service=service if i % 2 else None,
        )
        for code in ("FACTURES_EMISES", "ORGANISATION", "SOLLICITATIONS_EMISES"):
            profile = profiles[(apps[code], AccessLevel.CONSULTATION)]
            await models.Habilitation.create(
                user=member,
                structure=structure,
                service=service if i % 2 else None,
                profile=profile,
                application_id=profile.application_id,
            )
        await models.Approval.create(
            number=f"RITM{tag}{i:04d}",
            kind=models.ApprovalKind.HABILITATION_CHANGE,
            state=models.ApprovalState.REQUESTED,
            description="Demande",
            requester=member,
            approver=manager,
            structure=structure,
        )
    subcategory = await models.TicketSubcategory.filter(is_business=False, requires_object=False).first()
    assert subcategory is not None
    first_number = ""
    for status in ("DRAFT", "OPEN", "AWAITING_INFORMATION", "RESOLVED", "CLOSED"):
        for i in range(size):
            number = None if status == "DRAFT" else f"CPROCS{tag.upper()}{status[:2]}{i:03d}"
            ticket = await models.Ticket.create(
                number=number,
                title=f"Prefecture mairie {tag} {i}",
                description="Bonjour",
                status=status,
                contact_email="contact@example.test",
                category_id=subcategory.category_id,
                subcategory=subcategory,
                created_by=manager,
                issuer_structure=structure,
                submitted_at=None if status == "DRAFT" else clock.now(),
                created_at=clock.now() - timedelta(minutes=i),
            )
            if number and not first_number:
                first_number = number
                for k in range(size):
                    await models.TicketActivity.create(
                        ticket=ticket,
                        kind=models.TicketActivityKind.COMMENT,
                        body=f"Commentaire {k}",
                        author=manager,
                    )
    return {"email": manager.email, "structure_id": structure.id, "ticket_number": first_number}


async def _bench_statements(db, count_queries, world: dict[str, object], first: int) -> dict[str, int]:
    """SQL statements of each bench read operation for ``world``'s manager, lists ``first`` a page."""
    from bench.operations import gid, operations

    app = create_app(db, manage_db=False)
    counts: dict[str, int] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        client = GraphQLClient(http)
        body = await client.post(
            "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { errors { code } } }",
            {"e": world["email"], "p": BENCH_PASSWORD},
        )
        assert body["data"]["logIn"]["errors"] == []
        tag = str(world["email"]).split("-")[1].split("@")[0]
        variables = {
            "directory_search": {"q": f"Annuaire{tag}"},
            "structure_page": {"id": gid("Structure", int(world["structure_id"]))},
            "members_page": {"id": gid("Structure", int(world["structure_id"]))},
            "keyword_search": {"q": f"prefecture mairie {tag}"},
            "ticket_page": {"number": world["ticket_number"]},
        }
        for op in operations():
            if op.kind == "write":
                continue
            query = op.query
            for page in ("first: 50", "first: 20", "first: 10"):
                query = query.replace(page, f"first: {first}")
            wanted = variables.get(op.name) or op.variables(None)
            with count_queries() as counter:
                data = await client.query(query, wanted)
            assert data, op.name
            counts[op.name] = counter.count
    return counts


async def test_bench_reads_cost_the_same_whatever_the_page_size(db, count_queries) -> None:
    world = await _bench_world("Pg", 12)
    # Pages of 4 and 12 both hold structure-level and service-level members (one loader each).
    few = await _bench_statements(db, count_queries, world, first=4)
    many = await _bench_statements(db, count_queries, world, first=12)
    assert few == many, f"statements with 4 a page: {few}; with 12 a page: {many}"


async def test_bench_reads_cost_the_same_whatever_the_data_set_size(db, count_queries) -> None:
    small = await _bench_statements(db, count_queries, await _bench_world("Sm", 2), first=10)
    large = await _bench_statements(db, count_queries, await _bench_world("Lg", 15), first=10)
    assert small == large, f"statements for a small world: {small}; for a large one: {large}"
    assert all(count <= 15 for count in large.values()), large
