"""How well the diagnosis reads answers given in a person's own words.

The cases live in ``tests/answers/dev.yml`` (for developing the reader) and
``tests/answers/test.yml`` (held out: only measured). Neither is training data. Each case is
one answer to one question, labelled with the Likert value it means (-2..2) or ``unclear``,
and optionally with ``also``: other questions it answers as well.

Every answer goes through :func:`actions.scoring.read_turn`, the function the form uses, as a
message the classifier took for ``diagnosis_answer``. Figures:

- ``sign``: yes / neutral / no / unclear agree with the label;
- ``exact``: the value (or unclear) is the label;
- ``false_unclear``: answers about the trait the reader could not read (asked again);
- ``missed_unclear``: answers that say nothing about the trait but got a value;
- ``also``: the later questions an answer speaks to, read with the right sign.

Usage::

    python -m bench.quality.answers tests/answers/dev.yml [--errors]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import yaml

from actions.scoring import TurnKind, read_turn
from actions.statements import StatementReader, default_reader
from bot.knowledge.base import Knowledge, default_knowledge

HERE = Path(__file__).resolve().parents[2] / "tests" / "answers"
DEV = HERE / "dev.yml"
TEST = HERE / "test.yml"
UNCLEAR = "unclear"
# Kinds of answer the issue counts as hard: the reader must not take their words at face value.
HARD_KINDS = frozenset({"negation", "contrast", "hedge", "opposite"})
KINDS = ("plain", "negation", "contrast", "hedge", "opposite", "indifference", "intensity",
         "comparison", "typo", "keigo", "casual", "long", "offtopic")

Label = Union[int, str]


@dataclass(frozen=True)
class Case:
    """One labelled answer."""

    question: str
    text: str
    value: Label
    kinds: Sequence[str] = ()
    also: Mapping[str, int] = field(default_factory=dict)


def load_cases(path: Path) -> List[Case]:
    """The cases of a corpus file, checked against the schema and the questions of traits.yml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    traits = default_knowledge().traits
    cases = []
    for i, raw in enumerate(data["answers"]):
        where = f"{path.name}: answers[{i}]"
        value = raw.get("value")
        if value != UNCLEAR and (isinstance(value, bool) or not isinstance(value, int) or not -2 <= value <= 2):
            raise ValueError(f"{where}: value must be -2..2 or '{UNCLEAR}', not {value!r}")
        if raw.get("question") not in traits:
            raise ValueError(f"{where}: unknown question {raw.get('question')!r}")
        kinds = tuple(raw.get("kinds") or ())
        unknown = [kind for kind in kinds if kind not in KINDS]
        if unknown:
            raise ValueError(f"{where}: unknown kinds {unknown}")
        also = dict(raw.get("also") or {})
        if any(trait not in traits for trait in also):
            raise ValueError(f"{where}: 'also' names an unknown question")
        cases.append(Case(raw["question"], str(raw["text"]), value, kinds, also))
    return cases


def sign_of(label: Optional[Label]) -> Label:
    """Agree, disagree or unclear: the side of the scale a label is on, whatever its strength."""
    if label is None or label == UNCLEAR:
        return UNCLEAR
    assert isinstance(label, int)
    return (label > 0) - (label < 0)


def form_reader(kb: Knowledge, reader: StatementReader) -> Callable[[str, str], Optional[int]]:
    """Reads an answer as the form does; None where the form would ask again."""

    def read(text: str, trait: str) -> Optional[int]:
        message = {"text": text, "intent": {"name": "diagnosis_answer"}, "entities": []}
        turn = read_turn(kb, reader, message, trait)
        return turn.value if turn.kind == TurnKind.ANSWER else None

    return read


def share(count: int, total: int) -> float:
    """``count`` out of ``total`` as the figures give it: rounded to three places, 0 without cases."""
    return round(count / total, 3) if total else 0.0


@dataclass
class Report:
    """Figures over a corpus."""

    total: int = 0
    sign: int = 0
    exact: int = 0
    false_unclear: int = 0
    missed_unclear: int = 0
    hard: int = 0
    also_total: int = 0
    also_sign: int = 0
    by_question: Dict[str, List[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    errors: List[str] = field(default_factory=list)

    def figures(self) -> Dict[str, Any]:
        """The figures as a flat mapping, for tests and the benchmark."""
        return {
            "answers": self.total,
            "sign_accuracy": share(self.sign, self.total),
            "exact_accuracy": share(self.exact, self.total),
            "false_unclear": self.false_unclear,
            "missed_unclear": self.missed_unclear,
            "hard_share": share(self.hard, self.total),
            "also_sign_accuracy": share(self.also_sign, self.also_total),
            "by_question": {q: {"answers": n, "sign": share(s, n), "exact": share(e, n)}
                            for q, (n, s, e) in sorted(self.by_question.items())},
        }


def evaluate(cases: Sequence[Case], read: Optional[Callable[[str, str], Optional[int]]] = None,
             reader: Optional[StatementReader] = None) -> Report:
    """Reads every case and counts what agrees with its label."""
    reader = reader or default_reader()
    read = read or form_reader(default_knowledge(), reader)
    report = Report()
    for case in cases:
        got = read(case.text, case.question)
        report.total += 1
        counts = report.by_question[case.question]
        counts[0] += 1
        same_sign = sign_of(got) == sign_of(case.value)
        same = (got is None and case.value == UNCLEAR) or got == case.value
        report.sign += same_sign
        report.exact += same
        counts[1] += same_sign
        counts[2] += same
        report.hard += bool(HARD_KINDS.intersection(case.kinds))
        if got is None and case.value != UNCLEAR:
            report.false_unclear += 1
        if got is not None and case.value == UNCLEAR:
            report.missed_unclear += 1
        if not same:
            report.errors.append(f"{case.question}\t{case.value}\t{got}\t{case.text}")
        if case.also:
            statements = reader.read(case.text)
            for trait, value in case.also.items():
                report.also_total += 1
                reading = statements.get(trait)
                report.also_sign += reading is not None and sign_of(reading.value) == sign_of(value)
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Prints the figures of a corpus, and its misreadings with --errors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--errors", action="store_true", help="list every answer read wrongly")
    args = parser.parse_args(argv)
    report = evaluate(load_cases(args.corpus))
    figures = report.figures()
    by_question = figures.pop("by_question")
    print(yaml.safe_dump(figures, allow_unicode=True, sort_keys=False), end="")
    for question, numbers in by_question.items():
        print(f"  {question:22} n={numbers['answers']:3} sign={numbers['sign']:.3f} exact={numbers['exact']:.3f}")
    if args.errors:
        print("\n".join(report.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
