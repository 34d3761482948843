"""Messages as people write them (actions/natural.py, actions/retrieval.py) on the real knowledge base.

Each case goes through :func:`respond` with the entities the NLU would give, and checks the
response names and the facts in the answer, not only which handler ran.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

import pytest

from actions.natural import (
    Context,
    Message,
    Understanding,
    asked_entities,
    context_mentions,
    default_understanding,
    is_elliptical,
    respond,
)
from actions.queries import Answer
from actions.retrieval import FactIndex, passages
from bot.knowledge.base import Knowledge


@pytest.fixture(scope="module")
def u() -> Understanding:
    return default_understanding()


def ent(kind: str, value: str, text: str) -> Dict[str, Any]:
    return {"entity": kind, "value": value, "text": text}


def names(answer: Answer) -> List[str]:
    return [reply.response for reply in answer.replies]


def text_of(answer: Answer) -> str:
    return "\n".join(str(v) for reply in answer.replies for v in reply.params.values())


def say(u: Understanding, intent: str, text: str, entities: Sequence[Mapping[str, Any]] = (),
        topic: Optional[str] = None, question: Optional[str] = None) -> Answer:
    return respond(u, Message(intent, text, tuple(entities)), Context(topic, question))


# --------------------------------------------------------------------------- retrieval


def test_every_fact_of_the_knowledge_is_indexed(kb: Knowledge) -> None:
    texts = {p.text for p in passages(kb)}
    for office in kb.offices.values():
        for field in ("trends", "skills_gained", "merits", "problems", "features"):
            assert {f.text for f in getattr(office, field)} <= texts, (office.id, field)
    for role in kb.roles.values():
        assert {f.text for f in role.duties} <= texts
        assert role.summary.text in texts
    assert {t.description for t in kb.traits.values()} <= texts


@pytest.mark.parametrize(
    "question, about, words",
    [
        ("人事考課ってなんですか", "role:hr", ["人事考課"]),
        ("車の前後のタイヤってどういうたとえ？", "topic:interdependence", ["タイヤ"]),
        ("決算書って誰がつくるの", "role:accounting", ["決算書"]),
        ("DXでバックオフィスの仕事はどうなっていく？", "office:back", ["DX"]),
    ],
)
def test_retrieval_finds_the_fact(u: Understanding, question: str, about: str, words: List[str]) -> None:
    hits = u.index.search(u.index.query(question))
    assert hits and hits[0].passage.about == about
    assert all(word in hits[0].passage.text for word in words)


@pytest.mark.parametrize(
    "question, unknown",
    [("人事でTOEICは必要？", "toeic"), ("総務に秘書検定は役立つ？", "秘書"), ("ソニーの経理に入るには", "ソニー")],
)
def test_words_the_articles_never_use_are_reported(u: Understanding, question: str, unknown: str) -> None:
    query = u.index.query(question, ignore=["経理", "総務", "人事"])
    assert unknown in [w.casefold() for w in query.unknown]


@pytest.mark.parametrize(
    "question, figure",
    [("経理の年収はいくら？", "年収"), ("総務の離職率って高い？", "離職率"), ("営業って月何時間残業するの", "何時間"),
     ("管理職になるまで何年かかる？", "何年"), ("在宅の会社は何割くらい", "何割"), ("残業はどれくらいありますか", "残業"),
     ("FP2級の合格率", "合格率")],
)
def test_questions_asking_for_a_number_are_recognised(u: Understanding, question: str, figure: str) -> None:
    assert figure in u.index.query(question).figures


@pytest.mark.parametrize("question", ["営業の大変なところは？", "解約率ってなに？", "経理はどれくらい大変？", "平日休みは多い？"])
def test_questions_without_a_number_are_not_figure_questions(u: Understanding, question: str) -> None:
    assert u.index.query(question).figures == ()


@pytest.mark.parametrize("question", ["経理のメリットは？", "総務の需要がある業界は", "人事の別名を教えて",
                                      "営業のきついところは", "フロントオフィスの指標は？"])
def test_question_words_are_never_unknown(u: Understanding, question: str) -> None:
    assert u.index.query(question, ignore=["経理", "総務", "人事", "営業", "フロントオフィス"]).unknown == ()


def test_a_small_knowledge_base_is_indexed_from_its_own_files(small_kb: Knowledge) -> None:
    index = FactIndex(small_kb)
    assert {p.source for p in index.passages} <= set(small_kb.sources)


# --------------------------------------------------------------------------- the asked subject


def test_a_current_job_is_context_not_the_subject() -> None:
    text = "いま飲食店でホールをしているのですが、一般事務ってどんな仕事ですか"
    entities = [ent("job", "retail", "ホール"), ent("job", "general_clerical", "一般事務")]
    assert context_mentions(text, entities) == ["ホール"]
    assert [e["value"] for e in asked_entities(text, entities)] == ["general_clerical"]


def test_a_self_introduction_with_a_copula_is_context() -> None:
    text = "私は営業職なんですけど、経理の大変なところを知りたいです"
    entities = [ent("job", "sales", "営業職"), ent("job", "accounting", "経理")]
    assert [e["value"] for e in asked_entities(text, entities)] == ["accounting"]


def test_two_roles_in_one_question_are_both_asked() -> None:
    entities = [ent("job", "sales", "営業"), ent("job", "accounting", "経理")]
    assert asked_entities("営業と経理の違いを教えて", entities) == entities


def test_when_every_role_is_context_they_are_still_the_subject() -> None:
    entities = [ent("job", "sales", "営業")]
    assert asked_entities("営業をしていますが、向いていないかもしれません", entities) == entities


def test_the_context_job_is_not_answered(u: Understanding) -> None:
    answer = say(u, "ask_overview", "いま飲食店でホールをしているのですが、一般事務ってどんな仕事ですか",
                 [ent("job", "retail", "ホール"), ent("job", "general_clerical", "一般事務")])
    assert answer.replies[0].params["name"] == "一般事務"
    assert answer.topic == "role:general_clerical"


# --------------------------------------------------------------------------- ellipsis


@pytest.mark.parametrize("text, name", [("じゃあ経理は？", "経理"), ("ミドルオフィスだと？", "ミドルオフィス"),
                                        ("総務の場合はどう？", "総務"), ("人事も？", "人事"),
                                        ("では営業事務はどうでしょう", "営業事務")])
def test_elliptical_follow_ups(text: str, name: str) -> None:
    assert is_elliptical(text, [ent("job", "x", name)])


@pytest.mark.parametrize("text, name", [("経理の仕事内容は？", "経理"), ("経理は大変？", "経理"), ("違いは？", "")])
def test_full_questions_are_not_elliptical(text: str, name: str) -> None:
    assert not is_elliptical(text, [ent("job", "x", name)] if name else [])


def test_a_follow_up_keeps_the_question_and_changes_the_subject(u: Understanding, kb: Knowledge) -> None:
    first = say(u, "ask_merits", "営業のメリットは？", [ent("job", "sales", "営業")])
    assert first.question == "ask_merits"
    second = say(u, "ask_overview", "じゃあ経理は？", [ent("job", "accounting", "経理")],
                 topic=first.topic, question=first.question)
    assert names(second) == ["utter_role_rewarding"]
    assert second.replies[0].params["name"] == "経理"
    assert kb.roles["accounting"].rewarding[0].text in text_of(second)
    assert second.question == "ask_merits"


@pytest.mark.parametrize("question, expected", [
    ("ask_fit", "utter_office_fits"),
    ("ask_overview", "utter_office_overview"), ("ask_office_roles", "utter_office_roles"),
])
def test_an_office_follow_up_after_any_question(u: Understanding, question: str, expected: str) -> None:
    answer = say(u, "ask_overview", "ミドルオフィスだと？", [ent("office", "middle", "ミドルオフィス")],
                 topic="role:hr", question=question)
    assert names(answer)[0] == expected
    assert answer.topic == "office:middle"


def test_without_an_earlier_question_a_bare_name_is_an_overview(u: Understanding) -> None:
    answer = say(u, "ask_overview", "経理は？", [ent("job", "accounting", "経理")])
    assert names(answer)[0] == "utter_role_overview"


# --------------------------------------------------------------------------- beyond the handlers


def test_a_concept_question_gets_the_matching_facts_with_their_articles(u: Understanding, kb: Knowledge) -> None:
    answer = say(u, "ask_overview", "ヒト・モノ・カネってどういうこと？")
    assert names(answer) == ["utter_retrieved_facts"]
    assert "ヒト・モノ・カネ" in answer.replies[0].params["items"]
    assert "「" in answer.replies[0].params["sources"]


def test_a_described_role_is_named_with_its_facts(u: Understanding) -> None:
    answer = say(u, "ask_overview", "洋服屋さんで働く人の仕事ってどんな感じ？")
    assert names(answer) == ["utter_retrieved_facts"]
    assert "販売・接客" in answer.replies[0].params["items"]
    assert answer.topic == "role:retail"


def test_a_question_about_a_described_role_is_answered_for_that_role(u: Understanding) -> None:
    answer = say(u, "ask_demerits", "社員のお給料を計算する部署って大変なことある？")
    assert names(answer) == ["utter_role_hard"]
    assert answer.replies[0].params["name"] == "人事・労務"


def test_an_unanswerable_aspect_is_said_honestly(u: Understanding) -> None:
    answer = say(u, "ask_overview", "経理だとTOEICは？", [ent("job", "accounting", "経理")])
    assert names(answer) == ["utter_not_in_articles", "utter_articles_cover_subject"]
    assert answer.replies[0].params["what"] == "経理の「toeic」"


@pytest.mark.parametrize("intent", ["ask_overview", "ask_merits", "out_of_scope", "nlu_fallback"])
def test_a_number_the_articles_do_not_give_is_never_invented(u: Understanding, intent: str) -> None:
    answer = say(u, intent, "経理の年収ってどのくらい？", [ent("job", "accounting", "経理")])
    assert names(answer) == ["utter_no_figures", "utter_articles_cover_subject"]
    assert answer.replies[0].params["what"] == "経理の「年収」"


def test_a_number_question_shows_what_the_articles_say_on_its_topic(u: Understanding) -> None:
    answer = say(u, "ask_demerits", "バックオフィスって残業は月何時間くらい？", [ent("office", "back", "バックオフィス")])
    assert names(answer) == ["utter_no_figures", "utter_related_facts"]
    assert "残業" in answer.replies[0].params["what"]
    assert "残業" in answer.replies[1].params["items"]


def test_a_question_partly_covered_is_answered_with_a_note(u: Understanding) -> None:
    answer = say(u, "ask_skills", "経理に必要なスキルとTOEICの点数は？", [ent("job", "accounting", "経理")])
    assert names(answer)[0] == "utter_role_skills"
    assert names(answer)[-1] == "utter_partly_in_articles"


def test_a_fallback_with_known_words_is_looked_up(u: Understanding) -> None:
    answer = say(u, "nlu_fallback", "車の前後のタイヤ")
    assert names(answer) == ["utter_retrieved_facts"]
    assert "タイヤ" in answer.replies[0].params["items"]


def test_a_fallback_with_nothing_known_is_not_understood(u: Understanding) -> None:
    assert names(say(u, "nlu_fallback", "あばばば")) == ["utter_default"]


# --------------------------------------------------------------------------- statements about oneself


@pytest.mark.parametrize(
    "text, office",
    [
        ("大勢の前でプレゼンするのは得意じゃないんです", "バックオフィス"),
        ("電話対応ばかりの仕事はもう嫌です", "バックオフィス"),
        ("土日はしっかり休みたいです", "バックオフィス"),
        ("人と話すのが大好きで、数字で成果が見えるとやる気が出ます", "フロントオフィス"),
    ],
)
def test_a_statement_gets_advice(u: Understanding, text: str, office: str) -> None:
    answer = say(u, "diagnosis_answer", text)
    assert names(answer)[0] in ("utter_preference_advice", "utter_preference_advice_close",
                                "utter_preference_advice_office")
    assert office in answer.replies[0].params["office"]
    assert "『" in answer.replies[0].params["heard"]
    assert "出典" not in answer.replies[0].params["reasons"]


def test_a_statement_with_a_fit_question_gets_advice(u: Understanding) -> None:
    answer = say(u, "ask_fit", "人前で話すのは苦手です。自分に合う部門ってありますか")
    assert names(answer)[0].startswith("utter_preference_advice")


def test_a_statement_the_reader_cannot_place_asks_for_likes_and_dislikes(u: Understanding) -> None:
    assert names(say(u, "diagnosis_answer", "はい")) == ["utter_preference_unclear"]


# Every kind of question, then a follow-up naming only another subject: the follow-up gets the
# same kind of answer about the new subject, whatever came first.
FIRST_QUESTIONS = [
    ("ask_overview", "人事について教えて"), ("ask_skills", "人事に必要なスキルは？"), ("ask_merits", "人事のメリットは？"),
    ("ask_demerits", "人事の大変なところは？"), ("ask_fit", "人事に向いている人は？"),
    ("ask_office_roles", "人事はどのオフィス？"), ("ask_difference", "人事と営業の違いは？"),
    ("ask_kpi", "人事のKPIは？"), ("ask_problems", "人事の課題は？"), ("ask_efficiency", "人事の効率化は？"),
    ("ask_industries", "人事の需要がある業界は？"), ("ask_other_names", "人事の別名は？"),
]
FOLLOW_UPS = [
    ("じゃあ経理は？", ent("job", "accounting", "経理")),
    ("ミドルオフィスだと？", ent("office", "middle", "ミドルオフィス")),
    ("総務の場合はどう？", ent("job", "general_affairs", "総務")),
]


@pytest.mark.parametrize("intent, first_text", FIRST_QUESTIONS)
@pytest.mark.parametrize("follow_up, subject", FOLLOW_UPS)
def test_every_question_kind_carries_over_to_a_new_subject(
    u: Understanding, intent: str, first_text: str, follow_up: str, subject: Dict[str, Any]
) -> None:
    from actions.queries import answer_question

    entities = [ent("job", "hr", "人事")] + ([ent("job", "sales", "営業")] if intent == "ask_difference" else [])
    first = say(u, intent, first_text, entities)
    second = say(u, "ask_overview", follow_up, [subject], topic=first.topic, question=first.question)
    expected = answer_question(u.kb, intent, [subject], first.topic)
    assert names(second) == names(expected)
    assert text_of(second) == text_of(expected)
    assert second.question == intent


@pytest.mark.parametrize("intent, first_text", FIRST_QUESTIONS)
def test_every_question_kind_keeps_its_subject_for_a_new_question(
    u: Understanding, intent: str, first_text: str
) -> None:
    entities = [ent("job", "hr", "人事")] + ([ent("job", "sales", "営業")] if intent == "ask_difference" else [])
    first = say(u, intent, first_text, entities)
    second = say(u, "ask_demerits", "デメリットは？", [], topic=first.topic, question=first.question)
    assert names(second)[0] in ("utter_role_hard", "utter_office_demerits", "utter_role_no_hard")
    assert second.question == "ask_demerits"


def test_a_question_mistaken_for_a_diagnosis_command_is_answered(u: Understanding) -> None:
    from actions.natural import about_the_articles

    assert about_the_articles(u, Message("why_result", "なぜ？"), Context()) is None
    assert about_the_articles(u, Message("more_results", "他には？"), Context()) is None
    answer = about_the_articles(u, Message("why_result", "バックオフィスの仕事はこれからどう変わっていくの？なぜ？",
                                           (ent("office", "back", "バックオフィス"),)), Context())
    assert answer is not None and answer.topic == "office:back"


@pytest.mark.parametrize("intent, hint", [("diagnosis_answer", False), ("ask_fit", False),
                                          ("nlu_fallback", True), ("out_of_scope", True)])
def test_advice_says_how_to_start_the_diagnosis_where_no_rule_offers_it(
    u: Understanding, intent: str, hint: bool
) -> None:
    answer = say(u, intent, "電話対応ばかりの仕事はもう嫌です")
    assert names(answer)[0].startswith("utter_preference_advice")
    assert ("utter_diagnosis_hint" in names(answer)) == hint


@pytest.mark.parametrize("intent", ["stop_diagnosis", "continue_diagnosis", "go_back"])
def test_a_diagnosis_request_outside_the_diagnosis_says_there_is_none(u: Understanding, intent: str) -> None:
    assert names(say(u, intent, "やめます")) == ["utter_not_in_diagnosis"]


def test_a_statement_read_as_a_diagnosis_request_gets_advice(u: Understanding) -> None:
    answer = say(u, "continue_diagnosis", "接客のバイトが楽しかったので、お客さんと関わる仕事を続けたいです")
    assert names(answer)[0].startswith("utter_preference_advice")
    assert "フロントオフィス" in answer.replies[0].params["office"]


@pytest.mark.parametrize("text, intent", [("営業の大変なところを知りたいです", "ask_demerits"),
                                          ("やりがいとかってある？", "ask_merits"), ("経理って何", None)])
def test_the_words_of_a_question_name_its_kind(text: str, intent: Optional[str]) -> None:
    from actions.natural import aspect_intent

    assert aspect_intent(text) == intent


def test_a_named_role_below_the_fallback_threshold_is_asked_about(u: Understanding) -> None:
    text = "経理として10年働いてきました。そろそろ別の仕事も考えていて、営業の大変なところを知りたいです"
    message = Message("nlu_fallback", text, (ent("job", "accounting", "経理"), ent("job", "sales", "営業")),
                      (("nlu_fallback", 0.45), ("thank", 0.32), ("ask_fit", 0.16)))
    answer = respond(u, message, Context())
    assert names(answer) == ["utter_role_hard"]
    assert answer.replies[0].params["name"] == "営業"


def test_a_diagnosis_button_outside_the_diagnosis_says_there_is_none(u: Understanding) -> None:
    answer = say(u, "diagnosis_answer", '/diagnosis_answer{"answer": "agree"}', [ent("answer", "agree", "")])
    assert names(answer) == ["utter_not_in_diagnosis"]


def test_a_dislike_of_one_office_names_the_other_office_s_roles_as_its_roles(u: Understanding, kb: Knowledge) -> None:
    # No back-office role is weighted on talking with people: none is "the best fit" for disliking it.
    answer = say(u, "diagnosis_answer", "大勢の前で話すのは得意じゃないんです")
    (reply,) = answer.replies
    assert reply.response == "utter_preference_advice_office"
    assert reply.params["office"] == "バックオフィス"
    assert reply.params["roles"] == "、".join(role.name for role in kb.roles_in("back"))


def test_the_clause_that_asks_decides_the_kind_of_question_after_context(u: Understanding) -> None:
    text = "いま飲食店でホールをしているのですが、一般事務ってどんな仕事ですか"
    answer = say(u, "ask_fit", text, [ent("job", "retail", "ホール"), ent("job", "general_clerical", "一般事務")])
    assert names(answer)[0] == "utter_role_overview"
    assert answer.replies[0].params["name"] == "一般事務"
    assert answer.question == "ask_overview"


def test_every_kind_of_fact_and_topic_has_a_label(kb: Knowledge) -> None:
    from actions.retrieval import default_vocabulary

    vocabulary = default_vocabulary()
    for passage in passages(kb):
        kind, _, name = passage.about.partition(":")
        if kind == "topic":
            assert name in vocabulary.topic_labels or name in {t.label for t in kb.traits.values()}, name
        else:
            assert passage.field in vocabulary.field_labels, passage.field


@pytest.mark.parametrize("text, problem", [
    ("field_labels: {}\ntopic_labels: {a: b}\neveryday_words: {a: [b]}\n", "field_labels"),
    ("field_labels: {a: b}\ntopic_labels: {a: b}\neveryday_words: {給料: []}\n", "everyday_words.給料"),
    ("field_labels: [", "invalid YAML"),
])
def test_a_broken_retrieval_file_is_refused_naming_the_entry(tmp_path: Any, text: str, problem: str) -> None:
    from actions.retrieval import load_vocabulary
    from bot.knowledge.base import KnowledgeError

    (tmp_path / "retrieval.yml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=problem):
        load_vocabulary(tmp_path)
