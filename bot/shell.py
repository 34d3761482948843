"""The terminal conversation of ``make shell``: a Japanese client of the bot's REST channel.

It replaces ``rasa shell``, whose menu was English and showed every button's payload, and whose
highlighted first choice was taken when a person typed 「2」. Here the choices of the bot's last
reply are a numbered list of their titles; an answer by number (「2」「２」「2番」「２番目」) or by
the exact title sends that button's payload, as a click would; anything else is sent as typed,
through the same NLU as every other channel.

- On a terminal: line editing and history (prompt_toolkit), the prompt 「あなた> 」.
- Standard input not a terminal (``make shell < messages.txt``, a pipe): one message per line,
  the replies as plain text, for scripts and screen readers.

``bot/scripts/shell.sh`` starts the servers, then ``python -m bot.shell --url ... --wait ...``.
The choice logic (:func:`resolve`, :func:`render_reply`) and the loop (:func:`converse`) take no
I/O of their own, so tests/test_shell.py drives them directly.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, List, Mapping, Optional, Sequence, Tuple, Union

import requests

from bot.knowledge.text import fold
from bot.scripts.servers import answers, rest_replies

# The client's own screen text. These are not the bot's answers (those come from the server,
# from the domain responses in bot/domain/, like on every channel): they are this terminal
# program's interface, shown by no other channel, so they live with it, in one place.
PROMPT = "あなた> "
BOT_MARK = "ボット: "
CHOICE = "  {number}. {title}"
CHOICE_HINT = "  （番号か選択肢の言葉で答えてください。自由に書いて答えることもできます）"
OUT_OF_RANGE = "{number}番の選択肢はありません。1〜{count}の番号で選ぶか、言葉で答えてください。"
LOADING = "ボットを起動しています。しばらくお待ちください…"
LOADING_SECONDS = "ボットを起動しています。しばらくお待ちください…（{seconds}秒）"
READY = "準備ができました（{seconds:.1f}秒）。メッセージを入力してください。終わるときは「終了」と入力してください。"
READY_PIPED = "準備ができました（{seconds:.1f}秒）。"
NOT_READY = "ボットを起動できませんでした。詳しくはログ（{logs}）をご覧ください。"
UNREACHABLE = "ボットから返事がありませんでした。少し待ってから、もう一度送ってください。"
GOODBYE = "ご利用ありがとうございました。またいつでもどうぞ。"

# Whole messages that end the shell, compared after normalize(). 「終了」 only as the whole
# message: inside the diagnosis 「終了したい」 is a request to stop it, which the bot answers.
EXIT_WORDS = frozenset({"終了", "exit", "quit", "/stop"})

REPLY_TIMEOUT_S = 60
# 「2」「2番」「2番目」「2つ目」「2.」. More than six digits are no choice but a message (and int()
# refuses very long ones).
_CHOICE_NUMBER = re.compile(r"(\d{1,6})(?:番目?|つ目)?[.。]?")


@dataclass(frozen=True)
class Button:
    """One choice of the bot's reply: what the person sees, and what a click sends."""

    title: str
    payload: str


@dataclass(frozen=True)
class Send:
    """Send this text (a button's payload, or the person's own words) to the bot."""

    text: str


@dataclass(frozen=True)
class OutOfRange:
    """A choice number the list does not have: say so, send nothing."""

    number: int
    count: int


@dataclass(frozen=True)
class Quit:
    """End the conversation."""


@dataclass(frozen=True)
class Skip:
    """An empty line: nothing to send."""


Step = Union[Send, OutOfRange, Quit, Skip]


def normalize(text: str) -> str:
    """NFKC, lower case, without white space: how typed choices and exit words are compared."""
    return re.sub(r"\s+", "", fold(text))


def choice_number(text: str) -> Optional[int]:
    """The number of 「2」「２」「2番」「２番目」「2.」, or None when the text is not a choice number."""
    match = _CHOICE_NUMBER.fullmatch(normalize(text))
    return int(match.group(1)) if match else None


def resolve(text: str, buttons: Sequence[Button]) -> Step:
    """What to do with a typed line, given the choices of the bot's last reply."""
    key = normalize(text)
    if not key:
        return Skip()
    if key in EXIT_WORDS:
        return Quit()
    if buttons:
        number = choice_number(text)
        if number is not None:
            if 1 <= number <= len(buttons):
                return Send(buttons[number - 1].payload)
            return OutOfRange(number, len(buttons))
        for button in buttons:
            if normalize(button.title) == key:
                return Send(button.payload)
    # Free text as typed: the bot's own pipeline normalizes it, as for every channel.
    return Send(text.strip())


def _marked(text: str) -> List[str]:
    """A bot message as lines: the first after the marker, the others indented under it."""
    indent = " " * 8  # the width of 「ボット: 」 on a terminal: three wide characters, colon, space
    first, *rest = text.splitlines() or [""]
    return [BOT_MARK + first, *(indent + line if line else "" for line in rest)]


def render_reply(messages: Sequence[Mapping[str, Any]]) -> Tuple[List[str], List[Button]]:
    """The lines to show for one reply of the REST channel, and its choices, numbered across the reply."""
    lines: List[str] = []
    buttons: List[Button] = []
    for message in messages:
        if message.get("text"):
            lines.extend(_marked(str(message["text"])))
        if message.get("image"):
            lines.extend(_marked(str(message["image"])))
        for button in message.get("buttons") or []:
            title = str(button.get("title") or button.get("payload") or "")
            buttons.append(Button(title=title, payload=str(button.get("payload") or title)))
    lines.extend(CHOICE.format(number=number, title=button.title) for number, button in enumerate(buttons, 1))
    if buttons:
        lines.append(CHOICE_HINT)
    return lines, buttons


