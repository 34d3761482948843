"""The web chat's text escaping: the widget renders Markdown, our bot sends plain text."""

from __future__ import annotations

import pytest

from bot.web.channel import escape_markdown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. 営業（フロントオフィス）", "1\\. 営業（フロントオフィス）"),
        ("・経理\n・人事", "・経理\n・人事"),
        ("[x](javascript:alert(1))", "\\[x\\]\\(javascript:alert\\(1\\)\\)"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert\\(1\\)\\>"),
        ("**太字** と _斜体_", "\\*\\*太字\\*\\* と \\_斜体\\_"),
        ("経理って何？", "経理って何？"),
    ],
    ids=["numbered-line", "bullets", "link", "html", "emphasis", "plain"],
)
def test_escape_markdown(text: str, expected: str) -> None:
    assert escape_markdown(text) == expected
