"""The bot's tracker store: bounded sessions (bot/stores/sessions.py), and 「記録を消して」 really deletes.

The action server cannot delete the conversation itself: the Rasa server writes the turn's
events after the action has run, and ``SQLTrackerStore.save`` appends only the events it
has not stored yet. So the deletion happens here, when Rasa saves the turn in which
``action_forget_conversation`` ran and reset the tracker (``Restarted``): every stored event
of that sender is deleted and none of the turn's events is written, so no row of the
conversation remains, not even the bot's confirmation. The sender's next message starts a
new, empty conversation.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event, Restarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import compat
from bot.knowledge.constants import FORGET_ACTION
from bot.stores.sessions import BoundedSessionSQLTrackerStore


def forget_requested(events: Iterable[Event]) -> bool:
    """Whether the events hold the forget action followed by the reset it returns."""
    forget_ran = False
    for event in events:
        if isinstance(event, ActionExecuted) and event.action_name == FORGET_ACTION:
            forget_ran = True
        elif forget_ran and isinstance(event, Restarted):
            return True
    return False


def delete_conversation(store: SQLTrackerStore, sender_id: Text) -> int:
    """Deletes every stored event of the sender, across all sessions; returns how many."""
    with store.session_scope() as session:
        deleted = (
            session.query(store.SQLEvent)
            .filter(store.SQLEvent.sender_id == sender_id)
            .delete(synchronize_session=False)
        )
        session.commit()
    return int(deleted)


def last_turn(tracker: DialogueStateTracker) -> List[Event]:
    """The events from the latest user message on: what this save adds."""
    turn: List[Event] = []
    for event in reversed(tracker.events):
        turn.append(event)
        if isinstance(event, UserUttered):
            break
    return turn[::-1]


class ForgettingSQLTrackerStore(BoundedSessionSQLTrackerStore):
    """The bounded-session SQL store (SQLite or PostgreSQL) that carries out forget requests.

    Both profiles' endpoints name it, so creating it is where the Rasa server installs
    ``bot.compat`` (after checking the Rasa version); the server refuses to start otherwise.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Installs ``bot.compat``, then takes ``BoundedSessionSQLTrackerStore``'s arguments."""
        compat.install()
        super().__init__(*args, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the turn's new events, or deletes the whole conversation when it asked to be forgotten."""
        if not forget_requested(last_turn(tracker)):
            await super().save(tracker)
            return
        # Nothing of the turn is written or streamed to an event broker. Saving the same
        # tracker again finds the forget action in its last turn once more, so a second save
        # deletes again instead of writing the old events back.
        self.forget_cached(tracker.sender_id)
        delete_conversation(self, tracker.sender_id)
