"""The suitability diagnosis as pure functions: read answers, score roles and offices, word the result.

Scores come only from the trait weights in ``roles.yml`` and the user's answers, so the
same answers always give the same result.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from actions.knowledge import OFFICE_IDS, DiagnosisConfig, Fact, Knowledge, Role
from actions.queries import Reply, sources_of

SLOT_PREFIX = "diag_"
ROLES_PER_PAGE = 3
MAX_REASONS = 3
OFFICE_JOINER = "・"
# Punctuation carries no answer; the long-vowel mark does (うーん is not うん).
_IGNORED = re.compile(r"[\s、。,.!！?？…]+")


def slot_for(trait_id: str) -> str:
    """The form slot that holds the answer to a trait's question."""
    return f"{SLOT_PREFIX}{trait_id}"


def question_slots(kb: Knowledge) -> List[str]:
    """The form's slots, in the order of traits.yml (the order of the questions)."""
    return [slot_for(trait_id) for trait_id in kb.traits]


def answers_from_slots(kb: Knowledge, slots: Mapping[str, Any]) -> Dict[str, int]:
    """Trait id to answer value, for the questions answered so far."""
    answers = {}
    for trait_id in kb.traits:
        value = slots.get(slot_for(trait_id))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            answers[trait_id] = int(value)
    return answers


def parse_answer(config: DiagnosisConfig, text: Optional[str]) -> Optional[int]:
    """Maps a button id or a free-text answer to a scale value; None when it cannot tell."""
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    for answer in config.scale:
        if folded in (answer.id, str(answer.value), unicodedata.normalize("NFKC", answer.title).casefold()):
            return answer.value
    compact = _IGNORED.sub("", folded)
    for hesitation in config.hesitations:
        compact = compact.replace(hesitation, "")
    if not compact:
        return None
    cues = config.cues

    def has(kind: str) -> bool:
        return any(cue in compact for cue in cues[kind])

    if has("neutral"):
        return 0
    if has("positive_strong_overrides"):
        return 2
    if has("positive_mild_overrides"):
        return 1
    mild = has("mild")
    if has("negative"):
        return -1 if mild and not has("strong") else -2
    if has("positive"):
        return 1 if mild and not has("strong") else 2
    # 「どちらかといえば」 on its own leans towards agreeing.
    return 1 if mild else None


# Requests that steer the diagnosis, or ask to delete the conversation, are never taken as
# answers (when worded as such): 「記録を消したい」 must not read as 「したい」 = yes.
CONTROL_INTENTS = frozenset({"stop_diagnosis", "restart_diagnosis", "go_back", "request_forget"})
# A question about the knowledge interrupts the diagnosis: it is answered, then the
# question is asked again.
QUESTION_INTENT_PREFIX = "ask_"


class Turn:
    """What a user message means while a diagnosis question is open."""

    SKIP = "skip"  # not an answer: a question or a request the rules handle
    UNCLEAR = "unclear"  # meant as an answer, but the bot cannot tell which


def read_turn(config: DiagnosisConfig, message: Mapping[str, Any]) -> Any:
    """An answer value, :attr:`Turn.SKIP` or :attr:`Turn.UNCLEAR` for the latest user message."""
    intent = (message.get("intent") or {}).get("name") or ""
    entities = message.get("entities") or []
    button = next((e.get("value") for e in entities if e.get("entity") == "answer"), None)
    if button is not None:
        value = parse_answer(config, button)
        return Turn.UNCLEAR if value is None else value
    if intent in CONTROL_INTENTS and is_worded_as(config, intent, message.get("text")):
        return Turn.SKIP
    names_a_subject = any(e.get("entity") in ("job", "office", "other_job") for e in entities)
    value = parse_answer(config, message.get("text"))
    if value is not None and not names_a_subject:
        return value
    if intent.startswith(QUESTION_INTENT_PREFIX):
        return Turn.SKIP
    return Turn.UNCLEAR if value is None else value


def is_worded_as(config: DiagnosisConfig, intent: str, text: Optional[str]) -> bool:
    """Whether a message classified as a stop/restart/back request also says so in words."""
    folded = _IGNORED.sub("", unicodedata.normalize("NFKC", text or "").casefold())
    if folded.startswith("/"):  # a button's payload
        return True
    if folded in config.control_exact.get(intent, ()):
        return True
    return any(cue in folded for cue in config.control_cues.get(intent, ()))


