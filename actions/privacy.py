"""「会話の記録を消して」: the confirmed request to forget the user's conversation."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted
from rasa_sdk.executor import CollectingDispatcher

# bot/stores/tracker_store.py deletes the stored conversation when it saves a turn in which this
# action ran and was followed by Restarted; the name is shared with it.
from bot.knowledge.constants import FORGET_ACTION


class ActionForgetConversation(Action):
    """Says the record is deleted and resets the conversation; the tracker store deletes the rows."""

    def name(self) -> Text:
        """Name used in the domain, the rules and bot.stores.tracker_store."""
        return FORGET_ACTION

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Confirms the deletion and returns Restarted, which empties the tracker and marks the turn."""
        dispatcher.utter_message(response="utter_conversation_forgotten")
        return [Restarted()]
