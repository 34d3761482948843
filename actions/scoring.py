"""The suitability diagnosis as pure functions: read answers, score roles and offices, word the result.

Scores come only from the trait weights in ``roles.yml`` and the user's answers, so the
same answers always give the same result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from actions.queries import Citations, Reply, sources_of
from actions.statements import StatementReader, TraitReading
from bot.knowledge.base import OFFICE_IDS, DiagnosisConfig, Fact, Knowledge, Role
from bot.knowledge.constants import QUESTION_INTENT_PREFIX
from bot.knowledge.text import fold

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


def scale_value(config: DiagnosisConfig, text: Optional[str]) -> Optional[int]:
    """The value of a button id, a scale value or a scale title written out; None for anything else."""
    if text is None:
        return None
    folded = _compact(text)
    for answer in config.scale:
        if folded in (answer.id, str(answer.value), _compact(answer.title)):
            return answer.value
    return None


def _compact(text: str) -> str:
    return _IGNORED.sub("", fold(str(text)))


# Requests that steer the diagnosis, or ask to delete the conversation, are never taken as
# answers (when worded as such): 「記録を消したい」 must not read as 「したい」 = yes.
CONTROL_INTENTS = frozenset({"stop_diagnosis", "restart_diagnosis", "go_back", "request_forget"})
# A question about the knowledge interrupts the diagnosis: it is answered, then the
# question is asked again.
_QUOTED = re.compile(r"[『「\"](.+?)[』」\"]")
_QUESTION_END = re.compile(r"(?:[?？]|(?:か|かな|の|って)[。.!！]*)$")


class TurnKind(str, Enum):
    """What a user message means while a diagnosis question is open."""

    ANSWER = "answer"  # an answer to the open question
    SKIP = "skip"  # not an answer: a question or a request the rules handle
    UNCLEAR = "unclear"  # meant as an answer, but the bot cannot tell which
    CONFIRM = "confirm"  # yes to the answer the bot took from an earlier message
    REJECT = "reject"  # no to it: ask the question as usual
    CORRECTION = "correction"  # a new answer to the previous question (「さっきのは『いいえ』で」)


@dataclass(frozen=True)
class Turn:
    """A reading of one message while a question is open."""

    kind: TurnKind
    trait: str = ""  # the trait the value answers (the previous one for a correction)
    value: Optional[int] = None
    words: str = ""  # the user's words that gave the value, when they name the trait
    others: Tuple[TraitReading, ...] = ()  # what the message also says about other traits


def read_turn(
    kb: Knowledge,
    reader: StatementReader,
    message: Mapping[str, Any],
    trait: str,
    pending: Optional[int] = None,
    previous: Optional[str] = None,
) -> Turn:
    """What the latest user message says to the open question on ``trait``.

    ``pending`` is the answer taken from an earlier message that the bot asked to confirm;
    ``previous`` the trait of the question answered before, which a correction changes.
    """
    config = kb.diagnosis
    intent = (message.get("intent") or {}).get("name") or ""
    text = str(message.get("text") or "")
    entities = message.get("entities") or []
    button = next((e.get("value") for e in entities if e.get("entity") == "answer"), None)
    if button is not None:
        value = scale_value(config, button)
        return Turn(TurnKind.UNCLEAR, trait) if value is None else Turn(TurnKind.ANSWER, trait, value)
    compact = _compact(text)
    statements = reader.read(text)
    if pending is not None:
        if compact in config.confirm_exact:
            return Turn(TurnKind.CONFIRM, trait, pending)
        if compact in config.reject_exact:
            return Turn(TurnKind.REJECT, trait)
        if not statements:
            # No word of any trait: 「はい、合ってます」 is a clear yes to the question asked to
            # confirm, 「いや、違いますね」 a clear no; anything milder is an answer of its own.
            reading = reader.answer(text, trait)
            if reading is not None and abs(reading.value) == 2:
                return Turn(TurnKind.CONFIRM, trait, pending) if reading.value > 0 else Turn(TurnKind.REJECT, trait)
    if previous is not None:
        corrected = correction(kb, reader, text, previous)
        if corrected is not None:
            return Turn(TurnKind.CORRECTION, previous, corrected)
    if intent in CONTROL_INTENTS and is_worded_as(config, intent, text):
        return Turn(TurnKind.SKIP, trait)
    exact = scale_value(config, text)
    if exact is not None:
        return Turn(TurnKind.ANSWER, trait, exact)
    others = tuple(reading for other, reading in statements.items() if other != trait)
    names_a_subject = any(e.get("entity") in ("job", "office", "other_job") for e in entities)
    asks = _QUESTION_END.search(fold(text).strip())
    if intent.startswith(QUESTION_INTENT_PREFIX) and names_a_subject and asks:
        return Turn(TurnKind.SKIP, trait)  # 「営業って残業多いですか？」 asks; it does not answer
    reading = reader.answer(text, trait)
    if reading is not None:
        # Quote the words only where they say what the question asked, not 『はい』 alone.
        words = statements[trait].evidence if trait in statements else ""
        return Turn(TurnKind.ANSWER, trait, reading.value, words, others)
    if intent.startswith(QUESTION_INTENT_PREFIX):
        return Turn(TurnKind.SKIP, trait)
    return Turn(TurnKind.UNCLEAR, trait, others=others)


def remember_later(
    kb: Knowledge, slots: Mapping[str, Any], requested: str, turn: Turn, inferred: Mapping[str, Any]
) -> Dict[str, Any]:
    """The answers taken so far for questions still to come, with what this message said about them.

    「土日休みたいし、ノルマも嫌です」 to the question on holidays also answers the one on
    targets if it has not been asked yet; an answer to a question already answered is not changed.
    """
    order = question_slots(kb)
    position = order.index(requested) if requested in order else len(order)
    later = {trait: dict(value) for trait, value in inferred.items() if isinstance(value, Mapping)}
    for reading in turn.others:
        slot = slot_for(reading.trait)
        if slot in order and order.index(slot) > position and slots.get(slot) is None:
            later[reading.trait] = {"value": reading.value, "words": reading.evidence}
    return later


def correction(kb: Knowledge, reader: StatementReader, text: str, previous: str) -> Optional[int]:
    """A new answer to the previous question, as in 「さっきの質問、やっぱり『いいえ』で」; else None.

    The message must point back (さっきの質問, 前の答え …) and then give an answer. 「前の質問に
    戻りたい」 gives none after its cue (only a wish to go back) and stays a request to go back.
    """
    config = kb.diagnosis
    folded = fold(text)
    cues = config.control_cues.get("go_back", ())
    found = [(folded.find(cue), -len(cue), cue) for cue in cues if cue in folded]
    if not found:
        return None
    at, _, cue = min(found)
    rest = folded[at + len(cue):]
    if any(other in rest for other in cues):
        return None
    for quoted in _QUOTED.findall(rest):
        value = scale_value(config, quoted)
        if value is not None:
            return value
    reading = reader.answer(rest, previous)
    return None if reading is None else reading.value


def is_worded_as(config: DiagnosisConfig, intent: str, text: Optional[str]) -> bool:
    """Whether a message classified as a stop/restart/back request also says so in words."""
    folded = _compact(text or "")
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
    # An office whose own evidence is missing (ミドルオフィス without interest in its bridging
    # and risk work) ranks after the others, however its roles score.
    office_scores.sort(key=lambda o: (not has_evidence(kb, o[0], answers), -o[1], OFFICE_IDS.index(o[0])))
    eligible = [(o, v) for o, v in office_scores if has_evidence(kb, o, answers)] or office_scores
    best = eligible[0][1]
    close = tuple(office_id for office_id, value in eligible if best - value < margin)
    return Result(tuple(office_scores), tuple(role_scores), close if len(close) > 1 else ())


def has_evidence(kb: Knowledge, office_id: str, answers: Mapping[str, int]) -> bool:
    """Whether every trait the office requires (diagnosis.yml office_requires) was answered with a yes."""
    return all(answers.get(trait_id, 0) > 0 for trait_id in kb.diagnosis.office_requires.get(office_id, ()))


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


def result_replies(kb: Knowledge, result: Result, words: Optional[Mapping[str, str]] = None) -> List[Reply]:
    """The result: office (or a close call and why), the top roles, the reasons and the caveat.

    ``words`` maps a trait to what the person said about it; reasons quote it where given.
    """
    words = words or {}
    offices = kb.offices
    replies = []
    if result.close_offices:
        names = OFFICE_JOINER.join(offices[o].name for o in result.close_offices)
        replies.append(Reply("utter_diagnosis_result_close", {
            "offices": names, "leanings": leaning_lines(kb, result, words),
        }))
    else:
        replies.append(Reply("utter_diagnosis_result_office", {"office": offices[result.offices[0][0]].name}))
    replies.append(Reply("utter_diagnosis_top_roles", {"roles": role_lines(kb, result, 0)}))
    reasons = top_reasons(kb, result)
    if reasons:
        facts = [_weight_fact(kb.roles[role_id], c.trait_id) for c, role_id in reasons]
        citations = Citations(kb, facts)
        lines = []
        quoted = set()
        for (contribution, role_id), fact in zip(reasons, facts, strict=True):
            reason = f"{fact.text}{citations.mark(fact)}"
            said = words.get(contribution.trait_id)
            if said and said not in quoted:  # one sentence that answered two questions is quoted once
                quoted.add(said)
                lines.append(kb.diagnosis.lines["reason_words"].format(
                    words=said, role=kb.roles[role_id].name, reason=reason))
            else:
                lines.append(kb.diagnosis.lines["reason"].format(
                    trait=kb.traits[contribution.trait_id].label,
                    answer=answer_title(kb.diagnosis, contribution.answer),
                    role=kb.roles[role_id].name, reason=reason))
        replies.append(Reply("utter_diagnosis_reasons", {"reasons": "\n".join(lines), "sources": citations.sources}))
    else:
        replies.append(Reply("utter_diagnosis_no_reasons"))
    replies.append(Reply("utter_diagnosis_disclaimer"))
    return replies


def leaning_lines(kb: Knowledge, result: Result, words: Mapping[str, str], per_office: int = 2) -> str:
    """For a close call, the answers that pulled towards each close office more than towards the others."""
    by_role = {r.role_id: r for r in result.roles}
    pulls: Dict[str, Dict[str, int]] = {}
    for office_id in result.close_offices:
        best = sorted((by_role[r.id] for r in kb.roles_in(office_id)), key=lambda r: -r.score)
        strongest: Dict[str, int] = {}
        for role_score in best[: kb.diagnosis.office_top_roles]:
            for c in role_score.contributions:
                if c.value > 0:
                    strongest[c.trait_id] = max(strongest.get(c.trait_id, 0), c.value)
        pulls[office_id] = strongest
    order = list(kb.traits)
    lines = []
    for office_id, strongest in pulls.items():
        # 『人と話すのが好き』 helps 総務 too, but it is not what sets the back office apart.
        own = [t for t, v in strongest.items()
               if all(v > other.get(t, 0) for o, other in pulls.items() if o != office_id)]
        ranked = sorted(own, key=lambda t: (-strongest[t], order.index(t)))[:per_office]
        if ranked:
            said = "".join(f"『{words.get(t) or kb.traits[t].label}』" for t in ranked)
            lines.append(kb.diagnosis.lines["leaning"].format(office=kb.offices[office_id].name, traits=said))
    return "\n".join(lines)


def explanation_replies(kb: Knowledge, result: Result, words: Optional[Mapping[str, str]] = None) -> List[Reply]:
    """「なぜ？」: for each top role, every answer that counted and what the articles say about it.

    An answer given in the person's words is shown with them: （あなたの答え：『…』→とても当てはまる）.
    """
    words = words or {}
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
                answer=_answer_with_words(kb, c, words),
                reason=role.traits[c.trait_id].reason,
            )
            for c in counted
        )
        facts = [_weight_fact(role, c.trait_id) for c in counted]
        replies.append(Reply("utter_diagnosis_explain_role", {
            "name": role.name, "lines": lines, "sources": sources_of(kb, facts),
        }))
    return replies


def _answer_with_words(kb: Knowledge, contribution: Contribution, words: Mapping[str, str]) -> str:
    title = answer_title(kb.diagnosis, contribution.answer)
    said = words.get(contribution.trait_id)
    return f"『{said}』→{title}" if said else title


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


def previous_question(kb: Knowledge, slots: Mapping[str, Any], requested: Optional[str]) -> Optional[str]:
    """The slot of the question before the one being asked, if it has been answered."""
    order = question_slots(kb)
    position = order.index(requested) if requested in order else len(order)
    answered = [slot for slot in order[:position] if slots.get(slot) is not None]
    return answered[-1] if answered else None


def unanswered(kb: Knowledge, slots: Mapping[str, Any]) -> Sequence[str]:
    """Question slots still empty, in order."""
    return [slot for slot in question_slots(kb) if slots.get(slot) is None]
