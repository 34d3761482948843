"""Retrieval over every fact in the knowledge base: BM25 (bm25s) on SudachiPy normalised forms.

Handlers answer the questions they know (「経理のメリットは？」); this finds what the articles
say about anything else (「人事考課って何？」「車のタイヤのたとえ」「社員の給料を計算する部署」),
and tells when they say nothing about a word the user asked about (「経理の年収は？」).
Pure functions and a small index class without Rasa imports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

import bm25s
import numpy as np

from bot.knowledge.base import Fact, Knowledge, KnowledgeError, default_knowledge, knowledge_dir, read_yaml
from bot.knowledge.text import Token, fold, tokenize

# Words every question has, which say nothing about what is asked: they neither count for a
# match nor, unknown to the articles, make a question unanswerable.
QUESTION_WORDS = frozenset(
    """
    何 なに 教える 知る 仕事 する ある いる なる こと もの 方 ほう 人 感じ どう どんな 意味 言う 思う 聞く 分かる
    わかる 違い 違う 具体 具体的 詳しい 詳細 場合 部署 部門 職種 職 業務 内容 仕事内容 今 いま 私 僕 俺 自分
    あなた 誰 だれ いつ どこ どれ どっち どちら 何故 なぜ 良い いい よい 多い 少ない 大きい 本当 ほんと 実際
    説明 紹介 質問 回答 答え 記事 情報 ため よう 的 みたい 系 事 物 点 所 ところ 時 とき 的 さん 様 くれる
    もらう 欲しい ほしい 下さる くださる 頂く いただく 願う お願い 特徴 ざっくり 簡単 一言 一般 普通 最近 結局
    やっぱり やはり ちょっと 少し 全体 全部 色々 いろいろ 他 ほか その他 それぞれ 各 等 など 会社 企業 働く
    向く 合う 向き 向いてる 関係 について
    オフィス 入る 属する 当たる 中 上 下 前 後 次 今度 逆 一方 他方 場合 話 件 例 例えば たとえば
    """.split()
)


# Words that ask for a kind of answer the handlers give (merits, other names, demand ...):
# the articles answer them without using the word, so they never make a question unanswerable.
ASPECT_WORDS = frozenset(
    """
    メリット デメリット 長所 短所 欠点 利点 良さ 魅力 醍醐味
    やりがい やり甲斐 楽しさ 嬉しさ 瞬間 プラス マイナス マイナス面 ネガティブ
    苦労 大変 きつい キツい しんどい つらい 辛い 厳しい 不満 ストレス
    需要 業界 業種 指標 kpi 方法 方 やり方 進め方 コツ 工夫 改善 改善策 解消 効率 業務効率
    協力 連携 一緒 つながり 繋がり 関係 関係性 体制 別名 呼び方 言い方 呼び名 略称 正式名称 名前 名称 別称 和訳 英訳
    分類 種類 区分 一種 一覧 該当 所属 属する 扱い 代表 代表的 比較 違い 差 別物 問題 問題点 課題 悩み 理由 原因
    おすすめ お勧め タイプ 適性 向き 不向き 向き不向き 素質 性格 特性 能力 スキル 力 資質 条件 活躍 概要 基本 全般
    普段 一日 毎日 日常 流れ 中身 役目 目的 意義 必要 大事 大切 重要 ポイント 注意 注意点 気 心構え 将来性 今後 未来
    体力 人見知り 内向的 口下手 下手 上手 得意 苦手 好き 嫌い 無理 大丈夫 慎重 一人 人前
    """.split()
)


RETRIEVAL_FILE = "retrieval.yml"


@dataclass(frozen=True)
class Vocabulary:
    """Labels of retrieved facts and everyday equivalents of the articles' words (retrieval.yml)."""

    field_labels: Mapping[str, str]
    topic_labels: Mapping[str, str]
    everyday_words: Mapping[str, Tuple[str, ...]]


