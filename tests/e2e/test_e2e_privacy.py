"""End to end: 「会話の記録を消して」 with the real servers deletes the user's rows from SQLite."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import List, Tuple

import pytest

from bot.scripts.servers import RasaServers

pytestmark = pytest.mark.e2e

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
    servers.say(other, "経理ってどんな仕事ですか？")
    others_before = rows(servers, other)
    assert "人事・労務はバックオフィスに属する職種です" in servers.say(sender, "人事について教えて")
    assert "人事について教えて" in texts(servers, sender)

    assert "会話の記録をすべて削除しますか" in servers.say(sender, "会話の記録を消して")
    # The confirmation and nothing else: the reset conversation waits for the next message.
    done = servers.texts(sender, "はい")
    assert len(done) == 1 and done[0].startswith("会話の記録を削除しました")

    # Nothing remains, not even the confirmation turn; other users are untouched.
    assert rows(servers, sender) == []
    assert rows(servers, other) == others_before
    # The next message starts a new conversation: the earlier subject (人事) is gone.
    follow_up = servers.say(sender, "向いている人は？")
    assert "どの職種やオフィスについて知りたいですか" in follow_up
    assert "人事・労務に向いているのは" not in follow_up
    assert texts(servers, sender) == ["向いている人は？"]


def test_declined_forget_leaves_the_stored_events_untouched(servers: RasaServers) -> None:
    sender = str(uuid.uuid4())
    servers.say(sender, "人事について教えて")
    assert "会話の記録をすべて削除しますか" in servers.say(sender, "私のデータを削除してください")
    before = rows(servers, sender)
    assert "そのまま残します" in servers.say(sender, "いいえ")
    after = rows(servers, sender)
    # Only the new turn was appended; the subject is still known.
    assert after[: len(before)] == before and len(after) > len(before)
    assert "人事・労務に向いているのは" in servers.say(sender, "向いている人は？")


def test_forget_during_the_diagnosis_asks_first_and_declining_returns_to_the_question(
    servers: RasaServers,
) -> None:
    sender = str(uuid.uuid4())
    assert "質問1/9" in servers.say(sender, "診断したい")
    assert "質問2/9" in servers.say(sender, "はい")
    confirm = servers.say(sender, "会話の記録を消したいです")
    assert "途中の診断の回答も削除され" in confirm and "質問3/9" not in confirm
    declined = servers.say(sender, "いいえ")
    assert "診断を続けます" in declined and "質問2/9" in declined

    assert "途中の診断の回答も削除され" in servers.say(sender, "やっぱり履歴を全部消してください")
    assert "会話の記録を削除しました" in servers.say(sender, "はい")
    assert rows(servers, sender) == []
    # The diagnosis is gone with the record: an answer now is not an answer to question 2.
    assert "今は診断を行っていません" in servers.say(sender, "/diagnosis_answer{\"answer\": \"agree\"}")



def test_server_output_holds_no_message_text(servers: RasaServers) -> None:
    # The README promises that at the default log level only the tracker store holds what users wrote.
    sender = str(uuid.uuid4())
    servers.say(sender, "法務の仕事で大変なことは？")
    servers.say(sender, "私のデータを削除してください")
    log = servers.log.read_text(encoding="utf-8", errors="replace")
    assert "法務の仕事で大変なこと" not in log and "私のデータを削除" not in log
    assert sender not in log
