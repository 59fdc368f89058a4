"""Limits checked before execution: document size and tokens, then depth, aliases, directives,
repeated fields, circular fragments, introspection (when turned off) and cost.

A refused document answers one top-level error with ``extensions.code``
QUERY_REFUSED and no resolver runs. Every response reports the estimated
cost of its document in ``extensions.cost`` (``{requested, limit}``).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    VariableNode,
    get_named_type,
)
from graphql.language import Lexer, TokenKind
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

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


# Default page size counted for a connection asked for without `first` / `last` (the largest default).
DEFAULT_PAGE_SIZE = 20
INTROSPECTION_FIELDS = {"__schema", "__type"}
# Fragments spreading fragments: deeper than this is refused (graphql-core's validation would recurse).
MAX_FRAGMENT_NESTING = 50


@dataclass
class Shape:
    """What a selection set weighs, relative to where it stands (memoised per fragment)."""

    depth: int = 0
    cost: int = 0
    aliases: int = 0
    directives: int = 0
    #: How many fields answer each response key of this object (the literal set, inline fragments, spreads).
    keys: Counter[str] = field(default_factory=Counter)
    most_repeated: int = 0
    introspection: bool = False
    circular: str | None = None

    def add(self, inner: Shape, *, depth: int, cost: int) -> None:
        self.depth = max(self.depth, depth)
        self.cost += cost
        self.aliases += inner.aliases
        self.directives += inner.directives
        self.most_repeated = max(self.most_repeated, inner.most_repeated)
        self.introspection = self.introspection or inner.introspection
        self.circular = self.circular or inner.circular


class DocumentShape:
    """Walks a parsed document once, with the schema's types, to weigh it before validation.

    Cost: every field counts 1, multiplied by the page size (`first` or `last`, else
    DEFAULT_PAGE_SIZE, at most `max_page_size`) of each connection that encloses it.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        max_page_size: int,
    ) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.max_page_size = max_page_size
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, Shape] = {}
        self.visiting: set[str] = set()
        roots = {
            OperationType.QUERY: schema.query_type,
            OperationType.MUTATION: schema.mutation_type,
            OperationType.SUBSCRIPTION: schema.subscription_type,
        }
        self.operations = [
            self.selection_set(d.selection_set, roots.get(d.operation))
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        ]

    def selection_set(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None) -> Shape:
        shape = Shape()
        if selection_set is None:
            return shape
        for selection in selection_set.selections:
            shape.directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                self.field(selection, parent, shape)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.selection_set(
                    selection.selection_set, self.named(condition.name.value) if condition else parent
                )
                shape.add(inner, depth=inner.depth, cost=inner.cost)
                shape.keys.update(inner.keys)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
                shape.add(inner, depth=inner.depth, cost=inner.cost)
                shape.keys.update(inner.keys)
        shape.most_repeated = max(shape.most_repeated, max(shape.keys.values(), default=0))
        return shape

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, shape: Shape) -> None:
        name = node.name.value
        shape.keys[node.alias.value if node.alias else name] += 1
        if node.alias is not None:
            shape.aliases += 1
        definition = (
            parent.fields.get(name) if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)) else None
        )
        returns = get_named_type(definition.type) if definition is not None else None
        inner = self.selection_set(node.selection_set, returns)
        if name in INTROSPECTION_FIELDS:
            # Introspection nests ofType deeply but is bounded by the schema: GraphiQL's query must pass.
            inner.introspection = True
            inner.depth = 0
        page = self.page_size(node) if is_connection(returns) else 1
        depth = 1 + inner.depth if node.selection_set is not None else 1
        shape.add(inner, depth=depth, cost=1 + page * inner.cost)

    def fragment(self, name: str) -> Shape:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if name in self.visiting:
            return Shape(circular=name)
        if definition is None:
            return Shape()  # an unknown fragment: validation names it
        if len(self.visiting) >= MAX_FRAGMENT_NESTING:
            raise RecursionError(name)
        self.visiting.add(name)
        shape = self.selection_set(definition.selection_set, self.named(definition.type_condition.name.value))
        self.visiting.discard(name)
        self.memo[name] = shape
        return shape

    def named(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)

    def page_size(self, node: FieldNode) -> int:
        size = None
        for argument in node.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                size = int(value.value)
            elif isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                size = given if isinstance(given, int) and not isinstance(given, bool) else size
        if size is None:
            size = DEFAULT_PAGE_SIZE
        # Above the page limit, the resolver answers VALIDATION: count what could be read, not more.
        return max(0, min(size, self.max_page_size))


