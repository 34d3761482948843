"""End to end: real conversations over REST and Slack with the real servers, then `make review` on their store.

The report must quote an unanswerable question word for word, count a finished and an abandoned
diagnosis as such, and leave out a conversation whose user asked the bot to forget it.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any, Iterator, List

import pytest

from bot.review.analysis import hash_sender
from bot.scripts.servers import ROOT
from tests.e2e.conftest import FakeSlackApi, Servers, message_event, new_user_and_dm, started

pytestmark = pytest.mark.e2e

UNANSWERABLE = "経理の平均年収っていくらくらい？"
# Only the conversation that is forgotten says this.
FORGOTTEN_TEXT = "法務の仕事で一番つらいことは何ですか"
SALT = "e2e-review-salt"


def answer_button(answer_id: str = "agree") -> str:
    return f'/diagnosis_answer{{"answer": "{answer_id}"}}'


@pytest.fixture(scope="module")
def bot(slack_api: FakeSlackApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    # A store of its own: the report counts every conversation in it.
    yield from started(Servers(tmp_path_factory.mktemp("e2e-review"), slack_api.url))


def stored_senders(bot: Servers) -> List[str]:
    with sqlite3.connect(bot.env["TRACKER_DB"]) as db:
        return [sender for (sender,) in db.execute("SELECT DISTINCT sender_id FROM events")]


@pytest.fixture(scope="module")
def conversations(bot: Servers, slack_api: FakeSlackApi) -> dict:
    """Five conversations, the last one forgotten; returns their sender ids."""
    senders = {name: f"review-{name}-{uuid.uuid4().hex[:8]}" for name in ("question", "finished", "abandoned",
                                                                        "forgotten")}
    assert "経理はバックオフィス" in bot.say(senders["question"], "経理って何？")
    honest = bot.say(senders["question"], UNANSWERABLE)
    assert "書かれていません" in honest, honest

    assert "質問1/9" in bot.say(senders["finished"], "診断したい")
    replies = ""
    for _ in range(9):
        replies = bot.say(senders["finished"], answer_button())
    assert "診断結果です" in replies
    assert bot.say(senders["finished"], "なぜ？")

    assert "質問1/9" in bot.say(senders["abandoned"], "診断したい")
    assert "質問2/9" in bot.say(senders["abandoned"], answer_button())
    assert "質問3/9" in bot.say(senders["abandoned"], answer_button("disagree"))
    # An answer the bot cannot read: question 3 comes again, and the user leaves.
    assert "読み取れませんでした" in bot.say(senders["abandoned"], "うーん")

    bot.say(senders["forgotten"], FORGOTTEN_TEXT)
    assert "会話の記録をすべて削除しますか" in bot.say(senders["forgotten"], "会話の記録を消して")
    assert "会話の記録を削除しました" in bot.say(senders["forgotten"], "はい")
    assert senders["forgotten"] not in stored_senders(bot)  # bot/tracker_store.py really deletes

    user, dm = new_user_and_dm()
    assert bot.post_event(message_event("人事について教えて", user, dm)).status_code == 200
    slack_api.wait_for_text(dm, "人事・労務はバックオフィスに属する職種です")
    senders["slack"] = user
    return senders


@pytest.fixture(scope="module")
def report(bot: Servers, conversations: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make review` on the servers' SQLite store; returns the report's path (its last line)."""
    out = tmp_path_factory.mktemp("review-out")
    env = dict(os.environ, TRACKER_DB=bot.env["TRACKER_DB"], REVIEW_OUT=str(out), REVIEW_SALT=SALT)
    done = subprocess.run(["make", "-s", "review"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path.parent == out and path.suffix == ".html"
    return path


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_report_quotes_the_unanswerable_question_verbatim(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    section = html[html.index('id="fell-through"'):html.index('id="topics"')]
    assert UNANSWERABLE in section
    (csv_file,) = report.parent.glob("*.csv")
    with csv_file.open(encoding="utf-8-sig", newline="") as file:
        rows = [row for row in csv.DictReader(file) if row["message"] == UNANSWERABLE]
    assert rows and "not_in_articles" in rows[0]["reasons"] and rows[0]["intended_intent"] == ""


def test_the_report_counts_the_finished_and_the_abandoned_diagnosis(report: Path) -> None:
    text = " ".join(text_of(report.read_text(encoding="utf-8")).split())
    assert "2 件中 1 件が結果まで到達" in text
    assert "途中で止まった会話（期間の終わりにまだ回答中だったものを含む）は 1 件でした" in text
    assert "最も多く聞き直したのは 質問3 （1 回）" in text


def test_the_report_counts_the_channels(report: Path) -> None:
    text = " ".join(text_of(report.read_text(encoding="utf-8")).split())
    # Three REST conversations and one Slack one (the forgotten one is gone).
    assert re.search(r"REST API 3 \d+", text) and re.search(r"Slack 1 1 ", text)


def test_the_report_leaves_out_the_forgotten_conversation(report: Path, conversations: dict) -> None:
    files = [report, *report.parent.glob("*.csv")]
    forgotten = hash_sender(conversations["forgotten"], SALT.encode())
    for file in files:
        content = file.read_text(encoding="utf-8-sig")
        assert FORGOTTEN_TEXT not in content and forgotten not in content
        # No sender id is shown, only hashes.
        assert not any(sender in content for sender in conversations.values())
    assert hash_sender(conversations["question"], SALT.encode()) in report.read_text(encoding="utf-8")
    assert json.dumps(conversations)  # the ids were real strings


# --- the page in a browser ------------------------------------------------------------------------

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SCREENSHOT = ROOT / "tests" / "artifacts" / "review.png"
CHECK_JS = """
const charts = Array.from(document.querySelectorAll('img.chart'));
return {charts: charts.length, broken: charts.filter(i => !i.complete || i.naturalWidth === 0).length,
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        headings: Array.from(document.querySelectorAll('h2')).map(h => h.innerText),
        height: document.documentElement.scrollHeight};
"""


def chromium(directory: Path) -> Any:
    """Debian's headless Chromium through Selenium, with explicit paths (Selenium Manager never runs)."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium (see constraints.txt)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    assert not missing, f"{missing} not found: apt-get install -y chromium chromium-driver"
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                 "--disable-background-networking", f"--user-data-dir={directory / 'profile'}"]:
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


def show(driver: Any, page: Path, width: int, height: int, mobile: bool = False) -> dict:
    """Opens the page at the given size; returns what CHECK_JS sees."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    driver.get(page.resolve().as_uri())
    return dict(driver.execute_script(CHECK_JS))


def screenshot(page: Path, png: Path, width: int = 1200, height: int = 1900) -> None:
    """A picture of the top of the report (the README's, docs/images/review.png, is made with this)."""
    directory = png.parent / ".chromium"
    driver = chromium(directory)
    try:
        show(driver, page, width, height)
        png.parent.mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(str(png))
    finally:
        driver.quit()
        shutil.rmtree(directory, ignore_errors=True)


def test_the_report_reads_well_in_a_browser(report: Path, tmp_path: Path) -> None:
    driver = chromium(tmp_path)
    try:
        desktop = show(driver, report, 1200, 900)
        assert desktop["charts"] >= 5 and desktop["broken"] == 0
        assert desktop["overflow"] <= 0
        assert desktop["headings"] == ["1. 利用状況", "2. 答えられなかったメッセージ", "3. 話題", "4. 適職診断",
                                       "5. 応答速度"]
        # On a phone the wide table scrolls inside its box; the page itself does not.
        assert show(driver, report, 390, 844, mobile=True)["overflow"] <= 0
        show(driver, report, 1200, 1900)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(str(SCREENSHOT))
    finally:
        driver.quit()