class BotUnavailable(Exception):
    """The server did not answer (down, restarting, or too slow)."""


def converse(read_line: Callable[[], str], send: Callable[[str], Sequence[Mapping[str, Any]]],
             write: Callable[[str], None]) -> None:
    """The conversation until 「終了」, end of input (Ctrl-D) or Ctrl-C; then the goodbye.

    ``read_line`` raises EOFError at the end of input; KeyboardInterrupt anywhere ends it too.
    """
    buttons: List[Button] = []
    try:
        while True:
            try:
                line = read_line()
            except EOFError:
                break
            step = resolve(line, buttons)
            if isinstance(step, Quit):
                break
            if isinstance(step, OutOfRange):
                write(OUT_OF_RANGE.format(number=step.number, count=step.count))
            elif isinstance(step, Send):
                try:
                    messages = send(step.text)
                except BotUnavailable:
                    write(UNREACHABLE)  # the same choices still stand
                    continue
                lines, buttons = render_reply(messages)
                for text in lines:
                    write(text)
    except KeyboardInterrupt:
        pass
    write(GOODBYE)


class RestClient:
    """One conversation over the REST channel (``/webhooks/rest/webhook``), as ``rasa shell`` has it."""

    def __init__(self, url: str, sender: str, timeout: float = REPLY_TIMEOUT_S) -> None:
        self._session = requests.Session()
        self.url, self.sender, self.timeout = url, sender, timeout

    def send(self, text: str) -> List[Mapping[str, Any]]:
        """The bot's messages in reply to ``text``."""
        try:
            return list(rest_replies(self.url, self.sender, text, self.timeout, self._session))
        except (requests.RequestException, ValueError) as error:
            raise BotUnavailable(str(error)) from error


def _alive(pid: int) -> bool:
    """Whether a process runs: a server that exited stays a zombie until shell.sh reaps it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")



def wait_until_ready(urls: Sequence[str], pids: Sequence[int], timeout: float,
                     status: Callable[[str, bool], None], ready: str = READY) -> Optional[float]:
    """Seconds until every URL answered, or None if a server exited or the time ran out.

    ``status(text, final)`` shows the progress line (``final`` False) and the ready line.
    """
    started = time.monotonic()
    status(LOADING, False)
    shown = 0
    while time.monotonic() - started < timeout:
        if not all(_alive(pid) for pid in pids):
            return None
        if all(answers(url) for url in urls):
            elapsed = time.monotonic() - started
            status(ready.format(seconds=elapsed), True)
            return elapsed
        seconds = int(time.monotonic() - started)
        if seconds >= shown + 5:
            shown = seconds - seconds % 5
            status(LOADING_SECONDS.format(seconds=shown), False)
        time.sleep(0.25)
    return None


def _status_writer(stream: Any) -> Callable[[str, bool], None]:
    """On a terminal the progress line is rewritten in place; elsewhere it is written once, as a line."""
    on_terminal = stream.isatty()

    def status(text: str, final: bool) -> None:
        if on_terminal:
            stream.write("\r\x1b[K" + text + ("\n" if final else ""))
        elif final or text == LOADING:
            stream.write(text + "\n")
        stream.flush()

    return status


def _terminal_reader(history: Path) -> Callable[[], str]:
    """prompt_toolkit's line editor with a history file: arrows, Ctrl-A/E, wide characters, paste."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    # Without this, a terminal that does not answer cursor position requests (an editor's shell,
    # a screen reader's, pexpect) gets an English warning; nothing here needs the position.
    os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
    history.parent.mkdir(parents=True, exist_ok=True)
    # What a person typed (their diagnosis answers too) is for them alone.
    history.touch(mode=0o600, exist_ok=True)
    session: PromptSession[str] = PromptSession(history=FileHistory(str(history)))
    return lambda: session.prompt(PROMPT)


def _pipe_reader() -> str:
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def _print(text: str) -> None:
    print(text, flush=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Waits for the servers when asked, then holds the conversation; 0 unless they never came up."""
    parser = argparse.ArgumentParser(description="make shell: a conversation with the bot in the terminal")
    parser.add_argument("--url", required=True, help="the Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--sender", default=None, help="conversation id (default: a new one)")
    parser.add_argument("--history", type=Path, default=Path("var/shell-history"),
                        help="line history file (terminal only)")
    parser.add_argument("--wait", action="append", default=[], metavar="URL",
                        help="wait until this URL answers (the Rasa server's / and the action server's /health)")
    parser.add_argument("--pid", action="append", type=int, default=[],
                        help="a server process: stop waiting if it exits")
    parser.add_argument("--log", action="append", default=[], help="a server log, named if start-up fails")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the servers")
    args = parser.parse_args(argv)

    for stream in (sys.stdin, sys.stdout, sys.stderr):
        # Japanese in and out whatever the locale says (a C locale would mean ASCII).
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="replace")

    on_terminal = sys.stdin.isatty() and sys.stdout.isatty()
    try:
        ready = READY if on_terminal else READY_PIPED
        if args.wait and wait_until_ready(args.wait, args.pid, args.timeout, _status_writer(sys.stderr), ready) is None:
            print(NOT_READY.format(logs="、".join(args.log) or "var/"), file=sys.stderr, flush=True)
            return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        _print(GOODBYE)
        return 0

    client = RestClient(args.url, args.sender or f"shell-{uuid.uuid4().hex}")
    read_line = _terminal_reader(args.history) if on_terminal else _pipe_reader
    converse(read_line, client.send, _print)
    return 0


if __name__ == "__main__":
    sys.exit(main())
