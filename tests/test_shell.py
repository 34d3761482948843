"""The terminal client of `make shell` (bot/shell.py): typed choices, reply rendering and the conversation loop."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Sequence

import pytest

from bot.shell import (
    BOT_MARK,
    CHOICE_HINT,
    GOODBYE,
    UNREACHABLE,
    BotUnavailable,
    Button,
    OutOfRange,
    Quit,
    Send,
    Skip,
    choice_number,
    converse,
    render_reply,
    resolve,
)

SCALE = [
    Button("とても当てはまる", '/diagnosis_answer{"answer": "strongly_agree"}'),
    Button("やや当てはまる", '/diagnosis_answer{"answer": "agree"}'),
    Button("どちらともいえない", '/diagnosis_answer{"answer": "neutral"}'),
    Button("あまり当てはまらない", '/diagnosis_answer{"answer": "disagree"}'),
    Button("当てはまらない", '/diagnosis_answer{"answer": "strongly_disagree"}'),
]
AGREE = SCALE[1].payload


@pytest.mark.parametrize("typed", ["2", "２", "2番", "２番", "2番目", "２番目", " 2 ", "2.", "２。", "2つ目", "②"])
def test_a_typed_number_is_that_choice(typed: str) -> None:
    assert resolve(typed, SCALE) == Send(AGREE)


@pytest.mark.parametrize("typed, number", [("1", 1), ("５", 5), ("5番目", 5)])
def test_first_and_last_choices(typed: str, number: int) -> None:
    assert resolve(typed, SCALE) == Send(SCALE[number - 1].payload)


@pytest.mark.parametrize("typed, number", [("0", 0), ("6", 6), ("９番", 9), ("123", 123)])
def test_a_number_the_list_lacks_is_not_sent(typed: str, number: int) -> None:
    assert resolve(typed, SCALE) == OutOfRange(number, 5)


@pytest.mark.parametrize("typed", ["やや当てはまる", " やや当てはまる ", "　やや当てはまる　"])
def test_the_exact_title_is_that_choice(typed: str) -> None:
    assert resolve(typed, SCALE) == Send(AGREE)


@pytest.mark.parametrize("typed", ["ＯＫです", "ｏｋです", "OK です", "ｵｰｹｰ"])
def test_titles_compare_after_nfkc(typed: str) -> None:
    # Full-width Latin, half-width katakana and spaces as an IME may leave them.
    buttons = [Button("OKです", "/affirm"), Button("オーケー", "/affirm_kana")]
    assert resolve(typed, buttons) == Send("/affirm_kana" if "ｵ" in typed else "/affirm")


def test_a_title_that_contains_another_is_not_confused() -> None:
    # 「当てはまらない」 is the end of 「あまり当てはまらない」: only the whole title counts.
    assert resolve("当てはまらない", SCALE) == Send(SCALE[4].payload)
    assert resolve("あまり当てはまらない", SCALE) == Send(SCALE[3].payload)


@pytest.mark.parametrize("typed", ["あまり", "まあまあ好きです", "2回くらい", "2と3の間くらい", "経理って何？"])
def test_free_text_is_sent_as_typed(typed: str) -> None:
    assert resolve(typed, SCALE) == Send(typed)


def test_free_text_keeps_its_full_width_characters() -> None:
    # The bot's own pipeline normalizes; the client sends what the person typed (trimmed).
    assert resolve("　ＡＢＣ社の経理は？　", SCALE) == Send("ＡＢＣ社の経理は？")


@pytest.mark.parametrize("typed", ["2", "２番", "やや当てはまる"])
def test_without_choices_numbers_and_titles_are_plain_messages(typed: str) -> None:
    assert resolve(typed, []) == Send(typed)


@pytest.mark.parametrize("typed", ["終了", " 終了 ", "exit", "EXIT", "quit", "/stop", "ｅｘｉｔ"])
def test_exit_words_end_the_conversation(typed: str) -> None:
    assert resolve(typed, SCALE) == Quit()
    assert resolve(typed, []) == Quit()


@pytest.mark.parametrize("typed", ["終了したい", "診断を終了", "exit please"])
def test_exit_words_count_only_as_the_whole_message(typed: str) -> None:
    # Inside the diagnosis 「終了したい」 asks the bot to stop it: the bot must get it.
    assert resolve(typed, SCALE) == Send(typed)


@pytest.mark.parametrize("typed", ["", "   ", "　", "\t"])
def test_an_empty_line_sends_nothing(typed: str) -> None:
    assert resolve(typed, SCALE) == Skip()


@pytest.mark.parametrize("typed, number", [("3", 3), ("３番目", 3), ("12", 12), ("abc", None), ("2番の", None),
                                           ("1234567", None), ("二番", None)])
def test_choice_number(typed: str, number: Any) -> None:
    assert choice_number(typed) == number


def test_a_long_pasted_text_is_sent_whole() -> None:
    text = "経理の仕事について教えてください。" * 200
    assert resolve(text, SCALE) == Send(text)


QUESTION_REPLY: List[Dict[str, Any]] = [
    {"recipient_id": "u", "text": "これから9つの質問で診断します。"},
    {"recipient_id": "u", "text": "質問1/9：人と話すのは好きですか？",
     "buttons": [{"title": b.title, "payload": b.payload} for b in SCALE]},
]


def test_reply_shows_numbered_titles_and_never_payloads() -> None:
    lines, buttons = render_reply(QUESTION_REPLY)
    assert lines == [
        BOT_MARK + "これから9つの質問で診断します。",
        BOT_MARK + "質問1/9：人と話すのは好きですか？",
        "  1. とても当てはまる",
        "  2. やや当てはまる",
        "  3. どちらともいえない",
        "  4. あまり当てはまらない",
        "  5. 当てはまらない",
        CHOICE_HINT,
    ]
    assert buttons == SCALE
    assert not any("/diagnosis_answer" in line or "answer" in line for line in lines)


def test_choices_of_two_messages_are_numbered_across_the_reply() -> None:
    reply = [{"text": "A", "buttons": [{"title": "はい", "payload": "/affirm"}]},
             {"text": "B", "buttons": [{"title": "いいえ", "payload": "/deny"}]}]
    lines, buttons = render_reply(reply)
    assert [b.payload for b in buttons] == ["/affirm", "/deny"]
    assert "  2. いいえ" in lines


def test_a_multi_line_message_is_indented_under_the_marker() -> None:
    lines, buttons = render_reply([{"text": "経理の主な仕事です。\n・給与計算\n\n（出典：記事）"}])
    assert lines == [BOT_MARK + "経理の主な仕事です。", "        ・給与計算", "", "        （出典：記事）"]
    assert buttons == []


def test_a_reply_without_text_or_buttons_shows_nothing() -> None:
    assert render_reply([{"recipient_id": "u", "custom": {"x": 1}}]) == ([], [])


class FakeBot:
    """The REST channel's side: records what was sent, answers from a script."""

    def __init__(self, replies: Sequence[Sequence[Mapping[str, Any]]]) -> None:
        self.replies: Iterator[Sequence[Mapping[str, Any]]] = iter(replies)
        self.sent: List[str] = []

    def send(self, text: str) -> Sequence[Mapping[str, Any]]:
        self.sent.append(text)
        return next(self.replies)


