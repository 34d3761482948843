"""Loads and validates the hand-built knowledge base in ``data/knowledge/``.

The YAML files are the single source of truth for facts, sources, role names and
aliases. Both the action server and the NLU entity extractor read them through
:func:`load_knowledge`, which refuses inconsistent data with an error that names
the file and the entry.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterator, List, Mapping, Optional, Tuple

import yaml

from bot.knowledge.constants import MAX_BUTTONS
from bot.knowledge.text import fold

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "data" / "knowledge"
KNOWLEDGE_DIR_ENV = "KNOWLEDGE_DIR"
FILES = ("sources.yml", "traits.yml", "offices.yml", "roles.yml", "topics.yml", "diagnosis.yml")
OFFICE_IDS = ("front", "back", "middle")
TRAIT_WEIGHT_RANGE = (-2, 2)


class KnowledgeError(ValueError):
    """The knowledge data is malformed or inconsistent."""

    def __init__(self, file: str, entry: str, problem: str) -> None:
        super().__init__(f"{file}: {entry}: {problem}")
        self.file = file
        self.entry = entry
        self.problem = problem


@dataclass(frozen=True)
class Fact:
    """One statement taken from an article, with the article it comes from."""

    text: str
    source: str
    title: str = ""


@dataclass(frozen=True)
class TraitWeight:
    """How strongly a trait speaks for a role, and why the articles say so."""

    weight: int
    reason: str
    source: str

    def fact(self, title: str = "") -> Fact:
        """The reason as a fact of its article, the form in which answers quote it."""
        return Fact(self.reason, self.source, title)


@dataclass(frozen=True)
class Trait:
    """A personal trait the articles tie to fit for a kind of work."""

    id: str
    label: str
    question: str
    description: str
    sources: Tuple[str, ...]
    # Said when an answer could not be read: the kind of answer the question expects.
    hint: str


@dataclass(frozen=True)
class Office:
    """Front, back or middle office."""

    id: str
    name: str
    aliases: Tuple[str, ...]
    definition: Fact
    other_names: Tuple[Fact, ...] = ()
    role_in_company: Tuple[Fact, ...] = ()
    features: Tuple[Fact, ...] = ()
    merits: Tuple[Fact, ...] = ()
    demerits: Tuple[Fact, ...] = ()
    rewarding: Tuple[Fact, ...] = ()
    fits: Tuple[Fact, ...] = ()
    kpis: Tuple[Fact, ...] = ()
    problems: Tuple[Fact, ...] = ()
    efficiency: Tuple[Fact, ...] = ()
    industries: Tuple[Fact, ...] = ()
    trends: Tuple[Fact, ...] = ()
    skills_gained: Tuple[Fact, ...] = ()


@dataclass(frozen=True)
class Role:
    """A job or department the articles describe."""

    id: str
    name: str
    office: str
    aliases: Tuple[str, ...]
    summary: Fact
    duties: Tuple[Fact, ...] = ()
    skills: Tuple[Fact, ...] = ()
    rewarding: Tuple[Fact, ...] = ()
    hard: Tuple[Fact, ...] = ()
    fits: Tuple[Fact, ...] = ()
    styles: Tuple[Fact, ...] = ()
    traits: Mapping[str, TraitWeight] = field(default_factory=dict)


@dataclass(frozen=True)
class Difference:
    """One row of the front/back comparison."""

    aspect: str
    front: str
    back: str
    source: str


@dataclass(frozen=True)
class Distinction:
    """Two names of one role that the articles describe as different parts of it (人事 / 労務)."""

    terms: Tuple[str, ...]
    role: str
    facts: Tuple[Fact, ...]


@dataclass(frozen=True)
class ScaleAnswer:
    """One of the diagnosis' answer buttons."""

    id: str
    value: int
    title: str


@dataclass(frozen=True)
class DiagnosisConfig:
    """How diagnosis answers are read and result lines are worded (diagnosis.yml)."""

    scale: Tuple[ScaleAnswer, ...]
    close_margin: float
    office_top_roles: int
    # Office id → traits whose answers must all lean "yes" for the office to come first.
    office_requires: Mapping[str, Tuple[str, ...]]
    control_cues: Mapping[str, Tuple[str, ...]]
    control_exact: Mapping[str, Tuple[str, ...]]
    # Whole replies that accept or turn down an answer the bot took from an earlier message.
    confirm_exact: Tuple[str, ...]
    reject_exact: Tuple[str, ...]
    lines: Mapping[str, str]


