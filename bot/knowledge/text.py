"""SudachiPy tokens for the knowledge side: retrieval, the statement reader, ellipsis.

No Rasa imports: the action server and the NLU components can both use it. The tokenizer
is the one GiNZA uses (SudachiDict-core, split mode C), so a word is the same word in the
NLU and here.
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache
from typing import Any, List, NamedTuple, Tuple


class Token(NamedTuple):
    """What the readers need of one SudachiPy morpheme."""

    surface: str
    # Sudachi's normalised form: 問合せ→問い合わせ, 出来る→できる, 下さい→くださる.
    normalized: str
    # Dictionary form (終止形) of the surface, for verbs and adjectives.
    lemma: str
    reading: str
    # Part of speech: the first level (名詞, 動詞, 助動詞 ...) and the second (普通名詞, 接続助詞 ...).
    pos: str
    pos2: str
    begin: int
    end: int

    @property
    def is_content(self) -> bool:
        """A word that carries meaning: nouns (not numbers), verbs and adjectives that stand alone."""
        if self.pos == "名詞":
            return self.pos2 != "数詞"
        return self.pos in ("動詞", "形容詞", "形状詞") and self.pos2 != "非自立可能"


def fold(text: str) -> str:
    """NFKC and case folding: the form every comparison uses."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def sudachi_tokenizer(mode: str = "C") -> Any:
    """A SudachiPy tokenizer with the pinned core dictionary (mode C is the one GiNZA uses).

    Raises an :class:`ImportError` that says what to install when SudachiPy or its dictionary
    is missing, in the manner of GiNZA's ``try_sudachi_import``.
    """
    try:
        from sudachipy import Dictionary, SplitMode
    except ImportError as error:
        raise ImportError(
            "SudachiPy is not installed. Install the pinned versions with `make install` "
            "(requirements.txt: SudachiPy, SudachiDict-core)."
        ) from error
    try:
        return _dictionary(Dictionary).create(getattr(SplitMode, mode))
    except Exception as error:  # SudachiPy reports a missing dictionary with its own error types.
        raise ImportError(
            "SudachiPy's dictionary 'sudachidict_core' could not be loaded. Install the pinned "
            "SudachiDict-core from requirements.txt with `make install`."
        ) from error


@cache
def _tokenizer(mode: str = "C") -> Any:
    return sudachi_tokenizer(mode)


@cache
def _dictionary(dictionary_class: Any) -> Any:
    return dictionary_class(dict="core")


# Sudachi refuses inputs over 49,149 bytes; messages are far shorter (the NLU caps them),
# but knowledge texts and odd callers are cut into pieces at sentence ends instead.
_MAX_CHUNK = 4000


def tokenize(text: str, mode: str = "C") -> List[Token]:
    """Tokens of ``text`` after :func:`fold`; offsets refer to the folded text.

    Mode C (GiNZA's) keeps compounds whole (クラウドサービス); mode A splits them (クラウド, サービス).
    """
    return list(_tokens(fold(text), mode))


# Messages repeat (「はい」, button titles) and knowledge texts are indexed once.
@lru_cache(maxsize=4096)
def _tokens(folded: str, mode: str) -> Tuple[Token, ...]:
    tokens: List[Token] = []
    offset = 0
    while offset < len(folded):
        piece = folded[offset: offset + _MAX_CHUNK]
        for morpheme in _tokenizer(mode).tokenize(piece):
            pos = morpheme.part_of_speech()
            tokens.append(
                Token(
                    morpheme.surface(),
                    morpheme.normalized_form(),
                    morpheme.dictionary_form(),
                    morpheme.reading_form(),
                    pos[0],
                    pos[1],
                    offset + morpheme.begin(),
                    offset + morpheme.end(),
                )
            )
        offset += len(piece)
    return tuple(tokens)
