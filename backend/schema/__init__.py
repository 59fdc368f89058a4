"""The GraphQL schema: thin types and resolvers over the services."""

from __future__ import annotations

import strawberry
from strawberry.extensions import AddValidationRules
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from backend.schema.accounts import AccountQuery
from backend.schema.errors import ErrorPolicy
from backend.schema.limits import DocumentSizeLimits, query_limits_rule
from backend.schema.node import NodeQuery
from backend.schema.reference import ReferenceQuery
from backend.schema.structures import StructureQuery
from backend.settings import Settings

Query = merge_types("Query", (NodeQuery, AccountQuery, ReferenceQuery, StructureQuery))


def build_schema(settings: Settings) -> strawberry.Schema:
    from graphql.validation import NoSchemaIntrospectionCustomRule

    rules = [query_limits_rule(settings)]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return strawberry.Schema(
        query=Query,
        config=StrawberryConfig(disable_field_suggestions=settings.production),
        extensions=[
            lambda: DocumentSizeLimits(settings=settings),
            lambda: AddValidationRules(rules),
            ErrorPolicy,
        ],
    )


def export_sdl() -> str:
    """The SDL of the schema as clients see it (default settings), ending with a newline."""
    return build_schema(Settings()).as_str().rstrip() + "\n"
