"""Normalises Japanese text before any other NLU component sees it."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.base import ConfiguredComponent
from bot.knowledge.japanese import normalize

logger = logging.getLogger(__name__)

# Message property read by the InputGuard, and by the actions from the parse data.
INPUT_ISSUE = "input_issue"


# Registered as a featurizer because the recipe only runs `process_training_data` of
# tokenizers and featurizers, and a pipeline may hold one tokenizer only.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class JapaneseTextNormalizer(ConfiguredComponent):
    """Applies NFKC and strips HTML, flagging what it found (and over-long text if max_chars is set).

    The one place a message is normalised: the user's original text stays untouched in the
    tracker, and the parse data carries the normalised text (``text``) and the flag
    (``input_issue``), which the actions read instead of normalising again.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {
            # Longer messages (as sent) are cut to this length and flagged; the InputGuard then
            # answers them with `message_too_long`. None: no limit.
            "max_chars": None,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        """Creates the normaliser."""
        self._max_chars = None if config["max_chars"] is None else int(config["max_chars"])

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> JapaneseTextNormalizer:
        """Creates the normaliser: it loads nothing."""
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalises training examples the same way as incoming messages."""
        for example in training_data.training_examples:
            text: Optional[str] = example.get(TEXT)
            if not text:
                continue
            normalized = normalize(text).text
            # Annotated character offsets would point at the wrong characters.
            if example.get(ENTITIES) and len(normalized) != len(text):
                logger.debug("Kept un-normalised training example with entities: %s", text)
                continue
            example.set(TEXT, normalized)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalises incoming messages and records why one cannot be understood."""
        for message in messages:
            normalized = normalize(message.get(TEXT), self._max_chars)
            message.set(TEXT, normalized.text)
            message.set(INPUT_ISSUE, normalized.issue, add_to_output=True)
        return messages
