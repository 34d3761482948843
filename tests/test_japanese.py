"""Tests for ``bot/knowledge/japanese.py``: normalisation, kana conversion, alias matching.

The matcher tests use the real knowledge base aliases and the real SudachiPy analyzer, and
the analyzer tests pin the tokens SudachiDict-core gives today: a different dictionary
version that splits or normalises differently will (deliberately) fail them.
"""

from __future__ import annotations

import itertools
import unicodedata
from typing import List, Optional, Sequence, Tuple

import pytest

from bot.knowledge.base import load_knowledge
from bot.knowledge.japanese import (
    ISSUE_EMPTY,
    ISSUE_NO_WORDS,
    ISSUE_TOO_LONG,
    AliasMatcher,
    Analyzer,
    Match,
    Morpheme,
    normalize,
    sudachi_analyzer,
    to_katakana,
)

MAX_CHARS = 500
# Entity name the knowledge base gives roles (``role`` is reserved in Rasa entity annotations).
JOB = "job"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return sudachi_analyzer()


@pytest.fixture(scope="module")
def alias_matcher(analyzer: Analyzer) -> AliasMatcher:
    return AliasMatcher(load_knowledge().aliases(), analyzer)


def found(matcher: AliasMatcher, raw: str) -> List[Tuple[str, str, str, int, int]]:
    """Normalises ``raw`` like the NLU pipeline does, then lists the matches."""
    text = normalize(raw, MAX_CHARS).text
    matches = matcher.find(text)
    for match in matches:
        assert isinstance(match, Match)
        assert text[match.start : match.end] == match.text
    return [(m.entity, m.value, m.text, m.start, m.end) for m in matches]


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ＨＲとは", "HRとは"),  # full-width ASCII
        ("ＨＲ", "HR"),
        ("ｈｒ", "hr"),
        ("ﾏｰｹﾃｨﾝｸﾞ", "マーケティング"),  # half-width katakana with voiced marks
        ("ﾊﾞｯｸｵﾌｨｽ", "バックオフィス"),
        ("社内ＳＥ１２３", "社内SE123"),
        ("経理　と　人事", "経理 と 人事"),  # ideographic spaces
        ("  経理 \u3000\t\nとは  ", "経理 とは"),  # all whitespace collapses, ends trimmed
        ("経理\u200bとは", "経理とは"),  # zero-width space
        ("\ufeff人事\u200d部", "人事部"),  # BOM and zero-width joiner
        ("経理&amp;人事", "経理&人事"),  # entity unescaped
        ("&lt;経理&gt;", "<経理>"),  # escaped text stays literal
        ("人事の仕事", "人事の仕事"),  # already clean
        ("今日の天気は？", "今日の天気は?"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    result = normalize(raw, MAX_CHARS)
    assert result.text == expected
    assert result.issue is None


@pytest.mark.parametrize(
    "raw, kept",
    [
        ("<b>経理</b>とは", ["経理", "とは"]),
        ('<a href="https://example.com">人事</a>の仕事', ["人事", "の仕事"]),
        ("営業<br>事務", ["営業", "事務"]),
        ("<script>alert(1)</script>総務", ["総務"]),
    ],
)
def test_normalize_removes_html_tags(raw: str, kept: List[str]) -> None:
    result = normalize(raw, MAX_CHARS)
    assert "<" not in result.text and ">" not in result.text
    for word in kept:
        assert word in result.text
    assert "href" not in result.text and "/b" not in result.text
    assert result.issue is None


def test_normalize_tag_becomes_space_between_words() -> None:
    # A tag between two words must not glue them together (営業<br>事務 is not 営業事務).
    assert normalize("<b>経理</b>とは", MAX_CHARS).text == "経理 とは"
    assert normalize("営業<br>事務", MAX_CHARS).text == "営業 事務"


@pytest.mark.parametrize("raw", ["<経理>について", "年収は<300万>くらい?"])
def test_normalize_keeps_angle_brackets_that_are_not_tags(raw: str) -> None:
    text = normalize(raw, MAX_CHARS).text
    inner = raw[raw.index("<") + 1 : raw.index(">")]
    assert inner in text


@pytest.mark.parametrize(
    "raw, issue",
    [
        ("", ISSUE_EMPTY),
        ("   ", ISSUE_EMPTY),
        ("\u3000\n\t", ISSUE_EMPTY),
        (None, ISSUE_EMPTY),
        ("\u200b\u200b", ISSUE_EMPTY),
        ("<br><br>", ISSUE_EMPTY),
        ("&nbsp;", ISSUE_EMPTY),
        ("😀👍", ISSUE_NO_WORDS),
        ("！？…", ISSUE_NO_WORDS),
        ("!!!", ISSUE_NO_WORDS),
        ("・・・", ISSUE_NO_WORDS),
        ("経理", None),
        ("1", None),
        ("HR😀", None),
    ],
)
def test_normalize_issue(raw: Optional[str], issue: Optional[str]) -> None:
    result = normalize(raw, MAX_CHARS)
    assert result.issue == issue
    if issue == ISSUE_EMPTY:
        assert result.text == ""
    else:
        assert result.text


def test_issue_constants() -> None:
    assert (ISSUE_EMPTY, ISSUE_TOO_LONG, ISSUE_NO_WORDS) == ("empty", "too_long", "no_words")


@pytest.mark.parametrize("max_chars", [10, 500])
def test_normalize_too_long_is_cut(max_chars: int) -> None:
    raw = "経理の仕事について" * 600  # 5,400 characters
    result = normalize(raw, max_chars)
    assert result.issue == ISSUE_TOO_LONG
    assert len(result.text) == max_chars
    assert result.text == raw[:max_chars]


def test_normalize_5000_chars_of_ascii() -> None:
    result = normalize("a" * 5000, MAX_CHARS)
    assert result == ("a" * MAX_CHARS, ISSUE_TOO_LONG)


def test_normalize_exactly_max_chars_is_fine() -> None:
    assert normalize("あ" * MAX_CHARS, MAX_CHARS) == ("あ" * MAX_CHARS, None)
    assert normalize("あ" * (MAX_CHARS + 1), MAX_CHARS).issue == ISSUE_TOO_LONG


def test_normalize_length_is_measured_as_sent() -> None:
    # 1,200 characters sent, 599 once the runs of spaces collapse: the limit the reply quotes
    # (「500文字以内」) is what the user typed, so this is too long; the cut part is cleaned.
    raw = "経   " * 300
    result = normalize(raw, 600)
    assert result.issue == ISSUE_TOO_LONG
    assert result.text == " ".join(["経"] * 150)
    assert normalize("<b>経理</b>", 10) == ("経理", None)


# --------------------------------------------------------------------------- to_katakana


@pytest.mark.parametrize(
    "text, expected",
    [
        ("けいり", "ケイリ"),
        ("じんじのデメリット", "ジンジノデメリット"),
        ("経理のしごと", "経理ノシゴト"),
        ("ぁゖ", "ァヶ"),  # both ends of the converted range
        ("ゔ", "ヴ"),
        ("HRとは?", "HRトハ?"),
        ("カタカナ", "カタカナ"),
        ("人事部", "人事部"),
        ("", ""),
    ],
)
def test_to_katakana(text: str, expected: str) -> None:
    result = to_katakana(text)
    assert result == expected
    assert len(result) == len(text)


def test_to_katakana_leaves_non_hiragana_alone() -> None:
    text = "経理ケイリkeiri123ー・、。ゝゞ"  # ゝゞ are iteration marks, outside the range
    assert to_katakana(text) == text


# --------------------------------------------------------------------------- AliasMatcher


MATCH_CASES = [
    ("営業事務の仕事", [(JOB, "sales_assistant", "営業事務", 0, 4)]),
    ("営業と営業事務", [(JOB, "sales", "営業", 0, 2), (JOB, "sales_assistant", "営業事務", 3, 7)]),
    ("人事部について", [(JOB, "hr", "人事部", 0, 3)]),
    ("人事・労務の仕事", [(JOB, "hr", "人事・労務", 0, 5)]),
    ("けいりってなに", [(JOB, "accounting", "けいり", 0, 3)]),
    ("じんじのデメリット", [(JOB, "hr", "じんじ", 0, 3)]),
    ("えいぎょうじむ", [(JOB, "sales_assistant", "えいぎょうじむ", 0, 7)]),
    ("かいけいの仕事", [(JOB, "accounting", "かいけい", 0, 4)]),
    ("HRとは", [(JOB, "hr", "HR", 0, 2)]),
    ("ＨＲとは", [(JOB, "hr", "HR", 0, 2)]),
    ("ｈｒ", [(JOB, "hr", "hr", 0, 2)]),
    ("HR担当", [(JOB, "hr", "HR", 0, 2)]),
    ("chronoとhr", [(JOB, "hr", "hr", 7, 9)]),
    ("社内SEと情シスの違い", [(JOB, "it_systems", "社内SE", 0, 4), (JOB, "it_systems", "情シス", 5, 8)]),
    ("社内ＳＥ", [(JOB, "it_systems", "社内SE", 0, 4)]),
    ("バックオフィスの経理", [("office", "back", "バックオフィス", 0, 7), (JOB, "accounting", "経理", 8, 10)]),
    ("ﾊﾞｯｸｵﾌｨｽ", [("office", "back", "バックオフィス", 0, 7)]),
    ("フロントとバックの違い", [("office", "front", "フロント", 0, 4), ("office", "back", "バック", 5, 8)]),
    ("ミドルオフィスの業務", [(JOB, "middle_office_work", "ミドルオフィスの業務", 0, 10)]),
    ("ミドルオフィスとは", [("office", "middle", "ミドルオフィス", 0, 7)]),
    ("コールセンタ", [(JOB, "call_center", "コールセンタ", 0, 6)]),
    ("コールセンタの仕事", [(JOB, "call_center", "コールセンタ", 0, 6)]),
    ("オペレーターの仕事", [(JOB, "call_center", "オペレーター", 0, 6)]),
    ("PR担当", [(JOB, "marketing", "PR", 0, 2)]),
    ("経理と人事の違いは?", [(JOB, "accounting", "経理", 0, 2), (JOB, "hr", "人事", 3, 5)]),
    # Long katakana names typed in hiragana.
    ("ばっくおふぃすってなに", [("office", "back", "ばっくおふぃす", 0, 7)]),
    ("まーけてぃんぐの仕事", [(JOB, "marketing", "まーけてぃんぐ", 0, 7)]),
    ("ばっくあっぷ", []),
    # Katakana and Latin names must stand alone.
    ("バックアップの取り方", []),
    ("マーケットの動向", []),
    ("ミドルクラスの車", []),
    ("CHRONO", []),
    ("CSVで出力", []),
    ("PROの仕事", []),
    ("DOCSを読む", []),  # CS preceded by a letter
    # Readings shorter than three kana are too ambiguous: ジム (事務) is also a gym.
    ("ジムに通っています", []),
    # Nothing to find.
    ("今日の天気は？", []),
    ("コンピュータの使い方", []),
    ("", []),
]


@pytest.mark.parametrize("raw, expected", MATCH_CASES, ids=[c[0] or "<empty>" for c in MATCH_CASES])
def test_alias_matcher_real_aliases(
    alias_matcher: AliasMatcher, raw: str, expected: List[Tuple[str, str, str, int, int]]
) -> None:
    assert found(alias_matcher, raw) == expected


def test_chrono_is_not_hr(alias_matcher: AliasMatcher) -> None:
    for raw in ("CHRONO", "chrono", "ＣＨＲＯＮＯ", "synchronize"):
        assert all(value != "hr" for _, value, *_ in found(alias_matcher, raw)), raw


@pytest.mark.parametrize(
    "raw",
    [
        "ジンジャーエールが好き",  # ginger ale → hr
        "じんじゃにいきたい",  # 神社 in hiragana → hr
        "けいりんを見に行く",  # 競輪 → accounting
    ],
)
def test_reading_inside_unrelated_word_is_not_a_role(alias_matcher: AliasMatcher, raw: str) -> None:
    assert found(alias_matcher, raw) == []


def test_every_real_alias_is_found_in_a_sentence(alias_matcher: AliasMatcher) -> None:
    kb = load_knowledge()
    for role in kb.roles.values():
        for alias in (role.name, *role.aliases):
            text = normalize(f"{alias}について教えて", MAX_CHARS).text
            matches = alias_matcher.find(text)
            assert matches, alias
            assert (matches[0].entity, matches[0].value) == (JOB, role.id), alias
            assert matches[0].start == 0 and matches[0].end == len(text) - len("について教えて"), alias
    for office in kb.offices.values():
        for alias in (office.name, *office.aliases):
            matches = alias_matcher.find(f"{alias}について教えて")
            assert matches and (matches[0].entity, matches[0].value) == ("office", office.id), alias


# A tiny analyzer so the matcher's own logic can be checked without SudachiPy.
def _char_analyzer(table: Optional[dict] = None) -> Analyzer:
    readings = table or {}

    def analyze(text: str) -> Sequence[Morpheme]:
        return [Morpheme(i, i + 1, ch, readings.get(ch, to_katakana(ch))) for i, ch in enumerate(text)]

    return analyze


def test_alias_matcher_prefers_longest_overlapping_match() -> None:
    aliases = {"営業": (JOB, "short"), "営業事務": (JOB, "long"), "事務所": (JOB, "other")}
    matcher = AliasMatcher(aliases, _char_analyzer())
    assert [(m.value, m.start, m.end) for m in matcher.find("新営業事務所")] == [("long", 1, 5)]
    assert [(m.value, m.start, m.end) for m in matcher.find("営業の事務所")] == [("short", 0, 2), ("other", 3, 6)]


def test_alias_matcher_readings_need_kanji_and_min_length() -> None:
    readings = {"経": "ケイ", "理": "リ", "人": "ジン", "事": "ジ"}
    aliases = {"経理": (JOB, "accounting"), "事": (JOB, "short"), "かな": (JOB, "kana")}
    matcher = AliasMatcher(aliases, _char_analyzer(readings))
    assert [(m.value, m.text) for m in matcher.find("けいり")] == [("accounting", "けいり")]
    # 事 reads ジ: one character, below min_reading_length, so じ is not a match.
    assert matcher.find("じ") == []
    # With a lower limit it is.
    low = AliasMatcher(aliases, _char_analyzer(readings), min_reading_length=1)
    assert [(m.value, m.text) for m in low.find("じ")] == [("short", "じ")]


def test_alias_matcher_keeps_original_text_case() -> None:
    matcher = AliasMatcher({"HR": (JOB, "hr")}, _char_analyzer())
    assert matcher.find("Hr部門") == [Match(0, 2, JOB, "hr", "Hr")]


# --------------------------------------------------------------------------- SudachiPy analyzer


# text, then its morphemes in three rows: surfaces (the offsets follow them), normalised forms, readings.
ANALYZER_CASES = [
    ("人事部の仕事内容を教えて",
     ["人事部", "の", "仕事内容", "を", "教え", "て"],
     ["人事部", "の", "仕事内容", "を", "教える", "て"],
     ["ジンジブ", "ノ", "シゴトナイヨウ", "ヲ", "オシエ", "テ"]),
    ("問合せ", ["問合せ"], ["問い合わせ"], ["トイアワセ"]),
    ("コンピュータ", ["コンピュータ"], ["コンピューター"], ["コンピュータ"]),
    ("コールセンタ", ["コール", "センタ"], ["コール", "センター"], ["コール", "センタ"]),
    ("経理と人事の違いは?",
     ["経理", "と", "人事", "の", "違い", "は", "?"],
     ["経理", "と", "人事", "の", "違い", "は", "?"],
     ["ケイリ", "ト", "ジンジ", "ノ", "チガイ", "ハ", "?"]),
    ("", [], [], []),
]


@pytest.mark.parametrize("text, surfaces, forms, readings", ANALYZER_CASES,
                         ids=[c[0] or "<empty>" for c in ANALYZER_CASES])
def test_sudachi_analyzer_tokens(analyzer: Analyzer, text: str, surfaces: List[str], forms: List[str],
                                 readings: List[str]) -> None:
    assert "".join(surfaces) == text  # the case itself is consistent
    bounds = itertools.pairwise([0, *itertools.accumulate(len(surface) for surface in surfaces)])
    expected = [(begin, end, form, reading)
                for (begin, end), form, reading in zip(bounds, forms, readings, strict=True)]
    morphemes = analyzer(text)
    assert all(isinstance(m, Morpheme) for m in morphemes)
    assert [tuple(m) for m in morphemes] == expected


@pytest.mark.parametrize("text", ["人事部の仕事内容を教えて", "ＨＲと社内SEの違い", "けいりってなに😀"])
def test_sudachi_analyzer_offsets_cover_text(analyzer: Analyzer, text: str) -> None:
    morphemes = analyzer(text)
    assert morphemes[0].begin == 0 and morphemes[-1].end == len(text)
    for left, right in itertools.pairwise(morphemes):
        assert left.end == right.begin


def test_sudachi_analyzer_reports_missing_sudachipy(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args, **kwargs):
        if name == "sudachipy" or name.startswith("sudachipy."):
            raise ImportError("No module named 'sudachipy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match="SudachiPy is not installed"):
        sudachi_analyzer()


def test_normalized_text_is_nfkc_stable() -> None:
    for raw in ("ＨＲ", "ﾏｰｹﾃｨﾝｸﾞ", "①経理", "㈱人事"):
        text = normalize(raw, MAX_CHARS).text
        assert unicodedata.normalize("NFKC", text) == text
