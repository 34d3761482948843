"""The words of a message as the bot reads them: its normaliser, then SudachiPy (split mode C, as GiNZA)."""

from __future__ import annotations

from functools import lru_cache
from typing import FrozenSet

from bot.knowledge.japanese import normalize
from bot.knowledge.text import tokenize

# Verbs that frame a request rather than say what it is about: 「経理について教えて」 and
# 「人事について教えて」 (について reads as the verb つく) must not look half alike.
FRAME_WORDS = frozenset({"つく", "教える", "知る", "聞く", "する", "ある", "いる", "なる", "思う", "言う",
                         "下さる", "願う", "見る", "分かる"})


# People repeat themselves (and synthetic stores do even more): each distinct text is read once.
@lru_cache(maxsize=20000)
def content_words(text: str) -> FrozenSet[str]:
    """Sudachi's normalised forms of the content words: 問合せ and 問い合わせ are one word.

    Particles, auxiliaries and punctuation say little about what was asked, so 「経理って何？」
    and 「経理とは何ですか」 come out alike.
    """
    normalized = normalize(text).text
    return frozenset(token.normalized for token in tokenize(normalized)
                     if token.is_content and token.normalized not in FRAME_WORDS)
