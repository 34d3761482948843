"""Tests for ``actions/queries.py``: The parameters of single answers (overviews, merits, office-only topics, collaboration), differences and comparisons."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa.core.nlg.interpolator import interpolate_text

from actions.queries import (
    BULLET,
    LIST_SEPARATOR,
    MAX_ITEMS,
    Answer,
    Reply,
    answer_question,
    bullets,
    compare_roles,
)
from bot.knowledge.base import Knowledge, load_knowledge
from tests.queries_support import (
    ACCOUNTING,
    BACK,
    FRONT,
    HR,
    LEGAL,
    MIDDLE,
    SALES,
    SRC_000,
    SRC_001,
    SRC_002,
    SRC_003,
    SRC_004,
    item_lines,
    job,
    names,
    office,
    other_job,
    shape,
    spanned,
    titles,
    unmarked,
)

# ---------------------------------------------------------------------------
# Parameters of single answers
# ---------------------------------------------------------------------------


def test_role_overview_params(kb: Knowledge) -> None:
    overview, duties = answer_question(kb, "ask_overview", job("hr"), None).replies
    assert overview.params == {
        "name": HR,
        "office": BACK,
        "summary": kb.roles["hr"].summary.text,
        "sources": titles(kb, SRC_003),
    }
    assert item_lines(duties)[:3] == ["・新しい社員の採用活動", "・社員の能力開発を支援する研修", "・適切な部署への配置（人事異動）"]


def test_legal_overview_promises_nothing_the_bot_does_not_show(kb: Knowledge, responses: Dict[str, Any]) -> None:
    (reply,) = answer_question(kb, "ask_overview", job("legal"), None).replies
    text = interpolate_text(responses[reply.response][0]["text"], dict(reply.params))
    assert text.startswith("法務はバックオフィスに属する職種です。法務は、経理・総務・人事と並ぶバックオフィスの主な業務の一つ")
    assert "比較表" not in text  # The bot has no table to show.


def test_accounting_hard_points_are_not_repeated(kb: Knowledge) -> None:
    (reply,) = answer_question(kb, "ask_demerits", job("accounting"), None).replies
    assert item_lines(reply) == [
        "・1円単位での正確さが求められます。",
        "・お金に関わる業務のため、小さなミスが大きな問題に繋がることもあります。",
    ]
    assert reply.params["sources"] == titles(kb, SRC_003)


def test_role_with_styles_lists_them_titled(kb: Knowledge) -> None:
    answer = answer_question(kb, "ask_overview", job("sales"), None)
    assert names(answer) == ["utter_role_overview", "utter_role_duties", "utter_role_styles"]
    assert item_lines(answer.replies[2]) == [
        "・ルート営業：すでにお付き合いのあるお客様を回るスタイルの営業です。",
        "・新規開拓営業：新しいお客様を探すスタイルの営業です。",
    ]


def test_office_overview_params(kb: Knowledge) -> None:
    overview, roles = answer_question(kb, "ask_overview", office("front"), None).replies
    assert overview.params["name"] == FRONT
    front = kb.offices["front"]
    assert unmarked(overview.params["definition"]).split("\n") == [front.definition.text] + [
        f"・{fact.text}" for fact in front.role_in_company[:2]
    ]
    assert overview.params["sources"] == titles(kb, SRC_002, SRC_004)
    assert roles.params["name"] == FRONT
    assert unmarked(roles.params["roles"]) == "営業、販売・接客、カスタマーサポート、コールセンター、マーケティング"


@pytest.mark.parametrize(
    ("intent", "role_id", "role_field", "office_field"),
    [
        pytest.param("ask_demerits", "legal", "hard", "demerits", id="legal-demerits"),
        pytest.param("ask_skills", "legal", "skills", "features", id="legal-skills"),
        pytest.param("ask_merits", "legal", "rewarding", "merits", id="legal-merits"),
        pytest.param("ask_fit", "legal", "fits", "fits", id="legal-fit"),
        pytest.param("ask_merits", "call_center", "rewarding", "merits", id="front-role"),
    ],
)
def test_role_without_facts_falls_back_to_its_office(
    kb: Knowledge, intent: str, role_id: str, role_field: str, office_field: str
) -> None:
    role = kb.roles[role_id]
    office_obj = kb.offices[role.office]
    office_facts = getattr(office_obj, office_field)
    assert not getattr(role, role_field) and office_facts  # What this test is about.

    answer = answer_question(kb, intent, job(role_id), None)
    missing, listed = answer.replies
    assert missing == Reply(f"utter_role_no_{role_field}", {"name": role.name, "office": office_obj.name})
    # utter_role_no_* already says whose list follows: the list has no name and no lead-in of its own.
    assert listed.response == "utter_fact_list"
    assert set(listed.params) == {"items", "sources"}
    assert item_lines(listed) == [f"{BULLET}{f.title}：{f.text}" if f.title else f"{BULLET}{f.text}"
                                  for f in office_facts[:MAX_ITEMS]]
    assert listed.params["sources"] == titles(kb, *{fact.source for fact in office_facts[:MAX_ITEMS]})
    assert answer.topic == f"role:{role_id}"


def test_legal_demerits_show_the_back_office_demerits(kb: Knowledge) -> None:
    _, demerits = answer_question(kb, "ask_demerits", job("legal"), None).replies
    assert demerits.response == "utter_fact_list"
    assert "name" not in demerits.params
    assert item_lines(demerits)[0] == (
        "・仕事の成果が直接見えにくいことがある：" + kb.offices["back"].demerits[0].text
    )
    assert demerits.params["sources"] == titles(kb, SRC_002, SRC_003)


def test_role_and_office_without_facts_say_so_in_one_message(kb: Knowledge) -> None:
    # ミドルオフィスの業務 has no 'hard' facts and the middle office no demerits.
    assert not kb.roles["middle_office_work"].hard and not kb.offices["middle"].demerits
    answer = answer_question(kb, "ask_demerits", job("middle_office_work"), None)
    assert answer == Answer(
        (Reply("utter_role_and_office_no_hard", {"name": "ミドルオフィスの業務", "office": MIDDLE}),),
        "role:middle_office_work",
    )


ROLE_ASPECTS = [  # intent, role field, office field, role response, office response
    ("ask_skills", "skills", "features", "utter_role_skills", "utter_office_features"),
    ("ask_merits", "rewarding", "merits", "utter_role_rewarding", "utter_office_merits"),
    ("ask_demerits", "hard", "demerits", "utter_role_hard", "utter_office_demerits"),
    ("ask_fit", "fits", "fits", "utter_role_fits", "utter_office_fits"),
]


@pytest.mark.parametrize(("intent", "role_field", "office_field", "role_response", "office_response"), ROLE_ASPECTS)
def test_every_role_answers_from_its_own_facts_or_its_office(
    kb: Knowledge, intent: str, role_field: str, office_field: str, role_response: str, office_response: str
) -> None:
    seen = set()
    for role in kb.roles.values():
        answer = answer_question(kb, intent, job(role.id), None)
        office_obj = kb.offices[role.office]
        names_param = {"name": role.name, "office": office_obj.name}
        if getattr(role, role_field):
            assert shape(answer) == [(role_response, role.name)], role.id
            seen.add("own")
        elif getattr(office_obj, office_field):
            assert [reply.response for reply in answer.replies] == [f"utter_role_no_{role_field}", "utter_fact_list"]
            assert answer.replies[0].params == names_param, role.id
            assert unmarked(answer.replies[1].params["items"]) == bullets(getattr(office_obj, office_field)), role.id
            seen.add("office")
        else:
            assert answer.replies == (Reply(f"utter_role_and_office_no_{role_field}", names_param),), role.id
            seen.add("none")
        # office_response is for a question about the office itself, never for a role.
        assert office_response not in names(answer), role.id
        assert answer.topic == f"role:{role.id}"
    assert {"own", "office"} <= seen  # The real knowledge has both kinds of role for every aspect.


def test_a_promised_office_list_always_follows(kb: Knowledge) -> None:
    # utter_role_no_* ends with 「…次のとおりです。」: a list must follow it.
    checked = 0
    for intent, role_field, *_ in ROLE_ASPECTS:
        for role in kb.roles.values():
            answer = answer_question(kb, intent, job(role.id), None)
            if names(answer)[0] == f"utter_role_no_{role_field}":
                checked += 1
                assert len(answer.replies) == 2, (intent, role.id)
                assert answer.replies[1].response == "utter_fact_list", (intent, role.id)
                assert answer.replies[1].params["items"].startswith(BULLET), (intent, role.id)
    assert checked


def _without_office_facts(data: Dict[str, Any]) -> None:
    for office_data in data["offices"]:
        for key in ("features", "merits", "demerits", "fits"):
            office_data.pop(key, None)


@pytest.mark.parametrize(("intent", "role_field"), [aspect[:2] for aspect in ROLE_ASPECTS])
def test_role_and_office_without_facts_in_the_small_knowledge(
    edit_knowledge: Any, intent: str, role_field: str
) -> None:
    small = load_knowledge(edit_knowledge("offices.yml", _without_office_facts))
    answer = answer_question(small, intent, job("sales_assistant"), None)
    assert answer == Answer(
        (Reply(f"utter_role_and_office_no_{role_field}", {"name": "営業事務", "office": "バックオフィス"}),),
        "role:sales_assistant",
    )


def test_office_merits_add_rewarding_points(kb: Knowledge) -> None:
    merits, rewarding = answer_question(kb, "ask_merits", office("back"), None).replies
    assert merits.params["sources"] == titles(kb, SRC_003)
    assert len(kb.offices["back"].rewarding) == MAX_ITEMS + 1
    # The 7th rewarding fact (from 003) is cut, and so is its source.
    assert len(item_lines(rewarding)) == MAX_ITEMS
    assert rewarding.params["sources"] == titles(kb, SRC_001, SRC_004)


@pytest.mark.parametrize(
    ("office_id", "expected"),
    [
        # Article 003 names one merit of the middle office (「金融業界などで専門的な役割を持つ」).
        ("middle", [("utter_office_merits", MIDDLE), ("utter_office_rewarding", MIDDLE)]),
        ("front", [("utter_office_merits", FRONT), ("utter_office_rewarding", FRONT)]),
    ],
)
def test_office_merits(kb: Knowledge, office_id: str, expected: List[Tuple[str, str]]) -> None:
    assert shape(answer_question(kb, "ask_merits", office(office_id), None)) == expected


def test_office_roles_for_several_roles(kb: Knowledge) -> None:
    answer = answer_question(kb, "ask_office_roles", job("sales", "hr"), None)
    assert [(reply.params["name"], reply.params["office"]) for reply in answer.replies] == [(SALES, FRONT), (HR, BACK)]
    assert all(reply.params["sources"] == titles(kb, SRC_003) for reply in answer.replies)
    assert answer.topic == "role:sales"


# --- office-only topics: KPIs (front), problems, efficiency, industries (back) ---


def test_kpis_of_back_office_explain_then_show_front_kpis(kb: Knowledge) -> None:
    answer = answer_question(kb, "ask_kpi", office("back"), None)
    missing, kpis = answer.replies
    assert missing == Reply("utter_office_no_kpis", {"name": BACK})
    assert kpis.params == {
        "name": FRONT,
        "items": "・新規顧客獲得コスト\n・平均対応時間\n・解約率\n・顧客のNPS",
        "sources": titles(kb, SRC_000),
    }
    assert answer.topic == "office:back"


@pytest.mark.parametrize(
    ("intent", "subject", "expected", "topic"),
    [
        ("ask_kpi", office("middle"), [("utter_office_no_kpis", MIDDLE), ("utter_office_kpis", FRONT)], "office:middle"),
        ("ask_kpi", job("sales"), [("utter_office_kpis", FRONT)], "role:sales"),
        # Article 000 describes the front office's overload and what makes it efficient.
        ("ask_problems", office("front"), [("utter_office_problems", FRONT)], "office:front"),
        ("ask_efficiency", job("sales"), [("utter_office_efficiency", FRONT)], "role:sales"),
        ("ask_problems", office("middle"), [("utter_office_no_problems", MIDDLE), ("utter_office_problems", FRONT),
                                            ("utter_office_problems", BACK)], "office:middle"),
        ("ask_industries", office("middle"),
         [("utter_office_no_industries", MIDDLE), ("utter_office_industries", BACK)], "office:middle"),
        # The office given wins over the role given.
        ("ask_kpi", job("sales") + office("back"), [("utter_office_no_kpis", BACK), ("utter_office_kpis", FRONT)],
         "role:sales"),
    ],
)
def test_office_only_topics(
    kb: Knowledge, intent: str, subject: List[Dict[str, Any]], expected: List[Tuple[str, str]], topic: str
) -> None:
    answer = answer_question(kb, intent, subject, None)
    assert shape(answer) == expected
    assert answer.topic == topic


def test_problems_without_subject_are_the_back_office_problems(kb: Knowledge) -> None:
    answer = answer_question(kb, "ask_problems", [], None)
    (reply,) = answer.replies
    assert reply.response == "utter_office_problems"
    assert reply.params["name"] == BACK
    assert item_lines(reply)[0] == "・属人性の高さ：" + kb.offices["back"].problems[0].text
    assert answer.topic == "office:back"


def test_back_office_problems_are_only_problems(kb: Knowledge) -> None:
    # The measures against the problems (「課題への対策」) are an efficiency item, not a problem.
    (reply,) = answer_question(kb, "ask_problems", office("back"), None).replies
    assert [line.split("：")[0] for line in item_lines(reply)][:3] == ["・属人性の高さ", "・専門人材の確保の難しさ", "・業務改善の遅れ"]
    assert not [line for line in item_lines(reply) if "対策" in line.split("：")[0]]


def test_back_office_efficiency_starts_with_the_measures_against_its_problems(kb: Knowledge) -> None:
    (reply,) = answer_question(kb, "ask_efficiency", office("back"), None).replies
    lines = item_lines(reply)
    assert lines[0] == (
        "・業務の流れの見直しと人材育成：属人性や人材確保といった問題を解決するために、"
        "業務の流れを見直したり、人材育成に取り組んだりといった対策が考えられます。"
    )
    assert len(lines) == MAX_ITEMS
    assert reply.params["sources"] == titles(kb, SRC_001, SRC_002)


def test_back_office_industries_are_plain_names(kb: Knowledge) -> None:
    answer = answer_question(kb, "ask_industries", job("accounting"), None)
    assert answer.replies == (
        Reply("utter_office_industries", {"name": BACK, "items": "・金融業界\n・製造業界\n・IT業界\n・医療業界",
                                          "sources": titles(kb, SRC_004)}),
    )
    assert answer.topic == "role:accounting"


OFFICE_ONLY = [  # intent, office field, response
    ("ask_kpi", "kpis", "utter_office_kpis"),
    ("ask_problems", "problems", "utter_office_problems"),
    ("ask_efficiency", "efficiency", "utter_office_efficiency"),
    ("ask_industries", "industries", "utter_office_industries"),
]


@pytest.mark.parametrize(("intent", "field_name", "response"), OFFICE_ONLY)
def test_office_only_topics_for_every_office(kb: Knowledge, intent: str, field_name: str, response: str) -> None:
    having = [o for o in kb.offices.values() if getattr(o, field_name)]
    assert having  # Every aspect is covered for some office in the real knowledge.
    for asked in kb.offices.values():
        answer = answer_question(kb, intent, office(asked.id), None)
        if asked in having:
            expected = [(response, asked.name)]
        else:
            expected = [(f"utter_office_no_{field_name}", asked.name)] + [(response, o.name) for o in having]
        assert shape(answer) == expected, asked.id
        assert answer.topic == f"office:{asked.id}"


def _kpis_for(*office_ids: str) -> Any:
    def change(data: Dict[str, Any]) -> None:
        for office_data in data["offices"]:
            if office_data["id"] in office_ids:
                office_data["kpis"] = [{"text": f"{office_data['id']}の指標", "source": "article_b.txt"}]
    return change


@pytest.mark.parametrize(
    ("entities", "expected", "topic"),
    [
        pytest.param(
            office("back"),
            [("utter_office_no_kpis", "バックオフィス"), ("utter_office_kpis", "フロントオフィス"),
             ("utter_office_kpis", "ミドルオフィス")],
            "office:back", id="asked-office-without-kpis-shows-every-office-with-kpis"),
        pytest.param(
            job("accounting"),
            [("utter_office_no_kpis", "バックオフィス"), ("utter_office_kpis", "フロントオフィス"),
             ("utter_office_kpis", "ミドルオフィス")],
            "role:accounting", id="role-of-an-office-without-kpis"),
        pytest.param(office("middle"), [("utter_office_kpis", "ミドルオフィス")], "office:middle", id="asked-office-has-kpis"),
        pytest.param([], [("utter_office_kpis", "フロントオフィス")], "office:front", id="nothing-asked-home-office"),
    ],
)
def test_office_only_topic_lists_each_office_that_has_it(
    edit_knowledge: Any, entities: List[Dict[str, Any]], expected: List[Tuple[str, str]], topic: str
) -> None:
    small = load_knowledge(edit_knowledge("offices.yml", _kpis_for("front", "middle")))
    answer = answer_question(small, "ask_kpi", entities, None)
    assert shape(answer) == expected
    for reply in answer.replies[1:]:
        office_id = "front" if reply.params["name"] == "フロントオフィス" else "middle"
        assert reply.params["items"] == f"・{office_id}の指標"
        assert reply.params["sources"] == "「記事B: バックオフィスのやりがい」"
    assert answer.topic == topic


@pytest.mark.parametrize(
    ("entities", "expected", "topic"),
    [
        pytest.param(office("back"), Reply("utter_office_no_kpis", {"name": "バックオフィス"}), "office:back",
                     id="office"),
        pytest.param(job("sales"), Reply("utter_office_no_kpis", {"name": "フロントオフィス"}), "role:sales",
                     id="role"),
        # Nothing asked: the home office of KPIs (front) is the one the bot says it has nothing about.
        pytest.param([], Reply("utter_office_no_kpis", {"name": "フロントオフィス"}), None, id="nothing"),
    ],
)
def test_office_only_topic_nowhere_in_the_knowledge(
    small_kb: Knowledge, entities: List[Dict[str, Any]], expected: Reply, topic: Optional[str]
) -> None:
    assert not any(o.kpis for o in small_kb.offices.values())
    assert answer_question(small_kb, "ask_kpi", entities, None) == Answer((expected,), topic)


@pytest.mark.parametrize("field_name", [field_name for _, field_name, _ in OFFICE_ONLY])
def test_office_no_texts_do_not_claim_which_office_has_the_facts(responses: Dict[str, Any], field_name: str) -> None:
    # Which offices have the facts depends on the knowledge; the list replies that follow name them.
    for variation in responses[f"utter_office_no_{field_name}"]:
        text = variation["text"].replace("{name}", "")
        assert "{name}" in variation["text"]
        assert not [o for o in (FRONT, BACK, MIDDLE, "フロント", "バック", "ミドル") if o in text], text


def test_other_names_without_subject_one_reply_per_office_with_names(kb: Knowledge) -> None:
    answer = answer_question(kb, "ask_other_names", [], None)
    with_names = [o.name for o in kb.offices.values() if o.other_names]
    assert [reply.params["name"] for reply in answer.replies] == with_names == [FRONT, BACK]
    assert unmarked(answer.replies[0].params["names"]) == "「営業部門」、「販売部門」、「前線で働く部隊」"
    assert answer.replies[0].params["sources"] == titles(kb, SRC_002, SRC_003)


def test_other_names_of_middle_office_say_there_are_none(kb: Knowledge) -> None:
    assert answer_question(kb, "ask_other_names", office("middle"), None).replies == (
        Reply("utter_office_no_other_names", {"name": MIDDLE}),
    )


def test_collaboration(kb: Knowledge) -> None:
    interdependence, tips = answer_question(kb, "ask_collaboration", [], "office:back").replies
    # Both replies are about front and back office together: no name, only the list and its sources.
    assert (interdependence.response, tips.response) == ("utter_interdependence", "utter_collaboration_tips")
    assert set(interdependence.params) == set(tips.params) == {"items", "sources"}
    # The first six interdependence facts all come from article 000, later ones from 001-004.
    assert {fact.source for fact in kb.interdependence[MAX_ITEMS:]} - {SRC_000}
    assert interdependence.params["sources"] == titles(kb, SRC_000)
    assert len(item_lines(interdependence)) == MAX_ITEMS
    assert tips.params["sources"] == titles(kb, SRC_000, SRC_001, SRC_004)


# --- ask_difference ---


@pytest.mark.parametrize(
    ("entities", "topic", "expected", "new_topic"),
    [
        pytest.param(
            job("hr", "accounting"), None,
            [("utter_compare_intro", None), ("utter_compare_role", HR), ("utter_compare_role", ACCOUNTING)],
            "role:accounting", id="two-roles"),
        pytest.param(
            job("accounting", "hr"), "role:sales",
            [("utter_compare_intro", None), ("utter_compare_role", ACCOUNTING), ("utter_compare_role", HR)],
            "role:hr", id="two-roles-ignore-topic"),
        pytest.param(
            job("sales"), "role:hr",
            [("utter_compare_intro", None), ("utter_compare_role", HR), ("utter_compare_role", SALES)],
            "role:sales", id="role-vs-topic-role"),
        pytest.param(job("hr"), None, [("utter_ask_compare_with", HR)], "role:hr", id="one-role"),
        pytest.param(job("hr"), "role:hr", [("utter_ask_compare_with", HR)], "role:hr", id="one-role-same-topic"),
        pytest.param(job("hr"), "office:back", [("utter_ask_compare_with", HR)], "role:hr", id="one-role-office-topic"),
        pytest.param(job("hr"), "role:ghost", [("utter_ask_compare_with", HR)], "role:hr", id="one-role-stale-topic"),
        pytest.param(
            job("legal", "hr"), None,
            [("utter_compare_intro", None), ("utter_compare_role_no_duties", LEGAL), ("utter_compare_role", HR)],
            "role:hr", id="role-without-duties"),
        pytest.param(office("front", "back"), None, [("utter_office_difference", None)], "office:front", id="offices"),
        pytest.param([], None, [("utter_office_difference", None)], None, id="nothing"),
        pytest.param(job("ghost"), None, [("utter_office_difference", None)], None, id="unknown-id-dropped"),
        pytest.param(office("middle"), None, [("utter_middle_difference", None)], "office:middle", id="middle"),
        pytest.param(
            office("front", "middle"), None, [("utter_middle_difference", None)], "office:middle", id="front-middle"),
        pytest.param(other_job("パイロット"), "role:hr", [("utter_unknown_role", None)], None, id="unknown-job"),
        # An unknown job makes the comparison impossible, whatever else is named.
        pytest.param(job("sales") + other_job("パイロット"), "role:hr", [("utter_unknown_role", None)], None,
                     id="unknown-job-with-a-role"),
        pytest.param(office("back") + other_job("パイロット"), None, [("utter_unknown_role", None)], None,
                     id="unknown-job-with-an-office"),
        pytest.param([spanned("job", "sales", 0, 2), spanned("other_job", "営業マン", 0, 4)], None,
                     [("utter_ask_compare_with", SALES)], "role:sales", id="unknown-job-overlapping-a-role-ignored"),
        pytest.param(job("accounting", "accounting"), "role:hr", [("utter_same_role", ACCOUNTING)],
                     "role:accounting", id="same-role-twice"),
        # 「違いは？」 with nothing named: after a role, ask what to compare it with; else front vs back.
        pytest.param([], "role:hr", [("utter_ask_compare_with", HR)], "role:hr", id="follow-up-after-a-role"),
        pytest.param([], "office:back", [("utter_office_difference", None)], None, id="follow-up-after-an-office"),
        pytest.param([], "office:middle", [("utter_office_difference", None)], None, id="follow-up-after-middle"),
        pytest.param([], "role:ghost", [("utter_office_difference", None)], None, id="follow-up-stale-topic"),
        pytest.param(office("front"), "role:hr", [("utter_office_difference", None)], "office:front",
                     id="office-named-after-a-role"),
        pytest.param(office("middle"), "role:hr", [("utter_middle_difference", None)], "office:middle",
                     id="middle-named-after-a-role"),
    ],
)
def test_difference(
    kb: Knowledge, entities: List[Dict[str, Any]], topic: Optional[str],
    expected: List[Tuple[str, Optional[str]]], new_topic: Optional[str],
) -> None:
    answer = answer_question(kb, "ask_difference", entities, topic)
    assert shape(answer) == expected
    assert answer.topic == new_topic


def test_difference_follow_up_after_a_role_suggests_a_role_of_another_office(kb: Knowledge) -> None:
    # 「人事について教えて」 then 「違いは？」
    answer = answer_question(kb, "ask_difference", [], "role:hr")
    assert answer == Answer((Reply("utter_ask_compare_with", {"name": HR, "example": SALES}),), "role:hr")


def test_difference_with_an_unknown_job_names_it(kb: Knowledge) -> None:
    (reply,) = answer_question(kb, "ask_difference", job("sales") + other_job("パイロット"), None).replies
    assert reply.params == {"job": "パイロット", "roles": LIST_SEPARATOR.join(role.name for role in kb.roles.values())}


def test_compare_two_roles_params(kb: Knowledge) -> None:
    intro, hr, accounting = answer_question(kb, "ask_difference", job("hr", "accounting"), None).replies
    assert intro.params == {"a_name": HR, "b_name": ACCOUNTING}
    assert hr.params == {
        "name": HR,
        "office": BACK,
        "summary": kb.roles["hr"].summary.text,
        "duties": "新しい社員の採用活動、社員の能力開発を支援する研修、適切な部署への配置（人事異動）、社員の給与計算",
        "sources": titles(kb, SRC_003),
    }
    # Duties 1-4 of accounting are from 003 and 001; the fifth and later (also 002) are not shown.
    assert accounting.params["duties"].count(LIST_SEPARATOR) == 3
    assert accounting.params["sources"] == titles(kb, SRC_001, SRC_003)


def test_compare_roles_of_different_offices(kb: Knowledge) -> None:
    _, sales, hr = answer_question(kb, "ask_difference", job("sales", "hr"), None).replies
    assert (sales.params["office"], hr.params["office"]) == (FRONT, BACK)


def test_compare_same_role(kb: Knowledge) -> None:
    assert compare_roles(kb, kb.roles["hr"], kb.roles["hr"]) == Answer(
        (Reply("utter_same_role", {"name": HR}),), "role:hr"
    )


@pytest.mark.parametrize("topic", [None, "role:hr", "office:front"])
def test_two_names_of_the_same_role_are_one_role_in_the_articles(kb: Knowledge, topic: Optional[str]) -> None:
    # 「経理と会計の違いは？」: two job entities with the same id, which no article tells apart.
    entities = [
        {"entity": "job", "value": "accounting", "text": "経理", "start": 0, "end": 2},
        {"entity": "job", "value": "accounting", "text": "会計", "start": 3, "end": 5},
    ]
    answer = answer_question(kb, "ask_difference", entities, topic)
    assert answer == Answer((Reply("utter_same_role", {"name": ACCOUNTING}),), "role:accounting")


@pytest.mark.parametrize("a, b", [("人事", "労務"), ("労務", "人事")])
def test_two_names_the_articles_tell_apart_get_what_each_covers(kb: Knowledge, a: str, b: str) -> None:
    # 「人事と労務の違い」: one role in the knowledge, but article 003 separates 人事 from 労務.
    entities = [{"entity": "job", "value": "hr", "text": a}, {"entity": "job", "value": "hr", "text": b}]
    answer = answer_question(kb, "ask_difference", entities, None)
    (reply,) = answer.replies
    assert reply.response == "utter_role_distinction"
    assert (reply.params["a_name"], reply.params["b_name"], reply.params["name"]) == (a, b, HR)
    for duty in ("給与計算", "社会保険", "勤怠管理", "採用"):
        assert duty in reply.params["items"]
    assert answer.topic == "role:hr"


def test_one_role_named_once_is_not_the_same_job_twice(kb: Knowledge) -> None:
    # A repeated value of another kind, or one job beside a different one, is no 「同じ仕事」.
    assert names(answer_question(kb, "ask_difference", office("back", "back") + job("hr"), None)) == [
        "utter_ask_compare_with"
    ]
    assert names(answer_question(kb, "ask_difference", job("hr", "accounting", "hr"), None))[0] == "utter_compare_intro"


def test_compare_with_example_names_two_different_roles(kb: Knowledge, responses: Dict[str, Any]) -> None:
    for role in kb.roles.values():
        answer = answer_question(kb, "ask_difference", job(role.id), None)
        (reply,) = answer.replies
        example = next(r for r in kb.roles.values() if r.office != role.office)
        assert reply == Reply("utter_ask_compare_with", {"name": role.name, "example": example.name}), role.id
        assert answer.topic == f"role:{role.id}"
        text = interpolate_text(responses[reply.response][0]["text"], dict(reply.params))
        assert f"「{role.name}と{role.name}の" not in text


@pytest.mark.parametrize(
    ("role_id", "expected"),
    [
        ("sales", "営業と、どの職種を比べたいですか？ たとえば「営業と一般事務の違いは？」のように聞いてください。"),
        ("hr", "人事・労務と、どの職種を比べたいですか？ たとえば「人事・労務と営業の違いは？」のように聞いてください。"),
        ("middle_office_work",
         "ミドルオフィスの業務と、どの職種を比べたいですか？ たとえば「ミドルオフィスの業務と営業の違いは？」のように聞いてください。"),
    ],
)
def test_compare_with_example_is_a_role_of_another_office(
    kb: Knowledge, responses: Dict[str, Any], role_id: str, expected: str
) -> None:
    (reply,) = answer_question(kb, "ask_difference", job(role_id), None).replies
    assert interpolate_text(responses[reply.response][0]["text"], dict(reply.params)) == expected


def test_office_difference_rows_are_capped(kb: Knowledge) -> None:
    (reply,) = answer_question(kb, "ask_difference", [], None).replies
    rows = unmarked(reply.params["rows"]).split("\n")
    assert len(kb.differences) > MAX_ITEMS
    assert len(rows) == 3 * MAX_ITEMS
    assert rows[:3] == [
        "【役割】",
        "・フロントオフィス：顧客と直接接触し、売上を創出する部門です。",
        "・バックオフィス：企業内部の事務処理や管理業務を担当し、サポートを行う部門です。",
    ]
    # Rows 1-6 come from 004 and 003 only; 000, 001 and 002 appear from row 7 on.
    assert reply.params["sources"] == titles(kb, SRC_003, SRC_004)


def test_middle_difference_params(kb: Knowledge) -> None:
    (reply,) = answer_question(kb, "ask_difference", office("middle"), None).replies
    middle = kb.offices["middle"]
    assert reply.params == {
        "definition": middle.definition.text,
        "items": bullets(middle.role_in_company),
        "sources": titles(kb, SRC_003),
    }
    assert len(item_lines(reply)) == len(middle.role_in_company) == 4
