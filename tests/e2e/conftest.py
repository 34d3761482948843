"""The one harness of the end-to-end tests: the bot's real servers, a fake Slack Web API, signed requests.

``servers`` is the bot as ``make run`` serves it with Slack configured: the action server and the
Rasa server with two Sanic workers, REST, the web chat and the Slack channel (whose Web API is a
fake on 127.0.0.1 that records what the bot posts). It is started once and shared by every test
that only talks to it; each test keeps to conversations of its own (new sender ids). Tests that
stop, kill or reconfigure a server, or count everything stored, start their own ``Servers``.
The REST client is ``RasaServers.say`` / ``texts`` (``bot/scripts/servers.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence
from urllib.parse import parse_qs, urlencode

import pytest
import requests

from bot.scripts.servers import ROOT, RasaServers

REPLY_TIMEOUT_S = 30
BOT_USER = "UBOT00001"
TOKEN = "xoxb-test-not-a-real-token"

# The channels of `make run` with Slack configured: bot/credentials.yml (REST, the web chat) and
# the block bot/scripts/run.sh adds when SLACK_TOKEN and SLACK_SIGNING_SECRET are set (only
# placeholders: Rasa fills them in from the environment).
CREDENTIALS = (ROOT / "bot" / "credentials.yml").read_text(encoding="utf-8") + """\
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
    """The action server and the Rasa server with every channel of `make run`, Slack included."""

    def __init__(self, directory: Path, slack_api_url: str, env: Optional[Dict[str, str]] = None,
                 rasa_args: Sequence[str] = ()) -> None:
        self.signing_secret = secrets.token_hex(16)
        # slack_sdk takes HTTPS_PROXY/HTTP_PROXY from the environment and ignores NO_PROXY:
        # the servers must reach the fake API on 127.0.0.1 directly.
        proxies = {"http_proxy", "https_proxy", "all_proxy"}
        env = {k: v for k, v in (os.environ if env is None else env).items() if k.lower() not in proxies}
        env.update(SLACK_TOKEN=TOKEN, SLACK_SIGNING_SECRET=self.signing_secret, SLACK_CHANNEL="",
                   SLACK_API_URL=slack_api_url)
        super().__init__(directory, CREDENTIALS, ready_path="/webhooks/slack/", env=env, rasa_args=rasa_args)

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


def started(servers: Servers) -> Iterator[Servers]:
    """Starts ``servers``, yields them, and stops them whatever happens (for fixtures)."""
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()


@pytest.fixture(scope="session")
def slack_api() -> Iterator[FakeSlackApi]:
    """The fake Slack Web API every Slack channel of the tests posts to."""
    api = FakeSlackApi()
    api.start()
    yield api
    api.stop()


@pytest.fixture(scope="session")
def servers(slack_api: FakeSlackApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The bot with every channel, shared by the tests that only talk to it."""
    # Two workers as on two cores, whatever this machine has: a conversation's messages reach both.
    yield from started(Servers(tmp_path_factory.mktemp("e2e"), slack_api.url, env=dict(os.environ, SANIC_WORKERS="2")))
