"""The diagnosis' Rasa glue: form validation, questions, result actions, and the domain they need."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.diagnosis import (
    ActionDiagnosisExplain,
    ActionDiagnosisGoBack,
    ActionDiagnosisMore,
    ActionDiagnosisResult,
    ActionResetDiagnosis,
    ValidateDiagnosisForm,
)
from actions.scoring import explanation_replies, more_replies, question_slots, result_replies, score, slot_for
from bot.knowledge.base import load_knowledge

KB = load_knowledge()
SLOTS = question_slots(KB)
FRONT_ANSWERS = {"talk_people": 2, "targets_pressure": 2, "adapt_on_spot": 2, "visible_results": 2,
                 "steady_accuracy": -2, "support_others": -1, "regular_holidays": -2, "specialist_knowledge": -2,
                 "bridging_risk": -1}


def answered(values: Dict[str, int]) -> Dict[str, Any]:
    return {slot_for(trait): float(value) for trait, value in values.items()}


def responses(dispatcher: CollectingDispatcher) -> List[Optional[str]]:
    return [m.get("response") for m in dispatcher.messages]


def validate(make_tracker: Any, domain: Dict[str, Any], requested: Optional[str], intent: str, text: str,
             entities: Any = (), slots: Optional[Dict[str, Any]] = None) -> tuple:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent, entities, text, slots={"requested_slot": requested, **(slots or {})})
    events = asyncio.run(ValidateDiagnosisForm().run(dispatcher, tracker, domain))
    return events, dispatcher


# --- The domain follows the knowledge ----------------------------------------------

def test_form_slots_and_ask_actions_follow_the_traits(domain: Dict[str, Any]) -> None:
    assert domain["forms"]["diagnosis_form"]["required_slots"] == SLOTS
    for slot in SLOTS:
        assert domain["slots"][slot]["mappings"] == [{"type": "custom"}], slot
        assert f"action_ask_{slot}" in domain["actions"], slot
    executor = ActionExecutor()
    executor.register_package("actions")
    registered = set(executor.actions)
    asked = {name for name in registered if name.startswith("action_ask_diag_")}
    assert asked == {f"action_ask_{slot}" for slot in SLOTS}, "one Ask… class per trait of traits.yml, no other"
    assert {a for a in domain["actions"] if a.startswith("action_") or a.startswith("validate_")} <= registered
    # Abstract bases must not become actions.
    assert not any("diagnosis_question" in name or "result_action" in name for name in registered)


@pytest.mark.parametrize("answers", [FRONT_ANSWERS, {t: 0 for t in FRONT_ANSWERS}], ids=["front", "neutral"])
def test_every_response_the_diagnosis_sends_exists(domain: Dict[str, Any], answers: Dict[str, int]) -> None:
    result = score(KB, answers)
    replies = result_replies(KB, result) + explanation_replies(KB, result) + more_replies(KB, result, 3)[0]
    for reply in replies:
        assert reply.response in domain["responses"], reply.response


# --- Reading answers in the form ---------------------------------------------------

@pytest.mark.parametrize(
    ("intent", "text", "entities", "expected"),
    [
        ("affirm", "はい", (), 2.0),
        ("diagnosis_answer", '/diagnosis_answer{"answer": "disagree"}', [{"entity": "answer", "value": "disagree"}], -1.0),
        ("ask_fit", "はっきりした目標があると燃えるタイプです", (), 2.0),
        ("nlu_fallback", "うーん、苦手かも", (), -1.0),
    ],
    ids=["yes", "button", "answer-that-looks-like-a-question", "fallback-but-readable"],
)
def test_an_answer_fills_only_the_open_question(make_tracker: Any, domain: Dict[str, Any], intent: str,
                                                text: str, entities: Any, expected: float) -> None:
    open_slot = slot_for("targets_pressure")
    events, dispatcher = validate(make_tracker, domain, open_slot, intent, text, entities)
    assert events[0] == SlotSet(open_slot, expected)
    assert all(e["name"] in ("diagnosis_words", "diagnosis_inferred") for e in events[1:])
    assert dispatcher.messages == []


def test_an_unclear_answer_is_explained_and_asked_again(make_tracker: Any, domain: Dict[str, Any]) -> None:
    open_slot = slot_for("talk_people")
    events, dispatcher = validate(make_tracker, domain, open_slot, "nlu_fallback", "ふがふが")
    assert events == [SlotSet(open_slot, None), SlotSet("diagnosis_reasked", open_slot)]
    assert responses(dispatcher) == ["utter_diagnosis_unclear"]
    assert dispatcher.messages[0]["hint"] == KB.traits["talk_people"].hint


def test_a_second_unclear_answer_is_taken_as_neutral(make_tracker: Any, domain: Dict[str, Any]) -> None:
    open_slot = slot_for("talk_people")
    events, dispatcher = validate(make_tracker, domain, open_slot, "nlu_fallback", "ふがふが",
                                  slots={"diagnosis_reasked": open_slot})
    assert events == [SlotSet(open_slot, 0), SlotSet("diagnosis_reasked", None)]
    assert responses(dispatcher) == ["utter_diagnosis_assumed_neutral"]


def test_an_answer_to_a_later_question_is_confirmed_there(make_tracker: Any, domain: Dict[str, Any]) -> None:
    holidays, targets = slot_for("regular_holidays"), slot_for("targets_pressure")
    events, _ = validate(make_tracker, domain, targets, "diagnosis_answer", "ノルマは嫌だし、土日は休みたいです")
    assert events[0] == SlotSet(targets, -2)
    inferred = next(e["value"] for e in events if e["name"] == "diagnosis_inferred")
    assert inferred["regular_holidays"]["value"] == 2
    words = next(e["value"] for e in events if e["name"] == "diagnosis_words")
    assert "ノルマは嫌" in words["targets_pressure"]
    # The later question asks to confirm instead of asking afresh.
    executor = ActionExecutor()
    executor.register_package("actions")
    dispatcher = CollectingDispatcher()
    executor.actions[f"action_ask_{holidays}"](dispatcher, make_tracker("affirm", slots={"diagnosis_inferred": inferred}),
                                               domain)
    (message,) = dispatcher.messages
    assert message["response"] == "utter_diagnosis_confirm_inferred"
    assert "土日は休みたい" in message["words"] and message["answer"] == "とても当てはまる"
    # 「はい」 takes it, with the words kept for the result.
    events, _ = validate(make_tracker, domain, holidays, "affirm", "はい", slots={"diagnosis_inferred": inferred})
    assert events[0] == SlotSet(holidays, 2)
    assert SlotSet("diagnosis_inferred", None) in events


def test_correcting_the_previous_answer(make_tracker: Any, domain: Dict[str, Any]) -> None:
    slots = answered({"talk_people": 2})
    events, dispatcher = validate(make_tracker, domain, slot_for("targets_pressure"), "go_back",
                                  "さっきの質問、やっぱり『いいえ』で", slots=slots)
    assert events[:2] == [SlotSet(slot_for("talk_people"), -2), SlotSet(slot_for("targets_pressure"), None)]
    assert responses(dispatcher) == ["utter_diagnosis_corrected"]
    assert dispatcher.messages[0]["answer"] == "当てはまらない"


@pytest.mark.parametrize(
    ("intent", "text", "entities"),
    [
        ("ask_overview", "経理って何？", [{"entity": "job", "value": "accounting", "start": 0, "end": 2}]),
        ("stop_diagnosis", "やめる", ()),
        ("go_back", "前の質問に戻りたい", ()),
        ("restart_diagnosis", "最初から", ()),
    ],
    ids=["knowledge-question", "stop", "back", "restart"],
)
def test_questions_and_requests_are_left_to_the_rules(make_tracker: Any, domain: Dict[str, Any], intent: str,
                                                     text: str, entities: Any) -> None:
    events, dispatcher = validate(make_tracker, domain, slot_for("talk_people"), intent, text, entities)
    assert events == [] and dispatcher.messages == []


def test_nothing_is_filled_when_no_question_is_open(make_tracker: Any, domain: Dict[str, Any]) -> None:
    events, _ = validate(make_tracker, domain, None, "affirm", "はい")
    assert events == []


# --- Questions ---------------------------------------------------------------------

@pytest.mark.parametrize("position", range(len(SLOTS)))
def test_each_question_has_progress_and_five_buttons(make_tracker: Any, domain: Dict[str, Any],
                                                     position: int) -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    trait_id = list(KB.traits)[position]
    run = executor.actions[f"action_ask_{slot_for(trait_id)}"]
    dispatcher = CollectingDispatcher()
    assert run(dispatcher, make_tracker("affirm"), domain) == []
    (message,) = dispatcher.messages
    assert message["response"] == "utter_diagnosis_question"
    assert message["number"] == str(position + 1) and message["total"] == str(len(SLOTS))
    assert message["question"] == KB.traits[trait_id].question
    assert [b["title"] for b in message["buttons"]] == [a.title for a in KB.diagnosis.scale]
    assert len(message["buttons"]) <= 5


# --- Going back, restarting ------------------------------------------------------

def test_go_back_clears_the_previous_answer(make_tracker: Any, domain: Dict[str, Any]) -> None:
    slots = {**answered({"talk_people": 2, "targets_pressure": 1}), "requested_slot": slot_for("adapt_on_spot")}
    dispatcher = CollectingDispatcher()
    events = ActionDiagnosisGoBack().run(dispatcher, make_tracker("go_back", slots=slots), domain)
    assert events == [SlotSet(slot_for("targets_pressure"), None)]
    assert responses(dispatcher) == ["utter_diagnosis_going_back"]


def test_go_back_at_the_first_question(make_tracker: Any, domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("go_back", slots={"requested_slot": slot_for("talk_people")})
    assert ActionDiagnosisGoBack().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_diagnosis_no_previous"]


def test_reset_forgets_every_answer(make_tracker: Any, domain: Dict[str, Any]) -> None:
    events = ActionResetDiagnosis().run(CollectingDispatcher(), make_tracker("restart_diagnosis",
                                        slots=answered(FRONT_ANSWERS)), domain)
    assert {e["name"] for e in events} == set(SLOTS) | {
        "requested_slot", "diagnosis_shown", "diagnosis_reasked", "diagnosis_words", "diagnosis_inferred"}
    assert all(e["value"] is None for e in events)


# --- Result and follow-ups ---------------------------------------------------------

def test_result_for_a_front_office_profile(make_tracker: Any, domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionDiagnosisResult().run(dispatcher, make_tracker(None, slots=answered(FRONT_ANSWERS)), domain)
    assert events == [SlotSet("diagnosis_shown", 3.0)]
    assert responses(dispatcher) == ["utter_diagnosis_result_office", "utter_diagnosis_top_roles",
                                     "utter_diagnosis_reasons", "utter_diagnosis_disclaimer"]
    assert dispatcher.messages[0]["office"] == "フロントオフィス"


@pytest.mark.parametrize("action", [ActionDiagnosisResult, ActionDiagnosisExplain, ActionDiagnosisMore])
def test_follow_ups_without_a_finished_diagnosis(make_tracker: Any, domain: Dict[str, Any], action: Any) -> None:
    dispatcher = CollectingDispatcher()
    partial = answered({"talk_people": 2})
    assert action().run(dispatcher, make_tracker("why_result", slots=partial), domain) == []
    assert responses(dispatcher) == ["utter_no_diagnosis_yet"]


def test_more_pages_and_remembers(make_tracker: Any, domain: Dict[str, Any]) -> None:
    slots = {**answered(FRONT_ANSWERS), "diagnosis_shown": 3.0}
    dispatcher = CollectingDispatcher()
    events = ActionDiagnosisMore().run(dispatcher, make_tracker("more_results", slots=slots), domain)
    assert events == [SlotSet("diagnosis_shown", 6.0)]
    assert dispatcher.messages[0]["roles"].startswith("4. ")


def test_explain_gives_one_message_per_top_role(make_tracker: Any, domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    ActionDiagnosisExplain().run(dispatcher, make_tracker("why_result", slots=answered(FRONT_ANSWERS)), domain)
    assert responses(dispatcher) == ["utter_diagnosis_explain_intro"] + ["utter_diagnosis_explain_role"] * 3


def test_every_text_that_counts_the_questions_counts_them_right(domain: Dict[str, Any]) -> None:
    page = (Path(__file__).resolve().parent.parent / "bot" / "web" / "static" / "index.html").read_text(encoding="utf-8")
    texts = [v["text"] for variants in domain["responses"].values() for v in variants if "text" in v] + [page]
    counts = [int(n) for text in texts for n in re.findall(r"(\d+)つの質問", text)]
    assert counts and set(counts) == {len(SLOTS)}
