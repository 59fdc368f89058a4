"""Prepares a database for a server test: migrations, reference data and the ticket tests' world
(tests/tickets_world.py), then prints what the test needs to speak to it, as JSON.

    DATABASE_URL=sqlite:///tmp/x.sqlite3 python -m tests.system.world
"""

from __future__ import annotations

import asyncio
import json

from backend.db import close_db, init_db, run_migrations
from backend.seed.reference import load_reference_data
from backend.settings import get_settings
from tests.tickets_world import build_ticket_world, gid
from tests.world import PASSWORD


async def main() -> dict:
    settings = get_settings()
    await run_migrations(settings)
    await close_db()
    await init_db(settings)
    try:
        await load_reference_data()
        world = await build_ticket_world(app=None)
        return {
            "password": PASSWORD,
            "emails": {role: user.email for role, user in world.base.users.items()},
            "issuer": gid("Structure", world.issuer.id),
            "ticket_input": world.input("invoice"),
        }
    finally:
        await close_db()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