def load_vocabulary(directory: Optional[Path] = None) -> Vocabulary:
    """Reads ``retrieval.yml``; raises :class:`KnowledgeError` naming the entry on bad data."""
    directory = knowledge_dir(directory)
    path = directory / RETRIEVAL_FILE
    data = read_yaml(directory, RETRIEVAL_FILE)
    tables = {}
    for key in ("field_labels", "topic_labels", "everyday_words"):
        table = data.get(key) if isinstance(data, Mapping) else None
        if not isinstance(table, Mapping) or not table:
            raise KnowledgeError(str(path), key, "must map words to their values")
        for word, value in table.items():
            values = value if key == "everyday_words" else [value]
            if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
                raise KnowledgeError(str(path), f"{key}.{word}", "needs non-empty strings")
        tables[key] = table
    return Vocabulary(
        {str(k): str(v) for k, v in tables["field_labels"].items()},
        {str(k): str(v) for k, v in tables["topic_labels"].items()},
        {fold(str(k)): tuple(fold(v) for v in vs) for k, vs in tables["everyday_words"].items()},
    )




# Questions that ask for a number: amounts, durations, rates, counts. The articles give none
# (their only figures are in advertisements, which the knowledge leaves out), so such a
# question gets an honest answer instead of facts that happen to share a word.
FIGURE_WORDS = frozenset(
    """
    年収 月収 月給 初任給 時給 日給 年俸 手取り 賞与 ボーナス 給与額 相場 平均 倍率 割合 比率 パーセント 何パーセント
    ランキング 順位 統計 件数 人数 幾ら いくら 偏差値 求人数 求人倍率
    """.split()
)
# 何 + one of these, or 何時間 as one word: a count of something.
COUNTERS = frozenset("時間 時 年 人 件 割 円 日 回 倍 社 歳 万 点 ヶ月 か月 カ月 ヵ月 週 分 級 パーセント %".split())
# With どれくらい / どのくらい, these nouns make the question one about a number.
MEASURED = frozenset("給料 給与 収入 残業 労働時間 人数 費用 期間 年数 時間 休み 休日 日数".split())
_HOW_MUCH = frozenset({"どれくらい", "どのくらい", "どれぐらい", "どのぐらい", "どの位", "どれ位"})


def figure_words(tokens: Sequence[Token], vocabulary: Set[str]) -> List[str]:
    """The words of a question that ask for a number (年収, 何時間, 合格率 ...)."""
    found: List[str] = []
    how_much = any(phrase in "".join(t.surface for t in tokens) for phrase in _HOW_MUCH)
    for i, token in enumerate(tokens):
        word = token.surface
        if token.normalized in FIGURE_WORDS or word in FIGURE_WORDS:
            found.append(word)
        elif word.startswith("何") and word[1:] in COUNTERS:
            found.append(word)
        elif word == "何" and i + 1 < len(tokens) and tokens[i + 1].surface in COUNTERS:
            found.append(word + tokens[i + 1].surface)
        elif word.endswith("率") and len(word) > 1 and token.normalized not in vocabulary:
            found.append(word)
        elif how_much and token.normalized in MEASURED:
            found.append(word)
    return list(dict.fromkeys(found))


# The facts that say what a role or office is and does: its profile.
PROFILE_FIELDS = frozenset({"summary", "duties", "styles", "distinctions", "definition", "role_in_company"})


@dataclass(frozen=True)
class Passage:
    """One retrievable fact: its text, its article, and what it is about."""

    id: int
    text: str
    source: str
    # "role:<id>", "office:<id>" or "topic:<name>"; the name is shown to the user with the fact.
    about: str
    field: str
    title: str = ""

    @property
    def fact(self) -> Fact:
        """The passage as a knowledge fact, for the shared bullet and source formatting."""
        return Fact(self.text, self.source, self.title)


@dataclass(frozen=True)
class Hit:
    """A passage that matches a query, with its BM25 score and how much of the query it covers."""

    passage: Passage
    score: float
    coverage: float
    # Which of the query's word groups the passage holds.
    groups: FrozenSet[int] = frozenset()


