"""The demo data set: contents, and a second call that writes nothing."""

from __future__ import annotations

import re

from backend.auth.passwords import verify_password
from backend.models import (
    AccessLevel,
    Approval,
    ApprovalKind,
    ApprovalState,
    AuditEvent,
    Habilitation,
    Membership,
    MembershipStatus,
    Profile,
    SireneEstablishment,
    Structure,
    StructureKind,
    Ticket,
    TicketActivity,
    TicketStatus,
    TicketSubcategory,
    User,
)
from backend.seed.demo import DemoAccount, load_demo_data
from backend.settings import Settings
from tests.models.helpers import count_writes

PASSWORD_POLICY = re.compile(r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{12,}$")


async def levels(user: User, structure: Structure, service_id: int | None = None) -> dict[str, AccessLevel]:
    rows = await Habilitation.filter(user=user, structure=structure, service_id=service_id)
    profiles = {p.pk: p for p in await Profile.filter(id__in=[row.profile_id for row in rows])}  # type: ignore[attr-defined]
    return {profiles[row.profile_id].code.rsplit("_", 1)[0]: profiles[row.profile_id].level for row in rows}  # type: ignore[attr-defined]


async def test_demo_data_set(sqlite_db: Settings) -> None:
    accounts = await load_demo_data()
    assert all(isinstance(account, DemoAccount) for account in accounts)
    emails = {account.email for account in accounts}
    assert {"manager@demo.portail.fr", "admin@demo.portail.fr", "support@demo.portail.fr"} <= emails
    assert len(accounts) == 6 and all(account.role for account in accounts)
    for account in accounts:
        assert PASSWORD_POLICY.match(account.password)
        user = await User.get(email=account.email)
        assert verify_password(user.password_hash, account.password)
        assert user.email_verified_at is not None
    assert (await User.get(email="admin@demo.portail.fr")).is_platform_admin
    assert (await User.get(email="support@demo.portail.fr")).is_support_agent

    assert await SireneEstablishment.all().count() >= 25
    structures = await Structure.all()
    assert sorted(s.kind for s in structures) == [StructureKind.PRIVATE] * 3 + [StructureKind.PUBLIC] * 2
    manager = await User.get(email="manager@demo.portail.fr")
    assert (manager.first_name, manager.last_name) == ("Camille", "Martin")
    everything = {
        code: AccessLevel.MODIFICATION for code in await Profile.all().values_list("code", flat=True)
    }
    for structure in structures:
        establishment = await SireneEstablishment.get(siret=structure.identifier)
        assert establishment.is_active
        assert 1 <= await structure.services.all().count() <= 3
        assert await AuditEvent.filter(structure=structure, action="structure.create").count() == 1
        if structure.kind is StructureKind.PRIVATE:
            assert structure.principal_manager_id == manager.pk  # type: ignore[attr-defined]
            assert len(await levels(manager, structure)) == 15
            assert set((await levels(manager, structure)).values()) == {AccessLevel.MODIFICATION}
        else:
            assert structure.principal_manager_id is None  # type: ignore[attr-defined]
    assert len(everything) == 30

    lea = await User.get(email="lea.dubois@demo.portail.fr")
    boulangerie = await Structure.get(identifier="81234567600017")
    lea_levels = await levels(lea, boulangerie)
    assert lea_levels.pop("ORGANISATION") is AccessLevel.CONSULTATION
    assert set(lea_levels.values()) == {AccessLevel.MODIFICATION} and len(lea_levels) == 14

    hugo = await User.get(email="hugo.petit@demo.portail.fr")
    hugo_memberships = await Membership.filter(user=hugo)
    assert sorted(m.status for m in hugo_memberships) == [MembershipStatus.ACTIVE, MembershipStatus.PENDING]
    atelier = await Structure.get(identifier="84561237300017")
    assert set((await levels(hugo, atelier)).values()) == {AccessLevel.CONSULTATION}

    nadia = await User.get(email="nadia.robert@demo.portail.fr")
    nadia_memberships = await Membership.filter(user=nadia)
    assert nadia_memberships and all(m.service_id is not None for m in nadia_memberships)  # type: ignore[attr-defined]
    assert not await Habilitation.filter(user=nadia, service_id=None).exists()

    approval = await Approval.get(kind=ApprovalKind.ATTACHMENT)
    assert approval.state is ApprovalState.REQUESTED and re.fullmatch(r"RITM\d{7}", approval.number)
    assert approval.requester_id == hugo.pk and approval.approver_id == manager.pk  # type: ignore[attr-defined]
    pending = await Membership.get(id=approval.membership_id)  # type: ignore[attr-defined]
    assert pending.status is MembershipStatus.PENDING

    tickets = await Ticket.all().order_by("number")
    assert {t.status for t in tickets} == set(TicketStatus)
    for ticket in tickets:
        sub = await TicketSubcategory.get(id=ticket.subcategory_id)  # type: ignore[attr-defined]
        assert sub.category_id == ticket.category_id  # type: ignore[attr-defined]
        assert (ticket.recipient_structure_id is not None) == sub.is_business  # type: ignore[attr-defined]
        if sub.requires_object:
            assert ticket.object_type is not None and ticket.object_type.value in sub.object_types
        if ticket.status is TicketStatus.DRAFT:
            assert ticket.number is None
        else:
            assert re.fullmatch(r"CPROCS\d{7}", ticket.number or "")
            assert await TicketActivity.filter(ticket=ticket).exists()
    numbered = [t for t in tickets if t.number]
    assert [t.number for t in sorted(numbered, key=lambda t: t.created_at)] == sorted(
        t.number for t in numbered
    )
    business = [t for t in tickets if t.recipient_structure_id]  # type: ignore[attr-defined]
    public = {s.pk for s in structures if s.kind is StructureKind.PUBLIC}
    assert business and {t.recipient_structure_id for t in business} <= public  # type: ignore[attr-defined]
    assert any(t.recipient_structure_id is None and t.number for t in tickets)  # type: ignore[attr-defined]


async def test_second_call_writes_nothing(sqlite_db: Settings) -> None:
    first = await load_demo_data()
    users = await User.all().count()
    with count_writes() as writes:
        second = await load_demo_data()
    assert second == first
    assert writes.statements == []
    assert await User.all().count() == users
