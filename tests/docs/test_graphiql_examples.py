"""The example tabs GraphiQL opens with (frontend/src/graphiql/examples.ts) are valid operations of
the current schema, one tab per domain, each commented."""

from __future__ import annotations

import re

from graphql import OperationDefinitionNode, build_schema, parse, validate

from backend.schema import export_sdl
from backend.settings import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "frontend" / "src" / "graphiql" / "examples.ts"
TEMPLATE = re.compile(r"^const (\w+) = `(.*?)`$", re.MULTILINE | re.DOTALL)


def tabs() -> dict[str, str]:
    source = EXAMPLES.read_text()
    found = {name: body for name, body in TEMPLATE.findall(source)}
    assert "${" not in "".join(found.values()), "no interpolation in the example tabs"
    return found


def test_graphiql_opens_with_one_commented_tab_per_domain() -> None:
    found = tabs()
    assert list(found) == ["MON_COMPTE", "STRUCTURES", "UTILISATEURS", "APPROBATIONS", "SUPPORT"]
    source = EXAMPLES.read_text()
    for name, body in found.items():
        assert body.startswith("# "), f"{name}: the tab opens with a comment saying what it shows"
        assert f"{{ query: {name}" in source, f"{name} is not in EXAMPLE_TABS"


def test_every_example_operation_is_valid_against_the_schema() -> None:
    schema = build_schema(export_sdl())
    for name, body in tabs().items():
        document = parse(body)
        assert validate(schema, document) == [], name
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        assert operations and all(o.name for o in operations), f"{name}: name every operation"
        if name == "MON_COMPTE":  # the first tab: ▶ runs it at once, signed in or not
            assert len(operations) == 1
