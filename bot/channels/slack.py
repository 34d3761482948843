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
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.shared.exceptions import InvalidConfigException
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# Rasa's SlackBot sends no buttons at all when a message has more than five.
MAX_BUTTONS = 5


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
