"""Reads what people say about themselves as values on the diagnosis traits.

「土日は休みたいし、ノルマも嫌」 → regular_holidays +2, targets_pressure −2. The reader works on
SudachiPy tokens (:mod:`bot.knowledge.text`) and the lexicon in ``data/knowledge/statements.yml``;
no Rasa imports, so the action server and tests can use it alike.

How a statement is read:

1. Tokens are matched against the lexicon by normalized form (or lemma), longest entry
   first, so かもしれない is one hedge and its ない negates nothing. Inside an entry a polite
   ます may come in between and ません's ず stands for ない (苦になりません = 苦にならない).
2. The tokens are cut into clauses at sentence ends, 読点, し, contrast particles (けど, が,
   ですが), より, 〜もあれば, 〜ないと / 〜なければ, and after a reason (〜なので, 〜すぎて) that
   ends in a trait word. A clause cut at a 読点 that has nothing evaluative yet
   (「電話対応、接客は苦手」) is joined to the next one.
3. In a clause, each negator applies to the word it follows: a predicate (好きじゃない), a
   trait word (休めない) or an ordinary word, which takes it in (出勤しない). Verbs of saying
   and thinking (好きとは思わない), auxiliary verbs (接客はやらない) and みたい/よう take none;
   a verb between a trait word and its negator hands it on in a relative clause
   (「数字で測られない仕事」), as one after a predicate noun does (「やる気はあまり出ない」).
4. The clause's value is its last evaluative predicate with its negations, hedges and
   intensifiers (あまり makes a no mild, also in あまり向いてない and あまり気にしない);
   indifference (気にしない, 〜による, 「得意とも苦手とも言えない」, 「土日でも平日でも大丈夫」)
   makes it 0. A clause that ends in a trait word with no predicate says the person is so
   (「人見知りするほうです」; read for every trait only after a contrast). A clause that
   trails off after ちょっと is a polite no.
5. Each trait the clause names gets pole × value. A clause that names none speaks of the
   traits of the clause before (「プレゼンは得意だけど、好きではない」); after a reason that is a
   trait word it speaks of that trait itself (「人見知りなので無理」). What comes before
   より gets the opposite of what follows; the clause after より, or one that prefers
   something of its own (「体を動かすほうがいい」), is not about the trait asked. 〜ないと
   followed by a no says the thing is needed (「土日休みじゃないと困る」). A later clause
   decides a trait an earlier one spoke of; when they disagree the result is mild (±1), after
   〜もあれば it is 0, and an agreeing later clause keeps the stronger value (not after あまり). A clause with a
   noun of its own before は/が/も (「事務がいい」) does not inherit; one that asks
   (「好きですか」, 「いつでしたっけ」) says nothing.
6. In context: a trait word followed by a word that turns it round takes the other pole
   (「年末年始も働けます」, 「段取りが変わる」; ``reversed_by``); words that only name the topic
   weigh less than the others (「平日に連休」 is about 平日; ``general``); some words name a
   trait only when its question is asked (数字 for the targets; ``when_asked``). A predicate
   before 〜なら/〜たら only hedges (「必要なら」); 「何を話せばいいか」 asks; an answer word
   used as an adverb (普通に) says nothing; しか〜ない is not a negation; 「Xでも平気」 accepts
   even X, a clear value; 「好きなほう」 leans (±1 unless intensified).
7. Across clauses (answers): a concession before a contrast makes the turn mild, also when it
   names no trait (「難しそうだけど、やってみたい」); once the answer has turned it stays mild;
   after a reason (〜なので) the conclusion decides, and a reason at the end that agrees adds
   nothing; あまり/そこまで before a negated trait word is mild; a clause about a particular
   day (昨日) says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

import yaml

from bot.knowledge.base import KnowledgeError, knowledge_dir
from bot.knowledge.text import Token, fold, tokenize

FILE = "statements.yml"

# Roles an entry can play (Role.kind); a trait word's Role also has the trait and its pole.
PREDICATE = "predicate"
DESIRE = "desire"
NEGATOR = "negator"
MILD_NEGATION = "mild_negation"
STRONG_NEGATION = "strong_negation"
INTENSIFIER = "intensifier"
HEDGE = "hedge"
CONTRAST_PARTICLE = "contrast_particle"
CONTRAST_CONJUNCTION = "contrast_conjunction"
LINK = "link"
COMPARATIVE = "comparative"
INDIFFERENT = "indifferent"
INDIFFERENT_NEGATED = "indifferent_negated"
ANSWER = "answer"
TRAIT = "trait"
ORDINARY = "ordinary"
BALANCE = "balance"
SOFT_REFUSAL = "soft_refusal"

# Lists of the YAML file whose words only mark a role, with no pole or strength: key → role.
# Desires, the one flat list with both, are added on their own.
_MARKER_LISTS: Mapping[str, str] = {
    "negators": NEGATOR, "mild_negation": MILD_NEGATION, "strong_negation": STRONG_NEGATION,
    "intensifiers": INTENSIFIER, "hedges": HEDGE,
    "contrast_particles": CONTRAST_PARTICLE, "contrast_conjunctions": CONTRAST_CONJUNCTION,
    "link_particles": LINK, "comparatives": COMPARATIVE, "balance_links": BALANCE,
    "soft_refusals": SOFT_REFUSAL, "ordinary": ORDINARY,
}
_PREDICATE_LISTS: Mapping[str, Tuple[int, int]] = {
    "positive": (1, 2), "positive_mild": (1, 1), "negative": (-1, 2), "negative_mild": (-1, 1),
}
_ANSWER_LISTS: Mapping[str, Tuple[int, int]] = {
    "positive": (1, 2), "positive_mild": (1, 1), "negative": (-1, 2), "negative_mild": (-1, 1), "neutral": (0, 0),
}
_INDIFFERENCE_LISTS: Mapping[str, str] = {"phrases": INDIFFERENT, "when_negated": INDIFFERENT_NEGATED}
# Roles that can take a negator (the "items" of a clause).
_HEADS = frozenset({PREDICATE, DESIRE, TRAIT, INDIFFERENT_NEGATED, ANSWER})
# Content words that carry no meaning of their own and so do not take a negator:
# 好きというわけではない negates 好き, not わけ.
# Verbs of saying and thinking pass a negator on to what is said: 好きとは思わない negates 好き;
# 多い only says how much of what precedes there is (見落としが多い).
_TRANSPARENT = frozenset({"する", "為る", "ある", "有る", "居る", "いる", "成る", "なる", "言う", "いう",
                          "訳", "わけ", "事", "こと", "物", "もの", "方", "ほう", "の", "ん", "感じ", "所", "ところ",
                          "思う", "思える", "感じる", "感ずる", "申し上げる", "存ずる", "御座る",
                          "ござる", "多い", "繋がる", "つながる"})
# Verbs that do not make a wish their own: 避けさせていただきたい wishes to avoid.
_GIVING = frozenset({"頂く", "いただく", "下さる", "くださる", "貰う", "もらう", "せる", "させる"})
# Nouns that only frame what precedes them: 「エクセル作業なら」 is about エクセル.
_FRAME_NOUNS = frozenset({"作業", "タイプ", "系", "性格", "人間", "笑い", "笑", "w", "方", "ほう", "の", "ん",
                          "こと", "事", "もの", "物", "感じ",
                          # 「ケアレスミスの常習犯なので」: what kind of person one is
                          "常習犯", "気質", "体質", "性分", "癖", "傾向"})
_CASE_PARTICLES = frozenset({"が", "を", "に", "で", "と", "から"})
# Verbs after which と is a quotation, not a condition: 好きじゃないと思う.
_QUOTING = frozenset({"思う", "思える", "言う", "考える", "感じる", "感ずる", "申し上げる", "存ずる"})
# Endings that make what precedes a condition: 必要なら, できたら, 好きであれば.
_CONDITIONAL = frozenset({"たら", "だら", "ば", "なら", "れば"})
# Question words: 「何を話せばいいか」 asks what to do; it does not say what is good.
_INTERROGATIVES = frozenset({"何", "なん", "なんて", "どう", "どんな", "どの", "どれ", "どこ", "誰", "いつ", "如何"})


@dataclass(frozen=True)
class TraitReading:
    """What one statement says about one trait."""

    trait: str
    value: int  # -2..+2; 0 = indifferent / neither
    evidence: str  # the user's own words that gave it, for quoting back as 『…』


@dataclass(frozen=True)
class Role:
    """One use of a lexicon entry: a trait word of a pole, a predicate of a polarity, a negator ..."""

    kind: str
    polarity: int = 0
    strength: int = 0
    trait: str = ""


@dataclass(frozen=True)
class Entry:
    """A lexicon entry as the normalized forms of its tokens, with its roles."""

    text: str
    forms: Tuple[str, ...]  # normalized forms
    lemmas: Tuple[str, ...]  # dictionary forms as written: 助動詞 ない (normalized ない) matches ない (無い)
    pos: str  # "" or the part of speech a one-token entry must have
    roles: Tuple[Role, ...]


@dataclass(frozen=True)
class Lexicon:
    """The statement reader's vocabulary (statements.yml), indexed by first normalized form."""

    traits: Tuple[str, ...]
    # First normalized form or lemma → entries starting with it, longest first.
    index: Mapping[str, Tuple[Entry, ...]]
    hesitations: FrozenSet[str]
    # Nouns that say when or how often, not what (毎日は疲れそう): they keep the topic.
    circumstances: FrozenSet[str] = frozenset()
    # Trait → normalized forms that turn its words round (土日も働く: not a day off).
    reversers: Mapping[str, FrozenSet[str]] = field(default_factory=dict)


