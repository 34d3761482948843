"""Rasa's REST channel, refusing malformed requests with a 400 and a short reason.

Registered in credentials as ``bot.channels.rest.CheckedRestInput``; the webhook stays
``POST /webhooks/rest/webhook`` (``name()`` is inherited: "rest"). Rasa's own channel
answers a JSON array or a non-string message with a 500, and a missing sender with a reply
to the shared conversation "default". Its blueprint also caps the request body size of the
whole server (1 MiB unless ``SANIC_REQUEST_MAX_SIZE`` says otherwise; Sanic's default is
100 MB), since Rasa offers no setting for it.
"""

from __future__ import annotations

import json
import os
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

# Largest request body the Rasa server reads (every route). A Slack event or button payload is
# a few kB; a message longer than the domain's limit is refused politely by the NLU anyway.
DEFAULT_REQUEST_MAX_SIZE = 1024 * 1024
REQUEST_MAX_SIZE_ENV = "SANIC_REQUEST_MAX_SIZE"
# Conversation ids are stored with every event; nothing legitimate is longer.
MAX_SENDER_CHARS = 256


def rest_body_problem(body: Any) -> Optional[str]:
    """Why a parsed REST request body cannot be handled, or None if it can."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return "'sender' must be a non-empty string"
    if len(sender) > MAX_SENDER_CHARS:
        return f"'sender' must be at most {MAX_SENDER_CHARS} characters"
    if not isinstance(body.get("message"), str):
        return "'message' must be a string"
    if not isinstance(body.get("metadata", {}), (dict, type(None))):
        return "'metadata' must be an object"
    if not isinstance(body.get("input_channel", ""), (str, type(None))):
        return "'input_channel' must be a string"
    return None


def parse_json_body(raw: bytes) -> Any:
    """The JSON value of a request body; ValueError if it is not UTF-8 JSON."""
    return json.loads(raw.decode("utf-8"))


def configure_request_size(app: Sanic) -> None:
    """Caps request bodies at 1 MiB unless SANIC_REQUEST_MAX_SIZE chose a size."""
    if REQUEST_MAX_SIZE_ENV not in os.environ:
        app.config.REQUEST_MAX_SIZE = DEFAULT_REQUEST_MAX_SIZE


def bad_request(reason: str, status: int = HTTPStatus.BAD_REQUEST) -> HTTPResponse:
    """A short JSON error, the same shape on every channel."""
    return response.json({"error": reason}, status=status)


class CheckedRestInput(RestInput):
    """Rasa's REST input channel with the request body checked before Rasa reads it."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Rasa's REST routes, behind a check of the webhook's body."""
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def check_body(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            try:
                body = parse_json_body(request.body)
            except ValueError:
                return bad_request("the body must be JSON (UTF-8)")
            problem = rest_body_problem(body)
            return bad_request(problem) if problem else None

        @blueprint.listener("before_server_start")
        async def limit_request_size(app: Sanic, _: Any) -> None:
            configure_request_size(app)

        return blueprint
