"""Size limits applied before NLU: the message length and the HTTP request body.

The message limit is the ``max_message_chars`` slot's ``initial_value`` in
``bot/domain/limits.yml``, the one place it is written: the guard reads it from the domain
and ``utter_message_too_long`` quotes it. A longer message is not parsed at all: it is
recorded in the tracker as sent, with the intent ``message_too_long``, and the dialogue
answers it politely like any other turn. Rasa 3.6 has no hook before NLU, so ``install()``
wraps ``MessageProcessor.parse_message``; it runs when the Rasa server imports ``bot``.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from sanic import Sanic

logger = logging.getLogger(__name__)

MAX_CHARS_SLOT = "max_message_chars"
TOO_LONG_INTENT = "message_too_long"
# Largest request body the Rasa server reads (every route); Sanic's default is 100 MB.
# A Slack event or button payload is a few kB. Override with SANIC_REQUEST_MAX_SIZE.
DEFAULT_REQUEST_MAX_SIZE = 1024 * 1024
REQUEST_MAX_SIZE_ENV = "SANIC_REQUEST_MAX_SIZE"

_MARK = "_office_guide_limits"


def max_message_chars(domain: Domain) -> Optional[int]:
    """The message length limit from the domain's ``max_message_chars`` slot, if it has one."""
    for slot in domain.slots:
        if slot.name == MAX_CHARS_SLOT:
            try:
                return int(slot.initial_value)
            except (TypeError, ValueError):
                return None
    return None


def too_long_parse_data(text: str) -> Dict[str, Any]:
    """What NLU would have said about a message too long to parse: only the intent."""
    intent = {INTENT_NAME_KEY: TOO_LONG_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
    return {TEXT: text, INTENT: intent, INTENT_RANKING_KEY: [intent], ENTITIES: []}


def is_too_long(text: Any, limit: Optional[int]) -> bool:
    """Whether a message's text is over the limit (no limit: never)."""
    return limit is not None and isinstance(text, str) and len(text) > limit


def configure_request_size(app: Sanic) -> None:
    """Caps request bodies at 1 MiB unless SANIC_REQUEST_MAX_SIZE chose a size."""
    if REQUEST_MAX_SIZE_ENV not in os.environ:
        app.config.REQUEST_MAX_SIZE = DEFAULT_REQUEST_MAX_SIZE


def install() -> None:
    """Wraps Rasa's message parsing once per process, so over-long text never reaches NLU."""
    parse_message = MessageProcessor.parse_message
    if hasattr(parse_message, _MARK):
        return

    async def parse_unless_too_long(
        self: MessageProcessor, message: UserMessage, *args: Any, **kwargs: Any
    ) -> Dict[str, Any]:
        limit = max_message_chars(self.domain)
        if limit is None:
            logger.warning("The domain has no `%s` slot: messages are not length-checked.", MAX_CHARS_SLOT)
        elif is_too_long(message.text, limit):
            logger.info("Message of %d characters (limit %d) not parsed.", len(message.text), limit)
            return too_long_parse_data(message.text)
        return await parse_message(self, message, *args, **kwargs)

    setattr(parse_unless_too_long, _MARK, True)
    MessageProcessor.parse_message = parse_unless_too_long
