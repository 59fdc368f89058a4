"""Payloads shared by several domains, and the helper that fills a payload from a service call.

Every field but ``errors`` has a default, so that a refusal can answer
``Payload(errors=[...])`` (the ``mutation(requires=…)`` guard does).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry

from backend.schema.errors import UserError
from backend.services.errors import DomainError

ERRORS_DESCRIPTION = (
    "Business errors, in French for the end user; empty on success. On failure nothing was written."
)

T = TypeVar("T")


@strawberry.type(description="The answer of a mutation that returns nothing but success or errors.")
class OkPayload:
    ok: bool = strawberry.field(default=False, description="True when the action was done.")
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type(description="The answer of a mutation that deletes or ends something.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global ID of what was deleted or ended; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


async def attempt(work: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Await a service call: its result and no errors, or None and its domain error as UserErrors."""
    try:
        return await work, []
    except DomainError as error:
        return None, UserError.from_domain(error)


def ok_payload(errors: list[UserError]) -> OkPayload:
    return OkPayload(ok=not errors, errors=errors)