LINE_PLACEHOLDERS = {
    "role": ("{rank}", "{name}", "{office}", "{summary}"),
    "reason": ("{trait}", "{answer}", "{role}", "{reason}"),
    "reason_words": ("{words}", "{role}", "{reason}"),
    "explanation": ("{trait}", "{answer}", "{reason}"),
    "leaning": ("{office}", "{traits}"),
}


@dataclass(frozen=True)
class Knowledge:
    """The whole knowledge base, validated."""

    sources: Mapping[str, str]
    traits: Mapping[str, Trait]
    offices: Mapping[str, Office]
    roles: Mapping[str, Role]
    differences: Tuple[Difference, ...]
    interdependence: Tuple[Fact, ...]
    collaboration_tips: Tuple[Fact, ...]
    diagnosis: DiagnosisConfig
    distinctions: Tuple[Distinction, ...] = ()

    def distinction(self, a: str, b: str) -> Optional[Distinction]:
        """What the articles say tells ``a`` and ``b`` apart, if they are the two terms of one entry.

        Names are compared by :func:`alias_key` (width and case do not matter), in either order;
        ``None`` when no entry pairs them (including ``a`` and ``b`` being the same name).
        """
        key_a, key_b = alias_key(a.strip()), alias_key(b.strip())
        if key_a == key_b:
            return None
        for entry in self.distinctions:
            if {key_a, key_b} == {alias_key(term) for term in entry.terms}:
                return entry
        return None

    def roles_in(self, office_id: str) -> List[Role]:
        """Roles that belong to an office, in file order."""
        return [role for role in self.roles.values() if role.office == office_id]

    def aliases(self) -> Dict[str, Tuple[str, str]]:
        """Every name users may write, mapped to ``(entity, id)``: entity ``job`` or ``office``."""
        table: Dict[str, Tuple[str, str]] = {}
        for office in self.offices.values():
            for alias in (office.name, *office.aliases):
                table[alias_key(alias)] = ("office", office.id)
        for role in self.roles.values():
            for alias in (role.name, *role.aliases):
                table[alias_key(alias)] = ("job", role.id)
        return table


def alias_key(alias: str) -> str:
    """The form under which aliases are compared: NFKC and case-folded."""
    return fold(alias)


