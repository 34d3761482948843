"""Personas of ``tests/profiles/profiles.yml`` take the diagnosis over the REST channel.

Each persona asks for a diagnosis and answers every question only in its own words. When the
bot asks to confirm an answer it took from an earlier message, the persona says 「はい」 if
that answer leans the way its own does, and otherwise answers again in its own words.

Measured per persona: the office of the result (or the offices of a close call), how many
times a question was asked again, and whether the result quotes the persona's words.

Usage::

    python -m bench.quality.converse --url http://127.0.0.1:5005 [--show]
"""

from __future__ import annotations

import argparse
import re
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from bench.quality.profiles import Profile, load_profiles
from bot.knowledge.base import default_knowledge
from bot.scripts.servers import say

QUESTION = re.compile(r"質問(\d+)/(\d+)")
CONFIRM = re.compile(r"「([^」]+)」としてよろしいですか")
MAX_TURNS = 40


@dataclass
class Run:
    """What happened in one persona's diagnosis."""

    profile: str
    expected: Tuple[str, ...]
    offices: Tuple[str, ...] = ()  # the result's office, or a close call's offices
    asked_again: Dict[int, int] = field(default_factory=dict)  # question number → extra times asked
    confirmations: int = 0
    quoted: bool = False
    transcript: List[str] = field(default_factory=list)

    @property
    def right(self) -> bool:
        """The result names the persona's office (or its other office, for a mixed persona)."""
        return bool(set(self.offices) & set(self.expected))

    @property
    def most_asked_again(self) -> int:
        """The most times any one question was asked again."""
        return max(self.asked_again.values(), default=0)


def _offices_named(reply: str) -> Tuple[str, ...]:
    kb = default_knowledge()
    first = reply.split("\n", 1)[0]
    return tuple(office_id for office_id, office in kb.offices.items() if office.name in first)


def converse(url: str, profile: Profile) -> Run:
    """One persona's diagnosis, from the request to the result."""
    kb = default_knowledge()
    traits = list(kb.traits)
    titles = {answer.title: answer.value for answer in kb.diagnosis.scale}
    run = Run(profile.id, (profile.office, *profile.also_ok))
    sender = f"persona-{profile.id}-{uuid.uuid4().hex[:8]}"
    reply = say(url, sender, "自分に合う仕事を診断してほしいです")
    answered: Dict[int, int] = {}
    for _ in range(MAX_TURNS):
        run.transcript.append(reply)
        if "診断結果です" in reply:
            run.offices = _offices_named(reply[reply.index("診断結果です"):])
            run.quoted = "とのことなので" in reply
            break
        asked = QUESTION.findall(reply)
        if not asked:
            break
        number = int(asked[-1][0])
        if number in answered:
            run.asked_again[number] = run.asked_again.get(number, 0) + 1
        answered[number] = answered.get(number, 0) + 1
        trait = traits[number - 1]
        confirm = CONFIRM.search(reply)
        if confirm and confirm.group(1) in titles:
            run.confirmations += 1
            taken, own = titles[confirm.group(1)], profile.values[trait]
            text = "はい" if (taken > 0) == (own > 0) and (taken < 0) == (own < 0) else profile.answers[trait]
        else:
            text = profile.answers[trait]
        run.transcript.append(f"> {text}")
        reply = say(url, sender, text)
    return run


def converse_all(url: str, profiles: Sequence[Profile], workers: int = 4) -> List[Run]:
    """Every persona's diagnosis, a few at a time."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda p: converse(url, p), profiles))


def summary(runs: Sequence[Run]) -> Dict[str, float]:
    """The figures over all personas."""
    total = len(runs) or 1
    return {
        "personas": len(runs),
        "office_accuracy": round(sum(r.right for r in runs) / total, 3),
        "asked_again_at_most_once": round(sum(r.most_asked_again <= 1 for r in runs) / total, 3),
        "questions_asked_again": sum(sum(r.asked_again.values()) for r in runs),
        "confirmations": sum(r.confirmations for r in runs),
        "results_quoting_words": round(sum(r.quoted for r in runs) / total, 3),
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Prints the figures, and the transcripts of personas given another office with --show."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args(argv)
    runs = converse_all(args.url, load_profiles())
    print(yaml.safe_dump(summary(runs), sort_keys=False), end="")
    for run in runs:
        if args.show and (not run.right or run.most_asked_again > 1):
            print(f"--- {run.profile}: expected {run.expected}, got {run.offices}, asked again {run.asked_again}")
            print("\n".join(run.transcript))
    return 0


if __name__ == "__main__":
    sys.exit(main())
