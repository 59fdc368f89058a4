"""The SIRENE register: the `sireneEstablishment` query, INSEE's live API behind the imported stock
file (against a local stub speaking its JSON), and `portail import-sirene` with the legal units."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from stdnum import luhn

from backend import models
from backend.app import create_app
from backend.seed.demo import SIRENE_SAMPLE
from backend.sirene.importer import import_legal_units
from backend.sirene.register import API_KEY_HEADER, SireneRegister, values_from_api
from tests.api.test_structures import (  # shared helpers
    BOULANGERIE,
    CLOSED,
    CREATE,
    UNKNOWN,
    People,
    codes,
    open_people,
    seed_sirene,
    snapshot,
)

people_fixture = pytest.fixture(name="people")(open_people)
sirene_fixture = pytest.fixture(name="sirene")(seed_sirene)

ESTABLISHMENT = """query($siret: String!) { sireneEstablishment(siret: $siret) {
  siret siren name isActive isDiffusible updatedAt address { line1 line2 postalCode city country } } }"""
API_KEY = "cle-de-test"


def make_siret(siren_digits: str, establishment_digits: str) -> str:
    """A SIRET whose SIREN and SIRET both pass Luhn: 8 + 1 check digit, then 4 + 1 check digit."""
    siren = siren_digits + luhn.calc_check_digit(siren_digits)
    body = siren + establishment_digits
    return body + luhn.calc_check_digit(body)


LIVE_ACTIVE = make_siret("90123456", "0001")
LIVE_CLOSED = make_siret("90123457", "0001")
LIVE_MISSING = make_siret("90123458", "0001")


def insee_answer(siret: str, *, active: bool = True, name: str = "SOCIETE DU STUB") -> dict[str, Any]:
    """The shape of INSEE's Sirene API 3.11 answer to GET /siret/{siret}."""
    return {
        "header": {"statut": 200, "message": "OK"},
        "etablissement": {
            "siren": siret[:9],
            "nic": siret[9:],
            "siret": siret,
            "statutDiffusionEtablissement": "O",
            "dateCreationEtablissement": "2020-01-01",
            "dateDernierTraitementEtablissement": "2025-03-01T10:00:00.000",
            "etablissementSiege": True,
            "uniteLegale": {
                "etatAdministratifUniteLegale": "A",
                "statutDiffusionUniteLegale": "O",
                "denominationUniteLegale": name,
                "denominationUsuelle1UniteLegale": None,
                "nomUniteLegale": None,
                "prenomUsuelUniteLegale": None,
            },
            "adresseEtablissement": {
                "complementAdresseEtablissement": "ESCALIER B",
                "numeroVoieEtablissement": "5",
                "indiceRepetitionEtablissement": None,
                "typeVoieEtablissement": "AV",
                "libelleVoieEtablissement": "DES CHAMPS",
                "codePostalEtablissement": "75008",
                "libelleCommuneEtablissement": "PARIS 8",
                "codeCommuneEtablissement": "75108",
            },
            "periodesEtablissement": [
                {
                    "dateFin": None,
                    "dateDebut": "2024-01-01",
                    "etatAdministratifEtablissement": "A" if active else "F",
                    "enseigne1Etablissement": "ENSEIGNE DU STUB",
                    "denominationUsuelleEtablissement": None,
                },
                {
                    "dateFin": "2023-12-31",
                    "dateDebut": "2020-01-01",
                    "etatAdministratifEtablissement": "A",
                    "enseigne1Etablissement": None,
                    "denominationUsuelleEtablissement": None,
                },
            ],
        },
    }