class _Reader:
    """Turns one knowledge file's YAML into dataclasses, naming the file and entry on any error."""

    def __init__(self, directory: Path, name: str, sources: Optional[Mapping[str, str]]) -> None:
        self.file = str(directory / name)
        self.data = read_yaml(directory, name)
        self.sources = sources

    def fail(self, entry: str, problem: str) -> KnowledgeError:
        return KnowledgeError(self.file, entry, problem)

    def text(self, raw: Mapping[str, Any], key: str, entry: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(entry, f"'{key}' must be a non-empty string")
        return value.strip()

    def source(self, raw: Mapping[str, Any], entry: str) -> str:
        source = raw.get("source")
        if not isinstance(source, str) or not source.strip():
            raise self.fail(entry, "missing 'source'")
        if self.sources is not None and source not in self.sources:
            raise self.fail(entry, f"unknown source '{source}' (not listed in sources.yml)")
        return source

    def fact(self, raw: Any, entry: str) -> Fact:
        if not isinstance(raw, Mapping):
            raise self.fail(entry, "must be a mapping with 'text' and 'source'")
        title = raw.get("title", "")
        if not isinstance(title, str):
            raise self.fail(entry, "'title' must be a string")
        return Fact(self.text(raw, "text", entry), self.source(raw, entry), title.strip())

    def facts(self, raw: Mapping[str, Any], key: str, entry: str) -> Tuple[Fact, ...]:
        items = raw.get(key) or []
        if not isinstance(items, list):
            raise self.fail(entry, f"'{key}' must be a list")
        return tuple(self.fact(item, f"{entry}.{key}[{i}]") for i, item in enumerate(items))

    def strings(self, raw: Mapping[str, Any], key: str, entry: str) -> Tuple[str, ...]:
        items = raw.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise self.fail(entry, f"'{key}' must be a list of non-empty strings")
        return tuple(i.strip() for i in items)

    def entries(self, key: str) -> List[Mapping[str, Any]]:
        items = self.data.get(key) if isinstance(self.data, Mapping) else None
        if not isinstance(items, list) or not items:
            raise self.fail(key, f"top-level key '{key}' must be a non-empty list")
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise self.fail(f"{key}[{i}]", "must be a mapping")
        return items

    def identified(self, key: str) -> Iterator[Tuple[str, str, Mapping[str, Any]]]:
        """The entries of the list ``key``: each one's id (unique), its name in errors, its data."""
        seen: Dict[str, str] = {}
        for index, raw in enumerate(self.entries(key)):
            entry = f"{key}[{index}]"
            value = self.text(raw, "id", entry)
            if value in seen:
                raise self.fail(f"{entry} (id={value})", "duplicate id")
            seen[value] = entry
            yield value, f"{entry} (id={value})", raw


def read_yaml(directory: Path, name: str) -> Any:
    """A knowledge file's YAML; a missing or invalid file raises :class:`KnowledgeError` naming it."""
    path = directory / name
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise KnowledgeError(str(path), "-", "file not found") from None
    except yaml.YAMLError as error:
        raise KnowledgeError(str(path), "-", f"invalid YAML: {error}") from None


def _load_sources(directory: Path) -> Dict[str, str]:
    reader = _Reader(directory, "sources.yml", None)
    sources: Dict[str, str] = {}
    for i, raw in enumerate(reader.entries("sources")):
        file = reader.text(raw, "file", f"sources[{i}]")
        if file in sources:
            raise reader.fail(f"sources[{i}] (file={file})", "duplicate source")
        sources[file] = reader.text(raw, "title", f"sources[{i}] (file={file})")
    return sources


def _load_traits(directory: Path, sources: Mapping[str, str]) -> Dict[str, Trait]:
    reader = _Reader(directory, "traits.yml", sources)
    traits: Dict[str, Trait] = {}
    for trait_id, entry, raw in reader.identified("traits"):
        trait_sources = reader.strings(raw, "sources", entry)
        if not trait_sources:
            raise reader.fail(entry, "missing 'sources'")
        for source in trait_sources:
            if source not in sources:
                raise reader.fail(entry, f"unknown source '{source}' (not listed in sources.yml)")
        traits[trait_id] = Trait(
            trait_id,
            reader.text(raw, "label", entry),
            reader.text(raw, "question", entry),
            reader.text(raw, "description", entry),
            trait_sources,
            reader.text(raw, "hint", entry),
        )
    return traits


def _load_offices(directory: Path, sources: Mapping[str, str]) -> Dict[str, Office]:
    reader = _Reader(directory, "offices.yml", sources)
    offices: Dict[str, Office] = {}
    for office_id, entry, raw in reader.identified("offices"):
        if office_id not in OFFICE_IDS:
            raise reader.fail(entry, f"unknown office id; expected one of {', '.join(OFFICE_IDS)}")
        lists = {
            key: reader.facts(raw, key, entry)
            for key in (
                "other_names", "role_in_company", "features", "merits", "demerits",
                "rewarding", "fits", "kpis", "problems", "efficiency", "industries",
                "trends", "skills_gained",
            )
        }
        offices[office_id] = Office(
            id=office_id,
            name=reader.text(raw, "name", entry),
            aliases=reader.strings(raw, "aliases", entry),
            definition=reader.fact(raw.get("definition"), f"{entry}.definition"),
            **lists,
        )
    return offices


def _load_roles(
    directory: Path,
    sources: Mapping[str, str],
    offices: Mapping[str, Office],
    traits: Mapping[str, Trait],
) -> Dict[str, Role]:
    reader = _Reader(directory, "roles.yml", sources)
    roles: Dict[str, Role] = {}
    for role_id, entry, raw in reader.identified("roles"):
        office = reader.text(raw, "office", entry)
        if office not in offices:
            raise reader.fail(entry, f"unknown office '{office}'")
        styles = []
        for j, style in enumerate(raw.get("styles") or []):
            style_entry = f"{entry}.styles[{j}]"
            if not isinstance(style, Mapping):
                raise reader.fail(style_entry, "must be a mapping")
            fact = reader.fact({**style, "title": style.get("name", "")}, style_entry)
            if not fact.title:
                raise reader.fail(style_entry, "'name' must be a non-empty string")
            styles.append(fact)
        roles[role_id] = Role(
            id=role_id,
            name=reader.text(raw, "name", entry),
            office=office,
            aliases=reader.strings(raw, "aliases", entry),
            summary=reader.fact(raw.get("summary"), f"{entry}.summary"),
            duties=reader.facts(raw, "duties", entry),
            skills=reader.facts(raw, "skills", entry),
            rewarding=reader.facts(raw, "rewarding", entry),
            hard=reader.facts(raw, "hard", entry),
            fits=reader.facts(raw, "fits", entry),
            styles=tuple(styles),
            traits=_trait_weights(reader, raw.get("traits"), entry, traits),
        )
    return roles


def _trait_weights(
    reader: _Reader, raw: Any, entry: str, traits: Mapping[str, Trait]
) -> Dict[str, TraitWeight]:
    if not isinstance(raw, Mapping) or not raw:
        raise reader.fail(entry, "'traits' must map trait ids to weights")
    low, high = TRAIT_WEIGHT_RANGE
    weights: Dict[str, TraitWeight] = {}
    for trait_id, value in raw.items():
        trait_entry = f"{entry}.traits.{trait_id}"
        if trait_id not in traits:
            raise reader.fail(trait_entry, "unknown trait (not listed in traits.yml)")
        if not isinstance(value, Mapping):
            raise reader.fail(trait_entry, "must be a mapping with weight, reason and source")
        weight = value.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int) or not low <= weight <= high:
            raise reader.fail(trait_entry, f"'weight' must be an integer from {low} to {high}")
        weights[str(trait_id)] = TraitWeight(
            weight, reader.text(value, "reason", trait_entry), reader.source(value, trait_entry)
        )
    return weights


