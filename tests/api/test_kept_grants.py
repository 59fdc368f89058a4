"""A worker keeps each user's grants between requests; a right given or taken back, whoever writes
it (this worker through the portal, another worker, a script in the database), counts from the
very next request."""

from __future__ import annotations

from typing import Any

import pytest

from backend import models
from backend.auth.grants import Grants, KeptGrants
from backend.models import MembershipStatus
from tests.api.users_helpers import gid, log_in, profile_id
from tests.conftest import Accounts, GraphQLClient
from tests.world import World, build_world

EMAIL = "query($id: ID!) { structure(id: $id) { email } }"
MINE = "{ structures(mine: true, first: 10) { totalCount } }"
ADD = """mutation($input: AddHabilitationInput!) {
  addHabilitation(input: $input) { habilitation { id } errors { code message } }
}"""
REMOVE = "mutation($id: ID!) { removeHabilitation(id: $id) { deletedId errors { code message } } }"


@pytest.fixture
async def world(db) -> World:
    return await build_world()


async def reads_email(client: GraphQLClient, world: World) -> bool:
    """Whether the client sees the structure's email (Organisation consultation), else FORBIDDEN."""
    body = await client.post(EMAIL, {"id": gid("Structure", world.structure.id)})
    if body["data"]["structure"]["email"] == "contact@monde.test":
        return True
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], body
    return False


def organisation_consultation(world: World, role: str) -> Any:
    return models.Habilitation.filter(
        user_id=world.users[role].id,
        structure_id=world.structure.id,
        service_id=None,
        application__code="ORGANISATION",
    )


async def test_a_right_taken_back_in_the_portal_stops_working_on_the_next_request(
    accounts: Accounts, world: World
) -> None:
    consultant = await log_in(accounts, world, "consultant")
    manager = await log_in(accounts, world, "manager")
    assert await reads_email(consultant, world)
    assert await reads_email(consultant, world)  # kept by now

    held = await organisation_consultation(world, "consultant").get()
    removed = (await manager.query(REMOVE, {"id": gid("Habilitation", held.id)}))["removeHabilitation"]
    assert removed["errors"] == []
    assert not await reads_email(consultant, world)

    given = await manager.query(
        ADD,
        {
            "input": {
                "userId": gid("User", world.users["consultant"].id),
                "structureId": gid("Structure", world.structure.id),
                "profileId": await profile_id("ORGANISATION_CONSULTATION"),
            }
        },
    )
    assert given["addHabilitation"]["errors"] == []
    assert await reads_email(consultant, world)


async def test_a_change_written_by_another_worker_or_a_script_counts_on_the_next_request(
    accounts: Accounts, world: World
) -> None:
    consultant = await log_in(accounts, world, "consultant")
    assert await reads_email(consultant, world)
    assert (await consultant.query(MINE))["structures"]["totalCount"] == 1

    # Straight in the database: what this worker did not do itself.
    held = await organisation_consultation(world, "consultant").get()
    await held.delete()
    assert not await reads_email(consultant, world)
    await models.Habilitation.create(
        user_id=held.user_id,
        structure_id=held.structure_id,
        profile_id=held.profile_id,
        application_id=held.application_id,
    )
    assert await reads_email(consultant, world)

    await models.Membership.filter(user_id=world.users["consultant"].id).update(
        status=MembershipStatus.DETACHED
    )
    assert (await consultant.query(MINE))["structures"]["totalCount"] == 0

    await models.Habilitation.filter(id__gt=0, user_id=world.users["consultant"].id).update(
        structure_id=world.other.id
    )
    assert not await reads_email(consultant, world)


async def test_an_application_renamed_in_the_reference_data_changes_the_rights_it_gave(
    accounts: Accounts, world: World
) -> None:
    consultant = await log_in(accounts, world, "consultant")
    assert await reads_email(consultant, world)
    try:  # the rights name applications by code: held under another code, they give nothing here
        await models.Application.filter(code="ORGANISATION").update(code="ORGANISATION_ARCHIVEE")
        assert not await reads_email(consultant, world)
    finally:  # reference data, kept between tests
        await models.Application.filter(code="ORGANISATION_ARCHIVEE").update(code="ORGANISATION")
    assert await reads_email(consultant, world)


async def test_an_administrator_or_agent_flag_counts_on_the_next_request(
    accounts: Accounts, world: World
) -> None:
    stranger = await log_in(accounts, world, "stranger")
    assert not await reads_email(stranger, world)
    await models.User.filter(id=world.users["stranger"].id).update(is_platform_admin=True)
    assert await reads_email(stranger, world)
    await models.User.filter(id=world.users["stranger"].id).update(is_platform_admin=False)
    assert not await reads_email(stranger, world)


async def test_kept_grants_cost_one_statement_instead_of_reading_the_rights(
    accounts: Accounts, world: World, count_queries: Any
) -> None:
    consultant = await log_in(accounts, world, "consultant")
    with count_queries() as cold:  # starts from a worker that keeps nothing
        assert await reads_email(consultant, world)
    with count_queries(keep_grants=True) as warm:
        assert await reads_email(consultant, world)
    assert warm.count == cold.count - 2, (cold.statements, warm.statements)
    assert not any("habilitation" in s.lower() for s in warm.statements), warm.statements


def test_a_worker_keeps_a_bounded_number_of_rights_least_recently_used_out_first() -> None:
    def holding(user_id: int, rights: int) -> Grants:
        return Grants(user_id=user_id, member_of=set(range(rights)))

    kept = KeptGrants(capacity=10)
    kept.keep((1, 7, False, False), holding(1, 4))
    kept.keep((2, 7, False, False), holding(2, 4))
    assert kept.get((1, 7, False, False)) is not None  # 1 used last: 2 goes first
    kept.keep((3, 7, False, False), holding(3, 4))
    assert kept.get((2, 7, False, False)) is None
    assert kept.get((1, 7, False, False)) is not None and kept.get((3, 7, False, False)) is not None
    assert kept.rights == 8

    kept.keep((1, 8, False, False), holding(1, 1))  # a new version replaces the user's former one
    assert kept.get((1, 7, False, False)) is None
    assert kept.rights == 5

    kept.keep((4, 1, False, False), holding(4, 50))  # bigger than the whole capacity: kept alone
    assert kept.get((4, 1, False, False)) is not None
    assert kept.rights == 50 and kept.get((3, 7, False, False)) is None
