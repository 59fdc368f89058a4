"""The example clients of examples/ run against a live server, as an integrator would run them."""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from graphql import DocumentNode, build_schema, validate

from backend.schema import export_sdl
from backend.settings import PROJECT_ROOT
from tests.docs.conftest import MANAGER, DemoServer

EXAMPLES = PROJECT_ROOT / "examples"
SIRET = "81234567600017"  # Boulangerie Martin et Fils, managed by Camille Martin in the demo data


def run_example(
    server: DemoServer, script: str, *args: str, token: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        env=_environment(server, token),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _environment(server: DemoServer, token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return {**env, "PORTAIL_URL": server.url, "PORTAIL_TOKEN": token}


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["export_members", "file_ticket"])
def test_the_queries_of_the_example_are_valid_against_the_current_schema(name: str) -> None:
    schema = build_schema(export_sdl())
    module = _module(name)
    documents = [
        v.document for v in vars(module).values() if isinstance(getattr(v, "document", None), DocumentNode)
    ]
    assert documents
    for document in documents:
        assert validate(schema, document) == [], f"examples/{name}.py"


def test_the_members_and_their_habilitations_are_exported_to_csv(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    token = demo_server.create_token(MANAGER, name="export", write=False)  # reading is enough
    run = run_example(
        demo_server, "export_members.py", SIRET, "--output", "membres.csv", "--page-size", "1",
        token=token, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (
        "Boulangerie Martin et Fils (81234567600017) : 2 membre(s), 30 habilitation(s), exportés dans membres.csv"
        in run.stderr
    )

    with (tmp_path / "membres.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert len(rows) == 30
    by_email = {}
    for row in rows:
        by_email.setdefault(row["email"], []).append(row)
    assert set(by_email) == {MANAGER, "lea.dubois@demo.portail.fr"}
    camille = by_email[MANAGER]
    assert {r["nom"] for r in camille} == {"Martin"} and {r["gestionnaire principal"] for r in camille} == {
        "oui"
    }
    assert {
        "application": "Organisation",
        "profil": "Organisation modification",
        "niveau": "MODIFICATION",
    }.items() <= (next(r for r in camille if r["application"] == "Organisation").items())
    lea = next(r for r in by_email["lea.dubois@demo.portail.fr"] if r["application"] == "Organisation")
    assert (lea["gestionnaire principal"], lea["profil"]) == ("non", "Organisation consultation")


def test_the_export_says_why_when_the_structure_is_out_of_reach(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    token = demo_server.create_token("nadia.robert@demo.portail.fr", name="export", write=False)
    run = run_example(demo_server, "export_members.py", SIRET, token=token, cwd=tmp_path)
    assert run.returncode != 0
    assert run.stderr == "Erreur FORBIDDEN : Vous n'avez pas l'habilitation nécessaire pour lire ce champ.\n"


def test_the_export_refuses_an_unknown_token(demo_server: DemoServer, tmp_path: Path) -> None:
    run = run_example(demo_server, "export_members.py", SIRET, token="pot_inconnu", cwd=tmp_path)
    assert run.returncode == 1
    assert "UNAUTHENTICATED" in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_a_ticket_is_filed_with_its_attachment_and_followed_until_support_answers(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    (tmp_path / "facture.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    token = demo_server.create_token(MANAGER, name="tickets", write=True)
    args = [
        SIRET, "--title", "Facture rejetée", "--description", "Notre facture F-2026-001 a été rejetée.",
        "--attachment", "facture.pdf", "--wait", "60", "--interval", "0.5", "--until", "AWAITING_INFORMATION",
    ]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "file_ticket.py"), *args],
        env=_environment(demo_server, token),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        filed = process.stdout.readline()  # type: ignore[union-attr]
        match = re.fullmatch(r"Ticket (CPROCS\d{7}) déposé pour Boulangerie Martin et Fils : OPEN\n", filed)
        assert match, filed + process.stderr.read()  # type: ignore[union-attr]
        assert process.stdout.readline() == "Pièces jointes : facture.pdf (15 octets)\n"  # type: ignore[union-attr]

        # The platform support answers while the script polls.
        support = demo_server.create_token("support@demo.portail.fr", name="support", write=True)
        ticket = demo_server.graphql(
            support, "query($n: String) { ticket(number: $n) { id status } }", {"n": match.group(1)}
        )["data"]["ticket"]
        time.sleep(1)
        answer = demo_server.graphql(
            support,
            'mutation($id: ID!) { requestTicketInformation(id: $id, body: "Quel est le motif du rejet ?") '
            "{ errors { code message } } }",
            {"id": ticket["id"]},
        )
        assert answer["data"]["requestTicketInformation"]["errors"] == [], answer
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    lines = out.splitlines()
    assert re.fullmatch(r"\S+ CREATED → OPEN \(Camille Martin\)", lines[0]), out
    assert re.fullmatch(
        r"\S+ INFORMATION_REQUESTED → AWAITING_INFORMATION \(.+\) : Quel est le motif du rejet \?", lines[1]
    ), out
    assert lines[-1] == f"Ticket {match.group(1)} : AWAITING_INFORMATION"

    # The file arrived with the ticket.
    attachments = demo_server.graphql(
        token,
        "query($n: String) { ticket(number: $n) { attachments { filename size } } }",
        {"n": match.group(1)},
    )["data"]["ticket"]["attachments"]
    assert attachments == [{"filename": "facture.pdf", "size": 15}]
