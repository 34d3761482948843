"""What `make review` counts: pure functions and accumulators over stored conversations.

Nothing here imports Rasa or touches a database or a file: the store (``store.py``) turns rows
into :class:`StoredEvent` tuples, one conversation at a time, and :class:`Review` adds each
conversation to running counts whose size does not grow with the number of events (answer
times are kept as a histogram of whole milliseconds, messages that fell through as groups).
The words of a message come from a function passed in (``words``), by default the bot's own
SudachiPy tokenizer (:func:`content_words`), so tests can also pass something simpler.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone, tzinfo
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from bot.knowledge.constants import (
    EMPTY_MESSAGE_INTENT,
    FORGET_ACTION,
    QUESTION_INTENT_PREFIX,
    SYMBOLS_ONLY_INTENT,
    TOO_LONG_INTENT,
)

# Why a message counts as fallen through (the template gives each its Japanese label).
FALLBACK = "fallback"
OUT_OF_SCOPE = "out_of_scope"
NOT_IN_ARTICLES = "not_in_articles"
LOW_CONFIDENCE = "low_confidence"
REPHRASED = "rephrased"
REASONS = (FALLBACK, OUT_OF_SCOPE, NOT_IN_ARTICLES, LOW_CONFIDENCE, REPHRASED)

# From config.yml (FallbackClassifier threshold 0.45) and the domain's responses.
FALLBACK_INTENTS = frozenset({"nlu_fallback"})
FALLBACK_ACTIONS = frozenset({"action_default_fallback"})
FALLBACK_RESPONSES = frozenset({"utter_default"})
OUT_OF_SCOPE_INTENTS = frozenset({"out_of_scope"})
OUT_OF_SCOPE_RESPONSES = frozenset({"utter_out_of_scope"})
# 「記事には書かれていません」: a subject, a figure or a job the articles do not cover.
NOT_IN_ARTICLES_RESPONSES = frozenset({"utter_not_in_articles", "utter_no_figures", "utter_unknown_role"})
# Below the FallbackClassifier's 0.45 the intent is nlu_fallback; just above it the bot answers,
# but often the wrong question. Messages under this confidence are listed for a look.
LOW_CONFIDENCE_THRESHOLD = 0.6
# Two messages whose content words overlap this much (Jaccard) say the same thing. Half is not
# enough: 「経理って何？」 and 「経理の年収は？」 share one word of two, and ask different things.
SIMILARITY_THRESHOLD = 0.6
# A message repeated within this many following user messages was not answered to satisfaction.
REPHRASE_WINDOW = 2
# Replies to the bot's own question (answer buttons, はい/いいえ) repeat by nature: never a rephrase.
NOT_REPHRASABLE_INTENTS = frozenset({
    "diagnosis_answer", "affirm", "deny", "continue_diagnosis", "stop_diagnosis", "restart_diagnosis",
    "go_back", "why_result", "more_results", "request_diagnosis", "greet", "goodbye", "thank",
    "request_forget", EMPTY_MESSAGE_INTENT, SYMBOLS_ONLY_INTENT, TOO_LONG_INTENT,
})
# The form asks its questions inside its own action: setting requested_slot is what says which
# question was asked (no action_ask_* event is stored).
REQUESTED_SLOT = "requested_slot"
RESULT_OFFICE = "utter_diagnosis_result_office"
RESULT_CLOSE = "utter_diagnosis_result_close"
EXPLAIN_RESPONSES = frozenset({"utter_diagnosis_explain_intro"})
MORE_RESPONSES = frozenset({"utter_diagnosis_more", "utter_diagnosis_no_more"})
# Entities of the domain (bot/domain/core.yml): knowledge roles, offices, and jobs it does not cover.
TOPIC_ENTITIES = ("job", "office", "other_job")
EXCERPT_CHARS = 90


class StoredEvent(NamedTuple):
    """The part of one stored Rasa event that the review reads.

    ``kind`` is Rasa's ``type_name`` (``user``, ``bot``, ``action``, ``slot``, ``restart`` ...);
    ``name`` the action's or slot's name, or for a bot message the response it came from
    (``utter_action``); ``value`` a slot's value (read for ``requested_slot`` only).
    """

    kind: str
    timestamp: float
    name: Optional[str] = None
    text: Optional[str] = None
    intent: Optional[str] = None
    confidence: Optional[float] = None
    entities: Tuple[Tuple[str, str], ...] = ()
    channel: Optional[str] = None
    # A bot message's template parameters (Rasa stores them in its metadata).
    params: Optional[Mapping[str, Any]] = None
    value: Any = None


class BotMessage(NamedTuple):
    """One bot message of a turn: the response it came from, its parameters and its text."""

    response: Optional[str]
    params: Mapping[str, Any]
    text: str


@dataclass
class Turn:
    """A user message and everything the bot did until the next one."""

    text: str
    timestamp: float
    intent: Optional[str]
    confidence: Optional[float]
    entities: Tuple[Tuple[str, str], ...]
    channel: Optional[str]
    actions: List[str] = field(default_factory=list)
    # The form's questions asked in this turn: each value ``requested_slot`` was set to.
    requested: List[str] = field(default_factory=list)
    bot: List[BotMessage] = field(default_factory=list)
    # Time of the last bot message before the next user message: when the answer was complete.
    answered_at: Optional[float] = None

    @property
    def responses(self) -> List[str]:
        """The names of the responses the bot sent."""
        return [message.response for message in self.bot if message.response]


def turns_of(events: Iterable[StoredEvent]) -> List[Turn]:
    """The user turns of one conversation, in order, leaving out anything before a forget.

    bot/stores/tracker_store.py deletes a conversation whose user asked to be forgotten, so a store it
    wrote never holds one. Events written by another store (or copied from one) may still hold
    the forget action followed by Rasa's reset: everything before that reset is dropped here too.
    """
    turns: List[Turn] = []
    current: Optional[Turn] = None
    forget_ran = False
    for event in events:
        if event.kind == "user":
            current = Turn(event.text or "", event.timestamp, event.intent, event.confidence,
                           event.entities, event.channel)
            turns.append(current)
        elif event.kind == "action" and event.name:
            if event.name == FORGET_ACTION:
                forget_ran = True
            if current is not None:
                current.actions.append(event.name)
        elif event.kind == "slot" and event.name == REQUESTED_SLOT and event.value and current is not None:
            current.requested.append(str(event.value))
        elif event.kind == "restart" and forget_ran:
            turns, current, forget_ran = [], None, False
        elif event.kind == "bot" and current is not None:
            current.bot.append(BotMessage(event.name, event.params or {}, event.text or ""))
            current.answered_at = event.timestamp
    return turns


def hash_sender(sender_id: str, salt: bytes) -> str:
    """A short keyed hash of a sender id: conversations stay apart without showing who wrote."""
    return hmac.new(salt, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()[:10]


def jaccard(a: FrozenSet[str], b: FrozenSet[str]) -> float:
    """Shared words over all words of two messages (0 when either has none)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def fell_through_reasons(turn: Turn, low_confidence: float = LOW_CONFIDENCE_THRESHOLD) -> List[str]:
    """Why the bot could not answer this message, from the NLU's result and the bot's replies."""
    responses = set(turn.responses)
    reasons = []
    if (turn.intent in FALLBACK_INTENTS or FALLBACK_ACTIONS & set(turn.actions)
            or FALLBACK_RESPONSES & responses):
        reasons.append(FALLBACK)
    if turn.intent in OUT_OF_SCOPE_INTENTS or OUT_OF_SCOPE_RESPONSES & responses:
        reasons.append(OUT_OF_SCOPE)
    if NOT_IN_ARTICLES_RESPONSES & responses:
        reasons.append(NOT_IN_ARTICLES)
    if (FALLBACK not in reasons and turn.confidence is not None and turn.confidence < low_confidence
            and not turn.text.startswith("/")):
        reasons.append(LOW_CONFIDENCE)
    return reasons