def answer_title(config: DiagnosisConfig, value: int) -> str:
    """The button title for a value, as the user would have chosen it."""
    return next(a.title for a in config.scale if a.value == value)


@dataclass(frozen=True)
class Contribution:
    """How one answer moved one role's score."""

    trait_id: str
    weight: int
    answer: int

    @property
    def value(self) -> int:
        """Weight times answer: positive when the answer speaks for the role."""
        return self.weight * self.answer


@dataclass(frozen=True)
class RoleScore:
    """A role's score from -1 (opposite of every weighted trait) to 1 (a perfect fit)."""

    role_id: str
    score: float
    contributions: Tuple[Contribution, ...]


@dataclass(frozen=True)
class Result:
    """Ranked offices and roles, and whether the top offices are too close to call."""

    offices: Tuple[Tuple[str, float], ...]
    roles: Tuple[RoleScore, ...]
    close_offices: Tuple[str, ...]


def score_role(role: Role, answers: Mapping[str, int]) -> RoleScore:
    """Weighted answers over the best possible total, so roles with more traits are not favoured."""
    contributions = tuple(
        Contribution(trait_id, weight.weight, answers.get(trait_id, 0)) for trait_id, weight in role.traits.items()
    )
    best = 2 * sum(abs(c.weight) for c in contributions)
    total = sum(c.value for c in contributions)
    return RoleScore(role.id, total / best if best else 0.0, contributions)


def score(kb: Knowledge, answers: Mapping[str, int], close_margin: Optional[float] = None) -> Result:
    """Ranks every role and office; ties keep the knowledge files' order."""
    margin = kb.diagnosis.close_margin if close_margin is None else close_margin
    order = {role_id: i for i, role_id in enumerate(kb.roles)}
    role_scores = sorted(
        (score_role(role, answers) for role in kb.roles.values()),
        key=lambda r: (-r.score, order[r.role_id]),
    )
    by_role = {r.role_id: r.score for r in role_scores}
    office_scores = []
    for office_id in OFFICE_IDS:
        members = sorted((by_role[r.id] for r in kb.roles_in(office_id)), reverse=True)
        best_fits = members[: kb.diagnosis.office_top_roles]
        if best_fits:
            office_scores.append((office_id, sum(best_fits) / len(best_fits)))
    office_scores.sort(key=lambda o: (-o[1], OFFICE_IDS.index(o[0])))
    best = office_scores[0][1]
    close = tuple(office_id for office_id, value in office_scores if best - value < margin)
    return Result(tuple(office_scores), tuple(role_scores), close if len(close) > 1 else ())


def _summary_line(role: Role) -> str:
    first, _, _ = role.summary.text.partition("。")
    return f"{first}。"


def role_lines(kb: Knowledge, result: Result, start: int, count: int = ROLES_PER_PAGE) -> str:
    """Ranked roles, one line each with what the work is."""
    lines = []
    for rank, role_score in enumerate(result.roles[start:start + count], start=start + 1):
        role = kb.roles[role_score.role_id]
        lines.append(kb.diagnosis.lines["role"].format(
            rank=rank, name=role.name, office=kb.offices[role.office].name, summary=_summary_line(role)
        ))
    return "\n".join(lines)


def top_reasons(kb: Knowledge, result: Result, count: int = MAX_REASONS) -> List[Tuple[Contribution, str]]:
    """The answers that raised the top roles most: (contribution, role id), strongest first, one per trait."""
    seen: Dict[str, Tuple[Contribution, str]] = {}
    for role_score in result.roles[:ROLES_PER_PAGE]:
        for contribution in role_score.contributions:
            if contribution.value <= 0:
                continue
            previous = seen.get(contribution.trait_id)
            if previous is None or contribution.value > previous[0].value:
                seen[contribution.trait_id] = (contribution, role_score.role_id)
    ranked = sorted(seen.values(), key=lambda item: -item[0].value)
    return ranked[:count]


