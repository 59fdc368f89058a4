"""Reading structures, services and memberships through the viewer's grants, filtered in SQL."""

from __future__ import annotations

from tortoise.expressions import Q, RawSQL
from tortoise.queryset import QuerySet

from backend import models
from backend.auth.grants import ORGANISATION, Grants
from backend.models import IdentifierType, MembershipStatus
from backend.services import structure_search


def _public() -> Q:
    """Structures anyone may find: all but PARTICULIER ones, which only their members see."""
    return ~Q(identifier_type=IdentifierType.PARTICULIER)


def _sees_every_structure(grants: Grants) -> bool:
    return grants.is_platform_admin or grants.is_support_agent


def _known(grants: Grants) -> set[int]:
    """Structures the viewer sees whatever their type: theirs, and those they may consult."""
    return grants.member_of | grants.structures_with(ORGANISATION.consultation)


def directory_filter(grants: Grants) -> Q:
    """The public directory: every structure but PARTICULIER ones, which only their members see."""
    if _sees_every_structure(grants):
        return Q()
    return _public() | Q(id__in=sorted(_known(grants)) or [0])


def city_visible(structure: models.Structure, grants: Grants) -> bool:
    """INSEE's non-diffusible establishments keep their city from everyone but their members."""
    return (
        not structure.non_diffusible_insee
        or grants.is_platform_admin
        or structure.id in grants.member_of
        or grants.has(ORGANISATION.consultation, structure.id)
    )


def searches(search: str | None) -> bool:
    """Whether a search narrows the directory (a trigram lookup, costly to run twice)."""
    return bool(structure_search.term_of(search))


def search_structures(
    grants: Grants,
    *,
    search: str | None = None,
    kind: models.StructureKind | None = None,
    status: models.ActivityStatus | None = None,
    mine: bool = False,
) -> QuerySet[models.Structure]:
    query = models.Structure.filter(directory_filter(grants))
    if mine:
        query = query.filter(id__in=sorted(grants.member_of) or [0])
    if kind is not None:
        query = query.filter(kind=kind)
    if status is not None:
        query = query.filter(status=status)
    query = structure_search.search_structures(query, search, members=grants.member_of)
    if structure_search.uses_index(search):
        # Sorted by the name's value, not through its index: PostgreSQL would walk the name index
        # hoping to meet 20 matches early, and read most of the register when they sort late
        # ("prefecture": 97 ms against 22 ms from the trigram index then a sort of its matches).
        return query.annotate(name_order=RawSQL('"structure"."name" || \'\'')).order_by("name_order", "id")
    return query.order_by("name", "id")


async def visible_structure(grants: Grants, pk: int) -> models.Structure | None:
    """A structure of the directory (:func:`directory_filter`'s rule for one id: a manager of 1,000
    structures need not send them all to read one)."""
    query = models.Structure.filter(id=pk)
    if not (_sees_every_structure(grants) or pk in _known(grants)):
        query = query.filter(_public())
    return await query.first()


def members_of(
    grants: Grants,
    structure_id: int,
    *,
    search: str | None = None,
    service_id: int | None = None,
    status: MembershipStatus | None = None,
) -> QuerySet[models.Membership]:
    """Memberships of a structure the viewer may list: all of them with Organisation consultation
    at structure level (or as platform staff), else those of the services where they hold it."""
    query = models.Membership.filter(structure_id=structure_id, status=status or MembershipStatus.ACTIVE)
    if not (grants.sees_every_member or grants.has(ORGANISATION.consultation, structure_id)):
        services = [s for s in grants.services_with(ORGANISATION.consultation)]
        query = query.filter(service_id__in=services or [0])
    if service_id is not None:
        query = query.filter(service_id=service_id)
    if search and search.strip():
        term = search.strip()
        query = query.filter(
            Q(user__last_name__icontains=term)
            | Q(user__first_name__icontains=term)
            | Q(user__email__icontains=term)
        )
    return query.order_by("user__last_name", "user__first_name", "id")


def memberships_of_user(
    grants: Grants, user_id: int, *, search: str | None = None
) -> QuerySet[models.Membership]:
    """A user's ACTIVE memberships the viewer may see: their own, and those on structures where
    the viewer holds Organisation consultation; all of them to platform staff."""
    query = models.Membership.filter(user_id=user_id, status=MembershipStatus.ACTIVE)
    if user_id != grants.user_id and not grants.sees_every_member:
        structures = sorted(grants.structures_with(ORGANISATION.consultation)) or [0]
        query = query.filter(structure_id__in=structures)
    if search and search.strip():
        term = search.strip()
        query = query.filter(
            Q(structure__name__icontains=term)
            | Q(structure__identifier__icontains=term)
            | Q(structure__label__icontains=term)
        )
    return query.order_by("structure__name", "id")
