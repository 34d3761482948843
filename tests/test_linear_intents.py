"""The linear intent classifier (bot/components/linear_intents.py): confidences and configuration."""

from __future__ import annotations

from typing import Any, Dict

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear_intents import LinearIntentClassifier, softmax


def test_softmax_turns_a_clear_margin_into_near_certainty_and_a_tie_into_even_odds() -> None:
    confidences = softmax(np.array([[1.0, -1.0, -1.2], [0.3, 0.3, -1.0]]), temperature=0.2)
    assert np.allclose(confidences.sum(axis=1), 1.0)
    assert confidences[0, 0] > 0.99
    assert confidences[1, 0] == pytest.approx(confidences[1, 1]) and confidences[1, 0] < 0.5


def test_softmax_is_stable_for_large_scores() -> None:
    assert np.isfinite(softmax(np.array([[1e4, 0.0]]), temperature=0.01)).all()


def message(vector: Any, intent: str = "") -> Message:
    """A message with sparse sentence features only, as the featurizers would leave it."""
    data = {TEXT: "x", **({INTENT: intent} if intent else {})}
    msg = Message(data=data)
    msg.add_features(Features(scipy.sparse.coo_matrix([vector]), FEATURE_TYPE_SENTENCE, TEXT, "test"))
    return msg


@pytest.fixture
def make_classifier(tmp_path: Any) -> Any:
    def make(config: Dict[str, Any]) -> LinearIntentClassifier:
        storage = LocalModelStorage(tmp_path)
        context = ExecutionContext(graph_schema=None, model_id="m")  # type: ignore[arg-type]
        return LinearIntentClassifier.create({**LinearIntentClassifier.get_default_config(), **config},
                                             storage, Resource("linear"), context)
    return make


def test_trained_classifier_ranks_intents_by_confidence_and_survives_loading(make_classifier: Any, tmp_path: Any) -> None:
    examples = [message([1, 0, 0], "greet"), message([1, 0.1, 0], "greet"),
                message([0, 1, 0], "thank"), message([0, 1, 0.1], "thank"),
                message([0, 0, 1], "goodbye"), message([0.1, 0, 1], "goodbye")]
    classifier = make_classifier({})
    classifier.train(TrainingData(examples))

    [greeting] = classifier.process([message([0.9, 0.1, 0])])
    ranking = greeting.get(INTENT_RANKING_KEY)
    assert greeting.get(INTENT)["name"] == "greet" == ranking[0]["name"]
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)

    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), LocalModelStorage(tmp_path),
                                         Resource("linear"), ExecutionContext(graph_schema=None, model_id="m"))  # type: ignore[arg-type]
    [again] = loaded.process([message([0.9, 0.1, 0])])
    assert again.get(INTENT) == greeting.get(INTENT)


def test_a_message_without_features_gets_no_intent_and_the_others_are_classified(make_classifier: Any) -> None:
    classifier = make_classifier({})
    classifier.train(TrainingData([message([1, 0], "greet"), message([0, 1], "thank")]))
    empty = Message(data={TEXT: ""})  # the featurizers give an empty message no features

    empty, thanks = classifier.process([empty, message([0, 1])])

    assert empty.get(INTENT) == {"name": None, "confidence": 0.0} and empty.get(INTENT_RANKING_KEY) == []
    assert thanks.get(INTENT)["name"] == "thank"


def test_an_untrained_classifier_leaves_messages_alone(make_classifier: Any) -> None:
    [untouched] = make_classifier({}).process([message([1, 0, 0])])
    assert untouched.get(INTENT) is None


@pytest.mark.parametrize("config", [{"C": 0}, {"temperature": -1}])
def test_non_positive_settings_are_refused(make_classifier: Any, config: Dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="positive"):
        make_classifier(config)
