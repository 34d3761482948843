"""Checks the knowledge data the action server reads; it refuses to start on the same errors.

``python -m actions.check`` (``make check-knowledge``): the facts, sources and aliases
(``bot.knowledge``), and the words of statements and of retrieval that live beside them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from actions.retrieval import RETRIEVAL_FILE, load_vocabulary
from actions.statements import FILE as STATEMENTS_FILE
from actions.statements import load_lexicon
from bot.knowledge.base import DEFAULT_KNOWLEDGE_DIR, KNOWLEDGE_DIR_ENV, KnowledgeError, load_knowledge


def main() -> int:
    """Prints a one-line summary, or the error that names the file and entry (exit 1)."""
    try:
        kb = load_knowledge()
        # A directory of facts alone, as in tests, has no statement or retrieval words to check.
        directory = Path(os.environ.get(KNOWLEDGE_DIR_ENV) or DEFAULT_KNOWLEDGE_DIR)
        if (directory / STATEMENTS_FILE).exists():
            load_lexicon(directory / STATEMENTS_FILE)
        if (directory / RETRIEVAL_FILE).exists():
            load_vocabulary(directory)
    except KnowledgeError as error:
        print(f"Knowledge base is invalid: {error}", file=sys.stderr)
        return 1
    print(f"Knowledge base OK: {len(kb.offices)} offices, {len(kb.roles)} roles, {len(kb.sources)} sources.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
