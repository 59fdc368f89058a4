"""A small world for permission tests: one structure with a service, its principal manager,
members with different profiles, a stranger from another structure, support and admin.

Built with the models until the structure and membership services exist (issues 4 and 5);
then it should go through them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend import models
from backend.auth.passwords import hash_password
from backend.models import AccessLevel, IdentifierType, MembershipStatus, StructureKind

PASSWORD = "Monde-Portail-2026"
ROLES = ("manager", "member", "consultant", "service_member", "stranger", "support", "admin", "recipient")


@dataclass
class World:
    structure: models.Structure
    service: models.Service
    other: models.Structure
    users: dict[str, models.User] = field(default_factory=dict)
    #: A public structure that receives tickets: "recipient" holds every profile there.
    recipient: models.Structure | None = None

    def email(self, role: str) -> str:
        return self.users[role].email


async def _profiles(level_for: dict[str, AccessLevel]) -> list[models.Profile]:
    wanted = []
    for profile in await models.Profile.all():
        app = await profile.application
        if level_for.get(app.code) == profile.level:
            wanted.append(profile)
    return wanted


async def _grant(
    user: models.User, structure: models.Structure, service: models.Service | None, levels
) -> None:
    await models.Membership.create(
        user=user, structure=structure, service=service, status=MembershipStatus.ACTIVE
    )
    for profile in await _profiles(levels):
        await models.Habilitation.create(
            user=user,
            structure=structure,
            service=service,
            profile=profile,
            application_id=profile.application_id,
        )


async def build_world() -> World:
    password_hash = hash_password(PASSWORD)
    apps = [a.code for a in await models.Application.all()]
    everything = dict.fromkeys(apps, AccessLevel.MODIFICATION)
    defaults = {**everything, "ORGANISATION": AccessLevel.CONSULTATION}
    consultation = dict.fromkeys(apps, AccessLevel.CONSULTATION)

    users = {}
    for role in ROLES:
        users[role] = await models.User.create(
            email=f"{role}@monde.test",
            password_hash=password_hash,
            first_name=role.capitalize(),
            last_name="Monde",
            phone="0102030405",
            is_support_agent=role == "support",
            is_platform_admin=role == "admin",
        )
    structure = await models.Structure.create(
        identifier_type=IdentifierType.SIRET,
        identifier="73282932000074",
        name="Entreprise du Monde",
        email="contact@monde.test",
        phone="0199999999",
        address_line1="1 rue du Monde",
        postal_code="75001",
        city="Paris",
        principal_manager=users["manager"],
    )
    service = await models.Service.create(
        structure=structure, code="COMPTA", name="Comptabilité", description="Factures fournisseurs"
    )
    other = await models.Structure.create(
        identifier_type=IdentifierType.SIRET,
        identifier="35600000000048",
        name="Autre Structure",
        address_line1="2 avenue d'Ailleurs",
        postal_code="69001",
        city="Lyon",
        principal_manager=users["stranger"],
    )
    await _grant(users["manager"], structure, None, everything)
    await _grant(users["member"], structure, None, defaults)
    await _grant(users["consultant"], structure, None, consultation)
    await _grant(users["service_member"], structure, service, defaults)
    await _grant(users["stranger"], other, None, everything)
    recipient = await models.Structure.create(
        identifier_type=IdentifierType.SIRET,
        identifier="19290086800022",
        name="Collège Simone Veil",
        kind=StructureKind.PUBLIC,
        email="secretariat@college.test",
        address_line1="3 place de l'École",
        postal_code="29000",
        city="Quimper",
        principal_manager=users["recipient"],
    )
    await _grant(users["recipient"], recipient, None, everything)
    return World(structure=structure, service=service, other=other, users=users, recipient=recipient)


async def add_bank_details(world: World) -> tuple[models.BankAccount, models.Document]:
    """A bank account with its RIB, and an attached document, on the world's structure (rows only: no
    file in the document store)."""
    rib = await models.Document.create(
        filename="rib.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        storage_key="0" * 64 + "/rib",
        uploaded_by=world.users["manager"],
    )
    account = await models.BankAccount.create(
        structure=world.structure,
        name="Compte principal",
        country="FR",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        rib_document=rib,
    )
    document = await models.Document.create(
        structure=world.structure,
        filename="statuts.pdf",
        content_type="application/pdf",
        size=8,
        sha256="1" * 64,
        storage_key="1" * 64 + "/statuts",
        uploaded_by=world.users["manager"],
    )
    return account, document
