"""Reference data answers anyone, straight from the seed files."""

from __future__ import annotations

import json

from backend.settings import PROJECT_ROOT

REFERENCE_QUERY = """
{ applications { code name domain }
  profiles { name level application { code } }
  ticketCategories { name subcategories { name isBusiness requiresObject objectTypes category { name } } } }
"""


async def test_an_anonymous_client_reads_applications_profiles_and_ticket_categories(gql) -> None:
    data = await gql.query(REFERENCE_QUERY)
    apps = {a["code"]: a for a in data["applications"]}
    assert len(apps) == 15
    assert apps["FACTURES_EMISES"] == {
        "code": "FACTURES_EMISES",
        "name": "Factures émises",
        "domain": "FACTURATION",
    }
    assert apps["ORGANISATION"]["domain"] == "ORGANISATION"
    assert apps["SOLLICITATIONS_RECUES"]["domain"] == "SUPPORT"

    profiles = {p["name"]: p for p in data["profiles"]}
    assert len(profiles) == 30
    assert profiles["Factures émises consultation"]["level"] == "CONSULTATION"
    assert profiles["Organisation modification"] == {
        "name": "Organisation modification",
        "level": "MODIFICATION",
        "application": {"code": "ORGANISATION"},
    }

    categories = {c["name"]: c for c in data["ticketCategories"]}
    facture = categories["Factures émises"]["subcategories"][0]
    assert facture == {
        "name": "M - Question pour le destinataire de ma facture",
        "isBusiness": True,
        "requiresObject": True,
        "objectTypes": ["FACTURE"],
        "category": {"name": "Factures émises"},
    }
    organisation = [s["name"] for s in categories["Organisation"]["subcategories"]]
    assert organisation == [
        "Gestion des habilitations",
        "Gestion des structures et utilisateurs",
        "Demande de création de structure publique",
        "Remplacement du gestionnaire principal",
    ]
    assert not any(s["isBusiness"] for s in categories["Organisation"]["subcategories"])


async def test_the_reference_data_comes_from_the_seed_files(gql) -> None:
    files = list((PROJECT_ROOT / "backend" / "seed").glob("*.json"))
    assert files, "reference data must be shipped as data files under backend/seed/"
    text = "".join(f.read_text() for f in files)
    data = await gql.query("{ applications { name } ticketCategories { name } }")
    for item in data["applications"] + data["ticketCategories"]:
        assert json.dumps(item["name"], ensure_ascii=False) in text


async def test_the_viewer_is_null_for_an_anonymous_client(gql) -> None:
    assert await gql.query("{ viewer { user { id } } }") == {"viewer": None}
