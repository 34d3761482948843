"""Answers knowledge questions as response names plus parameters: pure functions over the knowledge.

Every wording lives in the domain's responses; these functions only choose the
response and fill in facts from the knowledge base, together with their sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.knowledge.base import Fact, Knowledge, Office, Role

# Long lists are cut so that a chat bubble stays readable on a phone; the knowledge
# files put the most important item first.
MAX_ITEMS = 6
BULLET = "・"
LIST_SEPARATOR = "、"


@dataclass(frozen=True)
class Subject:
    """What a question is about: role and office ids, and jobs the knowledge does not cover."""

    roles: Tuple[str, ...] = ()
    offices: Tuple[str, ...] = ()
    unknown: Tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing known or unknown was mentioned."""
        return not (self.roles or self.offices or self.unknown)

    @property
    def topic(self) -> Optional[str]:
        """The value remembered for follow-up questions: ``role:<id>`` or ``office:<id>``."""
        if self.roles:
            return f"role:{self.roles[0]}"
        if self.offices:
            return f"office:{self.offices[0]}"
        return None


@dataclass(frozen=True)
class Reply:
    """One bot message: a domain response and the values for its placeholders."""

    response: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """The messages to send and the topic to remember for follow-ups."""

    replies: Tuple[Reply, ...]
    topic: Optional[str] = None
    # The kind of question answered (an ask_* intent), kept for 「じゃあ経理は？」.
    question: Optional[str] = None


def subject_from_entities(entities: Iterable[Mapping[str, Any]]) -> Subject:
    """Collects role, office and unknown-job entities, keeping order and dropping repeats.

    An unknown job that overlaps a known name is dropped: the knowledge wins over DIET.
    """
    entities = list(entities)
    known_spans = [_span(e) for e in entities if e.get("entity") in ("job", "office")]
    found: Dict[str, List[str]] = {"job": [], "office": [], "other_job": []}
    for entity in entities:
        kind, value = entity.get("entity"), entity.get("value")
        if kind not in found or not isinstance(value, str) or not value or value in found[kind]:
            continue
        if kind == "other_job" and any(_overlaps(_span(entity), span) for span in known_spans):
            continue
        found[kind].append(value)
    return Subject(tuple(found["job"]), tuple(found["office"]), tuple(found["other_job"]))


def _span(entity: Mapping[str, Any]) -> Tuple[int, int]:
    start, end = entity.get("start"), entity.get("end")
    return (start, end) if isinstance(start, int) and isinstance(end, int) else (-1, -1)


