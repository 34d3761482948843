"""The statement reader: people's own words about themselves → values on the diagnosis traits."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Dict, Optional

import pytest
import yaml

from actions.statements import (
    StatementReader,
    TraitReading,
    default_reader,
    load_lexicon,
)
from bot.knowledge.base import KnowledgeError, default_knowledge

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "knowledge" / "statements.yml"
TRAITS = tuple(default_knowledge().traits)


# The cases, with comments that name the rule each group exercises: text → {trait: value}
# for read(), and (text, asked trait) → value for read_answer().
CASES = yaml.safe_load(Path(__file__).with_suffix(".yml").read_text(encoding="utf-8"))
READ_CASES = [tuple(case) for case in CASES["read"]]
ANSWER_CASES = [tuple(case) for case in CASES["answers"] + CASES["mechanisms"]]


@pytest.mark.parametrize(("text", "expected"), READ_CASES, ids=[c[0] or "empty" for c in READ_CASES])
def test_read(reader: StatementReader, text: str, expected: Dict[str, int]) -> None:
    assert {trait: reading.value for trait, reading in reader.read(text).items()} == expected


@pytest.mark.parametrize(("text", "trait", "expected"), ANSWER_CASES,
                         ids=[f"{c[1]}:{c[0] or 'empty'}" for c in ANSWER_CASES])
def test_read_answer(reader: StatementReader, text: str, trait: str, expected: Optional[int]) -> None:
    assert reader.read_answer(text, trait) == expected


def test_when_asked_words_name_the_trait_only_when_asked(reader: StatementReader) -> None:
    assert "targets_pressure" not in reader.read("数字で見えるのがいい")
    assert reader.read_answer("数字を言われると萎縮します", "targets_pressure") == -2


def test_cases_cover_every_trait() -> None:
    traits = {trait for _, expected in READ_CASES for trait in expected}
    traits |= {trait for _, trait, _ in ANSWER_CASES}
    assert traits == set(TRAITS)


# --- evidence ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "trait", "evidence"), [
    ("土日は休みたいし、ノルマも嫌", "regular_holidays", "土日は休みたい"),
    ("土日は休みたいし、ノルマも嫌", "targets_pressure", "ノルマも嫌"),
    ("うーん、電話対応は苦手です。", "talk_people", "電話対応は苦手です"),
    ("プレゼンは得意だけど、好きではない", "talk_people", "プレゼンは得意だけど、好きではない"),
    ("大勢でわいわいするより、静かに自分のペースで進めたいです!", "talk_people",
     "大勢でわいわいするより、静かに自分のペースで進めたいです"),
    ("接客は苦手。でも、電話なら平気", "talk_people", "接客は苦手。でも、電話なら平気"),
    ("ＰＣに向かって黙々とやるのが好き", "talk_people", "ＰＣに向かって黙々とやるのが好き"),
])
def test_evidence_quotes_the_users_words(reader: StatementReader, text: str, trait: str, evidence: str) -> None:
    reading = reader.read(text)[trait]
    assert reading == TraitReading(trait, reading.value, evidence)


def test_readings_are_in_range(reader: StatementReader) -> None:
    for text, _ in READ_CASES:
        for trait, reading in reader.read(text).items():
            assert trait in TRAITS and -2 <= reading.value <= 2 and reading.trait == trait


def test_reading_is_fast(reader: StatementReader) -> None:
    texts = [text for text, _ in READ_CASES]
    for text in texts:  # warm-up: the tokenizer and its cache
        reader.read(text)
    start = time.perf_counter()
    for text in texts:
        reader.read(text + "。")  # new strings: the token cache does not help
    per_message = (time.perf_counter() - start) / len(texts)
    assert per_message < 0.005


def test_default_reader_is_cached() -> None:
    assert default_reader() is default_reader()


def test_default_reader_follows_knowledge_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    data["traits"]["talk_people"]["own"].append("カラオケ")
    (tmp_path / "statements.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path))
    default_reader.cache_clear()
    try:
        assert default_reader().read("カラオケが好き") == {
            "talk_people": TraitReading("talk_people", 2, "カラオケが好き")}
    finally:
        default_reader.cache_clear()


# --- lexicon errors ----------------------------------------------------------------------


def _write_broken(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "statements.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    # The trait ids are checked against traits.yml next to the lexicon.
    (tmp_path / "traits.yml").write_text((LEXICON_PATH.parent / "traits.yml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    return path


def test_the_shipped_lexicon_loads() -> None:
    lexicon = load_lexicon(LEXICON_PATH)
    assert set(lexicon.traits) == set(TRAITS)


@pytest.mark.parametrize(("edit", "entry"), [
    (lambda d: d["traits"]["talk_people"]["own"].append(""), "traits.talk_people.own"),
    (lambda d: d["traits"]["talk_people"]["own"].append("会話"), "traits.talk_people.own"),
    (lambda d: d["traits"]["talk_people"]["opposite"].append("会話"), "traits.talk_people.opposite"),
    (lambda d: d["traits"].update(charm={"own": ["笑顔"], "opposite": ["無表情"]}), "traits.charm"),
    (lambda d: d["traits"]["talk_people"].pop("opposite"), "traits.talk_people"),
    (lambda d: d["predicates"]["positive"].append({"text": "好き", "pos": 3}), "predicates.positive"),
    (lambda d: d["predicates"]["positive"].append({"text": "とても 好き", "pos": "形状詞"}), "predicates.positive"),
    (lambda d: d["predicates"]["negative"].append("好き"), "predicates.negative"),
    (lambda d: d["predicates"].update(lukewarm=["微温い"]), "predicates.lukewarm"),
    (lambda d: d["predicates"]["positive"].append(["好き"]), "predicates.positive"),
    (lambda d: d.pop("negators"), "negators"),
    (lambda d: d.update(hedges=[]), "hedges"),
    (lambda d: d.pop("traits"), "traits"),
    (lambda d: d["indifference"].pop("when_negated"), "indifference.when_negated"),
    (lambda d: d.update(hesitations="うーん"), "hesitations"),
])
def test_bad_lexicon_names_the_entry(tmp_path: Path, edit, entry: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KnowledgeError) as raised:
        load_lexicon(_write_broken(tmp_path, edit))
    assert raised.value.file == "statements.yml"
    assert raised.value.entry.startswith(entry)


def test_unreadable_lexicon(tmp_path: Path) -> None:
    path = tmp_path / "statements.yml"
    path.write_text("traits: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="statements.yml"):
        load_lexicon(path)
    with pytest.raises(KnowledgeError, match="cannot be read"):
        load_lexicon(tmp_path / "missing" / "statements.yml")