def lines_of(*typed: str) -> Any:
    queue = list(typed)

    def read_line() -> str:
        if not queue:
            raise EOFError
        item = queue.pop(0)
        if item == "<Ctrl-C>":
            raise KeyboardInterrupt
        return item

    return read_line


def test_a_number_answers_the_question_on_screen() -> None:
    bot = FakeBot([QUESTION_REPLY, [{"text": "質問2/9：…", "buttons": QUESTION_REPLY[1]["buttons"]}],
                   [{"text": "ありがとうございます。"}]])
    shown: List[str] = []
    converse(lines_of("診断したい", "2", "5番"), bot.send, shown.append)
    assert bot.sent == ["診断したい", AGREE, SCALE[4].payload]
    assert shown[-1] == GOODBYE


def test_an_out_of_range_number_is_not_sent_and_the_choices_stay() -> None:
    bot = FakeBot([QUESTION_REPLY, [{"text": "ok"}]])
    shown: List[str] = []
    converse(lines_of("診断したい", "7", "1"), bot.send, shown.append)
    assert bot.sent == ["診断したい", SCALE[0].payload]
    assert "7番の選択肢はありません。1〜5の番号で選ぶか、言葉で答えてください。" in shown


def test_choices_are_forgotten_once_a_reply_has_none() -> None:
    bot = FakeBot([QUESTION_REPLY, [{"text": "診断を中止しました。"}], [{"text": "2ですね。"}]])
    converse(lines_of("診断したい", "やめる", "2"), bot.send, lambda _: None)
    assert bot.sent == ["診断したい", "やめる", "2"]


