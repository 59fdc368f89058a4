"""Live updates: who must be told that something changed, across server processes.

Events are *hints*: a topic (``approvals``, ``user:42``, ``ticket:7``) and a few ids,
never data a viewer may not see. Whoever watches a topic re-reads what it shows
from the database with the viewer's rights, so a hint that arrives twice, late,
or for a rolled-back write does no harm, and one that is lost is caught up by
the slow re-check of each watcher.

- :func:`announce` is called by the services inside the transaction of the
  write: on PostgreSQL it is a ``NOTIFY`` on that transaction (delivered to every
  worker only if it commits); on SQLite (one process) it is handed to the hub
  after the commit.
- :data:`hub` fans events out to the watchers of this process.
- :class:`PostgresListener` (one per worker, started by the app's lifespan) feeds
  the hub from a dedicated connection that ``LISTEN``\\s.
"""

from __future__ import annotations

from backend.realtime.events import Event
from backend.realtime.hub import Hub, Watch, hub
from backend.realtime.postgres import PostgresListener, running
from backend.realtime.publish import CHANNEL, announce

__all__ = ["CHANNEL", "Event", "Hub", "PostgresListener", "Watch", "announce", "hub", "running"]