def _load_topics(directory: Path, sources: Mapping[str, str]) -> Dict[str, Any]:
    reader = _Reader(directory, "topics.yml", sources)
    differences = []
    for i, raw in enumerate(reader.entries("differences")):
        entry = f"differences[{i}]"
        differences.append(
            Difference(
                reader.text(raw, "aspect", entry),
                reader.text(raw, "front", entry),
                reader.text(raw, "back", entry),
                reader.source(raw, entry),
            )
        )
    return {
        "differences": tuple(differences),
        "interdependence": reader.facts(reader.data, "interdependence", "interdependence"),
        "collaboration_tips": reader.facts(reader.data, "collaboration_tips", "collaboration_tips"),
    }


def _load_distinctions(
    directory: Path, sources: Mapping[str, str], roles: Mapping[str, Role]
) -> Tuple[Distinction, ...]:
    """Optional ``distinctions`` of topics.yml: two names of one role the articles tell apart."""
    reader = _Reader(directory, "topics.yml", sources)
    data = reader.data
    raw_entries = data.get("distinctions") if isinstance(data, Mapping) else None
    if raw_entries is None:
        return ()
    if not isinstance(raw_entries, list):
        raise reader.fail("distinctions", "top-level key 'distinctions' must be a list")
    distinctions: List[Distinction] = []
    seen: Dict[FrozenSet[str], str] = {}
    for i, raw in enumerate(raw_entries):
        entry = f"distinctions[{i}]"
        if not isinstance(raw, Mapping):
            raise reader.fail(entry, "must be a mapping with 'terms', 'role' and 'facts'")
        terms = reader.strings(raw, "terms", entry)
        entry = f"{entry} (terms={'/'.join(terms)})" if terms else entry
        keys = frozenset(alias_key(term) for term in terms)
        if len(terms) != 2 or len(keys) != 2:
            raise reader.fail(entry, "'terms' must be a list of two different names")
        role_id = reader.text(raw, "role", entry)
        role = roles.get(role_id)
        if role is None:
            raise reader.fail(entry, f"unknown role '{role_id}' (not listed in roles.yml)")
        names = {alias_key(name) for name in (role.name, *role.aliases)}
        for term in terms:
            if alias_key(term) not in names:
                raise reader.fail(entry, f"term '{term}' is not a name or alias of role '{role_id}'")
        if keys in seen:
            raise reader.fail(entry, f"the same terms are already paired by {seen[keys]}")
        seen[keys] = entry
        facts = reader.facts(raw, "facts", entry)
        if not facts:
            raise reader.fail(entry, "'facts' must be a non-empty list")
        distinctions.append(Distinction(terms, role_id, facts))
    return tuple(distinctions)


