"""Rasa's Slack channel with a configurable Slack Web API base URL.

Registered in credentials as ``bot.channels.slack.ConfigurableSlackInput`` with the keys
``slack_token``, ``slack_signing_secret``, ``slack_channel`` (optional) and ``slack_api_url``
(optional, default ``https://slack.com/api/``; ``https://slack-gov.com/api/`` for GovSlack,
a local fake in the end-to-end tests). Every other key of Rasa's ``slack`` channel
(``use_threads``, ``conversation_granularity``, ``proxy``, ``errors_ignore_retry``, …) works
unchanged. The webhook stays ``/webhooks/slack/webhook``: ``name()`` is inherited ("slack").
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.shared.exceptions import InvalidConfigException
from sanic import response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# Rasa's SlackBot sends no buttons at all when a message has more than five.
MAX_BUTTONS = 5
# Slack retries an event for up to about an hour; this many recent event ids are remembered.
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
        """Reads Rasa's Slack keys, then ``slack_api_url`` (empty means Slack's own API)."""
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
        if event_id is not None:
            seen = self.__dict__.setdefault("_seen_events", OrderedDict())
            if event_id in seen:
                logger.info("Slack re-sent event %s; it was already handled.", event_id)
                return response.text("", status=HTTPStatus.CREATED, headers={"X-Slack-No-Retry": "1"})
            seen[event_id] = None
            if len(seen) > REMEMBERED_EVENTS:
                seen.popitem(last=False)
        return await super().process_message(request, on_new_message, text, sender_id, metadata)

    def _validate_credentials(self) -> None:
        """Refuses to start without a signing secret (Rasa's check) or a bot token."""
        super()._validate_credentials()
        if not self.slack_token:
            raise InvalidConfigException(
                "The Slack channel needs a bot token: set `slack_token` (SLACK_TOKEN, xoxb-…)."
            )

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
