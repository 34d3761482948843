"""Turns messages that cannot be understood into intents the dialogue answers politely."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from bot.components.base import ConfiguredComponent
from bot.components.normalizer import INPUT_ISSUE
from bot.knowledge.constants import EMPTY_MESSAGE_INTENT, SYMBOLS_ONLY_INTENT, TOO_LONG_INTENT
from bot.knowledge.japanese import ISSUE_EMPTY, ISSUE_NO_WORDS, ISSUE_TOO_LONG


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class InputGuard(ConfiguredComponent):
    """Overrides the classifiers for empty, symbol-only and over-long messages.

    Place it last in the pipeline, after the FallbackClassifier, and after the
    JapaneseTextNormalizer that detects these cases.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {
            # Intent predicted for each kind of unusable input.
            "intents": {
                ISSUE_EMPTY: EMPTY_MESSAGE_INTENT,
                ISSUE_NO_WORDS: SYMBOLS_ONLY_INTENT,
                ISSUE_TOO_LONG: TOO_LONG_INTENT,
            },
            # Intents whose messages carry no useful entities (ホテルのフロント, お会計).
            "drop_entities_for": ["out_of_scope"],
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        """Creates the guard."""
        self._intents: Dict[str, str] = dict(config["intents"])
        self._drop_entities_for = set(config["drop_entities_for"])

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> InputGuard:
        """Creates the guard: it loads nothing."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Replaces intent and entities where the input cannot be understood."""
        for message in messages:
            issue = message.get(INPUT_ISSUE)
            intent = self._intents.get(issue) if issue else None
            if intent:
                guarded = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, guarded, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [guarded], add_to_output=True)
                message.set(ENTITIES, [], add_to_output=True)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) in self._drop_entities_for:
                message.set(ENTITIES, [], add_to_output=True)
        return messages
