"""Bounded sessions: when a new session starts, and what it carries over."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import pytest
import yaml
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.stores.sessions import BoundedSessionSQLTrackerStore, session_rollover

ROOT = Path(__file__).resolve().parent.parent
CONTEXT = ["utter_offer_diagnosis", "utter_confirm_stop_diagnosis"]


@pytest.fixture(scope="module")
def bot_domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


def turns(count: int, action: str = "action_answer_question") -> List[Event]:
    """`count` user turns, each answered by `action`, ending in action_listen."""
    events: List[Event] = [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)]
    for i in range(count):
        events += [UserUttered(f"質問{i}", {"name": "ask_overview"}), ActionExecuted(action), BotUttered("答え"),
                   ActionExecuted(ACTION_LISTEN_NAME)]
    return events


def tracker(domain: Domain, events: List[Event]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("user", events, domain.slots)


def test_short_session_goes_on(bot_domain: Domain) -> None:
    assert session_rollover(tracker(bot_domain, turns(14)), 15, CONTEXT) == []


def test_long_session_starts_a_new_one_carrying_the_slots(bot_domain: Domain) -> None:
    events = turns(15) + [SlotSet("topic", "accounting"), ActionExecuted(ACTION_LISTEN_NAME)]
    new = session_rollover(tracker(bot_domain, events), 15, CONTEXT)
    assert [type(e) for e in new] == [ActionExecuted, SessionStarted, SlotSet, ActionExecuted]
    assert new[0].action_name == ACTION_SESSION_START_NAME and new[-1].action_name == ACTION_LISTEN_NAME
    assert (new[2].key, new[2].value) == ("topic", "accounting")


def test_new_session_restores_the_same_slots(bot_domain: Domain) -> None:
    before = tracker(bot_domain, turns(15) + [SlotSet("topic", "sales"), SlotSet("diagnosis_shown", True),
                                             ActionExecuted(ACTION_LISTEN_NAME)])
    after = tracker(bot_domain, session_rollover(before, 15, CONTEXT))
    assert after.current_slot_values() == before.current_slot_values()


@pytest.mark.parametrize("question", CONTEXT)
def test_no_new_session_right_after_a_question_rules_depend_on(bot_domain: Domain, question: str) -> None:
    events = turns(20)[:-1] + [ActionExecuted(question), BotUttered("診断してみますか？"), ActionExecuted(ACTION_LISTEN_NAME)]
    assert session_rollover(tracker(bot_domain, events), 15, CONTEXT) == []


def test_no_new_session_while_a_form_is_active(bot_domain: Domain) -> None:
    events = turns(20) + [ActiveLoop("diagnosis_form"), ActionExecuted(ACTION_LISTEN_NAME)]
    assert session_rollover(tracker(bot_domain, events), 15, CONTEXT) == []


def test_no_new_session_in_the_middle_of_a_turn(bot_domain: Domain) -> None:
    events = turns(20) + [UserUttered("経理は？", {"name": "ask_overview"})]
    assert session_rollover(tracker(bot_domain, events), 15, CONTEXT) == []


def rule_context_actions() -> List[str]:
    """Bot actions that a rule step answers with an intent: their context must survive."""
    found = set()
    for path in (ROOT / "data").glob("rules*.yml"):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules", []):
            steps = rule.get("steps", [])
            for before, after in zip(steps, steps[1:], strict=False):
                if "action" in before and ("intent" in after or "or" in after):
                    found.add(before["action"])
    return sorted(found)


@pytest.mark.parametrize("endpoints_file", ["bot/endpoints.yml", "bot/prod/endpoints.yml"])
def test_endpoints_list_every_question_a_rule_depends_on(bot_domain: Domain, endpoints_file: str) -> None:
    endpoints = yaml.safe_load((ROOT / endpoints_file).read_text(encoding="utf-8"))
    store = endpoints["tracker_store"]
    from rasa.shared.utils.common import class_from_module_path

    assert issubclass(class_from_module_path(store["type"]), BoundedSessionSQLTrackerStore)
    assert rule_context_actions() and set(rule_context_actions()) <= set(store["context_actions"])
    assert set(store["context_actions"]) <= set(bot_domain.action_names_or_texts)


def test_store_saves_the_new_session_and_loads_only_it(tmp_path: Path, bot_domain: Domain) -> None:
    import asyncio

    store = BoundedSessionSQLTrackerStore(domain=bot_domain, dialect="sqlite", db=str(tmp_path / "t.db"),
                                          max_session_turns=3, context_actions=CONTEXT)
    events: Any = turns(3) + [SlotSet("topic", "hr"), ActionExecuted(ACTION_LISTEN_NAME)]
    asyncio.run(store.save(tracker(bot_domain, events)))
    loaded = asyncio.run(store.retrieve("user"))
    assert loaded is not None
    assert [e for e in loaded.events if isinstance(e, UserUttered)] == []
    assert loaded.get_slot("topic") == "hr"
    full = asyncio.run(store.retrieve_full_tracker("user"))
    assert full is not None and len([e for e in full.events if isinstance(e, UserUttered)]) == 3


def test_store_rejects_a_session_limit_below_one(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_session_turns"):
        BoundedSessionSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "t.db"), max_session_turns=0)


def test_sqlite_store_uses_the_write_ahead_log(tmp_path: Path) -> None:
    import sqlite3

    store = BoundedSessionSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "t.db"))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert sqlite3.connect(tmp_path / "t.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --------------------------------------------------------------------------- cache


def store_at(path: Path, domain: Domain) -> BoundedSessionSQLTrackerStore:
    return BoundedSessionSQLTrackerStore(domain=domain, dialect="sqlite", db=str(path), max_session_turns=50,
                                         context_actions=CONTEXT)


def loads(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Counts the full loads from the database."""
    from rasa.core.tracker_store import SQLTrackerStore

    calls: List[str] = []
    original = SQLTrackerStore.retrieve

    async def counting(self: Any, sender_id: str) -> Any:
        calls.append(sender_id)
        return await original(self, sender_id)

    monkeypatch.setattr(SQLTrackerStore, "retrieve", counting)
    return calls


