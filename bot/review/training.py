"""From the review's CSV to training examples: the rows whose ``intended_intent`` the operator filled in.

    python -m bot.review.training var/review/review-20261203-0900.csv > data/nlu/review.yml

Prints Rasa NLU YAML, one block per intent. Rows are left out (and listed on stderr) when the
intent is not in the domain, when the text is already a training example (with its intent),
or when it is in the held-out test set (tests/nlu/test_nlu.yml): a test message in the training
data would make `make test-nlu` measure nothing. See docs/review.md for the whole loop.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[2]
# [経理](job) or [経理]{"entity": "job"} → 経理
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def plain(example: str) -> str:
    """An NLU example without its entity annotations, spaces collapsed."""
    return " ".join(_ANNOTATION.sub(r"\1", example).split())


def nlu_examples(paths: Iterable[Path]) -> Dict[str, str]:
    """Example text → its intent, from Rasa NLU YAML files."""
    found: Dict[str, str] = {}
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if not isinstance(block, dict) or "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found[plain(line[2:])] = str(block["intent"])
    return found


def domain_intents(domain_dir: Path) -> Set[str]:
    """Every intent the domain declares."""
    intents: Set[str] = set()
    for path in domain_dir.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intents.update(str(intent) for intent in data.get("intents") or [])
    return intents


def select(rows: Iterable[Dict[str, str]], intents: Set[str], training: Dict[str, str],
           held_out: Set[str]) -> Tuple[Dict[str, List[str]], List[str]]:
    """The new examples per intent, and why the other filled-in rows were left out."""
    chosen: Dict[str, List[str]] = defaultdict(list)
    skipped: List[str] = []
    seen: Set[str] = set()
    for row in rows:
        intent = (row.get("intended_intent") or "").strip()
        text = " ".join((row.get("message") or "").split())
        if not intent or not text or text in seen:
            continue
        seen.add(text)
        if intent not in intents:
            skipped.append(f"「{text}」: {intent} is not an intent of bot/domain/")
        elif text in held_out:
            skipped.append(f"「{text}」: in the held-out test set tests/nlu/test_nlu.yml")
        elif text in training:
            skipped.append(f"「{text}」: already a training example of {training[text]}")
        elif text.startswith("/"):
            skipped.append(f"「{text}」: a button payload, not something people type")
        else:
            chosen[intent].append(text)
    return dict(chosen), skipped


def to_yaml(chosen: Dict[str, List[str]], source: str) -> str:
    """Rasa NLU YAML with one block per intent (Rasa merges an intent's examples across files)."""
    lines = ['version: "3.1"', "", f"# From {source} (make review): messages the bot could not answer.", "nlu:"]
    for intent in sorted(chosen):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in chosen[intent]]
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("csv", type=Path, help="a CSV written by make review, intended_intent filled in")
    args = parser.parse_args(argv)
    try:
        with args.csv.open(encoding="utf-8-sig", newline="") as file:
            rows = list(csv.DictReader(file))
    except OSError as error:
        print(f"training: cannot read {args.csv}: {error.strerror}", file=sys.stderr)
        return 2
    if rows and "intended_intent" not in rows[0]:
        print(f"training: {args.csv} has no intended_intent column (is it a make review CSV?)", file=sys.stderr)
        return 2
    chosen, skipped = select(
        rows, domain_intents(ROOT / "bot" / "domain"), nlu_examples(sorted((ROOT / "data" / "nlu").glob("*.yml"))),
        set(nlu_examples([ROOT / "tests" / "nlu" / "test_nlu.yml"])),
    )
    for reason in skipped:
        print(f"left out {reason}", file=sys.stderr)
    if not chosen:
        print("training: no row has an intended_intent to add", file=sys.stderr)
        return 1
    print(to_yaml(chosen, args.csv.name), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
