"""End to end: 「会話の記録を消して」 with the real servers deletes the user's rows from SQLite."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Iterator, List, Tuple

import pytest
import requests

from bot.scripts.servers import RasaServers

pytestmark = pytest.mark.e2e

CREDENTIALS = "rest:\n"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaServers]:
    running = RasaServers(tmp_path_factory.mktemp("privacy"), CREDENTIALS, ready_path="/")
    running.start()
    yield running
    running.stop()


def replies(servers: RasaServers, sender: str, message: str) -> List[str]:
    response = requests.post(
        f"{servers.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )
    assert response.status_code == 200, response.text
    return [m.get("text", "") for m in response.json()]


def say(servers: RasaServers, sender: str, message: str) -> str:
    return "\n".join(replies(servers, sender, message))


def rows(servers: RasaServers, sender: str) -> List[Tuple[int, str, str]]:
    """(id, type_name, data as JSON) of every stored event of the sender, in order."""
    with sqlite3.connect(servers.env["TRACKER_DB"]) as db:
        return db.execute(
            "SELECT id, type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()


def texts(servers: RasaServers, sender: str) -> List[str]:
    """What the sender typed, as stored."""
    return [json.loads(data).get("text") for _, type_name, data in rows(servers, sender) if type_name == "user"]


def test_confirmed_forget_deletes_every_row_of_the_sender(servers: RasaServers) -> None:
    sender, other = str(uuid.uuid4()), str(uuid.uuid4())
    say(servers, other, "経理ってどんな仕事ですか？")
    others_before = rows(servers, other)
    assert "人事・労務はバックオフィスに属する職種です" in say(servers, sender, "人事について教えて")
    assert "人事について教えて" in texts(servers, sender)

    assert "会話の記録をすべて削除しますか" in say(servers, sender, "会話の記録を消して")
    # The confirmation and nothing else: the reset conversation waits for the next message.
    done = replies(servers, sender, "はい")
    assert len(done) == 1 and done[0].startswith("会話の記録を削除しました")

    # Nothing remains, not even the confirmation turn; other users are untouched.
    assert rows(servers, sender) == []
    assert rows(servers, other) == others_before
    # The next message starts a new conversation: the earlier subject (人事) is gone.
    follow_up = say(servers, sender, "向いている人は？")
    assert "どの職種やオフィスについて知りたいですか" in follow_up
    assert "人事・労務に向いているのは" not in follow_up
    assert texts(servers, sender) == ["向いている人は？"]


def test_declined_forget_leaves_the_stored_events_untouched(servers: RasaServers) -> None:
    sender = str(uuid.uuid4())
    say(servers, sender, "人事について教えて")
    assert "会話の記録をすべて削除しますか" in say(servers, sender, "私のデータを削除してください")
    before = rows(servers, sender)
    assert "そのまま残します" in say(servers, sender, "いいえ")
    after = rows(servers, sender)
    # Only the new turn was appended; the subject is still known.
    assert after[: len(before)] == before and len(after) > len(before)
    assert "人事・労務に向いているのは" in say(servers, sender, "向いている人は？")


def test_forget_during_the_diagnosis_asks_first_and_declining_returns_to_the_question(
    servers: RasaServers,
) -> None:
    sender = str(uuid.uuid4())
    assert "質問1/9" in say(servers, sender, "診断したい")
    assert "質問2/9" in say(servers, sender, "はい")
    confirm = say(servers, sender, "会話の記録を消したいです")
    assert "途中の診断の回答も削除され" in confirm and "質問3/9" not in confirm
    declined = say(servers, sender, "いいえ")
    assert "診断を続けます" in declined and "質問2/9" in declined

    assert "途中の診断の回答も削除され" in say(servers, sender, "やっぱり履歴を全部消してください")
    assert "会話の記録を削除しました" in say(servers, sender, "はい")
    assert rows(servers, sender) == []
    # The diagnosis is gone with the record: an answer now is not an answer to question 2.
    assert "今は診断を行っていません" in say(servers, sender, "/diagnosis_answer{\"answer\": \"agree\"}")



def test_server_output_holds_no_message_text(servers: RasaServers) -> None:
    # The README promises that at the default log level only the tracker store holds what users wrote.
    sender = str(uuid.uuid4())
    say(servers, sender, "法務の仕事で大変なことは？")
    say(servers, sender, "私のデータを削除してください")
    log = servers.log.read_text(encoding="utf-8", errors="replace")
    assert "法務の仕事で大変なこと" not in log and "私のデータを削除" not in log
    assert sender not in log
