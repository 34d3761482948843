"""Bounded conversation sessions: a long conversation costs no more per message than a short one.

Rasa reloads, deserialises and replays every event of the current session on each message, sends
them all to the action server and featurizes them all for the policies, so the time per message
grows with the length of the conversation (measured: 48 ms at the 1st message, 140 ms at the
200th). Rasa's own remedy is sessions, but they only end after a pause. This store also starts a
new session after `max_session_turns` user messages, the way `action_session_start` does (slots
carried over), at a moment when nothing is pending: no form is active and the bot's last action
is not a question whose answer a rule depends on (`context_actions`). Stored events are never
rewritten; the whole history stays in the database.

Two more costs per message go: reloading a conversation that this server just saved (a cache,
checked against the database's last event id), and two fsyncs per SQLite commit (WAL).
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Text, cast

import sqlalchemy
import sqlalchemy.orm
import sqlalchemy.pool
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

DEFAULT_MAX_SESSION_TURNS = 15
# Conversations kept in memory; each holds at most one bounded session.
DEFAULT_CACHE_SIZE = 500


def _sqlite_write_ahead_log(connection: Any, _record: Any) -> None:
    """WAL with synchronous=NORMAL: one fsync per checkpoint instead of two per message.

    A killed server loses nothing committed; only a power cut can lose the last messages.
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _last_bot_action(events: List[Event]) -> Optional[Text]:
    """The action before the trailing action_listen, if any."""
    for event in reversed(events[:-1]):
        if isinstance(event, ActionExecuted) and event.action_name:
            return event.action_name
    return None


def session_rollover(
    tracker: DialogueStateTracker, max_turns: int, context_actions: Iterable[Text]
) -> List[Event]:
    """The events that start a new session now, or none if the session should go on."""
    events = list(tracker.events)
    if not events or tracker.active_loop_name:
        return []
    last = events[-1]
    if not isinstance(last, ActionExecuted) or last.action_name != ACTION_LISTEN_NAME:
        return []
    if _last_bot_action(events) in set(context_actions):
        return []
    # tracker.events holds only the current session: the store loads nothing older.
    turns = sum(1 for event in events if isinstance(event, UserUttered))
    if turns < max_turns:
        return []
    # Created in order: the store finds a session's events by timestamp, from SessionStarted on.
    started = [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted()]
    carried = [
        SlotSet(name, slot.value)
        for name, slot in tracker.slots.items()
        if slot.value != slot.initial_value
    ]
    return [*started, *carried, ActionExecuted(ACTION_LISTEN_NAME)]


@dataclass
class _Cached:
    """A tracker as last loaded or saved, with the id of the last stored event it includes."""

    tracker: DialogueStateTracker
    last_event_id: Optional[int]
    length: int


class BoundedSessionSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with bounded sessions and a cache of recent conversations.

    The cache keeps the trackers of the last `cache_size` conversations in memory. Before one is
    reused, the database is asked for the conversation's last event id: if another server (or
    anything else) stored an event meanwhile, or the tracker holds events that were never saved,
    the tracker is loaded afresh, so several servers on one database stay consistent.
    """

    # Set by Rasa's __init__ without an annotation; replaced below for SQLite files.
    engine: sqlalchemy.engine.Engine

    def __init__(
        self,
        domain: Optional[Domain] = None,
        max_session_turns: int = DEFAULT_MAX_SESSION_TURNS,
        context_actions: Optional[List[Text]] = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
        **kwargs: Any,
    ) -> None:
        self.max_session_turns = int(max_session_turns)
        if self.max_session_turns < 1:
            raise ValueError(f"max_session_turns must be at least 1, not {max_session_turns}")
        self.context_actions = frozenset(context_actions or [])
        self.cache_size = max(0, int(cache_size))
        self._cache: OrderedDict[Text, _Cached] = OrderedDict()
        super().__init__(domain=domain, **kwargs)
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            # SQLAlchemy 1.4 opens and closes a SQLite connection for every session (NullPool),
            # and closing the last connection to a WAL database checkpoints it: that was a
            # third of the server's time under load. A pool keeps connections open; each is
            # used by one session at a time, so sharing them between threads is safe.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.QueuePool,
                                                   connect_args={"check_same_thread": False})
            sqlalchemy.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
            self.sessionmaker = sqlalchemy.orm.session.sessionmaker(bind=self.engine)

    def forget_cached(self, sender_id: Text) -> None:
        """Drop the conversation from the cache (it is being deleted)."""
        self._cache.pop(sender_id, None)

    def _last_event_id(self, sender_id: Text) -> Optional[int]:
        with self.session_scope() as session:
            last = session.query(sqlalchemy.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id)
            return cast(Optional[int], last.scalar())

    def _remember(self, tracker: DialogueStateTracker, last_event_id: Optional[int]) -> None:
        if self.cache_size == 0:
            return
        self._cache[tracker.sender_id] = _Cached(tracker, last_event_id, len(tracker.events))
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The current session's tracker: from the cache if the database has nothing newer."""
        cached = self._cache.pop(sender_id, None)
        last_event_id = self._last_event_id(sender_id)
        if cached and cached.last_event_id == last_event_id and len(cached.tracker.events) == cached.length:
            self._remember(cached.tracker, last_event_id)
            return cached.tracker
        # Asked before loading: an event stored in between makes the next check fail, not pass.
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._remember(tracker, last_event_id)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events, after starting a new session if this one is long enough."""
        for event in session_rollover(tracker, self.max_session_turns, self.context_actions):
            tracker.update(event)
        cached = self._cache.get(tracker.sender_id)
        new_session = sum(isinstance(event, SessionStarted) for event in tracker.events) > 1
        if new_session or cached is None or cached.tracker is not tracker:
            await super().save(tracker)
            # The tracker in memory still holds the old session; the next load reads only the new one.
            self._cache.pop(tracker.sender_id, None)
            return
        # Rasa's save counts the stored events of the session, then this store would ask for the
        # last id: two queries per message. The tracker was checked against the database when it
        # was retrieved and the lock store keeps other servers out of this conversation until it
        # is saved, so its first `cached.length` events are the stored ones.
        await self.stream_events(tracker)
        last_event_id = cached.last_event_id
        new_events = list(itertools.islice(tracker.events, cached.length, None))
        if new_events:
            with self.session_scope() as session:
                rows = [self._row(tracker.sender_id, event) for event in new_events]
                session.add_all(rows)
                session.flush()
                last_event_id = max(row.id for row in rows)
                session.commit()
        self._remember(tracker, last_event_id)

    def _row(self, sender_id: Text, event: Event) -> Any:
        """The database row of an event, as Rasa's SQLTrackerStore.save writes it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )
