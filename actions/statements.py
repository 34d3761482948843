"""Reads what people say about themselves as values on the diagnosis traits.

「土日は休みたいし、ノルマも嫌」 → regular_holidays +2, targets_pressure −2. The reader works on
SudachiPy tokens (:mod:`actions.text`) and the lexicon in ``data/knowledge/statements.yml``;
no Rasa imports, so the action server and tests can use it alike.

How a statement is read:

1. Tokens are matched against the lexicon by normalized form (or lemma), longest entry
   first, so かもしれない is one hedge and its ない negates nothing.
2. The tokens are cut into clauses at sentence ends, 読点, し, contrast particles (けど, が)
   and より. A clause cut at a 読点 that has nothing evaluative yet (「電話対応、接客は苦手」)
   is joined to the next one.
3. In a clause, each negator applies to the word it follows: a predicate (好きじゃない), a
   trait word (休めない) or an ordinary word, which takes it in (出勤しない).
4. The clause's value is its last evaluative predicate with its negations, hedges and
   intensifiers; indifference (気にしない) makes it 0.
5. Each trait the clause names gets pole × value. A clause that names none speaks of the
   traits of the clause before (「プレゼンは得意だけど、好きではない」). What comes before
   より gets the opposite of what comes after. A later clause decides a trait an earlier
   one spoke of; when they disagree the result is mild (±1). A clause with a noun of its own
   before は/が/も (「事務がいい」) does not inherit; one that asks (「好きですか」) says nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

import yaml

from actions.knowledge import DEFAULT_KNOWLEDGE_DIR, KNOWLEDGE_DIR_ENV, KnowledgeError
from actions.text import Token, fold, tokenize

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

# Lists of the YAML file: key → (role, polarity, strength).
_FLAT_LISTS: Mapping[str, Tuple[str, int, int]] = {
    "desires": (DESIRE, 1, 2),
    "negators": (NEGATOR, 0, 0),
    "mild_negation": (MILD_NEGATION, 0, 0),
    "strong_negation": (STRONG_NEGATION, 0, 0),
    "intensifiers": (INTENSIFIER, 0, 0),
    "hedges": (HEDGE, 0, 0),
    "contrast_particles": (CONTRAST_PARTICLE, 0, 0),
    "contrast_conjunctions": (CONTRAST_CONJUNCTION, 0, 0),
    "link_particles": (LINK, 0, 0),
    "comparatives": (COMPARATIVE, 0, 0),
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
_TRANSPARENT = frozenset({"する", "為る", "ある", "有る", "居る", "いる", "成る", "なる", "言う", "いう",
                          "訳", "わけ", "事", "こと", "物", "もの", "方", "ほう", "の", "ん", "感じ", "所", "ところ"})


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

    def lexicon(self, traits: Sequence[str], hesitations: FrozenSet[str], circumstances: FrozenSet[str]) -> Lexicon:
        index: Dict[str, List[Entry]] = {}
        for (forms, pos), (text, roles) in self.entries.items():
            lemmas = forms if pos else tuple(token.lemma for token in _entry_tokens(text))
            entry = Entry(text, forms, lemmas, pos, tuple(roles))
            for first in {forms[0], lemmas[0]}:
                index.setdefault(first, []).append(entry)
        ordered = {first: tuple(sorted(entries, key=lambda e: -len(e.forms))) for first, entries in index.items()}
        return Lexicon(tuple(traits), ordered, hesitations, circumstances)


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


def _add_traits(builder: _Builder, data: Mapping[str, Any], known: Optional[List[str]]) -> List[str]:
    traits = _mapping(builder, data, "traits")
    for trait, poles in traits.items():
        where = f"traits.{trait}"
        if known is not None and trait not in known:
            raise builder.fail(where, "is not a trait of traits.yml")
        if not isinstance(poles, dict) or set(poles) != {"own", "opposite"}:
            raise builder.fail(where, "must have exactly the lists 'own' and 'opposite'")
        builder.add_list(poles["own"], f"{where}.own", Role(TRAIT, 1, 0, trait))
        builder.add_list(poles["opposite"], f"{where}.opposite", Role(TRAIT, -1, 0, trait))
    return list(traits)


def _add_word_lists(builder: _Builder, data: Mapping[str, Any]) -> None:
    for key, (kind, polarity, strength) in _FLAT_LISTS.items():
        builder.add_list(data.get(key), key, Role(kind, polarity, strength))
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
    path = Path(path) if path is not None else _knowledge_dir() / FILE
    builder = _Builder(path.name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise builder.fail("(file)", f"cannot be read: {error}") from error
    except yaml.YAMLError as error:
        raise builder.fail("(file)", f"is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise builder.fail("(file)", "must be a mapping")
    traits = _add_traits(builder, data, _known_traits(path.parent))
    _add_word_lists(builder, data)
    hesitations = data.get("hesitations")
    if not isinstance(hesitations, list) or not all(isinstance(h, str) and h for h in hesitations):
        raise builder.fail("hesitations", "must be a list of words")
    return builder.lexicon(traits, frozenset(fold(h) for h in hesitations), _circumstances(builder, data))


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


def _knowledge_dir() -> Path:
    return Path(os.environ.get(KNOWLEDGE_DIR_ENV) or DEFAULT_KNOWLEDGE_DIR)


@cache
def default_lexicon() -> Lexicon:
    """The lexicon of the knowledge directory (``KNOWLEDGE_DIR`` or data/knowledge), loaded once."""
    return load_lexicon()


@cache
def default_reader() -> StatementReader:
    """A reader over :func:`default_lexicon`, created once."""
    return StatementReader(default_lexicon())


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

    def evaluative(self) -> bool:
        """Whether the clause says what the person thinks (a predicate, a wish, indifference, an answer)."""
        kinds = (PREDICATE, DESIRE, INDIFFERENT, INDIFFERENT_NEGATED, ANSWER)
        return any(m.has(kind) for m in self.matches for kind in kinds)


def _token_fits(entry: Entry, tokens: Sequence[Token], start: int) -> bool:
    # By normalized form (きらい = 嫌い) or, failing that, by the lemma as written: the 助動詞
    # ない is normalized ない, the entry ない alone reads as the 形容詞 無い.
    if start + len(entry.forms) > len(tokens):
        return False
    for offset, (form, lemma) in enumerate(zip(entry.forms, entry.lemmas, strict=True)):
        token = tokens[start + offset]
        if token.normalized != form and token.lemma != lemma and not (entry.pos and token.surface == form):
            return False
    return not entry.pos or entry.pos in (tokens[start].pos, tokens[start].pos2)


def _find_matches(lexicon: Lexicon, tokens: Sequence[Token]) -> List[Match]:
    """Longest entries first, left to right, without overlaps."""
    matches: List[Match] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        keys = {token.normalized, token.lemma, token.surface}
        candidates = tuple(e for key in keys for e in lexicon.index.get(key, ()))
        fitting = sorted(dict.fromkeys(e for e in candidates if _token_fits(e, tokens, i)),
                         key=lambda e: -len(e.forms))
        if not fitting:
            i += 1
            continue
        longest = len(fitting[0].forms)
        roles = tuple(dict.fromkeys(role for e in fitting if len(e.forms) == longest for role in e.roles))
        matches.append(Match(i, i + longest, roles))
        i += longest
    return matches


def _is_boundary(token: Token) -> str:
    """'stop' after a sentence end or space, 'soft' after a 読点, '' inside a clause."""
    if token.pos == "空白" or token.pos2 == "句点" or token.surface in ("!", "?", "\n"):
        return "stop"
    if token.pos2 == "読点" or token.surface == ",":
        return "soft"
    return ""


def _split(tokens: Sequence[Token], matches: Sequence[Match]) -> List[Clause]:
    """Cuts at sentence ends, 読点, し, contrast particles and より."""
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
        current.end = end
        link = _link_after(tokens[i], match)
        if link is not None:
            current.link = link
            clauses.append(Clause(end, end, after_contrast=match is not None and match.has(CONTRAST_PARTICLE)))
        i = end
    return [c for c in clauses if c.end > c.start]


def _link_after(token: Token, match: Optional[Match]) -> Optional[str]:
    """How the clause ends after this token or match, or None when it goes on."""
    if match is not None:
        if match.has(COMPARATIVE):
            return "comparative"
        if match.has(CONTRAST_PARTICLE) or match.has(LINK):
            return ""
        return None
    boundary = _is_boundary(token)
    return None if not boundary else ("soft" if boundary == "soft" else "")


def _has_words(tokens: Sequence[Token], start: int, end: int) -> bool:
    return any(t.pos not in ("補助記号", "空白", "感動詞") for t in tokens[start:end])


def _merge_soft(clauses: List[Clause]) -> List[Clause]:
    """Joins a clause cut at a 読点 before its predicate to the next: 「電話対応、接客は苦手」."""
    merged: List[Clause] = []
    for clause in clauses:
        previous = merged[-1] if merged else None
        if previous is not None and previous.link == "soft" and not previous.evaluative() and \
                not clause.after_contrast:
            previous.end = clause.end
            previous.matches.extend(clause.matches)
            previous.link = clause.link
            continue
        merged.append(clause)
    return merged


# --- one clause ------------------------------------------------------------------------


def _is_head_word(token: Token) -> bool:
    """A content word that takes a following negator even when it is not in the lexicon."""
    if token.normalized in _TRANSPARENT or token.lemma in _TRANSPARENT:
        return False
    if token.pos == "名詞":
        return token.pos2 != "数詞"
    return token.pos in ("動詞", "形容詞", "形状詞")


def _attach_negators(tokens: Sequence[Token], clause: Clause) -> int:
    """Gives each negator to the word it follows; returns negators that follow nothing."""
    by_start = {m.start: m for m in clause.matches}
    head: Optional[Match] = None
    absorbed = False  # the last head is a word outside the lexicon: 出勤しない
    orphans = 0
    mild = 0  # 1 once あまり/そんなに has come since the last head
    i = clause.start
    while i < clause.end:
        match = by_start.get(i)
        if match is None:
            if _is_head_word(tokens[i]):
                head, absorbed, mild = None, True, 0
            i += 1
            continue
        if match.has(NEGATOR):
            if head is not None:
                head.negations += 1
                head.after_mild += mild
            elif not absorbed:
                orphans += 1
        elif match.has(DESIRE) and head is not None and head.has(PREDICATE):
            match.transparent = True  # 避けたい: the wish keeps the sign of 避ける, negators go to it
        elif match.kinds & _HEADS and not match.has(MILD_NEGATION):
            # あまり is also a one-word answer, but in あまりない the ない is the answer's own.
            head, absorbed, mild = match, False, 0
        elif match.has(MILD_NEGATION):
            mild = 1
        i = match.end
    return orphans


def _predicate(clause: Clause) -> Optional[Match]:
    """The clause's evaluative word: the last predicate (Japanese puts it at the end).

    Answer words (はい, そうでもない) count where there is no predicate.
    """
    for kinds in ((PREDICATE, DESIRE, INDIFFERENT_NEGATED), (ANSWER,)):
        found = [m for m in clause.matches if not m.transparent and m.kinds.intersection(kinds)]
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
    if words[-1].pos2 == "終助詞" and words[-1].normalized == "か":
        return True
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


def _clause_value(clause: Clause, orphans: int, answer_mode: bool) -> Optional[int]:
    """-2..2 for the clause's evaluation, 0 for indifference, None when it evaluates nothing."""
    if clause.question:
        return None  # 「人と話すのは好きですか」 asks, it does not say
    if _indifferent(clause):
        return 0
    predicate = _predicate(clause)
    if predicate is None:
        # 「ないです」 answering a question: a bare no.
        return _scaled(clause, 1, 2, orphans) if answer_mode and orphans else None
    sign, strength = _polarity_of(predicate)
    if sign == 0:
        return 0
    return _scaled(clause, sign, strength, predicate.negations)


