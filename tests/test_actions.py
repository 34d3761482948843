"""Tests for ``actions/answers.py``: the Rasa action that answers knowledge questions.

The action runs against the real knowledge base with a rasa_sdk ``Tracker`` built like the
one the Rasa server sends, and the messages it dispatches are rendered with Rasa's own
``TemplatedNaturalLanguageGenerator`` exactly as the server does when it receives them.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

import pytest
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import QUESTION_SLOT, TOPIC_SLOT, ActionAnswerQuestion
from actions.queries import HANDLERS

ACTION_NAME = "action_answer_question"
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")


def job(value: str, text: str = "") -> Dict[str, Any]:
    return {"entity": "job", "value": value, "text": text or value, "extractor": "KnowledgeEntityExtractor"}


def office(value: str, text: str = "") -> Dict[str, Any]:
    return {"entity": "office", "value": value, "text": text or value, "extractor": "KnowledgeEntityExtractor"}


def other_job(text: str) -> Dict[str, Any]:
    return {"entity": "other_job", "value": text, "text": text, "extractor": "CRFEntityExtractor"}


def run(dispatcher: CollectingDispatcher, tracker: Any, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
    return ActionAnswerQuestion().run(dispatcher, tracker, domain)


def sent(dispatcher: CollectingDispatcher) -> List[str]:
    return [message["response"] for message in dispatcher.messages]


def render(message: Dict[str, Any], domain: Dict[str, Any], slots: Dict[str, Any]) -> str:
    """What the Rasa server makes of one dispatched message (RemoteAction._utter_responses)."""
    message = dict(message)
    response = message.pop("response")
    draft = TemplatedNaturalLanguageGenerator(domain["responses"]).generate_from_slots(
        response, slots, "rest", **message
    )
    assert draft is not None, f"{response} is not in the domain"
    return draft["text"]


def topic_after(events: List[Dict[str, Any]], before: Optional[str]) -> Optional[str]:
    """The topic slot once the action's events are applied."""
    topic = before
    for event in events:
        if event.get("event") == "slot" and event.get("name") == TOPIC_SLOT:
            topic = event["value"]
    return topic