def _overlaps(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
    return a[0] >= 0 and b[0] >= 0 and a[0] < b[1] and b[0] < a[1]


def subject_from_topic(topic: Optional[str]) -> Subject:
    """The subject of the previous answer, for questions like 「デメリットは？」."""
    kind, _, value = (topic or "").partition(":")
    if kind == "role" and value:
        return Subject(roles=(value,))
    if kind == "office" and value:
        return Subject(offices=(value,))
    return Subject()


def resolve_subject(kb: Knowledge, mentioned: Subject, topic: Optional[str]) -> Subject:
    """Drops ids the knowledge does not know and falls back to the conversation's topic."""
    known = Subject(
        tuple(r for r in mentioned.roles if r in kb.roles),
        tuple(o for o in mentioned.offices if o in kb.offices),
        mentioned.unknown,
    )
    if known.roles or known.offices:
        return Subject(known.roles, known.offices)
    if known.unknown:
        return Subject(unknown=known.unknown)
    remembered = subject_from_topic(topic)
    return resolve_subject(kb, remembered, None) if not remembered.is_empty else Subject()


def bullets(facts: Sequence[Fact], citations: Optional[Citations] = None) -> str:
    """One fact per line; titled facts as 「title：text」, each with its article's number if cited."""
    lines = []
    for fact in facts[:MAX_ITEMS]:
        mark = citations.mark(fact) if citations else ""
        lines.append(f"{BULLET}{fact.title}：{fact.text}{mark}" if fact.title else f"{BULLET}{fact.text}{mark}")
    return "\n".join(lines)


class Citations:
    """Which article each fact of an answer comes from.

    With one article, the answer ends with its title. With several, every fact carries the
    number of its article (［1］) and the answer ends with the numbered titles, so each bullet
    can be traced to the article that says it.
    """

    def __init__(self, kb: Knowledge, facts: Iterable[Fact]) -> None:
        used = {fact.source for fact in facts}
        self._files = [file for file in kb.sources if file in used]
        self._titles = kb.sources
        self._numbers = {file: number for number, file in enumerate(self._files, start=1)}

    @property
    def numbered(self) -> bool:
        """Several articles: facts carry numbers."""
        return len(self._files) > 1

    def mark(self, fact: Fact) -> str:
        """The fact's article number, or nothing when the answer cites one article."""
        return f"［{self._numbers[fact.source]}］" if self.numbered and fact.source in self._numbers else ""

    @property
    def sources(self) -> str:
        """The articles' titles, numbered when there are several."""
        if not self.numbered:
            return LIST_SEPARATOR.join(f"「{self._titles[file]}」" for file in self._files)
        return LIST_SEPARATOR.join(f"［{self._numbers[file]}］「{self._titles[file]}」" for file in self._files)


def sources_of(kb: Knowledge, facts: Iterable[Fact]) -> str:
    """Titles of the articles the facts come from, in source-file order."""
    return source_titles(kb, {fact.source for fact in facts})


def source_titles(kb: Knowledge, files: Iterable[str]) -> str:
    """Titles of the given source files, in source-file order."""
    used = set(files)
    return LIST_SEPARATOR.join(f"「{title}」" for file, title in kb.sources.items() if file in used)


def _facts_reply(kb: Knowledge, response: str, name: Optional[str], facts: Sequence[Fact]) -> Reply:
    shown = facts[:MAX_ITEMS]
    citations = Citations(kb, shown)
    params = {"items": bullets(shown, citations), "sources": citations.sources}
    return Reply(response, {"name": name, **params} if name is not None else params)


def _role_names(roles: Iterable[Role]) -> str:
    return LIST_SEPARATOR.join(role.name for role in roles)


def _office_of(kb: Knowledge, role: Role) -> Office:
    return kb.offices[role.office]


def unknown_role(kb: Knowledge, subject: Subject) -> Answer:
    """Honest answer for a job the articles do not cover."""
    return Answer(
        (
            Reply(
                "utter_unknown_role",
                {"job": LIST_SEPARATOR.join(subject.unknown), "roles": _role_names(kb.roles.values())},
            ),
        )
    )


def ask_topic(kb: Knowledge) -> Answer:
    """The question names nothing and there is no earlier topic: ask what it is about."""
    return Answer((Reply("utter_ask_topic", {"roles": _role_names(kb.roles.values())}),))


def overview(kb: Knowledge, subject: Subject) -> Answer:
    """What a role or an office is and does."""
    if subject.roles:
        role = kb.roles[subject.roles[0]]
        office = _office_of(kb, role)
        replies = [
            Reply(
                "utter_role_overview",
                {"name": role.name, "office": office.name, "summary": role.summary.text,
                 "sources": sources_of(kb, [role.summary])},
            )
        ]
        if role.duties:
            replies.append(_facts_reply(kb, "utter_role_duties", role.name, role.duties))
        if role.styles:
            replies.append(_facts_reply(kb, "utter_role_styles", role.name, role.styles))
        return Answer(tuple(replies), subject.topic)
    office = kb.offices[subject.offices[0]]
    facts = [office.definition, *office.role_in_company[:2]]
    citations = Citations(kb, facts)
    definition = office.definition.text + citations.mark(office.definition)
    replies = [
        Reply(
            "utter_office_overview",
            {"name": office.name,
             "definition": "\n".join(filter(None, [definition, bullets(office.role_in_company[:2], citations)])),
             "sources": citations.sources},
        )
    ]
    replies.append(_office_roles_reply(kb, office))
    return Answer(tuple(replies), subject.topic)


def _role_or_office_aspect(
    kb: Knowledge,
    subject: Subject,
    role_field: str,
    office_field: str,
    role_response: str,
    office_response: str,
) -> Answer:
    """A role's own facts on an aspect, else what the articles say about its office."""
    if subject.roles:
        role = kb.roles[subject.roles[0]]
        facts: Sequence[Fact] = getattr(role, role_field)
        if facts:
            return Answer((_facts_reply(kb, role_response, role.name, facts),), subject.topic)
        office = _office_of(kb, role)
        names = {"name": role.name, "office": office.name}
        office_facts: Sequence[Fact] = getattr(office, office_field)
        if not office_facts:
            return Answer((Reply(f"utter_role_and_office_no_{role_field}", names),), subject.topic)
        missing = Reply(f"utter_role_no_{role_field}", names)
        return Answer((missing, _facts_reply(kb, "utter_fact_list", None, office_facts)), subject.topic)
    office = kb.offices[subject.offices[0]]
    facts = getattr(office, office_field)
    if not facts:
        return Answer((Reply(f"utter_office_no_{office_field}", {"name": office.name}),), subject.topic)
    return Answer((_facts_reply(kb, office_response, office.name, facts),), subject.topic)


def _and_office_facts(kb: Knowledge, subject: Subject, answer: Answer, field_name: str, response: str) -> Answer:
    """An office's answer followed by its facts of a related field, when it has some."""
    office = kb.offices[subject.offices[0]] if not subject.roles else None
    facts: Sequence[Fact] = getattr(office, field_name) if office is not None else ()
    if office is None or not facts:
        return answer
    return Answer(answer.replies + (_facts_reply(kb, response, office.name, facts),), answer.topic)


def skills(kb: Knowledge, subject: Subject) -> Answer:
    """Skills and abilities asked for; for an office, also the skills its work builds."""
    answer = _role_or_office_aspect(kb, subject, "skills", "features", "utter_role_skills", "utter_office_features")
    return _and_office_facts(kb, subject, answer, "skills_gained", "utter_office_skills_gained")


def merits(kb: Knowledge, subject: Subject) -> Answer:
    """What is rewarding (a role), or the merits and rewards of working in an office."""
    answer = _role_or_office_aspect(kb, subject, "rewarding", "merits", "utter_role_rewarding", "utter_office_merits")
    return _and_office_facts(kb, subject, answer, "rewarding", "utter_office_rewarding")


def demerits(kb: Knowledge, subject: Subject) -> Answer:
    """What is hard (a role) or the demerits of working there (an office)."""
    return _role_or_office_aspect(kb, subject, "hard", "demerits", "utter_role_hard", "utter_office_demerits")


def fit(kb: Knowledge, subject: Subject) -> Answer:
    """Who the role or office suits."""
    return _role_or_office_aspect(kb, subject, "fits", "fits", "utter_role_fits", "utter_office_fits")


def _office_topic(
    kb: Knowledge, subject: Subject, field_name: str, home: str, response: str
) -> Answer:
    """An aspect the articles discuss for some offices only (KPIs for front, problems for back).

    Asked about an office without such facts, the bot says so and shows the offices that have them.
    """
    asked = _subject_office(kb, subject) or home
    having = [o for o in kb.offices.values() if getattr(o, field_name)]
    shown = [kb.offices[asked]] if kb.offices[asked] in having else having
    replies = []
    if kb.offices[asked] not in having:
        replies.append(Reply(f"utter_office_no_{field_name}", {"name": kb.offices[asked].name}))
    replies += [_facts_reply(kb, response, office.name, getattr(office, field_name)) for office in shown]
    topic = subject.topic or (f"office:{shown[0].id}" if shown else None)
    return Answer(tuple(replies), topic)


def _subject_office(kb: Knowledge, subject: Subject) -> Optional[str]:
    if subject.offices:
        return subject.offices[0]
    if subject.roles:
        return kb.roles[subject.roles[0]].office
    return None


def kpis(kb: Knowledge, subject: Subject) -> Answer:
    """Indicators the articles name (front office only)."""
    return _office_topic(kb, subject, "kpis", "front", "utter_office_kpis")


def problems(kb: Knowledge, subject: Subject) -> Answer:
    """Problems the articles name (back office only)."""
    return _office_topic(kb, subject, "problems", "back", "utter_office_problems")


def efficiency(kb: Knowledge, subject: Subject) -> Answer:
    """Ways to make the office efficient (back office only)."""
    return _office_topic(kb, subject, "efficiency", "back", "utter_office_efficiency")


def industries(kb: Knowledge, subject: Subject) -> Answer:
    """Industries where the office's skills are in demand (back office only)."""
    return _office_topic(kb, subject, "industries", "back", "utter_office_industries")


def other_names(kb: Knowledge, subject: Subject) -> Answer:
    """Other names of an office; without a subject, of every office that has some."""
    asked = _subject_office(kb, subject)
    named = [o for o in kb.offices.values() if o.other_names]
    offices = [kb.offices[asked]] if asked else (named or list(kb.offices.values()))
    replies = []
    for office in offices:
        if office.other_names:
            citations = Citations(kb, office.other_names)
            names = LIST_SEPARATOR.join(f"「{fact.text}」{citations.mark(fact)}" for fact in office.other_names)
            replies.append(
                Reply("utter_office_other_names", {"name": office.name, "names": names,
                                                   "sources": citations.sources})
            )
        else:
            replies.append(Reply("utter_office_no_other_names", {"name": office.name}))
    return Answer(tuple(replies), subject.topic)


def collaboration(kb: Knowledge, subject: Subject) -> Answer:
    """How front and back office depend on each other, and tips for working together."""
    return Answer(
        (
            _facts_reply(kb, "utter_interdependence", None, kb.interdependence),
            _facts_reply(kb, "utter_collaboration_tips", None, kb.collaboration_tips),
        ),
        subject.topic,
    )


def office_roles(kb: Knowledge, subject: Subject) -> Answer:
    """Which roles an office has, or which office a role belongs to."""
    if subject.roles:
        replies = tuple(
            Reply("utter_role_office", {"name": kb.roles[r].name, "office": kb.offices[kb.roles[r].office].name,
                                        "sources": sources_of(kb, [kb.roles[r].summary])})
            for r in subject.roles
        )
        return Answer(replies, subject.topic)
    offices = [kb.offices[o] for o in subject.offices] or list(kb.offices.values())
    return Answer(tuple(_office_roles_reply(kb, office) for office in offices), subject.topic)


def _office_roles_reply(kb: Knowledge, office: Office) -> Reply:
    roles = kb.roles_in(office.id)
    if not roles:
        return Reply("utter_office_no_roles", {"name": office.name})
    # Each role's summary is where an article places it in its office.
    citations = Citations(kb, [role.summary for role in roles])
    names = LIST_SEPARATOR.join(role.name + citations.mark(role.summary) for role in roles)
    return Reply("utter_office_roles", {"name": office.name, "roles": names, "sources": citations.sources})


def difference(kb: Knowledge, subject: Subject, topic: Optional[str], same_role_twice: bool = False) -> Answer:
    """Compares two roles, the middle office with the others, or front with back office."""
    roles = list(subject.roles)
    previous = [r for r in subject_from_topic(topic).roles if r in kb.roles]
    if same_role_twice and len(roles) == 1:
        return compare_roles(kb, kb.roles[roles[0]], kb.roles[roles[0]])
    if len(roles) == 1 and previous and previous[0] != roles[0]:
        roles = [previous[0], roles[0]]
    if not roles and not subject.offices and previous:
        roles = previous  # 「違いは？」 right after a role: with which one?
    if len(roles) >= 2:
        return compare_roles(kb, kb.roles[roles[0]], kb.roles[roles[1]])
    if len(roles) == 1:
        role = kb.roles[roles[0]]
        example = next(r.name for r in kb.roles.values() if r.office != role.office)
        return Answer((Reply("utter_ask_compare_with", {"name": role.name, "example": example}),), f"role:{role.id}")
    if "middle" in subject.offices:
        middle = kb.offices["middle"]
        citations = Citations(kb, [middle.definition, *middle.role_in_company[:MAX_ITEMS]])
        return Answer(
            (Reply("utter_middle_difference", {"definition": middle.definition.text + citations.mark(middle.definition),
                                               "items": bullets(middle.role_in_company, citations),
                                               "sources": citations.sources}),),
            "office:middle",
        )
    shown = kb.differences[:MAX_ITEMS]
    citations = Citations(kb, [Fact(row.aspect, row.source) for row in shown])
    rows = "\n".join(
        f"【{row.aspect}】{citations.mark(Fact(row.aspect, row.source))}\n"
        f"{BULLET}{kb.offices['front'].name}：{row.front}\n{BULLET}{kb.offices['back'].name}：{row.back}"
        for row in shown
    )
    return Answer((Reply("utter_office_difference", {"rows": rows, "sources": citations.sources}),), subject.topic)


def distinction(kb: Knowledge, a: str, b: str) -> Optional[Answer]:
    """「人事と労務の違い」: two names of one role that the articles tell apart, with what each covers."""
    entry = kb.distinction(a, b) if a and b else None
    if entry is None or entry.role not in kb.roles:
        return None
    role = kb.roles[entry.role]
    reply = _facts_reply(kb, "utter_role_distinction", role.name, entry.facts)
    return Answer((Reply(reply.response, {"a_name": a, "b_name": b, **reply.params}),), f"role:{role.id}")


def compare_roles(kb: Knowledge, first: Role, second: Role) -> Answer:
    """Two roles side by side: office, summary and main duties of each."""
    if first.id == second.id:
        return Answer((Reply("utter_same_role", {"name": first.name}),), f"role:{first.id}")
    replies = [Reply("utter_compare_intro", {"a_name": first.name, "b_name": second.name})]
    for role in (first, second):
        duties = role.duties[:4]
        citations = Citations(kb, [role.summary, *duties])
        params = {
            "name": role.name,
            "office": _office_of(kb, role).name,
            "summary": role.summary.text + citations.mark(role.summary),
            "duties": LIST_SEPARATOR.join(d.text + citations.mark(d) for d in duties),
            "sources": citations.sources,
        }
        replies.append(Reply("utter_compare_role" if duties else "utter_compare_role_no_duties", params))
    return Answer(tuple(replies), f"role:{second.id}")


Handler = Callable[[Knowledge, Subject], Answer]

HANDLERS: Dict[str, Handler] = {
    "ask_overview": overview,
    "ask_skills": skills,
    "ask_merits": merits,
    "ask_demerits": demerits,
    "ask_fit": fit,
    "ask_office_roles": office_roles,
    "ask_kpi": kpis,
    "ask_problems": problems,
    "ask_efficiency": efficiency,
    "ask_industries": industries,
    "ask_other_names": other_names,
    "ask_collaboration": collaboration,
}

# Questions that make sense without naming a role or an office.
GENERAL_QUESTIONS = {
    "ask_office_roles", "ask_kpi", "ask_problems", "ask_efficiency",
    "ask_industries", "ask_other_names", "ask_collaboration",
}


def answer_question(
    kb: Knowledge, intent: str, entities: Iterable[Mapping[str, Any]], topic: Optional[str]
) -> Answer:
    """The whole answer to a knowledge question, given the NLU result and the current topic."""
    entities = list(entities)
    if intent != "ask_difference" and intent not in HANDLERS:
        return Answer((Reply("utter_default"),))
    mentioned = subject_from_entities(entities)
    unknown = unknown_role(kb, mentioned) if mentioned.unknown else None
    if intent == "ask_difference":
        if unknown:
            return unknown
        jobs = [e for e in entities if e.get("entity") == "job"]
        same_twice = len(jobs) >= 2 and len({e.get("value") for e in jobs}) == 1
        if same_twice:
            distinct = distinction(kb, str(jobs[0].get("text") or ""), str(jobs[1].get("text") or ""))
            if distinct is not None:
                return distinct
        return difference(kb, resolve_subject(kb, mentioned, None), topic, same_twice)
    known = resolve_subject(kb, Subject(mentioned.roles, mentioned.offices), None)
    if unknown and known.is_empty:
        return unknown
    subject = known if not known.is_empty else resolve_subject(kb, Subject(), topic)
    if subject.is_empty and intent not in GENERAL_QUESTIONS:
        return ask_topic(kb)
    answer = HANDLERS[intent](kb, subject)
    if unknown:  # 「営業とパイロットのメリットは？」: say which one is not covered, then answer the other
        return Answer(unknown.replies + answer.replies, answer.topic)
    return answer
