"""Fan-out to the watchers of this process."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from backend.realtime.events import Event

#: Events kept for a watcher between two waits; beyond, it is told to re-check everything.
BACKLOG = 100


class Watch:
    """One subscriber's mailbox: the events of its topics it accepts, since it last waited."""

    def __init__(self, topics: Iterable[str], accepts: Callable[[Event], bool] | None) -> None:
        self.topics = frozenset(topics)
        self.accepts = accepts
        self._events: list[Event] = []
        self._resync = False
        self._signal = asyncio.Event()

    def offer(self, event: Event) -> None:
        if self.accepts is not None and not self.accepts(event):
            return
        if len(self._events) < BACKLOG:
            self._events.append(event)
        else:
            self._resync = True
        self._signal.set()

    def resync(self) -> None:
        """Something may have been missed (a listener reconnected): re-check everything."""
        self._resync = True
        self._signal.set()

    async def wait(self, seconds: float) -> list[Event] | None:
        """The events received since the last call (waiting up to ``seconds`` for one).

        None means "re-check everything": the timeout passed, or events may have been missed.
        """
        if not self._signal.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._signal.wait(), seconds)
        if not self._signal.is_set():
            return None
        self._signal.clear()
        events, self._events = self._events, []
        if self._resync:
            self._resync = False
            return None
        return events


class Hub:
    def __init__(self) -> None:
        self._watches: dict[str, set[Watch]] = defaultdict(set)

    @contextlib.contextmanager
    def watch(self, topics: Iterable[str], accepts: Callable[[Event], bool] | None = None) -> Iterator[Watch]:
        """Receive the events of ``topics`` (those ``accepts`` keeps) while the block runs.

        Enter it *before* reading the state it keeps up to date, so that nothing falls in between.
        """
        watch = Watch(topics, accepts)
        for topic in watch.topics:
            self._watches[topic].add(watch)
        try:
            yield watch
        finally:
            for topic in watch.topics:
                watchers = self._watches.get(topic)
                if watchers is not None:
                    watchers.discard(watch)
                    if not watchers:
                        del self._watches[topic]

    def dispatch(self, event: Event) -> None:
        for watch in list(self._watches.get(event.topic, ())):
            watch.offer(event)

    def resync_all(self) -> None:
        for watch in {w for watchers in self._watches.values() for w in watchers}:
            watch.resync()

    @property
    def watchers(self) -> int:
        return len({w for watchers in self._watches.values() for w in watchers})


#: The hub of this process (every worker has its own).
hub = Hub()
