"""Checks the knowledge data the action server reads; it refuses to start on the same errors.

``python -m actions.check`` (``make check-knowledge``): the facts, sources and aliases
(``bot.knowledge``), and the words of statements and of retrieval that live beside them.
"""

from __future__ import annotations

import sys

from actions.retrieval import RETRIEVAL_FILE, load_vocabulary
from actions.statements import FILE as STATEMENTS_FILE
from actions.statements import load_lexicon
from bot.knowledge.base import KnowledgeError, knowledge_dir, load_knowledge


def main() -> None:
    """Prints a one-line summary, or exits 1 with the error that names the file and entry."""
    try:
        kb = load_knowledge()
        # A directory of facts alone, as in tests, has no statement or retrieval words to check.
        directory = knowledge_dir()
        if (directory / STATEMENTS_FILE).exists():
            load_lexicon(directory / STATEMENTS_FILE)
        if (directory / RETRIEVAL_FILE).exists():
            load_vocabulary(directory)
    except KnowledgeError as error:
        sys.exit(f"Knowledge base is invalid: {error}")
    print(f"Knowledge base OK: {len(kb.offices)} offices, {len(kb.roles)} roles, {len(kb.sources)} sources.")


if __name__ == "__main__":
    main()
