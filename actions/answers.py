"""Rasa glue for knowledge questions and statements: read the NLU result, answer, remember the context."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.natural import Context, default_understanding, message_from, respond
from actions.queries import Answer, Reply

TOPIC_SLOT = "topic"
QUESTION_SLOT = "last_question"

# Fail at start-up, not at the first question, when the knowledge files are broken; build
# the fact index and load the dictionary now, so the first user does not wait for them.
default_understanding()


class ActionAnswerQuestion(Action):
    """Answers every ask_* intent, statements about oneself and messages the NLU did not place."""

    def name(self) -> Text:
        """Name used in the domain and stories."""
        return "action_answer_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Sends the answer's messages and stores the subject and question type for follow-ups."""
        context = context_of(tracker)
        return send(dispatcher, respond(default_understanding(), message_from(tracker.latest_message), context),
                    context)


def context_of(tracker: Tracker) -> Context:
    """The topic and the kind of question the conversation remembers."""
    return Context(tracker.get_slot(TOPIC_SLOT), tracker.get_slot(QUESTION_SLOT))


def utter(dispatcher: CollectingDispatcher, replies: Sequence[Reply]) -> None:
    """Sends each reply as the domain response it names, filled with its parameters."""
    for reply in replies:
        dispatcher.utter_message(response=reply.response, **reply.params)


def send(dispatcher: CollectingDispatcher, answer: Answer, context: Context) -> List[Dict[Text, Any]]:
    """Sends the answer's messages; the events that remember its topic and kind of question."""
    utter(dispatcher, answer.replies)
    events = []
    if answer.topic and answer.topic != context.topic:
        events.append(SlotSet(TOPIC_SLOT, answer.topic))
    if answer.question and answer.question != context.question:
        events.append(SlotSet(QUESTION_SLOT, answer.question))
    return events