def topic_events(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The events that set the topic slot (the kind of question is checked on its own)."""
    return [event for event in events if event.get("name") == TOPIC_SLOT]


# ---------------------------------------------------------------------------
# The action and the domain agree
# ---------------------------------------------------------------------------


def test_action_name_is_declared_in_the_domain(domain: Dict[str, Any]) -> None:
    assert ActionAnswerQuestion().name() == ACTION_NAME
    assert ACTION_NAME in domain["actions"]


def test_topic_slot_is_only_set_by_the_answer_action(domain: Dict[str, Any]) -> None:
    slot = domain["slots"][TOPIC_SLOT]
    assert slot["type"] == "text"
    # Naming the action here would make action_extract_slots run it before each turn,
    # overwriting the previous topic before the answer can compare against it.
    assert slot["mappings"] == [{"type": "custom"}]


def test_every_ask_intent_is_answered_and_declared(domain: Dict[str, Any]) -> None:
    asked = {intent for intent in domain["intents"] if intent.startswith("ask_")}
    assert asked == set(HANDLERS) | {"ask_difference"}


def test_entities_the_answers_read_are_declared(domain: Dict[str, Any]) -> None:
    assert {"job", "office", "other_job"} <= set(domain["entities"])


# ---------------------------------------------------------------------------
# Single turns
# ---------------------------------------------------------------------------


def test_role_overview_messages_and_topic(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("ask_overview", [job("hr", "人事")], "人事ってどんな仕事？")
    events = run(dispatcher, tracker, domain)

    assert sent(dispatcher) == ["utter_role_overview", "utter_role_duties"]
    overview, duties = dispatcher.messages
    assert overview["text"] is None  # The domain template words the message, not the action.
    assert (overview["name"], overview["office"]) == ("人事・労務", "バックオフィス")
    assert overview["summary"].startswith("会社の「人」に関する業務")
    assert duties["items"].split("\n")[0] == "・新しい社員の採用活動"
    assert topic_events(events) == [SlotSet(TOPIC_SLOT, "role:hr")]

    text = render(overview, domain, tracker.slots)
    assert text.startswith("人事・労務はバックオフィスに属する職種です。会社の「人」に関する業務を担当する仕事です。")
    assert text.endswith("（出典：「フロントオフィスとバックオフィスの基本的な違いを解説（仕事内容・メリットとデメリット・向いている人）」）")


@pytest.mark.parametrize(
    ("intent", "entities", "topic", "responses", "new_topic"),
    [
        pytest.param("ask_demerits", [office("back")], None, ["utter_office_demerits"], "office:back", id="office"),
        pytest.param("ask_demerits", [office("back")], "role:hr", ["utter_office_demerits"], "office:back",
                     id="topic-changes"),
        pytest.param("ask_demerits", [job("legal")], None, ["utter_role_no_hard", "utter_fact_list"],
                     "role:legal", id="role-falls-back-to-office"),
        pytest.param("ask_merits", [job("sales"), other_job("パイロット")], "role:hr",
                     ["utter_unknown_role", "utter_role_rewarding"], "role:sales", id="unknown-job-beside-a-role"),
        pytest.param("ask_difference", [job("accounting", "経理"), job("accounting", "会計")], "role:hr",
                     ["utter_same_role"], "role:accounting", id="two-names-of-one-role"),
        pytest.param("ask_kpi", [], None, ["utter_office_kpis"], "office:front", id="kpi-sets-front"),
        pytest.param("ask_difference", [job("hr"), job("accounting")], None,
                     ["utter_compare_intro", "utter_compare_role", "utter_compare_role"], "role:accounting",
                     id="compare"),
        pytest.param("ask_difference", [job("accounting")], "role:hr",
                     ["utter_compare_intro", "utter_compare_role", "utter_compare_role"], "role:accounting",
                     id="compare-with-topic"),
    ],
)
def test_slot_set_when_the_topic_changes(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any],
    intent: str, entities: List[Dict[str, Any]], topic: Optional[str], responses: List[str], new_topic: str,
) -> None:
    events = run(dispatcher, make_tracker(intent, entities, topic=topic, slots={QUESTION_SLOT: intent}), domain)
    assert sent(dispatcher) == responses
    assert topic_events(events) == [SlotSet(TOPIC_SLOT, new_topic)]


def test_the_kind_of_question_is_remembered_when_it_changes(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("ask_merits", [job("hr", "人事")], "人事のメリットは？", topic="role:hr",
                           slots={QUESTION_SLOT: "ask_overview"})
    assert run(dispatcher, tracker, domain) == [SlotSet(QUESTION_SLOT, "ask_merits")]


def test_a_follow_up_naming_only_a_subject_keeps_the_kind_of_question(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("ask_overview", [job("accounting", "経理")], "じゃあ経理は？", topic="role:sales",
                           slots={QUESTION_SLOT: "ask_merits"})
    events = run(dispatcher, tracker, domain)
    assert sent(dispatcher) == ["utter_role_rewarding"]
    assert topic_events(events) == [SlotSet(TOPIC_SLOT, "role:accounting")]


@pytest.mark.parametrize(
    ("intent", "entities", "topic", "responses"),
    [
        pytest.param("ask_demerits", [], "role:hr", ["utter_role_hard"], id="follow-up-same-topic"),
        pytest.param("ask_fit", [job("hr")], "role:hr", ["utter_role_fits"], id="same-role-again"),
        pytest.param("ask_overview", [], None, ["utter_ask_topic"], id="no-subject"),
        pytest.param("ask_overview", [other_job("パイロット")], "role:hr", ["utter_unknown_role"], id="unknown-job"),
        pytest.param("ask_collaboration", [], None, ["utter_interdependence", "utter_collaboration_tips"],
                     id="general-question"),
        pytest.param("ask_difference", [], "office:back", ["utter_office_difference"], id="office-difference"),
        pytest.param("ask_difference", [], "role:hr", ["utter_ask_compare_with"], id="difference-follow-up-after-role"),
        pytest.param("ask_difference", [job("sales"), other_job("パイロット")], "role:hr", ["utter_unknown_role"],
                     id="difference-with-unknown-job"),
    ],
)
def test_no_slot_event_when_the_topic_stays(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any],
    intent: str, entities: List[Dict[str, Any]], topic: Optional[str], responses: List[str],
) -> None:
    events = run(dispatcher, make_tracker(intent, entities, topic=topic, slots={QUESTION_SLOT: intent}), domain)
    assert sent(dispatcher) == responses
    assert topic_events(events) == []


def test_unknown_job_names_the_job_and_keeps_the_topic(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("ask_overview", [other_job("パイロット")], "パイロットの仕事は？", topic="role:hr")
    events = run(dispatcher, tracker, domain)
    (message,) = dispatcher.messages
    assert message["job"] == "パイロット"
    assert render(message, domain, tracker.slots).startswith(
        "申し訳ありません。「パイロット」については、私が参照している記事に情報がないため、お答えできません。"
    )
    assert topic_after(events, "role:hr") == "role:hr"


def test_role_without_facts_renders_lead_in_then_office_list(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("ask_demerits", [job("legal", "法務")], "法務の大変なところは？")
    run(dispatcher, tracker, domain)
    lead_in, listed = (render(message, domain, tracker.slots) for message in dispatcher.messages)
    assert lead_in == (
        "記事には、法務に限った大変なところは書かれていません。"
        "法務が属するバックオフィス全体で働くデメリットは、次のとおりです。"
    )
    # The list follows the lead-in directly: no second lead-in, no name.
    assert listed.startswith("・仕事の成果が直接見えにくいことがある：")
    assert "\n（出典：［1］「" in listed


def test_role_and_office_without_facts_render_one_message(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("ask_demerits", [job("middle_office_work", "ミドルオフィスの業務")])
    events = run(dispatcher, tracker, domain)
    assert sent(dispatcher) == ["utter_role_and_office_no_hard"]
    assert render(dispatcher.messages[0], domain, tracker.slots) == (
        "記事には、ミドルオフィスの業務やミドルオフィス全体の大変なところについての記載がありません。"
    )
    assert topic_events(events) == [SlotSet(TOPIC_SLOT, "role:middle_office_work")]


def test_unknown_job_beside_a_role_is_named_before_the_answer(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("ask_merits", [job("sales", "営業"), other_job("パイロット")], "営業とパイロットのやりがいは？")
    run(dispatcher, tracker, domain)
    unknown, answer = (render(message, domain, tracker.slots) for message in dispatcher.messages)
    assert unknown.startswith("申し訳ありません。「パイロット」については")
    assert answer.startswith("営業のやりがい・魅力は次のとおりです。\n・")


def test_overlapping_unknown_job_is_ignored(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any]
) -> None:
    entities = [
        {**job("sales", "営業"), "start": 0, "end": 2},
        {**other_job("営業マン"), "start": 0, "end": 4},
    ]
    events = run(dispatcher, make_tracker("ask_fit", entities, "営業マンに向いている人は？"), domain)
    assert sent(dispatcher) == ["utter_role_fits"]
    assert topic_events(events) == [SlotSet(TOPIC_SLOT, "role:sales")]


def test_difference_follow_up_asks_what_to_compare_with(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("ask_difference", [], "違いは？", topic="role:hr")
    run(dispatcher, tracker, domain)
    assert render(dispatcher.messages[0], domain, tracker.slots) == (
        "人事・労務と、どの職種を比べたいですか？ たとえば「人事・労務と営業の違いは？」のように聞いてください。"
    )


def test_kpis_of_back_office_say_so_then_show_front_kpis(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("ask_kpi", [office("back", "バックオフィス")], "バックオフィスのKPIは？")
    events = run(dispatcher, tracker, domain)
    missing, kpis = (render(message, domain, tracker.slots) for message in dispatcher.messages)
    assert missing == "記事では、バックオフィスの具体的なKPIは挙げられていません。参考までに、記事で紹介されている指標をご案内します。"
    # Article 000: the indicators measure 「組織の健康度」, not the front office's.
    assert kpis.startswith("記事では、フロントオフィスの実務に関わる次のような指標が、組織の健康度を測るバロメータになると紹介されています。"
                           "\n・新規顧客獲得コスト")
    assert topic_events(events) == [SlotSet(TOPIC_SLOT, "office:back")]


def test_missing_entities_are_no_entities(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("ask_problems")
    tracker.latest_message["entities"] = None
    events = run(dispatcher, tracker, domain)
    assert sent(dispatcher) == ["utter_office_problems"]
    assert dispatcher.messages[0]["name"] == "バックオフィス"
    assert topic_events(events) == [SlotSet(TOPIC_SLOT, "office:back")]


@pytest.mark.parametrize("intent", [*sorted(HANDLERS), "ask_difference"])
@pytest.mark.parametrize(
    ("entities", "topic"),
    [([job("sales")], None), ([office("middle")], None), ([], None), ([], "role:legal"), ([], "office:front"),
     ([job("legal"), other_job("パイロット")], None), ([office("middle"), other_job("パイロット")], "role:hr")],
)
def test_every_message_renders_completely(
    make_tracker: Any, domain: Dict[str, Any], intent: str, entities: List[Dict[str, Any]], topic: Optional[str]
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent, entities, topic=topic)
    run(dispatcher, tracker, domain)
    assert dispatcher.messages
    for message in dispatcher.messages:
        text = render(message, domain, tracker.slots)
        assert not PLACEHOLDER.search(text), text
        assert "（出典：）" not in text and "\n\n" not in text, text


# ---------------------------------------------------------------------------
# Conversations: the slot set in one turn is the topic of the next
# ---------------------------------------------------------------------------


def test_follow_up_question_uses_the_previous_topic(make_tracker: Any, domain: Dict[str, Any]) -> None:
    first = CollectingDispatcher()
    events = run(first, make_tracker("ask_overview", [job("hr", "人事")], "人事について教えて"), domain)
    topic = topic_after(events, None)
    assert topic == "role:hr"

    second = CollectingDispatcher()
    tracker = make_tracker("ask_demerits", [], "デメリットは？", topic=topic)
    events = run(second, tracker, domain)
    assert sent(second) == ["utter_role_hard"]
    assert second.messages[0]["name"] == "人事・労務"
    assert render(second.messages[0], domain, tracker.slots).startswith(
        "人事・労務の大変なところは次のとおりです。\n・労務などお金や個人情報に関わる業務では"
    )
    assert topic_events(events) == []


def test_three_turn_conversation(make_tracker: Any, domain: Dict[str, Any]) -> None:
    turns = [
        # (intent, entities, text, expected responses, expected name of the first message)
        ("ask_overview", [office("back", "バックオフィス")], "バックオフィスとは？",
         ["utter_office_overview", "utter_office_roles"], "バックオフィス"),
        ("ask_merits", [], "メリットは？", ["utter_office_merits", "utter_office_rewarding"], "バックオフィス"),
        ("ask_fit", [job("accounting", "経理")], "経理に向いている人は？", ["utter_role_fits"], "経理"),
        ("ask_difference", [job("hr", "人事")], "人事との違いは？",
         ["utter_compare_intro", "utter_compare_role", "utter_compare_role"], None),
        ("ask_skills", [], "必要なスキルは？", ["utter_role_skills"], "人事・労務"),
    ]
    topic: Optional[str] = None
    topics = []
    for intent, entities, text, expected, name in turns:
        dispatcher = CollectingDispatcher()
        events = run(dispatcher, make_tracker(intent, entities, text, topic=topic), domain)
        assert sent(dispatcher) == expected, text
        assert dispatcher.messages[0].get("name") == name, text
        topic = topic_after(events, topic)
        topics.append(topic)
    assert topics == ["office:back", "office:back", "role:accounting", "role:hr", "role:hr"]


def test_compare_turn_puts_the_earlier_role_first(make_tracker: Any, domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    run(dispatcher, make_tracker("ask_difference", [job("hr", "人事")], "人事との違いは？", topic="role:accounting"), domain)
    assert (dispatcher.messages[0]["a_name"], dispatcher.messages[0]["b_name"]) == ("経理", "人事・労務")


# ---------------------------------------------------------------------------
# Intents the action has no answer for
# ---------------------------------------------------------------------------

# Rules only send ask_* intents here, but a policy can still predict the action after any
# intent: the user then gets utter_default instead of no reply at all, and the topic stays.
@pytest.mark.parametrize("intent, entities", [
    ("greet", []), ("greet", [job("accounting", "経理")]), (None, []), (None, [job("accounting", "経理")]),
    ("", []), ("", [job("accounting", "経理")]), ("nlu_fallback", []),
])
def test_unanswerable_intent_gets_a_polite_default(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any], intent: Optional[str],
    entities: List[Dict[str, Any]],
) -> None:
    tracker = make_tracker(intent, entities, "こんにちは", topic="role:hr")
    events = run(dispatcher, tracker, domain)
    assert sent(dispatcher) == ["utter_default"]
    assert render(dispatcher.messages[0], domain, tracker.slots).startswith("すみません、うまく理解できませんでした。")
    assert topic_events(events) == []


@pytest.mark.parametrize("text", ["こんにちは", "明日の天気は？", "好きな色は？", "うどんとそばの違い"])
def test_out_of_scope_with_nothing_from_the_articles_says_what_the_bot_covers(
    dispatcher: CollectingDispatcher, make_tracker: Any, domain: Dict[str, Any], text: str
) -> None:
    events = run(dispatcher, make_tracker("out_of_scope", [], text, topic="role:hr"), domain)
    assert sent(dispatcher) == ["utter_out_of_scope"]
    assert topic_events(events) == []
