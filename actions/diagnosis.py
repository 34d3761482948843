"""Rasa glue for the suitability diagnosis: the form's answer reading, questions and result."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import context_of, send, utter
from actions.natural import about_the_articles, default_understanding, message_from
from actions.scoring import (
    ROLES_PER_PAGE,
    SLOT_PREFIX,
    Result,
    TurnKind,
    answer_buttons,
    answer_title,
    answers_from_slots,
    explanation_replies,
    more_replies,
    previous_question,
    question_params,
    question_slots,
    read_turn,
    remember_later,
    result_replies,
    score,
    slot_for,
    unanswered,
)
from actions.statements import default_reader
from bot.knowledge.base import default_knowledge

FORM = "diagnosis_form"
SHOWN_SLOT = "diagnosis_shown"
REQUESTED_SLOT = "requested_slot"
# The question already asked again once: a second unreadable answer is taken as neutral.
REASKED_SLOT = "diagnosis_reasked"
# Trait → the user's words that answered it, quoted back in the result.
WORDS_SLOT = "diagnosis_words"
# Trait → {"value", "words"}: answers given before their question came; the question then
# asks to confirm them.
INFERRED_SLOT = "diagnosis_inferred"
BOOKKEEPING_SLOTS = (REASKED_SLOT, WORDS_SLOT, INFERRED_SLOT)


def _mapping(tracker: Tracker, slot: str) -> Dict[str, Any]:
    value = tracker.get_slot(slot)
    return dict(value) if isinstance(value, dict) else {}


def _trait_of(slot: Optional[str]) -> Optional[str]:
    return slot[len(SLOT_PREFIX):] if slot and slot.startswith(SLOT_PREFIX) else None


class ValidateDiagnosisForm(FormValidationAction):
    """Reads each reply to the open question: an answer, a question to step out for, or unclear."""

    def name(self) -> Text:
        """Name Rasa derives from the form's name."""
        return f"validate_{FORM}"

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Fills the open question's slot, and remembers what the message said about later ones."""
        kb = default_knowledge()
        requested = tracker.get_slot(REQUESTED_SLOT)
        trait = _trait_of(requested)
        if requested not in question_slots(kb) or trait is None:
            return []
        words = _mapping(tracker, WORDS_SLOT)
        inferred = _mapping(tracker, INFERRED_SLOT)
        pending = inferred.get(trait)
        previous = _trait_of(previous_question(kb, tracker.slots, requested))
        turn = read_turn(
            kb, default_reader(), tracker.latest_message, trait,
            pending=pending.get("value") if isinstance(pending, dict) else None, previous=previous,
        )
        if turn.kind == TurnKind.SKIP:
            return []  # the form rejects, and the rules answer the question or the request
        reasked = tracker.get_slot(REASKED_SLOT)
        if turn.kind == TurnKind.CORRECTION and turn.value is not None:
            dispatcher.utter_message(
                response="utter_diagnosis_corrected",
                trait=kb.traits[turn.trait].label, answer=answer_title(kb.diagnosis, turn.value),
            )
            words.pop(turn.trait, None)
            events = [SlotSet(slot_for(turn.trait), turn.value), SlotSet(requested, None)]
        elif turn.kind == TurnKind.REJECT:
            inferred.pop(trait, None)
            dispatcher.utter_message(response="utter_diagnosis_ask_plainly")
            events = [SlotSet(requested, None)]
        else:
            inferred = remember_later(kb, tracker.slots, requested, turn, inferred)
            if turn.kind == TurnKind.UNCLEAR and reasked != requested:
                dispatcher.utter_message(response="utter_diagnosis_unclear", hint=kb.traits[trait].hint)
                events, reasked = [SlotSet(requested, None)], requested
            elif turn.kind == TurnKind.UNCLEAR:
                # Asked once again already: take a neutral answer rather than lose the person.
                dispatcher.utter_message(response="utter_diagnosis_assumed_neutral")
                events, reasked = [SlotSet(requested, 0)], None
            else:
                said = str(pending.get("words") or "") if turn.kind == TurnKind.CONFIRM and pending else turn.words
                if said:
                    words[trait] = said
                else:
                    words.pop(trait, None)
                inferred.pop(trait, None)
                events, reasked = [SlotSet(requested, turn.value)], None
        changed = {WORDS_SLOT: words or None, INFERRED_SLOT: inferred or None, REASKED_SLOT: reasked}
        return events + [SlotSet(slot, value) for slot, value in changed.items() if value != tracker.get_slot(slot)]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Passes on what extraction read: rasa_sdk returns only these events to Rasa."""
        kept = set(question_slots(default_knowledge())) | set(BOOKKEEPING_SLOTS)
        return [SlotSet(slot, value) for slot, value in tracker.slots_to_validate().items() if slot in kept]


class AskDiagnosisQuestion:
    """Asks one trait's question with the answer buttons.

    Each trait has its Action, named after it: `AskTalkPeople(AskDiagnosisQuestion, Action)`
    asks the `talk_people` question. This base is no Action itself, because rasa_sdk registers
    every subclass of Action it finds.
    """

    @property
    def trait_id(self) -> str:
        """The trait in traits.yml this question is about, spelled by the class: AskTalkPeople → talk_people."""
        words = re.findall(r"[A-Z][a-z]*", type(self).__name__.removeprefix("Ask"))
        return "_".join(words).lower()

    def name(self) -> Text:
        """The name Rasa looks up for the form slot: action_ask_<slot>."""
        return f"action_ask_{slot_for(self.trait_id)}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Sends the question with numbered progress and the five answer buttons.

        When an earlier message already answered it, the question asks to confirm that answer.
        """
        kb = default_knowledge()
        pending = _mapping(tracker, INFERRED_SLOT).get(self.trait_id)
        params = question_params(kb, self.trait_id)
        if isinstance(pending, dict) and isinstance(pending.get("value"), int):
            dispatcher.utter_message(
                response="utter_diagnosis_confirm_inferred", buttons=answer_buttons(kb.diagnosis),
                words=str(pending.get("words") or ""), answer=answer_title(kb.diagnosis, pending["value"]),
                **params,
            )
            return []
        dispatcher.utter_message(response="utter_diagnosis_question", buttons=answer_buttons(kb.diagnosis), **params)
        return []


