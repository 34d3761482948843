"""Rasa glue for the suitability diagnosis: the form's answer reading, questions and result."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import context_of, send
from actions.knowledge import default_knowledge
from actions.natural import about_the_articles, default_understanding, message_from
from actions.queries import Reply
from actions.scoring import (
    ROLES_PER_PAGE,
    Turn,
    answer_buttons,
    answers_from_slots,
    explanation_replies,
    more_replies,
    previous_question,
    question_params,
    question_slots,
    read_turn,
    result_replies,
    scale_titles,
    score,
    slot_for,
    unanswered,
)

FORM = "diagnosis_form"
SHOWN_SLOT = "diagnosis_shown"
REQUESTED_SLOT = "requested_slot"


def _send(dispatcher: CollectingDispatcher, replies: List[Reply]) -> None:
    for reply in replies:
        dispatcher.utter_message(response=reply.response, **reply.params)


class ValidateDiagnosisForm(FormValidationAction):
    """Reads each reply to the open question: an answer, a question to step out for, or unclear."""

    def name(self) -> Text:
        """Name Rasa derives from the form's name."""
        return f"validate_{FORM}"

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Fills only the slot of the question being asked, so nothing else is ever guessed."""
        kb = default_knowledge()
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested not in question_slots(kb):
            return []
        turn = read_turn(kb.diagnosis, tracker.latest_message)
        if turn == Turn.SKIP:
            return []  # the form rejects, and the rules answer the question or the request
        if turn == Turn.UNCLEAR:
            dispatcher.utter_message(response="utter_diagnosis_unclear", scale=scale_titles(kb.diagnosis))
            return [SlotSet(requested, None)]
        return [SlotSet(requested, turn)]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Passes on what extraction read: rasa_sdk returns only these events to Rasa."""
        questions = set(question_slots(default_knowledge()))
        return [SlotSet(slot, value) for slot, value in tracker.slots_to_validate().items() if slot in questions]


class AskDiagnosisQuestion(Action, ABC):
    """Asks one trait's question with the answer buttons; one subclass per trait."""

    @property
    @abstractmethod
    def trait_id(self) -> str:
        """The trait in traits.yml this question is about."""

    def name(self) -> Text:
        """The name Rasa looks up for the form slot: action_ask_<slot>."""
        return f"action_ask_{slot_for(self.trait_id)}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Sends the question with numbered progress and the five answer buttons."""
        kb = default_knowledge()
        dispatcher.utter_message(
            response="utter_diagnosis_question",
            buttons=answer_buttons(kb.diagnosis),
            **question_params(kb, self.trait_id),
        )
        return []


# The questions follow traits.yml: one ask action per trait, no list kept here by hand.
for _trait_id in default_knowledge().traits:
    _class_name = "Ask" + "".join(part.title() for part in _trait_id.split("_"))
    globals()[_class_name] = type(_class_name, (AskDiagnosisQuestion,), {"trait_id": _trait_id, "__module__": __name__})


class ActionResetDiagnosis(Action):
    """Forgets every answer, for a new start."""

    def name(self) -> Text:
        """Name used in the domain and rules."""
        return "action_reset_diagnosis"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Clears the answer slots, the requested slot and the result page."""
        slots = question_slots(default_knowledge())
        return [SlotSet(slot, None) for slot in slots] + [SlotSet(REQUESTED_SLOT, None), SlotSet(SHOWN_SLOT, None)]


class ActionDiagnosisGoBack(Action):
    """「前の質問に戻りたい」: forgets the previous answer so the form asks it again."""

    def name(self) -> Text:
        """Name used in the domain and rules."""
        return "action_diagnosis_go_back"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Clears the answer before the open question, or says there is none."""
        previous = previous_question(default_knowledge(), tracker.slots, tracker.get_slot(REQUESTED_SLOT))
        if previous is None:
            dispatcher.utter_message(response="utter_diagnosis_no_previous")
            return []
        dispatcher.utter_message(response="utter_diagnosis_going_back")
        return [SlotSet(previous, None)]


class DiagnosisResultAction(Action, ABC):
    """Base for actions that need a finished diagnosis."""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Scores the stored answers, or offers a diagnosis when none is finished."""
        kb = default_knowledge()
        if unanswered(kb, tracker.slots):
            # 「情報システムの重要度が上がってるのはなぜ？」 is not 「なぜ？」 about a result.
            context = context_of(tracker)
            answer = about_the_articles(default_understanding(), message_from(tracker.latest_message), context)
            if answer is not None:
                return send(dispatcher, answer, context)
            dispatcher.utter_message(response="utter_no_diagnosis_yet")
            return []
        result = score(kb, answers_from_slots(kb, tracker.slots))
        return self.respond(dispatcher, tracker, result)

    @abstractmethod
    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, result: Any) -> List[Dict[Text, Any]]:
        """Sends this action's part of the result."""


class ActionDiagnosisResult(DiagnosisResultAction):
    """The result: office, top three roles, the answers that weighed most, a caveat."""

    def name(self) -> Text:
        """Name used in the domain and rules."""
        return "action_diagnosis_result"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, result: Any) -> List[Dict[Text, Any]]:
        """Sends the result and remembers how many roles it showed."""
        _send(dispatcher, result_replies(default_knowledge(), result))
        return [SlotSet(SHOWN_SLOT, float(ROLES_PER_PAGE))]


class ActionDiagnosisExplain(DiagnosisResultAction):
    """「なぜ？」: every answer that counted for the top roles, with what the articles say."""

    def name(self) -> Text:
        """Name used in the domain and rules."""
        return "action_diagnosis_explain"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, result: Any) -> List[Dict[Text, Any]]:
        """Sends the explanation."""
        _send(dispatcher, explanation_replies(default_knowledge(), result))
        return []


class ActionDiagnosisMore(DiagnosisResultAction):
    """「他には？」: the next roles in the ranking."""

    def name(self) -> Text:
        """Name used in the domain and rules."""
        return "action_diagnosis_more"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, result: Any) -> List[Dict[Text, Any]]:
        """Sends the next page of roles and advances the page."""
        shown = int(tracker.get_slot(SHOWN_SLOT) or ROLES_PER_PAGE)
        replies, now_shown = more_replies(default_knowledge(), result, shown)
        _send(dispatcher, replies)
        return [SlotSet(SHOWN_SLOT, float(now_shown))]