def _load_diagnosis(directory: Path) -> DiagnosisConfig:
    reader = _Reader(directory, "diagnosis.yml", None)
    data = reader.data
    scale = []
    for i, raw in enumerate(reader.entries("scale")):
        entry = f"scale[{i}]"
        value = raw.get("value")
        if isinstance(value, bool) or not isinstance(value, int) or not -2 <= value <= 2:
            raise reader.fail(entry, "'value' must be an integer from -2 to 2")
        scale.append(ScaleAnswer(reader.text(raw, "id", entry), value, reader.text(raw, "title", entry)))
    if len(scale) > MAX_BUTTONS:
        raise reader.fail("scale", f"at most {MAX_BUTTONS} answers (Slack drops every button beyond 5)")
    for key in ("id", "value", "title"):
        values = [getattr(answer, key) for answer in scale]
        if len(set(values)) != len(values):
            raise reader.fail("scale", f"duplicate '{key}'")
    margin = data.get("close_margin")
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin < 1:
        raise reader.fail("close_margin", "must be a number from 0 to 1")
    top = data.get("office_top_roles")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise reader.fail("office_top_roles", "must be a positive integer")
    raw_requires = data.get("office_requires") or {}
    if not isinstance(raw_requires, Mapping):
        raise reader.fail("office_requires", "must map office ids to lists of traits")
    requires = {}
    for office_id in raw_requires:
        if office_id not in OFFICE_IDS:
            expected = ", ".join(OFFICE_IDS)
            raise reader.fail(f"office_requires.{office_id}", f"unknown office id; expected one of {expected}")
        requires[str(office_id)] = reader.strings(raw_requires, office_id, f"office_requires.{office_id}")
    raw_confirm = data.get("confirmation")
    if not isinstance(raw_confirm, Mapping):
        raise reader.fail("confirmation", "must list the 'accept' and 'reject' replies")
    accept = tuple(alias_key(c) for c in reader.strings(raw_confirm, "accept", "confirmation.accept"))
    reject = tuple(alias_key(c) for c in reader.strings(raw_confirm, "reject", "confirmation.reject"))
    if not accept or not reject:
        raise reader.fail("confirmation", "must list the 'accept' and 'reject' replies")
    control: Dict[str, Dict[str, Tuple[str, ...]]] = {}
    for key in ("control_cues", "control_exact"):
        raw = data.get(key) or {}
        if not isinstance(raw, Mapping):
            raise reader.fail(key, "must map intents to lists")
        control[key] = {
            str(intent): tuple(alias_key(c) for c in reader.strings(raw, intent, f"{key}.{intent}"))
            for intent in raw
        }
    if not control["control_cues"]:
        raise reader.fail("control_cues", "must name the words of each stop/restart/back request")
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, Mapping):
        raise reader.fail("lines", "must map line names to templates")
    lines = {}
    for name, placeholders in LINE_PLACEHOLDERS.items():
        line = reader.text(raw_lines, name, f"lines.{name}")
        missing = [p for p in placeholders if p not in line]
        if missing:
            raise reader.fail(f"lines.{name}", f"missing placeholders {missing}")
        lines[name] = line
    return DiagnosisConfig(
        tuple(scale), float(margin), top, requires,
        control["control_cues"], control["control_exact"], accept, reject, lines,
    )


def _check_aliases(directory: Path, offices: Mapping[str, Office], roles: Mapping[str, Role]) -> None:
    """Every written form must point at exactly one office or role."""
    owners: Dict[str, str] = {}
    named = [("offices.yml", "offices", i, o.id, (o.name, *o.aliases)) for i, o in enumerate(offices.values())]
    named += [("roles.yml", "roles", i, r.id, (r.name, *r.aliases)) for i, r in enumerate(roles.values())]
    for file, key, index, owner_id, names in named:
        for name in names:
            alias = alias_key(name)
            owner = f"{key}[{index}] (id={owner_id})"
            previous = owners.get(alias)
            if previous is not None and previous != owner:
                raise KnowledgeError(
                    str(directory / file), owner, f"alias '{name}' is already used by {previous}"
                )
            owners[alias] = owner


def knowledge_dir(directory: Optional[Path] = None) -> Path:
    """The knowledge directory: ``directory`` if given, else ``KNOWLEDGE_DIR``, else data/knowledge/."""
    return Path(directory or os.environ.get(KNOWLEDGE_DIR_ENV) or DEFAULT_KNOWLEDGE_DIR)


def load_knowledge(directory: Optional[Path] = None) -> Knowledge:
    """Reads and validates all knowledge files; raises :class:`KnowledgeError` on any problem."""
    directory = knowledge_dir(directory)
    sources = _load_sources(directory)
    traits = _load_traits(directory, sources)
    offices = _load_offices(directory, sources)
    missing = [office_id for office_id in OFFICE_IDS if office_id not in offices]
    if missing:
        raise KnowledgeError(str(directory / "offices.yml"), "offices", f"missing offices: {missing}")
    roles = _load_roles(directory, sources, offices, traits)
    _check_aliases(directory, offices, roles)
    topics = _load_topics(directory, sources)
    distinctions = _load_distinctions(directory, sources, roles)
    diagnosis = _load_diagnosis(directory)
    for office_id, required in diagnosis.office_requires.items():
        for trait_id in required:
            if trait_id not in traits:
                raise KnowledgeError(str(directory / "diagnosis.yml"), f"office_requires.{office_id}",
                                     f"unknown trait '{trait_id}' (not in traits.yml)")
    return Knowledge(
        sources=sources, traits=traits, offices=offices, roles=roles, diagnosis=diagnosis,
        distinctions=distinctions, **topics,
    )


@cache
def default_knowledge() -> Knowledge:
    """The knowledge base the action server answers from, loaded once per process."""
    return load_knowledge()
