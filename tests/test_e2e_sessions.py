"""End to end: a long conversation moves to new sessions without losing its context."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Iterator, List

import pytest
import requests

from tests.servers import RasaServers

pytestmark = pytest.mark.e2e

MAX_SESSION_TURNS = 15  # bot/endpoints.yml


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaServers]:
    bot = RasaServers(tmp_path_factory.mktemp("sessions"), "rest:\n")
    bot.start()
    yield bot
    bot.stop()


def say(servers: RasaServers, sender: str, text: str) -> str:
    reply = requests.post(f"{servers.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30)
    reply.raise_for_status()
    return "\n".join(m.get("text", "") for m in reply.json())


def sessions_started(servers: RasaServers, sender: str) -> List[int]:
    with sqlite3.connect(servers.env["TRACKER_DB"]) as db:
        return [row[0] for row in db.execute(
            "SELECT id FROM events WHERE sender_id = ? AND type_name = 'session_started'", (sender,))]


def test_topic_survives_a_new_session(servers: RasaServers) -> None:
    sender = f"long-{uuid.uuid4().hex}"
    for _ in range(MAX_SESSION_TURNS - 1):
        assert say(servers, sender, "ありがとう")
    assert "経理" in say(servers, sender, "経理について教えて")
    assert len(sessions_started(servers, sender)) == 2
    # The follow-up has no role in it: it must still be about 経理.
    assert "経理" in say(servers, sender, "デメリットは？")


def test_offered_diagnosis_is_still_understood_at_the_session_limit(servers: RasaServers) -> None:
    sender = f"offer-{uuid.uuid4().hex}"
    for _ in range(MAX_SESSION_TURNS - 1):
        say(servers, sender, "ありがとう")
    offer = say(servers, sender, "経理に向いている人は？")
    assert "診断してみますか" in offer
    # The 15th turn ended in a question: no new session until it is answered.
    assert len(sessions_started(servers, sender)) == 1
    assert "質問1/9" in say(servers, sender, "はい")
