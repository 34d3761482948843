"""bot.compat: installed only on the Rasa it was written for; the response check behaves as Rasa's."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import compat
from bot.compat import action_validation


@pytest.fixture
def action() -> RemoteAction:
    compat.install()
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


def test_install_is_idempotent_and_the_check_still_sees_rasas_signatures() -> None:
    compat.install()
    compat.install()
    assert RemoteAction._validate_action_result is action_validation._validate_action_result
    assert compat.problems() == []


def test_the_installed_rasa_passes_the_check() -> None:
    assert compat.problems() == []


@pytest.mark.parametrize("version", ["3.5.17", "3.7.0", "4.0.0"])
def test_another_rasa_version_is_named(version: str) -> None:
    (problem,) = compat.problems(version)
    assert f"Rasa {version} is installed" in problem


def test_a_changed_signature_is_named() -> None:
    def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any, extra: Any) -> None:
        """A Rasa method that gained a parameter."""

    (problem,) = compat.problems(signatures=[(run, ("self", "output_channel", "nlg", "tracker", "domain"))])
    assert "extra" in problem and "run" in problem


def test_the_server_refuses_to_start_on_another_rasa(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from bot.stores.tracker_store import ForgettingSQLTrackerStore

    monkeypatch.setattr(compat.rasa, "__version__", "3.7.1")
    with pytest.raises(compat.IncompatibleRasa, match=r"Rasa 3\.7\.1 is installed.*make install"):
        ForgettingSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "t.db"))
