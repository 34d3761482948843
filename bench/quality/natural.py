"""Independent evaluation of how well the bot understands messages as people really write them.

The cases live in ``tests/natural/dev.yml`` and ``tests/natural/test.yml`` (never used for
training). Each case is one conversation: every turn is sent in order over the REST channel
with a fresh sender id, and only the bot's reply to the last turn (all bubbles joined with a
newline) is checked against the case's ``expect`` block:

- ``all``: every entry must appear in the reply; ``"A|B"`` means A or B.
- ``any``: at least one entry must appear (entries may also use ``|``).
- ``none``: no entry may appear.
- ``honest``: the reply must say that the articles do not cover the question and must not
  invent a figure.
- ``sources``: the reply must cite its sources (「出典」).

Matching is on NFKC-normalised text, so full-width and half-width forms count as the same.

Usage::

    python -m bench.quality.natural --url http://127.0.0.1:5005 --cases tests/natural/test.yml \
        [--show-failures] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from bot.scripts.servers import rest_texts

KINDS: tuple[str, ...] = (
    "preference",
    "concept",
    "description",
    "context",
    "ellipsis",
    "unanswerable",
    "out_of_scope",
    "named",
)
EXPECT_KEYS: frozenset[str] = frozenset({"all", "any", "none", "honest", "sources"})
MAX_CONCURRENCY = 4

# An honest reply names the articles and says they do not cover the question.
HONEST_PHRASES: tuple[str, ...] = (
    "書かれていません",
    "記載がありません",
    "触れられていません",
    "情報がない",
    "載っていません",
    "扱っていません",
)
# A figure the bot would have had to invent: a number followed by a unit of money, time,
# share, people or ratio.
INVENTED_FIGURE = re.compile(r"[0-9][0-9,.]*\s*(?:万|円|時間|%|割|人|倍)")
# Figures that are the articles' own words, not inventions (経理: 「1円単位での正確さ」).
ARTICLE_FIGURES: tuple[str, ...] = ("1円単位",)
SOURCES_MARK = "出典"


@dataclass
class Case:
    """One conversation: the user's turns and what the reply to the last one must satisfy."""

    id: str
    kind: str
    turns: list[str]
    expect: dict[str, Any]


@dataclass
class KindResult:
    """Pass count of one kind of case."""

    passed: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        """Share of passed cases (0 when there are none)."""
        return self.passed / self.total if self.total else 0.0


@dataclass
class Failure:
    """A case whose last reply failed at least one check."""

    case_id: str
    kind: str
    turns: list[str]
    reply: str
    failed: list[str]


@dataclass
class Report:
    """Results of one evaluation run: pass counts per kind and the failed cases."""

    kinds: dict[str, KindResult] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @property
    def passed(self) -> int:
        """Passed cases over all kinds."""
        return sum(result.passed for result in self.kinds.values())

    @property
    def total(self) -> int:
        """Cases over all kinds."""
        return sum(result.total for result in self.kinds.values())

    @property
    def rate(self) -> float:
        """Overall share of passed cases."""
        return self.passed / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary (used by ``--json``)."""
        return {
            "passed": self.passed,
            "total": self.total,
            "rate": round(self.rate, 4),
            "kinds": {
                kind: {"passed": r.passed, "total": r.total, "rate": round(r.rate, 4)} for kind, r in self.kinds.items()
            },
            "failures": [asdict(failure) for failure in self.failures],
        }


def normalize(text: str) -> str:
    """NFKC-normalise text so that full-width and half-width forms compare equal."""
    return unicodedata.normalize("NFKC", text)


def load_cases(path: str | Path) -> list[Case]:
    """Read a case file (``cases:`` list) into Case objects, without validating the contents."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    cases = []
    for raw in data.get("cases") or []:
        turns = raw.get("turns")
        cases.append(
            Case(
                id=str(raw.get("id")),
                kind=str(raw.get("kind")),
                turns=[str(turn) for turn in turns] if isinstance(turns, list) else [],
                expect=dict(raw.get("expect") or {}),
            )
        )
    return cases


def _contains(reply: str, entry: str) -> bool:
    """Whether reply contains entry, where ``"A|B"`` accepts either alternative."""
    return any(normalize(alternative) in reply for alternative in entry.split("|") if alternative)


