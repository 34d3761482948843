"""The diagnosis understands answers in people's own words, and its results match the articles.

Measured on labelled sets that are never training data: answers to the questions
(tests/answers/dev.yml for development, tests/answers/test.yml held out) and personas written
from the articles' descriptions of who fits each office (tests/profiles/profiles.yml).
Figures are in docs/performance.md (Test figures); the thresholds below leave a little room under them.
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, List

import pytest

from actions.scoring import has_evidence, score
from bench.quality.answers import DEV, HARD_KINDS, TEST, UNCLEAR, Case, evaluate, load_cases
from bench.quality.profiles import evaluate as evaluate_profiles
from bench.quality.profiles import load_profiles
from bot.knowledge.base import default_knowledge
from tests.test_natural_schema import _key

# The held-out answers: the sign (yes / neutral / no / unclear) and the exact value.
MIN_SIGN = 0.90
MIN_EXACT = 0.80
# Personas: the office the articles point to, from Likert answers and from own words.
MIN_OFFICE_LIKERT = 0.95
MIN_OFFICE_WORDS = 0.90


@pytest.fixture(scope="module")
def corpora() -> Dict[str, List[Case]]:
    return {"dev": load_cases(DEV), "test": load_cases(TEST)}


def test_the_corpus_is_large_and_hard_enough(corpora: Dict[str, List[Case]]) -> None:
    cases = corpora["dev"] + corpora["test"]
    per_question = Counter(case.question for case in cases)
    assert len(cases) >= 480
    assert set(per_question) == set(default_knowledge().traits)
    assert min(per_question.values()) >= 60, per_question
    hard = sum(bool(HARD_KINDS.intersection(case.kinds)) for case in cases)
    assert hard / len(cases) >= 0.40
    # Each question has answers on both sides, neutral ones and ones that say nothing.
    for question in per_question:
        values = {case.value for case in cases if case.question == question}
        assert {-2, -1, 0, 1, 2, UNCLEAR} <= values, question


def test_dev_and_held_out_answers_are_distinct(corpora: Dict[str, List[Case]]) -> None:
    # Some short replies (はい, 普通です) are also NLU training examples of affirm or deny: that
    # leaks nothing, since answers are read by the statement reader, not by the classifier.
    dev = {_key(case.text) for case in corpora["dev"]}
    test = {_key(case.text) for case in corpora["test"]}
    assert not dev & test


def test_held_out_answers_are_read(corpora: Dict[str, List[Case]]) -> None:
    report = evaluate(corpora["test"])
    figures = report.figures()
    assert figures["sign_accuracy"] >= MIN_SIGN, figures
    assert figures["exact_accuracy"] >= MIN_EXACT, figures


def test_development_answers_are_read(corpora: Dict[str, List[Case]]) -> None:
    figures = evaluate(corpora["dev"]).figures()
    assert figures["sign_accuracy"] >= MIN_SIGN and figures["exact_accuracy"] >= MIN_EXACT, figures


def test_personas_get_the_office_the_articles_point_to() -> None:
    profiles = load_profiles()
    assert len(profiles) >= 40
    assert {p.office for p in profiles} == {"front", "back", "middle"}
    report = evaluate_profiles(profiles)
    figures = report.figures()
    assert figures["office_accuracy_likert"] >= MIN_OFFICE_LIKERT, report.errors
    assert figures["office_accuracy_words"] >= MIN_OFFICE_WORDS, report.errors


def test_the_middle_office_comes_first_only_with_its_own_evidence() -> None:
    kb = default_knowledge()
    for profile in load_profiles():
        result = score(kb, profile.values)
        if result.offices[0][0] == "middle":
            assert has_evidence(kb, "middle", profile.values), profile.id
        specialist_only = profile.values["specialist_knowledge"] > 0 and profile.values["bridging_risk"] <= 0
        if specialist_only:
            assert result.offices[0][0] != "middle", profile.id
