"""What a viewer may do where: their habilitations, loaded once per request.

Modification implies consultation; a habilitation held at structure level
covers every service of that structure; one held on a service covers that
service only.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from backend import models
from backend.models import AccessLevel

RANK = {AccessLevel.CONSULTATION: 1, AccessLevel.MODIFICATION: 2}

#: How many rights (habilitations and memberships) a worker keeps, all users
#: together, least recently used out first: about 20 MB.
CACHE_RIGHTS = 100_000


@dataclass(frozen=True)
class Need:
    """An application at a level, e.g. ``ORGANISATION.consultation``."""

    application: str
    level: AccessLevel

    def __str__(self) -> str:
        word = "consultation" if self.level is AccessLevel.CONSULTATION else "modification"
        return f"{self.application.replace('_', ' ').capitalize()} {word}"


class App:
    """``ORGANISATION.consultation`` reads better than ``Need("ORGANISATION", CONSULTATION)``."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.consultation = Need(code, AccessLevel.CONSULTATION)
        self.modification = Need(code, AccessLevel.MODIFICATION)


ORGANISATION = App("ORGANISATION")
SOLLICITATIONS_EMISES = App("SOLLICITATIONS_EMISES")
SOLLICITATIONS_RECUES = App("SOLLICITATIONS_RECUES")
FACTURES_EMISES = App("FACTURES_EMISES")


