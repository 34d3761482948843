"""Whether the diagnosis gives the office the articles point to, for personas written from them.

``tests/profiles/profiles.yml`` holds personas built from the articles' descriptions of who
fits each office (front, back, middle and mixed ones). Each has Likert answers to every
question and the same answers in the person's own words. A result is right when its office
(or, for a close call, one of the close offices) is the persona's office, or for a mixed
persona its other office (``also_ok``).

Two figures: ``likert`` scores the Likert answers (the scoring alone); ``words`` reads the
own-words answers as the form does first (reader and scoring together).

Usage::

    python -m bench.quality.profiles [--errors]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import yaml

from actions.scoring import Result, score
from actions.statements import StatementReader, default_reader
from bench.quality.answers import form_reader, share, sign_of
from bot.knowledge.base import OFFICE_IDS, Knowledge, default_knowledge

PROFILES = Path(__file__).resolve().parents[2] / "tests" / "profiles" / "profiles.yml"


@dataclass(frozen=True)
class Profile:
    """A persona with the office the articles point to."""

    id: str
    office: str
    also_ok: Tuple[str, ...]
    values: Mapping[str, int]
    answers: Mapping[str, str]


def load_profiles(path: Path = PROFILES) -> List[Profile]:
    """The personas, checked against the offices and the questions of traits.yml."""
    traits = set(default_knowledge().traits)
    profiles = []
    for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["profiles"]:
        profile = Profile(raw["id"], raw["office"], tuple(raw.get("also_ok") or ()), dict(raw["values"]),
                          {trait: str(text) for trait, text in raw["answers"].items()})
        if {profile.office, *profile.also_ok} - set(OFFICE_IDS):
            raise ValueError(f"{profile.id}: unknown office")
        if set(profile.values) != traits or set(profile.answers) != traits:
            raise ValueError(f"{profile.id}: needs a value and an answer for each of {sorted(traits)}")
        profiles.append(profile)
    return profiles


def is_right(profile: Profile, result: Result) -> bool:
    """The result's office, or one of a close call's, is the persona's (or its other) office."""
    accepted = {profile.office, *profile.also_ok}
    offices = result.close_offices or (result.offices[0][0],)
    return bool(accepted.intersection(offices))


@dataclass
class Report:
    """Figures over the personas."""

    total: int = 0
    # Personas given their office, by the answers scored: "likert" or "words".
    right: Counter[str] = field(default_factory=Counter)
    answers: int = 0
    answers_sign: int = 0
    unread: int = 0
    errors: List[str] = field(default_factory=list)

    def figures(self) -> Dict[str, float]:
        """The figures as a flat mapping, for tests and the benchmark."""
        return {
            "profiles": self.total,
            "office_accuracy_likert": share(self.right["likert"], self.total),
            "office_accuracy_words": share(self.right["words"], self.total),
            "answer_sign_accuracy": share(self.answers_sign, self.answers),
            "answers_unread": self.unread,
        }


def evaluate(profiles: Sequence[Profile], kb: Optional[Knowledge] = None,
             reader: Optional[StatementReader] = None) -> Report:
    """Scores every persona from its Likert answers and from its own words."""
    kb = kb or default_knowledge()
    read = form_reader(kb, reader or default_reader())
    report = Report()
    for profile in profiles:
        report.total += 1
        likert = score(kb, profile.values)
        read_values: Dict[str, int] = {}
        for trait, text in profile.answers.items():
            value = read(text, trait)
            report.answers += 1
            report.unread += value is None
            # An answer not read is asked again, then taken as neutral.
            read_values[trait] = 0 if value is None else value
            report.answers_sign += sign_of(read_values[trait]) == sign_of(profile.values[trait]) and value is not None
        words = score(kb, read_values)
        for name, result in (("likert", likert), ("words", words)):
            if is_right(profile, result):
                report.right[name] += 1
            else:
                got = ",".join(result.close_offices) or result.offices[0][0]
                report.errors.append(f"{name}\t{profile.id}\texpected {profile.office}\tgot {got}\t"
                                     + " ".join(f"{o}={v:.2f}" for o, v in result.offices))
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Prints the figures, and the personas given another office with --errors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=Path, default=PROFILES)
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args(argv)
    report = evaluate(load_profiles(args.profiles))
    print(yaml.safe_dump(report.figures(), sort_keys=False), end="")
    if args.errors:
        print("\n".join(report.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
