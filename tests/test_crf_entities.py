"""The CRF extractor is stored as trained CRFsuite models and loaded without training again."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor as RasaCRFEntityExtractor
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.crf_entities import MODEL_SUFFIX, CRFEntityExtractor

# Romaji, so that Rasa's whitespace tokenizer stands in for SudachiPy: the test is about storage.
TRAINING = [
    ("pairotto ni naritai", "pairotto"),
    ("juuishi no shigoto ga kininaru", "juuishi"),
    ("shouboushi tte dou", "shouboushi"),
    ("hoikushi ni muite iru ka", "hoikushi"),
    ("pairotto no shigoto wo shiritai", "pairotto"),
    ("shouboushi ni naritai", "shouboushi"),
]
NO_ENTITY = ["konnichiwa", "arigatou gozaimasu", "shindan shite hoshii"]


def _message(text: str, value: str = "") -> Message:
    entities = [{"entity": "other_job", "value": value, "start": text.index(value), "end": text.index(value) + len(value)}]
    return Message(data={"text": text, "intent": "ask", **({"entities": entities} if value else {})})


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture
def featurize(tmp_path: Path, context: ExecutionContext) -> Any:
    """Tokens and sparse features, trained on the training texts, for any messages."""
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    vectors = CountVectorsFeaturizer.create(CountVectorsFeaturizer.get_default_config(),
                                            LocalModelStorage(tmp_path), Resource("cv"), context)
    data = TrainingData([_message(t, v) for t, v in TRAINING] + [_message(t) for t in NO_ENTITY])
    tokenizer.process_training_data(data)
    vectors.train(data)

    def run(messages: List[Message]) -> List[Message]:
        tokenizer.process(messages)
        vectors.process(messages)
        return messages

    run.training_data = data  # type: ignore[attr-defined]
    return run


def _config() -> Dict[str, Any]:
    return {**CRFEntityExtractor.get_default_config(), "features": [["low"], ["low", "suffix2", "suffix3"], ["low"]]}


def _trained(storage: LocalModelStorage, context: ExecutionContext, featurize: Any) -> CRFEntityExtractor:
    extractor = CRFEntityExtractor.create(_config(), storage, Resource("crf"), context)
    vectors_data = featurize.training_data
    featurize(vectors_data.training_examples)
    extractor.train(vectors_data)
    return extractor


def test_stores_trained_models_and_loads_them_without_training(
    tmp_path: Path, context: ExecutionContext, featurize: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalModelStorage(tmp_path)
    _trained(storage, context, featurize)
    with storage.read_from(Resource("crf")) as model_dir:
        assert (model_dir / f"entity{MODEL_SUFFIX}").stat().st_size > 0

    def no_training(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the CRF was trained again at load")

    monkeypatch.setattr(CRFEntityExtractor, "train_model", classmethod(no_training))
    loaded = CRFEntityExtractor.load(_config(), storage, Resource("crf"), context)
    [message] = loaded.process(featurize([Message(data={"text": "shouboushi no shigoto"})]))
    assert [(e["entity"], e["value"], e["extractor"]) for e in message.get("entities")] == [
        ("other_job", "shouboushi", "CRFEntityExtractor")]


def test_loads_a_model_stored_by_rasas_own_class(tmp_path: Path, context: ExecutionContext, featurize: Any) -> None:
    storage = LocalModelStorage(tmp_path)
    rasa_extractor = RasaCRFEntityExtractor.create(_config(), storage, Resource("crf"), context)
    featurize(featurize.training_data.training_examples)
    rasa_extractor.train(featurize.training_data)
    loaded = CRFEntityExtractor.load(_config(), storage, Resource("crf"), context)
    [message] = loaded.process(featurize([Message(data={"text": "pairotto ni naritai"})]))
    assert [e["value"] for e in message.get("entities")] == ["pairotto"]


def test_a_damaged_model_file_is_named(tmp_path: Path, context: ExecutionContext, featurize: Any) -> None:
    storage = LocalModelStorage(tmp_path)
    _trained(storage, context, featurize)
    with storage.read_from(Resource("crf")) as model_dir:
        (model_dir / f"entity{MODEL_SUFFIX}").write_bytes(b"not a model")
    with pytest.raises(RasaException, match=f"entity{MODEL_SUFFIX}"):
        CRFEntityExtractor.load(_config(), storage, Resource("crf"), context)


def test_a_missing_resource_gives_an_untrained_extractor(tmp_path: Path, context: ExecutionContext) -> None:
    loaded = CRFEntityExtractor.load(_config(), LocalModelStorage(tmp_path), Resource("never-trained"), context)
    assert loaded.entity_taggers is None
