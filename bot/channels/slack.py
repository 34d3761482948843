"""Rasa's Slack channel with a configurable Slack Web API base URL.

Registered in credentials as ``bot.channels.slack.ConfigurableSlackInput`` with the keys
``slack_token``, ``slack_signing_secret``, ``slack_channel`` (optional) and ``slack_api_url``
(optional, default ``https://slack.com/api/``; ``https://slack-gov.com/api/`` for GovSlack,
a local fake in the end-to-end tests). Requests are checked before Rasa reads them: an
unsigned one gets a 401, a malformed one a 400 with a short reason (Rasa's channel answers
a 500 to many). Every other key of Rasa's ``slack`` channel
(``use_threads``, ``conversation_granularity``, ``proxy``, ``errors_ignore_retry``, …) works
unchanged. The webhook stays ``/webhooks/slack/webhook``: ``name()`` is inherited ("slack").
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.rest import bad_request, parse_json_body

# Rasa's SlackBot sends no buttons at all when a message has more than five.
from bot.knowledge.constants import MAX_BUTTONS

logger = logging.getLogger(__name__)

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# Slack retries an event for up to about an hour; an event id is remembered that long.
RETRY_WINDOW_SECONDS = 3600.0
# Without a lock store that can claim (Rasa's in-memory one: a single process), this many
# recent event ids are remembered in the process.
REMEMBERED_EVENTS = 10_000


class ConfigurableSlackBot(SlackBot):
    """Rasa's Slack output channel, posting to a configurable Web API base URL."""

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
        api_url: Text = DEFAULT_SLACK_API_URL,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        """Sends the text with at most five buttons; extra buttons are dropped with a warning."""
        if len(buttons) > MAX_BUTTONS:
            logger.warning(
                "Slack message has %d buttons; only the first %d are sent: %s",
                len(buttons), MAX_BUTTONS, text[:80],
            )
            buttons = buttons[:MAX_BUTTONS]
        await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)


class ConfigurableSlackInput(SlackInput):
    """Rasa's Slack input channel plus the ``slack_api_url`` credentials key."""

    slack_api_url: Text = DEFAULT_SLACK_API_URL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Reads Rasa's Slack keys, then ``slack_api_url`` (empty means Slack's own API).

        Rasa refuses a missing signing secret; a missing bot token is refused here.
        """
        if not (credentials or {}).get("slack_token"):
            raise InvalidConfigException(
                "The Slack channel needs a bot token: set `slack_token` (SLACK_TOKEN, xoxb-…)."
            )
        channel = super().from_credentials(credentials)
        if isinstance(channel, ConfigurableSlackInput):
            channel.slack_api_url = (credentials or {}).get("slack_api_url") or DEFAULT_SLACK_API_URL
        return channel

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: Text,
        sender_id: Optional[Text],
        metadata: Optional[Dict],
    ) -> Any:
        """Answers each Slack event once: Rasa itself drops only retries with an ignored reason."""
        event_id = _event_id(request)
        if event_id is not None and not self._first_delivery(request, event_id):
            logger.info("Slack re-sent event %s; it was already handled.", event_id)
            return response.text("", status=HTTPStatus.CREATED, headers={"X-Slack-No-Retry": "1"})
        return await super().process_message(request, on_new_message, text, sender_id, metadata)

    def _first_delivery(self, request: Request, event_id: Text) -> bool:
        """Whether no worker or instance has taken this event yet; takes it.

        A retry can reach another Sanic worker or Rasa instance than the first delivery did, so
        the event is claimed in the lock store they share (``bot.stores.lock_store``).
        """
        lock_store = getattr(getattr(request.app.ctx, "agent", None), "lock_store", None)
        claim = getattr(lock_store, "claim", None)
        if callable(claim):
            return bool(claim(f"slack-event:{event_id}", RETRY_WINDOW_SECONDS))
        seen = self.__dict__.setdefault("_seen_events", OrderedDict())
        if event_id in seen:
            return False
        seen[event_id] = None
        if len(seen) > REMEMBERED_EVENTS:
            seen.popitem(last=False)
        return True

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's Slack routes, behind a check of the signature and the body's shape."""
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def check_request(request: Request) -> Optional[HTTPResponse]:
            if not request.path.rstrip("/").endswith("/webhook"):
                return None
            if not self.is_request_from_slack_authentic(request):
                return bad_request("missing or invalid Slack signature", HTTPStatus.UNAUTHORIZED)
            problem = slack_request_problem(request.headers.get("content-type"), request.body)
            return bad_request(problem) if problem else None

        return blueprint

    def get_output_channel(
        self, channel: Optional[Text] = None, thread_id: Optional[Text] = None
    ) -> OutputChannel:
        """The Slack output channel for replies, using the configured API base URL."""
        return ConfigurableSlackBot(
            self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.slack_api_url
        )


