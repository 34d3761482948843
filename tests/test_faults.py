"""The pure parts of the fault handling: request checks, limits, the action timeout."""

from __future__ import annotations

import json
from typing import Any, Optional
from urllib.parse import urlencode

import pytest
import yaml
from rasa.shared.core.domain import Domain

from bot.channels.rest import rest_body_problem
from bot.channels.slack import slack_request_problem
from bot.compat.resilience import DEFAULT_ACTION_TIMEOUT_S, UNAVAILABLE_RESPONSE, action_timeout
from tests.conftest import DOMAIN_DIR, REPO_ROOT


@pytest.mark.parametrize(
    "body, problem",
    [
        ({"sender": "a", "message": "経理って何？"}, None),
        ({"sender": "a", "message": ""}, None),
        ({"sender": "a", "message": "hi", "metadata": {"k": 1}, "input_channel": None}, None),
        ([], "object"),
        ("text", "object"),
        ({"message": "hi"}, "sender"),
        ({"sender": "", "message": "hi"}, "sender"),
        ({"sender": 1, "message": "hi"}, "sender"),
        ({"sender": "s" * 257, "message": "hi"}, "at most 256"),
        ({"sender": "a"}, "message"),
        ({"sender": "a", "message": None}, "message"),
        ({"sender": "a", "message": 3}, "message"),
        ({"sender": "a", "message": ["hi"]}, "message"),
        ({"sender": "a", "message": "hi", "metadata": []}, "metadata"),
        ({"sender": "a", "message": "hi", "input_channel": {}}, "input_channel"),
    ],
)
def test_rest_body_problem(body: Any, problem: Optional[str]) -> None:
    found = rest_body_problem(body)
    assert found is None if problem is None else problem in (found or "")


def _form(payload: Any) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


BUTTON = {"actions": [{"type": "button", "value": "/affirm"}], "user": {"id": "U1"}, "channel": {"id": "D1"}}


@pytest.mark.parametrize(
    "content_type, body, problem",
    [
        ("application/json", b'{"challenge": "c"}', None),
        ("application/json", json.dumps({"event": {"type": "message", "text": "hi", "user": "U1",
                                                   "channel": "D1", "channel_type": "im"}}).encode(), None),
        # A bot's own message has no user; Rasa skips it.
        ("application/json", b'{"event": {"type": "message", "text": "hi", "bot_id": "B1"}}', None),
        ("application/x-www-form-urlencoded", _form(BUTTON), None),
        # A link button has no value; Rasa acknowledges it.
        ("application/x-www-form-urlencoded", _form({**BUTTON, "actions": [{"type": "button"}]}), None),
        ("text/plain", b"\xff", None),
        ("application/json", b"{", "JSON"),
        ("application/json", b"\xff", "JSON"),
        ("application/json", b"[]", "object"),
        ("application/json", b'{"event": null}', "event"),
        ("application/json", b'{"event": {"text": 1}}', "event.text"),
        ("application/json", b'{"event": {"type": "message", "text": "hi"}}', "event.user"),
        ("application/json", b'{"authed_users": "U1"}', "authed_users"),
        ("application/json", b'{"authorizations": [1]}', "authorizations"),
        ("application/x-www-form-urlencoded", b"x=1", "payload"),
        ("application/x-www-form-urlencoded", b"payload=%7B", "payload"),
        ("application/x-www-form-urlencoded", _form([]), "object"),
        ("application/x-www-form-urlencoded", _form({**BUTTON, "channel": None}), "payload.channel"),
        ("application/x-www-form-urlencoded", _form({**BUTTON, "actions": []}), "actions"),
        ("application/x-www-form-urlencoded", _form({**BUTTON, "actions": [{"type": "map"}]}), "unsupported"),
        ("application/x-www-form-urlencoded", _form({**BUTTON, "user": {}}), "user.id"),
        ("application/x-www-form-urlencoded",
         _form({**BUTTON, "actions": [{"type": "select", "selected_options": []}]}), "cannot be read"),
        ("application/x-www-form-urlencoded", _form({**BUTTON, "actions": [{"type": "overflow"}]}), "no value"),
        ("application/x-www-form-urlencoded",
         _form({**BUTTON, "actions": [{"type": "button", "value": 1}]}), "must be a string"),
    ],
)
def test_slack_request_problem(content_type: str, body: bytes, problem: Optional[str]) -> None:
    found = slack_request_problem(content_type, body)
    assert found is None if problem is None else problem in (found or "")


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (None, DEFAULT_ACTION_TIMEOUT_S),
        ({}, DEFAULT_ACTION_TIMEOUT_S),
        ({"timeout": 3}, 3.0),
        ({"timeout": "2.5"}, 2.5),
        ({"timeout": "soon"}, DEFAULT_ACTION_TIMEOUT_S),
        ({"timeout": 0}, DEFAULT_ACTION_TIMEOUT_S),
    ],
)
def test_action_timeout(kwargs: Any, expected: float) -> None:
    assert action_timeout(kwargs) == expected


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(DOMAIN_DIR))


def test_the_nlu_limit_is_the_domain_limit_that_the_reply_quotes(rasa_domain: Domain, responses: Any) -> None:
    (slot,) = [slot for slot in rasa_domain.slots if slot.name == "max_message_chars"]
    (normalizer,) = [component for component in yaml.safe_load((REPO_ROOT / "config.yml").read_text("utf-8"))["pipeline"]
                     if component["name"].endswith("JapaneseTextNormalizer")]
    assert normalizer.get("max_chars") == slot.initial_value == 500
    (variation,) = responses["utter_message_too_long"]
    assert "{max_message_chars}" in variation["text"] and "500" not in variation["text"]


def test_the_apology_is_a_domain_response(responses: Any) -> None:
    (variation,) = responses[UNAVAILABLE_RESPONSE]
    assert "申し訳ありません" in variation["text"] and variation["text"].endswith("か。")
