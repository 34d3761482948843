"""Japanese text handling shared by the NLU components: normalisation and alias matching.

Plain functions and small classes without Rasa imports, so tests call them directly.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from bot.knowledge.text import fold, sudachi_tokenizer

# Why a message cannot be understood as it stands; the input guard maps these to intents.
ISSUE_EMPTY = "empty"
ISSUE_TOO_LONG = "too_long"
ISSUE_NO_WORDS = "no_words"

# Only what looks like a tag: <b>, </p>, <!-- -->; 「年収<300万>」 keeps its text.
_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,500}>")
_SPACE = re.compile(r"\s+")
_ASCII_WORD = re.compile(r"[0-9a-z]")
_HIRAGANA_START, _HIRAGANA_END = ord("ぁ"), ord("ゖ")
_KATAKANA_OFFSET = ord("ァ") - ord("ぁ")
# Katakana names from this length on are also found when typed in hiragana.
MIN_KANA_SPELLED_LENGTH = 5
# A reading followed by one of these continues a longer word: ジンジ|ャー, けいり|ん, じんじ|ゃ.
_WORD_CONTINUATION = set("ァィゥェォャュョヮンー")


class NormalizedText(NamedTuple):
    """Text ready for NLU, and the reason it cannot be understood, if any."""

    text: str
    issue: Optional[str]


def normalize(text: Optional[str], max_chars: Optional[int] = None) -> NormalizedText:
    """NFKC (full-width letters, half-width katakana), HTML tags removed, spaces collapsed.

    Messages longer than ``max_chars`` as sent (if given) are cut to that length and flagged,
    so a 5,000 character paste is answered politely instead of being pushed through the models.
    """
    raw = text or ""
    if max_chars is not None and len(raw) > max_chars:
        cut = normalize(raw[:max_chars]).text
        return NormalizedText(cut, ISSUE_TOO_LONG)
    cleaned = html.unescape(_TAG.sub(" ", raw))
    cleaned = unicodedata.normalize("NFKC", cleaned)
    # Zero-width and control characters confuse the tokenizer and carry no meaning.
    cleaned = "".join(ch for ch in cleaned if unicodedata.category(ch) not in ("Cc", "Cf") or ch == "\n")
    cleaned = _SPACE.sub(" ", cleaned).strip()
    if not cleaned:
        return NormalizedText("", ISSUE_EMPTY)
    if not any(unicodedata.category(ch)[0] in ("L", "N") for ch in cleaned):
        return NormalizedText(cleaned, ISSUE_NO_WORDS)
    return NormalizedText(cleaned, None)


def to_katakana(text: str) -> str:
    """Hiragana to katakana, one character for one, so offsets stay valid."""
    return "".join(
        chr(ord(ch) + _KATAKANA_OFFSET) if _HIRAGANA_START <= ord(ch) <= _HIRAGANA_END else ch
        for ch in text
    )


def _is_katakana(ch: str) -> bool:
    return "ァ" <= ch <= "ヺ" or ch == "ー"


class Morpheme(NamedTuple):
    """The parts of a SudachiPy morpheme the matcher needs."""

    begin: int
    end: int
    normalized: str
    reading: str


Analyzer = Callable[[str], Sequence[Morpheme]]


@dataclass(frozen=True)
class Match:
    """An alias found in a message, as a Rasa entity would describe it."""

    start: int
    end: int
    entity: str
    value: str
    text: str


class AliasMatcher:
    """Finds role and office names in text, however the user spelled them.

    Three views of the message are searched: the surface (NFKC, case-folded), SudachiPy's
    normalised forms (問合せ→問い合わせ, コンピュータ→コンピューター) and, for names written
    in kana, their readings (けいり→経理). Overlaps go to the longest match, so 営業事務 is
    never reported as 営業.
    """

    def __init__(
        self,
        aliases: Mapping[str, Tuple[str, str]],
        analyzer: Analyzer,
        min_reading_length: int = 3,
    ) -> None:
        self._analyzer = analyzer
        self._surface: Dict[str, Tuple[str, str]] = {}
        self._normalized: Dict[str, Tuple[str, str]] = {}
        self._reading: Dict[str, Tuple[str, str]] = {}
        self._long_katakana: Dict[str, Tuple[str, str]] = {}
        for alias, target in aliases.items():
            key = fold(alias)
            self._surface[key] = target
            if len(key) >= MIN_KANA_SPELLED_LENGTH and all(_is_katakana(ch) for ch in key):
                self._long_katakana[key] = target
            morphemes = analyzer(key)
            normalized = "".join(m.normalized for m in morphemes).casefold()
            if normalized:
                self._normalized.setdefault(normalized, target)
            reading = "".join(m.reading for m in morphemes)
            has_kanji = any(unicodedata.name(ch, "").startswith("CJK") for ch in key)
            if has_kanji and len(reading) >= min_reading_length:
                self._reading.setdefault(reading, target)

    def find(self, text: str) -> List[Match]:
        """All non-overlapping alias matches in ``text``, in order of position."""
        folded = text.casefold()
        candidates = list(self._surface_matches(folded))
        candidates += self._normalized_matches(folded)
        kana = to_katakana(folded)
        candidates += [c for c in _find_all(kana, self._reading, check_boundaries=False)
                       if _reading_stands_alone(kana, c[0], c[1])]
        # Katakana names typed in hiragana (ばっくおふぃす, まーけてぃんぐ) are the same names. Short
        # ones are left out: ばっく in ばっくの仕事 would need word boundaries hiragana text lacks.
        if kana != folded:
            candidates += _find_all(kana, self._long_katakana, check_boundaries=False)
        chosen: List[Tuple[int, int, str, str]] = []
        for start, end, entity, value in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            if all(end <= s or start >= e for s, e, _, _ in chosen):
                chosen.append((start, end, entity, value))
        return [Match(s, e, entity, value, text[s:e]) for s, e, entity, value in sorted(chosen)]

    def _surface_matches(self, text: str) -> Iterable[Tuple[int, int, str, str]]:
        return _find_all(text, self._surface, check_boundaries=True)

    def _normalized_matches(self, text: str) -> List[Tuple[int, int, str, str]]:
        morphemes = self._analyzer(text)
        pieces: List[str] = []
        owners: List[int] = []
        for index, morpheme in enumerate(morphemes):
            pieces.append(morpheme.normalized.casefold())
            owners.extend([index] * len(morpheme.normalized))
        joined = "".join(pieces)
        matches = []
        for start, end, entity, value in _find_all(joined, self._normalized, check_boundaries=True):
            first, last = morphemes[owners[start]], morphemes[owners[end - 1]]
            matches.append((first.begin, last.end, entity, value))
        return matches


def _find_all(
    text: str, table: Mapping[str, Tuple[str, str]], check_boundaries: bool
) -> List[Tuple[int, int, str, str]]:
    found = []
    for alias, (entity, value) in table.items():
        start = text.find(alias)
        while start != -1:
            end = start + len(alias)
            if not check_boundaries or _at_word_boundary(text, alias, start, end):
                found.append((start, end, entity, value))
            start = text.find(alias, start + 1)
    return found


def _reading_stands_alone(text: str, start: int, end: int) -> bool:
    """A kana spelling is a name only if it does not run on into a longer word."""
    if end < len(text) and text[end] in _WORD_CONTINUATION:
        return False
    return not (start > 0 and _is_katakana(text[start - 1]) and text[start - 1] != "ー")


def _at_word_boundary(text: str, alias: str, start: int, end: int) -> bool:
    """Short Latin and katakana names must stand alone: HR not in CHRONO, バック not in バックアップ."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if _ASCII_WORD.match(alias[0]) and before and _ASCII_WORD.match(before):
        return False
    if _ASCII_WORD.match(alias[-1]) and after and _ASCII_WORD.match(after):
        return False
    if len(alias) <= 4 and all(_is_katakana(ch) for ch in alias):
        return not (before and _is_katakana(before)) and not (after and _is_katakana(after))
    return True


def sudachi_analyzer() -> Analyzer:
    """SudachiPy (split mode C, the mode GiNZA uses) as an :data:`Analyzer`.

    Raises an :class:`ImportError` that says what to install when SudachiPy or its
    dictionary is missing, in the manner of GiNZA's ``try_sudachi_import``.
    """
    tokenizer = sudachi_tokenizer("C")

    def analyze(text: str) -> List[Morpheme]:
        if not text:
            return []
        return [
            Morpheme(m.begin(), m.end(), m.normalized_form(), m.reading_form())
            for m in tokenizer.tokenize(text)
        ]

    return analyze
