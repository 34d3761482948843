"""End to end over Slack: the real action and Rasa servers, signed Slack requests, a fake Slack Web API.

The Rasa server runs the custom channel `bot.channels.slack.ConfigurableSlackInput` with
`slack_api_url` pointing at a tiny HTTP server on 127.0.0.1 that records `chat.postMessage`.
Replies are awaited by polling what it recorded, always with a deadline.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
import uuid
from typing import Any, Dict

import pytest
import requests

from tests.e2e.conftest import (
    BOT_USER,
    TOKEN,
    FakeSlackApi,
    Servers,
    buttons_of,
    message_event,
    new_user_and_dm,
    post_text,
)

pytestmark = pytest.mark.e2e

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
