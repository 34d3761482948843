"""The conversation tests' typed diagnosis answers are read as their stories say.

`rasa test` checks the actions of tests/stories/*.yml, but takes the slots a story sets as
given. Here every typed answer to a diagnosis question in those stories goes through the
form's reader (:func:`actions.scoring.read_turn`), and the value, the re-ask, the neutral
answer after a second unreadable one, the confirmation and the correction must be the ones
the story sets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
import yaml

from actions.scoring import SLOT_PREFIX, TurnKind, read_turn, slot_for
from actions.statements import default_reader
from bot.knowledge.base import default_knowledge

STORIES = Path(__file__).resolve().parent / "stories"


def _typed_answers() -> List[Tuple[str, str, Dict[str, Any], Dict[str, Any]]]:
    """(story, text, intent and context, the slots the story then sets) for each typed answer."""
    cases = []
    for path in sorted(STORIES.glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8")).get("stories", []):
            state: Dict[str, Any] = {"requested": None, "answered": {}, "inferred": {}, "reasked": None}
            steps = story["steps"]
            for i, step in enumerate(steps):
                if "slot_was_set" in step:
                    for item in step["slot_was_set"]:
                        for slot, value in item.items():
                            if slot == "requested_slot":
                                state["requested"] = value
                            elif slot == "diagnosis_inferred":
                                state["inferred"] = value or {}
                            elif slot.startswith(SLOT_PREFIX):
                                state["answered"][slot] = value
                if "user" not in step or str(step["user"]).strip().startswith("/") or not state["requested"]:
                    continue
                following = steps[i + 1: i + 3]
                if not following or following[0].get("action") != "diagnosis_form":
                    continue
                sets = {k: v for item in following[1].get("slot_was_set", []) for k, v in item.items()} \
                    if len(following) > 1 else {}
                context = {**state, "answered": dict(state["answered"]), "intent": step.get("intent", "")}
                cases.append((story["story"], str(step["user"]).strip(), context, sets))
                if sets.get(state["requested"], "missing") is None:
                    state["reasked"] = state["requested"]
    return cases


CASES = _typed_answers()


def _previous(order: List[str], answered: Dict[str, Any], requested: str) -> Optional[str]:
    earlier = [slot for slot in order[: order.index(requested)] if answered.get(slot) is not None]
    return earlier[-1][len(SLOT_PREFIX):] if earlier else None


def test_the_stories_have_typed_answers_of_every_kind() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize(("story", "text", "context", "sets"), CASES, ids=[f"{c[0][:40]}: {c[1]}" for c in CASES])
def test_a_typed_answer_is_read_as_the_story_says(story: str, text: str, context: Dict[str, Any],
                                                   sets: Dict[str, Any]) -> None:
    kb = default_knowledge()
    order = [slot_for(t) for t in kb.traits]
    requested = context["requested"]
    trait = requested[len(SLOT_PREFIX):]
    pending = (context["inferred"].get(trait) or {}).get("value")
    turn = read_turn(kb, default_reader(), {"text": text, "intent": {"name": context["intent"]}, "entities": []},
                     trait, pending=pending, previous=_previous(order, context["answered"], requested))
    if turn.kind == TurnKind.CORRECTION:
        assert sets.get(slot_for(turn.trait)) == turn.value and sets.get(requested) in (None, requested)
    elif sets.get(requested, "missing") is None:
        assert turn.kind in (TurnKind.UNCLEAR, TurnKind.REJECT)
    elif turn.kind == TurnKind.UNCLEAR:
        assert context["reasked"] == requested and sets.get(requested) == 0  # the second time: neutral
    else:
        assert turn.kind in (TurnKind.ANSWER, TurnKind.CONFIRM) and sets.get(requested) == turn.value, turn