class InseeStub:
    """INSEE's Sirene API on a free local port, in a thread."""

    def __init__(self) -> None:
        self.answers: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.delay = 0.0
        self.status: int | None = None
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.requests.append((self.path, self.headers.get(API_KEY_HEADER)))
                if stub.delay:
                    time.sleep(stub.delay)
                siret = self.path.rsplit("/", 1)[-1]
                if self.headers.get(API_KEY_HEADER) != API_KEY:
                    status, body = 401, {"message": "Invalid API key"}
                elif stub.status is not None:
                    status, body = stub.status, {"message": "Service indisponible"}
                elif siret in stub.answers:
                    status, body = 200, stub.answers[siret]
                else:
                    status = 404
                    body = {
                        "header": {"statut": 404, "message": f"Aucun élément trouvé pour le siret {siret}"}
                    }
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api-sirene/3.11"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> InseeStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def insee() -> Iterator[InseeStub]:
    with InseeStub() as stub:
        stub.answers[LIVE_ACTIVE] = insee_answer(LIVE_ACTIVE)
        stub.answers[LIVE_CLOSED] = insee_answer(LIVE_CLOSED, active=False)
        yield stub


@pytest.fixture
async def live(db, insee: InseeStub) -> Any:
    """People of an app whose SIRENE register is backed by the stub."""
    settings = dataclasses.replace(
        db, sirene_api_url=insee.url, sirene_api_key=API_KEY, sirene_api_timeout=0.5
    )
    helper = People(create_app(settings, manage_db=False))
    yield helper
    await helper.close()


# ---------------------------------------------------------------------------------------- the query


async def test_a_signed_in_user_looks_a_siret_up(people, sirene) -> None:
    browser = await people.browser("someone")
    data = await browser.query(ESTABLISHMENT, {"siret": "812 345 676 00017"})
    assert data["sireneEstablishment"] == {
        "siret": BOULANGERIE,
        "siren": "812345676",
        "name": "BOULANGERIE MARTIN ET FILS",
        "isActive": True,
        "isDiffusible": True,
        "updatedAt": "2025-01-14T08:31:12+00:00",
        "address": {
            "line1": "12 RUE DE LA REPUBLIQUE",
            "line2": None,
            "postalCode": "69002",
            "city": "LYON 2EME ARRONDISSEMENT",
            "country": "FR",
        },
    }
    closed = await browser.query(ESTABLISHMENT, {"siret": CLOSED})
    assert closed["sireneEstablishment"]["isActive"] is False
    unknown = await browser.query(ESTABLISHMENT, {"siret": UNKNOWN})
    assert unknown["sireneEstablishment"] is None
    hidden = await browser.query(ESTABLISHMENT, {"siret": "55678901400017"})
    assert hidden["sireneEstablishment"]["isDiffusible"] is False
    assert hidden["sireneEstablishment"]["address"] is None


async def test_a_malformed_siret_is_a_validation_error_and_anonymous_clients_are_refused(
    people, sirene
) -> None:
    body = await (await people.browser("someone")).post(ESTABLISHMENT, {"siret": "81234567600018"})
    assert body["data"]["sireneEstablishment"] is None
    assert [(e["extensions"]["code"], "clé de contrôle" in e["message"]) for e in body["errors"]] == [
        ("VALIDATION", True)
    ]
    anonymous = await people.anonymous().post(ESTABLISHMENT, {"siret": BOULANGERIE})
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]


# ---------------------------------------------------------------------------------------- live API


async def test_a_siret_missing_locally_is_asked_to_insee_and_cached(live, insee: InseeStub) -> None:
    browser = await live.browser("someone")
    data = await browser.query(ESTABLISHMENT, {"siret": LIVE_ACTIVE})
    found = data["sireneEstablishment"]
    assert found["name"] == "SOCIETE DU STUB"  # the legal unit's company name
    assert found["isActive"] is True
    assert found["address"] == {
        "line1": "5 AVENUE DES CHAMPS",
        "line2": "ESCALIER B",
        "postalCode": "75008",
        "city": "PARIS 8",
        "country": "FR",
    }
    assert insee.requests == [(f"/api-sirene/3.11/siret/{LIVE_ACTIVE}", API_KEY)]
    row = await models.SireneEstablishment.get(siret=LIVE_ACTIVE)
    assert (row.siren, row.name, row.is_active) == (LIVE_ACTIVE[:9], "SOCIETE DU STUB", True)

    again = await browser.query(ESTABLISHMENT, {"siret": LIVE_ACTIVE})
    assert again["sireneEstablishment"]["name"] == "SOCIETE DU STUB"
    assert len(insee.requests) == 1  # answered from the table now

    missing = await browser.query(ESTABLISHMENT, {"siret": LIVE_MISSING})
    assert missing["sireneEstablishment"] is None
    assert await models.SireneEstablishment.filter(siret=LIVE_MISSING).count() == 0