def _event_id(request: Request) -> Optional[str]:
    """The Events API's ``event_id``; interactive (form-encoded) payloads have none."""
    if "json" not in (request.content_type or ""):
        return None
    try:
        body = request.json
    except Exception:  # sanic raises on a body that is not JSON
        return None
    event_id = body.get("event_id") if isinstance(body, dict) else None
    return event_id if isinstance(event_id, str) and event_id else None


def _optional(value: Any, kind: type) -> bool:
    return value is None or isinstance(value, kind)


def slack_request_problem(content_type: Optional[str], body: bytes) -> Optional[str]:
    """Why Rasa's Slack channel could not handle a signed request, or None if it can.

    Follows the branches of ``SlackInput.blueprint``: a JSON event, a form-encoded
    interactive payload, or anything else (acknowledged and ignored).
    """
    if content_type == "application/json":
        try:
            event_body = parse_json_body(body)
        except ValueError:
            return "the body must be JSON (UTF-8)"
        return _event_problem(event_body)
    if content_type == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body.decode("utf-8"))
            payload = json.loads(form["payload"][0])
        except (UnicodeDecodeError, KeyError, IndexError, ValueError):
            return "a form-encoded request needs a 'payload' field holding JSON"
        return _payload_problem(payload)
    return None


def _event_problem(body: Any) -> Optional[str]:
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    event = body.get("event", {})
    if not isinstance(event, dict):
        return "'event' must be an object"
    for key in ("text", "user", "channel", "type", "channel_type"):
        if not _optional(event.get(key), str):
            return f"'event.{key}' must be a string"
    users = body.get("authed_users", [])
    if not isinstance(users, list) or not all(isinstance(user, str) for user in users):
        return "'authed_users' must be a list of strings"
    authorizations = body.get("authorizations", [])
    if not isinstance(authorizations, list) or not all(isinstance(a, dict) for a in authorizations):
        return "'authorizations' must be a list of objects"
    if SlackInput._is_user_message(body) and not event.get("user"):
        return "a message event needs 'event.user'"
    return None


def _payload_problem(payload: Any) -> Optional[str]:
    if not isinstance(payload, dict):
        return "'payload' must be a JSON object"
    for key in ("message", "user", "channel"):
        if key in payload and not isinstance(payload[key], dict):
            return f"'payload.{key}' must be an object"
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return "'payload.actions' must be a non-empty list of objects"
    if not SlackInput._is_interactive_message(payload):
        return "unsupported interactive component"
    user_id = (payload.get("user") or {}).get("id")
    if not isinstance(user_id, str) or not user_id:
        return "'payload.user.id' must be a non-empty string"
    try:
        text = SlackInput._get_interactive_response(actions[0])
    except (AttributeError, IndexError, KeyError, TypeError):
        return "the action's value cannot be read"
    if text is None and actions[0].get("type") != "button":
        return "the action has no value"
    if not _optional(text, str):
        return "the action's value must be a string"
    return None
