"""The GraphQL schema: thin types and resolvers over the services."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from backend.schema.accounts import AccountMutation, AccountQuery
from backend.schema.approvals import ApprovalMutation, ApprovalQuery, ApprovalSubscription
from backend.schema.bank_accounts import BankAccountMutation
from backend.schema.documents import DocumentMutation
from backend.schema.errors import ErrorPolicy
from backend.schema.limits import DocumentSizeLimits, KeptParses, KeptValidation, QueryLimits
from backend.schema.memberships import MembershipMutation, MembershipQuery
from backend.schema.node import NodeQuery
from backend.schema.reference import ReferenceQuery
from backend.schema.structures import StructureMutation, StructureQuery
from backend.schema.tickets import TicketMutation, TicketQuery, TicketSubscription
from backend.settings import Settings

Query = merge_types(
    "Query",
    (NodeQuery, AccountQuery, ReferenceQuery, StructureQuery, MembershipQuery, ApprovalQuery, TicketQuery),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutation,
        StructureMutation,
        MembershipMutation,
        ApprovalMutation,
        BankAccountMutation,
        DocumentMutation,
        TicketMutation,
    ),
)
#: Live updates; add yours to the tuple.
Subscription = merge_types("Subscription", (ApprovalSubscription, TicketSubscription))

Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "What a client may read. Lists are Relay connections (`first`, `after`, `totalCount`); an object the "
    "viewer may not see answers null with a FORBIDDEN error."
)
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "What a client may do. Each mutation answers a payload whose `errors` list the refusals (empty on "
    "success); a read-only API token may run none."
)
Subscription.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Live updates over a WebSocket (graphql-transport-ws protocol), authenticated when the connection opens."
)


def build_schema(settings: Settings) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(disable_field_suggestions=settings.production),
        extensions=[
            lambda: DocumentSizeLimits(settings=settings),
            KeptParses,
            lambda: QueryLimits(settings=settings),
            KeptValidation,
            ErrorPolicy,
        ],
    )


def export_sdl() -> str:
    """The SDL of the schema as clients see it (default settings), ending with a newline."""
    return build_schema(Settings()).as_str().rstrip() + "\n"
