"""Reference data loader: idempotent upsert by code, from the files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from backend.models import (
    AccessLevel,
    Application,
    Domain,
    IdentifierType,
    Profile,
    TicketCategory,
    TicketObjectType,
    TicketSubcategory,
)
from backend.seed.reference import SEED_DIR, identifier_type, identifier_types, load_reference_data
from backend.settings import Settings
from tests.models.helpers import count_writes

EXPECTED = {
    "applications": 15,
    "profiles": 30,
    "ticket_categories": 8,
    "ticket_subcategories": 13,
    "identifier_types": 7,
}


async def test_loads_every_file(sqlite_db: Settings) -> None:
    assert await load_reference_data() == EXPECTED
    assert await Application.all().count() == 15
    assert await Profile.all().count() == 30
    codes = await Application.all().order_by("position").values_list("code", flat=True)
    assert codes[0] == "ORGANISATION" and codes[-1] == "SOLLICITATIONS_RECUES"
    factures = await Application.get(code="FACTURES_EMISES")
    assert factures.name == "Factures émises" and factures.domain is Domain.FACTURATION
    profile = await Profile.get(code="FACTURES_EMISES_CONSULTATION")
    assert profile.name == "Factures émises consultation"
    assert profile.level is AccessLevel.CONSULTATION and profile.application_id == factures.pk  # type: ignore[attr-defined]
    for application in await Application.all():
        levels = await Profile.filter(application=application).values_list("level", flat=True)
        assert sorted(levels) == [AccessLevel.CONSULTATION, AccessLevel.MODIFICATION]


async def test_subcategories_flags(sqlite_db: Settings) -> None:
    await load_reference_data()
    subs = {sub.name: sub for sub in await TicketSubcategory.all()}
    assert {name for name, sub in subs.items() if sub.is_business} == {
        "M - Question pour le destinataire de ma facture",
        "M - Question sur une demande rejetée",
        "M - Révision du montant d'un mémoire",
        "M - Suivi du traitement d'un mémoire",
    }
    assert subs["M - Question pour le destinataire de ma facture"].object_types == ["FACTURE"]
    assert subs["M - Question sur une demande rejetée"].accepted_object_types == [
        TicketObjectType.DEMANDE_REMBOURSEMENT
    ]
    assert subs["M - Révision du montant d'un mémoire"].object_types == ["MEMOIRE"]
    assert subs["M - Suivi du traitement d'un mémoire"].requires_object
    assert not subs["Traitement"].requires_object and subs["Traitement"].object_types == []
    organisation = await TicketCategory.get(code="ORGANISATION")
    assert await TicketSubcategory.filter(category=organisation).count() == 4


async def test_second_run_writes_nothing(sqlite_db: Settings) -> None:
    first = await load_reference_data()
    with count_writes() as writes:
        second = await load_reference_data()
    assert first == second == EXPECTED
    assert writes.statements == []
    assert await Profile.all().count() == 30


async def test_edited_files_update_the_rows(sqlite_db: Settings, tmp_path: Path) -> None:
    await load_reference_data()
    seed = tmp_path / "seed"
    shutil.copytree(SEED_DIR, seed, ignore=shutil.ignore_patterns("*.py", "*.csv", "__pycache__"))

    def edit(name: str, change) -> None:
        path = seed / name
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    edit("applications.json", lambda d: d["applications"][1].update(name="Factures envoyées"))
    edit("profiles.json", lambda d: d["profiles"][2].update(name="Factures envoyées consultation"))
    edit(
        "ticket_categories.json",
        lambda d: d["categories"][1]["subcategories"][0].update(
            name="M - Traitement", object_types=["FACTURE"]
        ),
    )
    ids_before = sorted(await Profile.all().values_list("id", flat=True))

    with count_writes() as writes:
        assert await load_reference_data(seed) == EXPECTED
    assert len(writes.statements) == 3

    assert (await Application.get(code="FACTURES_EMISES")).name == "Factures envoyées"
    assert (await Profile.get(code="FACTURES_EMISES_CONSULTATION")).name == "Factures envoyées consultation"
    sub = await TicketSubcategory.get(code="FACTURES_A_VALIDER_TRAITEMENT")
    assert sub.is_business and sub.requires_object and sub.object_types == ["FACTURE"]
    assert sorted(await Profile.all().values_list("id", flat=True)) == ids_before


def test_identifier_types_file_matches_the_enum() -> None:
    assert [entry["code"] for entry in identifier_types()] == [member.value for member in IdentifierType]
    siret = identifier_type(IdentifierType.SIRET)
    assert siret["label"] == "SIRET" and siret["sirene_check"] is True
    assert identifier_type("PARTICULIER")["pattern"] is None
