"""Write a realistic data set straight into a fresh database, for the load runs.

    python -m bench.generate --size S|M|L [--database URL] [--out DIR]

Runs ``portail migrate`` and ``portail seed`` on the target, then bulk-inserts (SQLite: plain
sqlite3 ``executemany`` with ``synchronous=OFF``; PostgreSQL: ``COPY`` through asyncpg's
``copy_records_to_table``). L = 100,000 structures, 200,000 services, 300,000 users, 600,000
memberships, 6,000,000 habilitations, 1,000,000 tickets, 3,000,000 ticket activities, 200,000
approvals, 1,000,000 SIRENE rows; M and S are a tenth and a hundredth of that.

Shapes: valid SIRETs (Luhn), skewed sizes (structure 1 has thousands of members, a handful have
hundreds, most have one or two), one manager (``manager@bench.test``) principal manager of up to
1,000 structures with every habilitation there, a plain member, a support agent. Their API tokens
(``portail create-token``) are written to ``DIR/tokens.json`` with the ids the load runs need.
The random generator is seeded: the same size gives the same rows.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

#: The triggers that version each user's rights (paused during the bulk load).
GRANTS_VERSION = importlib.import_module("backend.migrations.0005_grants_version")

ROOT = Path(__file__).resolve().parent.parent
PORTAIL = str(ROOT / ".venv" / "bin" / "portail")
SCALE = {"S": 0.01, "M": 0.1, "L": 1.0}
FULL = {
    "structure": 100_000,
    "service": 200_000,
    "user_account": 300_000,
    "membership": 600_000,
    "habilitation": 6_000_000,
    "ticket": 1_000_000,
    "ticket_activity": 3_000_000,
    "approval": 200_000,
    "sirene_establishment": 1_000_000,
}
DEMO_PASSWORD = "Bench-Portail-2026"
DEMO_USERS = {  # id: (email, first, last, is_support_agent)
    1: ("manager@bench.test", "Gérante", "Principale", False),
    2: ("member@bench.test", "Membre", "Simple", False),
    3: ("support@bench.test", "Agent", "Support", True),
}
CHUNK = 20_000

WORDS = (
    "boulangerie transports atelier conseil services maintenance logistique batiment travaux "
    "informatique nettoyage restauration formation etudes ingenierie distribution energie "
    "hopital mairie prefecture college lycee universite departement region agence centre "
    "institut laboratoire office syndicat regie commune communaute metropole chambre"
).split()
LAST_NAMES = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Lefevre Faure Andre Mercier Blanc Guerin Boyer Garnier Chevalier"
).split()
FIRST_NAMES = (
    "Marie Jean Pierre Michel Anne Philippe Nathalie Isabelle Sylvie Catherine Nicolas "
    "Christophe Sophie Julien Camille Louise Hugo Emma Lucas Chloe Manon Theo Lea Paul"
).split()
CITIES = [
    ("75001", "PARIS"),
    ("69002", "LYON"),
    ("13001", "MARSEILLE"),
    ("31000", "TOULOUSE"),
    ("44000", "NANTES"),
    ("67000", "STRASBOURG"),
    ("33000", "BORDEAUX"),
    ("59000", "LILLE"),
    ("35000", "RENNES"),
    ("34000", "MONTPELLIER"),
]
STREETS = ["RUE DE LA REPUBLIQUE", "AVENUE JEAN JAURES", "BOULEVARD VICTOR HUGO", "PLACE DE LA MAIRIE"]


def luhn_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass the Luhn check (SIREN and SIRET keys)."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # doubled: the check digit will be at position 0
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def siret(i: int) -> str:
    """The i-th SIRET: three establishments per SIREN, both keys valid."""
    siren8 = f"{30_000_000 + i // 3:08d}"
    siren = siren8 + luhn_digit(siren8)
    nic4 = f"{i % 3 + 1:04d}"
    return siren + nic4 + luhn_digit(siren + nic4)


class Plan:
    """How many rows of each table, and the demo shapes, for one size."""

    def __init__(self, size: str) -> None:
        f = SCALE[size]
        self.size = size
        self.n = {table: max(1, int(count * f)) for table, count in FULL.items()}
        self.big_members = min(5_000, self.n["user_account"] // 2)  # structure 1
        self.managed = min(1_000, self.n["structure"] // 10)  # structures 1..managed: manager@
        self.manager_ticket_share = 0.01  # of all tickets, issued by the manager's structures


# --- database writers -------------------------------------------------------------------------


class SQLiteWriter:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA foreign_keys=OFF")
        self.conn.execute("PRAGMA cache_size=-200000")
        # Every user's rights version stays 0 in a fresh database: no need to change it per row.
        for name in GRANTS_VERSION.SQLITE_TRIGGERS:
            self.conn.execute(f'DROP TRIGGER "{name}"')

    @staticmethod
    def ts(dt: datetime | None) -> Any:
        return None if dt is None else dt.isoformat(sep=" ")

    def insert(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        sql = f'INSERT INTO "{table}" ({cols}) VALUES ({marks})'
        count = 0
        for chunk in chunks(rows):
            self.conn.executemany(sql, chunk)
            count += len(chunk)
        self.conn.commit()
        return count

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)
        self.conn.commit()

    def finish(self, tables: Iterable[str]) -> None:
        for statement in GRANTS_VERSION.SQLITE_TRIGGERS.values():
            self.conn.execute(statement)
        self.conn.execute("ANALYZE")  # the planner's statistics, as after any bulk load
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.commit()
        self.conn.close()


class PostgresWriter:
    def __init__(self, url: str) -> None:
        import asyncpg

        self.loop = asyncio.new_event_loop()
        self.conn = self.loop.run_until_complete(asyncpg.connect(url))
        self._triggers("DISABLE")  # every user's rights version stays 0 in a fresh database

    def _triggers(self, action: str) -> None:
        for table, (trigger, _function, _events) in GRANTS_VERSION.POSTGRES_TRIGGERS.items():
            self.loop.run_until_complete(
                self.conn.execute(f'ALTER TABLE "{table}" {action} TRIGGER "{trigger}"')
            )

    @staticmethod
    def ts(dt: datetime | None) -> Any:
        return dt

    def insert(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        count = 0
        for chunk in chunks(rows, 100_000):
            self.loop.run_until_complete(
                self.conn.copy_records_to_table(table, records=chunk, columns=list(columns))
            )
            count += len(chunk)
        return count

    def execute(self, sql: str) -> None:
        self.loop.run_until_complete(self.conn.execute(sql.replace("?", "$1")))

    def finish(self, tables: Iterable[str]) -> None:
        self._triggers("ENABLE")
        for table in tables:
            self.loop.run_until_complete(
                self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                )
            )
        # What autovacuum would do, at once: the planner's statistics, and the visibility map
        # without which index-only scans still visit the table (a support agent's queue counts
        # 660,000 tickets from an index).
        self.loop.run_until_complete(self.conn.execute("VACUUM (ANALYZE)"))
        self.loop.run_until_complete(self.conn.close())
        self.loop.close()


def chunks(rows: Iterable[tuple], size: int = CHUNK) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- the data set ------------------------------------------------------------------------------


def generate(plan: Plan, db: SQLiteWriter | PostgresWriter, reference: dict[str, Any]) -> dict[str, Any]:
    rnd = random.Random(20260101)
    n = plan.n
    ts = db.ts
    now = datetime.now(UTC)
    epoch = now - timedelta(days=3 * 365)

    def when(rnd: random.Random = rnd) -> datetime:
        return epoch + timedelta(
            seconds=rnd.randrange(3 * 365 * 86400), microseconds=rnd.randrange(1, 999_999)
        )

    counts: dict[str, int] = {}
    started = time.monotonic()

    def done(table: str, count: int) -> None:
        counts[table] = count
        print(f"  {table:<24} {count:>10,} rows  ({time.monotonic() - started:6.1f} s)", flush=True)

    # SIRENE register -----------------------------------------------------------------------
    def sirene_rows() -> Iterator[tuple]:
        for i in range(n["sirene_establishment"]):
            postal, city = CITIES[i % len(CITIES)]
            yield (
                i + 1,
                siret(i),
                siret(i)[:9],
                f"{WORDS[i % len(WORDS)].upper()} {LAST_NAMES[(i // 7) % len(LAST_NAMES)].upper()} {i}",
                i % 11 != 0,
                i % 29 != 0,
                f"{i % 120 + 1} {STREETS[i % len(STREETS)]}",
                None,
                postal,
                city,
                "FR",
                ts(when()),
                ts(now),
            )

    done(
        "sirene_establishment",
        db.insert(
            "sirene_establishment",
            (
                "id", "siret", "siren", "name", "is_active", "is_diffusible", "address_line1",
                "address_line2", "postal_code", "city", "country", "updated_at", "imported_at",
            ),
            sirene_rows(),
        ),
    )  # fmt: skip

    # Users ---------------------------------------------------------------------------------
    password_hash = reference["password_hash"]

    def user_rows() -> Iterator[tuple]:
        for uid in range(1, n["user_account"] + 1):
            first, last = FIRST_NAMES[uid % len(FIRST_NAMES)], LAST_NAMES[(uid * 7) % len(LAST_NAMES)]
            email, support = f"u{uid}@bench.test", False
            if uid in DEMO_USERS:
                email, first, last, support = DEMO_USERS[uid]
            created = when()
            yield (
                uid, email, password_hash, first, f"{last} {uid}", "ACTIVE", False, support,
                ts(created), False, ts(created), ts(created), 1,
            )  # fmt: skip

    done(
        "user_account",
        db.insert(
            "user_account",
            (
                "id", "email", "password_hash", "first_name", "last_name", "status", "is_platform_admin",
                "is_support_agent", "email_verified_at", "totp_enabled", "created_at", "updated_at", "version",
            ),
            user_rows(),
        ),
    )  # fmt: skip

    # Structures: skewed member counts ---------------------------------------------------------
    n_struct, n_users = n["structure"], n["user_account"]
    sizes = [1] * (n_struct + 1)  # index = structure id; 0 unused
    sizes[0] = 0
    sizes[1] = plan.big_members
    for sid in range(2, min(12, n_struct + 1)):
        sizes[sid] = max(2, plan.big_members // (2 ** (sid - 1)))
    remaining = n["membership"] - sum(sizes) - plan.managed
    # Pareto-weighted extra members over the rest: most keep one or two, some get dozens.
    weights = [0.0] + [0.0] * 11 + [rnd.paretovariate(1.3) for _ in range(12, n_struct + 1)]
    if remaining > 0 and n_struct > 12:
        for sid in rnd.choices(range(n_struct + 1), weights=weights, k=remaining):
            sizes[sid] += 1
    sizes = [min(s, n_users - 1) for s in sizes]

    # Principal manager: manager@ for 1..managed, else the structure's first member.
    members: list[list[int]] = [[]]
    for sid in range(1, n_struct + 1):
        if sid == 1:
            chosen = list(range(1, sizes[1] + 1))  # the demo users are members of the big one
        else:
            chosen = rnd.sample(range(4, n_users + 1), sizes[sid])
            if sid <= plan.managed:
                chosen = [1, *[u for u in chosen if u != 1]]
        members.append(chosen)
    manager_of = [1 if sid <= plan.managed else members[sid][0] for sid in range(n_struct + 1)]

    def structure_rows() -> Iterator[tuple]:
        for sid in range(1, n_struct + 1):
            postal, city = CITIES[sid % len(CITIES)]
            if sid % 10 < 8:  # 80 % SIRET, from the register
                id_type, ident = "SIRET", siret(sid - 1)
            else:
                id_type, ident = (
                    ("HORS_UE", f"HUE{sid:09d}") if sid % 2 else ("UE_HORS_FRANCE", f"BE{sid:010d}")
                )
            name = f"{WORDS[sid % len(WORDS)].capitalize()} {LAST_NAMES[(sid // 3) % len(LAST_NAMES)]} {sid}"
            created = when()
            yield (
                sid, id_type, ident, name, None, "PUBLIC" if sid % 5 == 0 else "PRIVATE",
                "ACTIVE" if sid % 37 else "INACTIVE", f"contact{sid}@structure.test", "0102030405",
                f"{sid % 200 + 1} {STREETS[sid % len(STREETS)]}", postal, city, "FR",
                False, False, False, False, False, False, 1, ts(created), ts(created), manager_of[sid],
            )  # fmt: skip

    done(
        "structure",
        db.insert(
            "structure",
            (
                "id", "identifier_type", "identifier", "name", "label", "kind", "status", "email", "phone",
                "address_line1", "postal_code", "city", "country", "receives_lifecycle_edi", "is_edi_sender",
                "active_connection_request", "service_code_required", "commitment_number_required",
                "non_diffusible_insee", "version", "created_at", "updated_at", "principal_manager_id",
            ),
            structure_rows(),
        ),
    )  # fmt: skip

    # Services: skewed too (big structures have many) -----------------------------------------
    service_weights = [0.0] + [min(50.0, s) for s in sizes[1:]]
    owners = sorted(rnd.choices(range(n_struct + 1), weights=service_weights, k=n["service"]))
    services_of: dict[int, list[int]] = {}

    def service_rows() -> Iterator[tuple]:
        for svid, sid in enumerate(owners, start=1):
            services_of.setdefault(sid, []).append(svid)
            code = f"SRV{len(services_of[sid]):04d}"
            created = when()
            yield (
                svid, sid, code, f"Service {WORDS[svid % len(WORDS)]} {svid}", "ACTIVE", False, 1,
                ts(created), ts(created),
            )  # fmt: skip

    done(
        "service",
        db.insert(
            "service",
            (
                "id", "structure_id", "code", "name", "status", "commitment_number_required", "version",
                "created_at", "updated_at",
            ),
            service_rows(),
        ),
    )  # fmt: skip

    # Memberships and habilitations -------------------------------------------------------------
    apps: list[int] = reference["applications"]  # application ids
    profile_of: dict[tuple[int, str], int] = reference["profiles"]  # (application id, level) -> id
    memberships: list[tuple] = []
    pending: list[tuple[int, int, int]] = []  # (membership id, user, structure)
    mid = 0
    for sid in range(1, n_struct + 1):
        for uid in members[sid]:
            mid += 1
            roll = rnd.random()
            status = "ACTIVE" if roll < 0.90 or uid <= 3 or uid == manager_of[sid] else (
                "PENDING" if roll < 0.94 else "DETACHED" if roll < 0.97 else "REFUSED"
            )  # fmt: skip
            own = services_of.get(sid)
            service = rnd.choice(own) if own and uid > 3 and rnd.random() < 0.2 else None
            memberships.append((mid, uid, sid, service, status))
            if status == "PENDING":
                pending.append((mid, uid, sid))

    def membership_rows() -> Iterator[tuple]:
        for mid, uid, sid, service, status in memberships:
            created = when()
            detached = ts(created + timedelta(days=30)) if status == "DETACHED" else None
            yield (mid, uid, sid, service, status, ts(created), ts(created), detached)

    done(
        "membership",
        db.insert(
            "membership",
            (
                "id",
                "user_id",
                "structure_id",
                "service_id",
                "status",
                "created_at",
                "updated_at",
                "detached_at",
            ),
            membership_rows(),
        ),
    )

    active = [m for m in memberships if m[4] == "ACTIVE"]
    per_membership = n["habilitation"] / max(1, len(active))

    def habilitation_rows() -> Iterator[tuple]:
        hid = 0
        budget = n["habilitation"]
        for _mid, uid, sid, service, _status in active:
            if uid == 1 or (uid in (2, 3) and sid == 1):  # the demo users hold every profile there
                chosen, level = apps, "MODIFICATION"
            else:
                k = max(1, min(len(apps), round(rnd.gauss(per_membership, 2))))
                chosen, level = rnd.sample(apps, k), None
            for app in chosen:
                if budget <= 0 and uid > 3:
                    return
                hid += 1
                budget -= 1
                lvl = level or ("MODIFICATION" if rnd.random() < 0.3 else "CONSULTATION")
                yield (hid, uid, sid, service, app, profile_of[(app, lvl)], ts(when()))

    done(
        "habilitation",
        db.insert(
            "habilitation",
            ("id", "user_id", "structure_id", "service_id", "application_id", "profile_id", "created_at"),
            habilitation_rows(),
        ),
    )

    # Approvals: REQUESTED ones land on the manager's structures too ---------------------------
    def approval_rows() -> Iterator[tuple]:
        pend = iter(pending)
        for aid in range(1, n["approval"] + 1):
            roll = rnd.random()
            state = (
                "REQUESTED"
                if roll < 0.3
                else "APPROVED"
                if roll < 0.8
                else "REFUSED"
                if roll < 0.95
                else "CANCELLED"
            )
            sid = rnd.randrange(1, plan.managed + 1) if aid % 4 == 0 else rnd.randrange(1, n_struct + 1)
            requester = rnd.randrange(4, n_users + 1)
            membership = None
            kind = "HABILITATION_CHANGE"
            if state == "REQUESTED" and aid % 3 == 0:
                hit = next(pend, None)
                if hit is not None:
                    membership, requester, sid = hit
                    kind = "ATTACHMENT"
            created = when()
            decided = None if state == "REQUESTED" else ts(created + timedelta(days=2))
            yield (
                aid, f"RITM{aid:07d}", kind, state, f"Demande {WORDS[aid % len(WORDS)]} n° {aid}",
                ts(created), decided, ts(created), 1, manager_of[sid], membership, requester, sid,
            )  # fmt: skip

    done(
        "approval",
        db.insert(
            "approval",
            (
                "id", "number", "kind", "state", "description", "created_at", "decided_at", "updated_at",
                "version", "approver_id", "membership_id", "requester_id", "structure_id",
            ),
            approval_rows(),
        ),
    )  # fmt: skip
    done(
        "approval_profile_change",
        db.insert(
            "approval_profile_change",
            ("id", "approval_id", "profile_id", "change"),
            (
                (aid, aid, profile_of[(apps[aid % len(apps)], "CONSULTATION")], "ADD")
                for aid in range(1, n["approval"] + 1)
            ),
        ),
    )

    # Tickets and their activities ---------------------------------------------------------------
    subcategories: list[dict[str, Any]] = reference["subcategories"]
    ticket_count = n["ticket"]
    manager_tickets = max(10, int(ticket_count * plan.manager_ticket_share))
    statuses = (
        ["OPEN"] * 30 + ["AWAITING_INFORMATION"] * 10 + ["RESOLVED"] * 10 + ["CLOSED"] * 45 + ["DRAFT"] * 5
    )
    numbered = 0
    ticket_meta: list[tuple[int, str, int, datetime]] = []

    def ticket_rows() -> Iterator[tuple]:
        nonlocal numbered
        for tid in range(1, ticket_count + 1):
            if tid % (ticket_count // manager_tickets or 1) == 0:
                sid = rnd.randrange(1, plan.managed + 1)
                creator = 1 if rnd.random() < 0.5 else rnd.choice(members[sid])
            else:
                sid = rnd.randrange(1, n_struct + 1)
                creator = rnd.choice(members[sid])
            sub = subcategories[tid % len(subcategories)]
            status = statuses[rnd.randrange(len(statuses))]
            created = when()
            number = submitted = closed = None
            if status != "DRAFT":
                numbered += 1
                number, submitted = f"CPROCS{numbered:07d}", ts(created)
            if status == "CLOSED":
                closed = ts(created + timedelta(days=5))
            recipient = obj_type = obj_number = assignee = None
            if sub["is_business"]:
                recipient = rnd.randrange(1, n_struct + 1)
            elif status != "DRAFT" and tid % 3 == 0:
                assignee = 3
            if sub["object_types"]:
                obj_type, obj_number = sub["object_types"][0], f"F{created.year}-{tid:07d}"
            words = rnd.sample(WORDS, 4)
            title = f"{words[0].capitalize()} {words[1]} : dossier {rnd.randrange(10**6):06d}"
            description = (
                f"Bonjour, concernant {words[2]} et {words[3]}, merci de traiter la demande. "
                f"Référence interne {tid:08d}."
            )
            ticket_meta.append((tid, status, creator, created))
            yield (
                tid, number, title, description, status, obj_type, obj_number,
                f"u{creator}@bench.test", ts(created), submitted, ts(created), closed, 1, assignee,
                sub["category_id"], creator, sid, recipient, sub["id"],
            )  # fmt: skip

    done(
        "ticket",
        db.insert(
            "ticket",
            (
                "id", "number", "title", "description", "status", "object_type", "object_number",
                "contact_email", "created_at", "submitted_at", "updated_at", "closed_at", "version",
                "assignee_id", "category_id", "created_by_id", "issuer_structure_id",
                "recipient_structure_id", "subcategory_id",
            ),
            ticket_rows(),
        ),
    )  # fmt: skip

    per_ticket = max(1, round(n["ticket_activity"] / ticket_count))

    def activity_rows() -> Iterator[tuple]:
        aid = 0
        for tid, status, creator, created in ticket_meta:
            for k in range(per_ticket):
                aid += 1
                at = ts(created + timedelta(hours=k))
                if k == 0:
                    yield (
                        aid,
                        tid,
                        "CREATED",
                        None,
                        None,
                        "OPEN" if status != "DRAFT" else "DRAFT",
                        at,
                        creator,
                    )
                elif k == per_ticket - 1 and status == "CLOSED":
                    yield (aid, tid, "CLOSED", None, "RESOLVED", "CLOSED", at, creator)
                else:
                    yield (
                        aid,
                        tid,
                        "COMMENT",
                        f"Commentaire {k} sur la demande {tid}.",
                        None,
                        None,
                        at,
                        creator,
                    )

    done(
        "ticket_activity",
        db.insert(
            "ticket_activity",
            ("id", "ticket_id", "kind", "body", "from_status", "to_status", "created_at", "author_id"),
            activity_rows(),
        ),
    )
    db.execute(f"UPDATE number_sequence SET value = {numbered} WHERE name = 'ticket'")
    db.execute(f"UPDATE number_sequence SET value = {n['approval']} WHERE name = 'approval'")
    db.execute(
        "INSERT INTO number_sequence (name, value) SELECT 'ticket', "
        f"{numbered} WHERE NOT EXISTS (SELECT 1 FROM number_sequence WHERE name = 'ticket')"
    )
    db.execute(
        "INSERT INTO number_sequence (name, value) SELECT 'approval', "
        f"{n['approval']} WHERE NOT EXISTS (SELECT 1 FROM number_sequence WHERE name = 'approval')"
    )

    # What the load runs need to know.
    big_member = members[1][len(members[1]) // 2]
    not_in_big = next(u for u in range(4, n_users + 1) if u not in set(members[1]))
    return {
        "size": plan.size,
        "counts": counts,
        "seconds": round(time.monotonic() - started, 1),
        "big_structure_id": 1,
        "big_structure_members": len(members[1]),
        "managed_structures": plan.managed,
        "small_structure_id": n_struct,
        "manager_user_id": 1,
        "member_user_id": big_member,
        "stranger_user_id": not_in_big,
        "services_of_big": services_of.get(1, [])[:5],
        "business_subcategory": next(s for s in subcategories if s["is_business"] and s["object_types"]),
        "search_word": "prefecture",
        "ticket_number_sample": f"CPROCS{max(1, numbered // 2):07d}",
    }


# --- plumbing ------------------------------------------------------------------------------------


def portail(args: list[str], url: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run([PORTAIL, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"portail {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def read_reference(url: str) -> dict[str, Any]:
    """Applications, profiles and sub-categories the seed wrote, and one password hash."""
    sys.path.insert(0, str(ROOT))
    from backend.auth.passwords import hash_password

    if url.startswith("sqlite"):
        conn = sqlite3.connect(sqlite_path(url))
        fetch = lambda sql: conn.execute(sql).fetchall()  # noqa: E731
    else:
        import asyncpg

        async def _fetch(sql: str) -> list[tuple]:
            c = await asyncpg.connect(url)
            try:
                return [tuple(r) for r in await c.fetch(sql)]
            finally:
                await c.close()

        fetch = lambda sql: asyncio.run(_fetch(sql))  # noqa: E731
    profiles = {
        (app, level): pid for pid, app, level in fetch("SELECT id, application_id, level FROM profile")
    }
    apps = sorted({app for app, _level in profiles})
    subs = [
        {
            "id": sid,
            "category_id": cat,
            "is_business": bool(business),
            "object_types": json.loads(types) if isinstance(types, str) else list(types or []),
        }
        for sid, cat, business, types in fetch(
            "SELECT id, category_id, is_business, object_types FROM ticket_subcategory ORDER BY id"
        )
    ]
    return {
        "applications": apps,
        "profiles": profiles,
        "subcategories": subs,
        "password_hash": hash_password(DEMO_PASSWORD),
    }


def sqlite_path(url: str) -> str:
    return url.split("://", 1)[1].split("?", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SCALE), default="S")
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument(
        "--out", type=Path, default=None, help="Where tokens.json goes (bench/out/<db>-<size>)."
    )
    parser.add_argument("--keep", action="store_true", help="SQLite: do not delete an existing file first.")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{ROOT / 'var' / f'bench-{args.size}.sqlite3'}"
    kind = "sqlite" if url.startswith("sqlite") else "postgres"
    out = args.out or ROOT / "bench" / "out" / f"{kind}-{args.size}"
    out.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite" and not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(sqlite_path(url) + suffix).unlink(missing_ok=True)
        Path(sqlite_path(url)).parent.mkdir(parents=True, exist_ok=True)

    t0 = time.monotonic()
    print(f"Data set {args.size} into {kind}: migrate + seed", flush=True)
    portail(["migrate"], url)
    portail(["seed"], url)
    reference = read_reference(url)
    writer: SQLiteWriter | PostgresWriter = (
        SQLiteWriter(sqlite_path(url)) if kind == "sqlite" else PostgresWriter(url)
    )
    info = generate(Plan(args.size), writer, reference)
    writer.finish([*FULL, "approval_profile_change"])
    tokens = {}
    for uid, (email, *_rest) in DEMO_USERS.items():
        secret = portail(["create-token", email, "--name", "bench", "--write"], url).strip().splitlines()[-1]
        tokens[email] = {"user_id": uid, "token": secret}
    info.update(
        database=kind,
        database_url=url,
        total_seconds=round(time.monotonic() - t0, 1),
        tokens=tokens,
        password=DEMO_PASSWORD,
    )
    (out / "dataset.json").write_text(json.dumps(info, indent=2, default=str))
    print(f"Done in {info['total_seconds']} s; demo accounts and tokens in {out / 'dataset.json'}")


if __name__ == "__main__":
    main()