def reply_turn(tracker: DialogueStateTracker, text: str) -> None:
    for event in (UserUttered(text, {"name": "ask_overview"}), ActionExecuted("action_answer_question"),
                  BotUttered("答え"), ActionExecuted(ACTION_LISTEN_NAME)):
        tracker.update(event)


def test_cache_reuses_a_saved_tracker(tmp_path: Path, bot_domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    store = store_at(tmp_path / "t.db", bot_domain)
    asyncio.run(store.save(tracker(bot_domain, turns(2))))
    calls = loads(monkeypatch)
    first = asyncio.run(store.retrieve("user"))
    assert first is not None and calls == ["user"]
    reply_turn(first, "営業は？")
    asyncio.run(store.save(first))
    assert asyncio.run(store.retrieve("user")) is first
    assert calls == ["user"]


def test_cache_sees_events_another_server_stored(tmp_path: Path, bot_domain: Domain) -> None:
    import asyncio

    ours, theirs = store_at(tmp_path / "t.db", bot_domain), store_at(tmp_path / "t.db", bot_domain)
    asyncio.run(ours.save(tracker(bot_domain, turns(1))))
    mine = asyncio.run(ours.retrieve("user"))
    other = asyncio.run(theirs.retrieve("user"))
    assert mine is not None and other is not None
    reply_turn(other, "人事は？")
    asyncio.run(theirs.save(other))
    again = asyncio.run(ours.retrieve("user"))
    assert again is not mine and again is not None
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["質問0", "人事は？"]


def test_cache_drops_a_tracker_with_unsaved_events(tmp_path: Path, bot_domain: Domain) -> None:
    import asyncio

    store = store_at(tmp_path / "t.db", bot_domain)
    asyncio.run(store.save(tracker(bot_domain, turns(1))))
    loaded = asyncio.run(store.retrieve("user"))
    assert loaded is not None
    reply_turn(loaded, "保存されない質問")  # e.g. the request failed before the save
    again = asyncio.run(store.retrieve("user"))
    assert again is not None and "保存されない質問" not in [e.text for e in again.events if isinstance(e, UserUttered)]


def test_cache_reloads_after_a_new_session(tmp_path: Path, bot_domain: Domain) -> None:
    import asyncio

    store = BoundedSessionSQLTrackerStore(domain=bot_domain, dialect="sqlite", db=str(tmp_path / "t.db"),
                                          max_session_turns=2, context_actions=CONTEXT)
    asyncio.run(store.save(tracker(bot_domain, turns(1))))
    loaded = asyncio.run(store.retrieve("user"))
    assert loaded is not None
    reply_turn(loaded, "二つ目")
    asyncio.run(store.save(loaded))  # the second turn starts a new session
    fresh = asyncio.run(store.retrieve("user"))
    assert fresh is not None and fresh is not loaded
    assert [e for e in fresh.events if isinstance(e, UserUttered)] == []


def test_cache_keeps_only_the_most_recent_conversations(tmp_path: Path, bot_domain: Domain) -> None:
    import asyncio

    store = BoundedSessionSQLTrackerStore(domain=bot_domain, dialect="sqlite", db=str(tmp_path / "t.db"),
                                          cache_size=2)
    for sender in ("a", "b", "c"):
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, turns(1), bot_domain.slots)))
        asyncio.run(store.retrieve(sender))
    assert list(store._cache) == ["b", "c"]


