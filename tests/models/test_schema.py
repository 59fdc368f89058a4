"""The migrated schema: constraints, partial unique indexes, indexes, migrations in sync."""

from __future__ import annotations

import pytest
from tortoise import connections
from tortoise.context import get_current_context
from tortoise.exceptions import IntegrityError
from tortoise.migrations.autodetector import MigrationAutodetector

from backend.db import tortoise_config
from backend.models import (
    PARTIAL_UNIQUE_INDEXES,
    AccessLevel,
    Application,
    Habilitation,
    IdentifierType,
    Membership,
    MembershipStatus,
    Profile,
    Service,
    Structure,
    StructureKind,
    Ticket,
    TicketCategory,
    TicketStatus,
    TicketSubcategory,
    User,
)
from backend.models.sequences import next_approval_number, next_ticket_number, next_value
from backend.settings import Settings


async def make_user(email: str = "Alice@Example.org") -> User:
    return await User.create(email=email, password_hash="x", first_name="Alice", last_name="Durand")


async def make_structure(identifier: str = "81234567600017", **kwargs) -> Structure:
    values = {
        "identifier_type": IdentifierType.SIRET,
        "identifier": identifier,
        "name": "Boulangerie Martin",
        "address_line1": "12 rue de la République",
        "postal_code": "69002",
        "city": "Lyon",
    }
    values.update(kwargs)
    return await Structure.create(**values)


async def test_migrations_match_the_models(sqlite_db: Settings) -> None:
    """makemigrations would write nothing: the migration files describe the models exactly."""
    apps_config = {"models": tortoise_config(sqlite_db.database_url)["apps"]["models"]}
    ctx = get_current_context()
    assert ctx is not None and ctx.apps is not None
    writers = await MigrationAutodetector(ctx.apps, apps_config).changes()
    assert [writer.name for writer in writers] == []


async def test_partial_unique_indexes_and_foreign_key_indexes_exist(sqlite_db: Settings) -> None:
    conn = connections.get("default")
    rows = await conn.execute_query_dict("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
    indexes = {row["name"]: row["sql"] for row in rows}
    for index in PARTIAL_UNIQUE_INDEXES:
        assert indexes.get(index.name) == index.create_sql()

    tables = [
        row["name"]
        for row in await conn.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    unindexed = []
    for table in tables:
        leading = set()
        for index in await conn.execute_query_dict(f'PRAGMA index_list("{table}")'):
            columns = await conn.execute_query_dict(f'PRAGMA index_info("{index["name"]}")')
            leading.add(min(columns, key=lambda c: c["seqno"])["name"])
        for fk in await conn.execute_query_dict(f'PRAGMA foreign_key_list("{table}")'):
            if fk["from"] not in leading:
                unindexed.append(f"{table}.{fk['from']}")
    assert unindexed == []


async def test_structure_identifier_is_unique_per_identifier_type(sqlite_db: Settings) -> None:
    await make_structure("81234567600017")
    await make_structure("81234567600017", identifier_type=IdentifierType.AUTRE, kind=StructureKind.PRIVATE)
    with pytest.raises(IntegrityError):
        await make_structure("81234567600017", name="Autre nom")


async def test_service_code_is_unique_within_its_structure(sqlite_db: Settings) -> None:
    first, second = await make_structure("81234567600017"), await make_structure("84561237300017")
    await Service.create(structure=first, code="ACHATS", name="Achats")
    await Service.create(structure=second, code="ACHATS", name="Achats")
    with pytest.raises(IntegrityError):
        await Service.create(structure=first, code="ACHATS", name="Achats bis")


async def test_one_profile_per_application_per_scope(reference_db: Settings) -> None:
    user, structure = await make_user(), await make_structure()
    achats = await Service.create(structure=structure, code="ACHATS", name="Achats")
    compta = await Service.create(structure=structure, code="COMPTA", name="Comptabilité")
    application = await Application.get(code="FACTURES_EMISES")
    consultation = await Profile.get(application=application, level=AccessLevel.CONSULTATION)
    modification = await Profile.get(application=application, level=AccessLevel.MODIFICATION)

    async def grant(profile: Profile, service: Service | None = None) -> Habilitation:
        return await Habilitation.create(
            user=user, structure=structure, service=service, profile=profile, application=application
        )

    await grant(consultation)
    with pytest.raises(IntegrityError):  # the other level of the same application, same scope
        await grant(modification)
    with pytest.raises(IntegrityError):  # the same profile twice
        await grant(consultation)
    await grant(modification, achats)  # another scope: a service
    with pytest.raises(IntegrityError):
        await grant(consultation, achats)
    await grant(consultation, compta)  # another service
    other = await Application.get(code="FACTURES_RECUES")
    await Habilitation.create(
        user=user,
        structure=structure,
        profile=await Profile.get(application=other, level=AccessLevel.MODIFICATION),
        application=other,
    )
    assert await Habilitation.filter(user=user).count() == 4


async def test_one_open_membership_per_user_and_scope(sqlite_db: Settings) -> None:
    user, structure = await make_user(), await make_structure()
    service = await Service.create(structure=structure, code="ACHATS", name="Achats")

    first = await Membership.create(user=user, structure=structure, status=MembershipStatus.ACTIVE)
    with pytest.raises(IntegrityError):
        await Membership.create(user=user, structure=structure, status=MembershipStatus.PENDING)
    # A service-level membership is another scope.
    at_service = await Membership.create(user=user, structure=structure, service=service)
    with pytest.raises(IntegrityError):
        await Membership.create(
            user=user, structure=structure, service=service, status=MembershipStatus.PENDING
        )

    # Detached (or refused) memberships do not block a new one.
    first.status = MembershipStatus.DETACHED
    await first.save()
    await Membership.create(user=user, structure=structure, status=MembershipStatus.ACTIVE)
    at_service.status = MembershipStatus.REFUSED
    await at_service.save()
    await Membership.create(user=user, structure=structure, service=service, status=MembershipStatus.PENDING)
    assert await Membership.filter(user=user).count() == 4


async def test_drafts_have_no_number_and_numbers_are_unique(reference_db: Settings) -> None:
    user, structure = await make_user(), await make_structure()
    sub = await TicketSubcategory.get(code="SUPPORT_SAISIE_TRAITEMENT_TICKET")
    category = await TicketCategory.get(id=sub.category_id)

    async def ticket(number: str | None) -> Ticket:
        return await Ticket.create(
            number=number,
            title="t",
            description="d",
            status=TicketStatus.DRAFT if number is None else TicketStatus.OPEN,
            category=category,
            subcategory=sub,
            issuer_structure=structure,
            contact_email=user.email,
            created_by=user,
        )

    await ticket(None)
    await ticket(None)
    number = await next_ticket_number()
    assert number == "CPROCS0000001"
    await ticket(number)
    with pytest.raises(IntegrityError):
        await ticket(number)


async def test_sequences_count_from_one_without_gaps(sqlite_db: Settings) -> None:
    assert [await next_ticket_number() for _ in range(3)] == [
        "CPROCS0000001",
        "CPROCS0000002",
        "CPROCS0000003",
    ]
    assert await next_approval_number() == "RITM0000001"
    assert await next_value("other") == 1


async def test_login_email_is_stored_lower_case(sqlite_db: Settings) -> None:
    user = await make_user("  Camille.Martin@Example.ORG ")
    assert user.email == "camille.martin@example.org"
    assert await User.filter(email="camille.martin@example.org").exists()
    with pytest.raises(IntegrityError):
        await make_user("CAMILLE.MARTIN@example.org")
