"""Concurrent writers against a real server process on SQLite: many connections at once, and
another process writing to the same file (as the command line does next to a running server).

Transactions start with BEGIN IMMEDIATE and wait up to busy_timeout for the write lock: no
writer ever gets "database is locked", even when its transaction reads before it writes."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from typing import Any

from tests.system.conftest import Server, assert_sound

UPDATE = """mutation($id: ID!, $version: Int!, $input: UpdateStructureInput!) {
  updateStructure(id: $id, version: $version, input: $input) {
    structure { id label version } errors { code field message } } }"""
CREATE = """mutation($input: CreateStructureInput!) {
  createStructure(input: $input) { structure { id identifier version } errors { code field message } } }"""
SUBMIT = """mutation($input: TicketInput) {
  submitTicket(input: $input) { ticket { number title } errors { code field message } } }"""
STRUCTURE = "query($id: ID!) { node(id: $id) { ... on Structure { label version } } }"
ADDRESS = {"line1": "1 place Bellecour", "postalCode": "69002", "city": "Lyon", "country": "FR"}


async def test_fifty_updates_of_one_version_over_fifty_connections_one_wins(server: Server) -> None:
    world = server.prepare()
    server.start()
    manager = await server.browser(world["emails"]["manager"], world["password"])
    try:
        current = assert_sound(
            await manager.post("/graphql", json={"query": STRUCTURE, "variables": {"id": world["issuer"]}})
        )
        version = current["node"]["version"]

        async def update(i: int) -> dict[str, Any]:
            variables = {"id": world["issuer"], "version": version, "input": {"label": f"L{i}"}}
            response = await manager.post("/graphql", json={"query": UPDATE, "variables": variables})
            return assert_sound(response)["updateStructure"]

        payloads = await asyncio.gather(*(update(i) for i in range(50)))
        winners = [i for i, p in enumerate(payloads) if p["errors"] == []]
        assert len(winners) == 1
        assert sorted(p["errors"][0]["code"] for p in payloads if p["errors"]) == ["CONFLICT"] * 49
        after = assert_sound(
            await manager.post("/graphql", json={"query": STRUCTURE, "variables": {"id": world["issuer"]}})
        )
        assert after["node"] == {"label": f"L{winners[0]}", "version": version + 1}
    finally:
        await manager.aclose()


class OutsideWriter(threading.Thread):
    """Another process's connection: short write transactions on the same file, over and over."""

    def __init__(self, database: Any) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.stop = threading.Event()
        self.commits = 0

    def run(self) -> None:
        connection = sqlite3.connect(self.database, timeout=30, isolation_level=None)
        connection.execute("CREATE TABLE IF NOT EXISTS outside_writer (n INTEGER)")
        while not self.stop.is_set():
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO outside_writer VALUES (?)", (self.commits,))
            time.sleep(0.02)  # holds the write lock a while, like a batch of an import
            connection.execute("COMMIT")
            self.commits += 1
            time.sleep(0.005)
        connection.close()


async def test_a_hundred_writers_and_another_process_never_see_a_locked_database(server: Server) -> None:
    world = server.prepare()
    server.start()
    manager = await server.browser(world["emails"]["manager"], world["password"])
    member = await server.browser(world["emails"]["member"], world["password"])
    try:
        # Thirty structures of the manager's, each to be updated once below: a transaction that reads
        # (the locked current row) before it writes, the case a deferred BEGIN gets wrong.
        created = []
        for i in range(30):
            body = assert_sound(
                await manager.post(
                    "/graphql",
                    json={
                        "query": CREATE,
                        "variables": {
                            "input": {"identifierType": "PARTICULIER", "name": f"P{i}", "address": ADDRESS}
                        },
                    },
                )
            )
            created.append(body["createStructure"]["structure"])

        outside = OutsideWriter(server.database)
        outside.start()

        async def write(i: int) -> tuple[str, dict[str, Any]]:
            if i < 30:
                structure = created[i]
                variables = {
                    "id": structure["id"],
                    "version": structure["version"],
                    "input": {"label": f"É{i}"},
                }
                response = await manager.post("/graphql", json={"query": UPDATE, "variables": variables})
                return "update", assert_sound(response)["updateStructure"]
            client = member if i % 2 else manager
            variables = {"input": {**world["ticket_input"], "title": f"Écrivain {i}"}}
            response = await client.post("/graphql", json={"query": SUBMIT, "variables": variables})
            return "ticket", assert_sound(response)["submitTicket"]

        try:
            results = await asyncio.gather(*(write(i) for i in range(100)))
        finally:
            outside.stop.set()
            outside.join(timeout=30)
        assert outside.commits > 0
        assert [payload["errors"] for _, payload in results] == [[]] * 100
        numbers = sorted(p["ticket"]["number"] for kind, p in results if kind == "ticket")
        assert numbers == [f"CPROCS{n:07d}" for n in range(1, 71)]
        labels = dict(
            server.sql("SELECT identifier, label FROM structure WHERE identifier_type = 'PARTICULIER'")
        )
        assert sorted(labels.values()) == sorted(f"É{i}" for i in range(30))
        assert "database is locked" not in server.logs()
    finally:
        await manager.aclose()
        await member.aclose()
