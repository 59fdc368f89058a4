"""Every type, field, argument, input field and enum value of the exported schema carries a
description: GraphiQL's « Docs » panel and generated clients show it to integrators."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from backend.schema import export_sdl

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def undescribed(schema: GraphQLSchema) -> list[str]:
    missing: list[str] = []
    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not (named.description or "").strip():
            missing.append(f"type {name}")
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"field {name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not (arg.description or "").strip():
                        missing.append(f"argument {name}.{field_name}({arg_name})")
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"input field {name}.{field_name}")
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if not (value.description or "").strip():
                    missing.append(f"enum value {name}.{value_name}")
    for directive in schema.directives:
        for arg_name, arg in directive.args.items():
            if not (arg.description or "").strip():
                missing.append(f"argument @{directive.name}({arg_name})")
    return missing


def test_every_type_field_argument_and_enum_value_of_the_schema_is_described() -> None:
    missing = undescribed(build_schema(export_sdl()))
    assert not missing, (
        f"{len(missing)} element(s) of the schema without a description (strawberry.field(description=…), "
        "Annotated[…, strawberry.argument(description=…)], describe_values(Enum, VALUE=…)):\n"
        + "\n".join(missing)
    )


def test_the_check_sees_a_missing_description() -> None:
    schema = build_schema('"""Q."""\ntype Query {\n  """F."""\n  f(a: Int): E\n}\n"""E."""\nenum E { A }\n')
    assert undescribed(schema) == ["enum value E.A", "argument Query.f(a)"]
