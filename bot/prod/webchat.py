"""The web chat for several Sanic workers and instances: socket.io over WebSocket only.

socket.io's long-polling sends each poll as its own HTTP request, and the session lives in the
memory of the process that opened it. The Sanic workers of one Rasa instance share one port, so
nginx cannot keep a client's polls on one worker. A WebSocket is one connection, hence one worker.
"""

from __future__ import annotations

from bot.web.channel import WebChatInput


class WebSocketWebChatInput(WebChatInput):
    """The web chat (same routes, same channel name) with the widget and the server on WebSocket only."""

    websocket_only = True