def rephrasable(turn: Turn) -> bool:
    """Whether a repetition of this message would mean it was not understood."""
    return not turn.text.startswith("/") and turn.intent not in NOT_REPHRASABLE_INTENTS


def rephrased(turns: Sequence[Turn], words: Sequence[FrozenSet[str]],
              window: int = REPHRASE_WINDOW, threshold: float = SIMILARITY_THRESHOLD) -> Set[int]:
    """Indices of the messages said again in other words within the next ``window`` messages."""
    found = set()
    for i, turn in enumerate(turns):
        if not rephrasable(turn) or not words[i]:
            continue
        for j in range(i + 1, min(i + 1 + window, len(turns))):
            if rephrasable(turns[j]) and jaccard(words[i], words[j]) >= threshold:
                found.add(i)
                break
    return found


def percentile(histogram: Mapping[int, int], fraction: float) -> Optional[int]:
    """The nearest-rank percentile of a histogram {value: count} (None when it is empty)."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)  # unreachable: seen reaches total


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The text on one line, cut to ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass
class FellThrough:
    """One message the bot could not answer, as the CSV export lists it."""

    day: date
    conversation: str
    text: str
    reasons: List[str]
    intent: Optional[str]
    confidence: Optional[float]
    reply: str
    before: str


@dataclass
class Group:
    """Messages that say much the same thing, with one example and its context."""

    words: FrozenSet[str]
    count: int = 0
    variants: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    intents: Counter = field(default_factory=Counter)
    conversations: Set[str] = field(default_factory=set)
    # The first message of each remembered wording, with its context.
    examples: Dict[str, FellThrough] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The wording sent most often (the first one seen on a tie)."""
        return self.variants.most_common(1)[0][0]

    @property
    def conversations_capped(self) -> bool:
        """Whether more conversations sent these messages than the group remembers."""
        return len(self.conversations) >= MAX_GROUP_CONVERSATIONS

    @property
    def example(self) -> FellThrough:
        """The first message sent in the most frequent wording."""
        return self.examples[self.text]

    @property
    def other_variants(self) -> List[str]:
        """Other wordings, most frequent first."""
        return [text for text, _ in self.variants.most_common() if text != self.text]


