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
