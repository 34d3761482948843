"""End to end: a long conversation moves to new sessions without losing its context, on two workers."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from typing import Dict, List, Tuple

import pytest

from bot.scripts.servers import RasaServers, user_turns

pytestmark = pytest.mark.e2e

MAX_SESSION_TURNS = 15  # bot/endpoints.yml


def sessions_started(servers: RasaServers, sender: str) -> List[int]:
    with sqlite3.connect(servers.env["TRACKER_DB"]) as db:
        return [row[0] for row in db.execute(
            "SELECT id FROM events WHERE sender_id = ? AND type_name = 'session_started'", (sender,))]


def test_topic_survives_a_new_session(servers: RasaServers) -> None:
    sender = f"long-{uuid.uuid4().hex}"
    for _ in range(MAX_SESSION_TURNS - 1):
        assert servers.say(sender, "ありがとう")
    assert "経理" in servers.say(sender, "経理について教えて")
    assert len(sessions_started(servers, sender)) == 2
    # The follow-up has no role in it: it must still be about 経理.
    assert "経理" in servers.say(sender, "デメリットは？")


def test_offered_diagnosis_is_still_understood_at_the_session_limit(servers: RasaServers) -> None:
    sender = f"offer-{uuid.uuid4().hex}"
    for _ in range(MAX_SESSION_TURNS - 1):
        servers.say(sender, "ありがとう")
    offer = servers.say(sender, "経理に向いている人は？")
    assert "診断してみますか" in offer
    # The 15th turn ended in a question: no new session until it is answered.
    assert len(sessions_started(servers, sender)) == 1
    assert "質問1/9" in servers.say(sender, "はい")


def stored_turns(servers: RasaServers, sender: str) -> List[Tuple[str, List[str]]]:
    """The conversation's user messages with what followed each, from the SQLite store."""
    with sqlite3.connect(servers.env["TRACKER_DB"]) as db:
        rows = db.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
        return user_turns([(type_name, json.loads(data)) for type_name, data in rows])


def test_messages_of_one_conversation_sent_at_once_to_two_workers_run_one_after_the_other(servers: RasaServers) -> None:
    pid = servers.processes["rasa"].pid
    workers = open(f"/proc/{pid}/task/{pid}/children", encoding="ascii").read().split()
    assert len(workers) == 2, "the Rasa server should run two Sanic workers"
    sender = f"simultaneous-{uuid.uuid4().hex}"
    rounds = [("経理って何？", "人事について教えて"), ("総務とは？", "法務って何をするの？"), ("営業について教えて", "マーケティングとは？")]
    replies: Dict[str, str] = {}
    for pair in rounds:
        barrier = threading.Barrier(len(pair))

        def send(message: str, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            replies[message] = servers.say(sender, message)

        threads = [threading.Thread(target=send, args=(message,)) for message in pair]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    sent = [message for pair in rounds for message in pair]
    assert set(replies) == set(sent) and all(replies.values()), replies
    stored = stored_turns(servers, sender)
    assert sorted(text for text, _ in stored) == sorted(sent), stored
    # Locked across the workers: each message is answered (the bot's reply, then listening)
    # before the next one of the conversation starts.
    for text, after in stored:
        assert "bot" in after and after[-1] == "action_listen", (text, after)