# One ask action per trait of data/knowledge/traits.yml, in its order; Rasa finds actions by
# class. tests/test_diagnosis_actions.py names any trait without its class, or the reverse
# (a class whose name does not spell its trait).

class AskTalkPeople(AskDiagnosisQuestion, Action):
    """Asks the `talk_people` question."""


class AskTargetsPressure(AskDiagnosisQuestion, Action):
    """Asks the `targets_pressure` question."""


class AskAdaptOnSpot(AskDiagnosisQuestion, Action):
    """Asks the `adapt_on_spot` question."""


class AskSteadyAccuracy(AskDiagnosisQuestion, Action):
    """Asks the `steady_accuracy` question."""


class AskSupportOthers(AskDiagnosisQuestion, Action):
    """Asks the `support_others` question."""


class AskRegularHolidays(AskDiagnosisQuestion, Action):
    """Asks the `regular_holidays` question."""


class AskVisibleResults(AskDiagnosisQuestion, Action):
    """Asks the `visible_results` question."""


class AskSpecialistKnowledge(AskDiagnosisQuestion, Action):
    """Asks the `specialist_knowledge` question."""


class AskBridgingRisk(AskDiagnosisQuestion, Action):
    """Asks the `bridging_risk` question."""


class DiagnosisAction(Action, ABC):
    """An action of the diagnosis; the domain and rules call it by its `action_name`."""

    @property
    @abstractmethod
    def action_name(self) -> str:
        """The name in the domain and rules (a class attribute of each subclass)."""

    def name(self) -> Text:
        """Name used in the domain and rules."""
        return self.action_name


class ActionResetDiagnosis(DiagnosisAction):
    """Forgets every answer, for a new start."""

    action_name = "action_reset_diagnosis"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """Clears the answer slots, the requested slot and the result page."""
        slots = [*question_slots(default_knowledge()), *BOOKKEEPING_SLOTS, REQUESTED_SLOT, SHOWN_SLOT]
        return [SlotSet(slot, None) for slot in slots]


class ActionDiagnosisGoBack(DiagnosisAction):
    """「前の質問に戻りたい」: forgets the previous answer so the form asks it again."""

    action_name = "action_diagnosis_go_back"

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


class DiagnosisResultAction(DiagnosisAction):
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
    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, result: Result) -> List[Dict[Text, Any]]:
        """Sends this action's part of the result."""


class ActionDiagnosisResult(DiagnosisResultAction):
    """The result: office, top three roles, the answers that weighed most, a caveat."""

    action_name = "action_diagnosis_result"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, result: Result) -> List[Dict[Text, Any]]:
        """Sends the result and remembers how many roles it showed."""
        utter(dispatcher, result_replies(default_knowledge(), result, _mapping(tracker, WORDS_SLOT)))
        return [SlotSet(SHOWN_SLOT, float(ROLES_PER_PAGE))]


class ActionDiagnosisExplain(DiagnosisResultAction):
    """「なぜ？」: every answer that counted for the top roles, with what the articles say."""

    action_name = "action_diagnosis_explain"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, result: Result) -> List[Dict[Text, Any]]:
        """Sends the explanation."""
        utter(dispatcher, explanation_replies(default_knowledge(), result, _mapping(tracker, WORDS_SLOT)))
        return []


class ActionDiagnosisMore(DiagnosisResultAction):
    """「他には？」: the next roles in the ranking."""

    action_name = "action_diagnosis_more"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, result: Result) -> List[Dict[Text, Any]]:
        """Sends the next page of roles and advances the page."""
        shown = int(tracker.get_slot(SHOWN_SLOT) or ROLES_PER_PAGE)
        replies, now_shown = more_replies(default_knowledge(), result, shown)
        utter(dispatcher, replies)
        return [SlotSet(SHOWN_SLOT, float(now_shown))]
