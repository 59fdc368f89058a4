#!/usr/bin/env python3
"""Exporte en CSV les membres d'une structure et leurs habilitations, par l'API du Portail Organisation.

Le client `gql` lit le schéma par introspection et valide chaque requête contre lui avant de
l'envoyer : un champ mal orthographié ou retiré de l'API est signalé ici, pas par le serveur.

    pip install 'gql[httpx]'
    export PORTAIL_URL=http://127.0.0.1:8000 PORTAIL_TOKEN=pot_…      # portail create-token … --name …
    python examples/export_members.py 81234567600017 --output membres.csv

Il faut la consultation Organisation sur la structure (un jeton en lecture seule suffit). Une ligne
par habilitation ; un membre sans habilitation a une ligne aux colonnes d'habilitation vides.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Iterator
from typing import Any

from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport

MEMBERS = gql(
    """
    query MembresEtHabilitations($identifierType: IdentifierType!, $identifier: String!, $first: Int!, $after: String) {
      structure(identifierType: $identifierType, identifier: $identifier) {
        identifier
        name
        members(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges {
            node {
              isPrincipalManager
              service { code name }
              user { lastName firstName email }
              habilitations {
                profile { name level application { code name } }
              }
            }
          }
        }
      }
    }
    """
)

COLUMNS = [
    "nom",
    "prénom",
    "email",
    "service",
    "gestionnaire principal",
    "application",
    "profil",
    "niveau",
]


def members(session: Any, identifier_type: str, identifier: str, page_size: int) -> Iterator[dict]:
    """Every member of the structure, page after page (`first` / `after`)."""
    after = None
    while True:
        data = session.execute(
            MEMBERS,
            variable_values={
                "identifierType": identifier_type,
                "identifier": identifier,
                "first": page_size,
                "after": after,
            },
        )
        structure = data["structure"]
        if structure is None:
            raise SystemExit(f"Structure {identifier} introuvable.")
        for edge in structure["members"]["edges"]:
            yield structure, edge["node"]
        page = structure["members"]["pageInfo"]
        if not page["hasNextPage"]:
            return
        after = page["endCursor"]


def rows(member: dict) -> Iterator[list[str]]:
    user, service = member["user"], member["service"]
    person = [
        user["lastName"],
        user["firstName"],
        user["email"] or "",
        f"{service['code']} {service['name']}" if service else "",
        "oui" if member["isPrincipalManager"] else "non",
    ]
    if not member["habilitations"]:
        yield [*person, "", "", ""]
    for habilitation in member["habilitations"]:
        profile = habilitation["profile"]
        yield [*person, profile["application"]["name"], profile["name"], profile["level"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("identifier", help="identifiant de la structure (SIRET…)")
    parser.add_argument("--identifier-type", default="SIRET", help="type d'identifiant (SIRET par défaut)")
    parser.add_argument("--output", "-o", default="-", help="fichier CSV (la sortie standard par défaut)")
    parser.add_argument("--url", default=os.environ.get("PORTAIL_URL", "http://127.0.0.1:8000"))
    parser.add_argument(
        "--token", default=os.environ.get("PORTAIL_TOKEN"), help="jeton d'API (PORTAIL_TOKEN)"
    )
    parser.add_argument("--page-size", type=int, default=50, help="membres par requête (100 au plus)")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("un jeton d'API est nécessaire : --token ou PORTAIL_TOKEN")

    transport = HTTPXTransport(
        url=f"{args.url.rstrip('/')}/graphql", headers={"Authorization": f"Bearer {args.token}"}, timeout=30
    )
    # fetch_schema_from_transport: the schema is read by introspection, then every query is validated.
    client = Client(transport=transport, fetch_schema_from_transport=True)
    out = sys.stdout if args.output == "-" else open(args.output, "w", newline="", encoding="utf-8-sig")
    count = habilitations = 0
    structure: dict = {}
    try:
        with client as session:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(COLUMNS)
            for found, member in members(session, args.identifier_type, args.identifier, args.page_size):
                structure = found
                count += 1
                habilitations += len(member["habilitations"])
                writer.writerows(rows(member))
    except TransportQueryError as error:
        for item in error.errors or []:
            code = (item.get("extensions") or {}).get("code", "?")
            print(f"Erreur {code} : {item['message']}", file=sys.stderr)
        return 1
    finally:
        if out is not sys.stdout:
            out.close()
    print(
        f"{structure.get('name', args.identifier)} ({args.identifier}) : {count} membre(s), "
        f"{habilitations} habilitation(s)" + ("" if args.output == "-" else f", exportés dans {args.output}"),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
