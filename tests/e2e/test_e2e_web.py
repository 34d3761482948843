"""End to end in a browser: the chat page of the web chat channel (bot/web/channel.py) in headless Chromium.

The real action server and Rasa server are started on free ports with a temporary credentials
file (the web channel and REST). Chromium and chromedriver are Debian's (`apt-get install
chromium chromium-driver`); Selenium is given both paths, so it never downloads a browser or
a driver. The page is shown at a phone's size; a screenshot goes to tests/artifacts/web.png.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from typing import Any, Callable, Iterator, List, Tuple

import pytest

from bot.scripts.servers import ROOT, RasaServers

pytestmark = pytest.mark.e2e

webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium (see constraints.txt)")
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SCREENSHOT = ROOT / "tests" / "artifacts" / "web.png"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
REPLY_TIMEOUT_S = 30

MESSAGES_JS = """
return Array.from(document.querySelectorAll('.rw-messages-container .rw-message')).map(
  m => [m.querySelector('.rw-client') ? 'user' : 'bot', m.innerText]);
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    assert not missing, f"{missing} not found: apt-get install -y chromium chromium-driver"
    directory = tmp_path_factory.mktemp("chromium")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={directory / 'profile'}"]:
        options.add_argument(flag)
    # Console messages, and the DevTools network events (requests, WebSocket frames).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # An explicit driver path: Selenium Manager (which downloads drivers and browsers) is never run.
    service = Service(executable_path=CHROMEDRIVER, log_output=str(directory / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        yield driver
    finally:
        driver.quit()


def messages(driver: Any) -> List[Tuple[str, str]]:
    return [(who, text) for who, text in driver.execute_script(MESSAGES_JS)]


def wait(driver: Any, condition: Callable[[Any], Any], what: str, timeout: float = REPLY_TIMEOUT_S) -> Any:
    return WebDriverWait(driver, timeout).until(condition, message=f"timed out waiting for {what}")


def open_new_conversation(driver: Any, url: str) -> None:
    """Opens the page with an empty localStorage, i.e. a new session; waits for the greeting."""
    driver.get("about:blank")  # the widget of the previous page can no longer write to the storage
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": url, "storageTypes": "local_storage"})
    driver.get(url)
    wait(driver, lambda d: any(who == "bot" for who, _ in messages(d)), "the greeting")


def input_box(driver: Any) -> Any:
    return driver.find_element(By.CSS_SELECTOR, "textarea.rw-new-message")


def bot_texts_after(driver: Any, count: int) -> str:
    return "\n".join(text for who, text in messages(driver)[count:] if who == "bot")


def say(driver: Any, text: str, expected: str) -> str:
    """Types ``text``, presses Enter and returns the bot's new messages once they contain ``expected``."""
    before = len(messages(driver))
    box = input_box(driver)
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    wait(driver, lambda d: expected in bot_texts_after(d, before), f"{expected!r} after {text!r}")
    return bot_texts_after(driver, before)


def click_reply(driver: Any, title: str, expected: str) -> str:
    before = len(messages(driver))
    buttons = wait(driver, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, ".rw-replies .rw-reply")
                                      if b.text == title], f"the button {title!r}")
    buttons[0].click()
    wait(driver, lambda d: expected in bot_texts_after(d, before), f"{expected!r} after clicking {title!r}")
    return bot_texts_after(driver, before)


def network_events(driver: Any) -> List[Tuple[str, Any]]:
    """The DevTools events (method, params) recorded since the last call."""
    events = (json.loads(entry["message"])["message"] for entry in driver.get_log("performance"))
    return [(event["method"], event.get("params", {})) for event in events]


def test_page_and_widget_come_from_the_rasa_server_only(servers: RasaServers, browser: Any) -> None:
    network_events(browser)  # drop what came before
    browser.get_log("browser")
    open_new_conversation(browser, servers.url)
    say(browser, "経理って何？", "経理はバックオフィスに属する職種です")

    events = network_events(browser)
    urls = [params["request"]["url"] for method, params in events if method == "Network.requestWillBeSent"]
    web_urls = [url for url in urls if url.split(":", 1)[0] in ("http", "https", "ws", "wss")]
    assert f"{servers.url}/webhooks/webchat/assets/webchat.js" in web_urls
    assert all(url.startswith(servers.url + "/") for url in web_urls), web_urls

    # socket.io upgraded to a WebSocket on the same origin, and the answer arrived as bot_uttered frames.
    sockets = [params["url"] for method, params in events if method == "Network.webSocketCreated"]
    assert sockets and all(url.startswith(f"ws://127.0.0.1:{servers.port}/socket.io/") for url in sockets), sockets
    frames = [params["response"]["payloadData"] for method, params in events
              if method == "Network.webSocketFrameReceived"]
    replies = [json.loads(frame[2:])[1] for frame in frames if frame.startswith('42["bot_uttered"')]
    assert any("経理はバックオフィスに属する職種です" in reply.get("text", "") for reply in replies), frames

    # No errors in the console: no CSP violation, no failed request.
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors


