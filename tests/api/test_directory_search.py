"""The directory search (``structures(search:)``) as a user meets it: a part of the name, label or
identifier in any case, a postal code prefix, a city (not that of a non-diffusible establishment
to a stranger), short searches, searches full of FTS operators; a renamed structure is found by
its new name; the trigram index answers, in a constant number of statements."""

from __future__ import annotations

from typing import Any

import pytest

from backend import models
from backend.services.structure_search import search_structures
from tests.api.test_structures import UPDATE, address, create, open_people
from tests.query_plan import query_plan

people_fixture = pytest.fixture(name="people")(open_people)

SEARCH = """query($search: String, $first: Int) {
  structures(search: $search, first: $first) { totalCount edges { node { name } } }
}"""

BOULANGERIE = "Boulangerie Martin et Fils"
ZINC = 'Café "Le Zinc" * OR NEAR(bar)'
DISCRET = "Cabinet Discret"
ATELIER = "Atelier Dupont"


@pytest.fixture
async def directory(people) -> dict[str, Any]:
    """Four structures made through the API by their manager, « owner »."""
    owner = await people.browser("owner")
    made = {}
    for identifier, name, label, postal_code, city, hidden in [
        ("BX 771 ANNUAIRE", BOULANGERIE, "Le fournil", "69002", "Lyon", False),
        ("CAFE 12", ZINC, None, "13001", "Marseille", False),
        ("CAB 5", DISCRET, None, "29300", "Quimperlé", True),
        ("AT 9", ATELIER, "Menuiserie", "75011", "Paris", False),
    ]:
        payload = await create(
            owner,
            identifierType="HORS_UE",
            identifier=identifier,
            name=name,
            label=label,
            address=address(postalCode=postal_code, city=city),
            options={"nonDiffusibleInsee": hidden},
        )
        assert payload["errors"] == [], payload
        made[name] = payload["structure"]
    return made


async def found(browser: Any, search: str | None, first: int = 20) -> list[str]:
    data = (await browser.query(SEARCH, {"search": search, "first": first}))["structures"]
    names = [edge["node"]["name"] for edge in data["edges"]]
    assert data["totalCount"] == len(names), data
    return names


CASES = [
    # search,                   found by a stranger
    ("boulangerie", [BOULANGERIE]),  # part of the name, any case
    ("MARTIN ET f", [BOULANGERIE]),  # the whole search is one piece of text
    ("martin fils", []),  # ... so words apart do not match
    ("FOURNIL", [BOULANGERIE]),  # the label
    ("x 771 ann", [BOULANGERIE]),  # a fragment of the identifier
    ("6900", [BOULANGERIE]),  # a postal code prefix
    ("9002", []),  # ... only a prefix
    ("lyon", [BOULANGERIE]),  # the city
    ("quimper", []),  # not the city of a non-diffusible establishment
    ("discret", [DISCRET]),  # which its name still finds
    ("ly", [BOULANGERIE]),  # short: read without the index, same rule
    ("75", [ATELIER]),
    ("  dupont  ", [ATELIER]),  # trimmed
    ("zzz", []),
    ('"le zinc"', [ZINC]),  # FTS operators are found as text, never read as operators
    ('"', [ZINC]),
    ("* OR NEAR(", [ZINC]),
    ("OR", [ZINC]),
    ("NEAR(", [ZINC]),
    ("zinc*", []),
    ("l'atelier", []),
    ("100%", []),
    ("_", []),
    ("C:\\fournil", []),
]


@pytest.mark.parametrize(("search", "expected"), CASES)
async def test_the_directory_finds_structures_by_part_of_their_fields(
    people, directory, search: str, expected: list[str]
) -> None:
    assert await found(await people.browser("stranger"), search) == expected


async def test_a_blank_search_lists_the_whole_directory_by_name(people, directory) -> None:
    assert await found(await people.browser("stranger"), "   ") == [ATELIER, BOULANGERIE, DISCRET, ZINC]


async def test_the_members_of_a_non_diffusible_establishment_find_it_by_its_city(people, directory) -> None:
    owner = await people.browser("owner")
    assert await found(owner, "quimper") == [DISCRET]
    assert await found(owner, "qu") == [DISCRET]
    assert await found(await people.browser("stranger"), "qu") == []


async def test_a_renamed_structure_is_found_by_its_new_name_only(people, directory) -> None:
    owner = await people.browser("owner")
    structure = directory[ATELIER]
    payload = (
        await owner.query(
            UPDATE,
            {
                "id": structure["id"],
                "version": structure["version"],
                "input": {"name": "Ébénisterie Moderne", "label": "Bois", "address": address(city="Nantes")},
            },
        )
    )["updateStructure"]
    assert payload["errors"] == [], payload
    stranger = await people.browser("stranger")
    assert await found(stranger, "bénisterie MOD") == ["Ébénisterie Moderne"]
    assert await found(stranger, "nantes") == ["Ébénisterie Moderne"]
    assert await found(stranger, "dupont") == []
    assert await found(stranger, "menuiserie") == []
    assert await found(stranger, "paris") == []


async def test_a_page_of_results_costs_the_same_statements_whatever_its_size(
    people, directory, count_queries
) -> None:
    for i in range(12):
        await models.Structure.create(
            identifier_type=models.IdentifierType.HORS_UE,
            identifier=f"PAGE {i}",
            name=f"Boulangerie annexe {i:02d}",
            address_line1="1 rue",
            postal_code="69003",
            city="Lyon",
        )
    stranger = await people.browser("stranger")
    await stranger.query(SEARCH, {"search": "boulangerie", "first": 1})  # the session is read once warm
    statements = []
    for search, first in (("boulangerie", 2), ("boulangerie", 13), ("bo", 2), ("bo", 13)):
        with count_queries() as counter:
            data = (await stranger.query(SEARCH, {"search": search, "first": first}))["structures"]
        assert (len(data["edges"]), data["totalCount"]) == (first, 13)
        statements.append(counter.count)
    assert len(set(statements)) == 1, statements


async def test_the_search_reads_the_trigram_index(db) -> None:
    query = search_structures(models.Structure.all(), "boulangerie", members=[]).order_by("name", "id")
    for sql in (query.count().sql(params_inline=True), query.limit(20).sql(params_inline=True)):
        plan = await query_plan(db, sql)
        if db.is_sqlite:
            assert "VIRTUAL TABLE INDEX" in plan and "structure_search" in plan, plan
        else:
            assert "structure_search_trgm" in plan, plan