# --- loading ---------------------------------------------------------------------------


def _entry_tokens(text: str) -> List[Token]:
    """Tokens of an entry; a space marks where Sudachi splits the entry in sentences only."""
    return [token for piece in text.split() for token in tokenize(piece)]


def _entry_forms(text: str) -> Tuple[str, ...]:
    """Normalized forms of an entry: what it is compared by."""
    return tuple(token.normalized for token in _entry_tokens(text))


class _Builder:
    """Collects entries and roles, and names the entry when the data is wrong."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.entries: Dict[Tuple[Tuple[str, ...], str], Tuple[str, List[Role]]] = {}

    def fail(self, entry: str, problem: str) -> KnowledgeError:
        return KnowledgeError(self.file, entry, problem)

    def add_list(self, raw: Any, where: str, role: Role) -> None:
        if not isinstance(raw, list) or not raw:
            raise self.fail(where, "must be a non-empty list of words")
        for position, item in enumerate(raw):
            self.add(item, f"{where}[{position}]", role)

    def add(self, item: Any, where: str, role: Role) -> None:
        text, pos = self._text_and_pos(item, where)
        # With a part of speech the entry is one token as written (し alone reads as the 助動詞 き).
        forms = (text,) if pos and text else _entry_forms(text)
        if not forms:
            raise self.fail(where, f"{text!r} has no words")
        if pos and len(text.split()) != 1:
            raise self.fail(where, f"{text!r} with a part of speech must be one word")
        _, roles = self.entries.setdefault((forms, pos), (text, []))
        if role in roles:
            raise self.fail(where, f"{text!r} is listed twice")
        clash = next((r for r in roles if r.kind == role.kind and r.trait == role.trait), None)
        if clash is not None:
            raise self.fail(where, f"{text!r} is already listed with the opposite meaning")
        roles.append(role)

    def _text_and_pos(self, item: Any, where: str) -> Tuple[str, str]:
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            return fold(str(item)).strip(), ""
        if isinstance(item, dict) and isinstance(item.get("text"), str) and set(item) <= {"text", "pos"}:
            pos = item.get("pos", "")
            if not isinstance(pos, str):
                raise self.fail(where, "pos must be a string")
            return fold(item["text"]).strip(), pos
        raise self.fail(where, "must be a word or {text: ..., pos: ...}")

    def lexicon(self, traits: Sequence[str], hesitations: FrozenSet[str], circumstances: FrozenSet[str],
                reversers: Optional[Mapping[str, FrozenSet[str]]] = None) -> Lexicon:
        index: Dict[str, List[Entry]] = {}
        for (forms, pos), (text, roles) in self.entries.items():
            lemmas = forms if pos else tuple(token.lemma for token in _entry_tokens(text))
            entry = Entry(text, forms, lemmas, pos, tuple(roles))
            for first in {forms[0], lemmas[0]}:
                index.setdefault(first, []).append(entry)
        ordered = {first: tuple(sorted(entries, key=lambda e: -len(e.forms))) for first, entries in index.items()}
        return Lexicon(tuple(traits), ordered, hesitations, circumstances, dict(reversers or {}))


def _mapping(builder: _Builder, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        raise builder.fail(key, "must be a non-empty mapping")
    return value


def _known_traits(directory: Path) -> Optional[List[str]]:
    """Trait ids of traits.yml next to the lexicon, or None when there is none to check against."""
    path = directory / "traits.yml"
    if not path.exists():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(t.get("id")) for t in data.get("traits") or [] if isinstance(t, dict)]


_TRAIT_LISTS = frozenset({"own", "opposite", "general", "when_asked", "reversed_by"})
# The strength of a trait word's role that only names the topic: 休み in 「平日に休み」.
GENERAL = 1
# The strength of a role that names the trait only in an answer to its own question:
# 数字 is the targets when asked about targets, the visible results otherwise.
WHEN_ASKED = 2


def _add_traits(builder: _Builder, data: Mapping[str, Any], known: Optional[List[str]],
                reversers: Dict[str, FrozenSet[str]]) -> List[str]:
    traits = _mapping(builder, data, "traits")
    for trait, poles in traits.items():
        where = f"traits.{trait}"
        if known is not None and trait not in known:
            raise builder.fail(where, "is not a trait of traits.yml")
        if not isinstance(poles, dict) or not {"own", "opposite"} <= set(poles) <= _TRAIT_LISTS:
            raise builder.fail(where, f"must have the lists 'own' and 'opposite' (and maybe {sorted(_TRAIT_LISTS)})")
        builder.add_list(poles["own"], f"{where}.own", Role(TRAIT, 1, 0, trait))
        builder.add_list(poles["opposite"], f"{where}.opposite", Role(TRAIT, -1, 0, trait))
        if "general" in poles:  # own words that only name the topic: weighed less (平日に連休)
            builder.add_list(poles["general"], f"{where}.general", Role(TRAIT, 1, GENERAL, trait))
        if "when_asked" in poles:
            builder.add_list(poles["when_asked"], f"{where}.when_asked", Role(TRAIT, 1, WHEN_ASKED, trait))
        if "reversed_by" in poles:
            words = poles["reversed_by"]
            if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
                raise builder.fail(f"{where}.reversed_by", "must be a non-empty list of words")
            forms = [_entry_forms(fold(w)) for w in words]
            bad = next((w for w, f in zip(words, forms, strict=True) if len(f) != 1), None)
            if bad is not None:
                raise builder.fail(f"{where}.reversed_by", f"{bad!r} must be one word")
            reversers[trait] = frozenset(f[0] for f in forms)
    return list(traits)


def _add_word_lists(builder: _Builder, data: Mapping[str, Any]) -> None:
    builder.add_list(data.get("desires"), "desires", Role(DESIRE, 1, 2))
    for key, kind in _MARKER_LISTS.items():
        builder.add_list(data.get(key), key, Role(kind))
    predicates = _mapping(builder, data, "predicates")
    for key, (polarity, strength) in _PREDICATE_LISTS.items():
        if key in predicates:
            builder.add_list(predicates[key], f"predicates.{key}", Role(PREDICATE, polarity, strength))
    answers = _mapping(builder, data, "answers")
    for key, (polarity, strength) in _ANSWER_LISTS.items():
        if key in answers:
            builder.add_list(answers[key], f"answers.{key}", Role(ANSWER, polarity, strength))
    indifference = _mapping(builder, data, "indifference")
    for key, kind in _INDIFFERENCE_LISTS.items():
        builder.add_list(indifference.get(key), f"indifference.{key}", Role(kind))
    for section, allowed in (("predicates", _PREDICATE_LISTS), ("answers", _ANSWER_LISTS),
                             ("indifference", _INDIFFERENCE_LISTS)):
        unknown = set(data[section]) - set(allowed)
        if unknown:
            raise builder.fail(f"{section}.{sorted(unknown)[0]}", f"unknown list; use {', '.join(allowed)}")


def load_lexicon(path: Optional[Path] = None) -> Lexicon:
    """Loads and checks statements.yml; raises :class:`KnowledgeError` naming the bad entry."""
    path = Path(path) if path is not None else knowledge_dir() / FILE
    builder = _Builder(path.name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise builder.fail("(file)", f"cannot be read: {error}") from error
    except yaml.YAMLError as error:
        raise builder.fail("(file)", f"is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise builder.fail("(file)", "must be a mapping")
    reversers: Dict[str, FrozenSet[str]] = {}
    traits = _add_traits(builder, data, _known_traits(path.parent), reversers)
    _add_word_lists(builder, data)
    hesitations = data.get("hesitations")
    if not isinstance(hesitations, list) or not all(isinstance(h, str) and h for h in hesitations):
        raise builder.fail("hesitations", "must be a list of words")
    return builder.lexicon(traits, frozenset(fold(h) for h in hesitations), _circumstances(builder, data), reversers)


def _circumstances(builder: _Builder, data: Mapping[str, Any]) -> FrozenSet[str]:
    words = data.get("circumstances")
    if not isinstance(words, list) or not words:
        raise builder.fail("circumstances", "must be a non-empty list of words")
    forms = set()
    for position, word in enumerate(words):
        tokens = _entry_forms(fold(word)) if isinstance(word, str) else ()
        if len(tokens) != 1:
            raise builder.fail(f"circumstances[{position}]", f"{word!r} must be one word")
        forms.add(tokens[0])
    return frozenset(forms)


@cache
def default_reader() -> StatementReader:
    """A reader over the lexicon of the knowledge directory (``KNOWLEDGE_DIR`` or data/knowledge), made once."""
    return StatementReader(load_lexicon())


# --- matching and clauses --------------------------------------------------------------


@dataclass
class Match:
    """A lexicon entry found in the message, over tokens [start, end)."""

    start: int
    end: int
    roles: Tuple[Role, ...]
    negations: int = 0
    # Negators that came after あまり/そんなに: in 「集中力はあまりない」 with no predicate the
    # answer word あまり already says the no, so they do not flip the trait word as well.
    after_mild: int = 0
    # A wish after a predicate (避けたい) only carries it: the predicate is what counts.
    transparent: bool = False
    # For a negator: the item it went to, if any.
    target: Optional[Match] = None
    text_is_able: bool = False  # the entry is できる (安心できる: できる adds nothing)
    forms: Tuple[str, ...] = ()  # the entry's normalized forms
    te_form: bool = False  # followed by て/で: 「難しそうで」
    kinds: FrozenSet[str] = frozenset()

    def __post_init__(self) -> None:
        self.kinds = frozenset(role.kind for role in self.roles)

    def has(self, kind: str) -> bool:
        """Whether the entry plays this role here."""
        return kind in self.kinds

    def role(self, kind: str) -> Optional[Role]:
        """The entry's role of this kind, if it has one."""
        return next((role for role in self.roles if role.kind == kind), None)


