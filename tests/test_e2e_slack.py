"""End to end over Slack: the real action and Rasa servers, signed Slack requests, a fake Slack Web API.

The Rasa server runs the custom channel `bot.channels.slack.ConfigurableSlackInput` with
`slack_api_url` pointing at a tiny HTTP server on 127.0.0.1 that records `chat.postMessage`.
Replies are awaited by polling what it recorded, always with a deadline.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional
from urllib.parse import parse_qs, urlencode

import pytest
import requests

from bot.scripts.servers import RasaServers

pytestmark = pytest.mark.e2e

REPLY_TIMEOUT_S = 30
BOT_USER = "UBOT00001"
TOKEN = "xoxb-test-not-a-real-token"

# The block bot/scripts/run.sh adds to the credentials when SLACK_TOKEN and
# SLACK_SIGNING_SECRET are set: only placeholders, Rasa fills them in from the environment.
CREDENTIALS = """\
bot.channels.rest.CheckedRestInput:
bot.channels.slack.ConfigurableSlackInput:
  slack_token: ${SLACK_TOKEN}
  slack_signing_secret: ${SLACK_SIGNING_SECRET}
  slack_channel: ${SLACK_CHANNEL}
  slack_api_url: ${SLACK_API_URL}
"""


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# --- the fake Slack Web API ---------------------------------------------------------------


class FakeSlackApi:
    """Answers every Web API method with {"ok": true} and records the calls."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or b"{}")
                else:
                    body = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
                with api._lock:
                    api.calls.append({
                        "path": self.path,
                        "method": self.path.rsplit("/", 1)[-1],
                        "authorization": self.headers.get("Authorization", ""),
                        "body": body,
                    })
                answer = json.dumps({"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"})
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def calls_to(self, channel: str) -> List[Dict[str, Any]]:
        with self._lock:
            return [c for c in self.calls if c["body"].get("channel") == channel]

    def posts(self, channel: Optional[str] = None) -> List[Dict[str, Any]]:
        """The bodies of chat.postMessage calls, optionally only those to one channel."""
        with self._lock:
            calls = list(self.calls)
        return [
            c["body"] for c in calls
            if c["method"] == "chat.postMessage" and (channel is None or c["body"].get("channel") == channel)
        ]

    def texts(self, channel: str) -> str:
        return "\n".join(post_text(post) for post in self.posts(channel))

    def wait_for_text(self, channel: str, expected: str, count: int = 1) -> str:
        wait_until(lambda: self.texts(channel).count(expected) >= count, REPLY_TIMEOUT_S,
                   f"{expected!r} posted to {channel}")
        return self.texts(channel)


def post_text(post: Dict[str, Any]) -> str:
    """A posted message's text, including its section blocks."""
    parts = [str(post.get("text", ""))]
    for block in post.get("blocks") or []:
        if block.get("type") == "section":
            parts.append(str(block.get("text", {}).get("text", "")))
    return "\n".join(parts)


def buttons_of(post: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The button elements of a posted message (blocks or legacy attachments)."""
    buttons = [
        element
        for block in post.get("blocks") or []
        if block.get("type") == "actions"
        for element in block.get("elements", [])
        if element.get("type") == "button"
    ]
    for attachment in post.get("attachments") or []:
        buttons.extend(a for a in attachment.get("actions", []) if a.get("type") == "button")
    return buttons


# --- the servers ---------------------------------------------------------------------------


class Servers(RasaServers):
    """The action server and the Rasa server with the Slack channel, on free ports."""

    def __init__(self, directory: Path, slack_api_url: str) -> None:
        self.signing_secret = secrets.token_hex(16)
        # slack_sdk takes HTTPS_PROXY/HTTP_PROXY from the environment and ignores NO_PROXY:
        # the servers must reach the fake API on 127.0.0.1 directly.
        proxies = {"http_proxy", "https_proxy", "all_proxy"}
        env = {k: v for k, v in os.environ.items() if k.lower() not in proxies}
        env.update(SLACK_TOKEN=TOKEN, SLACK_SIGNING_SECRET=self.signing_secret, SLACK_CHANNEL="",
                   SLACK_API_URL=slack_api_url)
        super().__init__(directory, CREDENTIALS, ready_path="/webhooks/slack/", env=env)

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhooks/slack/webhook"

    # --- signed Slack requests ---

    def sign(self, body: bytes, age_s: int = 0, secret: Optional[str] = None) -> Dict[str, str]:
        """Slack's v0 signature headers; `age_s` backdates (or, negative, postdates) the timestamp."""
        ts = str(int(time.time()) - age_s)
        key = (secret or self.signing_secret).encode()
        digest = hmac.new(key, b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}

    def post_event(self, payload: Dict[str, Any], headers: Optional[Dict[str, str]] = None,
                   **sign_args: Any) -> requests.Response:
        body = json.dumps(payload, ensure_ascii=False).encode()
        all_headers = {"Content-Type": "application/json", **self.sign(body, **sign_args), **(headers or {})}
        return requests.post(self.webhook, data=body, headers=all_headers, timeout=30)

    def post_interaction(self, payload: Dict[str, Any]) -> requests.Response:
        body = urlencode({"payload": json.dumps(payload, ensure_ascii=False)}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **self.sign(body)}
        return requests.post(self.webhook, data=body, headers=headers, timeout=30)


def message_event(text: str, user: str, channel: str, event_type: str = "message",
                  channel_type: str = "im") -> Dict[str, Any]:
    """An Events API `event_callback` as Slack sends it for a user's message."""
    ts = f"{time.time():.6f}"
    event: Dict[str, Any] = {"type": event_type, "user": user, "text": text, "ts": ts,
                             "event_ts": ts, "channel": channel}
    if event_type == "message":
        event["channel_type"] = channel_type
    return {
        "token": "legacy-verification-token-unused",
        "team_id": "T00000001",
        "api_app_id": "A00000001",
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T00000001", "user_id": BOT_USER, "is_bot": True}],
        "event": event,
    }


def new_user_and_dm() -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8].upper()
    return f"U{suffix}", f"D{suffix}"