async def test_creating_a_structure_checks_the_live_register(live, insee: InseeStub) -> None:
    browser = await live.browser("manager")
    closed = await browser.query(CREATE, {"input": {"identifierType": "SIRET", "identifier": LIVE_CLOSED}})
    assert codes(closed["createStructure"]) == ["SIRENE_CLOSED"]
    missing = await browser.query(CREATE, {"input": {"identifierType": "SIRET", "identifier": LIVE_MISSING}})
    assert codes(missing["createStructure"]) == ["SIRENE_UNKNOWN"]
    payload = (
        await browser.query(CREATE, {"input": {"identifierType": "SIRET", "identifier": LIVE_ACTIVE}})
    )["createStructure"]
    assert payload["errors"] == []
    assert payload["structure"]["name"] == "SOCIETE DU STUB"
    assert payload["structure"]["address"]["line1"] == "5 AVENUE DES CHAMPS"


async def test_when_insee_does_not_answer_the_user_is_told_to_retry(live, insee: InseeStub) -> None:
    browser = await live.browser("manager")
    before = await snapshot()
    insee.delay = 1.0  # beyond the 0.5 s timeout
    slow = await browser.query(CREATE, {"input": {"identifierType": "SIRET", "identifier": LIVE_ACTIVE}})
    insee.delay = 0.0
    insee.status = 503
    down = await browser.query(CREATE, {"input": {"identifierType": "SIRET", "identifier": LIVE_ACTIVE}})
    for payload in (slow["createStructure"], down["createStructure"]):
        assert codes(payload) == ["SIRENE_UNKNOWN"]
        assert "ne répond pas" in payload["errors"][0]["message"]
    assert await snapshot() == before
    body = await browser.post(ESTABLISHMENT, {"siret": LIVE_ACTIVE})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SIRENE_UNKNOWN"]


async def test_refresh_and_activation_ask_insee_afresh_and_fall_back_on_the_table(
    db, insee: InseeStub
) -> None:
    await models.SireneEstablishment.create(
        siret=LIVE_ACTIVE, siren=LIVE_ACTIVE[:9], name="ANCIEN NOM", is_active=True, postal_code="75001"
    )
    register = SireneRegister(api_url=insee.url, api_key=API_KEY, timeout=0.5)
    assert (await register.find(LIVE_ACTIVE)).name == "ANCIEN NOM"  # known locally: no call
    assert insee.requests == []
    fresh = await register.find(LIVE_ACTIVE, fresh=True)
    assert fresh.name == "SOCIETE DU STUB" and fresh.postal_code == "75008"
    insee.status = 500
    assert (await register.find(LIVE_ACTIVE, fresh=True)).name == "SOCIETE DU STUB"
    assert await models.SireneEstablishment.filter(siret=LIVE_ACTIVE).count() == 1


def test_the_api_answer_is_read_from_the_current_period() -> None:
    values = values_from_api(insee_answer(LIVE_CLOSED, active=False))
    assert values is not None
    assert values["is_active"] is False
    assert values["name"] == "SOCIETE DU STUB"
    person = insee_answer(LIVE_ACTIVE, name="")
    person["etablissement"]["uniteLegale"].update(nomUniteLegale="DUPONT", prenomUsuelUniteLegale="JEANNE")
    assert values_from_api(person)["name"] == "JEANNE DUPONT"
    nameless = insee_answer(LIVE_ACTIVE, name="")
    assert values_from_api(nameless)["name"] == "ENSEIGNE DU STUB"
    assert values_from_api({"header": {"statut": 404}}) is None