@dataclass
class Clause:
    """A stretch of tokens with at most one evaluation, and how it is joined to the next."""

    start: int  # token indices [start, end)
    end: int
    matches: List[Match] = field(default_factory=list)
    link: str = ""  # "soft" (読点), "comparative" (より) or "" (other ends)
    after_contrast: bool = False
    value: Optional[int] = None
    mentions: Dict[str, int] = field(default_factory=dict)  # trait → pole
    # Names a topic of its own outside the lexicon (事務がいい): it does not speak of the
    # traits of the clause before.
    new_topic: bool = False
    question: bool = False  # ends in the 終助詞 か or a question mark
    paired: bool = False  # weighs two sides evenly: 好きとも嫌いとも言えない
    # Ends in 〜ないと / 〜なければ: 「土日休みじゃないと (困る)」 says the thing is needed.
    necessity: Optional[Match] = None
    # Follows 〜もあれば: 「楽しい日もあれば疲れる日もある」 weighs the two sides evenly.
    balanced: bool = False
    # Follows より: it names the preferred alternative, not the thing asked about.
    after_comparative: bool = False
    # 「体を動かすほうがいい」: prefers something else to what the question asks about.
    prefers_other: bool = False
    # 「プレッシャーはあるけど」: grants that something is there, so what follows is mild.
    concession: bool = False
    # Ends in a reason (〜なので, 〜から): what follows is the conclusion and decides.
    reason: bool = False
    # 「好きなほうです」: the person leans that way, a mild yes unless intensified.
    leaning: bool = False
    # Traits named through あまり/そこまで + a negated trait word (「そこまで数字が見えない」): mild.
    mild_traits: FrozenSet[str] = frozenset()
    # 「土日出勤でも大丈夫」: a trait word with でも before the predicate; accepting even that is clear.
    even: bool = False
    # Names a particular day (「昨日あまり寝てなくて」): it tells what happened, not who one is.
    dated: bool = False

    def evaluative(self) -> bool:
        """Whether the clause says what the person thinks (a predicate, a wish, indifference, an answer)."""
        kinds = (PREDICATE, DESIRE, INDIFFERENT, INDIFFERENT_NEGATED, ANSWER)
        return any(m.has(kind) for m in self.matches for kind in kinds)


def _same(form: str, lemma: str, token: Token) -> bool:
    if token.normalized == form or token.lemma == lemma:
        return True
    # ません ends in ず: 苦になりません matches 苦にならない.
    return form == "ない" and token.pos == "助動詞" and token.normalized in ("ず", "ぬ")


def _fit_end(entry: Entry, tokens: Sequence[Token], start: int) -> Optional[int]:
    """Where the entry ends if it starts at ``start``, or None.

    By normalized form (きらい = 嫌い) or, failing that, by the lemma as written: the 助動詞
    ない is normalized ない, the entry ない alone reads as the 形容詞 無い. Inside an entry the
    polite ます may come in between (苦になりません).
    """
    if start + len(entry.forms) > len(tokens):
        return None
    if entry.pos:
        token = tokens[start]
        if token.normalized != entry.forms[0] and token.lemma != entry.lemmas[0] and token.surface != entry.forms[0]:
            return None
        return start + 1 if entry.pos in (token.pos, token.pos2) else None
    j = start
    for offset, (form, lemma) in enumerate(zip(entry.forms, entry.lemmas, strict=True)):
        while offset and j < len(tokens) and tokens[j].normalized == "ます" and tokens[j].pos == "助動詞" \
                and form != "ます":
            j += 1
        if j >= len(tokens) or not _same(form, lemma, tokens[j]):
            return None
        j += 1
    return j


def _find_matches(lexicon: Lexicon, tokens: Sequence[Token]) -> List[Match]:
    """Longest entries first, left to right, without overlaps."""
    matches: List[Match] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        keys = {token.normalized, token.lemma, token.surface}
        best: List[Entry] = []
        best_key = (0, 0)
        best_end = i
        seen: set = set()
        for entry in (e for key in keys for e in lexicon.index.get(key, ())):
            if id(entry) in seen:
                continue
            seen.add(id(entry))
            end = _fit_end(entry, tokens, i)
            if end is None:
                continue
            key = (len(entry.forms), end - i)
            if key > best_key:
                best, best_key, best_end = [entry], key, end
            elif key == best_key:
                best.append(entry)
        if not best:
            i += 1
            continue
        roles = tuple(dict.fromkeys(role for e in best for role in e.roles))
        matches.append(Match(i, best_end, roles, text_is_able=best[0].forms == ("出来る",), forms=best[0].forms))
        i = best_end
    return matches


def _is_boundary(token: Token) -> str:
    """'stop' after a sentence end or space, 'soft' after a 読点, '' inside a clause."""
    if token.pos == "空白" or token.pos2 == "句点" or token.surface in ("!", "?", "\n"):
        return "stop"
    if token.pos2 == "読点" or token.surface == ",":
        return "soft"
    return ""


def _split(tokens: Sequence[Token], matches: Sequence[Match]) -> List[Clause]:
    """Cuts at sentence ends, 読点, し, contrast particles, より, 〜もあれば and 〜ないと."""
    by_start = {m.start: m for m in matches}
    clauses = [Clause(0, 0)]
    i = 0
    while i < len(tokens):
        current = clauses[-1]
        match = by_start.get(i)
        if match is not None and match.has(CONTRAST_CONJUNCTION) and not current.matches and \
                not _has_words(tokens, current.start, i):
            current.after_contrast = True
        end = match.end if match is not None else i + 1
        if match is not None:
            current.matches.append(match)
        link = _link_after(tokens[i], match)
        if link is None and match is None and _is_cause(tokens, i) and _is_bare(tokens, current):
            link = "cause"  # 「人見知りなので」: what follows is said of the trait itself
        if match is not None and link is None and (match.has(NEGATOR) or _ends_negated(tokens, match)):
            condition = _condition_end(tokens, match)
            if condition is not None:
                end, link = condition, "necessity"
                current.necessity = match
        current.end = end
        if link is not None:
            current.link = link
            following = Clause(end, end, after_contrast=match is not None and match.has(CONTRAST_PARTICLE))
            following.balanced = link == "balance"
            following.after_comparative = link == "comparative"
            clauses.append(following)
        i = end
    return [c for c in clauses if c.end > c.start]


