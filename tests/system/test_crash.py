"""Crash safety: the server is killed (SIGKILL) in the middle of a write load; after a restart the
database is intact and holds every write that a client saw acknowledged."""

from __future__ import annotations

import asyncio

import httpx

from tests.system.conftest import Server, assert_sound

SUBMIT = """mutation($input: TicketInput) {
  submitTicket(input: $input) { ticket { id number title } errors { code field message } } }"""
CREATE = """mutation($input: CreateStructureInput!) {
  createStructure(input: $input) { structure { id identifier name } errors { code field message } } }"""
TICKET = "query($number: String) { ticket(number: $number) { number title } }"
ADDRESS = {"line1": "1 place Bellecour", "postalCode": "69002", "city": "Lyon", "country": "FR"}
WRITERS = 12
KILL_AFTER = 60  # acknowledged writes


async def test_a_killed_server_restarts_intact_with_every_acknowledged_write(server: Server) -> None:
    world = server.prepare()
    server.start()
    manager = await server.browser(world["emails"]["manager"], world["password"])
    tickets: dict[str, str] = {}  # acknowledged: number -> title
    structures: dict[str, str] = {}  # acknowledged: identifier -> name
    failures: list[BaseException] = []
    enough = asyncio.Event()

    async def writer(w: int) -> None:
        for n in range(10_000):
            try:
                if n % 3 == 2:
                    name = f"Particulier {w}-{n}"
                    variables = {"input": {"identifierType": "PARTICULIER", "name": name, "address": ADDRESS}}
                    response = await manager.post("/graphql", json={"query": CREATE, "variables": variables})
                    payload = assert_sound(response)["createStructure"]
                    assert payload["errors"] == [], payload
                    structures[payload["structure"]["identifier"]] = name
                else:
                    title = f"Charge {w}-{n}"
                    variables = {"input": {**world["ticket_input"], "title": title}}
                    response = await manager.post("/graphql", json={"query": SUBMIT, "variables": variables})
                    payload = assert_sound(response)["submitTicket"]
                    assert payload["errors"] == [], payload
                    tickets[payload["ticket"]["number"]] = title
            except httpx.TransportError:
                return  # the server is gone: this request was never acknowledged
            except BaseException as error:  # a wrong answer before the crash fails the test
                failures.append(error)
                return
            if len(tickets) + len(structures) >= KILL_AFTER:
                enough.set()

    load = [asyncio.create_task(writer(w)) for w in range(WRITERS)]
    await asyncio.wait_for(enough.wait(), timeout=60)
    server.kill()  # requests are in flight: some transactions are half-way
    await asyncio.wait_for(asyncio.gather(*load), timeout=60)
    await manager.aclose()
    assert not failures, failures
    assert len(tickets) >= KILL_AFTER // 2

    # The file as the crash left it (its WAL included): sound, and every acknowledged write is there.
    assert server.sql("PRAGMA integrity_check") == [("ok",)]
    assert server.sql("PRAGMA foreign_key_check") == []
    stored_tickets = dict(server.sql("SELECT number, title FROM ticket WHERE number IS NOT NULL"))
    assert {n: stored_tickets.get(n) for n in tickets} == tickets
    stored_structures = dict(server.sql("SELECT identifier, name FROM structure"))
    assert {i: stored_structures.get(i) for i in structures} == structures
    # Committed means complete: every numbered ticket has its creation activity.
    assert (
        server.sql(
            "SELECT t.number FROM ticket t WHERE t.number IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM ticket_activity a WHERE a.ticket_id = t.id)"
        )
        == []
    )

    # The restarted server carries on where the committed data ends.
    server.start()
    manager = await server.browser(world["emails"]["manager"], world["password"])
    try:
        number, title = next(iter(tickets.items()))
        seen = assert_sound(
            await manager.post("/graphql", json={"query": TICKET, "variables": {"number": number}})
        )
        assert seen["ticket"] == {"number": number, "title": title}
        variables = {"input": {**world["ticket_input"], "title": "Après le redémarrage"}}
        after = assert_sound(await manager.post("/graphql", json={"query": SUBMIT, "variables": variables}))
        last = max(int(n.removeprefix("CPROCS")) for n in stored_tickets)
        assert after["submitTicket"]["ticket"]["number"] == f"CPROCS{last + 1:07d}"
    finally:
        await manager.aclose()
    server.stop()
    assert server.sql("PRAGMA integrity_check") == [("ok",)]