@dataclass
class Grants:
    """The viewer's rights, as plain dictionaries: guards read them and never query."""

    user_id: int | None
    is_platform_admin: bool = False
    is_support_agent: bool = False
    # (structure_id, application code) -> best level rank held at structure level
    on_structure: dict[tuple[int, str], int] = field(default_factory=dict)
    # (service_id, application code) -> best level rank held on that service
    on_service: dict[tuple[int, str], int] = field(default_factory=dict)
    # service_id -> structure_id, for the services the viewer holds something on
    service_structure: dict[int, int] = field(default_factory=dict)
    # structures where the viewer has an ACTIVE membership (structure or service level)
    member_of: set[int] = field(default_factory=set)
    # structures_with / services_with, computed once: a Grants never changes once loaded, and a
    # manager of 1,000 structures would otherwise walk 15,000 rights on each call
    _scopes: dict[tuple[str, Need], frozenset[int]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def sees_every_member(self) -> bool:
        """Platform staff: administrators, and support agents who appoint a principal manager where
        the former one left (permissions.md), so they see who is attached to a structure and how to
        reach them, without Organisation consultation on the structure's other details."""
        return self.is_platform_admin or self.is_support_agent

    @classmethod
    async def load(cls, user: models.User | None) -> Grants:
        """The user's grants as the database holds them now.

        Kept per worker between requests (:data:`CACHE_RIGHTS`): the database gives each user's
        rights a version, changed by triggers in the very transaction that changes them
        (``backend/migrations/0005_grants_version.py``), so one statement tells whether the kept
        grants still hold. A manager of 1,000 structures holds 15,000 habilitations: reading them
        took most of each of their requests (bench/RESULTS.md). The version is read first, so the
        rows read after it are never older than it.
        """
        if user is None:
            return cls(user_id=None)
        conn = models.Habilitation._meta.db
        mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
        _, found = await conn.execute_query(
            f'SELECT "grants_version", "is_platform_admin", "is_support_agent" FROM "user_account" WHERE "id" = {mark}',
            [user.id],
        )
        if not found:
            return cls(user_id=user.id)
        key = (user.id, int(found[0][0]), bool(found[0][1]), bool(found[0][2]))
        grants = _KEPT.get(key)
        if grants is None:
            grants = await cls._read(user.id, is_platform_admin=key[2], is_support_agent=key[3])
            _KEPT.keep(key, grants)
        return grants

    @classmethod
    async def _read(cls, user_id: int, *, is_platform_admin: bool, is_support_agent: bool) -> Grants:
        grants = cls(user_id=user_id, is_platform_admin=is_platform_admin, is_support_agent=is_support_agent)
        # Plain SQL: the ORM's values_list (with its enum conversion) took 3/4 of a big manager's
        # request (bench/profiles/structure_page-sqlite-M.txt). Levels stay strings (StrEnum).
        conn = models.Habilitation._meta.db
        mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
        _, rows = await conn.execute_query(
            'SELECT h."structure_id", h."service_id", a."code", p."level" FROM "habilitation" h '
            'JOIN "application" a ON a."id" = h."application_id" JOIN "profile" p ON p."id" = h."profile_id" '
            f'WHERE h."user_id" = {mark}',
            [user_id],
        )
        grants.member_of = set(
            await models.Membership.filter(
                user_id=user_id, status=models.MembershipStatus.ACTIVE
            ).values_list("structure_id", flat=True)
        )
        for structure_id, service_id, app, level in rows:
            rank = RANK[level]
            if service_id is None:
                key = (structure_id, app)
                grants.on_structure[key] = max(rank, grants.on_structure.get(key, 0))
            else:
                key = (service_id, app)
                grants.on_service[key] = max(rank, grants.on_service.get(key, 0))
                grants.service_structure[service_id] = structure_id
        return grants

    @property
    def size(self) -> int:
        """How many rights it holds (what keeping it costs)."""
        return len(self.on_structure) + len(self.on_service) + len(self.member_of)

    def has(self, need: Need, structure_id: int, service_id: int | None = None) -> bool:
        """On the structure itself (service_id None) or on one of its services."""
        if self.is_platform_admin:
            return True
        wanted = RANK[need.level]
        if self.on_structure.get((structure_id, need.application), 0) >= wanted:
            return True
        return service_id is not None and self.on_service.get((service_id, need.application), 0) >= wanted

    def has_somewhere_in(self, need: Need, structure_id: int) -> bool:
        """At structure level, or on at least one of its services."""
        if self.has(need, structure_id):
            return True
        wanted = RANK[need.level]
        return any(
            self.service_structure.get(service_id) == structure_id and rank >= wanted
            for (service_id, app), rank in self.on_service.items()
            if app == need.application
        )

    def structures_with(self, need: Need) -> frozenset[int]:
        """Structures where the need is met at structure level (for SQL filters)."""
        return self._scope("structure", need, self.on_structure)

    def services_with(self, need: Need) -> frozenset[int]:
        """Services where the need is met."""
        return self._scope("service", need, self.on_service)

    def _scope(self, kind: str, need: Need, held: dict[tuple[int, str], int]) -> frozenset[int]:
        found = self._scopes.get((kind, need))
        if found is None:
            wanted = RANK[need.level]
            found = frozenset(
                s for (s, app), rank in held.items() if app == need.application and rank >= wanted
            )
            self._scopes[(kind, need)] = found
        return found


Key = tuple[int, int, bool, bool]  # user id, grants version, platform admin, support agent


class KeptGrants:
    """Grants kept between requests, least recently used out first. Shared by the requests of a
    worker: nothing changes a Grants once loaded."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.rights = 0
        self._by_key: OrderedDict[Key, Grants] = OrderedDict()
        self._key_of_user: dict[int, Key] = {}

    def get(self, key: Key) -> Grants | None:
        grants = self._by_key.get(key)
        if grants is not None:
            self._by_key.move_to_end(key)
        return grants

    def keep(self, key: Key, grants: Grants) -> None:
        former = self._key_of_user.get(key[0])  # the user's former version
        if former is not None and former in self._by_key:
            self.rights -= self._by_key.pop(former).size
        self._by_key[key] = grants
        self._key_of_user[key[0]] = key
        self.rights += grants.size
        while self.rights > self.capacity and len(self._by_key) > 1:
            oldest, dropped = self._by_key.popitem(last=False)
            self.rights -= dropped.size
            if self._key_of_user.get(oldest[0]) == oldest:
                del self._key_of_user[oldest[0]]

    def clear(self) -> None:
        self._by_key.clear()
        self._key_of_user.clear()
        self.rights = 0


_KEPT = KeptGrants(CACHE_RIGHTS)


def forget_kept_grants() -> None:
    """Empty this worker's kept grants (tests that count statements start from a cold worker)."""
    _KEPT.clear()
