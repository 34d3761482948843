"""The diagnosis' pure logic: reading answers, scoring, and the wording of the result."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

from actions.scoring import (
    TurnKind,
    answer_buttons,
    answers_from_slots,
    correction,
    explanation_replies,
    leaning_lines,
    more_replies,
    previous_question,
    question_slots,
    read_turn,
    remember_later,
    result_replies,
    role_lines,
    scale_value,
    score,
    slot_for,
    top_reasons,
)
from actions.statements import StatementReader
from bot.knowledge.base import Knowledge, load_knowledge


def kb_traits() -> List[str]:
    return list(load_knowledge().traits)


# --- Reading answers ----------------------------------------------------------------

BUTTONS = [
    ("strongly_agree", 2), ("agree", 1), ("neutral", 0), ("disagree", -1), ("strongly_disagree", -2),
    ("とても当てはまる", 2), ("やや当てはまる", 1), ("どちらともいえない", 0),
    ("あまり当てはまらない", -1), ("当てはまらない", -2), ("2", 2), ("-1", -1),
]

FREE_TEXT = [
    ("はい", 2),
    ("はい！", 2),
    ("うん", 2),
    ("ええ、そうですね", 2),
    ("yes", 2),
    ("人と話すのは大好きです", 2),
    ("とても好きです", 2),
    ("もちろん", 2),
    ("得意です", 2),
    ("めっちゃ好き", 2),
    ("どちらかといえば", 1),
    ("どちらかといえばそう", 1),
    ("まあまあ好きかな", 1),
    ("少し得意かも", 1),
    ("たぶんそうだと思う", 1),
    ("嫌いじゃないです", 1),
    ("苦にならない", 1),
    ("全然大丈夫です", 2),
    ("どちらともいえない", 0),
    ("わからない", 0),
    ("普通です", 0),
    ("場合によります", 0),
    ("あまり", -1),
    ("あんまり好きじゃない", -1),
    ("うーん、苦手かも", -1),
    ("そうでもないです", -1),
    ("それほどでも", -1),
    ("いいえ", -2),
    ("苦手です", -2),
    ("嫌いです", -2),
    ("全然好きじゃない", -2),
    ("まったく興味ない", -2),
    ("絶対無理", -2),
    ("ＹＥＳ", 2),
    ("ﾊｲ", 2),
    ("どちらとも言えません", 0),
    ("好きでも嫌いでもない", 0),
    ("ケースバイケースです", 0),
    ("人によります", 0),
    ("ええと、はい", 2),
    ("うーん、どちらかといえば苦手", -1),
]


@pytest.mark.parametrize(("text", "expected"), BUTTONS, ids=[t for t, _ in BUTTONS])
def test_scale_value(kb: Knowledge, text: str, expected: int) -> None:
    assert scale_value(kb.diagnosis, text) == expected


def message(text: str = "", intent: str = "diagnosis_answer",
            entities: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    return {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}


@pytest.mark.parametrize(("text", "expected"), BUTTONS + FREE_TEXT, ids=[t for t, _ in BUTTONS + FREE_TEXT])
def test_short_answers(kb: Knowledge, reader: StatementReader, text: str, expected: int) -> None:
    turn = read_turn(kb, reader, message(text), "talk_people")
    assert (turn.kind, turn.value) == (TurnKind.ANSWER, expected)


@pytest.mark.parametrize("text", ["", "   ", "？？？", "abc", "うーん", "うーん、難しいですね", "ええと"])
def test_unreadable_answers_are_unclear(kb: Knowledge, reader: StatementReader, text: str) -> None:
    assert read_turn(kb, reader, message(text), "talk_people").kind == TurnKind.UNCLEAR


@pytest.mark.parametrize(
    ("msg", "kind", "value"),
    [
        (message('/diagnosis_answer{"answer": "agree"}', "diagnosis_answer",
                 [{"entity": "answer", "value": "agree"}]), TurnKind.ANSWER, 1),
        (message("", "diagnosis_answer", [{"entity": "answer", "value": "bogus"}]), TurnKind.UNCLEAR, None),
        (message("はい", "affirm"), TurnKind.ANSWER, 2),
        (message("人と話すのは大好きです", "ask_fit"), TurnKind.ANSWER, 2),
        (message("経理って何？", "ask_overview", [{"entity": "job", "value": "accounting"}]), TurnKind.SKIP, None),
        (message("営業って人と話すのが好きな人に向いてますか？", "ask_fit", [{"entity": "job", "value": "sales"}]),
         TurnKind.SKIP, None),
        (message("接客業みたいに人と話すのは苦手です", "ask_fit", [{"entity": "job", "value": "retail"}]),
         TurnKind.ANSWER, -2),
        (message("やめる", "stop_diagnosis"), TurnKind.SKIP, None),
        (message("前の質問に戻りたい", "go_back"), TurnKind.SKIP, None),
        (message("最初からやり直したい", "restart_diagnosis"), TurnKind.SKIP, None),
        (message("ふがふが", "nlu_fallback"), TurnKind.UNCLEAR, None),
        # The classifier's guess alone does not make a request: the words must say it.
        (message("どちらでもない", "stop_diagnosis"), TurnKind.ANSWER, 0),
        (message("質問をもう一度お願いします", "restart_diagnosis"), TurnKind.UNCLEAR, None),
        (message("もう一度", "restart_diagnosis"), TurnKind.SKIP, None),
        (message("/stop_diagnosis", "stop_diagnosis"), TurnKind.SKIP, None),
        (message("ありがとう", "thank"), TurnKind.UNCLEAR, None),
    ],
    ids=["button", "bad-button", "yes", "answer-classified-as-question", "question", "question-with-trait-words",
         "answer-naming-a-job", "stop", "back", "restart", "gibberish", "neutral-classified-as-stop",
         "repeat-question-classified-as-restart", "bare-restart", "payload", "thanks"],
)
def test_read_turn(kb: Knowledge, reader: StatementReader, msg: Dict[str, Any], kind: str,
                   value: Optional[int]) -> None:
    turn = read_turn(kb, reader, msg, "talk_people")
    assert (turn.kind, turn.value) == (kind, value)


def test_an_answer_in_other_words_is_quoted_and_says_more(kb: Knowledge, reader: StatementReader) -> None:
    turn = read_turn(kb, reader, message("土日は休みたいし、ノルマも嫌です"), "regular_holidays")
    assert (turn.kind, turn.value) == (TurnKind.ANSWER, 2)
    assert "土日は休みたい" in turn.words
    assert {r.trait: r.value for r in turn.others} == {"targets_pressure": -2}


def test_a_bare_yes_is_not_quoted(kb: Knowledge, reader: StatementReader) -> None:
    assert read_turn(kb, reader, message("はい、とても"), "talk_people").words == ""


def test_later_answers_are_remembered_but_earlier_ones_kept(kb: Knowledge, reader: StatementReader) -> None:
    turn = read_turn(kb, reader, message("目標があると燃えるし、人と話すのも好きです"), "targets_pressure")
    slots = {slot_for("talk_people"): -1}
    later = remember_later(kb, slots, slot_for("targets_pressure"), turn, {})
    assert later == {}  # talk_people was answered before: not changed behind the person's back
    turn = read_turn(kb, reader, message("ノルマは嫌だし、土日は休みたいです"), "targets_pressure")
    later = remember_later(kb, {}, slot_for("targets_pressure"), turn, {})
    assert later["regular_holidays"]["value"] == 2
    assert "土日は休みたい" in later["regular_holidays"]["words"]


@pytest.mark.parametrize(
    ("text", "pending", "kind", "value"),
    [("はい", -2, TurnKind.CONFIRM, -2), ("合ってます！", 1, TurnKind.CONFIRM, 1),
     ("違います", -2, TurnKind.REJECT, None), ("いや、やっぱり少しは好きかも", -2, TurnKind.ANSWER, 1),
     ("はい", None, TurnKind.ANSWER, 2), ("はい、それで合ってます！", -1, TurnKind.CONFIRM, -1),
     ("いや、ちょっと違いますね", 2, TurnKind.REJECT, None), ("人と話すのはやっぱり大好きです", -2, TurnKind.ANSWER, 2)],
    ids=["yes-keeps-it", "agrees", "rejects", "answers-again", "no-pending-yes-is-an-answer", "agrees-in-words",
         "rejects-in-words", "answers-with-trait-words"],
)
def test_confirming_an_answer_taken_earlier(kb: Knowledge, reader: StatementReader, text: str,
                                            pending: Optional[int], kind: str, value: Optional[int]) -> None:
    turn = read_turn(kb, reader, message(text), "talk_people", pending=pending)
    assert (turn.kind, turn.value) == (kind, value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("さっきの質問、やっぱり『いいえ』で", -2), ("前の質問は「やや当てはまる」に変えてください", 1),
     ("さっきの答え、やっぱり好きじゃないです", -2), ("前の質問に戻りたい", None), ("一つ前に戻って", None),
     ("前の職場では人と話すのが好きでした", None)],
)
def test_correction_of_the_previous_answer(kb: Knowledge, reader: StatementReader, text: str,
                                           expected: Optional[int]) -> None:
    assert correction(kb, reader, text, "talk_people") == expected
    turn = read_turn(kb, reader, message(text, "go_back"), "targets_pressure", previous="talk_people")
    if expected is None:
        assert turn.kind != TurnKind.CORRECTION
    else:
        assert (turn.kind, turn.trait, turn.value) == (TurnKind.CORRECTION, "talk_people", expected)


def test_buttons_fit_slack_and_parse_back(kb: Knowledge) -> None:
    buttons = answer_buttons(kb.diagnosis)
    assert 1 < len(buttons) <= 5
    for button in buttons:
        assert button["payload"].startswith("/diagnosis_answer{")
        answer_id = button["payload"].split('"answer": "')[1].rstrip('"}')
        assert scale_value(kb.diagnosis, answer_id) == scale_value(kb.diagnosis, button["title"])


# --- Scoring ----------------------------------------------------------------------

FRONT = {"talk_people": 2, "targets_pressure": 2, "adapt_on_spot": 2, "visible_results": 2,
         "steady_accuracy": -2, "support_others": -1, "regular_holidays": -2, "specialist_knowledge": -2,
         "bridging_risk": -1}
BACK = {"talk_people": -1, "targets_pressure": -2, "adapt_on_spot": -2, "visible_results": -2,
        "steady_accuracy": 2, "support_others": 2, "regular_holidays": 2, "specialist_knowledge": 1,
        "bridging_risk": -1}
MIDDLE = {"talk_people": 0, "targets_pressure": -2, "adapt_on_spot": -1, "visible_results": -2,
          "steady_accuracy": 1, "support_others": -2, "regular_holidays": -2, "specialist_knowledge": 2,
          "bridging_risk": 2}
NEUTRAL = {trait: 0 for trait in FRONT}


@pytest.mark.parametrize(
    ("answers", "office", "top_role", "office_of_top3"),
    [
        (FRONT, "front", "sales", {"front"}),
        (BACK, "back", "general_affairs", {"back"}),
        (MIDDLE, "middle", "middle_office_work", None),
    ],
    ids=["clear-front", "clear-back", "middle"],
)
def test_clear_profiles(kb: Knowledge, answers: Dict[str, int], office: str, top_role: str,
                        office_of_top3: Optional[set]) -> None:
    result = score(kb, answers)
    assert result.offices[0][0] == office
    assert result.close_offices == ()
    assert result.roles[0].role_id == top_role
    if office_of_top3:
        assert {kb.roles[r.role_id].office for r in result.roles[:3]} == office_of_top3


def test_balanced_answers_are_reported_as_close(kb: Knowledge) -> None:
    result = score(kb, NEUTRAL)
    # ミドルオフィス is never a candidate without a yes to its own work (office_requires).
    assert set(result.close_offices) == {"front", "back"}
    assert result.offices[-1][0] == "middle"
    assert all(r.score == 0 for r in result.roles)
    # Ties keep the knowledge files' order, so the result never depends on chance.
    assert [r.role_id for r in result.roles] == list(kb.roles)
    replies = result_replies(kb, result)
    assert [r.response for r in replies] == [
        "utter_diagnosis_result_close", "utter_diagnosis_top_roles", "utter_diagnosis_no_reasons",
        "utter_diagnosis_disclaimer",
    ]


def test_near_tie_between_two_offices_is_close(kb: Knowledge) -> None:
    result = score(kb, FRONT)
    margin = result.offices[0][1] - result.offices[1][1]
    assert score(kb, FRONT, close_margin=margin + 0.01).close_offices == tuple(o for o, _ in result.offices[:2])
    assert score(kb, FRONT, close_margin=margin - 0.01).close_offices == ()


def test_scores_are_normalised_and_deterministic(kb: Knowledge) -> None:
    for answers in (FRONT, BACK, MIDDLE, NEUTRAL):
        first, second = score(kb, answers), score(kb, dict(reversed(list(answers.items()))))
        assert first == second
        assert all(-1 <= r.score <= 1 for r in first.roles)
    perfect = {t: (2 if w.weight > 0 else -2) for t, w in kb.roles["sales"].traits.items()}
    assert score(kb, perfect).roles[0].score == 1.0


def test_unanswered_traits_count_as_neutral(kb: Knowledge) -> None:
    assert score(kb, {}) == score(kb, NEUTRAL)


# --- Wording of the result ---------------------------------------------------------

def test_result_names_office_roles_and_reasons(kb: Knowledge) -> None:
    result = score(kb, FRONT)
    office, roles, reasons, disclaimer = result_replies(kb, result)
    assert office.response == "utter_diagnosis_result_office" and office.params == {"office": "フロントオフィス"}
    lines = roles.params["roles"].split("\n")
    assert len(lines) == 3 and lines[0].startswith("1. 営業（フロントオフィス）：")
    assert reasons.response == "utter_diagnosis_reasons"
    reason_lines = reasons.params["reasons"].split("\n")
    assert 2 <= len(reason_lines) <= 3
    assert any(line.startswith("・『人と話すのが好き』に『とても当てはまる』とお答えいただいたので、営業の適性が高くなりました。記事では") for line in reason_lines)
    assert disclaimer.response == "utter_diagnosis_disclaimer"


def test_reasons_are_the_strongest_positive_contributions(kb: Knowledge) -> None:
    reasons = top_reasons(kb, score(kb, BACK))
    values = [c.value for c, _ in reasons]
    assert values == sorted(values, reverse=True) and all(v > 0 for v in values)
    assert len({c.trait_id for c, _ in reasons}) == len(reasons)


def test_explanation_quotes_the_articles_with_sources(kb: Knowledge) -> None:
    replies = explanation_replies(kb, score(kb, FRONT))
    assert replies[0].response == "utter_diagnosis_explain_intro"
    first = replies[1]
    assert first.params["name"] == "営業"
    assert kb.roles["sales"].traits["talk_people"].reason in first.params["lines"]
    assert "「" in first.params["sources"]


def test_more_pages_through_the_ranking(kb: Knowledge) -> None:
    result = score(kb, BACK)
    (page,), shown = more_replies(kb, result, 3)
    assert page.response == "utter_diagnosis_more" and shown == 6
    assert page.params["roles"] == role_lines(kb, result, 3)
    assert page.params["roles"].startswith("4. ")
    (last,), shown = more_replies(kb, result, len(result.roles))
    assert last.response == "utter_diagnosis_no_more" and shown == len(result.roles)


# --- Slots ------------------------------------------------------------------------

def test_slots_follow_the_traits(kb: Knowledge) -> None:
    assert question_slots(kb) == [slot_for(t) for t in kb.traits]
    slots = {slot_for("talk_people"): 2.0, slot_for("targets_pressure"): None, slot_for("adapt_on_spot"): -1}
    assert answers_from_slots(kb, slots) == {"talk_people": 2, "adapt_on_spot": -1}


@pytest.mark.parametrize(
    ("answered", "requested", "expected"),
    [
        (["talk_people", "targets_pressure"], "adapt_on_spot", "targets_pressure"),
        ([], "talk_people", None),
        (["talk_people"], "targets_pressure", "talk_people"),
        (list(kb_traits()), None, list(kb_traits())[-1]),
    ],
    ids=["third-question", "first-question", "second-question", "all-answered"],
)
def test_previous_question(kb: Knowledge, answered: List[str], requested: Optional[str],
                           expected: Optional[str]) -> None:
    slots = {slot_for(t): 1 for t in answered}
    assert previous_question(kb, slots, slot_for(requested) if requested else None) == (
        slot_for(expected) if expected else None
    )


def test_a_close_call_says_which_answers_pulled_each_way(kb: Knowledge) -> None:
    answers = {"talk_people": 2, "visible_results": 2, "steady_accuracy": 2, "regular_holidays": 2, "support_others": 1}
    result = score(kb, answers)
    assert set(result.close_offices) == {"front", "back"}
    lines = leaning_lines(kb, result, {"visible_results": "頑張った分が数字に出るとうれしい"}).splitlines()
    assert lines[0].startswith("・バックオフィス寄りの答え：") and "『コツコツ正確な作業が得意』" in lines[0]
    assert lines[1] == "・フロントオフィス寄りの答え：『頑張った分が数字に出るとうれしい』"
    (close, *_) = result_replies(kb, result, {"visible_results": "頑張った分が数字に出るとうれしい"})
    assert close.response == "utter_diagnosis_result_close" and close.params["leanings"] == "\n".join(lines)


@pytest.mark.parametrize("bridging", [-1, 0])
def test_specialist_interest_alone_does_not_make_a_middle_office_result(kb: Knowledge, bridging: int) -> None:
    back_specialist = {**BACK, "specialist_knowledge": 2, "bridging_risk": bridging, "support_others": 0}
    assert score(kb, back_specialist).offices[0][0] == "back"
    # The middle-office profile itself, without the yes to the bridging and risk work.
    assert score(kb, MIDDLE).offices[0][0] == "middle"
    assert score(kb, {**MIDDLE, "bridging_risk": bridging}).offices[0][0] != "middle"


def test_reasons_quote_the_persons_words_next_to_the_articles(kb: Knowledge) -> None:
    result = score(kb, BACK)
    replies = result_replies(kb, result, {"talk_people": "静かに自分のペースで進めたい"})
    reasons = next(r for r in replies if r.response == "utter_diagnosis_reasons")
    assert "出典" not in reasons.params["reasons"] and reasons.params["sources"]
    quoted = [line for line in reasons.params["reasons"].splitlines() if "静かに自分のペースで進めたい" in line]
    for line in quoted:
        assert line.startswith("・『静かに自分のペースで進めたい』とのことなので")


def test_why_shows_the_persons_words_with_the_answer(kb: Knowledge) -> None:
    result = score(kb, BACK)
    replies = explanation_replies(kb, result, {"steady_accuracy": "データ入力なら何時間でも続けられます"})
    lines = "\n".join(r.params.get("lines", "") for r in replies)
    assert "（あなたの答え：『データ入力なら何時間でも続けられます』→とても当てはまる）" in lines
    assert "（あなたの答え：とても当てはまる）" in lines  # the other answers, given by buttons