def test_cache_reloads_after_a_session_rasa_started(tmp_path: Path, bot_domain: Domain) -> None:
    import asyncio

    store = store_at(tmp_path / "t.db", bot_domain)
    asyncio.run(store.save(tracker(bot_domain, turns(2))))
    loaded = asyncio.run(store.retrieve("user"))
    assert loaded is not None
    # What Rasa's action_session_start adds after an idle hour.
    for event in (ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)):
        loaded.update(event)
    asyncio.run(store.save(loaded))
    again = asyncio.run(store.retrieve("user"))
    assert again is not loaded and again is not None
    assert [e for e in again.events if isinstance(e, UserUttered)] == []


def stored_rows(store: Any) -> List[tuple]:
    with store.session_scope() as session:
        return [(row.sender_id, row.type_name, row.timestamp, row.intent_name, row.action_name, row.data)
                for row in session.query(store.SQLEvent).order_by(store.SQLEvent.id)]


def test_saving_a_cached_tracker_writes_the_rows_rasa_writes(tmp_path: Path, bot_domain: Domain) -> None:
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore

    ours = store_at(tmp_path / "ours.db", bot_domain)
    rasas = SQLTrackerStore(domain=bot_domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    first_turn = turns(1)
    for store in (ours, rasas):
        asyncio.run(store.save(tracker(bot_domain, list(first_turn))))
    for text in ("営業は？", "経理は？"):
        mine, theirs = asyncio.run(ours.retrieve("user")), asyncio.run(rasas.retrieve("user"))
        assert mine is not None and theirs is not None
        for conversation in (mine, theirs):
            reply_turn(conversation, text)
        # A retrieved tracker is cached, so its save takes the store's own write path.
        assert ours._cache["user"].tracker is mine
        # Same events, same timestamps: compare the rows, not the clock.
        for mine_event, their_event in zip(mine.events, theirs.events, strict=True):
            mine_event.timestamp = their_event.timestamp
        asyncio.run(ours.save(mine))
        asyncio.run(rasas.save(theirs))
    assert stored_rows(ours) == stored_rows(rasas)
    assert len(stored_rows(ours)) == len(first_turn) + 8