def _indifferent(clause: Clause) -> bool:
    return any(m.has(INDIFFERENT) or (m.has(INDIFFERENT_NEGATED) and m.negations % 2) for m in clause.matches)


def _scaled(clause: Clause, sign: int, strength: int, negations: int) -> int:
    """Applies negation, hedges and intensity to a predicate's sign and strength."""
    has = {kind: any(m.has(kind) for m in clause.matches)
           for kind in (HEDGE, INTENSIFIER, MILD_NEGATION, STRONG_NEGATION)}
    if negations % 2 == 0 and negations:
        return sign  # なくはない: a double negative is a mild yes
    if negations % 2:
        if sign < 0:  # 嫌いではない: litotes, mild unless 全然苦じゃない
            return 2 if has[STRONG_NEGATION] and not has[HEDGE] else 1
        sign = -1
        if has[MILD_NEGATION]:  # あまり好きじゃない
            return -1
    if has[HEDGE]:
        return sign
    if has[INTENSIFIER] or has[STRONG_NEGATION]:
        return 2 * sign
    return sign * strength


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
                sums[role.trait] = sums.get(role.trait, 0) + pole
                last[role.trait] = pole
    return {trait: (1 if total > 0 else -1) if total else last[trait] for trait, total in sums.items()}


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
                readings[trait] = _Reading(_later(earlier, pole * (clause.value or 0)), start, index)
        original = text or ""
        return {trait: TraitReading(trait, r.value, _evidence(original, tokens, clauses[r.start: r.end + 1]))
                for trait, r in readings.items()}

    def read_answer(self, text: str, trait: str) -> Optional[int]:
        """The answer to the question of ``trait``; None when the text says nothing usable."""
        reading = self.answer(text, trait)
        return None if reading is None else reading.value

    def answer(self, text: str, trait: str) -> Optional[TraitReading]:
        """The answer to the question of ``trait`` with the words that gave it; None when there is none."""
        tokens, clauses = self._analyse(text, answer_mode=True)
        reading: Optional[_Reading] = None
        for index, clause, topic, source in self._evaluated(clauses):
            if topic and trait not in topic:
                continue  # about another trait: 「ノルマは嫌」 does not answer the question on 土日
            current = (clause.value or 0) * topic.get(trait, 1)
            if reading is None or reading.end < index - 1:
                reading = _Reading(_later(reading.value if reading else None, current), source, index)
            else:
                reading = _Reading(_later(reading.value, current), reading.start, index)
        if reading is None:
            if any(m.has(HEDGE) for c in clauses if not c.mentions for m in c.matches):
                # 「どちらかといえば」, 「少しだけ」 alone lean towards yes.
                return TraitReading(trait, 1, _evidence(text or "", tokens, clauses))
            return None
        return TraitReading(trait, reading.value, _evidence(text or "", tokens, clauses[reading.start: reading.end + 1]))

    def _analyse(self, text: str, answer_mode: bool) -> Tuple[List[Token], List[Clause]]:
        tokens = [t for t in tokenize(text or "") if not self._hesitation(t)]
        matches = _find_matches(self.lexicon, tokens)
        clauses = _merge_soft(_split(tokens, matches))
        for clause in clauses:
            orphans = _attach_negators(tokens, clause)
            clause.mentions = _mentions(clause)
            clause.new_topic = _names_new_topic(tokens, clause, self.lexicon.circumstances)
            clause.question = _is_question(tokens, clause)
            clause.value = _clause_value(clause, orphans, answer_mode)
        _compare(clauses)
        _soften_afterthoughts(clauses)
        return tokens, clauses

    def _hesitation(self, token: Token) -> bool:
        return token.pos == "感動詞" and token.surface in self.lexicon.hesitations

    @staticmethod
    def _evaluated(clauses: Sequence[Clause]) -> List[Tuple[int, Clause, Dict[str, int], int]]:
        """(index, clause, traits it speaks of, index of the clause that named them) per evaluation.

        A clause that names no trait speaks of the last one named: 「プレゼンは得意だけど、好きではない」.
        """
        result = []
        topic: Dict[str, int] = {}
        source = 0
        for index, clause in enumerate(clauses):
            if clause.mentions:
                topic, source = clause.mentions, index
            elif clause.new_topic:
                topic, source = {}, index
            if clause.value is not None:
                result.append((index, clause, topic if topic else {}, source if topic else index))
        return result


def _compare(clauses: List[Clause]) -> None:
    """What comes before より is dispreferred: it gets the opposite of what follows."""
    for index in range(len(clauses) - 2, -1, -1):
        clause, following = clauses[index], clauses[index + 1]
        if clause.link == "comparative" and clause.value is None and following.value is not None:
            clause.value = -following.value


def _soften_afterthoughts(clauses: List[Clause]) -> None:
    """A hedge standing after a 読点 softens what came before: 「うん、まあ」, 「好きです、たぶん」."""
    for before, after in zip(clauses, clauses[1:], strict=False):
        only_hedges = after.matches and all(m.has(HEDGE) for m in after.matches)
        if only_hedges and after.value is None and not after.mentions and before.value:
            before.value = 1 if before.value > 0 else -1


def _later(previous: Optional[int], current: int) -> int:
    """A later clause decides; if it turns an earlier one round, the feeling is mixed: ±1."""
    if previous and current and (previous > 0) != (current > 0):
        return 1 if current > 0 else -1
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