def is_honest(reply: str) -> bool:
    """Whether a reply says the articles do not cover the question and invents no figure."""
    text = normalize(reply)
    if "記事" not in text or not any(phrase in text for phrase in HONEST_PHRASES):
        return False
    for figure in ARTICLE_FIGURES:
        text = text.replace(normalize(figure), "")
    return INVENTED_FIGURE.search(text) is None


def check_reply(expect: dict[str, Any], reply: str) -> list[str]:
    """The checks of ``expect`` that ``reply`` fails, each described in one line (empty: pass)."""
    text = normalize(reply)
    failed: list[str] = []
    for entry in expect.get("all") or []:
        if not _contains(text, entry):
            failed.append(f"all: missing {entry!r}")
    any_entries = expect.get("any") or []
    if any_entries and not any(_contains(text, entry) for entry in any_entries):
        failed.append(f"any: none of {any_entries!r}")
    for entry in expect.get("none") or []:
        if _contains(text, entry):
            failed.append(f"none: contains {entry!r}")
    if expect.get("honest") and not is_honest(text):
        failed.append("honest: does not say the articles lack it (or invents a figure)")
    if expect.get("sources") and SOURCES_MARK not in text:
        failed.append("sources: no 「出典」")
    return failed


def run_case(url: str, case: Case, timeout: float = 60.0) -> tuple[str, str | None]:
    """Send the case's turns as a new conversation; return the last reply and an error, if any."""
    sender = f"natural-{case.id}-{uuid.uuid4().hex}"
    reply = ""
    with requests.Session() as session:
        for turn in case.turns:
            try:
                reply = "\n".join(text for text in rest_texts(url, sender, turn, timeout, session) if text)
            except (requests.RequestException, ValueError) as error:
                return reply, f"request failed on {turn!r}: {error}"
    return reply, None


def evaluate(
    url: str,
    cases_path: str | Path,
    concurrency: int = MAX_CONCURRENCY,
    progress: Callable[[Case, list[str]], None] | None = None,
) -> Report:
    """Run every case of ``cases_path`` against the bot at ``url`` (at most 4 conversations at a time)."""
    cases = load_cases(cases_path)
    workers = max(1, min(concurrency, MAX_CONCURRENCY))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda case: run_case(url, case), cases))
    report = Report(kinds={kind: KindResult() for kind in KINDS if any(c.kind == kind for c in cases)})
    for case, (reply, error) in zip(cases, outcomes, strict=True):
        failed = [error] if error else check_reply(case.expect, reply)
        result = report.kinds.setdefault(case.kind, KindResult())
        result.total += 1
        if failed:
            report.failures.append(Failure(case.id, case.kind, case.turns, reply, failed))
        else:
            result.passed += 1
        if progress is not None:
            progress(case, failed)
    return report


def format_report(report: Report, show_failures: bool = False) -> str:
    """The pass rates per kind and overall, optionally followed by every failure."""
    lines = [f"{'kind':<14}{'passed':>8}{'total':>7}{'rate':>8}"]
    for kind, result in report.kinds.items():
        lines.append(f"{kind:<14}{result.passed:>8}{result.total:>7}{result.rate:>8.1%}")
    lines.append(f"{'overall':<14}{report.passed:>8}{report.total:>7}{report.rate:>8.1%}")
    if show_failures:
        for failure in report.failures:
            lines.append("")
            lines.append(f"✗ {failure.case_id} ({failure.kind})")
            for turn in failure.turns:
                lines.append(f"  > {turn}")
            for reply_line in (failure.reply or "(no reply)").splitlines():
                lines.append(f"  < {reply_line}")
            for reason in failure.failed:
                lines.append(f"  ! {reason}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns 0 (failures are reported, not signalled by the exit code)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="the Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--cases", required=True, help="a case file, e.g. tests/natural/test.yml")
    parser.add_argument("--show-failures", action="store_true", help="print every failed case and its reply")
    parser.add_argument("--json", metavar="OUT", help="also write the report as JSON to OUT")
    parser.add_argument("--concurrency", type=int, default=MAX_CONCURRENCY, help="conversations at a time (at most 4)")
    args = parser.parse_args(argv)
    report = evaluate(args.url, args.cases, concurrency=args.concurrency)
    print(format_report(report, show_failures=args.show_failures))
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
