"""The terminal conversation of `make shell`, driven through a pseudo-terminal as a person types, and piped."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pexpect
import pytest
import yaml

from bot.scripts.servers import ROOT
from bot.shell import BOT_MARK, GOODBYE, PROMPT

pytestmark = pytest.mark.e2e

SHELL_SH = ROOT / "bot" / "scripts" / "shell.sh"  # what `make shell` runs once the model is trained
# prompt_toolkit draws the prompt's trailing space as a cursor move, not as a character.
PROMPT_SHOWN = PROMPT.rstrip()
# The five answers in button order, as the diagnosis reads them.
SCALE = yaml.safe_load((ROOT / "data" / "knowledge" / "diagnosis.yml").read_text(encoding="utf-8"))["scale"]
TRAITS = [t["id"] for t in yaml.safe_load((ROOT / "data" / "knowledge" / "traits.yml").read_text(encoding="utf-8"))["traits"]]
# What must never reach the screen: library warnings, Rasa's questionary menu, payloads.
NEVER_SHOWN = ("DeprecationWarning", "Warning:", "Use arrow keys", "/diagnosis_answer", "Your input", "Traceback")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass
class Shell:
    child: pexpect.spawn
    screen_log: Path
    tracker_db: Path

    def screen(self) -> str:
        """Everything the terminal received so far, without its control sequences."""
        self.child.logfile_read.flush()
        return ANSI.sub("", self.screen_log.read_text(encoding="utf-8"))

    def say(self, text: str) -> None:
        self.child.sendline(text)

    def prompt(self) -> None:
        self.child.expect_exact(PROMPT_SHOWN)


def descendants(pid: int) -> List[int]:
    """Every process started by ``pid``, at any depth (the servers under shell.sh)."""
    found: List[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split() if (task / "children").exists() else []:
            found += [int(child), *descendants(int(child))]
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Shell]:
    env = dict(os.environ, TRACKER_DB=str(tmp_path / "shell.db"), TERM="xterm", COLUMNS="120", LINES="40")
    child = pexpect.spawn(str(SHELL_SH), cwd=str(ROOT), env=env, encoding="utf-8", timeout=180, dimensions=(40, 120))
    log = tmp_path / "shell.log"
    child.logfile_read = log.open("w", encoding="utf-8")
    running_shell = Shell(child, log, tmp_path / "shell.db")
    running_shell.prompt()
    yield running_shell
    screen = running_shell.screen()
    child.close(force=True)
    for text in NEVER_SHOWN:
        assert text not in screen, f"{text!r} on screen; see {log}"


def recorded_answers(tracker_db: Path) -> List[Tuple[str, Dict[str, Any]]]:
    """``(what was sent, {slot: value set in reply})`` per user message, from the shell's SQLite store."""
    turns: List[Tuple[str, Dict[str, Any]]] = []
    with sqlite3.connect(tracker_db) as db:
        for type_name, data in db.execute("SELECT type_name, data FROM events ORDER BY id"):
            event = json.loads(data)
            if type_name == "user":
                turns.append((event.get("text", ""), {}))
            elif type_name == "slot" and turns and event["name"].startswith("diag_") and event["value"] is not None:
                turns[-1][1][event["name"]] = event["value"]
    return turns


LONG_MESSAGE = "ＡＢＣ社の経理の仕事について詳しく教えてください。" * 30  # 750 characters, over the limit of 500


def payload_of(text: str) -> str:
    """The answer id in a stored ``/diagnosis_answer{"answer": "..."}`` message, or ``""``."""
    match = re.fullmatch(r'/diagnosis_answer\{"answer": "(\w+)"\}', text)
    return match.group(1) if match else ""


