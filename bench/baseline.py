"""The floor: the bench's read operations answered by hand-written SQL, same stack minus the ORM and GraphQL.

    python -m bench.baseline --port 8100 [--workers 1]      (DATABASE_URL as for ``portail serve``)

A Starlette application served by uvicorn, answering ``POST /graphql`` with the *same JSON bytes*
(``orjson``) as the portal for each read operation of ``bench/operations.py`` (recognised by its
operation name), signed in by the same API token. Each request does what a careful hand-written
endpoint would: one statement to authenticate the token, then one or two statements with joins
and window counts for the page, rights checked in SQL. No ORM, no GraphQL execution, no
DataLoader. ``bench/run.py`` checks that the bodies are equal to the portal's before timing.

Only the rules the bench's requests exercise are reproduced (e.g. a structure's contact fields
for a viewer holding Organisation consultation there); it is a yardstick, not a second portal.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.auth.tokens import digest  # the same HMAC the portal stores

URL = os.environ.get("DATABASE_URL", "")
IS_PG = URL.startswith("postgres")
OPERATION = re.compile(r"^\s*(?:query|mutation)\s+(\w+)")
TAB_STATUSES = {
    "ACTION_REQUIRED": ("AWAITING_INFORMATION", "RESOLVED"),
    "IN_PROGRESS": ("OPEN", "AWAITING_INFORMATION", "RESOLVED"),
    "CLOSED": ("CLOSED",),
    "DRAFTS": ("DRAFT",),
}


def gid(type_name: str, pk: int | None) -> str | None:
    return None if pk is None else base64.b64encode(f"{type_name}:{pk}".encode()).decode()


class Database:
    """aiosqlite (one connection, as Tortoise keeps) or an asyncpg pool; ``?`` placeholders."""

    async def open(self) -> None:
        if IS_PG:
            import asyncpg

            self.pool = await asyncpg.create_pool(URL, min_size=1, max_size=5)
        else:
            import aiosqlite

            self.conn = await aiosqlite.connect(URL.split("://", 1)[1])
            await self.conn.execute("PRAGMA journal_mode=WAL")

    async def close(self) -> None:
        if IS_PG:
            await self.pool.close()
        else:
            await self.conn.close()

    async def rows(self, sql: str, *args: Any) -> list[tuple]:
        if IS_PG:
            n = iter(range(1, 1000))
            sql = re.sub(r"\?", lambda _m: f"${next(n)}", sql)
            async with self.pool.acquire() as conn:
                return [tuple(r) for r in await conn.fetch(sql, *args)]
        async with self.conn.execute(sql, args) as cursor:
            return list(await cursor.fetchall())


DB = Database()

# Structures where the viewer holds an application at structure level (any level, or modification).
HOLDS = """SELECT h.structure_id FROM habilitation h JOIN application a ON a.id = h.application_id
           JOIN profile p ON p.id = h.profile_id
           WHERE h.user_id = ? AND h.service_id IS NULL AND a.code = ? {level}"""


def holds(level: str = "") -> str:
    return HOLDS.format(level="AND p.level = 'MODIFICATION'" if level else "")


async def viewer_of(request: Request) -> int | None:
    secret = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    rows = await DB.rows(
        "SELECT u.id FROM api_token t JOIN user_account u ON u.id = t.user_id "
        "WHERE t.secret_hash = ? AND t.revoked_at IS NULL AND u.status = 'ACTIVE' "
        "AND (t.expires_at IS NULL OR t.expires_at > ?)",
        digest(secret),
        datetime.now(UTC) if IS_PG else datetime.now(UTC).isoformat(sep=" "),
    )
    return rows[0][0] if rows else None


async def directory(viewer: int, v: dict[str, Any]) -> dict[str, Any]:
    pattern = f"%{v['q']}%"
    rows = await DB.rows(
        """SELECT s.id, s.identifier_type, s.identifier, s.name, s.kind, s.status, s.city,
                  s.non_diffusible_insee, s.id IN (SELECT structure_id FROM membership WHERE user_id = ? AND status = 'ACTIVE'),
                  COUNT(*) OVER ()
           FROM structure s
           WHERE (s.identifier_type <> 'PARTICULIER'
                  OR s.id IN (SELECT structure_id FROM membership WHERE user_id = ? AND status = 'ACTIVE'))
             AND (UPPER(s.identifier) LIKE UPPER(?) OR UPPER(s.name) LIKE UPPER(?) OR UPPER(s.label) LIKE UPPER(?)
                  OR s.postal_code LIKE ? OR (UPPER(s.city) LIKE UPPER(?) AND (s.non_diffusible_insee = FALSE
                  OR s.id IN (SELECT structure_id FROM membership WHERE user_id = ? AND status = 'ACTIVE'))))
           ORDER BY s.name, s.id LIMIT 20""",
        viewer, viewer, pattern, pattern, pattern, f"{v['q']}%", pattern, viewer,
    )  # fmt: skip
    edges = [
        {
            "node": {
                "id": gid("Structure", r[0]),
                "identifierType": r[1],
                "identifier": r[2],
                "name": r[3],
                "kind": r[4],
                "status": r[5],
                "city": r[6] if not r[7] or r[8] else None,
            }
        }
        for r in rows
    ]
    return {"structures": {"totalCount": rows[0][9] if rows else 0, "edges": edges}}


async def structure_page(viewer: int, v: dict[str, Any]) -> dict[str, Any]:
    sid = int(base64.b64decode(v["id"]).decode().split(":")[1])
    rows = await DB.rows(
        f"""SELECT s.id, s.identifier_type, s.identifier, s.name, s.label, s.kind, s.status, s.email, s.phone,
                   s.city, s.version, s.address_line1, s.address_line2, s.postal_code, s.country,
                   u.id, u.first_name, u.last_name,
                   s.id IN ({holds()}) OR s.principal_manager_id = ?
            FROM structure s LEFT JOIN user_account u ON u.id = s.principal_manager_id
            WHERE s.id = ?""",
        viewer, "ORGANISATION", viewer, sid,
    )  # fmt: skip
    if not rows:
        return {"structure": None}
    r = rows[0]
    ok = bool(r[18])
    return {
        "structure": {
            "id": gid("Structure", r[0]),
            "identifierType": r[1],
            "identifier": r[2],
            "name": r[3],
            "label": r[4],
            "kind": r[5],
            "status": r[6],
            "email": r[7] if ok else None,
            "phone": r[8] if ok else None,
            "city": r[9],
            "version": r[10] if ok else None,
            "address": {"line1": r[11], "line2": r[12], "postalCode": r[13], "city": r[9], "country": r[14]}
            if ok
            else None,
            "principalManager": {"id": gid("User", r[15]), "firstName": r[16], "lastName": r[17]}
            if ok and r[15]
            else None,
        }
    }


async def members(viewer: int, v: dict[str, Any]) -> dict[str, Any]:
    sid = int(base64.b64decode(v["id"]).decode().split(":")[1])
    page = await DB.rows(
        f"""SELECT m.id, m.status, m.service_id IS NULL AND s.principal_manager_id = m.user_id,
                   u.id, u.first_name, u.last_name, u.email, sv.id, sv.code, sv.name, m.service_id,
                   COUNT(*) OVER ()
            FROM membership m JOIN user_account u ON u.id = m.user_id JOIN structure s ON s.id = m.structure_id
            LEFT JOIN service sv ON sv.id = m.service_id
            WHERE m.structure_id = ? AND m.status = 'ACTIVE'
              AND (m.user_id = ? OR m.structure_id IN ({holds()}))
            ORDER BY u.last_name, u.first_name, m.id LIMIT 50""",
        sid, viewer, viewer, "ORGANISATION",
    )  # fmt: skip
    by_scope: dict[tuple[int, int | None], list[dict[str, Any]]] = {}
    if page:
        users = sorted({r[3] for r in page})
        marks = ",".join("?" for _ in users)
        for h in await DB.rows(
            f"""SELECT h.id, h.user_id, h.service_id, p.id, p.name, p.level, a.code
                FROM habilitation h JOIN profile p ON p.id = h.profile_id JOIN application a ON a.id = h.application_id
                WHERE h.structure_id = ? AND h.user_id IN ({marks}) ORDER BY h.application_id, h.id""",
            sid, *users,
        ):  # fmt: skip
            by_scope.setdefault((h[1], h[2]), []).append(
                {
                    "id": gid("Habilitation", h[0]),
                    "profile": {
                        "id": gid("Profile", h[3]),
                        "name": h[4],
                        "level": h[5],
                        "application": {"code": h[6]},
                    },
                }
            )
    edges = [
        {
            "node": {
                "id": gid("Membership", r[0]),
                "status": r[1],
                "isPrincipalManager": bool(r[2]),
                "user": {"id": gid("User", r[3]), "firstName": r[4], "lastName": r[5], "email": r[6]},
                "service": {"id": gid("Service", r[7]), "code": r[8], "name": r[9]} if r[7] else None,
                "habilitations": by_scope.get((r[3], r[10]), []),
            }
        }
        for r in page
    ]
    return {"memberships": {"totalCount": page[0][11] if page else 0, "edges": edges}}


async def pending(viewer: int, v: dict[str, Any]) -> dict[str, Any]:
    rows = await DB.rows(
        f"""SELECT COUNT(*) FROM approval
            WHERE state = 'REQUESTED' AND requester_id <> ? AND structure_id IN ({holds("modification")})""",
        viewer, viewer, "ORGANISATION",
    )  # fmt: skip
    return {"viewer": {"pendingApprovalCount": rows[0][0]}}


async def _tickets(viewer: int, tab: str, search: str | None, nested: bool) -> dict[str, Any]:
    statuses = TAB_STATUSES[tab]
    marks = ",".join("?" for _ in statuses)
    if tab == "DRAFTS":
        scope, scope_args = "t.created_by_id = ?", [viewer]
    else:
        scope, scope_args = f"t.issuer_structure_id IN ({holds()})", [viewer, "SOLLICITATIONS_EMISES"]
    match, match_args = "", []
    if search:
        words = search.split()
        if IS_PG:
            doc = "(COALESCE(t2.number, '') || ' ' || t2.title || ' ' || t2.description)"
            tests = " AND ".join(f"{doc} ILIKE ?" for _ in words)
            match = f" AND t.id IN (SELECT t2.id FROM ticket t2 WHERE {tests})"
            match_args = [f"%{w}%" for w in words]
        else:
            match = " AND t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?)"
            match_args = [" ".join(f'"{w}"' for w in words)]
    rows = await DB.rows(
        f"""SELECT t.id, t.number, t.title, t.status, t.object_number, sc.name, i.id, i.name, r.id, r.name,
                   COUNT(*) OVER ()
            FROM ticket t JOIN ticket_subcategory sc ON sc.id = t.subcategory_id
            JOIN structure i ON i.id = t.issuer_structure_id LEFT JOIN structure r ON r.id = t.recipient_structure_id
            WHERE {scope} AND t.status IN ({marks}){match}
            ORDER BY t.created_at DESC, t.id DESC LIMIT 10""",
        *scope_args, *statuses, *match_args,
    )  # fmt: skip
    edges = []
    for r in rows:
        if nested:
            node = {
                "id": gid("Ticket", r[0]), "number": r[1], "title": r[2], "status": r[3], "objectNumber": r[4],
                "subcategory": {"name": r[5]}, "issuerStructure": {"id": gid("Structure", r[6]), "name": r[7]},
                "recipientStructure": {"id": gid("Structure", r[8]), "name": r[9]} if r[8] else None,
            }  # fmt: skip
        else:
            node = {
                "id": gid("Ticket", r[0]), "number": r[1], "title": r[2], "status": r[3],
                "issuerStructure": {"id": gid("Structure", r[6]), "name": r[7]},
            }  # fmt: skip
        edges.append({"node": node})
    return {"tickets": {"totalCount": rows[0][10] if rows else 0, "edges": edges}}


async def support_queue(viewer: int, v: dict[str, Any]) -> dict[str, Any]:
    """The support agent's received tickets: their structures' and the platform support's. Each
    side is paged on its own index and the two pages merged (an OR of the two would sort 660,000
    tickets on L); the sides are disjoint, so the total is the sum of their counts."""
    statuses = ("OPEN", "AWAITING_INFORMATION", "RESOLVED", "CLOSED")
    marks = ",".join("?" for _ in statuses)
    theirs = f"t.recipient_structure_id IN ({holds()})"
    support = "t.recipient_structure_id IS NULL"
    side = "SELECT * FROM (SELECT t.id, t.created_at FROM ticket t WHERE {scope} AND t.status IN ({marks}) ORDER BY t.created_at DESC, t.id DESC LIMIT 10) side"
    count = "SELECT COUNT(*) FROM ticket t WHERE {scope} AND t.status IN ({marks})"
    rows = await DB.rows(
        f"""SELECT t.id, t.number, t.title, t.status, t.object_number, sc.name, i.id, i.name, r.id, r.name,
                   ({count.format(scope=theirs, marks=marks)}) + ({count.format(scope=support, marks=marks)})
            FROM ({side.format(scope=theirs, marks=marks)} UNION ALL {side.format(scope=support, marks=marks)}) page
            JOIN ticket t ON t.id = page.id JOIN ticket_subcategory sc ON sc.id = t.subcategory_id
            JOIN structure i ON i.id = t.issuer_structure_id LEFT JOIN structure r ON r.id = t.recipient_structure_id
            ORDER BY t.created_at DESC, t.id DESC LIMIT 10""",
        viewer, "SOLLICITATIONS_RECUES", *statuses, *statuses,
        viewer, "SOLLICITATIONS_RECUES", *statuses, *statuses,
    )  # fmt: skip
    edges = [
        {
            "node": {
                "id": gid("Ticket", r[0]), "number": r[1], "title": r[2], "status": r[3], "objectNumber": r[4],
                "subcategory": {"name": r[5]}, "issuerStructure": {"id": gid("Structure", r[6]), "name": r[7]},
                "recipientStructure": {"id": gid("Structure", r[8]), "name": r[9]} if r[8] else None,
            }
        }
        for r in rows
    ]  # fmt: skip
    return {"receivedTickets": {"totalCount": rows[0][10] if rows else 0, "edges": edges}}


async def my_tickets(viewer: int, v: dict[str, Any]) -> dict[str, Any]:
    return await _tickets(viewer, v["tab"], None, nested=True)


async def search(viewer: int, v: dict[str, Any]) -> dict[str, Any]:
    return await _tickets(viewer, "IN_PROGRESS", v["q"], nested=False)


async def ticket_page(viewer: int, v: dict[str, Any]) -> dict[str, Any]:
    rows = await DB.rows(
        f"""SELECT t.id, t.number, t.title, t.description, t.status, t.object_type, t.object_number, t.contact_email,
                   c.name, sc.name, i.id, i.name, r.id, r.name, u.id, u.first_name, u.last_name
            FROM ticket t JOIN ticket_category c ON c.id = t.category_id
            JOIN ticket_subcategory sc ON sc.id = t.subcategory_id JOIN structure i ON i.id = t.issuer_structure_id
            LEFT JOIN structure r ON r.id = t.recipient_structure_id JOIN user_account u ON u.id = t.created_by_id
            WHERE t.number = ? AND (t.created_by_id = ? OR t.issuer_structure_id IN ({holds()}))""",
        v["number"], viewer, viewer, "SOLLICITATIONS_EMISES",
    )  # fmt: skip
    if not rows:
        return {"ticket": None}
    r = rows[0]
    activities = [
        {
            "id": gid("TicketActivity", a[0]),
            "kind": a[1],
            "body": a[2],
            "fromStatus": a[3],
            "toStatus": a[4],
            "author": {"id": gid("User", a[5]), "firstName": a[6], "lastName": a[7]} if a[5] else None,
        }
        for a in await DB.rows(
            """SELECT a.id, a.kind, a.body, a.from_status, a.to_status, u.id, u.first_name, u.last_name
               FROM ticket_activity a LEFT JOIN user_account u ON u.id = a.author_id
               WHERE a.ticket_id = ? ORDER BY a.created_at, a.id""",
            r[0],
        )
    ]
    return {
        "ticket": {
            "id": gid("Ticket", r[0]), "number": r[1], "title": r[2], "description": r[3], "status": r[4],
            "objectType": r[5], "objectNumber": r[6], "contactEmail": r[7],
            "category": {"name": r[8]}, "subcategory": {"name": r[9]},
            "issuerStructure": {"id": gid("Structure", r[10]), "name": r[11]},
            "recipientStructure": {"id": gid("Structure", r[12]), "name": r[13]} if r[12] else None,
            "createdBy": {"id": gid("User", r[14]), "firstName": r[15], "lastName": r[16]},
            "activities": activities,
        }
    }  # fmt: skip


HANDLERS = {
    "Directory": directory,
    "StructurePage": structure_page,
    "Members": members,
    "Pending": pending,
    "MyTickets": my_tickets,
    "SupportQueue": support_queue,
    "Search": search,
    "TicketPage": ticket_page,
}


async def graphql(request: Request) -> Response:
    body = orjson.loads(await request.body())
    name = OPERATION.match(body["query"])
    handler = HANDLERS.get(name.group(1)) if name else None
    if handler is None:
        return Response(orjson.dumps({"errors": [{"message": "not in the baseline"}]}), status_code=400)
    viewer = await viewer_of(request)
    if viewer is None:
        return Response(b'{"errors":[{"message":"unauthenticated"}]}', status_code=401)
    data = await handler(viewer, body.get("variables") or {})
    cost = body.get("_cost")  # the portal reports its estimated cost; run.py passes it to match bytes
    payload = {"data": data} if cost is None else {"data": data, "extensions": {"cost": cost}}
    return Response(orjson.dumps(payload), media_type="application/json")


async def health(_request: Request) -> Response:
    return Response(b"ok")


def create_app() -> Starlette:
    async def lifespan(_app: Starlette):  # type: ignore[no-untyped-def]
        await DB.open()
        yield
        await DB.close()

    from contextlib import asynccontextmanager

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/health", health)],
        lifespan=asynccontextmanager(lifespan),
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "bench.baseline:create_app", factory=True, host="127.0.0.1", port=args.port, workers=args.workers,
        log_level="info",
    )  # fmt: skip


if __name__ == "__main__":
    main()