@dataclass(frozen=True)
class Query:
    """The words of a question that retrieval looks for."""

    terms: Tuple[str, ...]
    # Content words the articles never use: what the question is about, if it is about anything.
    unknown: Tuple[str, ...]
    # Words asking for a kind of answer a handler gives (メリット, スキル, 需要).
    aspects: Tuple[str, ...] = ()
    # Words asking for a number (年収, 何時間, 合格率): the articles give none.
    figures: Tuple[str, ...] = ()
    # One group per word of the question: the word and its parts or everyday equivalents in
    # the articles (経費精算: 経費精算, 経費, 精算). A passage covers a word with any of them.
    groups: Tuple[Tuple[str, ...], ...] = ()
    # The groups that stand for nouns: what a question is about, rather than what is done.
    noun_groups: FrozenSet[int] = frozenset()

    @property
    def word_groups(self) -> Tuple[Tuple[str, ...], ...]:
        """The groups, or one group per term for a query built from terms alone."""
        return self.groups or tuple((term,) for term in self.terms)


def passages(kb: Knowledge) -> List[Passage]:
    """Every fact of the knowledge base, each once, with what it is about."""
    found: List[Tuple[str, str, Fact]] = []
    for office in kb.offices.values():
        about = f"office:{office.id}"
        found.append((about, "definition", office.definition))
        for name in ("other_names", "role_in_company", "features", "merits", "demerits", "rewarding", "fits",
                     "kpis", "problems", "efficiency", "industries", "trends", "skills_gained"):
            found += [(about, name, fact) for fact in getattr(office, name)]
    for role in kb.roles.values():
        about = f"role:{role.id}"
        found.append((about, "summary", role.summary))
        for name in ("duties", "skills", "rewarding", "hard", "fits", "styles"):
            found += [(about, name, fact) for fact in getattr(role, name)]
        found += [(about, "traits", weight.fact()) for weight in role.traits.values()]
    for trait in kb.traits.values():
        found.append((f"topic:{trait.label}", "trait", Fact(trait.description, trait.sources[0])))
    for row in kb.differences:
        text = f"{kb.offices['front'].name}は{row.front}{kb.offices['back'].name}は{row.back}"
        found.append(("topic:difference", "differences", Fact(text, row.source, row.aspect)))
    found += [("topic:interdependence", "interdependence", fact) for fact in kb.interdependence]
    found += [("topic:collaboration", "collaboration_tips", fact) for fact in kb.collaboration_tips]
    for distinction in getattr(kb, "distinctions", ()):
        found += [(f"role:{distinction.role}", "distinctions", fact) for fact in distinction.facts]
    unique: Dict[Tuple[str, str], Passage] = {}
    for about, name, fact in found:
        key = (fact.title, fact.text)
        if key not in unique:
            unique[key] = Passage(len(unique), fact.text, fact.source, about, name, fact.title)
    return list(unique.values())


def _terms(tokens: Sequence[Token]) -> List[str]:
    return [t.normalized for t in tokens if t.is_content and t.normalized.strip()]


def _parts(token: Token) -> List[Token]:
    """The short units of a compound (経費精算 → 経費, 精算), so that a part matches the whole."""
    parts = tokenize(token.surface, "A")
    return parts if len(parts) > 1 else []


def _index_terms(text: str) -> List[str]:
    terms = []
    for token in tokenize(text):
        if token.is_content and token.normalized.strip():
            terms.append(token.normalized)
            terms += _terms(_parts(token))
    return terms


# Joins the parts of a compound that a passage must all hold to hold the compound.
ALL_OF = "+"


def _holds(words: Set[str], group: Sequence[str]) -> bool:
    """Whether a passage's words hold one of the group's alternatives."""
    return any(all(part in words for part in alternative.split(ALL_OF)) for alternative in group)


def _is_question_word(token: Token) -> bool:
    forms = (token.normalized, token.lemma, token.surface)
    return any(form in QUESTION_WORDS or form in ASPECT_WORDS for form in forms)


def _could_be_a_topic(token: Token) -> bool:
    """A noun the articles never use may be what a question is about (年収, 離職率, TOEIC).

    Hiragana pieces (ふろ, おふ from a misspelt フロントオフィス) and numbers are not: they
    are more often typos or amounts than topics.
    """
    word = token.surface
    if token.pos != "名詞" or any(ch.isdigit() for ch in word) or len(word) < 2:
        return False
    return not all("ぁ" <= ch <= "ゖ" or ch == "ー" for ch in word)