# Variants and conversations remembered per group: the report shows a few, counts are exact.
MAX_VARIANTS = 50
MAX_GROUP_CONVERSATIONS = 1000


class Grouper:
    """Groups messages by the overlap of their words (single pass, first message leads its group).

    A message joins the group whose leading words it shares most (Jaccard at least the
    threshold), else starts a group. Candidates come from an index of words to groups, so a
    message is compared with the groups that share a word with it, not with every group.
    """

    def __init__(self, threshold: float = SIMILARITY_THRESHOLD) -> None:
        self.threshold = threshold
        self.groups: List[Group] = []
        self._exact: Dict[FrozenSet[str], int] = {}
        self._index: Dict[str, List[int]] = defaultdict(list)

    def add(self, item: FellThrough, words: FrozenSet[str]) -> Group:
        """Counts the message into its group and returns the group."""
        key = words or frozenset({" ".join(item.text.split()).casefold()})
        number = self._exact.get(key)
        if number is None:
            number = self._closest(key)
            if number is None:
                number = len(self.groups)
                self.groups.append(Group(key))
                for word in key:
                    self._index[word].append(number)
            self._exact[key] = number
        group = self.groups[number]
        group.count += 1
        if item.text in group.variants or len(group.variants) < MAX_VARIANTS:
            group.variants[item.text] += 1
            group.examples.setdefault(item.text, item)
        group.reasons.update(item.reasons)
        group.intents[item.intent or "—"] += 1
        if len(group.conversations) < MAX_GROUP_CONVERSATIONS:
            group.conversations.add(item.conversation)
        return group

    def _closest(self, words: FrozenSet[str]) -> Optional[int]:
        candidates = {number for word in words for number in self._index.get(word, ())}
        best, best_score = None, self.threshold
        for number in sorted(candidates):
            score = jaccard(words, self.groups[number].words)
            if score >= best_score and (best is None or score > best_score):
                best, best_score = number, score
        return best

    def ranked(self) -> List[Group]:
        """Groups, most frequent first (then the earliest)."""
        return sorted(self.groups, key=lambda group: -group.count)


