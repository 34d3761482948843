"""Rasa glue for knowledge questions: read the NLU result, answer, remember the topic."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import default_knowledge
from actions.queries import answer_question

TOPIC_SLOT = "topic"

# Fail at start-up, not at the first question, when the knowledge files are broken.
default_knowledge()


class ActionAnswerQuestion(Action):
    """Answers every ask_* intent from the knowledge base."""

    def name(self) -> Text:
        """Name used in the domain and stories."""
        return "action_answer_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Sends the answer's messages and stores the subject for follow-up questions."""
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        entities = tracker.latest_message.get("entities") or []
        answer = answer_question(default_knowledge(), intent, entities, tracker.get_slot(TOPIC_SLOT))
        for reply in answer.replies:
            dispatcher.utter_message(response=reply.response, **reply.params)
        if answer.topic and answer.topic != tracker.get_slot(TOPIC_SLOT):
            return [SlotSet(TOPIC_SLOT, answer.topic)]
        return []