@pytest.mark.parametrize("ending", ["終了", "exit", "<Ctrl-C>", None])
def test_every_way_out_says_goodbye_and_sends_nothing_more(ending: Any) -> None:
    bot = FakeBot([[{"text": "こんにちは。"}], [{"text": "never"}]])
    shown: List[str] = []
    typed = ["こんにちは"] + ([ending, "まだ続く"] if ending else [])  # None: end of input (Ctrl-D)
    converse(lines_of(*typed), bot.send, shown.append)
    assert bot.sent == ["こんにちは"]
    assert shown == [BOT_MARK + "こんにちは。", GOODBYE]


def test_ctrl_c_while_waiting_for_the_reply_says_goodbye() -> None:
    def send(text: str) -> Sequence[Mapping[str, Any]]:
        raise KeyboardInterrupt

    shown: List[str] = []
    converse(lines_of("経理って何？"), send, shown.append)
    assert shown == [GOODBYE]


def test_an_unreachable_bot_is_reported_and_the_choices_still_stand() -> None:
    calls: List[str] = []
    replies = iter([QUESTION_REPLY])

    def send(text: str) -> Sequence[Mapping[str, Any]]:
        calls.append(text)
        if len(calls) == 2:
            raise BotUnavailable("connection refused")
        return next(replies, [{"text": "ok"}])

    shown: List[str] = []
    converse(lines_of("診断したい", "2", "2"), send, shown.append)
    assert UNREACHABLE in shown
    assert calls == ["診断したい", AGREE, AGREE]


# ---------------------------------------------------------------------------
# bot/scripts/quiet.py: the servers' library warnings are dropped, the project's own are not.
# ---------------------------------------------------------------------------

QUIET_PROBE = """
import sys, warnings
from bot.scripts.quiet import keep_library_warnings_quiet
keep_library_warnings_quiet()
# What Sanic does on import and Rasa at start: filters put in front of ours.
warnings.filterwarnings("once", category=DeprecationWarning)
warnings.filterwarnings("once", category=UserWarning)
warnings.simplefilter("default")
for module, category in [("typer", DeprecationWarning), ("typer.completion", DeprecationWarning),
                         ("spacy.cli._util", DeprecationWarning), ("rasa.core.tracker_store", DeprecationWarning),
                         ("typerx", DeprecationWarning), ("typer", RuntimeWarning),
                         ("actions.scoring", DeprecationWarning), ("bot.sessions", UserWarning)]:
    warnings.warn_explicit(f"from {module}", category, module.replace(".", "/") + ".py", 1, module=module)
"""


def test_library_warnings_are_dropped_by_module_and_category_and_the_projects_still_show() -> None:
    done = subprocess.run([sys.executable, "-c", QUIET_PROBE], cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    shown = sorted(re.findall(r"(\w+Warning): from (\S+)", done.stderr))
    # typerx is not typer; a RuntimeWarning from typer is not a deprecation.
    assert shown == [("DeprecationWarning", "actions.scoring"), ("DeprecationWarning", "typerx"),
                     ("RuntimeWarning", "typer"), ("UserWarning", "bot.sessions")]