@pytest.fixture(scope="module")
def slack_api() -> Iterator[FakeSlackApi]:
    api = FakeSlackApi()
    api.start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def servers(slack_api: FakeSlackApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    running = Servers(tmp_path_factory.mktemp("e2e-slack"), slack_api.url)
    try:
        running.start()
        yield running
    finally:
        running.stop()


ACCOUNTING = "経理はバックオフィスに属する職種です"
HR = "人事・労務はバックオフィスに属する職種です"


def test_a_signed_direct_message_is_answered_through_the_web_api(servers: Servers, slack_api: FakeSlackApi) -> None:
    user, dm = new_user_and_dm()
    response = servers.post_event(message_event("経理って何？", user, dm))
    assert response.status_code == 200, response.text

    answer = slack_api.wait_for_text(dm, ACCOUNTING)
    assert "出典" in answer
    calls = slack_api.calls_to(dm)
    assert calls and all(c["path"] == "/api/chat.postMessage" for c in calls)
    assert all(c["authorization"] == f"Bearer {TOKEN}" for c in calls)


def test_a_mention_in_a_channel_is_answered_in_that_channel(servers: Servers, slack_api: FakeSlackApi) -> None:
    user, _ = new_user_and_dm()
    channel = f"C{uuid.uuid4().hex[:8].upper()}"
    # A plain message in a public channel is ignored (no slack_channel configured) ...
    assert servers.post_event(message_event("人事について教えて", user, channel, channel_type="channel")).ok
    # ... an @mention is answered there, with the mention removed from the text.
    response = servers.post_event(message_event(f"<@{BOT_USER}> 経理って何？", user, channel, event_type="app_mention"))
    assert response.status_code == 200, response.text
    texts = slack_api.wait_for_text(channel, ACCOUNTING)
    assert HR not in texts


@pytest.mark.parametrize(
    "sign_args",
    [
        {"secret": "not-the-signing-secret"},
        {"age_s": 6 * 60},
        {"age_s": -6 * 60},
    ],
    ids=["wrong-secret", "six-minutes-old", "six-minutes-ahead"],
)
def test_requests_not_signed_by_slack_are_rejected(servers: Servers, slack_api: FakeSlackApi,
                                                     sign_args: Dict[str, Any]) -> None:
    user, dm = new_user_and_dm()
    response = servers.post_event(message_event("経理って何？", user, dm), **sign_args)
    assert 400 <= response.status_code < 500, response.status_code
    unsigned = requests.post(servers.webhook, json=message_event("経理って何？", user, dm), timeout=30)
    assert 400 <= unsigned.status_code < 500, unsigned.status_code

    # A valid message in the same conversation afterwards: its answer is the only one.
    # (Messages of one conversation are handled in order, so a reply to the rejected
    # request would have been posted first.)
    assert servers.post_event(message_event("人事について教えて", user, dm)).status_code == 200
    texts = slack_api.wait_for_text(dm, HR)
    assert ACCOUNTING not in texts


@pytest.mark.parametrize("reason", ["http_timeout", "http_error"])
def test_a_slack_retry_of_a_handled_event_is_not_answered_twice(
    servers: Servers, slack_api: FakeSlackApi, reason: str
) -> None:
    # Rasa drops only retries whose reason is in errors_ignore_retry (http_timeout); the
    # channel claims event ids in the lock store the Sanic workers share, so no retry of a
    # handled event is answered again, whichever worker the retry reaches.
    user, dm = new_user_and_dm()
    event = message_event("経理って何？", user, dm)
    assert servers.post_event(event).status_code == 200
    slack_api.wait_for_text(dm, ACCOUNTING)

    # Slack re-sends the same event (same event_id), freshly signed, with the retry headers.
    # Each retry on a new connection: with two workers, some reach the one that did not answer.
    for number in range(1, 5):
        retry = servers.post_event(event, headers={"X-Slack-Retry-Num": str(number), "X-Slack-Retry-Reason": reason})
        assert 200 <= retry.status_code < 300, retry.text
        assert retry.headers.get("X-Slack-No-Retry") == "1"

    assert servers.post_event(message_event("人事について教えて", user, dm)).status_code == 200
    texts = slack_api.wait_for_text(dm, HR)
    assert texts.count(ACCOUNTING) == 1


def test_the_url_verification_challenge_is_answered(servers: Servers) -> None:
    challenge = secrets.token_urlsafe(32)
    payload = {"token": "legacy-verification-token-unused", "challenge": challenge, "type": "url_verification"}
    response = servers.post_event(payload)
    assert response.status_code == 200, response.text
    # Rasa 3.6 answers with the challenge as a JSON string: "<challenge>".
    assert response.json() == challenge

    unsigned = requests.post(servers.webhook, json=payload, timeout=30)
    assert 400 <= unsigned.status_code < 500 and challenge not in unsigned.text


def test_the_diagnosis_shows_five_buttons_and_a_click_continues_it(servers: Servers, slack_api: FakeSlackApi) -> None:
    user, dm = new_user_and_dm()
    assert servers.post_event(message_event("診断したい", user, dm)).status_code == 200
    slack_api.wait_for_text(dm, "質問1/9")
    question = next(p for p in slack_api.posts(dm) if "質問1/9" in post_text(p))
    buttons = buttons_of(question)
    assert len(buttons) == 5, question
    assert all(b["value"].startswith("/diagnosis_answer") for b in buttons)

    clicked = buttons[0]
    message_ts = f"{time.time():.6f}"
    response = servers.post_interaction({
        "type": "block_actions",
        "team": {"id": "T00000001", "domain": "example"},
        "user": {"id": user, "username": "tester", "team_id": "T00000001"},
        "api_app_id": "A00000001",
        "token": "legacy-verification-token-unused",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": dm, "is_ephemeral": False},
        "trigger_id": "1.2.3",
        "channel": {"id": dm, "name": "directmessage"},
        "message": {"type": "message", "user": BOT_USER, "ts": message_ts, "text": post_text(question)},
        "response_url": "https://hooks.slack.com/actions/T00000001/1/unused",
        "actions": [{
            "type": "button",
            "action_id": "answer",
            "block_id": "answers",
            "text": clicked["text"],
            "value": clicked["value"],
            "action_ts": f"{time.time():.6f}",
        }],
    })
    assert response.status_code == 200, response.text
    slack_api.wait_for_text(dm, "質問2/9")
    second = next(p for p in slack_api.posts(dm) if "質問2/9" in post_text(p))
    assert len(buttons_of(second)) == 5

    # A typed answer works the same as a button.
    assert servers.post_event(message_event("どちらかといえば", user, dm)).status_code == 200
    slack_api.wait_for_text(dm, "質問3/9")


# --- the output channel on its own, against the same fake API ------------------------------


def test_more_than_five_buttons_are_cut_to_five_with_a_warning(
    slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.channels.slack import ConfigurableSlackBot

    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    channel = f"D{uuid.uuid4().hex[:8].upper()}"
    bot = ConfigurableSlackBot(TOKEN, channel, api_url=slack_api.url)
    buttons = [{"title": f"選択肢{i}", "payload": f"/choose{{\"n\": {i}}}"} for i in range(7)]
    with caplog.at_level(logging.WARNING, logger="bot.channels.slack"):
        asyncio.run(bot.send_text_with_buttons(channel, "どれにしますか？", buttons))
    (post,) = slack_api.posts(channel)
    assert [b["text"]["text"] for b in buttons_of(post)] == [f"選択肢{i}" for i in range(5)]
    assert "only the first 5" in caplog.text


def test_the_channel_reads_its_credentials() -> None:
    from rasa.shared.exceptions import InvalidConfigException

    from bot.channels.slack import DEFAULT_SLACK_API_URL, ConfigurableSlackBot, ConfigurableSlackInput

    base = {"slack_token": TOKEN, "slack_signing_secret": "s"}
    default = ConfigurableSlackInput.from_credentials({**base, "slack_api_url": ""})
    assert isinstance(default, ConfigurableSlackInput) and default.name() == "slack"
    assert default.slack_api_url == DEFAULT_SLACK_API_URL
    gov = ConfigurableSlackInput.from_credentials({**base, "slack_api_url": "https://slack-gov.com/api"})
    output = gov.get_output_channel("C1")
    assert isinstance(output, ConfigurableSlackBot)
    assert output.client.base_url == "https://slack-gov.com/api/"
    for missing in ("slack_token", "slack_signing_secret"):
        with pytest.raises(InvalidConfigException):
            ConfigurableSlackInput.from_credentials({**base, missing: ""})
