"""What travels between processes: a topic and a few ids, as a short JSON text."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

log = logging.getLogger("portail.realtime")


@dataclass(frozen=True)
class Event:
    #: Who may be concerned: ``approvals``, ``user:<id>``, ``ticket:<id>``.
    topic: str
    #: Ids that let a watcher tell whether it is concerned (never anything to show).
    data: dict[str, int | str | None] = field(default_factory=dict)

    def encode(self) -> str:
        return json.dumps({"t": self.topic, "d": self.data}, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str) -> Event | None:
        """The event of a NOTIFY payload; None (and a log line) for anything else."""
        try:
            raw = json.loads(text)
            topic, data = raw["t"], raw.get("d") or {}
            if not isinstance(topic, str) or not isinstance(data, dict):
                raise ValueError(text)
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed live event: %.200r", text)
            return None
        return cls(topic=topic, data=data)
