"""Recognises role and office names from the knowledge base's aliases."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.components.base import ConfiguredComponent
from bot.knowledge.base import load_knowledge
from bot.knowledge.japanese import AliasMatcher, sudachi_analyzer


# Not trainable: aliases are read from the knowledge files when the model is loaded,
# so the NLU and the action server always agree on the names.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class KnowledgeEntityExtractor(ConfiguredComponent, EntityExtractorMixin):
    """Extracts `job` and `office` entities whose values are knowledge-base ids."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {
            # Directory with roles.yml and offices.yml; None means the KNOWLEDGE_DIR
            # environment variable, else data/knowledge/ of this repository.
            "knowledge_dir": None,
            # Kana spellings are matched against readings of kanji names (けいり→経理)
            # only from this length on, so that short readings do not fire inside words.
            "min_reading_length": 3,
        }

    def __init__(self, config: Dict[Text, Any], matcher: AliasMatcher) -> None:
        """Creates the extractor around a ready matcher."""
        self.component_config = config
        self._matcher = matcher

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> KnowledgeEntityExtractor:
        """Loads the aliases and SudachiPy."""
        directory = config.get("knowledge_dir")
        knowledge = load_knowledge(Path(directory) if directory else None)
        matcher = AliasMatcher(
            knowledge.aliases(), sudachi_analyzer(), int(config["min_reading_length"])
        )
        return cls(config, matcher)

    @staticmethod
    def required_packages() -> List[Text]:
        """SudachiPy and its core dictionary compute normalised forms and readings."""
        return ["sudachipy", "sudachidict_core"]

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the role and office names found in each message."""
        for message in messages:
            found = [
                {
                    ENTITY_ATTRIBUTE_TYPE: match.entity,
                    ENTITY_ATTRIBUTE_VALUE: match.value,
                    ENTITY_ATTRIBUTE_START: match.start,
                    ENTITY_ATTRIBUTE_END: match.end,
                    TEXT: match.text,
                }
                for match in self._matcher.find(message.get(TEXT) or "")
            ]
            entities = message.get(ENTITIES, []) + self.add_extractor_name(found)
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
