"""Tests for ``bot/knowledge/base.py``: the real knowledge base, and every way a broken one is refused."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, List, Mapping, Tuple

import pytest

from bot.knowledge.base import (
    FILES,
    Distinction,
    Fact,
    Knowledge,
    KnowledgeError,
    Role,
    TraitWeight,
    load_knowledge,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
# Entity name the knowledge base gives roles (``role`` is reserved in Rasa entity annotations).
JOB = "job"
REAL_KNOWLEDGE_DIR = REPO_ROOT / "data" / "knowledge"
# CI and developers have shared/ beside the clone.
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"
SEED_FILES = frozenset(
    {
        "000_867159561cb1755e.txt",
        "001_ea5803cd594d1308.txt",
        "002_bd7e68b017b3b5f9.txt",
        "003_6d91e0db5fb450d8.txt",
        "004_eac0b46221fd8d2e.txt",
    }
)
EXPECTED_ROLE_IDS = (
    "sales",
    "retail",
    "customer_support",
    "call_center",
    "marketing",
    "general_clerical",
    "sales_assistant",
    "accounting",
    "hr",
    "general_affairs",
    "it_systems",
    "legal",
    "middle_office_work",
)
# Ads and prices at the end of the articles are not knowledge.
AD_PATTERNS = (
    re.compile("WARC", re.IGNORECASE),
    re.compile("Zキャリア"),
    re.compile("freee", re.IGNORECASE),
    re.compile("マネーフォワード"),
    re.compile("GMO"),
    re.compile(r"円\s*[~〜～]"),  # 月1,980円~(税抜)
    re.compile(r"月\s*[0-9０-９][0-9０-９,，]*\s*円"),  # 月 800円
    re.compile("税抜"),
)


# --------------------------------------------------------------------------- helpers


def walk(value: Any, path: str = "kb") -> Iterator[Tuple[str, Any]]:
    """Every value reachable from ``value`` through dataclass fields, mappings and sequences."""
    yield path, value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from walk(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from walk(key, f"{path}[key {key!r}]")
            yield from walk(item, f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from walk(item, f"{path}[{i}]")


def cited_sources(kb: Knowledge) -> List[Tuple[str, str]]:
    """``(path, source)`` for every citation: any ``source`` field and any ``sources`` tuple."""
    found = []
    for path, value in walk(kb):
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = {f.name for f in dataclasses.fields(value)}
            if "source" in names:
                found.append((f"{path}.source", value.source))
            if "sources" in names and not isinstance(value, Knowledge):
                found.extend((f"{path}.sources", s) for s in value.sources)
    return found


@pytest.fixture(scope="module")
def real_kb() -> Knowledge:
    return load_knowledge(REAL_KNOWLEDGE_DIR)


# --------------------------------------------------------------------------- real data


def test_real_knowledge_loads_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KNOWLEDGE_DIR", raising=False)
    kb = load_knowledge()
    assert set(kb.roles) == set(EXPECTED_ROLE_IDS)


def test_real_knowledge_has_expected_roles_and_offices(real_kb: Knowledge) -> None:
    assert sorted(real_kb.roles) == sorted(EXPECTED_ROLE_IDS)
    assert set(real_kb.offices) == {"front", "back", "middle"}
    assert real_kb.differences, "topics.yml: the front/back comparison is empty"


@pytest.mark.parametrize("role_id", EXPECTED_ROLE_IDS)
def test_real_role_is_complete(real_kb: Knowledge, role_id: str) -> None:
    role: Role = real_kb.roles[role_id]
    assert role.office in real_kb.offices
    assert role.summary.text.strip()
    assert len(role.traits) >= 3, f"{role_id} has only {len(role.traits)} trait weights"
    for trait_id, weight in role.traits.items():
        assert trait_id in real_kb.traits
        assert isinstance(weight, TraitWeight) and -2 <= weight.weight <= 2


def test_every_office_has_roles(real_kb: Knowledge) -> None:
    for office_id in ("front", "back", "middle"):
        assert real_kb.roles_in(office_id), f"no role in office {office_id}"
    assert [r.id for r in real_kb.roles_in("front")][:1] == ["sales"]


def test_sources_are_exactly_the_seed_articles(real_kb: Knowledge) -> None:
    assert set(real_kb.sources) == SEED_FILES
    if SEEDS_DIR.is_dir():
        on_disk = {p.name for p in SEEDS_DIR.glob("*.txt")}
        assert SEED_FILES == on_disk


def test_every_fact_cites_a_seed_article(real_kb: Knowledge) -> None:
    citations = cited_sources(real_kb)
    # Guard against the walk silently finding nothing (e.g. if the dataclasses change shape).
    assert len(citations) > 200
    assert any(".roles['hr'].traits['support_others'].source" in path for path, _ in citations)
    assert any(".differences[0].source" in path for path, _ in citations)
    bad = [(path, source) for path, source in citations if source not in SEED_FILES]
    assert not bad, bad


def test_walk_sees_every_fact(real_kb: Knowledge) -> None:
    facts = [v for _, v in walk(real_kb) if isinstance(v, Fact)]
    expected = sum(
        len(getattr(role, f.name)) if isinstance(getattr(role, f.name), tuple) else 1
        for role in real_kb.roles.values()
        for f in dataclasses.fields(role)
        if f.name in ("summary", "duties", "skills", "rewarding", "hard", "fits", "styles")
    )
    role_facts = [v for p, v in walk(real_kb.roles) if isinstance(v, Fact)]
    assert len(role_facts) == expected
    assert len(facts) > len(role_facts)


def test_no_ads_or_prices_in_knowledge(real_kb: Knowledge) -> None:
    texts = [(path, value) for path, value in walk(real_kb) if isinstance(value, str)]
    assert len(texts) > 300
    hits = [(path, p.pattern, text) for path, text in texts for p in AD_PATTERNS if p.search(text)]
    assert not hits, hits


def test_no_ads_or_prices_in_raw_files() -> None:
    for name in FILES:
        raw = (REAL_KNOWLEDGE_DIR / name).read_text(encoding="utf-8")
        for pattern in AD_PATTERNS:
            assert not pattern.search(raw), f"{name}: {pattern.pattern}"


@pytest.mark.parametrize(
    "pattern_text, should_hit",
    [
        ("WARCエージェントに相談", True),
        ("Zキャリアのエージェント", True),
        ("人事労務freee", True),
        ("マネーフォワードクラウド", True),
        ("GMO電子印鑑Agree", True),
        ("月1,980円~(税抜)", True),
        ("月 800円", True),
        ("業務を円滑に進める", False),
        ("1円単位で正確に数字を扱う", False),
    ],
)
def test_ad_patterns_catch_the_ads_in_the_articles(pattern_text: str, should_hit: bool) -> None:
    assert any(p.search(pattern_text) for p in AD_PATTERNS) is should_hit


@pytest.mark.parametrize(
    "alias, target",
    [
        ("hr", (JOB, "hr")),
        ("人事", (JOB, "hr")),
        ("人事・労務", (JOB, "hr")),
        ("フロント", ("office", "front")),
        ("フロントオフィス", ("office", "front")),
        ("バック", ("office", "back")),
        ("間接部門", ("office", "back")),
        ("ミドル", ("office", "middle")),
        ("経理", (JOB, "accounting")),
        ("営業", (JOB, "sales")),
        ("営業事務", (JOB, "sales_assistant")),
        ("情シス", (JOB, "it_systems")),
        ("社内se", (JOB, "it_systems")),
        ("コールセンタ", (JOB, "call_center")),
        ("ミドルオフィスの業務", (JOB, "middle_office_work")),
    ],
)
def test_real_alias_table(real_kb: Knowledge, alias: str, target: Tuple[str, str]) -> None:
    assert real_kb.aliases()[alias] == target


def test_alias_table_keys_are_case_folded(real_kb: Knowledge) -> None:
    table = real_kb.aliases()
    assert "HR" not in table and "SE" not in "".join(table)
    for role in real_kb.roles.values():
        for alias in (role.name, *role.aliases):
            assert table[alias.casefold()] == (JOB, role.id)
    for office in real_kb.offices.values():
        for alias in (office.name, *office.aliases):
            assert table[alias.casefold()] == ("office", office.id)


# Names that are not another spelling of a role: the articles never equate them with it.
NOT_ALIASES = ("財務", "財務部")


@pytest.mark.parametrize("name", NOT_ALIASES)
def test_names_no_article_equates_with_a_role_are_not_aliases(real_kb: Knowledge, name: str) -> None:
    # 「経理と財務の違い」 must not be answered 「同じ仕事です」.
    assert name.casefold() not in real_kb.aliases()


def test_names_the_articles_use_are_aliases(real_kb: Knowledge) -> None:
    table = real_kb.aliases()
    # 004's comparison table lists 窓口受付 among the front office's main duties.
    assert table["窓口受付"] == ("office", "front")
    # 002 calls the back office 「いわば後方支援部隊」.
    assert table["後方支援部隊"] == ("office", "back")
    # 003: 人事・労務職 covers 人事業務 and 労務業務.
    assert table["労務"] == (JOB, "hr")
    # 003: the finance middle office manages trades and analyses their risks.
    assert table["リスク分析"] == (JOB, "middle_office_work")


@pytest.mark.parametrize(
    "a, b, role_id",
    [
        ("人事", "労務", "hr"),
        ("労務", "人事", "hr"),
        ("人事部", "労務", "hr"),
        ("採用担当", "労務", "hr"),
        ("新規開拓営業", "ルート営業", "sales"),
        ("取引管理", "リスク管理", "middle_office_work"),
    ],
)
def test_real_distinctions(real_kb: Knowledge, a: str, b: str, role_id: str) -> None:
    found = real_kb.distinction(a, b)
    assert isinstance(found, Distinction)
    assert found.role == role_id
    assert found.facts and all(fact.source in SEED_FILES for fact in found.facts)


def test_real_distinction_of_hr_and_labor_says_what_each_part_covers(real_kb: Knowledge) -> None:
    found = real_kb.distinction("人事", "労務")
    assert found is not None
    texts = "\n".join(fact.text for fact in found.facts)
    for duty in ("採用活動", "研修", "人事異動", "給与計算", "社会保険", "勤怠管理"):
        assert duty in texts
    assert found.facts[0].source == "003_6d91e0db5fb450d8.txt"


def test_every_distinction_pairs_two_names_of_its_role(real_kb: Knowledge) -> None:
    assert real_kb.distinctions
    table = real_kb.aliases()
    for entry in real_kb.distinctions:
        assert len(entry.terms) == 2
        assert {table[term.casefold()] for term in entry.terms} == {(JOB, entry.role)}


@pytest.mark.parametrize(
    "a, b",
    [("人事", "人事"), ("経理", "会計"), ("人事", "経理"), ("販売", "接客"), ("財務", "経理"), ("", "労務")],
)
def test_names_without_a_distinction(real_kb: Knowledge, a: str, b: str) -> None:
    assert real_kb.distinction(a, b) is None


@pytest.mark.parametrize(
    "office_id, field_name",
    [
        ("middle", "merits"),  # 003: 高い専門性を身につけたい人にとっては魅力的なキャリアパス
        ("middle", "rewarding"),  # 003: 会社の経営を健全に保つための重要な役割
        ("front", "problems"),  # 000: フロントオフィスが過剰に業務を抱えると…
        ("front", "kpis"),  # 000: 新規顧客獲得コスト、平均対応時間、解約率、NPS
        ("back", "problems"),  # 001: 属人性, 人材の確保, 改善の遅れ
    ],
)
def test_office_fields_the_articles_cover_are_filled(real_kb: Knowledge, office_id: str, field_name: str) -> None:
    assert getattr(real_kb.offices[office_id], field_name)


# --------------------------------------------------------------------------- fixture sanity


def test_sample_knowledge_loads(knowledge_dir: Path) -> None:
    kb = load_knowledge(knowledge_dir)
    assert list(kb.roles) == ["sales", "accounting", "sales_assistant"]
    assert [r.id for r in kb.roles_in("back")] == ["accounting", "sales_assistant"]
    assert kb.roles_in("middle") == []
    assert set(kb.offices) == {"front", "back", "middle"}
    assert len(kb.sources) == 2 and len(kb.traits) == 2
    assert kb.aliases()["fin"] == (JOB, "accounting")
    assert kb.aliases()["営業事務"] == (JOB, "sales_assistant")
    assert kb.roles["sales"].traits["steady_accuracy"].weight == -1
    assert kb.roles["sales"].styles[0].title == "ルート営業"


def test_knowledge_dir_env_is_used(knowledge_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_dir))
    assert set(load_knowledge().roles) == {"sales", "accounting", "sales_assistant"}


def test_edit_knowledge_writes_the_change(edit_knowledge: Callable, knowledge_dir: Path) -> None:
    def rename(data: dict) -> None:
        data["roles"][0]["name"] = "セールス"

    assert edit_knowledge("roles.yml", rename) == knowledge_dir
    assert load_knowledge(knowledge_dir).roles["sales"].name == "セールス"


# --------------------------------------------------------------------------- failures


def _role(index: int) -> Callable[[dict], dict]:
    return lambda data: data["roles"][index]


def _set_duty_source(data: dict) -> None:
    del data["roles"][0]["duties"][1]["source"]


def _unknown_summary_source(data: dict) -> None:
    data["roles"][1]["summary"]["source"] = "999_unknown.txt"


def _duplicate_role_alias(data: dict) -> None:
    data["roles"][1]["aliases"].append("営業")


def _duplicate_alias_case_insensitive(data: dict) -> None:
    data["roles"][2]["aliases"].append("ｆｉｎ")


def _role_uses_office_alias(data: dict) -> None:
    data["roles"][0]["aliases"].append("フロント")


def _role_unknown_office(data: dict) -> None:
    data["roles"][1]["office"] = "side"


def _unknown_trait(data: dict) -> None:
    data["roles"][1]["traits"]["loves_numbers"] = {"weight": 1, "reason": "r", "source": "article_a.txt"}


def _weight(value: Any) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["roles"][1]["traits"]["steady_accuracy"]["weight"] = value

    return change


def _duplicate_role_id(data: dict) -> None:
    data["roles"][2]["id"] = "accounting"


def _missing_summary(data: dict) -> None:
    del data["roles"][1]["summary"]


def _missing_middle(data: dict) -> None:
    del data["offices"][2]


def _office_side(data: dict) -> None:
    data["offices"][2]["id"] = "side"


def _empty_roles(data: dict) -> None:
    data["roles"] = []


def _trait_unknown_source(data: dict) -> None:
    data["traits"][1]["sources"].append("nope.txt")


def _office_fact_without_source(data: dict) -> None:
    del data["offices"][1]["features"][0]["source"]


def _difference_unknown_source(data: dict) -> None:
    data["differences"][0]["source"] = "nope.txt"


def _trait_weight_without_reason(data: dict) -> None:
    del data["roles"][0]["traits"]["talk_people"]["reason"]


def _style_without_name(data: dict) -> None:
    del data["roles"][0]["styles"][0]["name"]


# (id, file edited, change, expected file name, regex the entry must match, words in the problem)
def _requires_unknown_trait(data: dict) -> None:
    data["office_requires"] = {"middle": ["loves_risk"]}


def _requires_unknown_office(data: dict) -> None:
    data["office_requires"] = {"side": ["steady_accuracy"]}


def _no_reject_replies(data: dict) -> None:
    data["confirmation"]["reject"] = []


def _trait_without_hint(data: dict) -> None:
    del data["traits"][0]["hint"]


FAILURES = [
    ("missing source on a duty", "roles.yml", _set_duty_source,
     "roles.yml", r"^roles\[0\] \(id=sales\)\.duties\[1\]$", "missing 'source'"),
    ("unknown source file", "roles.yml", _unknown_summary_source,
     "roles.yml", r"^roles\[1\] \(id=accounting\)\.summary$", "unknown source '999_unknown.txt'"),
    ("duplicate alias across two roles", "roles.yml", _duplicate_role_alias,
     "roles.yml", r"^roles(\[1\])? \(id=accounting\)$", "id=sales"),
    ("duplicate alias differing only in width and case", "roles.yml", _duplicate_alias_case_insensitive,
     "roles.yml", r"^roles(\[2\])? \(id=sales_assistant\)$", "id=accounting"),
    ("duplicate alias between a role and an office", "roles.yml", _role_uses_office_alias,
     "roles.yml", r"^roles(\[0\])? \(id=sales\)$", "id=front"),
    ("unknown office on a role", "roles.yml", _role_unknown_office,
     "roles.yml", r"^roles\[1\] \(id=accounting\)$", "unknown office 'side'"),
    ("unknown trait id", "roles.yml", _unknown_trait,
     "roles.yml", r"^roles\[1\] \(id=accounting\)\.traits\.loves_numbers$", "unknown trait"),
    ("weight out of range", "roles.yml", _weight(3),
     "roles.yml", r"^roles\[1\] \(id=accounting\)\.traits\.steady_accuracy$", "'weight'"),
    ("weight below range", "roles.yml", _weight(-3),
     "roles.yml", r"^roles\[1\] \(id=accounting\)\.traits\.steady_accuracy$", "'weight'"),
    ("weight not an int", "roles.yml", _weight("high"),
     "roles.yml", r"^roles\[1\] \(id=accounting\)\.traits\.steady_accuracy$", "'weight'"),
    ("weight is a bool", "roles.yml", _weight(True),
     "roles.yml", r"^roles\[1\] \(id=accounting\)\.traits\.steady_accuracy$", "'weight'"),
    ("weight is a float", "roles.yml", _weight(1.5),
     "roles.yml", r"^roles\[1\] \(id=accounting\)\.traits\.steady_accuracy$", "'weight'"),
    ("trait weight without reason", "roles.yml", _trait_weight_without_reason,
     "roles.yml", r"^roles\[0\] \(id=sales\)\.traits\.talk_people$", "'reason'"),
    ("duplicate role id", "roles.yml", _duplicate_role_id,
     "roles.yml", r"^roles\[2\] \(id=accounting\)$", "duplicate id"),
    ("missing summary", "roles.yml", _missing_summary,
     "roles.yml", r"^roles\[1\] \(id=accounting\)\.summary$", "mapping"),
    ("style without name", "roles.yml", _style_without_name,
     "roles.yml", r"^roles\[0\] \(id=sales\)\.styles\[0\]$", "'name'"),
    ("missing office 'middle'", "offices.yml", _missing_middle,
     "offices.yml", r"^offices$", "middle"),
    ("unknown office id 'side'", "offices.yml", _office_side,
     "offices.yml", r"^offices\[2\] \(id=side\)$", "unknown office id"),
    ("office fact without source", "offices.yml", _office_fact_without_source,
     "offices.yml", r"^offices\[1\] \(id=back\)\.features\[0\]$", "missing 'source'"),
    ("empty roles list", "roles.yml", _empty_roles,
     "roles.yml", r"^roles$", "non-empty list"),
    ("trait cites unknown source", "traits.yml", _trait_unknown_source,
     "traits.yml", r"^traits\[1\] \(id=steady_accuracy\)$", "unknown source 'nope.txt'"),
    ("middle office requires an unknown trait", "diagnosis.yml", _requires_unknown_trait,
     "diagnosis.yml", r"^office_requires\.middle$", "unknown trait 'loves_risk'"),
    ("an unknown office requires traits", "diagnosis.yml", _requires_unknown_office,
     "diagnosis.yml", r"^office_requires\.side$", "unknown office id"),
    ("no replies that turn a confirmation down", "diagnosis.yml", _no_reject_replies,
     "diagnosis.yml", r"^confirmation", "reject"),
    ("question without a hint", "traits.yml", _trait_without_hint,
     "traits.yml", r"^traits\[0\] \(id=talk_people\)$", "'hint'"),
    ("difference cites unknown source", "topics.yml", _difference_unknown_source,
     "topics.yml", r"^differences\[0\]$", "unknown source 'nope.txt'"),
]


@pytest.mark.parametrize(
    "edited_file, change, expected_file, entry_pattern, problem_words",
    [pytest.param(*case[1:], id=case[0]) for case in FAILURES],
)
def test_broken_knowledge_names_file_and_entry(
    edit_knowledge: Callable,
    edited_file: str,
    change: Callable[[dict], None],
    expected_file: str,
    entry_pattern: str,
    problem_words: str,
) -> None:
    directory = edit_knowledge(edited_file, change)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    error = caught.value
    assert Path(error.file).name == expected_file
    assert re.search(entry_pattern, error.entry), error.entry
    assert problem_words in error.problem
    message = str(error)
    assert expected_file in message and error.entry in message and error.problem in message


def test_invalid_yaml_names_the_file(knowledge_dir: Path) -> None:
    (knowledge_dir / "roles.yml").write_text("roles:\n  - id: sales\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(knowledge_dir)
    assert Path(caught.value.file).name == "roles.yml"
    assert "invalid YAML" in caught.value.problem
    assert "roles.yml" in str(caught.value)


@pytest.mark.parametrize("missing", FILES)
def test_missing_file_is_named(knowledge_dir: Path, missing: str) -> None:
    (knowledge_dir / missing).unlink()
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(knowledge_dir)
    assert Path(caught.value.file).name == missing
    assert "file not found" in caught.value.problem
    assert missing in str(caught.value)


def test_empty_file_is_refused(knowledge_dir: Path) -> None:
    (knowledge_dir / "traits.yml").write_text("", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(knowledge_dir)
    assert Path(caught.value.file).name == "traits.yml"
    assert caught.value.entry == "traits"


def test_knowledge_error_is_a_value_error() -> None:
    error = KnowledgeError("roles.yml", "roles[1] (id=accounting)", "duplicate id")
    assert isinstance(error, ValueError)
    assert str(error) == "roles.yml: roles[1] (id=accounting): duplicate id"


def test_alias_repeating_the_own_name_is_allowed(knowledge_dir: Path) -> None:
    # The fixture lists each role's name among its aliases too; that is not a duplicate.
    kb = load_knowledge(knowledge_dir)
    assert kb.roles["accounting"].name in kb.roles["accounting"].aliases


# --------------------------------------------------------------------------- distinctions


def _distinction(terms: List[str], role: str = "accounting", **extra: Any) -> dict:
    return {"terms": terms, "role": role, "facts": [{"text": "経理部は部署の名前です。", "source": "article_a.txt"}], **extra}


def _add_distinctions(*entries: Any) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["distinctions"] = list(entries)

    return change


def test_distinctions_are_optional(knowledge_dir: Path) -> None:
    kb = load_knowledge(knowledge_dir)
    assert kb.distinctions == ()
    assert kb.distinction("経理", "経理部") is None


def test_distinction_is_loaded_and_matched_by_alias_key(edit_knowledge: Callable) -> None:
    kb = load_knowledge(edit_knowledge("topics.yml", _add_distinctions(_distinction(["経理", "FIN"]))))
    expected = Distinction(("経理", "FIN"), "accounting", (Fact("経理部は部署の名前です。", "article_a.txt"),))
    assert kb.distinctions == (expected,)
    assert kb.distinction("経理", "FIN") == expected
    assert kb.distinction("ｆｉｎ", "経理") == expected  # either order, width and case folded
    assert kb.distinction(" 経理 ", "fin") == expected
    assert kb.distinction("経理", "経理部") is None
    assert kb.distinction("経理", "経理") is None
    assert kb.distinction("FIN", "fin") is None


def _distinction_change(raw: Any) -> Callable[[dict], None]:
    return _add_distinctions(raw)


DISTINCTION_FAILURES = [
    ("not a list", lambda data: data.update(distinctions={"terms": ["経理", "FIN"]}),
     r"^distinctions$", "must be a list"),
    ("entry not a mapping", _distinction_change("経理/FIN"), r"^distinctions\[0\]$", "mapping"),
    ("one term", _distinction_change(_distinction(["経理"])),
     r"^distinctions\[0\] \(terms=経理\)$", "two different names"),
    ("three terms", _distinction_change(_distinction(["経理", "経理部", "FIN"])),
     r"^distinctions\[0\]", "two different names"),
    ("same term twice, differing in case", _distinction_change(_distinction(["FIN", "fin"])),
     r"^distinctions\[0\]", "two different names"),
    ("terms missing", _distinction_change({"role": "accounting", "facts": []}),
     r"^distinctions\[0\]$", "two different names"),
    ("term not a string", _distinction_change(_distinction(["経理", 3])),
     r"^distinctions\[0\]$", "'terms'"),
    ("unknown role", _distinction_change(_distinction(["経理", "FIN"], role="finance")),
     r"^distinctions\[0\] \(terms=経理/FIN\)$", "unknown role 'finance'"),
    ("role missing", _distinction_change({"terms": ["経理", "FIN"], "facts": []}),
     r"^distinctions\[0\] \(terms=経理/FIN\)$", "'role'"),
    ("term of another role", _distinction_change(_distinction(["経理", "営業"])),
     r"^distinctions\[0\] \(terms=経理/営業\)$", "term '営業' is not a name or alias of role 'accounting'"),
    ("term no role has", _distinction_change(_distinction(["経理", "財務"])),
     r"^distinctions\[0\]", "term '財務'"),
    ("no facts", _distinction_change(_distinction(["経理", "FIN"], facts=[])),
     r"^distinctions\[0\] \(terms=経理/FIN\)$", "'facts' must be a non-empty list"),
    ("fact without source", _distinction_change(_distinction(["経理", "FIN"], facts=[{"text": "t"}])),
     r"^distinctions\[0\] \(terms=経理/FIN\)\.facts\[0\]$", "missing 'source'"),
    ("fact with unknown source", _distinction_change(_distinction(["経理", "FIN"], facts=[{"text": "t", "source": "x.txt"}])),
     r"^distinctions\[0\] \(terms=経理/FIN\)\.facts\[0\]$", "unknown source 'x.txt'"),
    ("same pair twice, in the other order",
     _add_distinctions(_distinction(["経理", "FIN"]), _distinction(["fin", "経理"])),
     r"^distinctions\[1\] \(terms=fin/経理\)$", "distinctions[0] (terms=経理/FIN)"),
]


@pytest.mark.parametrize(
    "change, entry_pattern, problem_words",
    [pytest.param(*case[1:], id=case[0]) for case in DISTINCTION_FAILURES],
)
def test_broken_distinction_names_file_and_entry(
    edit_knowledge: Callable, change: Callable[[dict], None], entry_pattern: str, problem_words: str
) -> None:
    directory = edit_knowledge("topics.yml", change)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    error = caught.value
    assert Path(error.file).name == "topics.yml"
    assert re.search(entry_pattern, error.entry), error.entry
    assert problem_words in error.problem, error.problem


# --------------------------------------------------------------------------- command line


def _run_cli(directory: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "KNOWLEDGE_DIR": str(directory)}
    return subprocess.run(
        [sys.executable, "-m", "actions.check"],
        cwd=str(REPO_ROOT),
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_reports_broken_knowledge(edit_knowledge: Callable) -> None:
    directory = edit_knowledge("roles.yml", _duplicate_role_id)
    result = _run_cli(directory)
    assert result.returncode == 1
    assert "roles.yml" in result.stderr
    assert "roles[2] (id=accounting)" in result.stderr
    assert "duplicate id" in result.stderr
    assert "Knowledge base OK" not in result.stdout


def test_cli_accepts_valid_knowledge(knowledge_dir: Path) -> None:
    result = _run_cli(knowledge_dir)
    assert result.returncode == 0, result.stderr
    assert "Knowledge base OK: 3 offices, 3 roles, 2 sources." in result.stdout


def test_cli_checks_the_statement_lexicon_beside_the_facts(knowledge_dir: Path) -> None:
    (knowledge_dir / "statements.yml").write_text("traits: [", encoding="utf-8")
    result = _run_cli(knowledge_dir)
    assert result.returncode == 1
    assert "statements.yml" in result.stderr
