"""「会話の記録を消して」: the forgetting tracker store, the action and the diagnosis hand-over."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, Restarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.privacy import ActionForgetConversation
from actions.scoring import TurnKind, read_turn
from actions.statements import default_reader
from bot.knowledge.base import default_knowledge
from bot.knowledge.constants import FORGET_ACTION
from bot.stores.tracker_store import ForgettingSQLTrackerStore, forget_requested
from tests.conftest import ConversationWriter, conversation_events, stored_events

ROOT = Path(__file__).resolve().parent.parent


def forget_turn(at: float = 2_000_000_000.0) -> list:
    """The events Rasa logs for the confirmed request: the user's 「はい」, the action, its reply and reset."""
    return [
        UserUttered("はい", {"name": "affirm", "confidence": 1.0}, timestamp=at),
        ActionExecuted(FORGET_ACTION, timestamp=at),
        BotUttered("会話の記録を削除しました。", timestamp=at),
        Restarted(timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]


@pytest.mark.parametrize(
    "events, expected",
    [
        (forget_turn(), True),
        ([ActionExecuted(FORGET_ACTION), Restarted()], True),
        # /restart resets the tracker but keeps the record.
        ([ActionExecuted("action_restart"), Restarted()], False),
        # The action failed (no events of its own): nothing was confirmed to the user.
        ([ActionExecuted(FORGET_ACTION), ActionExecuted("action_listen")], False),
        ([Restarted(), ActionExecuted(FORGET_ACTION)], False),
        ([], False),
    ],
    ids=["turn", "minimal", "plain-restart", "no-reset", "reset-before", "nothing"],
)
def test_forget_requested(events: list, expected: bool) -> None:
    assert forget_requested(events) is expected


def test_the_action_is_the_one_the_store_looks_for() -> None:
    assert ActionForgetConversation().name() == FORGET_ACTION


def retrieve(store: Any, sender: str) -> DialogueStateTracker:
    tracker = asyncio.run(store.retrieve(sender))
    assert tracker is not None
    return tracker


def test_forget_turn_deletes_every_row_of_the_sender_and_only_theirs(
    open_store: Callable[..., Any], write_conversation: ConversationWriter, tracker_db: Path
) -> None:
    plain = open_store(SQLTrackerStore)  # Rasa's own store writes the history
    write_conversation(plain, "forget-me", [1_000_000.0, 1_000_100.0])
    write_conversation(plain, "someone-else", [1_000_050.0])
    others = stored_events(tracker_db, "someone-else")

    store = open_store(ForgettingSQLTrackerStore)
    tracker = retrieve(store, "forget-me")
    for event in forget_turn():
        tracker.update(event)
    asyncio.run(store.save(tracker))

    assert stored_events(tracker_db, "forget-me") == []
    assert stored_events(tracker_db, "someone-else") == others
    assert asyncio.run(store.retrieve("forget-me")) is None
    # Saved once more (the same tracker object), the old conversation is not written back.
    asyncio.run(store.save(tracker))
    assert stored_events(tracker_db, "forget-me") == []


def test_forget_deletes_earlier_sessions_too(
    open_store: Callable[..., Any], write_conversation: ConversationWriter, tracker_db: Path
) -> None:
    store = open_store(ForgettingSQLTrackerStore)
    write_conversation(store, "two-sessions", [1_000_000.0])
    tracker = retrieve(store, "two-sessions")
    # A second session: `retrieve` returns only its events, the store holds both.
    for event in conversation_events([1_900_000.0]):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert len(stored_events(tracker_db, "two-sessions")) > len(retrieve(store, "two-sessions").events)

    tracker = retrieve(store, "two-sessions")
    for event in forget_turn():
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert stored_events(tracker_db, "two-sessions") == []


def test_other_turns_are_stored_as_rasa_stores_them(
    open_store: Callable[..., Any], write_conversation: ConversationWriter, tracker_db: Path
) -> None:
    write_conversation(open_store(ForgettingSQLTrackerStore), "forgetting", [1_000_000.0, 1_000_100.0])
    write_conversation(open_store(SQLTrackerStore), "plain", [1_000_000.0, 1_000_100.0])
    rows = stored_events(tracker_db)
    assert [r[1:] for r in rows if r[0] == "forgetting"] == [r[1:] for r in rows if r[0] == "plain"]


def test_endpoints_configure_the_forgetting_store_and_rasa_loads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rasa_domain: Any
) -> None:
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "loaded.db"))
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    config = read_endpoint_config(str(ROOT / "bot" / "endpoints.yml"), "tracker_store")
    store = TrackerStore.create(config, domain=rasa_domain)
    # Not wrapped in AwaitableTrackerStore, not replaced by the in-memory fallback.
    assert type(store) is ForgettingSQLTrackerStore
    assert store.engine.url.database == str(tmp_path / "loaded.db")


def test_forget_action_confirms_and_resets(dispatcher: Any, make_tracker: Callable[..., Any], responses: Any) -> None:
    events = ActionForgetConversation().run(dispatcher, make_tracker("affirm", text="はい"), {})
    assert events == [{"event": "restart", "timestamp": None}]
    assert [m["response"] for m in dispatcher.messages] == ["utter_conversation_forgotten"]
    assert "utter_conversation_forgotten" in responses


@pytest.mark.parametrize(
    "text, expected",
    [
        ("会話の記録を消して", (TurnKind.SKIP, None)),
        ("私のデータを削除したいです", (TurnKind.SKIP, None)),
        ("私のことは忘れてください", (TurnKind.SKIP, None)),
        # Classified as a forget request, but an answer in words: still an answer.
        ("はい、したいです", (TurnKind.ANSWER, 2)),
    ],
)
def test_forget_request_during_the_diagnosis_is_not_an_answer(text: str, expected: Any) -> None:
    message = {"intent": {"name": "request_forget"}, "entities": [], "text": text}
    turn = read_turn(default_knowledge(), default_reader(), message, "talk_people")
    assert (turn.kind, turn.value) == expected


def test_only_a_yes_to_the_confirmation_deletes() -> None:
    rules = yaml.safe_load((ROOT / "data" / "rules_privacy.yml").read_text(encoding="utf-8"))["rules"]
    domain = yaml.safe_load((ROOT / "bot" / "domain" / "privacy.yml").read_text(encoding="utf-8"))
    for confirmation in ("utter_confirm_forget", "utter_confirm_forget_in_diagnosis"):
        payloads = {b["payload"] for b in domain["responses"][confirmation][0]["buttons"]}
        assert payloads == {"/affirm", "/deny"}
        deleting, answered = set(), set()
        for rule in rules:
            steps = rule["steps"]
            if steps[0] == {"action": confirmation}:
                intents = {s["intent"] for s in steps[1].get("or", [steps[1]])}
                answered |= intents
                if steps[2] == {"action": FORGET_ACTION}:
                    deleting |= intents
        # A repeated (or misread) request asks again instead of deleting.
        assert deleting == {"affirm"}
        assert "deny" in answered
