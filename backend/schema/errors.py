"""Error conventions of the contract.

Queries answer null plus a top-level error whose ``extensions.code`` names
the situation; mutations answer in their payload's ``errors``. Anything that
is not one of ours is masked: clients never see a traceback or SQL.
"""

from __future__ import annotations

from collections.abc import Awaitable
from enum import Enum
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from backend.services.errors import DomainError, Invalid


@strawberry.enum(description="Stable codes of the situations a client may meet.")
class ErrorCode(Enum):
    VALIDATION = strawberry.enum_value(
        "VALIDATION", description="A field is malformed (bad SIRET, IBAN, email…)."
    )
    REQUIRED = strawberry.enum_value("REQUIRED", description="A mandatory field is missing.")
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description="The object does not exist.")
    FORBIDDEN = strawberry.enum_value("FORBIDDEN", description="The viewer lacks the habilitation.")
    UNAUTHENTICATED = strawberry.enum_value("UNAUTHENTICATED", description="No session or token.")
    CONFLICT = strawberry.enum_value("CONFLICT", description="Stale version: reload and retry.")
    ALREADY_EXISTS = strawberry.enum_value(
        "ALREADY_EXISTS", description="Duplicate identifier, profile already held, already attached…"
    )
    INVALID_STATE = strawberry.enum_value(
        "INVALID_STATE", description="Transition not allowed from the current state."
    )
    SIRENE_CLOSED = strawberry.enum_value(
        "SIRENE_CLOSED", description="The establishment is closed in the SIRENE register."
    )
    SIRENE_UNKNOWN = strawberry.enum_value(
        "SIRENE_UNKNOWN", description="The SIRET is not in the SIRENE register."
    )
    RATE_LIMITED = strawberry.enum_value("RATE_LIMITED", description="Too many attempts from this client.")
    ACCOUNT_LOCKED = strawberry.enum_value(
        "ACCOUNT_LOCKED", description="Five failed logins for this email in the last hour."
    )
    TWO_FACTOR_REQUIRED = strawberry.enum_value(
        "TWO_FACTOR_REQUIRED", description="Password right; send logIn again with the TOTP code."
    )


# A document that does not parse or does not match the schema (unknown field, wrong variable
# type…): graphql-core's English message, about the client's own query, and this code.
DOCUMENT_INVALID = "GRAPHQL_VALIDATION_FAILED"

# Codes that may reach a client in extensions.code: ours, the refusal of a query, a bad document.
PUBLIC_CODES = {code.value for code in ErrorCode} | {"QUERY_REFUSED", DOCUMENT_INVALID}


@strawberry.type(description="A business error of a mutation, in French for the end user.")
class UserError:
    code: ErrorCode = strawberry.field(description="Stable code for programs.")
    field: list[str] = strawberry.field(
        description='Path of the argument or input field at fault as the client sent it, e.g. ["input", '
        '"iban"] or ["reason"]; empty when the error is not about one field.'
    )
    message: str = strawberry.field(description="French sentence for the end user.")

    @classmethod
    def from_domain(cls, error: DomainError) -> list[UserError]:
        errors = error.errors if isinstance(error, Invalid) else [error]
        return [cls(code=ErrorCode(e.code), field=e.field, message=e.message) for e in errors]


def refused(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "QUERY_REFUSED"})


P = TypeVar("P")


async def run(payload: type[P], attribute: str, work: Awaitable[Any]) -> P:
    """Await a service call and put its result, or its domain error, in the payload."""
    try:
        value = await work
    except DomainError as error:
        return payload(**{attribute: None, "errors": UserError.from_domain(error)})  # type: ignore[call-arg]
    return payload(**{attribute: value, "errors": []})  # type: ignore[call-arg]


class ErrorPolicy(MaskErrors):
    """Gives domain errors their ``extensions.code``; masks everything that is not ours.

    Parse and validation errors are about the client's document: they keep their
    message and get the code GRAPHQL_VALIDATION_FAILED, so that every error a
    client meets has a code; an unexpected exception becomes one opaque French
    message (the server log keeps the traceback).
    """

    def __init__(self) -> None:
        super().__init__(error_message="Erreur interne du serveur. L'incident a été enregistré.")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._process_error(error) for error in errors]

    def _process_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None:
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": DOCUMENT_INVALID}
            return error
        if error.path is None and isinstance(original, (GraphQLError, ValueError, TypeError)):
            # Variable coercion, before any resolver: the message is about what the client sent.
            return GraphQLError(error.message, nodes=error.nodes, extensions={"code": "VALIDATION"})
        if isinstance(original, DomainError):
            return GraphQLError(
                original.message, nodes=error.nodes, path=error.path, extensions={"code": original.code}
            )
        if isinstance(original, GraphQLError) and (original.extensions or {}).get("code") in PUBLIC_CODES:
            return GraphQLError(
                original.message, nodes=error.nodes, path=error.path, extensions=original.extensions
            )
        if (error.extensions or {}).get("code") in PUBLIC_CODES:
            return GraphQLError(
                error.message, nodes=error.nodes, path=error.path, extensions=error.extensions
            )
        return GraphQLError(
            self.error_message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR"},
        )