@dataclass
class Diagnosis:
    """The diagnosis funnel, counted per conversation."""

    questions: int
    started: int = 0
    # reached[k]: conversations whose diagnosis got to question k + 1.
    reached: List[int] = field(default_factory=list)
    finished: int = 0
    asked_why: int = 0
    asked_more: int = 0
    # Question number (1-based) → times it was asked again right after itself.
    reasked: Counter = field(default_factory=Counter)
    # Office name, or ("close", "A・B") for a close call → diagnoses.
    results: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        if not self.reached:
            self.reached = [0] * self.questions

    @property
    def abandoned(self) -> int:
        """Started but never shown a result (or still going when the period ended)."""
        return self.started - self.finished

    @property
    def most_reasked(self) -> Optional[Tuple[int, int]]:
        """(question number, times) of the question asked again most often."""
        if not self.reasked:
            return None
        number, times = min(self.reasked.items(), key=lambda item: (-item[1], item[0]))
        return number, times


def diagnosis_of(turns: Sequence[Turn], question_slots: Sequence[str], funnel: Diagnosis) -> None:
    """Adds one conversation's diagnosis to the funnel (nothing if it never started one).

    ``question_slots`` are the form's slots in the order it asks them.
    """
    number_of = {slot: number for number, slot in enumerate(question_slots, start=1)}
    furthest = 0
    previous: Optional[int] = None
    finished = why = more = False
    for turn in turns:
        for slot in turn.requested:
            number = number_of.get(slot)
            if number is None:
                continue
            if number == previous:
                funnel.reasked[number] += 1
            furthest = max(furthest, number)
            previous = number
        for message in turn.bot:
            if message.response == RESULT_OFFICE:
                finished = True
                funnel.results[str(message.params.get("office", "?"))] += 1
            elif message.response == RESULT_CLOSE:
                finished = True
                funnel.results[("close", str(message.params.get("offices", "?")))] += 1
            elif finished and message.response in EXPLAIN_RESPONSES:
                why = True
            elif finished and message.response in MORE_RESPONSES:
                more = True
            if message.response in (RESULT_OFFICE, RESULT_CLOSE):
                previous = None  # a new diagnosis asks question 1 again: not a re-ask
    if furthest == 0 and not finished:
        return
    funnel.started += 1
    for k in range(furthest):
        funnel.reached[k] += 1
    funnel.finished += finished
    funnel.asked_why += why
    funnel.asked_more += more


@dataclass
class Summary:
    """Everything the report shows, ready for the template and the charts."""

    conversations: int = 0
    messages: int = 0
    per_day: Dict[date, Tuple[int, int]] = field(default_factory=dict)  # day → (conversations, messages)
    channels: List[Tuple[str, int, int]] = field(default_factory=list)  # (channel, conversations, messages)
    fell_through: int = 0
    reasons: Dict[str, int] = field(default_factory=dict)
    groups: List[Group] = field(default_factory=list)
    roles: List[Tuple[str, int]] = field(default_factory=list)
    offices: List[Tuple[str, int]] = field(default_factory=list)
    other_jobs: List[Tuple[str, int]] = field(default_factory=list)
    question_types: List[Tuple[str, int]] = field(default_factory=list)
    diagnosis: Optional[Diagnosis] = None
    speed: List[Tuple[date, int, Optional[int], Optional[int]]] = field(default_factory=list)  # day, n, p50, p95
    speed_overall: Tuple[int, Optional[int], Optional[int]] = (0, None, None)

    @property
    def empty(self) -> bool:
        """No user message in the period."""
        return self.messages == 0


Words = Callable[[str], FrozenSet[str]]