def test_answer_is_shown_as_sent_and_fits_a_phone(servers: RasaServers, browser: Any) -> None:
    open_new_conversation(browser, servers.url)
    answer = say(browser, "経理って何？", "経理の主な仕事は次のとおりです。")
    assert "経理はバックオフィスに属する職種です" in answer
    # Newlines and bullet lines are shown as the bot wrote them.
    # Each bullet carries the number of its article when the answer cites several (［2］).
    assert re.search(r"経理の主な仕事は次のとおりです。\n・日々の売上や経費の計算(［\d］)?\n・請求書の発行", answer)
    assert re.search(r"（出典：(［\d］)?「", answer)
    # Nothing is wider than the phone's screen: long lines wrap inside their bubble.
    overflow = browser.execute_script("""
        const width = document.documentElement.clientWidth;
        const wide = Array.from(document.querySelectorAll('.rw-message, .rw-response, .rw-client'))
          .filter(e => e.getBoundingClientRect().right > width + 1 || e.scrollWidth > e.clientWidth + 1);
        return [document.documentElement.scrollWidth - width, wide.length];
    """)
    assert overflow == [0, 0]


def test_enter_that_confirms_an_ime_conversion_does_not_send(servers: RasaServers, browser: Any) -> None:
    open_new_conversation(browser, servers.url)
    box = input_box(browser)
    box.click()
    before = len(messages(browser))
    # Chromium's real IME path: a composition is open when Enter arrives. keyCode 13 while composing
    # is what the widget alone would send on; 229 is what most browsers report.
    for key_code in (13, 229):
        browser.execute_cdp_cmd("Input.imeSetComposition", {"text": "けいり", "selectionStart": 3, "selectionEnd": 3})
        for kind in ("rawKeyDown", "keyUp"):
            browser.execute_cdp_cmd("Input.dispatchKeyEvent", {
                "type": kind, "key": "Enter", "code": "Enter",
                "windowsVirtualKeyCode": key_code, "nativeVirtualKeyCode": key_code,
            })
        time.sleep(1.0)
        assert len(messages(browser)) == before, f"Enter during the composition (keyCode {key_code}) sent a message"
        assert box.get_attribute("value") == "けいり"

    # The conversion is confirmed; the next Enter sends the confirmed text.
    browser.execute_cdp_cmd("Input.insertText", {"text": "経理って何？"})
    assert box.get_attribute("value") == "経理って何？"
    box.send_keys(Keys.ENTER)
    wait(browser, lambda d: "経理はバックオフィスに属する職種です" in bot_texts_after(d, before), "the answer")
    assert messages(browser)[before] == ("user", "経理って何？")


def test_conversation_with_buttons_survives_a_reload_and_html_stays_text(servers: RasaServers, browser: Any) -> None:
    open_new_conversation(browser, servers.url)
    say(browser, "経理って何？", "経理はバックオフィスに属する職種です")

    first = say(browser, "診断したい", "質問1/9")
    assert "9つの質問" in first
    titles = [b.text for b in browser.find_elements(By.CSS_SELECTOR, ".rw-replies .rw-reply")]
    assert titles == ["とても当てはまる", "やや当てはまる", "どちらともいえない", "あまり当てはまらない", "当てはまらない"]
    click_reply(browser, "やや当てはまる", "質問2/9")
    assert ("user", "やや当てはまる") in messages(browser)

    # A reload shows the history and continues the same session (socket.io room) on the server.
    history = messages(browser)
    browser.refresh()
    wait(browser, lambda d: len(messages(d)) >= len(history), "the history after the reload")
    assert messages(browser)[: len(history)] == history
    click_reply(browser, "とても当てはまる", "質問3/9")

    # HTML in a message is shown as text and never run.
    payload = '<img src=x onerror="window.__xss=1">'
    before = len(messages(browser))
    box = input_box(browser)
    box.send_keys(payload)
    box.send_keys(Keys.ENTER)
    # The tags are removed before NLU, so the message is empty: the bot says so and asks question 3 again.
    wait(browser, lambda d: "質問3/9" in bot_texts_after(d, before + 1), "question 3 asked again")
    assert messages(browser)[before] == ("user", payload)
    assert browser.execute_script("return typeof window.__xss") == "undefined"
    assert browser.find_elements(By.CSS_SELECTOR, ".rw-messages-container img") == []

    # The rest of the diagnosis, by buttons. The result's numbered lines stay text (Markdown is escaped).
    for number in range(3, 9):
        click_reply(browser, "どちらともいえない", f"質問{number + 1}/9")
    result = click_reply(browser, "やや当てはまる", "目安")  # the disclaimer comes last
    assert "診断結果です。" in result and "とお答えいただいたので" in result
    assert re.search(r"^1\. .+（.+オフィス）：", result, re.MULTILINE), result
    assert browser.find_elements(By.CSS_SELECTOR, ".rw-messages-container ol, .rw-messages-container ul") == []

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
