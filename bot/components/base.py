"""What the bot's own NLU components share: they are built from their config alone."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class ConfiguredComponent(GraphComponent):
    """A component with nothing trained or stored in the model: it is built from its config alone.

    Rasa's `create` also hands over the model storage, the component's resource and the
    execution context, which only components that persist something use. Subclasses say in
    `from_config` how they are built, loading what the config names (a spaCy model, the
    knowledge files).
    """

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ConfiguredComponent:
        """Creates the component from its config (see GraphComponent for full docstring)."""
        return cls.from_config(config)

    @classmethod
    @abstractmethod
    def from_config(cls, config: Dict[Text, Any]) -> ConfiguredComponent:
        """Builds the component; Rasa has merged the config with `get_default_config`."""