def _is_kana(word: str) -> bool:
    return all("ぁ" <= ch <= "ゖ" or "ァ" <= ch <= "ヺ" or ch == "ー" for ch in word)


class FactIndex:
    """BM25 over the passages' normalised content words, with the subject's names as context."""

    def __init__(self, kb: Knowledge, vocabulary: Optional[Vocabulary] = None) -> None:
        self.kb = kb
        self.vocabulary_file = vocabulary or default_vocabulary()
        self.passages = passages(kb)
        names = self._subject_names(kb)
        corpus = []
        self._reading_to_term: Dict[str, str] = {}
        for passage in self.passages:
            text = f"{passage.title} {passage.text}"
            for token in tokenize(text):
                if token.is_content and not _is_kana(token.normalized):
                    self._reading_to_term.setdefault(token.reading, token.normalized)
            corpus.append(_index_terms(text) + names.get(passage.about, []))
        self.vocabulary: Set[str] = {term for doc in corpus for term in doc}
        document_frequency: Dict[str, int] = {}
        for doc in corpus:
            for term in set(doc):
                document_frequency[term] = document_frequency.get(term, 0) + 1
        n = len(corpus)
        # The same idf as BM25's (Lucene variant), for a coverage that BM25 scores do not give.
        self._idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in document_frequency.items()}
        self._doc_terms = [set(doc) for doc in corpus]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._vocab_ids = self._bm25.vocab_dict
        # What each role and office does, all in one: a description that spans several duties
        # (「見積書を作ったりデータを入力したりする仕事」) matches no single fact, but one profile.
        self._profiles: Dict[str, Set[str]] = {}
        for passage, terms in zip(self.passages, self._doc_terms, strict=True):
            if passage.field in PROFILE_FIELDS and not passage.about.startswith("topic:"):
                self._profiles.setdefault(passage.about, set()).update(terms)

    @staticmethod
    def _subject_names(kb: Knowledge) -> Dict[str, List[str]]:
        names: Dict[str, List[str]] = {}
        for office in kb.offices.values():
            names[f"office:{office.id}"] = _terms(tokenize(office.name))
        for role in kb.roles.values():
            names[f"role:{role.id}"] = _terms(tokenize(role.name))
        return names

    def query(self, text: str, ignore: Iterable[str] = ()) -> Query:
        """The content words of a question; kana spellings of article words count as those words.

        ``ignore`` are spans of the text (role and office names, jobs the user does now) that
        are not what is looked for.
        """
        skipped = {fold(part) for part in ignore if part}
        terms: List[str] = []
        unknown: List[str] = []
        aspects: List[str] = []
        groups: List[Tuple[str, ...]] = []
        noun_groups: Set[int] = set()
        tokens = tokenize(text)
        figures = figure_words(tokens, self.vocabulary)
        for token in tokens:
            if token.surface in figures or token.normalized in FIGURE_WORDS:
                continue
            if token.is_content and any(f in ASPECT_WORDS for f in (token.normalized, token.lemma, token.surface)):
                aspects.append(token.surface)
            if not token.is_content or _is_question_word(token):
                continue
            if any(token.surface in part for part in skipped):
                continue
            term = token.normalized
            if term not in self.vocabulary and _is_kana(term):
                term = self._reading_to_term.get(token.reading, term)
            parts = [p.normalized for p in _parts(token) if p.is_content and not _is_question_word(p)]
            everyday = [w for t in [term, *parts] for w in self.vocabulary_file.everyday_words.get(fold(t), ())]
            known = [t for t in [term, *parts, *everyday] if t in self.vocabulary]
            terms += known
            # The word is held by a passage that has it, an everyday equivalent, or all its parts.
            whole = [t for t in [term, *everyday] if t in self.vocabulary]
            known_parts = [p for p in parts if p in self.vocabulary]
            if known_parts and len(known_parts) == len(parts):
                whole.append(ALL_OF.join(known_parts))
            elif len(known_parts) == 1 and not whole:
                whole.append(known_parts[0])  # 英語力: 英語, the only part the articles use
            if whole:
                group = tuple(dict.fromkeys(whole))
                if group not in groups:
                    groups.append(group)
                if token.pos == "名詞":
                    noun_groups.add(groups.index(group))
            # A compound is unknown when one of its longer parts is: 離職率 (離職), not 経費精算.
            missing = not everyday and term not in self.vocabulary and (not parts or any(
                len(p) >= 2 and p not in self.vocabulary for p in parts))
            if missing and _could_be_a_topic(token):
                unknown.append(token.surface)
        return Query(tuple(dict.fromkeys(terms)), tuple(dict.fromkeys(unknown)), tuple(dict.fromkeys(aspects)),
                     tuple(figures), tuple(groups), frozenset(noun_groups))

    def search(self, query: Query, k: int = 5, about: Optional[str] = None) -> List[Hit]:
        """The best passages for the query's terms, optionally only those about one subject."""
        if not query.terms:
            return []
        ids = [self._vocab_ids[t] for t in query.terms if t in self._vocab_ids]
        if not ids:
            return []
        scores = np.asarray(self._bm25.get_scores(list(query.terms)))
        order = np.argsort(-scores, kind="stable")
        groups = query.word_groups
        total = self.group_weight(groups, range(len(groups))) or 1.0
        hits = []
        for index in order:
            if scores[index] <= 0:
                break
            passage = self.passages[int(index)]
            if about is not None and passage.about != about:
                continue
            words = self._doc_terms[int(index)]
            held = frozenset(i for i, group in enumerate(groups) if _holds(words, group))
            hits.append(Hit(passage, float(scores[index]), self.group_weight(groups, held) / total, held))
            if len(hits) >= k:
                break
        return hits


    def describe(self, query: Query) -> List[Tuple[str, float]]:
        """Roles and offices by how much of the query their profile holds, best first."""
        groups = query.word_groups
        total = self.group_weight(groups, range(len(groups)))
        if not total:
            return []
        found = []
        for about, words in self._profiles.items():
            held = [i for i, group in enumerate(groups) if _holds(words, group)]
            found.append((about, self.group_weight(groups, held) / total))
        return sorted(found, key=lambda item: -item[1])

    def group_weight(self, groups: Sequence[Tuple[str, ...]], held: Iterable[int]) -> float:
        """The idf weight of the given word groups: the rarest word of each."""
        return sum(max(self._idf.get(t, 0.0) for alt in groups[i] for t in alt.split(ALL_OF)) for i in set(held))

    def joint_coverage(self, query: Query, hits: Sequence[Hit]) -> float:
        """How much of the query the hits hold together (「NPSとか解約率って？」: two facts, one word each)."""
        groups = query.word_groups
        total = self.group_weight(groups, range(len(groups))) or 1.0
        return self.group_weight(groups, {i for hit in hits for i in hit.groups}) / total

    def contained(self, text: str, fields: Iterable[str], min_share: float) -> List[Hit]:
        """Passages of the given fields most of whose words the text says, best first.

        The other direction of :meth:`search`: 「数字を扱うのが好きです。電卓をたたいていると落ち着く」
        holds nearly all of 「数字を扱うのが好きな人」, though that fact covers little of the text.
        """
        said = set(_index_terms(text))
        wanted = set(fields)
        hits = []
        for index, passage in enumerate(self.passages):
            if passage.field not in wanted:
                continue
            terms = [t for t in self._doc_terms[index] if t not in QUESTION_WORDS]
            total = sum(self._idf.get(t, 0.0) for t in terms)
            if not total:
                continue
            share = sum(self._idf.get(t, 0.0) for t in terms if t in said) / total
            if share >= min_share:
                hits.append(Hit(passage, share, share))
        return sorted(hits, key=lambda hit: -hit.score)


@cache
def default_vocabulary() -> Vocabulary:
    """The retrieval vocabulary of the default knowledge directory, read once per process."""
    return load_vocabulary()


@cache
def default_index() -> FactIndex:
    """The index over the default knowledge base, built once per process."""
    return FactIndex(default_knowledge())
