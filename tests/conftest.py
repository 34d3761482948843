"""Shared pytest fixtures.

Knowledge-base fixtures live here so that tests of the loader, the actions and the NLU
components can all build a small, valid knowledge base in a temporary directory and
break it in one place.

Fixture names are prefixed with ``knowledge`` / ``edit_knowledge`` on purpose; the
names ``tracker``, ``dispatcher`` and ``domain`` are left free for action tests.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional

import pytest
import yaml

if TYPE_CHECKING:  # imported by the fixtures that use them, so that other tests need not load them
    from actions.statements import StatementReader
    from bot.knowledge.base import Knowledge

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # `pytest` run without `python -m` does not add the cwd.
    sys.path.insert(0, str(REPO_ROOT))

KNOWLEDGE_FILES = ("sources.yml", "traits.yml", "offices.yml", "roles.yml", "topics.yml")

SOURCE_A = "article_a.txt"
SOURCE_B = "article_b.txt"


def _fact(text: str, source: str = SOURCE_A, **extra: Any) -> Dict[str, Any]:
    return {**extra, "text": text, "source": source}


def _office(office_id: str, name: str, aliases: list, definition: str) -> Dict[str, Any]:
    return {
        "id": office_id,
        "name": name,
        "aliases": aliases,
        "definition": _fact(definition),
        "features": [_fact(f"{name}の特徴です。", SOURCE_B)],
        "merits": [_fact(f"{name}のメリットです。", title="メリット")],
    }


REAL_KNOWLEDGE = Path(__file__).resolve().parent.parent / "data" / "knowledge"


def sample_knowledge_data() -> Dict[str, Any]:
    """A small but complete knowledge base, as ``{file name: parsed YAML}``.

    Indices matter to the tests that break it: roles[0]=sales (front), roles[1]=accounting
    (back), roles[2]=sales_assistant (back); offices[0]=front, [1]=back, [2]=middle.
    Role 'accounting' has the Latin alias ``FIN``.
    """
    # The diagnosis settings hold no facts: the small base shares the real ones.
    diagnosis = yaml.safe_load((REAL_KNOWLEDGE / "diagnosis.yml").read_text(encoding="utf-8"))
    diagnosis["office_requires"] = {"middle": ["steady_accuracy"]}  # its traits are the small base's
    return {
        "diagnosis.yml": diagnosis,
        "sources.yml": {
            "sources": [
                {"file": SOURCE_A, "title": "記事A: フロントとバックの違い"},
                {"file": SOURCE_B, "title": "記事B: バックオフィスのやりがい"},
            ]
        },
        "traits.yml": {
            "traits": [
                {
                    "id": "talk_people",
                    "label": "人と話すのが好き",
                    "question": "人と話すのは好きですか？",
                    "description": "顧客と話す仕事に向いているとされています。",
                    "sources": [SOURCE_A],
                    "hint": "「人と話すのは好きです」のように教えてください。",
                },
                {
                    "id": "steady_accuracy",
                    "label": "コツコツ正確な作業が得意",
                    "question": "コツコツ正確な作業は得意ですか？",
                    "description": "正確さが求められる作業に向いているとされています。",
                    "sources": [SOURCE_A, SOURCE_B],
                    "hint": "「細かい作業は得意です」のように教えてください。",
                },
            ]
        },
        "offices.yml": {
            "offices": [
                _office("front", "フロントオフィス", ["フロントオフィス", "フロント"], "顧客と直接関わる部門です。"),
                _office("back", "バックオフィス", ["バックオフィス", "バック", "管理部門"], "会社を内側から支える部門です。"),
                _office("middle", "ミドルオフィス", ["ミドルオフィス"], "フロントとバックの間に立つ部門です。"),
            ]
        },
        "roles.yml": {
            "roles": [
                {
                    "id": "sales",
                    "name": "営業",
                    "office": "front",
                    "aliases": ["営業", "営業職"],
                    "summary": _fact("製品やサービスを提案する仕事です。"),
                    "duties": [_fact("新規顧客の獲得"), _fact("見積書の作成", SOURCE_B)],
                    "fits": [_fact("人と話すのが好きな人")],
                    "styles": [{"name": "ルート営業", "text": "既存顧客を回る営業です。", "source": SOURCE_A}],
                    "traits": {
                        "talk_people": {"weight": 2, "reason": "人と話す仕事です。", "source": SOURCE_A},
                        "steady_accuracy": {"weight": -1, "reason": "正確さより対応力です。", "source": SOURCE_A},
                    },
                },
                {
                    "id": "accounting",
                    "name": "経理",
                    "office": "back",
                    "aliases": ["経理", "経理部", "FIN"],
                    "summary": _fact("会社のお金の流れを管理する仕事です。", SOURCE_B),
                    "duties": [_fact("月次決算"), _fact("経費精算", SOURCE_B)],
                    "hard": [_fact("締め日前は忙しくなります。", SOURCE_B)],
                    "traits": {
                        "steady_accuracy": {"weight": 2, "reason": "正確さが求められます。", "source": SOURCE_B},
                        "talk_people": {"weight": 0, "reason": "社内の連絡はあります。", "source": SOURCE_A},
                    },
                },
                {
                    "id": "sales_assistant",
                    "name": "営業事務",
                    "office": "back",
                    "aliases": ["営業事務", "営業アシスタント"],
                    "summary": _fact("営業担当者をサポートする仕事です。"),
                    "duties": [_fact("データ入力")],
                    "traits": {
                        "steady_accuracy": {"weight": 1, "reason": "データ入力が多いです。", "source": SOURCE_A},
                    },
                },
            ]
        },
        "topics.yml": {
            "differences": [
                {"aspect": "役割", "front": "売上を作ります。", "back": "運営を支えます。", "source": SOURCE_A},
            ],
            "interdependence": [_fact("両者は互いに依存しています。", SOURCE_B)],
            "collaboration_tips": [_fact("定例会で情報を共有します。")],
        },
    }


def write_knowledge_files(directory: Path, data: Dict[str, Any]) -> Path:
    """Writes ``{file name: data}`` as YAML files into ``directory`` and returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in data.items():
        (directory / name).write_text(
            yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return directory


@pytest.fixture
def knowledge_data() -> Dict[str, Any]:
    """A fresh (deep-copied) :func:`sample_knowledge_data` that a test may change freely."""
    return copy.deepcopy(sample_knowledge_data())


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A directory (inside ``tmp_path``) holding the five files of a small, valid knowledge base."""
    return write_knowledge_files(tmp_path / "knowledge", sample_knowledge_data())


KnowledgeEditor = Callable[[str, Callable[[Any], Optional[Any]]], Path]


@pytest.fixture
def edit_knowledge(knowledge_dir: Path) -> KnowledgeEditor:
    """Returns ``edit(file_name, change)``: loads the file, lets ``change`` mutate the data, writes it back.

    ``change`` may mutate the parsed YAML in place or return a replacement. ``edit`` returns
    the knowledge directory, so ``load_knowledge(edit("roles.yml", ...))`` reads the result.
    """

    def edit(file_name: str, change: Callable[[Any], Optional[Any]]) -> Path:
        path = knowledge_dir / file_name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        replaced = change(data)
        if replaced is not None:
            data = replaced
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return knowledge_dir

    return edit


# The real knowledge base and statement reader, as the action server loads them, for the tests
# of what it answers (a test file may still define its own).


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    """The knowledge base of data/knowledge/ (or KNOWLEDGE_DIR), loaded once."""
    from bot.knowledge.base import default_knowledge

    return default_knowledge()


@pytest.fixture
def small_kb(knowledge_dir: Path) -> Knowledge:
    """The small knowledge base of ``knowledge_data``, for tests that need data of a given shape."""
    from bot.knowledge.base import load_knowledge

    return load_knowledge(knowledge_dir)


@pytest.fixture(scope="session")
def reader() -> StatementReader:
    """The statement reader over the shipped lexicon, made once."""
    from actions.statements import default_reader

    return default_reader()


# ---------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _lock_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bot/endpoints.yml names ${LOCK_DIR}: Rasa refuses the file while it is unset (bot/scripts/*.sh set it)."""
    monkeypatch.setenv("LOCK_DIR", str(tmp_path / "locks"))


# Domain, dispatcher and tracker fixtures for the action and answer tests.
# ---------------------------------------------------------------------------

DOMAIN_DIR = REPO_ROOT / "bot" / "domain"


def load_domain(directory: Path = DOMAIN_DIR) -> Dict[str, Any]:
    """Merges every ``*.yml`` of a Rasa domain directory into one dict, like Rasa does.

    Mappings (``responses``, ``slots``, ...) are merged key by key and lists (``intents``,
    ``entities``, ``actions``) are concatenated. A key defined in two files is refused, since
    Rasa would silently keep only one of them.
    """
    merged: Dict[str, Any] = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            if isinstance(value, dict):
                target = merged.setdefault(key, {})
                twice = sorted(set(target) & set(value))
                if twice:
                    raise ValueError(f"{path.name}: {key} {twice} already defined in another domain file")
                target.update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = value
    return merged


@pytest.fixture(scope="session")
def _domain_data() -> Dict[str, Any]:
    return load_domain()


@pytest.fixture
def domain(_domain_data: Dict[str, Any]) -> Dict[str, Any]:
    """The merged domain of ``bot/domain/`` (a fresh copy), as rasa_sdk passes it to ``Action.run``."""
    return copy.deepcopy(_domain_data)


@pytest.fixture
def responses(domain: Dict[str, Any]) -> Dict[str, Any]:
    """``{response name: [variation, ...]}`` from the domain."""
    return domain["responses"]


@pytest.fixture
def dispatcher() -> Any:
    """A fresh ``CollectingDispatcher``; sent messages are in ``dispatcher.messages``."""
    from rasa_sdk.executor import CollectingDispatcher

    return CollectingDispatcher()


TrackerFactory = Callable[..., Any]


@pytest.fixture
def make_tracker() -> TrackerFactory:
    """Returns ``make(intent, entities=(), text="", topic=None, slots=None)`` building a rasa_sdk ``Tracker``.

    The latest message is the user's turn as the NLU pipeline would report it: intent name
    (``None`` gives a message without intent), the given entity dicts and the text. ``topic``
    is the value of the ``topic`` slot carried over from earlier turns; ``slots`` adds others.
    """
    from rasa_sdk import Tracker

    def make(
        intent: Optional[str],
        entities: Any = (),
        text: str = "",
        topic: Optional[str] = None,
        slots: Optional[Dict[str, Any]] = None,
        sender_id: str = "test-user",
    ) -> Tracker:
        all_slots: Dict[str, Any] = {"topic": topic, **(slots or {})}
        intent_data = {"name": intent, "confidence": 1.0} if intent is not None else {}
        latest_message = {
            "intent": intent_data,
            "entities": [dict(entity) for entity in entities],
            "text": text,
            "intent_ranking": [intent_data] if intent_data else [],
        }
        events = [{"event": "slot", "timestamp": None, "name": name, "value": value}
                  for name, value in all_slots.items() if value is not None]
        events += [
            {"event": "action", "timestamp": None, "name": "action_listen"},
            {"event": "user", "timestamp": None, "text": text, "parse_data": latest_message},
        ]
        return Tracker(
            sender_id=sender_id,
            slots=all_slots,
            latest_message=latest_message,
            events=events,
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    return make


# ---------------------------------------------------------------------------
# Tracker stores on a real SQLite file, for the privacy and retention tests.
# ---------------------------------------------------------------------------

ConversationWriter = Callable[..., int]


@pytest.fixture(scope="session")
def rasa_domain() -> Any:
    """Rasa's own ``Domain`` of ``bot/domain/`` (slots for trackers read back from a store)."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(DOMAIN_DIR))


@pytest.fixture
def tracker_db(tmp_path: Path) -> Path:
    """Path of a fresh SQLite tracker database (created by the first store opened on it)."""
    return tmp_path / "tracker.db"


@pytest.fixture
def open_store(tracker_db: Path, rasa_domain: Any) -> Callable[..., Any]:
    """Returns ``open(store_class=SQLTrackerStore)``: a store of that class on ``tracker_db``, as Rasa creates it."""
    from rasa.core.tracker_store import SQLTrackerStore

    def open_(store_class: Any = SQLTrackerStore) -> Any:
        return store_class(domain=rasa_domain, dialect="sqlite", db=str(tracker_db))

    return open_


def conversation_events(timestamps: Any, text: str = "人事について教えて") -> list:
    """A conversation as Rasa stores it: a session start, then one user turn and answer per timestamp."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

    first = timestamps[0]
    events: list = [ActionExecuted("action_session_start", timestamp=first), SessionStarted(timestamp=first),
                    ActionExecuted("action_listen", timestamp=first)]
    for at in timestamps:
        events += [
            UserUttered(text, {"name": "ask_overview", "confidence": 1.0}, timestamp=at),
            ActionExecuted("action_answer_question", timestamp=at),
            BotUttered("人事・労務はバックオフィスに属する職種です。", timestamp=at),
            ActionExecuted("action_listen", timestamp=at),
        ]
    return events


@pytest.fixture
def write_conversation(rasa_domain: Any) -> ConversationWriter:
    """Returns ``write(store, sender_id, timestamps)``: saves a conversation through ``store.save``; returns its event count."""
    import asyncio

    from rasa.shared.core.trackers import DialogueStateTracker

    def write(store: Any, sender_id: str, timestamps: Any) -> int:
        events = conversation_events(list(timestamps))
        tracker = DialogueStateTracker.from_events(sender_id, events, rasa_domain.slots)
        asyncio.run(store.save(tracker))
        return len(events)

    return write


def stored_events(tracker_db: Path, sender_id: Optional[str] = None) -> list:
    """``(sender_id, type_name, timestamp)`` of the rows in the SQLite events table, in order."""
    import sqlite3

    with sqlite3.connect(tracker_db) as db:
        query = "SELECT sender_id, type_name, timestamp FROM events"
        if sender_id is None:
            return db.execute(query + " ORDER BY id").fetchall()
        return db.execute(query + " WHERE sender_id = ? ORDER BY id", (sender_id,)).fetchall()