def _is_cause(tokens: Sequence[Token], i: int) -> bool:
    """Whether token i ends a reason: 〜なので, 〜なんで, 〜だから, 〜すぎて."""
    token = tokens[i]
    if token.pos2 == "接続助詞" and token.surface in ("ので", "から"):
        return True
    if token.pos2 == "接続助詞" and token.surface == "て" and i and tokens[i - 1].normalized == "過ぎる":
        return True  # 「ミスが多すぎて」
    previous = tokens[i - 1] if i else None
    return token.surface == "で" and token.pos == "助動詞" and previous is not None and \
        previous.pos2 == "準体助詞" and previous.surface in ("の", "ん")


def _ends_negated(tokens: Sequence[Token], match: Match) -> bool:
    """A trait word that says "no X" itself: 目標がない, ノルマなし."""
    return match.has(TRAIT) and tokens[match.end - 1].normalized in ("無い", "ない", "ず", "無し")


def _condition_end(tokens: Sequence[Token], negator: Match) -> Optional[int]:
    """The end of 〜ないと / 〜なければ / 〜なきゃ after a negator, or None (好きじゃないと思う)."""
    last = tokens[negator.end - 1]
    if last.surface in ("なきゃ", "なくちゃ", "ねば"):
        return negator.end
    if negator.end >= len(tokens):
        return None
    following = tokens[negator.end]
    if following.pos != "助詞" or following.surface not in ("と", "ば"):
        return None
    after = tokens[negator.end + 1] if negator.end + 1 < len(tokens) else None
    if following.surface == "と" and after is not None and (after.normalized in _QUOTING or after.lemma in _QUOTING
                                                           or after.surface in ("は", "か", "も")):
        return None
    return negator.end + 1


def _link_after(token: Token, match: Optional[Match]) -> Optional[str]:
    """How the clause ends after this token or match, or None when it goes on."""
    if match is not None:
        if match.has(COMPARATIVE):
            return "comparative"
        if match.has(CONTRAST_PARTICLE) or match.has(LINK):
            return ""
        if match.has(BALANCE):
            return "balance"
        return None
    boundary = _is_boundary(token)
    return None if not boundary else ("soft" if boundary == "soft" else "")


def _ends_in_tomo(tokens: Sequence[Token], clause: Clause) -> bool:
    """「興味があるとも、ないとも言えない」: the pair goes on after the 読点."""
    words = [t for t in tokens[clause.start: clause.end] if t.pos not in ("補助記号", "空白")]
    return "".join(t.surface for t in words[-2:]).endswith("とも")


def _te_bare(tokens: Sequence[Token], clause: Clause) -> bool:
    words = [t for t in tokens[clause.start: clause.end] if t.pos not in ("補助記号", "空白")]
    return bool(words) and words[-1].surface in ("て", "で") and _is_bare(tokens, clause) is not None


def _has_words(tokens: Sequence[Token], start: int, end: int) -> bool:
    return any(t.pos not in ("補助記号", "空白", "感動詞") for t in tokens[start:end])


def _merge_soft(tokens: Sequence[Token], clauses: List[Clause]) -> List[Clause]:
    """Joins a clause cut at a 読点 before its predicate to the next: 「電話対応、接客は苦手」.

    Not one that ends in a trait word and て: 「見落としが多くて、よく注意されます」 has said it.
    """
    merged: List[Clause] = []
    for clause in clauses:
        previous = merged[-1] if merged else None
        if previous is not None and previous.link == "soft" and \
                (not previous.evaluative() or _ends_in_tomo(tokens, previous)) and \
                not clause.after_contrast and not _te_bare(tokens, previous):
            previous.end = clause.end
            previous.matches.extend(clause.matches)
            previous.link = clause.link
            previous.necessity = clause.necessity
            continue
        merged.append(clause)
    return merged


# --- one clause ------------------------------------------------------------------------


def _is_head_word(token: Token, following: Optional[Token] = None) -> bool:
    """A content word that takes a following negator even when it is not in the lexicon.

    Auxiliary verbs (いただく, しまう, みる, くる) are not: 接客はやらない negates 接客; nor is
    考えて(いない) (「習得は考えていません」 is a no to 習得, 「考えたことがない」 says nothing).
    """
    if token.normalized in _TRANSPARENT or token.lemma in _TRANSPARENT:
        return False
    if token.normalized == "考える" and following is not None and following.surface == "て":
        return False
    if token.pos == "名詞":
        return token.pos2 != "数詞"
    if token.pos == "動詞":
        return token.pos2 != "非自立可能"
    return token.pos in ("形容詞", "形状詞") and token.pos2 != "助動詞語幹"  # not みたい, よう


def _attach_negators(tokens: Sequence[Token], clause: Clause, circumstances: FrozenSet[str] = frozenset()) -> int:
    """Gives each negator to the word it follows; returns negators that follow nothing.

    A verb outside the lexicon right after a trait word or a predicate noun and its particle
    passes the negator on to it: 「数字で測られない仕事」, 「マニュアルに頼らない」, 「やる気は出ない」.
    Nouns of when (今は) take none.
    """
    by_start = {m.start: m for m in clause.matches}
    by_end = {m.end: m for m in clause.matches}
    head: Optional[Match] = None
    absorbed = False  # the last head is a word outside the lexicon: 出勤しない
    through = False  # a verb passes the negator on to a trait word before it, in a relative clause
    orphans = 0
    mild = 0  # 1 once あまり/そんなに has come since the last head
    only = False  # after しか the negator says "only": 「数字しか見ない」
    i = clause.start
    while i < clause.end:
        match = by_start.get(i)
        if match is None:
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if tokens[i].surface == "しか" and tokens[i].pos == "助詞":
                only = True
            if _is_head_word(tokens[i], following) and tokens[i].normalized not in circumstances:
                before = by_end.get(i - 1)
                if tokens[i].pos == "動詞" and before is not None and before.has(TRAIT) and \
                        tokens[i - 1].pos2 == "格助詞" and tokens[i - 1].surface in _CASE_PARTICLES and head is before:
                    through = True  # 数字で測られない: the negator goes to 数字
                elif tokens[i].pos == "動詞" and head is not None and head.has(PREDICATE) and \
                        tokens[head.start].pos == "名詞" and _only_particles(tokens, clause, head.end, i):
                    pass  # 「やる気はあまり出ない」, 「興味が湧かない」: the negator goes to やる気
                else:
                    head, absorbed, mild, through = None, True, 0, False
            i += 1
            continue
        if match.has(NEGATOR) and only:
            only = False  # 「プレッシャーでしかない」: nothing but pressure, no negation
        elif match.has(NEGATOR):
            following = tokens[match.end] if match.end < len(tokens) else None
            if through and not (following is not None and (following.pos == "名詞" or following.pos2 == "準体助詞")):
                head, absorbed = None, True  # 「資格は持ってない」 tells a fact; 「測られない仕事」 describes
            if head is not None:
                head.negations += 1
                head.after_mild += mild
                match.target = head
            elif not absorbed:
                orphans += 1
        elif match.has(PREDICATE) and head is not None and head.has(PREDICATE) and \
                match.text_is_able and all(t.surface in ("て", "で") for t in tokens[head.end: match.start]):
            match.transparent = True  # 安心できる, 落ち着いてできる: できる adds nothing to 安心
        elif match.has(DESIRE) and head is not None and head.has(PREDICATE) and \
                all(t.pos == "助動詞" or t.surface == "て" or t.normalized in _GIVING or t.lemma in _GIVING
                    or t.normalized in _TRANSPARENT for t in tokens[head.end: match.start]):
            match.transparent = True  # 避けたい: the wish keeps the sign of 避ける, negators go to it
        elif match.kinds & _HEADS and not match.has(MILD_NEGATION):
            # あまり is also a one-word answer, but in あまりない the ない is the answer's own.
            # Before a trait word it goes on to its negator: 「そこまで数字が見えない」.
            head, absorbed, through = match, False, False
            mild = mild if match.has(TRAIT) else 0
        elif match.has(MILD_NEGATION):
            mild = 1
        i = match.end
    return orphans


