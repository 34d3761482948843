"""The NLU data stays usable: a real held-out set, and annotations only where DIET should learn."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

from bot.knowledge.base import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
TRAINING_FILES = sorted((ROOT / "data" / "nlu").glob("*.yml"))
TEST_FILE = ROOT / "tests" / "nlu" / "test_nlu.yml"
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\(([^)]*)\)|(\{[^}]*\}))")
# Set by the input guard, never typed.
DOMAIN_ONLY_INTENTS = {"empty_message", "symbols_only", "message_too_long"}


def examples(path: Path) -> List[Tuple[str, str]]:
    """(intent, raw example) pairs of a Rasa YAML NLU file."""
    pairs = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in item["examples"].splitlines():
            if line.strip().startswith("- "):
                pairs.append((item["intent"], line.strip()[2:]))
    return pairs


def plain(example: str) -> str:
    """The example as a user types it: annotations removed, punctuation and width ignored."""
    text = ANNOTATION.sub(lambda m: m.group(1), example)
    return re.sub(r"[\s?？!！。、,.]", "", text)


def entity_types(example: str) -> List[str]:
    types = []
    for match in ANNOTATION.finditer(example):
        if match.group(2) is not None:
            types.append(match.group(2).split(":")[0])
        else:
            types.append(yaml.safe_load(match.group(3))["entity"])
    return types


TRAINING = [pair for path in TRAINING_FILES for pair in examples(path)]
TEST = examples(TEST_FILE)


def test_held_out_set_is_big_enough_and_covers_every_intent() -> None:
    domain_intents = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        domain_intents |= set(yaml.safe_load(path.read_text(encoding="utf-8")).get("intents") or [])
    counts = Counter(intent for intent, _ in TEST)
    assert len(TEST) >= 150
    for intent in domain_intents - DOMAIN_ONLY_INTENTS:
        assert counts[intent] >= 8, f"{intent}: only {counts[intent]} held-out examples"


def test_no_held_out_utterance_is_in_the_training_data() -> None:
    seen = {plain(text) for _, text in TRAINING}
    leaked = [text for _, text in TEST if plain(text) in seen]
    assert not leaked


def test_no_training_example_has_two_intents() -> None:
    owners: Dict[str, set] = {}
    for intent, text in TRAINING:
        owners.setdefault(plain(text), set()).add(intent)
    assert {t: i for t, i in owners.items() if len(i) > 1} == {}


def test_training_annotates_only_unknown_jobs() -> None:
    # Job and office names come from the knowledge extractor; annotating them here would
    # teach DIET to report the same entity a second time.
    annotated = Counter(t for _, text in TRAINING for t in entity_types(text))
    assert set(annotated) == {"other_job"}
    assert annotated["other_job"] >= 40


@pytest.mark.parametrize("entity", ["job", "office", "other_job"])
def test_held_out_set_labels_every_entity_type(entity: str) -> None:
    assert sum(entity_types(text).count(entity) for _, text in TEST) >= 10


def test_held_out_job_values_are_knowledge_ids() -> None:
    kb = load_knowledge()
    values = {
        yaml.safe_load(m.group(3))["value"]
        for _, text in TEST
        for m in ANNOTATION.finditer(text)
        if m.group(3) and yaml.safe_load(m.group(3))["entity"] == "job"
    }
    assert values and values <= set(kb.roles)
    assert set(kb.roles) <= values, "every role should be asked about in the held-out set"
