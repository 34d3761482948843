"""`make review STORE=prod` on the production profile's PostgreSQL store (bot/prod/endpoints.yml, DB_*)."""

from __future__ import annotations

import re
import subprocess
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.scripts.servers import ROOT, free_port
from tests.prod.stack import ProdStack, say

pytestmark = pytest.mark.prod

UNANSWERABLE = "営業の初任給はどのくらいですか"
FORGOTTEN_TEXT = "総務の仕事で一番つらいことは何ですか"


def answer(answer_id: str = "agree") -> str:
    return f'/diagnosis_answer{{"answer": "{answer_id}"}}'


def test_the_review_reads_the_postgresql_store(prod_stack: ProdStack, tmp_path: Path) -> None:
    # Other tests of the session write to the same database: the period starts with this test.
    since = (datetime.now().astimezone() - timedelta(seconds=1)).isoformat(timespec="seconds")
    sender = {name: f"review-{name}-{uuid.uuid4().hex[:8]}" for name in ("question", "finished", "abandoned",
                                                                        "forgotten")}
    url = prod_stack.url
    assert "書かれていません" in " ".join(say(url, sender["question"], UNANSWERABLE))
    say(url, sender["finished"], "診断したい")
    replies = []
    for _ in range(9):
        replies = say(url, sender["finished"], answer())
    assert any(text.startswith("診断結果です") for text in replies)
    say(url, sender["abandoned"], "診断したい")
    assert "質問2/9" in " ".join(say(url, sender["abandoned"], answer()))
    say(url, sender["forgotten"], FORGOTTEN_TEXT)
    say(url, sender["forgotten"], "会話の記録を消して")
    assert "会話の記録を削除しました" in " ".join(say(url, sender["forgotten"], "はい"))

    env = prod_stack.env(REVIEW_OUT=str(tmp_path), REVIEW_SINCE=since)
    done = subprocess.run(["make", "-s", "review", "STORE=prod"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    report = Path(done.stdout.strip().splitlines()[-1])
    html = report.read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert f"postgresql://{env['DB_USER']}:***@127.0.0.1:{env['DB_PORT']}/{env['DB_DATABASE']}" in text
    assert env["DB_PASSWORD"] not in html  # the report names the store without its password
    assert UNANSWERABLE in html and FORGOTTEN_TEXT not in html
    assert "2 件中 1 件が結果まで到達" in text
    assert not any(name in html for name in sender.values())
    (csv_file,) = tmp_path.glob("*.csv")
    assert FORGOTTEN_TEXT not in csv_file.read_text(encoding="utf-8-sig")


def test_an_unreachable_postgresql_is_named_in_a_clear_error(prod_stack: ProdStack, tmp_path: Path) -> None:
    env = prod_stack.env(REVIEW_OUT=str(tmp_path), DB_PORT=str(free_port()))
    done = subprocess.run(["make", "-s", "review", "STORE=prod"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert f"cannot read the tracker store postgresql://rasa:***@127.0.0.1:{env['DB_PORT']}/rasa" in done.stderr
    assert env["DB_PASSWORD"] not in done.stderr
