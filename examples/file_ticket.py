#!/usr/bin/env python3
"""Dépose un ticket au support avec une pièce jointe, par l'API du Portail Organisation, puis le suit.

Le fichier part dans la même requête que la mutation, selon la spécification « GraphQL multipart
request » (le client `gql` s'en charge avec `upload_files=True`). Le script interroge ensuite le
ticket à intervalles réguliers et affiche chaque nouvelle activité, jusqu'à l'un des statuts
attendus ou la fin du délai.

    pip install 'gql[httpx]'
    export PORTAIL_URL=http://127.0.0.1:8000 PORTAIL_TOKEN=pot_…      # jeton en écriture (--write)
    python examples/file_ticket.py 81234567600017 --title "Facture rejetée" \\
        --description "Notre facture F-2026-001 a été rejetée." --attachment facture.pdf \\
        --wait 600 --until AWAITING_INFORMATION RESOLVED CLOSED

Il faut « Sollicitations émises » en modification sur la structure émettrice.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from gql import Client, FileVar, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport

STRUCTURE = gql(
    """
    query Structure($identifierType: IdentifierType!, $identifier: String!) {
      structure(identifierType: $identifierType, identifier: $identifier) { id name }
    }
    """
)

CATEGORIES = gql(
    """
    query Categories {
      ticketCategories {
        id
        name
        subcategories { id code name isBusiness requiresObject }
      }
    }
    """
)

SUBMIT = gql(
    """
    mutation Deposer($input: TicketInput!) {
      submitTicket(input: $input) {
        ticket { id number status attachments { filename size } }
        errors { code field message }
      }
    }
    """
)

FOLLOW = gql(
    """
    query Suivre($id: ID!) {
      ticket(id: $id) {
        number
        status
        activities { id kind body toStatus createdAt author { firstName lastName } }
      }
    }
    """
)


def support_subcategory(session: Any, code: str | None) -> tuple[dict, dict]:
    """The sub-category ``code``, or the first one handled by support that concerns no object."""
    for category in session.execute(CATEGORIES)["ticketCategories"]:
        for sub in category["subcategories"]:
            if sub["code"] == code or (code is None and not sub["isBusiness"] and not sub["requiresObject"]):
                return category, sub
    raise SystemExit(f"Sous-catégorie {code} introuvable.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("identifier", help="identifiant (SIRET…) de la structure émettrice")
    parser.add_argument("--identifier-type", default="SIRET")
    parser.add_argument("--title", required=True, help="titre du ticket")
    parser.add_argument("--description", required=True, help="description du ticket")
    parser.add_argument(
        "--attachment", action="append", default=[], type=Path, help="fichier joint (répétable)"
    )
    parser.add_argument("--subcategory", help="code de la sous-catégorie (la première du support par défaut)")
    parser.add_argument(
        "--wait", type=float, default=0, help="suivre le ticket pendant ce nombre de secondes"
    )
    parser.add_argument("--interval", type=float, default=5, help="secondes entre deux interrogations")
    parser.add_argument(
        "--until", nargs="*", default=["RESOLVED", "CLOSED"], help="statuts qui arrêtent le suivi"
    )
    parser.add_argument("--url", default=os.environ.get("PORTAIL_URL", "http://127.0.0.1:8000"))
    parser.add_argument(
        "--token", default=os.environ.get("PORTAIL_TOKEN"), help="jeton d'API (PORTAIL_TOKEN)"
    )
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("un jeton d'API en écriture est nécessaire : --token ou PORTAIL_TOKEN")

    transport = HTTPXTransport(
        url=f"{args.url.rstrip('/')}/graphql", headers={"Authorization": f"Bearer {args.token}"}, timeout=60
    )
    client = Client(transport=transport, fetch_schema_from_transport=True)
    try:
        with client as session:
            return follow(session, args, submit(session, args))
    except TransportQueryError as error:
        for item in error.errors or []:
            code = (item.get("extensions") or {}).get("code", "?")
            print(f"Erreur {code} : {item['message']}", file=sys.stderr)
        return 1


def submit(session: Any, args: argparse.Namespace) -> str:
    structure = session.execute(
        STRUCTURE, variable_values={"identifierType": args.identifier_type, "identifier": args.identifier}
    )["structure"]
    if structure is None:
        raise SystemExit(f"Structure {args.identifier} introuvable.")
    category, subcategory = support_subcategory(session, args.subcategory)
    ticket_input = {
        "categoryId": category["id"],
        "subcategoryId": subcategory["id"],
        "issuerStructureId": structure["id"],
        "title": args.title,
        "description": args.description,
        # Each file is a part of the multipart request; FileVar opens it (a path as a str) and names it.
        "attachments": [FileVar(str(path)) for path in args.attachment],
    }
    payload = session.execute(SUBMIT, variable_values={"input": ticket_input}, upload_files=True)[
        "submitTicket"
    ]
    if payload["errors"]:
        for error in payload["errors"]:
            print(
                f"Refusé ({error['code']}, {'.'.join(error['field'])}) : {error['message']}", file=sys.stderr
            )
        raise SystemExit(1)
    ticket = payload["ticket"]
    files = ", ".join(f"{a['filename']} ({a['size']} octets)" for a in ticket["attachments"]) or "aucune"
    print(f"Ticket {ticket['number']} déposé pour {structure['name']} : {ticket['status']}")
    print(f"Pièces jointes : {files}")
    sys.stdout.flush()
    return ticket["id"]


def follow(session: Any, args: argparse.Namespace, ticket_id: str) -> int:
    seen: set[str] = set()
    deadline = time.monotonic() + args.wait
    while True:
        ticket = session.execute(FOLLOW, variable_values={"id": ticket_id})["ticket"]
        for activity in ticket["activities"]:
            if activity["id"] in seen:
                continue
            seen.add(activity["id"])
            author = activity["author"]
            who = f"{author['firstName']} {author['lastName']}" if author else "le portail"
            status = f" → {activity['toStatus']}" if activity["toStatus"] else ""
            body = f" : {activity['body']}" if activity["body"] else ""
            print(f"{activity['createdAt'][:19]} {activity['kind']}{status} ({who}){body}")
        sys.stdout.flush()
        if ticket["status"] in args.until:
            print(f"Ticket {ticket['number']} : {ticket['status']}")
            return 0
        if time.monotonic() >= deadline:
            print(f"Ticket {ticket['number']} toujours {ticket['status']} (fin du suivi)")
            return 0 if args.wait == 0 else 2
        time.sleep(min(args.interval, max(deadline - time.monotonic(), 0)))


if __name__ == "__main__":
    sys.exit(main())
