"""``mutation(requires=…)``: a Strawberry mutation that names its requirement.

Mutations never fail at the top level for business reasons: refusals
(UNAUTHENTICATED, FORBIDDEN for a read-only token or a token where a session
is needed) come back in the payload's ``errors``, like the service's own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension

from backend.auth.requirements import Requirement
from backend.schema.errors import UserError
from backend.services.errors import DomainError, Forbidden, Unauthenticated
from backend.services.tx import retrying

CSRF_REFUSAL = (
    "Modification refusée : depuis un navigateur, une modification doit être envoyée en POST (JSON ou "
    "multipart) avec l'en-tête X-Requested-With."
)


def refusal(requirement: Requirement, viewer: Any, may_mutate: bool = True) -> DomainError | None:
    """Why the generic part of ``requirement`` refuses this viewer, or None.

    ``may_mutate`` is False for a request that a foreign web page could have
    made with the viewer's cookie (see ``backend.auth.middleware.may_mutate``).
    """
    if not may_mutate:
        return Forbidden(CSRF_REFUSAL)
    if viewer is not None and viewer.read_only:
        return Forbidden("Ce jeton d'API est en lecture seule : il ne permet aucune modification.")
    if requirement.anonymous:
        return None
    if viewer is None:
        return Unauthenticated()
    if requirement.session_only and not viewer.by_session:
        return Forbidden(
            "Cette action n'est possible que depuis une session du portail, pas avec un jeton d'API."
        )
    return None


class MutationGuard(FieldExtension):
    def __init__(self, requirement: Requirement) -> None:
        self.requirement = requirement

    def apply(self, field: Any) -> None:
        self.payload = field.type

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        error = refusal(self.requirement, info.context.viewer, info.context.may_mutate)
        if error is not None:
            return self.payload(errors=UserError.from_domain(error))
        # A transaction that lost a race (PostgreSQL deadlock or serialization failure, SQLite still
        # locked by another process) rolled everything back: the use case runs again from the start.
        return await retrying(lambda: next_(source, info, **kwargs))


def mutation(*, requires: Requirement, description: str, **kwargs: Any) -> Any:
    return strawberry.mutation(description=description, extensions=[MutationGuard(requires)], **kwargs)


def requirement_of(field: Any) -> Requirement | None:
    for extension in getattr(field, "extensions", None) or ():
        if isinstance(extension, MutationGuard):
            return extension.requirement
    return None
