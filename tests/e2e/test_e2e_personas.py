"""End to end: personas take the whole diagnosis over REST, answering only in their own words.

The personas (tests/profiles/profiles.yml) come from the articles' descriptions of who fits
each office; they answer with negations, hedges, contrasts and the other pole of a question.
Each must reach the office its answers point to, no question may be asked more than once
again, and the result must quote what the persona said.
"""

from __future__ import annotations

from typing import List

import pytest

from bench.quality.converse import Run, converse_all, summary
from bench.quality.profiles import load_profiles
from bot.scripts.servers import RasaServers

pytestmark = pytest.mark.e2e

MIN_OFFICE_ACCURACY = 0.90


@pytest.fixture(scope="module")
def runs(servers: RasaServers) -> List[Run]:
    return converse_all(servers.url, load_profiles())


def test_personas_reach_their_office(runs: List[Run]) -> None:
    wrong = [f"{r.profile}: expected {r.expected}, got {r.offices}" for r in runs if not r.right]
    assert summary(runs)["office_accuracy"] >= MIN_OFFICE_ACCURACY, wrong


def test_no_question_is_asked_more_than_once_again(runs: List[Run]) -> None:
    assert all(r.offices for r in runs), [r.profile for r in runs if not r.offices]
    assert [r.profile for r in runs if r.most_asked_again > 1] == []


def test_results_quote_the_persons_words(runs: List[Run]) -> None:
    assert all(r.quoted for r in runs), [r.profile for r in runs if not r.quoted]


def test_answers_to_later_questions_are_confirmed(runs: List[Run]) -> None:
    assert summary(runs)["confirmations"] > 0