def is_connection(graphql_type: GraphQLNamedType | None) -> bool:
    return isinstance(graphql_type, GraphQLObjectType) and {"edges", "pageInfo"} <= graphql_type.fields.keys()


class QueryLimits(SchemaExtension):
    """Weighs the parsed document before graphql-core validates it; refuses it above a limit.

    Runs before the standard validation rules (whose cost grows with what it refuses, e.g. a field
    repeated many times), and reports the cost in ``extensions.cost`` of every response.
    """

    def __init__(self, *, execution_context: Any = None, settings: Settings) -> None:
        self.settings = settings
        self.cost: int | None = None

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            try:
                shape = DocumentShape(
                    context.schema._schema,
                    context.graphql_document,
                    context.variables,
                    self.settings.max_page_size,
                )
            except RecursionError:  # fragments spreading fragments, too deep
                context.pre_execution_errors = [
                    refused("Requête refusée : fragments imbriqués trop profondément.")
                ]
                yield
                return
            self.cost = max((s.cost for s in shape.operations), default=0)
            reason = self.refusal(shape.operations)
            if reason is not None:
                context.pre_execution_errors = [refused(reason)]
        yield

    def refusal(self, operations: list[Shape]) -> str | None:
        limits = self.settings
        for shape in operations:
            if shape.circular is not None:
                return f"Requête refusée : le fragment « {shape.circular} » se contient lui-même."
            if shape.introspection and not limits.introspection:
                return "Requête refusée : l'introspection du schéma est désactivée sur ce serveur."
            if shape.depth > limits.max_query_depth:
                return f"Requête refusée : profondeur {shape.depth} au-delà de {limits.max_query_depth}."
            if shape.aliases > limits.max_aliases:
                return f"Requête refusée : {shape.aliases} alias, au plus {limits.max_aliases} sont acceptés."
            if shape.directives > limits.max_directives:
                return f"Requête refusée : {shape.directives} directives, au plus {limits.max_directives}."
            if shape.most_repeated > limits.max_field_repeats:
                return (
                    f"Requête refusée : un même champ est demandé {shape.most_repeated} fois, "
                    f"au plus {limits.max_field_repeats}."
                )
            if shape.cost > limits.max_query_cost:
                return (
                    f"Requête refusée : coût estimé {shape.cost}, au-delà de {limits.max_query_cost} "
                    "(chaque champ compte 1, multiplié par la taille de page des listes qui l'englobent : "
                    "demandez moins de champs ou des pages plus petites)."
                )
        return None

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"requested": self.cost, "limit": self.settings.max_query_cost}}


#: Distinct documents whose parse and validation are kept per worker. Clients send the same few
#: documents again and again (the app's, an integration's); an unknown one costs one more parse.
KEPT_DOCUMENTS = 256


class KeptParses(ParserCache):
    """Documents parsed once per worker (least recently used out first). A document that does not
    parse is left to Strawberry, which parses it again and reports the error as usual."""

    def __init__(self) -> None:
        super().__init__(maxsize=KEPT_DOCUMENTS)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield


class KeptValidation(ValidationCache):
    """Validation once per document and worker, after :class:`QueryLimits` has had its say: a
    refused document is not validated at all (validation is the costly step of a large one)."""

    def __init__(self) -> None:
        super().__init__(maxsize=KEPT_DOCUMENTS)

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors is None:
            yield from super().on_validate()
        else:
            yield
