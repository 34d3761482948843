"""Adapts the installed rasa-webchat bundle once, when ``make web`` installs it.

``python -m bot.web.build`` writes ``bot/web/dist/`` (git-ignored): the widget bundle without
its Google Fonts import (the page loads nothing from elsewhere), and a second copy whose
socket.io client connects over WebSocket straight away (``bot/web/channel.py (WebSocketWebChatInput)`` says why).
The widget offers no option for either, so its bundle is edited; a bundle in which the text to
edit is not found (an upgraded widget) stops the installation with a message, never a server.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
WIDGET_BUNDLE = WEB_DIR / "node_modules" / "rasa-webchat" / "lib" / "index.js"
DIST_DIR = WEB_DIR / "dist"
# What the page serves: the bundle for the default channel and for WebSocket only.
BUNDLES = {False: "webchat.js", True: "webchat-websocket.js"}

# The widget's CSS imports the Inter font from Google.
_FONT_IMPORT = re.compile(r"@import url\(https://fonts\.googleapis\.com/[^)]*\);")
# socket.io-client's default transports in the widget bundle: long-polling first, then an upgrade.
_DEFAULT_TRANSPORTS = 'this.transports=t.transports||["polling","websocket"]'
_WEBSOCKET_ONLY = 'this.transports=t.transports||["websocket"]'


class BundleChanged(RuntimeError):
    """The installed widget no longer contains what this build edits."""


def adapt_bundle(bundle: str, websocket_only: bool) -> str:
    """The bundle without the font import, and with WebSocket as the only transport if asked."""
    bundle = _FONT_IMPORT.sub("", bundle)
    if websocket_only:
        if _DEFAULT_TRANSPORTS not in bundle:
            raise BundleChanged("socket.io's default transports were not found in the widget bundle")
        bundle = bundle.replace(_DEFAULT_TRANSPORTS, _WEBSOCKET_ONLY)
    return bundle


def build(source: Path = WIDGET_BUNDLE, target: Path = DIST_DIR) -> None:
    """Writes both adapted bundles under ``target``."""
    bundle = source.read_text(encoding="utf-8")
    target.mkdir(parents=True, exist_ok=True)
    for websocket_only, name in BUNDLES.items():
        (target / name).write_text(adapt_bundle(bundle, websocket_only), encoding="utf-8")


def main() -> int:
    """Builds ``bot/web/dist/``; a clear message and exit 1 if the widget is missing or changed."""
    try:
        build()
    except FileNotFoundError:
        print(f"{WIDGET_BUNDLE} is missing: run `npm ci` in {WEB_DIR} (make web).", file=sys.stderr)
        return 1
    except BundleChanged as error:
        print(f"{WIDGET_BUNDLE}: {error}; was rasa-webchat upgraded? Update bot/web/build.py.", file=sys.stderr)
        return 1
    print(f"Web chat widget adapted: {DIST_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
