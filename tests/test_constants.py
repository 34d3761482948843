"""The constants both servers share (bot/knowledge/constants.py) are the names the domain uses."""

from __future__ import annotations

from typing import Any, Dict

from bot.knowledge import constants


def test_the_forget_action_is_a_domain_action(domain: Dict[str, Any]) -> None:
    assert constants.FORGET_ACTION in domain["actions"]


def test_the_guard_intents_are_domain_intents_with_rules(domain: Dict[str, Any]) -> None:
    for intent in (constants.EMPTY_MESSAGE_INTENT, constants.SYMBOLS_ONLY_INTENT, constants.TOO_LONG_INTENT):
        assert intent in domain["intents"], intent


def test_no_question_offers_more_buttons_than_slack_shows(domain: Dict[str, Any]) -> None:
    for name, variations in domain["responses"].items():
        for variation in variations:
            assert len(variation.get("buttons") or []) <= constants.MAX_BUTTONS, name
