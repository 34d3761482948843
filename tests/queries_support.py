"""What the tests of ``actions/queries.py`` share: the articles' names, entity builders, reply readers.

The tests are split by concern (tests/test_queries_*.py). Most use the real knowledge base, so
they pin what a user is told today; a few use the small one of ``conftest.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from actions.queries import (
    HANDLERS,
    LIST_SEPARATOR,
    Answer,
    Reply,
)
from bot.knowledge.base import Knowledge

REPO_ROOT = Path(__file__).resolve().parent.parent
ALL_INTENTS = (*HANDLERS, "ask_difference")
# Same pattern as rasa.core.nlg.interpolator: what Rasa treats as a placeholder.
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")
# Keyword arguments of CollectingDispatcher.utter_message: a param with one of these names
# would overwrite the message itself instead of filling a placeholder.
UTTER_MESSAGE_KEYWORDS = frozenset(
    {"text", "image", "json_message", "template", "response", "attachment", "buttons", "elements", "custom"}
)
# Params sent although the template does not use them (harmless: Rasa ignores extra values).
ALLOWED_UNUSED_PARAMS = {
    "utter_compare_role_no_duties": {"duties"},
}

# Source files of the real knowledge base (data/knowledge/sources.yml), in file order.
SRC_000 = "000_867159561cb1755e.txt"
SRC_001 = "001_ea5803cd594d1308.txt"
SRC_002 = "002_bd7e68b017b3b5f9.txt"
SRC_003 = "003_6d91e0db5fb450d8.txt"
SRC_004 = "004_eac0b46221fd8d2e.txt"

FRONT, BACK, MIDDLE = "フロントオフィス", "バックオフィス", "ミドルオフィス"
HR, ACCOUNTING, SALES, LEGAL = "人事・労務", "経理", "営業", "法務"



def job(*values: str) -> List[Dict[str, Any]]:
    return [{"entity": "job", "value": value} for value in values]


def office(*values: str) -> List[Dict[str, Any]]:
    return [{"entity": "office", "value": value} for value in values]


def other_job(*values: str) -> List[Dict[str, Any]]:
    return [{"entity": "other_job", "value": value} for value in values]


def spanned(kind: str, value: str, start: int, end: int) -> Dict[str, Any]:
    """An entity with its character span, as the NLU pipeline reports it."""
    return {"entity": kind, "value": value, "start": start, "end": end}


def names(answer: Answer) -> List[str]:
    return [reply.response for reply in answer.replies]


def shape(answer: Answer) -> List[Tuple[str, Optional[str]]]:
    """Response names with the ``name`` param: what each message is about."""
    return [(reply.response, reply.params.get("name")) for reply in answer.replies]


def titles(kb: Knowledge, *files: str) -> str:
    """The ``sources`` param expected for facts from ``files``: titles in sources.yml order, numbered if several."""
    used = [title for file, title in kb.sources.items() if file in files]
    if len(used) == 1:
        return f"「{used[0]}」"
    return LIST_SEPARATOR.join(f"［{n}］「{title}」" for n, title in enumerate(used, start=1))


def unmarked(text: str) -> str:
    """Text without the article numbers (［1］) that cite each fact."""
    return re.sub(r"［\d+］", "", text)


def item_lines(reply: Reply) -> List[str]:
    """The bullets of a reply, without the numbers that cite their articles."""
    return unmarked(reply.params["items"]).split("\n")


def subject_variants(kb: Knowledge) -> List[Tuple[List[Dict[str, Any]], Optional[str]]]:
    """(entities, topic) pairs: each role, each office, none, pairs, unknown (alone and beside a known subject),
    a role named twice; with and without a topic."""
    role_ids, office_ids = list(kb.roles), list(kb.offices)
    mentioned: List[List[Dict[str, Any]]] = [[], other_job("パイロット")]
    mentioned += [job(r) for r in role_ids] + [office(o) for o in office_ids]
    mentioned += [job(a, b) for a in role_ids for b in role_ids if a != b]
    mentioned += [office(a, b) for a in office_ids for b in office_ids if a != b]
    mentioned += [job(r) + office(o) for r in role_ids for o in office_ids]
    mentioned += [job(r) + other_job("パイロット") for r in role_ids] + [job(r, r) for r in role_ids]
    mentioned += [office(o) + other_job("パイロット") for o in office_ids]
    topics: List[Optional[str]] = [None, "role:ghost"]
    topics += [f"role:{r}" for r in role_ids] + [f"office:{o}" for o in office_ids]
    return [(entities, topic) for entities in mentioned for topic in topics]
