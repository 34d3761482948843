"""The terminal conversation of `make shell`, driven through a pseudo-terminal as a person types."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pexpect
import pytest

from tests.servers import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "Your input ->"
DOWN = "\x1b[B"
ENTER = "\r"


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[pexpect.spawn]:
    env = dict(os.environ, ACTION_PORT=str(free_port()), TRACKER_DB=str(tmp_path / "shell.db"),
               TERM="xterm", COLUMNS="120", LINES="40")
    # The command `make shell` runs once the model is trained.
    child = pexpect.spawn(str(ROOT / "bot" / "scripts" / "shell.sh"), cwd=str(ROOT), env=env,
                          encoding="utf-8", timeout=180, dimensions=(40, 120))
    child.logfile_read = (tmp_path / "shell.log").open("w", encoding="utf-8")
    child.expect(PROMPT)
    yield child
    child.sendline("/stop")
    child.close(force=True)


def choose(child: pexpect.spawn, option: int) -> None:
    """Picks the n-th button (1-based) of the numbered choice the shell shows."""
    child.expect("Use arrow keys")
    child.send(DOWN * (option - 1) + ENTER)


def test_question_and_whole_diagnosis_in_the_shell(shell: pexpect.spawn) -> None:
    shell.sendline("経理って何？")
    shell.expect("経理はバックオフィスに属する職種です")
    shell.expect(PROMPT)

    shell.sendline("診断したい")
    shell.expect("質問1/9")
    for number, option in zip(range(2, 10), [1, 1, 2, 1, 5, 4, 1, 2], strict=True):
        choose(shell, option)
        shell.expect(f"質問{number}/9")
    # The last answer is typed: the sixth choice is "Type out your own message...".
    choose(shell, 6)
    shell.expect(PROMPT)
    shell.sendline("あまり")
    shell.expect("診断結果です")
    shell.expect("特に合いそうな職種は次の3つです")
    shell.expect("目安")