def test_prompt_markers_and_answers_by_title_and_in_free_text(shell: Shell) -> None:
    shell.say("経理って何？")
    shell.child.expect_exact(BOT_MARK + "経理はバックオフィスに属する職種です")
    shell.prompt()
    # A long paste in full-width characters: sent whole, and the bot's limit answers it.
    shell.say(LONG_MESSAGE)
    shell.child.expect_exact(BOT_MARK + "メッセージが長すぎるため")
    shell.prompt()

    shell.say("診断したい")
    shell.child.expect_exact(BOT_MARK + "質問1/9")
    # The choices: numbered titles, in the diagnosis' order.
    for number, answer in enumerate(SCALE, 1):
        shell.child.expect_exact(f"  {number}. {answer['title']}")
    shell.prompt()
    shell.say(SCALE[1]["title"])  # by its title
    shell.child.expect_exact("質問2/9")
    shell.prompt()
    shell.say("あまり")  # in words, through the NLU
    shell.child.expect_exact("質問3/9")
    shell.prompt()

    *_, by_title, in_words = recorded_answers(shell.tracker_db)
    assert by_title[1] == {f"diag_{TRAITS[0]}": SCALE[1]["value"]}
    assert payload_of(by_title[0]) == SCALE[1]["id"]
    # The words were sent as typed, not turned into a payload, and still read as a mild no.
    assert in_words == ("あまり", {f"diag_{TRAITS[1]}": -1})


# One answer per question, typed the ways people type a number.
TYPED_NUMBERS = ["1", "２", "3番", "４番目", "5", "2", "１番", "3", "4"]


def test_a_whole_diagnosis_answered_by_typed_numbers(shell: Shell) -> None:
    shell.say("診断したい")
    for question, typed in enumerate(TYPED_NUMBERS, 1):
        shell.child.expect_exact(f"質問{question}/9")
        shell.prompt()
        if question == 5:
            # A number the list lacks: a hint, nothing sent, the same question still open.
            shell.say("6")
            shell.child.expect_exact("6番の選択肢はありません。1〜5の番号で")
            shell.prompt()
        shell.say(typed)
    shell.child.expect_exact("診断結果です")
    shell.child.expect_exact("特に合いそうな職種は次の3つです")
    shell.prompt()

    request, *answers = recorded_answers(shell.tracker_db)
    assert request[0] == "診断したい"
    assert len(answers) == len(TRAITS), "one message per answer: the out-of-range number was not sent"
    for trait, typed, (text, slots) in zip(TRAITS, TYPED_NUMBERS, answers, strict=True):
        meant = SCALE[int(typed.translate(str.maketrans("１２３４５", "12345"))[0]) - 1]
        assert payload_of(text) == meant["id"], f"{typed!r} for {trait}"
        assert slots == {f"diag_{trait}": meant["value"]}, f"{typed!r} for {trait}"


@pytest.mark.parametrize("way_out", ["終了", "Ctrl-D", "Ctrl-C"])
def test_every_way_out_says_goodbye_and_stops_both_servers(shell: Shell, way_out: str) -> None:
    servers = descendants(shell.child.pid)
    assert len(servers) >= 3, "the action server, the Rasa server and the client run under shell.sh"
    if way_out == "Ctrl-D":
        shell.child.sendcontrol("d")
    elif way_out == "Ctrl-C":
        shell.child.sendcontrol("c")
    else:
        shell.say(way_out)
    shell.child.expect_exact(GOODBYE)
    shell.child.expect(pexpect.EOF, timeout=90)
    shell.child.close()
    assert shell.child.exitstatus == 0
    assert not [pid for pid in servers if running(pid)], "a server outlived the shell"


def test_piped_messages_get_plain_text_replies(tmp_path: Path) -> None:
    tracker_db = tmp_path / "piped.db"
    env = dict(os.environ, TRACKER_DB=str(tracker_db))
    # 「終了」 ends the conversation: the line after it is never sent.
    messages = f"経理って何？\n{LONG_MESSAGE}\n診断したい\n２\n9\n終了\n人事について教えて\n"
    process = subprocess.Popen([str(SHELL_SH)], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(messages, timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 9)
    assert process.returncode == 0, err

    assert BOT_MARK + "経理はバックオフィスに属する職種です" in out
    assert f"{BOT_MARK}質問1/9" in out and "  2. やや当てはまる" in out and f"{BOT_MARK}質問2/9" in out
    assert "9番の選択肢はありません" in out and BOT_MARK + "メッセージが長すぎるため" in out
    assert out.rstrip().endswith(GOODBYE)
    # Plain text: no prompt, no control sequences; the start-up lines go to stderr.
    assert "\x1b" not in out and PROMPT_SHOWN not in out
    assert "準備ができました" in err and "準備ができました" not in out
    for text in NEVER_SHOWN:
        assert text not in out + err
    sent = [text for text, _ in recorded_answers(tracker_db)]
    assert sent[:3] == ["経理って何？", LONG_MESSAGE, "診断したい"] and payload_of(sent[3]) == "agree" and len(sent) == 4
