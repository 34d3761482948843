"""Tests for ``actions/queries.py``: Bullets, sources, the cap on list length, the small knowledge base; and, exhaustively, every reply filling its template."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Sequence, Tuple

import pytest
from rasa.core.nlg.interpolator import interpolate_text

from actions.queries import (
    BULLET,
    LIST_SEPARATOR,
    MAX_ITEMS,
    Reply,
    Subject,
    answer_question,
    bullets,
    resolve_subject,
    sources_of,
    subject_from_topic,
)
from bot.knowledge.base import Fact, Knowledge, load_knowledge
from tests.queries_support import (
    ALL_INTENTS,
    ALLOWED_UNUSED_PARAMS,
    BACK,
    HR,
    PLACEHOLDER,
    REPO_ROOT,
    SRC_000,
    SRC_003,
    SRC_004,
    UTTER_MESSAGE_KEYWORDS,
    item_lines,
    job,
    names,
    office,
    shape,
    subject_variants,
    titles,
)

# ---------------------------------------------------------------------------
# bullets, sources and the MAX_ITEMS cap
# ---------------------------------------------------------------------------


def test_bullets() -> None:
    facts = [Fact("本文です。", "a.txt", "見出し"), Fact("題のない本文です。", "a.txt")]
    assert bullets(facts) == "・見出し：本文です。\n・題のない本文です。"
    assert bullets([]) == ""
    assert bullets([Fact(f"{i}", "a.txt") for i in range(MAX_ITEMS + 3)]).count("\n") == MAX_ITEMS - 1


def test_sources_are_titles_in_sources_file_order(kb: Knowledge) -> None:
    facts = [Fact("x", SRC_004), Fact("y", SRC_000), Fact("z", SRC_004)]
    assert sources_of(kb, facts) == (
        "「バックオフィスとフロントオフィスの違いを理解する基本ガイド」、「バックオフィスのやりがいと向いている人の特徴」"
    )
    assert sources_of(kb, []) == ""


def test_max_items_cap_drops_facts_and_their_sources(edit_knowledge: Any) -> None:
    def many_duties(data: Dict[str, Any]) -> None:
        sales = data["roles"][0]
        assert sales["id"] == "sales"
        sales["duties"] = [{"text": f"仕事{i}", "source": "article_a.txt"} for i in range(1, MAX_ITEMS + 1)]
        sales["duties"] += [{"text": f"仕事{i}", "source": "article_b.txt"} for i in range(MAX_ITEMS + 1, 10)]

    small = load_knowledge(edit_knowledge("roles.yml", many_duties))
    overview = answer_question(small, "ask_overview", job("sales"), None)
    duties = overview.replies[1]
    assert duties.response == "utter_role_duties"
    assert item_lines(duties) == [f"・仕事{i}" for i in range(1, MAX_ITEMS + 1)]
    assert duties.params["sources"] == "「記事A: フロントとバックの違い」"


@pytest.mark.parametrize("intent", ALL_INTENTS)
def test_every_list_is_bulleted_short_and_without_repeats(kb: Knowledge, intent: str) -> None:
    for entities, topic in subject_variants(kb):
        for reply in answer_question(kb, intent, entities, topic).replies:
            if "items" in reply.params:
                lines = item_lines(reply)
                where = (intent, reply.response, entities, topic)
                assert len(lines) <= MAX_ITEMS, where
                assert all(line.startswith(BULLET) for line in lines), where
                assert len(set(lines)) == len(lines), where


def test_small_knowledge_answers_from_its_own_data(small_kb: Knowledge) -> None:
    answer = answer_question(small_kb, "ask_demerits", job("accounting"), None)
    assert answer.replies == (
        Reply("utter_role_hard", {"name": "経理", "items": "・締め日前は忙しくなります。",
                                  "sources": "「記事B: バックオフィスのやりがい」"}),
    )


# The small knowledge has no role in the middle office, and no office with KPIs or other names.
@pytest.mark.parametrize(
    ("intent", "entities", "expected"),
    [
        pytest.param("ask_office_roles", office("middle"), [("utter_office_no_roles", "ミドルオフィス")],
                     id="office-roles-of-an-office-without-roles"),
        pytest.param("ask_office_roles", [],
                     [("utter_office_roles", "フロントオフィス"), ("utter_office_roles", "バックオフィス"),
                      ("utter_office_no_roles", "ミドルオフィス")],
                     id="office-roles-of-every-office"),
        pytest.param("ask_kpi", [], [("utter_office_no_kpis", "フロントオフィス")], id="kpis-nowhere"),
        pytest.param("ask_other_names", [],
                     [("utter_office_no_other_names", "フロントオフィス"), ("utter_office_no_other_names", "バックオフィス"),
                      ("utter_office_no_other_names", "ミドルオフィス")],
                     id="other-names-nowhere"),
    ],
)
def test_small_knowledge_never_sends_empty_lists(
    small_kb: Knowledge, intent: str, entities: List[Any], expected: List[Tuple[str, str]]
) -> None:
    answer = answer_question(small_kb, intent, entities, None)
    assert shape(answer) == expected
    for reply in answer.replies:
        assert all(isinstance(value, str) and value.strip() for value in reply.params.values()), reply
        if reply.response.startswith("utter_office_no_"):
            assert dict(reply.params) == {"name": reply.params["name"]}
    office_roles = [reply for reply in answer.replies if reply.response == "utter_office_roles"]
    assert all(reply.params["roles"] for reply in office_roles)


def test_overview_of_an_office_without_roles_says_it_has_none(small_kb: Knowledge) -> None:
    answer = answer_question(small_kb, "ask_overview", office("middle"), None)
    assert names(answer) == ["utter_office_overview", "utter_office_no_roles"]
    assert answer.replies[1] == Reply("utter_office_no_roles", {"name": "ミドルオフィス"})
    assert answer.topic == "office:middle"


def test_overview_of_an_office_without_role_in_company_has_no_empty_line(small_kb: Knowledge) -> None:
    assert not small_kb.offices["middle"].role_in_company
    overview = answer_question(small_kb, "ask_overview", office("middle"), None).replies[0]
    assert all(value.strip() for value in overview.params.values()), overview


# ---------------------------------------------------------------------------
# Exhaustive: every reply of every intent fills its template completely
# ---------------------------------------------------------------------------


def template_problems(
    reply: Reply, responses: Mapping[str, Sequence[Mapping[str, Any]]], kb: Knowledge
) -> List[str]:
    """Everything wrong with one reply, as readable strings (empty when it renders cleanly)."""
    where = f"{reply.response} {dict(reply.params)}"
    if reply.response not in responses:
        return [f"{where}: response not in responses.yml"]
    problems = []
    clash = UTTER_MESSAGE_KEYWORDS & set(reply.params)
    if clash:
        problems.append(f"{where}: params {sorted(clash)} clash with utter_message keywords")
    for value in reply.params.values():
        if not isinstance(value, str):
            problems.append(f"{where}: non-string value {value!r}")
    for variation in responses[reply.response]:
        template = variation["text"]
        placeholders = set(PLACEHOLDER.findall(template))
        missing = placeholders - set(reply.params)
        if missing:
            problems.append(f"{where}: no value for {sorted(missing)}")
            continue
        unused = set(reply.params) - placeholders - ALLOWED_UNUSED_PARAMS.get(reply.response, set())
        if unused:
            problems.append(f"{where}: params {sorted(unused)} not used by the template")
        empty = sorted(key for key in placeholders if not str(reply.params[key]).strip())
        if empty:
            problems.append(f"{where}: empty {empty}")
        text = interpolate_text(template, dict(reply.params))
        if placeholders and (text == template or PLACEHOLDER.search(text)):
            problems.append(f"{where}: Rasa would not fill the template")
        if "sources" in placeholders:
            cited = re.findall(r"「([^「」]*)」", reply.params["sources"])
            unknown = [title for title in cited if title not in kb.sources.values()]
            expected = LIST_SEPARATOR.join(
                f"「{t}」" if len(cited) == 1 else f"［{n}］「{t}」" for n, t in enumerate(cited, start=1)
            )
            numbers = {int(n) for n in re.findall(r"［(\d+)］", "".join(str(v) for k, v in reply.params.items()
                                                                   if k != "sources"))}
            if len(cited) > 1 and numbers != set(range(1, len(cited) + 1)):
                problems.append(f"{where}: facts cite {sorted(numbers)} of {len(cited)} sources")
            if not cited or unknown or reply.params["sources"] != expected:
                problems.append(f"{where}: sources {reply.params['sources']!r} are not titles from sources.yml")
    return problems


@pytest.mark.parametrize("intent", ALL_INTENTS)
def test_every_reply_fills_its_template(kb: Knowledge, responses: Dict[str, Any], intent: str) -> None:
    problems: List[str] = []
    seen = set()
    for entities, topic in subject_variants(kb):
        answer = answer_question(kb, intent, entities, topic)
        if not answer.replies:
            problems.append(f"{intent} {entities} {topic}: no reply at all")
        for reply in answer.replies:
            key = (reply.response, tuple(sorted(reply.params.items())))
            if key not in seen:
                seen.add(key)
                problems += template_problems(reply, responses, kb)
        if answer.topic is not None:
            assert resolve_subject(kb, subject_from_topic(answer.topic), None) != Subject(), answer.topic
    assert problems == [], "\n".join(problems[:20])
    assert seen  # The loop did check replies.


def test_template_check_catches_broken_replies(kb: Knowledge, responses: Dict[str, Any]) -> None:
    good = Reply("utter_role_office", {"name": HR, "office": BACK, "sources": titles(kb, SRC_003)})
    assert template_problems(good, responses, kb) == []
    broken = [
        Reply("utter_no_such_response", {}),
        Reply("utter_role_office", {"name": HR, "sources": titles(kb, SRC_003)}),
        Reply("utter_role_office", {"name": HR, "office": "", "sources": titles(kb, SRC_003)}),
        Reply("utter_role_office", {"name": HR, "office": BACK, "extra": "x", "sources": titles(kb, SRC_003)}),
        Reply("utter_role_office", {"name": HR, "office": BACK, "text": "x", "sources": titles(kb, SRC_003)}),
        Reply("utter_role_office", {"name": HR, "office": 3, "sources": titles(kb, SRC_003)}),  # type: ignore[dict-item]
        Reply("utter_role_overview", {"name": HR, "office": BACK, "summary": "x", "sources": "「無い記事」"}),
        Reply("utter_role_overview", {"name": HR, "office": BACK, "summary": "x", "sources": "article.txt"}),
    ]
    for reply in broken:
        assert template_problems(reply, responses, kb), reply


def test_every_response_the_code_can_send_exists(responses: Dict[str, Any]) -> None:
    source = (REPO_ROOT / "actions" / "queries.py").read_text(encoding="utf-8")
    literal = set(re.findall(r'"(utter_[a-z_]+)"', source))
    assert len(literal) > 20, "response names not found in queries.py"
    assert sorted(literal - set(responses)) == []