def result_replies(kb: Knowledge, result: Result) -> List[Reply]:
    """The result: office (or a close call), the top roles, the reasons and the caveat."""
    offices = kb.offices
    replies = []
    if result.close_offices:
        names = OFFICE_JOINER.join(offices[o].name for o in result.close_offices)
        replies.append(Reply("utter_diagnosis_result_close", {"offices": names}))
    else:
        replies.append(Reply("utter_diagnosis_result_office", {"office": offices[result.offices[0][0]].name}))
    replies.append(Reply("utter_diagnosis_top_roles", {"roles": role_lines(kb, result, 0)}))
    reasons = top_reasons(kb, result)
    if reasons:
        lines = "\n".join(
            kb.diagnosis.lines["reason"].format(
                trait=kb.traits[c.trait_id].label,
                answer=answer_title(kb.diagnosis, c.answer),
                role=kb.roles[role_id].name,
            )
            for c, role_id in reasons
        )
        replies.append(Reply("utter_diagnosis_reasons", {"reasons": lines}))
    else:
        replies.append(Reply("utter_diagnosis_no_reasons"))
    replies.append(Reply("utter_diagnosis_disclaimer"))
    return replies


def explanation_replies(kb: Knowledge, result: Result) -> List[Reply]:
    """「なぜ？」: for each top role, every answer that counted and what the articles say about it."""
    replies = [Reply("utter_diagnosis_explain_intro")]
    for role_score in result.roles[:ROLES_PER_PAGE]:
        role = kb.roles[role_score.role_id]
        counted = sorted(
            (c for c in role_score.contributions if c.answer != 0), key=lambda c: -abs(c.value)
        )
        if not counted:
            continue
        lines = "\n".join(
            kb.diagnosis.lines["explanation"].format(
                trait=kb.traits[c.trait_id].label,
                answer=answer_title(kb.diagnosis, c.answer),
                reason=role.traits[c.trait_id].reason,
            )
            for c in counted
        )
        facts = [_weight_fact(role, c.trait_id) for c in counted]
        replies.append(Reply("utter_diagnosis_explain_role", {
            "name": role.name, "lines": lines, "sources": sources_of(kb, facts),
        }))
    return replies


def _weight_fact(role: Role, trait_id: str) -> Fact:
    weight = role.traits[trait_id]
    return Fact(weight.reason, weight.source)


def more_replies(kb: Knowledge, result: Result, shown: int) -> Tuple[List[Reply], int]:
    """「他には？」: the next roles after those already shown, and the new count shown."""
    if shown >= len(result.roles):
        return [Reply("utter_diagnosis_no_more")], shown
    lines = role_lines(kb, result, shown)
    return [Reply("utter_diagnosis_more", {"roles": lines})], min(shown + ROLES_PER_PAGE, len(result.roles))


def question_params(kb: Knowledge, trait_id: str) -> Dict[str, str]:
    """Number and text of a question, for utter_diagnosis_question."""
    order = list(kb.traits)
    return {
        "number": str(order.index(trait_id) + 1),
        "total": str(len(order)),
        "question": kb.traits[trait_id].question,
    }


def answer_buttons(config: DiagnosisConfig) -> List[Dict[str, str]]:
    """One button per scale answer; the payload works the same on the web, Slack and the shell."""
    return [
        {"title": answer.title, "payload": f'/diagnosis_answer{{"answer": "{answer.id}"}}'}
        for answer in config.scale
    ]


def scale_titles(config: DiagnosisConfig) -> str:
    """The scale written out, for re-asking an answer the bot could not read."""
    return "".join(f"「{answer.title}」" for answer in config.scale)


def previous_question(kb: Knowledge, slots: Mapping[str, Any], requested: Optional[str]) -> Optional[str]:
    """The slot of the question before the one being asked, if it has been answered."""
    order = question_slots(kb)
    position = order.index(requested) if requested in order else len(order)
    answered = [slot for slot in order[:position] if slots.get(slot) is not None]
    return answered[-1] if answered else None


def unanswered(kb: Knowledge, slots: Mapping[str, Any]) -> Sequence[str]:
    """Question slots still empty, in order."""
    return [slot for slot in question_slots(kb) if slots.get(slot) is None]