# Words that are indifference when negated but say nothing when not: 分かる (分からない = 0).
_NOT_CARING = frozenset({("分かる",), ("問う",), ("意識",), ("どちら",)})


def _only_particles(tokens: Sequence[Token], clause: Clause, start: int, end: int) -> bool:
    """Whether tokens [start, end) are particles, or adverbs like あまり (やる気はあまり出ない, やる気出ない)."""
    adverbs = {j for m in clause.matches if m.kinds & {MILD_NEGATION, INTENSIFIER, STRONG_NEGATION, HEDGE}
               for j in range(m.start, m.end)}
    return end >= start and all(tokens[j].pos == "助詞" or j in adverbs for j in range(start, end))


def _predicate(clause: Clause) -> Optional[Match]:
    """The clause's evaluative word: the last predicate (Japanese puts it at the end).

    Answer words (はい, そうでもない) count where there is no predicate.
    """
    for kinds in ((PREDICATE, DESIRE, INDIFFERENT_NEGATED), (ANSWER,)):
        found = [m for m in clause.matches if not m.transparent and m.kinds.intersection(kinds)
                 and not (m.kinds == {INDIFFERENT_NEGATED} and not m.negations and m.forms[:1] in _NOT_CARING)]
        if found:
            return found[-1]
    return None


def _is_question(tokens: Sequence[Token], clause: Clause) -> bool:
    """Whether the clause ends in the 終助詞 か (好きですか, not 好きかな) or a question mark.

    A hedged clause with a question mark is a tentative statement: 「休みたいかも?」.
    """
    words = [t for t in tokens[clause.start: clause.end] if t.pos not in ("補助記号", "空白")]
    if not words:
        return False
    last_mark = tokens[clause.end - 1].surface
    if words[-1].pos2 == "終助詞" and (words[-1].normalized == "か" or words[-1].surface == "っけ"):
        return True  # 好きですか, いつでしたっけ
    return last_mark == "?" and not any(m.has(HEDGE) for m in clause.matches)


_TOPIC_PARTICLES = frozenset({"は", "が", "も"})


def _names_new_topic(tokens: Sequence[Token], clause: Clause, circumstances: FrozenSet[str]) -> bool:
    """Whether the clause has a noun with は/が/も outside the lexicon: 「事務がいい」."""
    inside = {i for m in clause.matches for i in range(m.start, m.end)}
    for i in range(clause.start, clause.end - 1):
        token, following = tokens[i], tokens[i + 1]
        if i in inside or token.pos != "名詞" or not _is_head_word(token) or token.normalized in circumstances:
            continue
        if following.pos == "助詞" and following.normalized in _TOPIC_PARTICLES:
            return True
    return False


def _polarity_of(match: Match) -> Tuple[int, int]:
    """(sign, strength) of a predicate, wish or answer word before its negators."""
    for kind in (PREDICATE, ANSWER, DESIRE):
        role = match.role(kind)
        if role is not None:
            return role.polarity, role.strength
    return 1, 1  # 気にする: caring about it, mildly


def _clause_value(clause: Clause, orphans: int, answer_mode: bool, bare: bool = False,
                  trails_off: bool = False) -> Optional[int]:
    """-2..2 for the clause's evaluation, 0 for indifference, None when it evaluates nothing.

    In answer mode a clause that ends in a trait word with nothing evaluative says the
    person is so (「人見知りなので」, 「きちょうめんなほうではないかも」): ``bare``.
    """
    if clause.question:
        return None  # 「人と話すのは好きですか」 asks, it does not say
    if answer_mode and clause.dated and not clause.mentions:
        return None  # 「昨日あまり寝てなくて」 tells what happened that day
    if _indifferent(clause):
        if clause.new_topic and not clause.mentions and all(
                m.forms[:1] in _NOT_CARING for m in clause.matches if m.has(INDIFFERENT_NEGATED)) and \
                not any(m.has(INDIFFERENT) for m in clause.matches):
            return None  # 「質問の意味がわからない」 is about the question, not the trait
        mild = any(m.has(MILD_NEGATION) for m in clause.matches)
        if mild and any(m.has(INDIFFERENT_NEGATED) and m.negations % 2 for m in clause.matches):
            return -1  # あまりこだわらない: it matters little, a mild no
        return 0
    predicate = _predicate(clause)
    if predicate is None:
        if trails_off:
            return -1  # 「仕事だとちょっと…」 trails off into a polite no
        if bare and clause.mentions and clause.link != "comparative":
            return _scaled(clause, 1, 2, 0)
        # 「ないです」 answering a question: a bare no.
        return _scaled(clause, 1, 2, orphans) if answer_mode and orphans else None
    if clause.reason and predicate.kinds <= {ANSWER}:
        return None  # 「家族と食べられるだけで全然違うので」: a reason, not an answer
    if predicate.forms in _ABOUT_THE_QUESTION and not clause.mentions and not clause.new_topic and \
            not any(m.has(CONTRAST_PARTICLE) for m in clause.matches[-1:]):
        return None  # 「うーん、難しいですね」 is about the question; 「難しそうだけど、」 grants a point
    sign, strength = _polarity_of(predicate)
    if sign == 0:
        return 0
    if clause.even and not _hedged(clause) and (sign > 0 and strength == 1 and not predicate.negations
                                                or sign < 0 and predicate.negations % 2):
        return 2  # 「土日出勤でも大丈夫」, 「シフト制でも構いません」: fine even with that
    return _scaled(clause, sign, strength, predicate.negations)


# Predicates that, standing alone, say the question is hard to answer.
_ABOUT_THE_QUESTION = frozenset({("難しい",)})


def _ends_in_reason(tokens: Sequence[Token], clause: Clause) -> bool:
    """Whether the clause ends in 〜ので / 〜から / 〜なんで: a reason for what follows."""
    last = next((i for i in range(clause.end - 1, clause.start - 1, -1)
                 if tokens[i].pos not in ("補助記号", "空白")), None)
    if last is None:
        return False
    token = tokens[last]
    return token.pos2 == "接続助詞" and token.surface in ("ので", "から", "んで") or _is_cause(tokens, last)


def _leans(tokens: Sequence[Token], clause: Clause) -> bool:
    """「好きなほうです」, 「得意なほうだと思う」: a predicate and 〜ほう that ends the statement."""
    predicate = _predicate(clause)
    for m in clause.matches:
        if predicate is None or not (m is predicate or m.has(NEGATOR) and m.target is predicate):
            continue
        j = m.end
        if j < clause.end and tokens[j].surface in ("な", "の"):
            j += 1
        if j < clause.end and tokens[j].surface in ("ほう", "方") and (
                j + 1 >= len(tokens) or tokens[j + 1].pos != "助詞" or tokens[j + 1].pos2 == "終助詞"):
            return True
    return False


def _even(tokens: Sequence[Token], clause: Clause) -> bool:
    """「土日出勤でも大丈夫」, 「シフト制でも平気」: a trait word and でも (even that)."""
    for m in clause.matches:
        if m.has(TRAIT) and m.end + 1 < clause.end and tokens[m.end].surface == "で" and \
                tokens[m.end + 1].surface == "も":
            return True
        if m.has(TRAIT) and m.end < clause.end and tokens[m.end].surface == "でも":
            return True
    return False


def _indifferent(clause: Clause) -> bool:
    return clause.paired or \
        any(m.has(INDIFFERENT) or (m.has(INDIFFERENT_NEGATED) and m.negations % 2) for m in clause.matches)


# Pairs that weigh two sides: 好きとも嫌いとも (言えない), 取っても取らなくても (いい),
# 土日でも平日でも (大丈夫), あるようなないような. What may follow such a pair and still leave
# the two sides even:
_EVEN = frozenset({"良い", "いい", "大丈夫", "構う", "平気", "同じ", "ok", "オーケー"})


def _both_poles(clause: Clause) -> bool:
    """Whether the clause names both poles of one trait: 「その場の判断も手順通りも」."""
    poles: Dict[str, set] = {}
    for match in clause.matches:
        for role in match.roles:
            if role.kind == TRAIT:
                poles.setdefault(role.trait, set()).add(role.polarity * (-1 if match.negations % 2 else 1))
    return any(len(p) == 2 for p in poles.values())


