"""SpacyNLP that loads only the parts of a spaCy model the pipeline uses.

Rasa's SpacyNLP runs every pipe of the model except the parser. The bot uses the tokens, their
lemmas, tags and word vectors, which GiNZA's SudachiPy tokenizer and the vocabulary provide;
the tagger, NER and bunsetu pipes add 13-19 ms per message and change none of them (a third of
the utterances is checked in tests/test_spacy_nlp.py, all of them were).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils import spacy_utils
from rasa.shared.exceptions import InvalidConfigException

from bot.components.base import ConfiguredComponent

logger = logging.getLogger(__name__)

# Rasa's graph builds SpacyNLP twice, once to provide the model to the tokenizer and featurizer
# and once to process messages: without this, ja_ginza (270 MB) would be loaded twice.
_LOADED: Dict[Tuple[Text, Tuple[Text, ...]], spacy_utils.SpacyModel] = {}


# The class keeps Rasa's name on purpose: the recipe hands the loaded model to SpacyTokenizer
# and SpacyFeaturizer by looking for a node whose class is called "SpacyNLP".
@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(ConfiguredComponent, spacy_utils.SpacyNLP):
    """Rasa's SpacyNLP, with the model's unused pipes left out."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's defaults, plus the pipes not to load."""
        return {
            **spacy_utils.SpacyNLP.get_default_config(),
            # Pipes of the spaCy model that are not loaded. The default suits ja_ginza:
            # every pipe goes, the SudachiPy tokenizer and the word vectors stay.
            "exclude": [
                "tok2vec",
                "parser",
                "ner",
                "morphologizer",
                "compound_splitter",
                "bunsetu_recognizer",
                # Disabled in ja_ginza already; excluded so it is not even loaded.
                "attribute_ruler",
            ],
        }

    @staticmethod
    def load_lean_model(spacy_model_name: Text, exclude: List[Text]) -> spacy_utils.SpacyModel:
        """Load the model without the excluded pipes (once per process), with Rasa's checks."""
        key = (spacy_model_name, tuple(sorted(exclude)))
        if key not in _LOADED:
            _LOADED[key] = SpacyNLP._load(spacy_model_name, exclude)
        return _LOADED[key]

    @staticmethod
    def _load(spacy_model_name: Text, exclude: List[Text]) -> spacy_utils.SpacyModel:
        import spacy

        try:
            language = spacy.load(spacy_model_name, exclude=list(exclude))
        except (OSError, ValueError):
            # Rasa's loader raises its own error, with how to install the model.
            return spacy_utils.SpacyNLP.load_model(spacy_model_name)
        meta = spacy.info(spacy_model_name)
        pipes = list(meta.get("components", [])) if isinstance(meta, dict) else []
        unknown = sorted(set(exclude) - set(pipes))
        if unknown:
            raise InvalidConfigException(
                f"SpacyNLP: the spaCy model '{spacy_model_name}' has no pipes named {unknown}; "
                f"its pipes are {pipes}. Fix `exclude` in config.yml."
            )
        return spacy_utils.SpacyModel(model=language, model_name=spacy_model_name)

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> SpacyNLP:
        """Loads the lean model, with Rasa's check that it suits the pipeline."""
        full_config = {**cls.get_default_config(), **config}
        logger.info(f"Loading spaCy model '{full_config['model']}' without {full_config['exclude']}.")
        model = cls.load_lean_model(full_config["model"], full_config["exclude"])
        cls.ensure_proper_language_model(model.model)
        return cls(model, full_config)
