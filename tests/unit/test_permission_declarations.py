"""The permission rules are declared in the schema, next to the fields they guard."""

from __future__ import annotations

from graphql import GraphQLNonNull

from backend.schema import build_schema
from backend.schema.matrix import REFERENCE_TYPES, action_rules, node_type_names, permission_matrix_markdown
from backend.schema.permissions import is_checked
from backend.settings import PROJECT_ROOT, Settings

SCHEMA = build_schema(Settings())


def _fields(type_name: str):
    graphql_type = SCHEMA._schema.type_map[type_name]
    definition = graphql_type.extensions["strawberry-definition"]
    named = [(f, f.graphql_name or _camel(f.python_name)) for f in definition.fields]
    return [(f, graphql_type.fields[name]) for f, name in named if name in graphql_type.fields]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def test_every_field_of_a_domain_node_type_declares_who_may_read_it() -> None:
    from backend.schema.permissions import rule_of

    undeclared = [
        f"{type_name}.{graphql_field}"
        for type_name in node_type_names(SCHEMA)
        if type_name not in REFERENCE_TYPES
        for field, _ in _fields(type_name)
        if (graphql_field := field.graphql_name or _camel(field.python_name)) != "id"
        and rule_of(field) is None
    ]
    assert not undeclared, f"fields that return a structure's data without a declared rule: {undeclared}"


def test_a_guarded_field_is_nullable_so_that_a_refusal_answers_null() -> None:
    non_null = [
        f"{type_name}.{graphql_field.ast_node.name.value if graphql_field.ast_node else field.python_name}"
        for type_name in node_type_names(SCHEMA)
        for field, graphql_field in _fields(type_name)
        if is_checked(field) and isinstance(graphql_field.type, GraphQLNonNull)
    ]
    assert not non_null, f"guarded fields declared non-null: {non_null}"


def test_every_mutation_declares_its_requirement() -> None:
    missing = [name for name, requirement in action_rules(SCHEMA) if requirement is None]
    assert not missing, f"mutations without a declared requirement: {missing}"


def test_the_published_matrix_is_generated_from_the_code() -> None:
    published = (PROJECT_ROOT / "docs" / "permissions.md").read_text()
    assert published == permission_matrix_markdown(SCHEMA), (
        "run `portail permissions` to regenerate docs/permissions.md"
    )
