"""End to end: the real action server and Rasa server started by bot/scripts/run.sh, over REST."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from bot.scripts.servers import MODEL, ROOT, free_port, listening_addresses, rest_texts

pytestmark = pytest.mark.e2e

START_TIMEOUT_S = 180


class Bot:
    """Both servers, started the way `make run` starts them."""

    def __init__(self, tracker_db: Path, log: Path) -> None:
        self.port, self.action_port = free_port(), free_port()
        self.tracker_db = tracker_db
        self.log = log
        self.extra_env: Dict[str, str] = {}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = dict(os.environ, PORT=str(self.port), ACTION_PORT=str(self.action_port),
                   TRACKER_DB=str(self.tracker_db), MODEL=str(MODEL), **self.extra_env)
        with self.log.open("ab") as log:
            # A session of its own, so the test can send Ctrl-C to the whole group.
            self.process = subprocess.Popen(
                [str(ROOT / "bot" / "scripts" / "run.sh")], cwd=ROOT, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"run.sh exited early; see {self.log}"
            if self._answers() and self._actions_answer():
                return
            time.sleep(0.5)
        raise AssertionError(f"bot did not start within {START_TIMEOUT_S} s; see {self.log}")

    def _answers(self) -> bool:
        try:
            return requests.get(self.url, timeout=1).ok
        except requests.RequestException:
            return False

    def _actions_answer(self) -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{self.action_port}/health", timeout=1).ok
        except requests.RequestException:
            return False

    def interrupt(self) -> int:
        """Ctrl-C: SIGINT to the process group, as a terminal sends it."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=60)

    def say(self, sender: str, message: object) -> List[str]:
        """The texts of the bot's replies to one message over REST."""
        return rest_texts(self.url, sender, message)


def port_is_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    directory = tmp_path_factory.mktemp("e2e")
    running = Bot(directory / "tracker.db", directory / "servers.log")
    running.start()
    yield running
    if running.process and running.process.poll() is None:
        running.interrupt()


def test_answers_a_role_question_and_a_follow_up(bot: Bot) -> None:
    sender = str(uuid.uuid4())
    answer = "\n".join(bot.say(sender, "経理ってどんな仕事ですか？"))
    assert "経理はバックオフィスに属する職種です" in answer
    assert "出典" in answer
    follow_up = "\n".join(bot.say(sender, "デメリットは？"))
    assert "経理の大変なところ" in follow_up


def test_comparison_uses_the_previous_topic(bot: Bot) -> None:
    # Regression: a slot mapping that named the action made Rasa run it during slot
    # extraction, so the topic was overwritten before the comparison could use it.
    sender = str(uuid.uuid4())
    bot.say(sender, "人事について教えて")
    assert "人事・労務と経理の違い" in "\n".join(bot.say(sender, "経理と比べると何が違う？"))


@pytest.mark.parametrize(
    "message, expected",
    [
        ("", "メッセージが空のようです"),
        ("   ", "メッセージが空のようです"),
        ("😀👍🎉", "絵文字や記号だけ"),
        ("経理" * 2500, "メッセージが長すぎる"),
        ("<script>alert(1)</script>", ""),
        ("<b>人事</b>の仕事内容は？", "人事・労務はバックオフィスに属する職種です"),
    ],
    ids=["empty", "spaces", "emoji", "5000-chars", "script-tag", "html-bold"],
)
def test_unusual_input_gets_a_polite_reply(bot: Bot, message: str, expected: str) -> None:
    replies = bot.say(str(uuid.uuid4()), message)
    assert replies and all(replies), "every message must get a non-empty reply"
    assert expected in "\n".join(replies)


def test_conversation_survives_restart_and_ctrl_c_stops_both(bot: Bot) -> None:
    sender = str(uuid.uuid4())
    assert "人事・労務はバックオフィスに属する職種です" in "\n".join(bot.say(sender, "人事について教えて"))

    assert bot.interrupt() is not None
    assert port_is_closed(bot.port) and port_is_closed(bot.action_port), "Ctrl-C must stop both servers"

    bot.start()
    # The topic (人事) was stored in SQLite before the restart.
    assert "人事・労務に向いているのは" in "\n".join(bot.say(sender, "向いている人は？"))


def test_the_http_api_is_off_and_the_action_server_on_loopback_by_default(bot: Bot) -> None:
    sender = str(uuid.uuid4())
    bot.say(sender, "こんにちは")
    assert requests.get(f"{bot.url}/conversations/{sender}/tracker", timeout=30).status_code == 404
    assert listening_addresses(bot.action_port) == ["0100007F"], "the action server must bind 127.0.0.1 only"


def test_rasa_api_token_switches_the_api_on_behind_the_token(bot: Bot) -> None:
    sender = str(uuid.uuid4())
    bot.say(sender, "経理って何？")
    token = secrets.token_hex(16)
    bot.interrupt()
    bot.extra_env = {"RASA_API_TOKEN": token}
    try:
        bot.start()
        url = f"{bot.url}/conversations/{sender}/tracker"
        assert requests.get(url, timeout=30).status_code == 401
        assert requests.get(url, params={"token": token[:-1]}, timeout=30).status_code == 401
        tracker = requests.get(url, params={"token": token}, timeout=30)
        assert tracker.status_code == 200
        assert "経理って何？" in [e.get("text") for e in tracker.json()["events"] if e["event"] == "user"]
    finally:
        bot.interrupt()
        bot.extra_env = {}
        bot.start()


def answer_payload(answer_id: str) -> str:
    return f'/diagnosis_answer{{"answer": "{answer_id}"}}'


def test_diagnosis_survives_a_restart_half_way(bot: Bot) -> None:
    sender = str(uuid.uuid4())
    first = "\n".join(bot.say(sender, "どんな仕事が合うかチェックしたい"))
    assert "質問1/9" in first
    # Front-office answers: buttons and free text mixed, a knowledge question in between.
    assert "質問2/9" in "\n".join(bot.say(sender, answer_payload("strongly_agree")))
    assert "質問3/9" in "\n".join(bot.say(sender, "目標があるとやる気が出ます"))
    step_out = "\n".join(bot.say(sender, "経理って何？"))
    assert "経理はバックオフィスに属する職種です" in step_out and "質問3/9" in step_out
    assert "質問4/9" in "\n".join(bot.say(sender, "得意です"))

    assert bot.interrupt() is not None
    bot.start()

    # The form and its answers were stored in SQLite: the next answer goes to question 4.
    assert "質問5/9" in "\n".join(bot.say(sender, "苦手です"))
    for reply, next_question in [("あまり", "質問6/9"), ("いいえ", "質問7/9"), ("はい", "質問8/9"),
                                 (answer_payload("strongly_disagree"), "質問9/9")]:
        assert next_question in "\n".join(bot.say(sender, reply))
    result = "\n".join(bot.say(sender, "調整役はあまり向いてないと思います"))
    assert "あなたには、フロントオフィスの仕事が合っていそうです" in result
    assert "1. 営業（フロントオフィス）" in result
    # Reasons quote the free-text answer and give the articles' reasons with their sources.
    assert "『目標があるとやる気が出ます』とのことなので" in result
    assert "とお答えいただいたので、営業の適性が高くなりました。" in result and "出典" in result
    assert "目安" in result
    assert "【営業】" in "\n".join(bot.say(sender, "なぜ？"))
    assert "4. " in "\n".join(bot.say(sender, "他には？"))
