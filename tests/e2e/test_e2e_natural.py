"""End to end: the natural evaluation set (tests/natural/test.yml) against the real servers over REST.

Messages written the way people type: statements about themselves, descriptions instead of
names, context, ellipsis, questions the articles cannot answer. Each case checks the content
of the answer. The set is never used for training (tests/test_natural_schema.py checks that).
"""

from __future__ import annotations

import pytest

from bench.quality.natural import Report, evaluate
from bot.scripts.servers import ROOT, RasaServers

pytestmark = pytest.mark.e2e

CASES = ROOT / "tests" / "natural" / "test.yml"
# The share of cases that must pass, overall and for each kind of message. Measured figures
# are in docs/performance.md (Test figures); these leave room for the run-to-run noise of nothing.
MIN_OVERALL = 0.83
MIN_PER_KIND = 0.70


@pytest.fixture(scope="module")
def report(servers: RasaServers) -> Report:
    return evaluate(servers.url, CASES)


def _failures(report: Report, kind: str = "") -> str:
    rows = [f for f in report.failures if not kind or f.kind == kind]
    return "\n".join(f"{f.case_id} {f.turns} -> {f.reply[:160]!r} ({', '.join(f.failed)})" for f in rows[:15])


def test_the_natural_set_is_answered(report: Report) -> None:
    assert report.rate >= MIN_OVERALL, _failures(report)


@pytest.mark.parametrize("kind", ["preference", "concept", "description", "context", "ellipsis",
                                  "unanswerable", "out_of_scope", "named"])
def test_every_kind_of_message_is_answered(report: Report, kind: str) -> None:
    result = report.kinds[kind]
    assert result.total > 0
    assert result.passed / result.total >= MIN_PER_KIND, _failures(report, kind)
