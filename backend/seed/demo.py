"""The demo data set: a few structures, users, an approval and tickets to click through.

``portail seed --demo`` calls :func:`load_demo_data`. It writes only once:
when the demo principal manager's account exists, it returns the accounts
and writes nothing. Everything is written in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from backend.auth.passwords import hash_password
from backend.models import (
    AccessLevel,
    Application,
    Approval,
    ApprovalComment,
    ApprovalKind,
    ApprovalState,
    AuditEvent,
    Habilitation,
    IdentifierType,
    Membership,
    MembershipStatus,
    Profile,
    Service,
    SireneEstablishment,
    Structure,
    StructureKind,
    Ticket,
    TicketActivity,
    TicketActivityKind,
    TicketCategory,
    TicketObjectType,
    TicketStatus,
    TicketSubcategory,
    User,
)
from backend.models.sequences import next_approval_number, next_ticket_number
from backend.seed.reference import SEED_DIR, load_reference_data
from backend.sirene.importer import import_stock_file

#: Satisfies the password policy: 12 characters or more, upper case, lower case, digit.
DEMO_PASSWORD = "Demo-Portail-2026"
MANAGER_EMAIL = "manager@demo.portail.fr"
ADMIN_EMAIL = "admin@demo.portail.fr"
SUPPORT_EMAIL = "support@demo.portail.fr"
SIRENE_SAMPLE = SEED_DIR / "sirene_sample.csv"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    #: What the account is for, in French (shown by ``portail seed --demo``).
    role: str


@dataclass(frozen=True)
class _Person:
    email: str
    first_name: str
    last_name: str
    role: str
    phone: str | None = None
    is_platform_admin: bool = False
    is_support_agent: bool = False


PEOPLE = (
    _Person(
        MANAGER_EMAIL,
        "Camille",
        "Martin",
        "Gestionnaire principale des trois structures privées (toutes les habilitations en modification)",
        phone="04 72 00 00 01",
    ),
    _Person(
        "lea.dubois@demo.portail.fr",
        "Léa",
        "Dubois",
        "Utilisatrice simple de Boulangerie Martin et Fils, habilitations par défaut "
        "(tout en modification, Organisation en consultation)",
    ),
    _Person(
        "hugo.petit@demo.portail.fr",
        "Hugo",
        "Petit",
        "Utilisateur simple en consultation seule sur Atelier Numérique du Rhône, "
        "demande de rattachement en attente sur Transports Garnier Logistique",
    ),
    _Person(
        "nadia.robert@demo.portail.fr",
        "Nadia",
        "Robert",
        "Utilisatrice simple rattachée au niveau service (Service des achats du centre hospitalier, "
        "Bureau des marchés du ministère) : traite les sollicitations reçues",
    ),
    _Person(ADMIN_EMAIL, "Alex", "Admin", "Administrateur de la plateforme", is_platform_admin=True),
    _Person(SUPPORT_EMAIL, "Sam", "Support", "Agent du support de la plateforme", is_support_agent=True),
)

# Structures: SIRETs of active establishments of sirene_sample.csv.
STRUCTURES: tuple[dict[str, Any], ...] = (
    {
        "key": "boulangerie",
        "identifier": "81234567600017",
        "name": "Boulangerie Martin et Fils",
        "label": "Boulangerie Martin",
        "kind": StructureKind.PRIVATE,
        "email": "contact@boulangerie-martin.demo.portail.fr",
        "phone": "04 78 00 00 10",
        "address_line1": "12 rue de la République",
        "postal_code": "69002",
        "city": "Lyon",
        "services": (("BOUTIQUE", "Boutique de la République"), ("ADMIN", "Administration")),
    },
    {
        "key": "atelier",
        "identifier": "84561237300017",
        "name": "Atelier Numérique du Rhône",
        "label": None,
        "kind": StructureKind.PRIVATE,
        "email": "factures@atelier-numerique.demo.portail.fr",
        "phone": "04 78 00 00 20",
        "address_line1": "45 avenue Roger Salengro",
        "address_line2": "Bâtiment C",
        "postal_code": "69100",
        "city": "Villeurbanne",
        "services": (("DEV", "Développement"), ("COMPTA", "Comptabilité")),
    },
    {
        "key": "transports",
        "identifier": "79012345900014",
        "name": "Transports Garnier Logistique",
        "label": "Garnier Logistique",
        "kind": StructureKind.PRIVATE,
        "email": "compta@garnier-logistique.demo.portail.fr",
        "phone": "04 76 00 00 30",
        "address_line1": "8 chemin du Vieux Chêne",
        "address_line2": "Zone industrielle des Îles",
        "postal_code": "38240",
        "city": "Meylan",
        "commitment_number_required": False,
        "services": (
            ("SIEGE", "Siège de Meylan"),
            ("GRENOBLE", "Agence de Grenoble"),
            ("FACTURATION", "Service facturation"),
        ),
    },
    {
        "key": "ministere",
        "identifier": "11000001500013",
        "name": "Ministère de la Démonstration",
        "label": "Direction des achats",
        "kind": StructureKind.PUBLIC,
        "email": "achats@ministere.demo.portail.fr",
        "phone": "01 40 00 00 40",
        "address_line1": "20 avenue de Ségur",
        "postal_code": "75007",
        "city": "Paris",
        "service_code_required": True,
        "commitment_number_required": True,
        "services": (
            ("BUREAU-MARCHES", "Bureau des marchés"),
            ("DAF", "Direction des affaires financières"),
        ),
    },
    {
        "key": "hopital",
        "identifier": "26450001800017",
        "name": "Centre hospitalier régional de la Loire",
        "label": "CHR de la Loire",
        "kind": StructureKind.PUBLIC,
        "email": "fournisseurs@chr-loire.demo.portail.fr",
        "phone": "02 38 00 00 50",
        "address_line1": "14 avenue de l'Hôpital",
        "postal_code": "45100",
        "city": "Orléans",
        "service_code_required": True,
        "services": (("ACHATS", "Service des achats"), ("PHARMACIE", "Pharmacie centrale")),
    },
)


def demo_accounts() -> list[DemoAccount]:
    return [DemoAccount(person.email, DEMO_PASSWORD, person.role) for person in PEOPLE]


class _Demo:
    """The rows being written, looked up by short keys."""

    def __init__(self, conn: BaseDBAsyncClient, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self.users: dict[str, User] = {}
        self.structures: dict[str, Structure] = {}
        self.services: dict[tuple[str, str], Service] = {}
        self.profiles: dict[tuple[str, AccessLevel], Profile] = {}
        self.applications: list[Application] = []

    def ago(self, days: float, hours: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours)

    async def load_reference(self) -> None:
        self.applications = list(await Application.all().using_db(self.conn).order_by("position", "id"))
        by_id = {application.pk: application.code for application in self.applications}
        for profile in await Profile.all().using_db(self.conn):
            self.profiles[(by_id[profile.application_id], profile.level)] = profile  # type: ignore[attr-defined]

    async def create_users(self, hashes: list[str]) -> None:
        for person, password_hash in zip(PEOPLE, hashes, strict=True):
            self.users[person.email.split("@")[0]] = await User.create(
                email=person.email,
                password_hash=password_hash,
                first_name=person.first_name,
                last_name=person.last_name,
                phone=person.phone,
                is_platform_admin=person.is_platform_admin,
                is_support_agent=person.is_support_agent,
                email_verified_at=self.ago(60),
                created_at=self.ago(60),
                using_db=self.conn,
            )

    async def create_structures(self) -> None:
        manager, admin = self.users["manager"], self.users["admin"]
        for spec in STRUCTURES:
            values = {k: v for k, v in spec.items() if k not in {"key", "services"}}
            establishment = await SireneEstablishment.get(siret=spec["identifier"]).using_db(self.conn)
            assert establishment.is_active, spec["identifier"]
            private = spec["kind"] is StructureKind.PRIVATE
            creator = manager if private else admin
            structure = await Structure.create(
                identifier_type=IdentifierType.SIRET,
                principal_manager=manager if private else None,
                non_diffusible_insee=not establishment.is_diffusible,
                created_at=self.ago(45),
                using_db=self.conn,
                **values,
            )
            self.structures[spec["key"]] = structure
            for code, name in spec["services"]:
                self.services[(spec["key"], code)] = await Service.create(
                    structure=structure,
                    code=code,
                    name=name,
                    description=f"{name} - {structure.name}",
                    created_at=self.ago(44),
                    using_db=self.conn,
                )
            await AuditEvent.create(
                at=self.ago(45),
                actor=creator,
                action="structure.create",
                target_type="Structure",
                target_id=str(structure.pk),
                structure=structure,
                changes=json.dumps(
                    {
                        "identifierType": [None, IdentifierType.SIRET.value],
                        "identifier": [None, structure.identifier],
                        "name": [None, structure.name],
                        "kind": [None, structure.kind.value],
                    },
                    ensure_ascii=False,
                ),
                using_db=self.conn,
            )

    async def attach(
        self,
        user_key: str,
        structure_key: str,
        levels: dict[str, AccessLevel],
        *,
        service_code: str | None = None,
        granted_by: str | None = None,
    ) -> Membership:
        user, structure = self.users[user_key], self.structures[structure_key]
        service = self.services[(structure_key, service_code)] if service_code else None
        membership = await Membership.create(
            user=user,
            structure=structure,
            service=service,
            status=MembershipStatus.ACTIVE,
            created_at=self.ago(40),
            using_db=self.conn,
        )
        for application in self.applications:
            level = levels.get(application.code)
            if level is None:
                continue
            profile = self.profiles[(application.code, level)]
            await Habilitation.create(
                user=user,
                structure=structure,
                service=service,
                profile=profile,
                application=application,
                granted_by=self.users[granted_by] if granted_by else None,
                created_at=self.ago(40),
                using_db=self.conn,
            )
        return membership

    def every_application(self, level: AccessLevel) -> dict[str, AccessLevel]:
        return {application.code: level for application in self.applications}

    def attached_defaults(self) -> dict[str, AccessLevel]:
        """A user attached by a manager: everything at modification, Organisation at consultation."""
        levels = self.every_application(AccessLevel.MODIFICATION)
        levels["ORGANISATION"] = AccessLevel.CONSULTATION
        return levels

    async def pending_attachment(self) -> None:
        hugo, manager = self.users["hugo.petit"], self.users["manager"]
        structure = self.structures["transports"]
        membership = await Membership.create(
            user=hugo,
            structure=structure,
            status=MembershipStatus.PENDING,
            created_at=self.ago(2),
            using_db=self.conn,
        )
        approval = await Approval.create(
            number=await next_approval_number(self.conn),
            kind=ApprovalKind.ATTACHMENT,
            state=ApprovalState.REQUESTED,
            description=f"Demande de rattachement de {hugo.full_name} à la structure {structure.name}",
            requester=hugo,
            approver=manager,
            structure=structure,
            membership=membership,
            created_at=self.ago(2),
            using_db=self.conn,
        )
        await ApprovalComment.create(
            approval=approval,
            author=hugo,
            body="Je rejoins l'agence de Grenoble le mois prochain, merci de valider mon rattachement.",
            created_at=self.ago(2),
            using_db=self.conn,
        )

    async def ticket(
        self,
        *,
        subcategory: str,
        author: str,
        issuer: str,
        title: str,
        description: str,
        status: TicketStatus,
        days_ago: float,
        recipient: tuple[str, str | None] | None = None,
        obj: tuple[TicketObjectType, str] | None = None,
        assignee: str | None = None,
        history: tuple[tuple[TicketActivityKind, str | None, str | None, TicketStatus | None], ...] = (),
    ) -> Ticket:
        """``history``: (kind, author key, body, new status) after creation, one hour apart."""
        sub = await TicketSubcategory.get(code=subcategory).using_db(self.conn)
        category = await TicketCategory.get(id=sub.category_id).using_db(self.conn)  # type: ignore[attr-defined]
        created_at = self.ago(days_ago)
        submitted = status is not TicketStatus.DRAFT
        recipient_structure = self.structures[recipient[0]] if recipient else None
        recipient_service = (
            self.services[(recipient[0], recipient[1])] if recipient and recipient[1] else None
        )
        ticket = await Ticket.create(
            number=await next_ticket_number(self.conn) if submitted else None,
            title=title,
            description=description,
            status=status,
            category=category,
            subcategory=sub,
            object_type=obj[0] if obj else None,
            object_number=obj[1] if obj else None,
            issuer_structure=self.structures[issuer],
            contact_email=self.users[author].email,
            contact_phone=self.users[author].phone,
            recipient_structure=recipient_structure,
            recipient_service=recipient_service,
            assignee=self.users[assignee] if assignee else None,
            created_by=self.users[author],
            created_at=created_at,
            submitted_at=created_at if submitted else None,
            using_db=self.conn,
        )
        if not submitted:
            return ticket
        await TicketActivity.create(
            ticket=ticket,
            kind=TicketActivityKind.CREATED,
            author=self.users[author],
            to_status=TicketStatus.OPEN,
            created_at=created_at,
            using_db=self.conn,
        )
        current, at = TicketStatus.OPEN, created_at
        for kind, who, body, new_status in history:
            at += timedelta(hours=5)
            await TicketActivity.create(
                ticket=ticket,
                kind=kind,
                author=self.users[who] if who else None,
                body=body,
                from_status=current if new_status else None,
                to_status=new_status,
                created_at=at,
                using_db=self.conn,
            )
            current = new_status or current
        assert current is status, (title, current, status)
        if status is TicketStatus.CLOSED:
            ticket.closed_at = at
            await ticket.save(update_fields=["closed_at"], using_db=self.conn)
        return ticket

    async def tickets(self) -> None:
        """One ticket in every status, numbered in the order they were submitted."""
        specs: list[dict[str, Any]] = [
            dict(
                subcategory="ORGANISATION_HABILITATIONS",
                author="lea.dubois",
                issuer="boulangerie",
                title="Ajouter un profil à une collègue",
                description="Brouillon : comment donner le profil Factures reçues à une nouvelle collègue ?",
                status=TicketStatus.DRAFT,
                days_ago=1,
            ),
            dict(
                subcategory="FACTURES_EMISES_QUESTION_DESTINATAIRE",
                author="lea.dubois",
                issuer="boulangerie",
                recipient=("hopital", "ACHATS"),
                obj=(TicketObjectType.FACTURE, "FAC-2026-00042"),
                title="Facture FAC-2026-00042 toujours en attente de paiement",
                description="Bonjour, notre facture du 3 février n'est pas encore payée. Pouvez-vous nous "
                "indiquer où en est son traitement ?",
                status=TicketStatus.OPEN,
                days_ago=6,
            ),
            dict(
                subcategory="MEMOIRE_SUIVI_TRAITEMENT",
                author="manager",
                issuer="atelier",
                recipient=("ministere", "BUREAU-MARCHES"),
                obj=(TicketObjectType.MEMOIRE, "MEM-2026-0117"),
                title="Suivi du mémoire MEM-2026-0117",
                description="Le mémoire déposé le mois dernier n'a pas changé de statut.",
                status=TicketStatus.AWAITING_INFORMATION,
                days_ago=10,
                history=(
                    (
                        TicketActivityKind.INFORMATION_REQUESTED,
                        "nadia.robert",
                        "Merci de joindre l'ordonnance de taxe correspondant à ce mémoire.",
                        TicketStatus.AWAITING_INFORMATION,
                    ),
                ),
            ),
            dict(
                subcategory="SUPPORT_SAISIE_TRAITEMENT_TICKET",
                author="lea.dubois",
                issuer="boulangerie",
                assignee="support",
                title="Impossible de joindre un fichier à ma sollicitation",
                description="Le bouton « Ajouter une pièce jointe » ne réagit pas avec un PDF de 3 Mo.",
                status=TicketStatus.RESOLVED,
                days_ago=15,
                history=(
                    (TicketActivityKind.ASSIGNED, "support", None, None),
                    (TicketActivityKind.COMMENT, "support", "Pouvez-vous préciser le nom du fichier ?", None),
                    (TicketActivityKind.COMMENT, "lea.dubois", "facture février (copie) #2.pdf", None),
                    (
                        TicketActivityKind.RESOLVED,
                        "support",
                        "Le nom du fichier contenait un caractère refusé (#). Renommez-le puis réessayez.",
                        TicketStatus.RESOLVED,
                    ),
                ),
            ),
            dict(
                subcategory="REMBOURSEMENT_TIC_DEMANDE_REJETEE",
                author="manager",
                issuer="transports",
                recipient=("hopital", None),
                obj=(TicketObjectType.DEMANDE_REMBOURSEMENT, "DR-2025-3312"),
                title="Demande de remboursement DR-2025-3312 rejetée",
                description="Notre demande a été rejetée sans motif. Pouvez-vous nous l'expliquer ?",
                status=TicketStatus.CLOSED,
                days_ago=30,
                history=(
                    (
                        TicketActivityKind.INFORMATION_REQUESTED,
                        "nadia.robert",
                        "Quel est le numéro de la facture concernée ?",
                        TicketStatus.AWAITING_INFORMATION,
                    ),
                    (
                        TicketActivityKind.INFORMATION_PROVIDED,
                        "manager",
                        "Il s'agit de la facture FAC-2025-0981.",
                        TicketStatus.OPEN,
                    ),
                    (
                        TicketActivityKind.RESOLVED,
                        "nadia.robert",
                        "La demande portait sur une période déjà remboursée. "
                        "Une nouvelle demande est possible.",
                        TicketStatus.RESOLVED,
                    ),
                    (TicketActivityKind.SOLUTION_ACCEPTED, "manager", None, TicketStatus.CLOSED),
                ),
            ),
            dict(
                subcategory="PPF_SUIVI_FLUX_EDI",
                author="manager",
                issuer="transports",
                title="Flux EDI du 12 mars non intégré",
                description="Le flux envoyé le 12 mars n'apparaît pas dans le suivi des flux.",
                status=TicketStatus.OPEN,
                days_ago=3,
            ),
        ]
        for spec in sorted(specs, key=lambda spec: -spec["days_ago"]):
            await self.ticket(**spec)


async def load_demo_data() -> list[DemoAccount]:
    """Create the demo data set once; returns the demo accounts either way."""
    accounts = demo_accounts()
    if await User.exists(email=MANAGER_EMAIL):
        return accounts
    # Hashing is slow by design: do it before taking the database's write lock.
    hashes = [hash_password(DEMO_PASSWORD) for _ in PEOPLE]

    async with in_transaction() as conn:
        await load_reference_data()
        await import_stock_file(Path(SIRENE_SAMPLE))
        demo = _Demo(conn, datetime.now(UTC).replace(microsecond=0))
        await demo.load_reference()
        await demo.create_users(hashes)
        await demo.create_structures()

        manager_levels = demo.every_application(AccessLevel.MODIFICATION)
        for key in ("boulangerie", "atelier", "transports"):
            await demo.attach("manager", key, manager_levels)
        await demo.attach("lea.dubois", "boulangerie", demo.attached_defaults(), granted_by="manager")
        await demo.attach(
            "hugo.petit", "atelier", demo.every_application(AccessLevel.CONSULTATION), granted_by="manager"
        )
        for structure_key, service_code in (("hopital", "ACHATS"), ("ministere", "BUREAU-MARCHES")):
            await demo.attach(
                "nadia.robert",
                structure_key,
                demo.attached_defaults(),
                service_code=service_code,
                granted_by="admin",
            )
        await demo.pending_attachment()
        await demo.tickets()
    return accounts


__all__ = ["DEMO_PASSWORD", "DemoAccount", "demo_accounts", "load_demo_data"]