# ---------------------------------------------------------------------------------------- import


LEGAL_UNIT_HEADER = [
    "siren",
    "statutDiffusionUniteLegale",
    "dateCreationUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "prenomUsuelUniteLegale",
    "etatAdministratifUniteLegale",
]


def write_legal_units(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=LEGAL_UNIT_HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in LEGAL_UNIT_HEADER})
    return path


async def test_legal_units_give_establishments_their_company_name(sirene, tmp_path: Path) -> None:
    path = write_legal_units(
        tmp_path / "StockUniteLegale_utf8.csv",
        [
            {"siren": "812345676", "denominationUniteLegale": "MARTIN ET FILS SARL"},
            {"siren": "545678906", "nomUniteLegale": "ROUSSEL", "prenomUsuelUniteLegale": "PAUL"},
            {"siren": "999999999", "denominationUniteLegale": "SANS ETABLISSEMENT"},
            {"siren": "12", "denominationUniteLegale": "SIREN INVALIDE"},
        ],
    )
    stats = await import_legal_units(path, batch_size=2)
    assert (stats.read, stats.skipped) == (4, 1)
    assert stats.updated == 2 + 2  # the two Martin establishments, the two Roussel ones
    names = dict(
        await models.SireneEstablishment.filter(siren__in=["812345676", "545678906"]).values_list(
            "siret", "name"
        )
    )
    assert names["81234567600017"] == names["81234567600025"] == "MARTIN ET FILS SARL"
    assert names["54567890600011"] == names["54567890600029"] == "PAUL ROUSSEL"
    again = await import_legal_units(path)
    assert (again.updated, again.unchanged) == (0, 4)


def portail(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTAIL_VAR_DIR": str(var), "DATABASE_URL": f"sqlite://{var / 'portail.sqlite3'}"}
    env.pop("PORTAIL_SECRET_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args], env=env, capture_output=True, text=True
    )


def test_the_import_command_reads_csv_or_zip_is_rerunnable_and_names_from_legal_units(tmp_path: Path) -> None:
    var = tmp_path / "var"
    assert portail(var, "migrate").returncode == 0
    archive = tmp_path / "StockEtablissement_utf8.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        handle.write(SIRENE_SAMPLE, "StockEtablissement_utf8.csv")
    units = write_legal_units(
        tmp_path / "StockUniteLegale_utf8.csv",
        [{"siren": "812345676", "denominationUniteLegale": "MARTIN ET FILS SARL"}],
    )
    rows = sum(1 for _ in SIRENE_SAMPLE.open()) - 1

    first = portail(var, "import-sirene", str(archive), "--legal-units", str(units), "--batch-size", "7")
    assert first.returncode == 0, first.stderr
    assert f"Établissements : {rows} lus, {rows} créés, 0 mis à jour" in first.stdout
    assert "Unités légales : 1 lues, 2 établissements renommés" in first.stdout
    assert "Établissements" in first.stderr  # the progress bar

    again = portail(var, "import-sirene", str(SIRENE_SAMPLE))
    assert again.returncode == 0, again.stderr
    assert f"{rows} lus, 0 créés, 0 mis à jour, {rows} inchangés" in again.stdout
    with sqlite3.connect(var / "portail.sqlite3") as connection:
        count = connection.execute("SELECT COUNT(*) FROM sirene_establishment").fetchone()[0]
        name = connection.execute(
            "SELECT name FROM sirene_establishment WHERE siret = ?", (BOULANGERIE,)
        ).fetchone()[0]
    assert (count, name) == (rows, "MARTIN ET FILS SARL")

    wrong = portail(var, "import-sirene", str(units))
    assert wrong.returncode != 0
    assert "StockEtablissement" in wrong.stderr
