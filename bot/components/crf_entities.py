"""CRFEntityExtractor that stores its trained model instead of training it again at every start.

Rasa 3.6 stopped pickling CRFs: its CRFEntityExtractor stores the training data and trains
the CRF again each time a model is loaded. Here that took 5 s of start-up and pushed the Rasa
server's peak memory about 300 MB above its steady size. This subclass also stores each
trained CRF in CRFsuite's own binary format (a file of weights and labels, read by CRFsuite's C
code: loading it runs no Python, unlike a pickle) and loads that. A model without those files,
such as one trained by Rasa's class, is loaded the way Rasa does it.
"""

from __future__ import annotations

import logging
import shutil
from collections import OrderedDict
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors import crf_entity_extractor
from rasa.nlu.extractors.crf_entity_extractor import CRFToken
from rasa.shared.exceptions import RasaException
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file

logger = logging.getLogger(__name__)

ORDER_FILE = "crf_order.json"
MODEL_SUFFIX = ".crfsuite"


# Rasa's class name on purpose: entities keep `"extractor": "CRFEntityExtractor"`, and
# evaluation reports keep their file names.
@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class CRFEntityExtractor(crf_entity_extractor.CRFEntityExtractor):
    """Rasa's CRFEntityExtractor, persisted as trained CRFsuite models."""

    def persist(self, dataset: List[List[CRFToken]]) -> None:
        """Store each trained CRF's model file and the order they run in."""
        with self._model_storage.write_to(self._resource) as model_dir:
            dump_obj_as_json_to_file(model_dir / ORDER_FILE, self.crf_order)
            for tag_name, tagger in (self.entity_taggers or {}).items():
                # sklearn_crfsuite keeps the model CRFsuite wrote while training in a temp file.
                shutil.copyfile(tagger.modelfile.name, model_dir / f"{tag_name}{MODEL_SUFFIX}")

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> crf_entity_extractor.CRFEntityExtractor:
        """Open the stored CRFs; a model stored by Rasa's class is trained again, as Rasa does."""
        import sklearn_crfsuite

        try:
            with model_storage.read_from(resource) as model_dir:
                crf_order = read_json_file(model_dir / ORDER_FILE)
                files = {tag_name: model_dir / f"{tag_name}{MODEL_SUFFIX}" for tag_name in crf_order}
                if not all(path.is_file() for path in files.values()):
                    logger.debug("No stored CRFsuite models in '%s': training the CRF from its data.", resource.name)
                    return super().load(config, model_storage, resource, execution_context, **kwargs)
                taggers = OrderedDict()
                for tag_name, path in files.items():
                    tagger = sklearn_crfsuite.CRF(model_filename=str(path))
                    try:
                        # Opening reads the whole file into memory, so it may go once the block ends.
                        labels = tagger.tagger_.labels()
                    except (ValueError, OSError) as error:
                        raise RasaException(f"{cls.__name__}: {path.name} is not a CRFsuite model: {error}") from error
                    logger.debug("Loaded the CRF for '%s' (%d labels) from %s.", tag_name, len(labels), path.name)
                    taggers[tag_name] = tagger
        except ValueError:
            # What Rasa does when the resource does not exist: an untrained extractor.
            return super().load(config, model_storage, resource, execution_context, **kwargs)
        extractor = cls(config, model_storage, resource, taggers)
        extractor.crf_order = crf_order
        return extractor