def _is_paired(tokens: Sequence[Token], clause: Clause) -> bool:
    """Whether the clause weighs two sides evenly: 「得意とも苦手とも言えない」, 「土日でも平日でも大丈夫」."""
    counts: Dict[str, int] = {}
    words = tokens[clause.start: clause.end]
    for first, second in zip(words, words[1:], strict=False):
        if second.normalized == "も" and first.surface in ("と", "て", "で") and first.pos in ("助詞", "助動詞") or \
                first.normalized == "よう" and first.pos2 == "助動詞語幹" and second.normalized == "だ":
            key = first.surface + second.surface
            counts[key] = counts.get(key, 0) + 1
    for token in words:
        if token.surface == "とも" and token.pos != "助詞":  # 得意とも (接尾辞 共)
            counts["とも"] = counts.get("とも", 0) + 1
    both = sum(t.normalized == "も" and t.pos == "助詞" for t in words) >= 2 and _both_poles(clause)
    if not both and counts.get("とも", 0) < 2 and not any(n >= 2 for n in counts.values()):
        return False
    if both:
        return True  # 「その場の判断も手順通りも、どっちもできる」
    predicate = _predicate(clause)
    last = [m for m in clause.matches if not m.has(HEDGE)][-1:]
    if predicate is None or predicate.negations % 2 or (last and last[0].has(NEGATOR)):
        return True  # 「得意とも苦手とも言えない」, 「したいともしたくないとも思わない」
    return any(tokens[j].normalized in _EVEN or tokens[j].surface in _EVEN
               for j in range(predicate.start, predicate.end))


def _scaled(clause: Clause, sign: int, strength: int, negations: int) -> int:
    """Applies negation, hedges and intensity to a predicate's sign and strength."""
    has = {kind: any(m.has(kind) for m in clause.matches)
           for kind in (HEDGE, INTENSIFIER, MILD_NEGATION, STRONG_NEGATION)}
    # 「好きなほうです」 leans that way; 「大変意欲が湧くほう」 is still a clear yes.
    has[HEDGE] = _hedged(clause) or clause.leaning and not has[INTENSIFIER]
    if negations % 2 == 0 and negations:
        return sign  # なくはない: a double negative is a mild yes
    if negations % 2:
        if sign < 0:  # 嫌いではない: litotes, mild unless 全然苦じゃない
            return 2 if has[STRONG_NEGATION] and not has[HEDGE] else 1
        sign = -1
        if has[MILD_NEGATION]:  # あまり好きじゃない
            return -1
    elif sign < 0 and has[MILD_NEGATION] and not has[INTENSIFIER]:
        return -1  # あまり向いてない: the negation is in the word itself
    if has[HEDGE]:
        return sign
    if has[INTENSIFIER] or has[STRONG_NEGATION]:
        return 2 * sign
    return sign * strength


# Particular days: a clause about one tells what happens then.
_DAYS = frozenset({"今日", "昨日", "明日", "一昨日", "明後日", "先週", "今週", "来週", "先日", "今朝", "今夜"})


def _hedged(clause: Clause) -> bool:
    """Whether a hedge softens the clause's evaluation.

    A hedge between two predicates is the first one's: 「胃が痛くなりそうでむり」 is a plain no.
    """
    predicates = [m.start for m in clause.matches if m.has(PREDICATE) and not m.transparent]
    for m in clause.matches:
        if not m.has(HEDGE):
            continue
        later = any(p > m.start for p in predicates)
        if later and (any(p < m.start for p in predicates) or m.te_form):
            continue  # 「難しそうで無理」: the hedge goes with what came before
        return True
    return False


def _is_bare(tokens: Sequence[Token], clause: Clause) -> Optional[Match]:
    """The trait word the clause ends in, if it does: 「人見知りするけど」, 「すぐ打ち解けるほう」.

    Not where something merely exists (「目標があったんですが」) or happened (「夜勤でした」).
    """
    by_start = {m.start: m for m in clause.matches}
    last: Optional[Match] = None
    i = clause.start
    while i < clause.end:
        match = by_start.get(i)
        if match is not None:
            if match.has(TRAIT):
                last = match
            elif not match.kinds & {NEGATOR, HEDGE, INTENSIFIER, LINK, CONTRAST_PARTICLE, ORDINARY,
                                    MILD_NEGATION, STRONG_NEGATION}:
                last = None
            i = match.end
            continue
        token = tokens[i]
        if token.normalized in ("有る", "ある") or token.lemma == "ある":
            return None
        if last is not None and token.pos == "助動詞" and token.normalized == "た" or token.normalized in _DAYS:
            return None  # 「昨日は夜勤でした」, 「今日は土曜日です」 tell what happens, not who one is
        linked = last is not None and all(t.normalized in ("為る", "て", "で") for t in tokens[last.end: i])
        adverbial = last is not None and linked and token.pos == "動詞" and \
            (tokens[last.end - 1].surface in ("に", "と") or tokens[last.start].pos == "副詞" or last.end < i)
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if _is_head_word(token, following) and token.normalized not in _FRAME_NOUNS \
                and token.surface not in _FRAME_NOUNS \
                and not adverbial:  # 「柔軟に動ける」: the verb only carries the trait word
            last = None
        i += 1
    return last


def _mentions(clause: Clause) -> Dict[str, int]:
    """Trait → pole the clause names; a negated trait word flips (休めない), the majority wins.

    Where あまり/そんなに is the only evaluation, its ない is the answer's own: 「集中力はあまりない」
    is −1 on the trait, not +1.
    """
    sums: Dict[str, int] = {}
    last: Dict[str, int] = {}
    predicate = _predicate(clause)
    answer_says_no = predicate is not None and predicate.has(MILD_NEGATION) and not predicate.has(PREDICATE)
    for match in clause.matches:
        negations = match.negations - (match.after_mild if answer_says_no else 0)
        for role in match.roles:
            if role.kind == TRAIT:
                pole = role.polarity * (-1 if negations % 2 else 1)
                # A word that only names the topic weighs less: 「平日にまとめて連休」 is about 平日.
                sums[role.trait] = sums.get(role.trait, 0) + pole * (1 if role.strength == GENERAL else 2)
                last[role.trait] = pole
    return {trait: (1 if total > 0 else -1) if total else last[trait] for trait, total in sums.items()}


def _mild_traits(clause: Clause) -> FrozenSet[str]:
    """Traits named by a trait word negated after あまり/そこまで: 「そこまで数字が見えない仕事がいい」."""
    predicate = _predicate(clause)
    if predicate is None or not predicate.has(PREDICATE) and not predicate.has(DESIRE):
        return frozenset()
    return frozenset(role.trait for m in clause.matches if m.after_mild and m.negations % 2
                     for role in m.roles if role.kind == TRAIT)


# --- the reader ------------------------------------------------------------------------


@dataclass
class _Reading:
    value: int
    start: int  # clause indices whose text is the evidence
    end: int