class Review:
    """Running counts over conversations, added one at a time (see :meth:`add`)."""

    def __init__(
        self,
        question_slots: Sequence[str],
        words: Words,
        salt: bytes,
        zone: tzinfo = timezone.utc,
        low_confidence: float = LOW_CONFIDENCE_THRESHOLD,
        on_fell_through: Optional[Callable[[FellThrough], None]] = None,
    ) -> None:
        self.question_slots = list(question_slots)
        self.words = words
        self.salt = salt
        self.zone = zone
        self.low_confidence = low_confidence
        self.on_fell_through = on_fell_through
        self.conversations = 0
        self.messages = 0
        self.day_conversations: Counter = Counter()
        self.day_messages: Counter = Counter()
        self.channel_conversations: Counter = Counter()
        self.channel_messages: Counter = Counter()
        self.reasons: Counter = Counter()
        self.fell_through = 0
        self.grouper = Grouper()
        self.entities: Dict[str, Counter] = {name: Counter() for name in TOPIC_ENTITIES}
        self.question_types: Counter = Counter()
        self.diagnosis = Diagnosis(len(self.question_slots))
        # Day → {answer time in whole ms: count}: percentiles without keeping every time.
        self.answer_ms: Dict[date, Counter] = defaultdict(Counter)

    def day(self, timestamp: float) -> date:
        """The calendar day of a timestamp in the report's time zone."""
        return datetime.fromtimestamp(timestamp, self.zone).date()

    def add(self, sender_id: str, events: Iterable[StoredEvent]) -> None:
        """Counts one conversation: all stored events of one sender in the period, in order."""
        turns = turns_of(events)
        if not turns:
            return
        conversation = hash_sender(sender_id, self.salt)
        self.conversations += 1
        self.messages += len(turns)
        days = [self.day(turn.timestamp) for turn in turns]
        self.day_messages.update(days)
        self.day_conversations.update(set(days))
        channels = [turn.channel or "" for turn in turns]
        self.channel_messages.update(channels)
        self.channel_conversations.update(set(channels))
        words = [self.words(turn.text) if rephrasable(turn) else frozenset() for turn in turns]
        again = rephrased(turns, words)
        for i, turn in enumerate(turns):
            for entity, value in turn.entities:
                if entity in self.entities:
                    self.entities[entity][value] += 1
            if turn.intent and turn.intent.startswith(QUESTION_INTENT_PREFIX):
                self.question_types[turn.intent] += 1
            if turn.answered_at is not None and turn.answered_at >= turn.timestamp:
                self.answer_ms[days[i]][round((turn.answered_at - turn.timestamp) * 1000)] += 1
            reasons = fell_through_reasons(turn, self.low_confidence)
            if i in again:
                reasons.append(REPHRASED)
            if reasons:
                self._fell_through(turns, i, days[i], conversation, reasons, words[i])
        diagnosis_of(turns, self.question_slots, self.diagnosis)

    def _fell_through(self, turns: Sequence[Turn], i: int, day: date, conversation: str,
                      reasons: List[str], words: FrozenSet[str]) -> None:
        turn = turns[i]
        before = turns[i - 1].bot[-1].text if i > 0 and turns[i - 1].bot else ""
        reply = turn.bot[0].text if turn.bot else ""
        item = FellThrough(day, conversation, turn.text, reasons, turn.intent, turn.confidence,
                           excerpt(reply), excerpt(before))
        self.fell_through += 1
        self.reasons.update(reasons)
        self.grouper.add(item, words or self.words(turn.text))
        if self.on_fell_through is not None:
            self.on_fell_through(item)

    def summary(self, top: int = 15) -> Summary:
        """The counts, sorted for the report: most frequent first, days in order."""
        speed = []
        overall: Counter = Counter()
        for day in sorted(self.answer_ms):
            histogram = self.answer_ms[day]
            overall.update(histogram)
            speed.append((day, sum(histogram.values()), percentile(histogram, 0.5), percentile(histogram, 0.95)))
        channels = [(channel, self.channel_conversations[channel], count)
                    for channel, count in self.channel_messages.most_common()]
        return Summary(
            conversations=self.conversations,
            messages=self.messages,
            per_day={day: (self.day_conversations[day], self.day_messages[day]) for day in sorted(self.day_messages)},
            channels=channels,
            fell_through=self.fell_through,
            reasons={reason: self.reasons[reason] for reason in REASONS if self.reasons[reason]},
            groups=self.grouper.ranked(),
            roles=self.entities["job"].most_common(top),
            offices=self.entities["office"].most_common(top),
            other_jobs=self.entities["other_job"].most_common(top),
            question_types=self.question_types.most_common(top),
            diagnosis=self.diagnosis,
            speed=speed,
            speed_overall=(sum(overall.values()), percentile(overall, 0.5), percentile(overall, 0.95)),
        )
