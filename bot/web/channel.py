"""The web chat: Rasa's socket.io channel plus the page and the rasa-webchat widget, on Rasa's own server.

Enable it in the credentials file (the page and socket.io then share one origin, so no
``--cors`` is needed)::

    bot.web.channel.WebChatInput:
      session_persistence: true
      metadata_key: customData

A browser opening ``GET /`` gets the chat page (``Accept: text/html``); other clients keep
Rasa's ``Hello from Rasa`` answer there. The page loads its script, its style sheet and the
widget from ``/webhooks/webchat/assets/``; ``/webhooks/webchat/`` answers ``{"status": "ok"}``.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, NamedTuple, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.web.build import BUNDLES, DIST_DIR, WEB_DIR

logger = logging.getLogger(__name__)

STATIC_DIR = WEB_DIR / "static"
# rasa-webchat renders bot text as Markdown (react-markdown 4, GFM escapes); escaped, it shows as written.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!>~|])")

# Everything the page loads comes from this server; the widget needs inline <style> elements.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def escape_markdown(text: Text) -> Text:
    """Escapes ``text`` so that rasa-webchat's Markdown renderer shows it literally.

    Backslash escapes cover Markdown syntax (lists, emphasis, links); ``&`` and ``<`` become
    entities, which the renderer decodes back. Newlines are kept; the page's CSS shows them.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


class Asset(NamedTuple):
    """A file the page loads, kept in memory with its gzip form and an ETag."""

    body: bytes
    gzipped: bytes
    content_type: str
    etag: str

    @classmethod
    def of(cls, body: bytes, content_type: str) -> Asset:
        """Wraps ``body``, compressing it once."""
        return cls(body, gzip.compress(body, 6), content_type, f'"{hashlib.sha256(body).hexdigest()[:20]}"')

    def serve(self, request: Request) -> HTTPResponse:
        """Answers 304 when the browser has this version, else the (gzipped if accepted) body."""
        headers = {"ETag": self.etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        if request.headers.get("if-none-match") == self.etag:
            return response.empty(status=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
            return response.raw(self.gzipped, content_type=self.content_type, headers=headers)
        return response.raw(self.body, content_type=self.content_type, headers=headers)


def load_assets(websocket_only: bool = False) -> Dict[str, Asset]:
    """Reads the page's script, style sheet and icon, and the widget as ``make web`` adapted it.

    With ``websocket_only`` the widget connects over WebSocket straight away (no long-polling).
    """
    assets = {
        "page.js": Asset.of((STATIC_DIR / "page.js").read_bytes(), "text/javascript; charset=utf-8"),
        "page.css": Asset.of((STATIC_DIR / "page.css").read_bytes(), "text/css; charset=utf-8"),
        "icon.svg": Asset.of((STATIC_DIR / "icon.svg").read_bytes(), "image/svg+xml"),
    }
    bundle = DIST_DIR / BUNDLES[websocket_only]
    if bundle.is_file():
        assets["webchat.js"] = Asset.of(bundle.read_bytes(), "text/javascript; charset=utf-8")
    else:
        logger.error(f"{bundle} is missing: run `make web`. The chat page cannot load the widget.")
    return assets


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output, with bot text escaped so that the widget shows it as plain text."""

    @classmethod
    def name(cls) -> Text:
        """The channel's name, as stored in the tracker."""
        return WebChatInput.name()

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        """Sends each paragraph of ``text`` as a message."""
        await super().send_text_message(recipient_id, escape_markdown(text), **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        """Sends ``text`` with the buttons as quick replies (their titles are shown as text already)."""
        await super().send_text_with_buttons(recipient_id, escape_markdown(text), buttons, **kwargs)


class WebChatBlueprint(SocketBlueprint):
    """Attaches socket.io, the assets and the health route, and serves the page at ``/`` to browsers."""

    def __init__(self, sio: Any, socketio_path: Text, page: bytes) -> None:
        super().__init__(sio, socketio_path, "webchat_webhook", __name__)
        self.ctx.page = page
        self.ctx.socketio_path = socketio_path

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        """Registers the blueprint and the middleware that answers ``GET /`` with the page."""
        page: bytes = self.ctx.page
        socketio_path = self.ctx.socketio_path.rstrip("/")

        async def serve_page(request: Request) -> Optional[HTTPResponse]:
            # Rasa owns the "/" route (its health check); browsers asking for HTML get the chat instead.
            if request.method == "GET" and request.path == "/" and "text/html" in request.headers.get("accept", ""):
                return response.raw(page, content_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)
            # python-engineio 4.8 answers a polling POST without a session id with a 500 (TypeError).
            if request.method == "POST" and request.path.rstrip("/") == socketio_path and "sid" not in request.args:
                return response.json({"error": "a socket.io POST needs a session id ('sid')"}, status=400)
            return None

        app.register_middleware(serve_page, "request")
        super().register(app, options)


class WebChatInput(SocketIOInput):
    """Rasa's socket.io channel for the rasa-webchat widget, serving the widget's page too."""

    # Long-polling needs every request of a session on one process; see WebSocketWebChatInput.
    websocket_only = False

    @classmethod
    def name(cls) -> Text:
        """The channel's name: its routes are under ``/webhooks/webchat/``."""
        return "webchat"

    def get_output_channel(self) -> Optional[OutputChannel]:
        """The output channel for messages sent outside a conversation turn (e.g. reminders)."""
        return WebChatOutput(self.sio, self.bot_message_evt) if self.sio is not None else super().get_output_channel()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's socket.io handlers with the escaping output, plus the page and its assets."""

        async def handle(message: UserMessage) -> Any:
            message.output_channel = WebChatOutput(self.sio, self.bot_message_evt)
            return await on_new_message(message)

        # The parent builds the socket.io server and its event handlers; its blueprint is not used.
        sio = super().blueprint(handle).ctx.sio
        if self.websocket_only:
            sio.eio.transports = ["websocket"]
        template = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        page = template.replace("{{socketio_path}}", html.escape(self.socketio_path or "/socket.io", quote=True))
        webchat = WebChatBlueprint(sio, self.socketio_path or "/socket.io", page.encode("utf-8"))
        assets = load_assets(self.websocket_only)

        @webchat.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webchat.route("/assets/<name>", methods=["GET"])
        async def asset(request: Request, name: str) -> HTTPResponse:
            if name not in assets:
                return response.text("not found", status=404)
            return assets[name].serve(request)

        return webchat


class WebSocketWebChatInput(WebChatInput):
    """The web chat (same routes, same channel name) with the widget and the server on WebSocket only.

    socket.io's long-polling sends each poll as its own HTTP request, and the session lives in the
    memory of the process that opened it. The Sanic workers of one Rasa instance share one port,
    so neither they nor nginx can keep a client's polls on one process; a WebSocket is one
    connection, hence one process. Both profiles use it.
    """

    websocket_only = True