class StatementReader:
    """Maps a person's statement about themselves to values on the diagnosis traits."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def read(self, text: str) -> Dict[str, TraitReading]:
        """Every trait the statement speaks to, with its value and the words that gave it."""
        tokens, clauses = self._analyse(text, answer_mode=False)
        readings: Dict[str, _Reading] = {}
        for index, clause, topic, source in self._evaluated(clauses):
            for trait, pole in topic.items():
                previous = readings.get(trait)
                start = source if previous is None or previous.end < index - 1 else previous.start
                earlier = previous.value if previous is not None else None
                keep = not any(m.has(MILD_NEGATION) for m in clause.matches)
                value = _later(earlier, pole * (clause.value or 0), clause, keep)
                readings[trait] = _Reading(value, start, index)
        original = text or ""
        return {trait: TraitReading(trait, r.value, _evidence(original, tokens, clauses[r.start: r.end + 1]))
                for trait, r in readings.items()}

    def read_answer(self, text: str, trait: str) -> Optional[int]:
        """The answer to the question of ``trait``; None when the text says nothing usable."""
        reading = self.answer(text, trait)
        return None if reading is None else reading.value

    def answer(self, text: str, trait: str) -> Optional[TraitReading]:
        """The answer to the question of ``trait`` with the words that gave it; None when there is none."""
        tokens, clauses = self._analyse(text, answer_mode=True, asked=trait)
        reading: Optional[_Reading] = None
        capped = False  # after 「Xはあるけど」 the rest is mild: 「プレッシャーはあるけど、達成感は好き」
        evaluated = self._evaluated(clauses)
        mixed = False
        for index, clause, topic, source in evaluated:
            before = clauses[index - 1] if index else None
            if before is not None and before.concession and clause.after_contrast:
                capped = True
            if clause.prefers_other and trait not in clause.mentions:
                if clause.after_comparative:
                    continue  # 「資格より、現場で経験を積むほうが好き」: より has given it to 資格
                topic = {trait: -1}  # 「体を動かしてるほうがいい」: rather something else
            elif clause.after_comparative and not clause.mentions:
                continue
            elif clause.after_contrast and not clause.mentions and topic and trait not in topic:
                topic = {}  # 「知識が足りるか不安ですが、少し惹かれます」: the turn is the answer
                if before is not None and before.value and clause.value and (before.value > 0) != (clause.value > 0):
                    capped = True  # what the turn grants first makes it mild: 「不安もございますが、関心は」
            if topic and trait not in topic:
                continue  # about another trait: 「ノルマは嫌」 does not answer the question on 土日
            current = (clause.value or 0) * topic.get(trait, 1)
            if capped and current or trait in clauses[source].mild_traits and source == index:
                current = max(-1, min(1, current))  # 「そこまで数字が見えない仕事」: mildly
            if reading is not None and clause.reason and index == evaluated[-1][0] and not clause.after_contrast \
                    and current and reading.value and (current > 0) == (reading.value > 0):
                continue  # 「土日休みがうれしいです。夫が土日休みなので」: the reason adds nothing
            # After a reason the conclusion decides: 「好きだったので、たぶん向いてなくはない」.
            keep = not any(m.has(MILD_NEGATION) for m in clause.matches) and not (before is not None and before.reason)
            previous = reading.value if reading is not None else None
            value = _later(previous, current, clause, keep)
            if previous and current and (previous > 0) != (current > 0):
                mixed = True  # once the answer has turned, it stays mild: 「やれなくはないですが、…自信はない」
            elif mixed and value:
                value = max(-1, min(1, value))
            if reading is None or reading.end < index - 1:
                reading = _Reading(value, source, index)
            else:
                reading = _Reading(value, reading.start, index)
        if reading is None:
            if any(_only_hedges(tokens, c) for c in clauses if not c.mentions):
                # 「どちらかといえば」, 「少しだけ」 alone lean towards yes.
                return TraitReading(trait, 1, _evidence(text or "", tokens, clauses))
            return None
        evidence = _evidence(text or "", tokens, clauses[reading.start: reading.end + 1])
        return TraitReading(trait, reading.value, evidence)

    def _analyse(self, text: str, answer_mode: bool, asked: str = "") -> Tuple[List[Token], List[Clause]]:
        tokens = [t for t in tokenize(text or "") if not self._hesitation(t)]
        found = _find_matches(self.lexicon, tokens)
        matches = [_reread(tokens, m, asked) for m in found if not _attributive(tokens, m)]
        matches = [m for m in matches if m.roles]
        _reverse_poles(tokens, matches, self.lexicon.reversers)
        for m in matches:
            m.te_form = m.end < len(tokens) and tokens[m.end].surface in ("て", "で")
        clauses = _merge_soft(tokens, _split(tokens, matches))
        for clause in clauses:
            orphans = _attach_negators(tokens, clause, self.lexicon.circumstances)
            clause.mentions = _mentions(clause)
            clause.mild_traits = _mild_traits(clause)
            clause.new_topic = _names_new_topic(tokens, clause, self.lexicon.circumstances)
            clause.question = _is_question(tokens, clause)
            clause.paired = _is_paired(tokens, clause)
            clause.prefers_other = _prefers_other(tokens, clause)
            # Read for every trait, a trait word alone is context (「接客の仕事です」) unless a
            # contrast makes it the point: 「計算は得意ですがケアレスミスが多いです」.
            bare = _is_bare(tokens, clause) if answer_mode or clause.after_contrast else None
            if bare is not None and not _predicate(clause):
                # 「人前で話すのはあがり症」: what the clause ends in is what it says.
                for role in bare.roles:
                    if role.kind == TRAIT:
                        clause.mentions[role.trait] = role.polarity * (-1 if bare.negations % 2 else 1)
            clause.reason = _ends_in_reason(tokens, clause)
            clause.leaning = _leans(tokens, clause)
            clause.even = _even(tokens, clause)
            clause.dated = any(t.normalized in _DAYS for t in tokens[clause.start: clause.end])
            clause.value = _clause_value(clause, orphans, answer_mode, bare is not None, _trails_off(tokens, clause))
            clause.concession = bool(clause.mentions) and clause.value is None and any(
                t.normalized == "有る" for t in tokens[clause.start: clause.end]) and \
                any(m.has(CONTRAST_PARTICLE) for m in clause.matches[-1:])
        _compare(clauses)
        _need(clauses)
        _soften_afterthoughts(clauses)
        return tokens, clauses

    def _hesitation(self, token: Token) -> bool:
        return token.pos == "感動詞" and token.surface in self.lexicon.hesitations

    @staticmethod
    def _evaluated(clauses: Sequence[Clause]) -> List[Tuple[int, Clause, Dict[str, int], int]]:
        """(index, clause, traits it speaks of, index of the clause that named them) per evaluation.

        A clause that names no trait speaks of the last one named: 「プレゼンは得意だけど、好きではない」;
        not the one after より or one that prefers something of its own (〜ほうがいい).
        """
        result = []
        topic: Dict[str, int] = {}
        source = 0
        for index, clause in enumerate(clauses):
            cause = clauses[index - 1] if index and clauses[index - 1].link == "cause" else None
            if clause.mentions:
                topic, source = clause.mentions, index
            elif cause is not None and cause.mentions:
                # 「人見知りなので全然ダメ」: ダメ is said of talking, not of being shy.
                topic, source = {trait: 1 for trait in cause.mentions}, index - 1
            elif clause.new_topic or clause.after_comparative or clause.prefers_other:
                topic, source = {}, index
            elif clause.link == "comparative" and topic and topic is clauses[source].mentions:
                # 「目標はいらない。それより…」: それ is the targets themselves, not their absence.
                topic = _word_poles(clauses[source], topic)
            if clause.value is not None:
                result.append((index, clause, topic if topic else {}, source if topic else index))
        return result


def _word_poles(clause: Clause, topic: Dict[str, int]) -> Dict[str, int]:
    """The poles of the trait words a clause names, before any negation."""
    poles: Dict[str, int] = {}
    for match in clause.matches:
        for role in match.roles:
            if role.kind == TRAIT and role.trait in topic:
                poles[role.trait] = poles.get(role.trait, 0) + role.polarity
    return {trait: (1 if poles.get(trait, 0) >= 0 else -1) for trait in topic}


def _only_hedges(tokens: Sequence[Token], clause: Clause) -> bool:
    """Whether the clause has nothing but hedges (「少しだけ」, 「どちらかといえば」)."""
    inside = {j for m in clause.matches if m.has(HEDGE) for j in range(m.start, m.end)}
    if not inside:
        return False
    return all(j in inside or not (_is_head_word(tokens[j]) or tokens[j].pos == "副詞" or
                                   tokens[j].pos == "動詞" and tokens[j].normalized not in _BARE_VERBS)
               for j in range(clause.start, clause.end))


# Verbs a hedge may stand with and still say only yes: 「少しは感じます」, 「どちらかといえばあります」.
_BARE_VERBS = frozenset({"有る", "感じる", "思う", "為る"})


def _compare(clauses: List[Clause]) -> None:
    """What comes before より is dispreferred: it gets the opposite of what follows."""
    for index in range(len(clauses) - 2, -1, -1):
        clause, following = clauses[index], clauses[index + 1]
        if clause.link == "comparative" and clause.value is None and following.value is not None:
            clause.value = -following.value


def _trails_off(tokens: Sequence[Token], clause: Clause) -> bool:
    """Whether the clause ends in ちょっと and nothing but endings: 「仕事だとちょっと…」."""
    refusals = [m for m in clause.matches if m.has(SOFT_REFUSAL)]
    if not refusals:
        return False
    return all(t.pos in ("補助記号", "空白", "助動詞") or t.pos2 == "終助詞"
               for t in tokens[refusals[-1].end: clause.end])


def _reread(tokens: Sequence[Token], match: Match, asked: str = "") -> Match:
    """Roles a match loses or changes in its context.

    A word that names a trait only when its question is asked (数字 for the targets) loses
    that role otherwise.
    An answer word used as an adverb says nothing (「普通にしゃべれる」); a predicate in a condition
    only hedges (「必要なら」, 「できたら」); 良い after 〜ば in a question asks what to do
    (「何を話せばいいか」), and not knowing that is being at a loss, not indifference.
    """
    if any(role.strength == WHEN_ASKED and role.kind == TRAIT and role.trait != asked for role in match.roles):
        match = _with_roles(match, tuple(role for role in match.roles if not (
            role.strength == WHEN_ASKED and role.kind == TRAIT and role.trait != asked)))
    following = tokens[match.end] if match.end < len(tokens) else None
    if match.kinds == {ANSWER} and following is not None and following.surface == "に":
        return _with_roles(match, ())
    if match.has(PREDICATE) and following is not None and following.surface in _CONDITIONAL and \
            not match.has(TRAIT):
        return _with_roles(match, (Role(HEDGE),))
    if (match.has(PREDICATE) or match.has(INDIFFERENT_NEGATED)) and _asks_what(tokens, match.start):
        before = tokens[match.start - 1] if match.start else None
        if match.has(PREDICATE) and before is not None and before.surface in _CONDITIONAL:
            return _with_roles(match, ())  # 「なんて言えばいいんだろ」
        if match.forms[:1] == ("分かる",) and before is not None and before.surface == "か":
            return _with_roles(match, (Role(PREDICATE, 1, 1),))  # 「何を話せばいいか分からない」: at a loss
    return match


def _with_roles(match: Match, roles: Tuple[Role, ...]) -> Match:
    return Match(match.start, match.end, roles, text_is_able=match.text_is_able, forms=match.forms)


def _asks_what(tokens: Sequence[Token], start: int) -> bool:
    """Whether a question word comes before ``start`` in the same stretch: 「何を話せば」."""
    for token in reversed(tokens[max(0, start - 10): start]):
        if _is_boundary(token):
            return False
        if token.normalized in _INTERROGATIVES or token.surface in _INTERROGATIVES:
            return True
    return False


def _reverse_poles(tokens: Sequence[Token], matches: List[Match], reversers: Mapping[str, FrozenSet[str]]) -> None:
    """A trait word followed by a word that turns it round takes the opposite pole.

    「年末年始も働けます」: a day off that one works is the opposite of a day off;
    「段取りが変わる」: a plan that changes is the opposite of a plan.
    """
    if not reversers:
        return
    by_start = {m.start: index for index, m in enumerate(matches)}
    chain: List[int] = []  # trait words in a row: 「年末年始もGWも働けます」
    for index, match in enumerate(matches):
        traits = {role.trait for role in match.roles if role.kind == TRAIT and role.trait in reversers}
        if not traits:
            chain = []
            continue
        chain.append(index)
        j = match.end
        while j < len(tokens) and tokens[j].pos == "助詞" and tokens[j].surface != "の" and j not in by_start:
            j += 1
        if j >= len(tokens) or j == match.end and tokens[j].pos != "動詞":
            chain = []
            continue  # 「休める仕事」 is a job one can rest in
        following = matches[by_start[j]] if j in by_start else None
        if following is not None and following.has(TRAIT) and j > match.end and following is matches[index + 1]:
            continue  # the next word of the row decides
        forms = {tokens[j].normalized, tokens[j].lemma} | set(following.forms if following is not None else ())
        for k in chain:
            turned = {trait for trait in traits if forms & reversers[trait]}
            if turned:
                # The verb belongs to the word (「働けます」 says what the person does then).
                end = j + 1 if following is None and k == chain[-1] else matches[k].end
                old = matches[k]
                matches[k] = Match(old.start, end, tuple(
                    Role(TRAIT, -role.polarity, role.strength, role.trait)
                    if role.kind == TRAIT and role.trait in turned else role for role in old.roles), forms=old.forms)
        chain = []


def _attributive(tokens: Sequence[Token], match: Match) -> bool:
    """An indifference phrase that modifies a noun (「数字による評価」) says nothing itself."""
    if not match.has(INDIFFERENT) or match.end >= len(tokens):
        return False
    following = tokens[match.end]
    return following.pos == "名詞" and following.normalized not in _FRAME_NOUNS - {"作業"}


def _prefers_other(tokens: Sequence[Token], clause: Clause) -> bool:
    """「体を動かしてるほうがいい」: a clause that prefers something of its own (〜ほうが).

    Not 「あったほうがいい」, which has nothing of its own.
    """
    for i in range(clause.start, clause.end - 1):
        if tokens[i].normalized == "方" and tokens[i].surface in ("ほう", "方") and tokens[i + 1].surface == "が":
            before = tokens[i - 1] if i > clause.start else None
            if before is not None and (before.pos == "形容詞" or before.normalized == "た"):
                return False  # 「高いほうが燃える」, 「見えたほうがいい」 say how much, not what else
            inside = {j for m in clause.matches for j in range(m.start, m.end)}
            return any(_is_head_word(t) and j not in inside and t.normalized not in _FRAME_NOUNS
                       for j, t in enumerate(tokens[clause.start: i], start=clause.start))
    return False


def _need(clauses: List[Clause]) -> None:
    """「土日休みじゃないと困る」, 「ゴールが見えないと頑張れない」: the thing is needed, a clear yes.

    The clause before 〜ないと loses its last negation and says yes; the consequence, when
    it is a no (or says nothing), has been used up.
    """
    for clause, following in zip(clauses, clauses[1:], strict=False):
        if clause.necessity is None or clause.question:
            continue
        if following.value is not None and following.value >= 0:
            continue  # 「ノルマがないと楽」, 「やってみないと分からない」: no need said
        necessity = clause.necessity
        target = necessity.target if necessity.has(NEGATOR) else necessity  # 目標がないと: the word itself
        if target is not None:
            target.negations -= 1
            clause.mentions = _mentions(clause)
        predicate = _predicate(clause)
        if predicate is not None and predicate is target:
            clause.value = _scaled(clause, *_polarity_of(predicate), predicate.negations)
        else:
            clause.value = _scaled(clause, 1, 2, 0)
        if not following.mentions:
            following.value = None


def _soften_afterthoughts(clauses: List[Clause]) -> None:
    """A hedge standing after a 読点 softens what came before: 「うん、まあ」, 「好きです、たぶん」."""
    for before, after in zip(clauses, clauses[1:], strict=False):
        only_hedges = after.matches and all(m.has(HEDGE) for m in after.matches)
        if only_hedges and after.value is None and not after.mentions and before.value:
            before.value = 1 if before.value > 0 else -1


def _later(previous: Optional[int], current: int, clause: Optional[Clause] = None, keep: bool = True) -> int:
    """A later clause decides; if it turns an earlier one round, the feeling is mixed: ±1.

    After 〜もあれば the two sides balance: 0. A later clause that agrees keeps the stronger
    word unless it comes after a contrast: 「好きです。電話対応も苦になりません」 stays 2; あまり
    makes the later words decide (「いいえ、あまり好きではありません」: −1).
    """
    if previous and current and (previous > 0) != (current > 0):
        if clause is not None and clause.balanced:
            return 0
        return 1 if current > 0 else -1
    if previous and current and clause is not None and keep and not clause.after_contrast \
            and abs(previous) > abs(current):
        return previous
    return current


# --- evidence --------------------------------------------------------------------------


def _evidence(original: str, tokens: Sequence[Token], clauses: Sequence[Clause]) -> str:
    """The user's words of the clauses, without leading fillers or trailing links and punctuation."""
    if not clauses or not tokens:
        return ""
    start, end = clauses[0].start, clauses[-1].end
    first = clauses[0]
    skip = {m.start: m.end for m in first.matches if m.has(CONTRAST_CONJUNCTION)} if first.after_contrast else {}
    while start < end and (_filler(tokens[start]) or start in skip):
        start = skip.get(start, start + 1)
    last = clauses[-1]
    links = {m.end: m.start for m in last.matches if m.has(LINK) or m.has(CONTRAST_PARTICLE)}
    while end > start and (_filler(tokens[end - 1]) or end in links):
        end = links.get(end, end - 1)
    if end <= start:
        return ""
    return _original_span(original, tokens[start].begin, tokens[end - 1].end)


def _filler(token: Token) -> bool:
    return token.pos in ("補助記号", "空白") or token.pos2 == "フィラー"


def _original_span(original: str, begin: int, end: int) -> str:
    """The original text behind folded offsets, or the folded text where folding changed lengths."""
    folded_chars = [fold(char) for char in original]
    folded = fold(original)
    if "".join(folded_chars) != folded:
        return folded[begin:end].strip()
    offsets = [0]
    for piece in folded_chars:
        offsets.append(offsets[-1] + len(piece))
    try:
        return original[offsets.index(begin): offsets.index(end)].strip()
    except ValueError:
        return folded[begin:end].strip()

