"""schema.graphql is a checked artefact, and the contract's gaps are listed honestly."""

from __future__ import annotations

from backend.schema import export_sdl
from backend.settings import PROJECT_ROOT
from tests.contract import CONTRACT, PENDING, missing_from_code, pending_list


def test_the_exported_schema_file_matches_the_code() -> None:
    exported = (PROJECT_ROOT / "schema.graphql").read_text()
    assert exported == export_sdl(), "schema.graphql is stale: run `portail export-schema` (make schema)"


def test_what_the_contract_has_and_the_code_lacks_is_listed_in_contract_pending() -> None:
    assert CONTRACT.exists(), f"the contract is expected at {CONTRACT}"
    missing = missing_from_code(export_sdl())
    listed = pending_list()
    not_listed = sorted(missing - listed)
    already_built = sorted(listed - missing)
    assert not not_listed, f"missing from the code but not listed in {PENDING.name}: {not_listed}"
    assert not already_built, f"built already, remove from {PENDING.name}: {already_built}"


def test_every_type_and_field_of_the_schema_has_a_description() -> None:
    from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType
    from graphql import build_schema as parse_sdl

    schema = parse_sdl(export_sdl())
    undocumented = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if name not in {"Query", "Mutation", "Subscription"} and not graphql_type.description:
            undocumented.append(name)
        if isinstance(graphql_type, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    undocumented.append(f"{name}.{field_name}")
        if isinstance(graphql_type, GraphQLEnumType) and not graphql_type.description:
            undocumented.append(name)
    assert not undocumented, f"without description: {undocumented}"
