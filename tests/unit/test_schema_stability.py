"""The API stays stable: the schema of the code is compared with the latest release's
(`schema/releases/<version>.graphql`) by graphql-core's breaking-change finder.

A breaking change fails unless CHANGELOG.md lists it, in the words printed below, under the heading
of a new major version; a removed field or enum value must have been deprecated in the release.
Dangerous changes are reported as warnings."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from graphql import (
    BreakingChange,
    BreakingChangeType,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)

from backend.schema import export_sdl
from backend.settings import PROJECT_ROOT

RELEASES = PROJECT_ROOT / "schema" / "releases"
CHANGELOG = PROJECT_ROOT / "CHANGELOG.md"
HEADING = re.compile(r"^## \[?v?(\d+)\.(\d+)\.(\d+)\]?", re.MULTILINE)

Version = tuple[int, int, int]


def latest_release() -> tuple[Version, Path]:
    found = []
    for path in RELEASES.glob("*.graphql"):
        parts = path.stem.split(".")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            found.append(((int(parts[0]), int(parts[1]), int(parts[2])), path))
    assert found, f"no release schema in {RELEASES}"
    return max(found)


def major_sections(changelog: str, above: int) -> str:
    """The text of the sections whose heading names a major version above ``above``."""
    text = []
    headings = list(HEADING.finditer(changelog))
    for i, heading in enumerate(headings):
        if int(heading.group(1)) > above:
            end = headings[i + 1].start() if i + 1 < len(headings) else len(changelog)
            text.append(changelog[heading.start() : end])
    return "\n".join(text)


def _deprecated_in(schema: GraphQLSchema, change: BreakingChange) -> bool:
    """Whether what a FIELD_REMOVED / VALUE_REMOVED_FROM_ENUM change removes was deprecated before."""
    if change.type == BreakingChangeType.FIELD_REMOVED:
        match = re.search(r"(\w+)\.(\w+) was removed", change.description)
        named = schema.type_map.get(match.group(1)) if match else None
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            field = named.fields.get(match.group(2))  # type: ignore[union-attr]
            return bool(field and field.deprecation_reason)
        if isinstance(named, GraphQLInputObjectType):
            field = named.fields.get(match.group(2))  # type: ignore[union-attr]
            return bool(field and getattr(field, "deprecation_reason", None))
        return False
    if change.type == BreakingChangeType.VALUE_REMOVED_FROM_ENUM:
        match = re.search(r"Enum value (\w+)\.(\w+) was removed", change.description)
        named = schema.type_map.get(match.group(1)) if match else None
        if isinstance(named, GraphQLEnumType):
            value = named.values.get(match.group(2))  # type: ignore[union-attr]
            return bool(value and value.deprecation_reason)
        return False
    return True


def stability_problems(old: GraphQLSchema, new: GraphQLSchema, release: Version, changelog: str) -> list[str]:
    """What fails the check, in words a developer can act on (empty: the schema may ship)."""
    problems = []
    listed = major_sections(changelog, above=release[0])
    for change in find_breaking_changes(old, new):
        if change.description not in listed:
            problems.append(
                f"breaking change not listed under a new major version (## [{release[0] + 1}.0.0]) in "
                f"CHANGELOG.md: {change.description}"
            )
        if not _deprecated_in(old, change):
            problems.append(f"removed without a @deprecated(reason:) release first: {change.description}")
    return problems


def test_the_schema_has_no_unannounced_breaking_change_since_the_last_release() -> None:
    version, path = latest_release()
    old = build_schema(path.read_text())
    new = build_schema(export_sdl())
    problems = stability_problems(old, new, version, CHANGELOG.read_text())
    assert not problems, f"compared with {path.relative_to(PROJECT_ROOT)}:\n" + "\n".join(problems)
    for change in find_dangerous_changes(old, new):
        warnings.warn(f"dangerous change since {path.stem}: {change.description}", UserWarning, stacklevel=1)


def test_every_deprecation_gives_its_reason() -> None:
    schema = build_schema(export_sdl())
    missing = []
    for name, named in schema.type_map.items():
        fields = getattr(named, "fields", None) or {}
        for field_name, field in fields.items():
            if (
                getattr(field, "deprecation_reason", None) is not None
                and not field.deprecation_reason.strip()
            ):
                missing.append(f"{name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if arg.deprecation_reason is not None and not arg.deprecation_reason.strip():
                    missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if value.deprecation_reason is not None and not value.deprecation_reason.strip():
                    missing.append(f"{name}.{value_name}")
    assert not missing, f"@deprecated without a reason: {missing}"


def test_the_changelog_has_the_latest_release() -> None:
    version, _ = latest_release()
    headings = {tuple(int(g) for g in m.groups()) for m in HEADING.finditer(CHANGELOG.read_text())}
    assert version in headings, f"CHANGELOG.md has no heading for {'.'.join(map(str, version))}"


# ---------------------------------------------------------------------------------- the check itself

OLD = """
type Query {
  a: String
  b: Int @deprecated(reason: "Use a.")
  c(x: Int): Int
}
enum Color { RED GREEN }
type Mutation { paint(color: Color): Color }
"""


@pytest.mark.parametrize(
    ("new", "changelog", "expected"),
    [
        pytest.param(OLD + "type Extra { z: Int }", "", [], id="additions-pass"),
        pytest.param(
            OLD.replace("  a: String\n", "  a: String\n  d: Int\n").replace("RED GREEN", "RED GREEN BLUE"),
            "",
            [],
            id="added-field-and-enum-value-pass",
        ),
        pytest.param(
            OLD.replace('  b: Int @deprecated(reason: "Use a.")\n', ""),
            "## [0.2.0]\n- Field Query.b was removed.\n",
            [
                "breaking change not listed under a new major version (## [1.0.0]) in CHANGELOG.md: "
                "Field Query.b was removed."
            ],
            id="listed-under-a-minor-version-fails",
        ),
        pytest.param(
            OLD.replace('  b: Int @deprecated(reason: "Use a.")\n', ""),
            "## [Unreleased]\n## [1.0.0]\n### Removed\n- Field Query.b was removed.\n## [0.1.0]\n",
            [],
            id="deprecated-then-removed-and-listed-passes",
        ),
        pytest.param(
            OLD.replace("  a: String\n", ""),
            "## [1.0.0]\n- Field Query.a was removed.\n",
            ["removed without a @deprecated(reason:) release first: Field Query.a was removed."],
            id="removed-without-deprecation-fails",
        ),
        pytest.param(
            OLD.replace("c(x: Int): Int", "c(x: Int, y: Int!): Int"),
            "",
            [
                "breaking change not listed under a new major version (## [1.0.0]) in CHANGELOG.md: "
                "A required argument Query.c(y:) was added."
            ],
            id="new-required-argument-fails",
        ),
    ],
)
def test_the_check_tells_breaking_from_safe_changes(new: str, changelog: str, expected: list[str]) -> None:
    assert stability_problems(build_schema(OLD), build_schema(new), (0, 1, 0), changelog) == expected


def test_an_added_enum_value_is_reported_as_dangerous() -> None:
    dangerous = find_dangerous_changes(
        build_schema(OLD), build_schema(OLD.replace("RED GREEN", "RED GREEN BLUE"))
    )
    assert [c.description for c in dangerous] == ["Enum value Color.BLUE was added."]
