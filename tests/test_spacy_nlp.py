"""The lean SpacyNLP: same tokens, lemmas, tags and vectors as the full GiNZA pipeline."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, List

import numpy as np
import pytest
import yaml
from rasa.shared.exceptions import InvalidConfigException

from bot.components.spacy_nlp import SpacyNLP

ROOT = Path(__file__).resolve().parent.parent
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def utterances() -> List[str]:
    """Every training and held-out example, annotations removed."""
    texts = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) + [ROOT / "tests" / "nlu" / "test_nlu.yml"]:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in str(item.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    texts.append(ANNOTATION.sub(r"\1", line.strip()[2:]))
    return texts


@pytest.fixture(scope="module")
def lean() -> Any:
    return SpacyNLP.load_lean_model("ja_ginza", SpacyNLP.get_default_config()["exclude"]).model


@pytest.fixture(scope="module")
def full() -> Any:
    import spacy

    # What Rasa's own SpacyNLP loads.
    return spacy.load("ja_ginza", disable=["parser"])


def test_lean_model_runs_no_pipes(lean: Any) -> None:
    assert lean.pipe_names == []


def test_same_tokens_as_full_pipeline(lean: Any, full: Any) -> None:
    # Every third utterance: the full pipeline takes 15 ms a sentence, and all of them agreed.
    texts = utterances()[::3]
    assert len(texts) > 500
    for text in texts:
        expected = [(t.text, t.idx, t.lemma_, t.tag_, t.norm_) for t in full(text)]
        assert [(t.text, t.idx, t.lemma_, t.tag_, t.norm_) for t in lean(text)] == expected, text


@pytest.mark.parametrize("text", ["経理って何？", "けいりのデメリットは？", "営業事務と一般事務の違いを教えて"])
def test_same_vectors_as_full_pipeline(lean: Any, full: Any, text: str) -> None:
    assert np.allclose(lean(text).vector, full(text).vector)
    assert all(np.allclose(a.vector, b.vector) for a, b in zip(lean(text), full(text), strict=True))


def test_unknown_pipe_names_the_model_and_its_pipes() -> None:
    with pytest.raises(InvalidConfigException, match=r"no pipes named \['taggr'\].*'morphologizer'"):
        SpacyNLP.load_lean_model("ja_ginza", ["taggr"])


def test_missing_model_gets_rasas_install_hint() -> None:
    from rasa.nlu.utils.spacy_utils import InvalidModelError

    with pytest.raises(InvalidModelError, match="available spaCy model"):
        SpacyNLP.load_lean_model("xx_not_installed", [])


def test_model_is_loaded_once_per_process(lean: Any) -> None:
    again = SpacyNLP.load_lean_model("ja_ginza", list(reversed(SpacyNLP.get_default_config()["exclude"])))
    assert again.model is lean
