"""Tests for ``actions/queries.py``: Which subject a question is about, and which responses answer each intent in every situation (unknown jobs named honestly)."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from actions.queries import (
    BULLET,
    GENERAL_QUESTIONS,
    HANDLERS,
    LIST_SEPARATOR,
    Answer,
    Reply,
    Subject,
    answer_question,
    resolve_subject,
    subject_from_entities,
    subject_from_topic,
)
from bot.knowledge.base import Knowledge
from tests.queries_support import (
    ALL_INTENTS,
    BACK,
    FRONT,
    HR,
    MIDDLE,
    SALES,
    job,
    names,
    office,
    other_job,
    shape,
    spanned,
)

# ---------------------------------------------------------------------------
# subject_from_entities / subject_from_topic / resolve_subject
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        pytest.param([], Subject(), id="nothing"),
        pytest.param(job("hr"), Subject(roles=("hr",)), id="one-role"),
        pytest.param(job("hr", "hr", "accounting"), Subject(roles=("hr", "accounting")), id="dedupe"),
        pytest.param(job("accounting", "hr", "accounting"), Subject(roles=("accounting", "hr")), id="order-kept"),
        pytest.param(office("back") + job("hr"), Subject(roles=("hr",), offices=("back",)), id="role-and-office"),
        pytest.param(office("front", "back", "front"), Subject(offices=("front", "back")), id="offices-dedupe"),
        pytest.param(other_job("パイロット", "パイロット"), Subject(unknown=("パイロット",)), id="unknown-dedupe"),
        pytest.param(
            [{"entity": "time", "value": "明日"}, {"entity": "job", "value": "sales"}],
            Subject(roles=("sales",)),
            id="other-entity-types-ignored",
        ),
        pytest.param(
            [{"entity": "job", "value": ""}, {"entity": "job", "value": None}, {"entity": "job", "value": 3},
             {"entity": "job"}, {"value": "hr"}],
            Subject(),
            id="empty-or-non-string-values-ignored",
        ),
        # The same id under two kinds is kept under each kind.
        pytest.param(
            [{"entity": "job", "value": "x"}, {"entity": "other_job", "value": "x"}],
            Subject(roles=("x",), unknown=("x",)),
            id="kinds-kept-apart",
        ),
        # 「営業マン」: the knowledge finds 営業 (0-2), DIET the whole word (0-4); the knowledge wins.
        pytest.param(
            [spanned("job", "sales", 0, 2), spanned("other_job", "営業マン", 0, 4)],
            Subject(roles=("sales",)),
            id="unknown-overlapping-a-role-dropped",
        ),
        pytest.param(
            [spanned("other_job", "バックオフィス担当", 0, 9), spanned("office", "back", 0, 7)],
            Subject(offices=("back",)),
            id="unknown-overlapping-an-office-dropped-whatever-the-order",
        ),
        pytest.param(
            [spanned("job", "sales", 0, 2), spanned("other_job", "パイロット", 3, 8)],
            Subject(roles=("sales",), unknown=("パイロット",)),
            id="unknown-apart-from-a-role-kept",
        ),
        pytest.param(
            [spanned("job", "sales", 0, 2), spanned("other_job", "パイロット", 2, 7)],
            Subject(roles=("sales",), unknown=("パイロット",)),
            id="adjacent-spans-do-not-overlap",
        ),
        pytest.param(
            [spanned("other_job", "パイロット", 0, 5), spanned("other_job", "医師", 6, 8)],
            Subject(unknown=("パイロット", "医師")),
            id="unknowns-never-drop-each-other",
        ),
        pytest.param(
            [spanned("job", "sales", 0, 2), {"entity": "other_job", "value": "パイロット"}],
            Subject(roles=("sales",), unknown=("パイロット",)),
            id="unknown-without-span-kept",
        ),
    ],
)
def test_subject_from_entities(entities: List[Dict[str, Any]], expected: Subject) -> None:
    assert subject_from_entities(entities) == expected


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        (None, Subject()),
        ("", Subject()),
        ("role:hr", Subject(roles=("hr",))),
        ("office:back", Subject(offices=("back",))),
        ("role:", Subject()),
        ("office:", Subject()),
        ("hr", Subject()),
        ("job:hr", Subject()),
    ],
)
def test_subject_from_topic(topic: Optional[str], expected: Subject) -> None:
    assert subject_from_topic(topic) == expected


@pytest.mark.parametrize(
    ("subject", "topic"),
    [
        (Subject(roles=("hr", "sales")), "role:hr"),
        (Subject(roles=("hr",), offices=("back",)), "role:hr"),
        (Subject(offices=("middle", "front")), "office:middle"),
        (Subject(unknown=("パイロット",)), None),
        (Subject(), None),
    ],
)
def test_subject_topic_is_the_first_role_else_the_first_office(subject: Subject, topic: Optional[str]) -> None:
    assert subject.topic == topic


@pytest.mark.parametrize(
    ("mentioned", "topic", "expected"),
    [
        pytest.param(Subject(), None, Subject(), id="nothing-no-topic"),
        pytest.param(Subject(), "role:hr", Subject(roles=("hr",)), id="falls-back-to-role-topic"),
        pytest.param(Subject(), "office:back", Subject(offices=("back",)), id="falls-back-to-office-topic"),
        pytest.param(Subject(roles=("sales",)), "role:hr", Subject(roles=("sales",)), id="mentioned-role-overrides"),
        pytest.param(Subject(offices=("front",)), "role:hr", Subject(offices=("front",)), id="office-overrides-role"),
        pytest.param(Subject(roles=("hr", "ghost")), None, Subject(roles=("hr",)), id="unknown-role-id-dropped"),
        pytest.param(Subject(offices=("side", "back")), None, Subject(offices=("back",)), id="unknown-office-dropped"),
        pytest.param(Subject(roles=("ghost",)), "role:sales", Subject(roles=("sales",)), id="only-bad-ids-use-topic"),
        pytest.param(Subject(roles=("ghost",)), None, Subject(), id="only-bad-ids-no-topic"),
        pytest.param(Subject(unknown=("パイロット",)), None, Subject(unknown=("パイロット",)), id="unknown-alone"),
        pytest.param(
            Subject(unknown=("パイロット",)), "role:hr", Subject(unknown=("パイロット",)), id="unknown-beats-topic"
        ),
        pytest.param(Subject(roles=("hr",), unknown=("パイロット",)), None, Subject(roles=("hr",)), id="role-beats-unknown"),
        pytest.param(Subject(), "role:ghost", Subject(), id="stale-topic-ignored"),
        pytest.param(Subject(), "nonsense", Subject(), id="malformed-topic-ignored"),
    ],
)
def test_resolve_subject(kb: Knowledge, mentioned: Subject, topic: Optional[str], expected: Subject) -> None:
    assert resolve_subject(kb, mentioned, topic) == expected


def test_resolve_subject_reads_ids_from_the_given_knowledge(small_kb: Knowledge) -> None:
    # 'hr' exists in the real knowledge only; the small one has sales, accounting, sales_assistant.
    assert resolve_subject(small_kb, Subject(roles=("hr", "sales_assistant")), None) == Subject(
        roles=("sales_assistant",)
    )


# ---------------------------------------------------------------------------
# answer_question: every intent with a role, an office, nothing, a topic, an unknown job
# ---------------------------------------------------------------------------

# (response, name param) per situation. Situations: hr mentioned, back office mentioned,
# nothing and no topic, nothing after talking about hr (topic role:hr).
ROLE, OFFICE, NOTHING, FOLLOW_UP = "role", "office", "nothing", "follow-up"
SITUATIONS: Dict[str, Tuple[List[Dict[str, Any]], Optional[str]]] = {
    ROLE: (job("hr"), None),
    OFFICE: (office("back"), None),
    NOTHING: ([], None),
    FOLLOW_UP: ([], "role:hr"),
}
ASK_TOPIC: List[Tuple[str, Optional[str]]] = [("utter_ask_topic", None)]
EXPECTED: Dict[str, Dict[str, Tuple[List[Tuple[str, Optional[str]]], Optional[str]]]] = {
    "ask_overview": {
        ROLE: ([("utter_role_overview", HR), ("utter_role_duties", HR)], "role:hr"),
        OFFICE: ([("utter_office_overview", BACK), ("utter_office_roles", BACK)], "office:back"),
        NOTHING: (ASK_TOPIC, None),
    },
    "ask_skills": {
        ROLE: ([("utter_role_skills", HR)], "role:hr"),
        OFFICE: ([("utter_office_features", BACK), ("utter_office_skills_gained", BACK)], "office:back"),
        NOTHING: (ASK_TOPIC, None),
    },
    "ask_merits": {
        ROLE: ([("utter_role_rewarding", HR)], "role:hr"),
        OFFICE: ([("utter_office_merits", BACK), ("utter_office_rewarding", BACK)], "office:back"),
        NOTHING: (ASK_TOPIC, None),
    },
    "ask_demerits": {
        ROLE: ([("utter_role_hard", HR)], "role:hr"),
        OFFICE: ([("utter_office_demerits", BACK)], "office:back"),
        NOTHING: (ASK_TOPIC, None),
    },
    "ask_fit": {
        ROLE: ([("utter_role_fits", HR)], "role:hr"),
        OFFICE: ([("utter_office_fits", BACK)], "office:back"),
        NOTHING: (ASK_TOPIC, None),
    },
    "ask_office_roles": {
        ROLE: ([("utter_role_office", HR)], "role:hr"),
        OFFICE: ([("utter_office_roles", BACK)], "office:back"),
        NOTHING: (
            [("utter_office_roles", FRONT), ("utter_office_roles", BACK), ("utter_office_roles", MIDDLE)],
            None,
        ),
    },
    "ask_kpi": {
        ROLE: ([("utter_office_no_kpis", BACK), ("utter_office_kpis", FRONT)], "role:hr"),
        OFFICE: ([("utter_office_no_kpis", BACK), ("utter_office_kpis", FRONT)], "office:back"),
        NOTHING: ([("utter_office_kpis", FRONT)], "office:front"),
    },
    "ask_problems": {
        ROLE: ([("utter_office_problems", BACK)], "role:hr"),
        OFFICE: ([("utter_office_problems", BACK)], "office:back"),
        NOTHING: ([("utter_office_problems", BACK)], "office:back"),
    },
    "ask_efficiency": {
        ROLE: ([("utter_office_efficiency", BACK)], "role:hr"),
        OFFICE: ([("utter_office_efficiency", BACK)], "office:back"),
        NOTHING: ([("utter_office_efficiency", BACK)], "office:back"),
    },
    "ask_industries": {
        ROLE: ([("utter_office_industries", BACK)], "role:hr"),
        OFFICE: ([("utter_office_industries", BACK)], "office:back"),
        NOTHING: ([("utter_office_industries", BACK)], "office:back"),
    },
    "ask_other_names": {
        ROLE: ([("utter_office_other_names", BACK)], "role:hr"),
        OFFICE: ([("utter_office_other_names", BACK)], "office:back"),
        NOTHING: ([("utter_office_other_names", FRONT), ("utter_office_other_names", BACK)], None),
    },
    "ask_collaboration": {
        ROLE: ([("utter_interdependence", None), ("utter_collaboration_tips", None)], "role:hr"),
        OFFICE: ([("utter_interdependence", None), ("utter_collaboration_tips", None)], "office:back"),
        NOTHING: ([("utter_interdependence", None), ("utter_collaboration_tips", None)], None),
    },
    "ask_difference": {
        ROLE: ([("utter_ask_compare_with", HR)], "role:hr"),
        OFFICE: ([("utter_office_difference", None)], "office:back"),
        NOTHING: ([("utter_office_difference", None)], None),
        # 「違いは？」 right after hr: the bot asks which role to compare hr with.
        FOLLOW_UP: ([("utter_ask_compare_with", HR)], "role:hr"),
    },
}


def expectation_rows() -> Iterator[Any]:
    for intent, by_situation in EXPECTED.items():
        for situation in (ROLE, OFFICE, NOTHING, FOLLOW_UP):
            expected = by_situation.get(situation)
            if expected is None:  # A follow-up answers exactly as if hr had been named.
                expected = by_situation[ROLE]
            yield pytest.param(intent, situation, *expected, id=f"{intent}-{situation}")


def test_expectation_table_covers_every_intent() -> None:
    assert set(EXPECTED) == set(ALL_INTENTS)


@pytest.mark.parametrize(("intent", "situation", "expected", "topic"), list(expectation_rows()))
def test_answer_question(
    kb: Knowledge, intent: str, situation: str, expected: List[Tuple[str, Optional[str]]], topic: Optional[str]
) -> None:
    entities, previous_topic = SITUATIONS[situation]
    answer = answer_question(kb, intent, entities, previous_topic)
    assert shape(answer) == expected
    assert answer.topic == topic


@pytest.mark.parametrize("intent", ALL_INTENTS)
@pytest.mark.parametrize("topic", [None, "role:hr", "office:front"])
def test_unknown_job_is_named_in_an_honest_answer(kb: Knowledge, intent: str, topic: Optional[str]) -> None:
    answer = answer_question(kb, intent, other_job("パイロット"), topic)
    assert names(answer) == ["utter_unknown_role"]
    params = answer.replies[0].params
    assert params["job"] == "パイロット"
    assert params["roles"] == LIST_SEPARATOR.join(role.name for role in kb.roles.values())
    assert answer.topic is None


def test_unknown_jobs_are_all_named(kb: Knowledge) -> None:
    answer = answer_question(kb, "ask_overview", other_job("パイロット", "医師"), None)
    assert answer.replies[0].params["job"] == "パイロット、医師"


@pytest.mark.parametrize("intent", sorted(HANDLERS))
@pytest.mark.parametrize(
    ("known", "topic", "new_topic"),
    [
        pytest.param(job("sales"), None, "role:sales", id="role"),
        pytest.param(job("sales"), "role:hr", "role:sales", id="role-over-topic"),
        pytest.param(job("legal"), None, "role:legal", id="role-without-facts"),
        pytest.param(office("back"), "role:hr", "office:back", id="office-over-topic"),
        pytest.param(office("middle"), None, "office:middle", id="office-without-facts"),
    ],
)
def test_unknown_job_next_to_a_known_subject_is_named_then_the_subject_is_answered(
    kb: Knowledge, intent: str, known: List[Dict[str, Any]], topic: Optional[str], new_topic: str
) -> None:
    # 「営業とパイロットのメリットは？」: say which job is not covered, then answer for the other one.
    answer = answer_question(kb, intent, known + other_job("パイロット"), topic)
    alone = answer_question(kb, intent, known, None)
    assert names(alone)[0] != "utter_unknown_role"
    assert answer.replies[0] == Reply(
        "utter_unknown_role",
        {"job": "パイロット", "roles": LIST_SEPARATOR.join(role.name for role in kb.roles.values())},
    )
    assert answer.replies[1:] == alone.replies
    assert answer.topic == alone.topic == new_topic


def test_unknown_job_and_a_role_render_as_two_answers(kb: Knowledge) -> None:
    answer = answer_question(kb, "ask_merits", other_job("パイロット") + job("sales"), "role:hr")
    assert shape(answer) == [("utter_unknown_role", None), ("utter_role_rewarding", SALES)]
    assert answer.topic == "role:sales"


def test_unknown_job_overlapping_a_role_is_not_mentioned(kb: Knowledge) -> None:
    # 「営業マンの仕事は？」: DIET tags 営業マン as other_job, the knowledge finds 営業 inside it.
    entities = [spanned("job", "sales", 0, 2), spanned("other_job", "営業マン", 0, 4)]
    assert answer_question(kb, "ask_overview", entities, None) == answer_question(kb, "ask_overview", job("sales"), None)


@pytest.mark.parametrize("intent", sorted(set(HANDLERS) - GENERAL_QUESTIONS))
def test_questions_needing_a_subject_list_what_can_be_asked(kb: Knowledge, intent: str) -> None:
    answer = answer_question(kb, intent, [], None)
    assert answer == Answer((Reply("utter_ask_topic", {"roles": "営業、販売・接客、カスタマーサポート、コールセンター、"
                                                                 "マーケティング、一般事務、営業事務、経理、人事・労務、総務、"
                                                                 "情報システム、法務、ミドルオフィスの業務"}),))


@pytest.mark.parametrize("intent", sorted(set(HANDLERS) - GENERAL_QUESTIONS))
def test_a_stale_topic_is_treated_as_no_topic(kb: Knowledge, intent: str) -> None:
    assert names(answer_question(kb, intent, [], "role:retired_role")) == ["utter_ask_topic"]


@pytest.mark.parametrize("intent", sorted(HANDLERS))
def test_a_mentioned_role_overrides_the_topic(kb: Knowledge, intent: str) -> None:
    with_topic = answer_question(kb, intent, job("accounting"), "role:hr")
    assert with_topic == answer_question(kb, intent, job("accounting"), None)
    assert with_topic.topic == "role:accounting"


def test_follow_up_demerits_after_hr_are_about_hr(kb: Knowledge) -> None:
    first = answer_question(kb, "ask_overview", job("hr"), None)
    second = answer_question(kb, "ask_demerits", [], first.topic)
    assert shape(second) == [("utter_role_hard", HR)]
    assert second.replies[0].params["items"] == f"{BULLET}{kb.roles['hr'].hard[0].text}"
    assert second.topic == "role:hr"


@pytest.mark.parametrize("intent", ["greet", "nlu_fallback", "out_of_scope", "ask_weather", None, ""])
@pytest.mark.parametrize(
    ("entities", "topic"),
    [([], None), (job("hr"), None), ([], "role:hr"), (other_job("パイロット"), "office:back")],
)
def test_unhandled_intent_gets_the_default_answer(
    kb: Knowledge, intent: Optional[str], entities: List[Dict[str, Any]], topic: Optional[str]
) -> None:
    # Rules send only ask_* intents to the action, but a policy may predict it after any intent.
    answer = answer_question(kb, intent, entities, topic)  # type: ignore[arg-type]
    assert answer == Answer((Reply("utter_default"),))
    assert answer.topic is None  # The topic of the conversation is left alone.
