"""The patched check of action server responses accepts and rejects what Rasa's own does."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_patches


@pytest.fixture
def action() -> RemoteAction:
    rasa_patches.apply()
    return RemoteAction("action_answer_question", EndpointConfig("http://127.0.0.1:1/webhook"))


@pytest.mark.parametrize("response", [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "topic", "value": "sales"}], "responses": [{"response": "utter_greet"}]},
])
def test_valid_response_passes(action: RemoteAction, response: Dict[str, Any]) -> None:
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize("response", [
    {"events": [{"name": "topic"}]},  # an event without its type
    {"events": "not a list"},
])
def test_invalid_response_raises_rasas_error(action: RemoteAction, response: Dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(response)


def test_patch_is_installed_once() -> None:
    rasa_patches.apply()
    rasa_patches.apply()
    assert RemoteAction._validate_action_result is rasa_patches._validate_action_result
