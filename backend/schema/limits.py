"""Limits checked before execution: document size, tokens, depth, aliases, directives.

A refused document answers one top-level error with ``extensions.code``
QUERY_REFUSED and no resolver runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    ValidationContext,
    ValidationRule,
)
from graphql.language import Lexer, TokenKind
from strawberry.extensions import SchemaExtension

from backend.schema.errors import refused
from backend.settings import Settings


def count_tokens(query: str, limit: int) -> int:
    """Count lexical tokens, stopping one past the limit (so the cost stays bounded)."""
    lexer = Lexer(Source(query))
    count = 0
    while count <= limit:
        token = lexer.advance()
        if token.kind == TokenKind.EOF:
            break
        count += 1
    return count


class DocumentSizeLimits(SchemaExtension):
    """Refuses oversized documents before graphql-core parses them."""

    def __init__(self, *, execution_context: Any = None, settings: Settings) -> None:
        self.settings = settings

    def on_operation(self) -> Iterator[None]:
        query = self.execution_context.query or ""
        if len(query.encode()) > self.settings.max_query_bytes:
            raise refused(f"Requête refusée : le document dépasse {self.settings.max_query_bytes} octets.")
        try:
            tokens = count_tokens(query, self.settings.max_query_tokens)
        except GraphQLError:
            tokens = 0  # a syntax error: the parser reports it with its position
        if tokens > self.settings.max_query_tokens:
            raise refused(f"Requête refusée : le document dépasse {self.settings.max_query_tokens} jetons.")
        self.execution_context.parse_options["max_tokens"] = self.settings.max_query_tokens + 1
        yield


def query_limits_rule(settings: Settings) -> type[ValidationRule]:
    max_depth = settings.max_query_depth
    max_aliases = settings.max_aliases
    max_directives = 10

    class QueryLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            self.fragments = {
                d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
            }
            for definition in document.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    self.check(definition)

        def check(self, operation: OperationDefinitionNode) -> None:
            self.aliases = 0
            self.directives = 0
            depth = self.depth(operation.selection_set, 0, frozenset())
            if depth > max_depth:
                self.report_error(refused(f"Requête refusée : profondeur {depth} au-delà de {max_depth}."))
            if self.aliases > max_aliases:
                self.report_error(
                    refused(f"Requête refusée : {self.aliases} alias, au plus {max_aliases} sont acceptés.")
                )
            if self.directives > max_directives:
                self.report_error(
                    refused(f"Requête refusée : {self.directives} directives, au plus {max_directives}.")
                )

        def depth(self, selection_set: SelectionSetNode | None, level: int, seen: frozenset[str]) -> int:
            if selection_set is None or level > max_depth:
                return level
            deepest = level
            for selection in selection_set.selections:
                self.directives += len(selection.directives or ())
                if isinstance(selection, FieldNode):
                    if selection.alias is not None:
                        self.aliases += 1
                    # Introspection (__schema, __type) nests ofType deeply but is bounded by the
                    # schema itself: GraphiQL's standard query must pass.
                    introspection = selection.name.value.startswith("__")
                    descend = selection.selection_set is not None and not introspection
                    inner = self.depth(selection.selection_set, level + 1, seen) if descend else level + 1
                elif isinstance(selection, InlineFragmentNode):
                    inner = self.depth(selection.selection_set, level, seen)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    # Circular spreads are reported by graphql-core's own rule; stop here.
                    inner = (
                        level
                        if fragment is None or name in seen
                        else self.depth(fragment.selection_set, level, seen | {name})
                    )
                else:  # pragma: no cover - graphql-core has no other selection kind
                    inner = level
                deepest = max(deepest, inner)
            return deepest

    return QueryLimitsRule
