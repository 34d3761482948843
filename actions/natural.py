"""Messages as people write them: the asked subject, ellipsis, retrieval, honest limits, preferences.

Pure functions over the knowledge base, the fact index and the statement reader, returning
response names with their parameters like :mod:`actions.queries`, whose handlers answer
the questions they know. This module decides what the message asks first:

- the subject is the role or office asked about, not a job mentioned as context
  (「いま飲食店でホールをしているのですが、一般事務ってどんな仕事ですか」);
- 「じゃあ経理は？」 keeps the previous question and changes the subject;
- a question no handler covers gets the facts that match it, or an honest "the articles
  do not say" that names what they do cover;
- a statement about oneself (「人前で話すのは苦手です」) gets advice from the trait data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from actions.queries import (
    GENERAL_QUESTIONS,
    HANDLERS,
    LIST_SEPARATOR,
    MAX_ITEMS,
    Answer,
    Citations,
    Reply,
    answer_question,
    bullets,
)
from actions.retrieval import COUNTERS, FIGURE_WORDS, FactIndex, Hit, Query, default_vocabulary
from actions.scoring import score
from actions.statements import StatementReader, TraitReading
from bot.knowledge.base import Fact, Knowledge
from bot.knowledge.text import Token, fold, tokenize

# Intents that ask about the knowledge; ask_difference has its own handler in queries.
QUESTION_INTENTS = frozenset(HANDLERS) | {"ask_difference"}
PREFERENCE_INTENT = "diagnosis_answer"
FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
# The entity of a diagnosis button's payload (/diagnosis_answer{"answer": "agree"}).
ANSWER_ENTITY = "answer"
# Messages that may be someone telling about themselves (「会計のプロになりたい」 can look out of scope).
STATEMENT_INTENTS = frozenset({PREFERENCE_INTENT, FALLBACK_INTENT, OUT_OF_SCOPE_INTENT})
# Requests that steer a diagnosis; outside one they may be statements (「接客の仕事を続けたい」
# read as 続けます, 「営業はもうやめたい」 as やめます).
CONTROL_INTENTS = frozenset({"stop_diagnosis", "continue_diagnosis", "go_back"})
# Intents after which a rule offers the diagnosis (data/rules*.yml).
OFFER_FOLLOWS = frozenset({PREFERENCE_INTENT, "ask_fit"})
# What an overview already shows; other facts about the subject answer a question of their own.
OVERVIEW_FIELDS = frozenset({"definition", "summary", "role_in_company", "duties", "styles"})

# A retrieved fact answers a question only if it holds this share of the question's words
# (weighted by how rare each word is in the articles). Calibrated on tests/natural/dev.yml.
MIN_COVERAGE = 0.6
# Below the fallback threshold, a question about a named role takes the best question intent
# the classifier saw, if it saw one with at least this confidence.
MIN_QUESTION_CONFIDENCE = 0.1
# Outside office work, as the NLU sees it, retrieved facts must cover more of the message.
MIN_OUT_OF_SCOPE_COVERAGE = 0.8
# Facts replace a handler's answer only when they hold nearly all of the question's words.
MIN_OVERRIDE_COVERAGE = 0.85
# ... and only for questions whose words weigh this much (idf): one rare word such as 人員削減,
# or two ordinary ones.
MIN_OVERRIDE_WEIGHT = 4.0
# A role or office described instead of named: the best facts agree on it with this coverage.
MIN_DESCRIPTION_COVERAGE = 0.6
# A statement names a role when it says this share of a 'who fits' fact of that role.
MIN_FIT_SHARE = 0.75
RETRIEVED_FACTS = 3
ROLES_IN_ADVICE = 3
QUOTE_MAX_CHARS = 40

# Words that leave a follow-up's question open: 「じゃあ経理は？」「ミドルオフィスだと？」「総務の場合はどう？」.
_ELLIPSIS_POS = frozenset({"助詞", "助動詞", "補助記号", "接続詞", "感動詞", "空白", "記号"})
_ELLIPSIS_WORDS = frozenset(
    {"どう", "場合", "方", "ほう", "じゃあ", "じゃ", "では", "なら", "それ", "次", "今度", "逆", "一方",
     "いかが", "如何", "こちら", "そちら", "どうだ", "は", "も", "ね", "よ", "そう", "ちなみ", "因み", "ついで"}
)
# Verbs of doing a job: a role named with one of these in a clause before the question is the
# person's own job, context for the question, not what is asked about.
_JOB_VERBS = frozenset(
    {"する", "働く", "勤める", "やる", "務める", "担当", "経験", "勤務", "所属", "在籍", "辞める", "退職",
     "バイト", "アルバイト", "パート", "就く", "携わる", "従事", "続ける", "頑張る", "居る", "いる", "おる",
     "配属"}
)
_DEMONSTRATIVES = frozenset({"それ", "その", "そこ", "これ", "この", "あれ", "あの", "そっち", "そちら"})
_QUESTION_MARKERS = frozenset(
    {"何", "なに", "なん", "どの", "どれ", "どこ", "誰", "だれ", "なぜ", "何故",
     "どう", "どうして", "どんな", "いつ", "教える"}
)
# Conjunctive particles that end a clause of context: 〜ですが、〜けど、〜ので.
_CLAUSE_ENDS = frozenset({"が", "けど", "けれど", "けれども", "ので", "から", "し", "のに", "て", "で"})
_SENTENCE_ENDS = frozenset({"。", "!", "?", "！", "？", "\n", "…"})



@dataclass(frozen=True)
class Message:
    """What the NLU made of the latest user message."""

    intent: str
    text: str
    entities: Tuple[Mapping[str, Any], ...] = ()
    # The classifier's intents, best first, as (name, confidence): what it meant below the
    # fallback threshold.
    ranking: Tuple[Tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Context:
    """What the conversation remembers: the last subject and the last kind of question."""

    topic: Optional[str] = None
    question: Optional[str] = None


@dataclass(frozen=True)
class Understanding:
    """The knowledge, the fact index and the statement reader, loaded once per process."""

    kb: Knowledge
    index: FactIndex
    reader: StatementReader


# ----------------------------------------------------------------------------- the subject


def _clauses(tokens: Sequence[Token]) -> List[Tuple[int, int]]:
    """Token ranges of clauses: a sentence, or a part of it ending in 〜が、〜けど、〜ので."""
    ranges, start = [], 0
    for i, token in enumerate(tokens):
        ends_clause = token.surface in _SENTENCE_ENDS or (
            token.pos2 == "接続助詞" and token.surface in _CLAUSE_ENDS and token.surface not in ("て", "で")
        )
        if ends_clause:
            ranges.append((start, i + 1))
            start = i + 1
    if start < len(tokens):
        ranges.append((start, len(tokens)))
    return [r for r in ranges if any(t.pos != "補助記号" for t in tokens[r[0]:r[1]])]


def context_mentions(text: str, entities: Iterable[Mapping[str, Any]]) -> List[str]:
    """Names in a clause about the person's own job, before the clause that asks.

    「いま飲食店でホールをしているのですが、一般事務ってどんな仕事ですか」: ホール is context, and
    so is 経理 in 「経理課におります。マーケティングのやりがいは？」 or 「アパレル店員です！経理って…」.
    """
    tokens = tokenize(text)
    clauses = _clauses(tokens)
    if len(clauses) < 2:
        return []
    folded = fold(text)
    context = []
    searched_from = 0
    for entity in entities:
        name = fold(str(entity.get("text") or entity.get("value") or ""))
        at = _position(folded, name, entity, searched_from)
        if at < 0:
            continue
        searched_from = at + len(name)
        for start, end in clauses[:-1]:
            if not tokens[start].begin <= at < tokens[end - 1].end:
                continue
            words = tokens[start:end]
            if not _asks(words) and (
                any(t.lemma in _JOB_VERBS or t.normalized in _JOB_VERBS for t in words)
                or _is_self_introduction(words)
            ):
                context.append(str(entity.get("text") or entity.get("value")))
            break
    return context


def _position(folded: str, name: str, entity: Mapping[str, Any], after: int) -> int:
    """Where the entity is: its own offsets when they hold its text, else its next occurrence.

    The offsets matter when a name occurs twice (「営業アシスタントとして働いてます。営業の…」).
    """
    start = entity.get("start")
    if isinstance(start, int) and name and folded[start: start + len(name)] == name:
        return start
    return folded.find(name, after) if name else -1


def _asks(words: Sequence[Token]) -> bool:
    """A clause that asks something is not context, whatever verb it has."""
    return any(t.surface in ("?", "？") or t.normalized in _QUESTION_MARKERS for t in words)


def _is_self_introduction(words: Sequence[Token]) -> bool:
    """「私は営業職ですが」「今は経理なんですけど」「アパレル店員です！」: a copula, then the clause ends."""
    content = [t for t in words if t.pos not in ("補助記号", "空白")]
    return len(content) >= 2 and any(t.pos == "助動詞" and t.lemma in ("です", "だ") for t in content[-4:])


def asked_entities(text: str, entities: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """The entities of what is asked about; all of them when every one is context."""
    context = set(context_mentions(text, entities))
    asked = [e for e in entities if str(e.get("text") or e.get("value")) not in context]
    return asked if any(e.get("entity") in ("job", "office") for e in asked) else list(entities)


# ----------------------------------------------------------------------------- ellipsis


def is_elliptical(text: str, entities: Sequence[Mapping[str, Any]]) -> bool:
    """A follow-up that names a subject and nothing else: 「じゃあ経理は？」「ミドルオフィスだと？」."""
    names = [str(e.get("text") or "") for e in entities if e.get("entity") in ("job", "office")]
    rest = fold(text)
    if not any(names) or not all(fold(name) in rest for name in names):
        return False
    for name in sorted(names, key=len, reverse=True):
        rest = rest.replace(fold(name), " ")
    return all(
        t.pos in _ELLIPSIS_POS or t.normalized in _ELLIPSIS_WORDS or t.surface in _ELLIPSIS_WORDS
        for t in tokenize(rest)
    )


# ----------------------------------------------------------------------------- retrieval


def about_name(kb: Knowledge, about: str) -> str:
    """The name of what a passage is about: a role, an office or a topic of the articles."""
    kind, _, value = about.partition(":")
    if kind == "role" and value in kb.roles:
        return kb.roles[value].name
    if kind == "office" and value in kb.offices:
        return kb.offices[value].name
    return default_vocabulary().topic_labels.get(value, value)


def _label(kb: Knowledge, hit: Hit) -> str:
    passage = hit.passage
    if passage.about.startswith("topic:"):
        return about_name(kb, passage.about)
    return about_name(kb, passage.about) + default_vocabulary().field_labels.get(passage.field, "")


def facts_answer(kb: Knowledge, hits: Sequence[Hit]) -> Answer:
    """Retrieved facts, each labelled with what it is about and numbered by its article."""
    facts = [Fact(hit.passage.text, hit.passage.source, _label(kb, hit)) for hit in hits]
    citations = Citations(kb, facts)
    topic = next((hit.passage.about for hit in hits if not hit.passage.about.startswith("topic:")), None)
    reply = Reply("utter_retrieved_facts", {"items": bullets(facts, citations), "sources": citations.sources})
    return Answer((reply,), topic)


def good_hits(hits: Sequence[Hit]) -> List[Hit]:
    """The hits that answer the question, best first; none when the best one does not."""
    if not hits or hits[0].coverage < MIN_COVERAGE:
        return []
    return [hit for hit in hits if hit.coverage >= MIN_COVERAGE][:RETRIEVED_FACTS]


def answering_hits(index: FactIndex, query: Query, hits: Sequence[Hit]) -> List[Hit]:
    """The good hits, or else the few best that answer the question together, one word each."""
    good = good_hits(hits)
    if good:
        return good
    together: List[Hit] = []
    for hit in hits:
        if hit.groups - {i for h in together for i in h.groups}:
            together.append(hit)
        if len(together) == RETRIEVED_FACTS:
            break
    if len(together) > 1 and index.joint_coverage(query, together) >= MIN_COVERAGE:
        return together
    return []


def described_subject(index: FactIndex, query: Query, hits: Sequence[Hit], intent: str) -> Optional[str]:
    """The role or office a message describes without naming it (「見積書を作ったりする仕事」).

    Its profile (summary and duties together) must hold most of the message's words, and more
    of them than any single fact, unless that fact is its own: a message one fact answers
    whole (「人事考課って何？」) is a question about that fact, not a description.
    """
    described = index.describe(query)
    if not described or described[0][1] < MIN_DESCRIPTION_COVERAGE:
        return None
    about, coverage = described[0]
    best = hits[0] if hits else None
    if best is None or coverage > best.coverage:
        return about
    if intent != "ask_overview" and coverage >= best.coverage:
        # 「給料を計算する部署の大変なところは？」: what is asked is an aspect of the described role.
        return about
    if best.passage.about == about and best.coverage < 1.0:
        return about
    return None


def not_in_articles(kb: Knowledge, unknown: Sequence[str], subject_name: Optional[str]) -> Answer:
    """Honest: the articles say nothing about these words; here is what they do cover."""
    words = LIST_SEPARATOR.join(f"「{word}」" for word in unknown[:3])
    what = f"{subject_name}の{words}" if subject_name else words
    covered = Reply("utter_articles_cover_subject", {"name": subject_name}) if subject_name else Reply(
        "utter_articles_cover"
    )
    return Answer((Reply("utter_not_in_articles", {"what": what}), covered))


# ----------------------------------------------------------------------------- preferences


def _quote(evidence: str) -> str:
    words = evidence.strip(" 、。.,!！?？")
    return words if len(words) <= QUOTE_MAX_CHARS else words[: QUOTE_MAX_CHARS - 1] + "…"


# Facts saying who fits a role: a statement that matches one names that role directly
# (「数字を扱うのが好き」 → 経理: 「数字を扱うのが好きな人」).
_FIT_FIELDS = frozenset({"fits"})


def fitting_roles(kb: Knowledge, index: FactIndex, text: str) -> List[Hit]:
    """Roles whose 'who fits' facts the statement matches, best first, one hit per role."""
    found: Dict[str, Hit] = {}
    for hit in index.contained(text, _FIT_FIELDS, MIN_FIT_SHARE):
        if hit.passage.about.startswith("role:"):
            found.setdefault(hit.passage.about.partition(":")[2], hit)
    if _wishes(text):
        # 「採用や育成に関わりたい」: what the person wants to do is what a role does.
        query = index.query(text)
        for about, coverage in index.describe(query)[:2]:
            if coverage < MIN_DESCRIPTION_COVERAGE or not about.startswith("role:"):
                break
            best = index.search(query, k=1, about=about)
            if best:
                found.setdefault(about.partition(":")[2], best[0])
    return list(found.values())


# Words of wanting or liking to do something: 〜たい, 好き, 興味, 関わる, 目指す.
_WISH_WORDS = frozenset({"たい", "好き", "興味", "関わる", "携わる", "憧れる", "目指す", "やりがい", "楽しい"})


def _wishes(text: str) -> bool:
    return any(t.normalized in _WISH_WORDS or t.lemma in _WISH_WORDS for t in tokenize(text))


def preference_advice(
    kb: Knowledge, readings: Mapping[str, TraitReading], fitting: Sequence[Hit] = (), text: str = ""
) -> Answer:
    """Offices and roles that fit what the person said, with the articles' reasons and sources."""
    answers = {trait: r.value for trait, r in readings.items() if trait in kb.traits}
    quotes = dict.fromkeys(_quote(r.evidence) for r in readings.values() if r.trait in kb.traits)
    heard = LIST_SEPARATOR.join(f"『{q}』" for q in quotes if q) or f"『{_quote(text)}』"
    named = [kb.roles[h.passage.about.partition(":")[2]] for h in fitting]
    if not any(answers.values()) and not named:
        return Answer((Reply("utter_preference_indifferent", {"heard": heard}),))
    result = score(kb, answers)
    if named:  # the articles name the role for what was said: its office leads
        office = kb.offices[named[0].office].name
    elif result.close_offices:
        office = "・".join(kb.offices[o].name for o in result.close_offices)
    else:
        office = kb.offices[result.offices[0][0]].name
    by_trait = [r for r in result.roles if r.score > 0] if any(answers.values()) else []
    named_ids = [role.id for role in named]
    roles = [r for r in result.roles if r.role_id in named_ids] + [r for r in by_trait if r.role_id not in named_ids]
    roles = roles[:ROLES_IN_ADVICE]
    # 「人前で話すのは苦手」 speaks against front-office roles, for none in particular: the office's
    # roles are named as its roles, not as the best fits.
    office_roles = [] if roles else kb.roles_in(result.offices[0][0])
    facts = [Fact(h.passage.text, h.passage.source, kb.roles[h.passage.about.partition(":")[2]].name)
             for h in fitting[:2]]
    for role_score in roles:
        if role_score.role_id in named_ids[:2]:
            continue
        role = kb.roles[role_score.role_id]
        counted = sorted(
            (c for c in role_score.contributions if c.value > 0), key=lambda c: -c.value
        )
        if counted:
            weight = role.traits[counted[0].trait_id]
            facts.append(Fact(weight.reason, weight.source, role.name))
    for trait_id, value in answers.items():
        if value:
            trait = kb.traits[trait_id]
            facts.append(Fact(trait.description, trait.sources[0], trait.label if value > 0 else ""))
    facts = [f for f in facts if f.title] + [f for f in facts if not f.title]
    citations = Citations(kb, facts[:MAX_ITEMS])
    names = [kb.roles[r.role_id].name for r in roles] or [role.name for role in office_roles]
    params = {
        "heard": heard,
        "office": office,
        "roles": LIST_SEPARATOR.join(names),
        "reasons": bullets(facts, citations),
        "sources": citations.sources,
    }
    close = result.close_offices and not named
    if office_roles and not close:
        response = "utter_preference_advice_office"
    else:
        response = "utter_preference_advice_close" if close else "utter_preference_advice"
    return Answer((Reply(response, params),))


# ----------------------------------------------------------------------------- the answer


def respond(u: Understanding, message: Message, context: Context) -> Answer:
    """The whole answer to a message outside the diagnosis, and what to remember."""
    kb = u.kb
    entities = list(message.entities)
    asked = asked_entities(message.text, entities)
    names = [str(e.get("text") or "") for e in entities]
    intent = message.intent
    asked = _demonstrative_subject(message.text, intent, asked, context)

    if intent == PREFERENCE_INTENT and any(e.get("entity") == ANSWER_ENTITY for e in entities):
        # A diagnosis button pressed when no diagnosis is going on (after a restart or a deletion).
        return Answer((Reply("utter_not_in_diagnosis"),))
    statement = intent in STATEMENT_INTENTS or (intent == "ask_fit" and not _names_subject(asked))
    statement = statement or intent in CONTROL_INTENTS
    if statement:
        readings = u.reader.read(message.text)
        fitting = fitting_roles(kb, u.index, message.text)
        if readings or fitting:
            advice = preference_advice(kb, readings, fitting, message.text)
            if intent not in OFFER_FOLLOWS:
                # The rules offer the diagnosis after these intents; after the others, say how.
                advice = Answer(advice.replies + (Reply("utter_diagnosis_hint"),), advice.topic)
            return _remember(advice, None, context)
        if intent in CONTROL_INTENTS:
            return Answer((Reply("utter_not_in_diagnosis"),))
        if intent == PREFERENCE_INTENT and not looks_like_a_question(message.text):
            return Answer((Reply("utter_preference_unclear"),))
        if intent == PREFERENCE_INTENT:
            intent = "ask_overview"  # 「目標のプレッシャーがあるのはどの部門？」 read as a statement

    if intent == FALLBACK_INTENT and _names_subject(asked):
        # 「経理として10年働いてきました。…営業の大変なところを知りたいです」 below the threshold: a
        # question about a named role is still a question. Its words say which (大変 → demerits),
        # else the classifier's best question intent.
        ranked = next((name for name, confidence in message.ranking
                       if name in QUESTION_INTENTS and confidence >= MIN_QUESTION_CONFIDENCE), None)
        intent = aspect_intent(question_part(message.text)) or ranked or "ask_overview"

    if intent in QUESTION_INTENTS and len(entities) > len(asked):
        # The classifier read the context too (「ホールをしているのですが、一般事務ってどんな仕事
        # ですか」 can look like a fit question): the clause that asks says what is asked.
        intent = asking_intent(question_part(message.text)) or intent

    # 「人事と営業は？」 classified as a comparison stays one.
    if intent in (QUESTION_INTENTS - {"ask_difference"}) | {FALLBACK_INTENT} and is_elliptical(message.text, asked):
        # A bare name: the previous kind of question about it, or what it is.
        intent = context.question or "ask_overview"

    named_in_text: List[str] = []
    if intent == OUT_OF_SCOPE_INTENT:
        # The NLU drops role names from out-of-scope messages (ホテルのフロント): they are not what
        # is looked up either (「営業中のラーメン屋さん」).
        named_in_text = [alias for alias in u.kb.aliases() if alias in fold(message.text)]
        names += named_in_text
    query = _query(u, message.text, names)
    if query.figures and (intent in QUESTION_INTENTS or intent in (FALLBACK_INTENT, OUT_OF_SCOPE_INTENT)):
        # Outside office work, a count is not about the articles (「東京の人口は何人？」); pay is.
        about_work = any(word in FIGURE_WORDS for word in query.figures) or query.terms or named_in_text
        if intent != OUT_OF_SCOPE_INTENT or _names_subject(asked) or about_work:
            return no_figures(u, asked, context, query)
    if intent in QUESTION_INTENTS:
        return _question(u, intent, asked, context, query)
    if intent in (FALLBACK_INTENT, OUT_OF_SCOPE_INTENT):
        return _unplaced(u, intent, asked, context, query, bool(named_in_text))
    return answer_question(kb, intent, asked, context.topic)


def about_the_articles(u: Understanding, message: Message, context: Context) -> Optional[Answer]:
    """The answer to a message taken for a diagnosis command that asks about the articles instead.

    「情報システム部門の重要度が上がってるのはなぜ？」 can look like 「なぜ？」 after a result; it names a
    role, so it is a question about it. ``None`` when the message names nothing the articles cover.
    """
    named = _names_subject(message.entities)
    if not named and not good_hits(u.index.search(u.index.query(message.text))):
        return None
    return respond(u, Message("ask_overview", message.text, message.entities), context)


def _query(u: Understanding, text: str, names: Sequence[str]) -> Query:
    """What to look up: the clause that asks, with words from the context only if it has none.

    Words the articles never use count as unknown only in the asking clause: 「新卒で一般事務に
    配属されました。カスタマーサポートってどんな仕事？」 does not ask about 新卒.
    """
    asking = u.index.query(question_part(text), ignore=names)
    if asking.terms or asking.unknown or asking.figures:
        return asking
    whole = u.index.query(text, ignore=names)
    # No groups: the words come from the context, so they never replace a handler's answer.
    return Query(whole.terms, (), asking.aspects or whole.aspects, asking.figures)


# Words that say which kind of answer a question wants, for messages the classifier could not
# place: the first found in the asking clause decides.
ASPECT_INTENTS: Mapping[str, str] = {
    **dict.fromkeys(("デメリット", "大変", "きつい", "しんどい", "辛い", "つらい", "短所", "欠点", "苦労"),
                    "ask_demerits"),
    **dict.fromkeys(("メリット", "やりがい", "魅力", "良さ", "長所", "利点", "醍醐味"), "ask_merits"),
    **dict.fromkeys(("向く", "向き", "適性", "向いてる"), "ask_fit"),
    **dict.fromkeys(("スキル", "能力", "資格", "求める"), "ask_skills"),
    **dict.fromkeys(("違い", "違う", "比べる", "比較"), "ask_difference"),
    **dict.fromkeys(("別名", "呼び方", "呼び名", "言い方"), "ask_other_names"),
    **dict.fromkeys(("需要", "業界"), "ask_industries"),
    **dict.fromkeys(("課題", "問題点"), "ask_problems"),
    **dict.fromkeys(("指標", "kpi"), "ask_kpi"),
    **dict.fromkeys(("効率化",), "ask_efficiency"),
}


def aspect_intent(text: str) -> Optional[str]:
    """The kind of question its words ask for, if they name one (「大変なところ」 → ask_demerits)."""
    for token in tokenize(text):
        for form in (token.lemma, token.normalized, token.surface):
            if form in ASPECT_INTENTS:
                return ASPECT_INTENTS[form]
    return None


# 「どんな仕事」「何をする」「仕事内容」「とは」: what a role is.
_OVERVIEW_WORDS = frozenset({"仕事内容", "とは", "概要"})
_WHAT = frozenset({"何", "なに", "なん", "どんな", "どういう"})


def asking_intent(text: str) -> Optional[str]:
    """The kind of question a clause asks, from its words: an aspect, or what a role is."""
    found = aspect_intent(text)
    if found:
        return found
    tokens = tokenize(text)
    words = {t.normalized for t in tokens} | {t.surface for t in tokens}
    if words & _OVERVIEW_WORDS or (words & _WHAT and ({"仕事", "する", "為る"} & words)):
        return "ask_overview"
    return None


def looks_like_a_question(text: str) -> bool:
    """A question mark, a question word or a sentence-final か/の: 「どの部門？」「なぜですか」."""
    tokens = tokenize(text)
    if any(t.surface in ("?", "？") for t in tokens):
        return True
    if any(t.normalized in _QUESTION_MARKERS or t.surface in _QUESTION_MARKERS for t in tokens):
        return True
    last = [t for t in tokens if t.pos != "補助記号"][-1:]
    return bool(last) and last[0].pos2 == "終助詞" and last[0].surface in ("か", "の", "かな")


def question_part(text: str) -> str:
    """The last clause of a message, where people put what they ask after the context.

    「地方の会社の総務で働いてます。フロントオフィスの主な職種を教えて」 → the second sentence.
    """
    tokens = tokenize(text)
    clauses = _clauses(tokens)
    if len(clauses) < 2:
        return text
    start, end = clauses[-1]
    return fold(text)[tokens[start].begin: tokens[end - 1].end]


def _demonstrative_subject(
    text: str, intent: str, asked: List[Mapping[str, Any]], context: Context
) -> List[Mapping[str, Any]]:
    """「それってフロント？バック？」 after a role: the role is asked about, the offices are the options."""
    kind, _, value = (context.topic or "").partition(":")
    offices_only = asked and all(e.get("entity") == "office" for e in asked)
    if kind != "role" or not offices_only or not any(t.surface in _DEMONSTRATIVES for t in tokenize(text)):
        return asked
    return [{"entity": "job", "value": value, "text": ""}] if intent in QUESTION_INTENTS else asked


def no_figures(u: Understanding, asked: Sequence[Mapping[str, Any]], context: Context, query: Query) -> Answer:
    """「総務の年収は？」「月何時間？」: no number is in the articles; what they say on the topic, if anything."""
    kb = u.kb
    subject = _subject_name(kb, asked, Context()) if _names_subject(asked) else None
    topics = [w for w in (*query.terms, *query.unknown) if len(w) > 1 and w not in COUNTERS][:2]
    words = LIST_SEPARATOR.join(f"「{w}」" for w in (topics or query.figures[:1]))
    what = f"{subject}の{words}" if subject else words
    replies = [Reply("utter_no_figures", {"what": what})]
    # 「月何時間」: the 月 belongs to the number asked for, not to the topic.
    topic_query = Query(tuple(t for t in query.terms if len(t) > 1 and t not in COUNTERS), ())
    about = _subject_about(asked)
    hits = good_hits(u.index.search(topic_query, about=about)) if about and topic_query.terms else []
    hits = hits or (good_hits(u.index.search(topic_query)) if topic_query.terms else [])
    if hits:
        related = facts_answer(kb, hits).replies[0]
        replies.append(Reply("utter_related_facts", dict(related.params)))
    elif subject:
        replies.append(Reply("utter_articles_cover_subject", {"name": subject}))
    else:
        replies.append(Reply("utter_articles_cover"))
    return Answer(tuple(replies))


def _unplaced(
    u: Understanding, intent: str, asked: Sequence[Mapping[str, Any]], context: Context, query: Query,
    names_a_job: bool = False,
) -> Answer:
    """A message the NLU did not place, or placed outside office work: look it up before giving up."""
    kb = u.kb
    hits = u.index.search(query)
    # Outside office work (「好きな色は？」) a shared word is not enough: the facts must cover it all.
    needed = MIN_COVERAGE if intent == FALLBACK_INTENT else MIN_OUT_OF_SCOPE_COVERAGE
    good = [hit for hit in answering_hits(u.index, query, hits) if intent == FALLBACK_INTENT or hit.coverage >= needed]
    if good and (intent == FALLBACK_INTENT or len(query.terms) >= 2 or _names_subject(asked)):
        return facts_answer(kb, good)
    if _names_subject(asked) and (query.unknown or intent == OUT_OF_SCOPE_INTENT):
        # 「ソニーの人事部に入るには？」: about a role, but about nothing the articles say of it.
        words = query.unknown or tuple(query.terms[:2])
        if words:
            return not_in_articles(kb, words, _subject_name(kb, asked, Context()))
    if intent == FALLBACK_INTENT and query.unknown and query.terms:
        return not_in_articles(kb, query.unknown, None)
    if names_a_job and query.unknown:
        # 「営業の志望動機の書き方」: about a job the articles cover, but not something they say.
        return not_in_articles(kb, query.unknown, None)
    return Answer((Reply("utter_default" if intent == FALLBACK_INTENT else "utter_out_of_scope"),))


def _names_subject(entities: Iterable[Mapping[str, Any]]) -> bool:
    return any(e.get("entity") in ("job", "office") for e in entities)


def _question(
    u: Understanding,
    intent: str,
    asked: Sequence[Mapping[str, Any]],
    context: Context,
    query: Query,
) -> Answer:
    kb = u.kb
    named = _names_subject(asked)
    if not named and any(e.get("entity") == "other_job" for e in asked):
        return _remember(answer_question(kb, intent, asked, context.topic), intent, context)
    if query.unknown and not query.terms and not query.aspects:
        # 「経理の年収は？」: the subject is known, what is asked about it is not in the articles.
        subject = _subject_name(kb, asked, context) if named or context.topic else None
        if named or intent in ("ask_overview", "ask_merits", "ask_demerits", "ask_skills"):
            return not_in_articles(kb, query.unknown, subject)
    if not named and context.topic and not query.terms and intent not in GENERAL_QUESTIONS:
        # 「しんどいところは？」 after 人事: nothing but the kind of question, so about the topic.
        return _remember(answer_question(kb, intent, asked, context.topic), intent, context)
    if not named:
        hits = u.index.search(query)
        described = described_subject(u.index, query, hits, intent)
        # 「給料を計算する部署の大変なところは？」 is about that role's hard points, 「見積書を作ったり
        # データを入力したりする仕事って？」 about what that role is.
        if described and (intent not in GENERAL_QUESTIONS or intent == "ask_office_roles"):
            entity = "job" if described.startswith("role:") else "office"
            found = [{"entity": entity, "value": described.partition(":")[2], "text": ""}]
            return _remember(answer_question(kb, intent, found, None), intent, context)
        good = answering_hits(u.index, query, hits)
        if good and (intent not in GENERAL_QUESTIONS or intent == "ask_overview"):
            return _remember(facts_answer(kb, good), intent, context)
        if query.unknown and intent not in GENERAL_QUESTIONS:
            return not_in_articles(kb, query.unknown, None)
    elif intent == "ask_overview" and query.terms:
        # 「バックオフィスはこれからどう変わる？」: about the office, but not what an overview shows.
        subject = _subject_about(asked)
        beyond = [hit for hit in good_hits(u.index.search(query, about=subject))
                  if hit.passage.field not in OVERVIEW_FIELDS]
        if subject and beyond:
            return _remember(facts_answer(kb, beyond), intent, context)
    answer = answer_question(kb, intent, asked, context.topic)
    better = _better_facts(u, query, asked, answer) if intent != "ask_difference" else None
    if better is not None:
        return _remember(better, intent, context)
    if query.unknown and (query.terms or query.aspects) and named:
        words = LIST_SEPARATOR.join(f"「{w}」" for w in query.unknown[:3])
        answer = Answer(answer.replies + (Reply("utter_partly_in_articles", {"words": words}),), answer.topic)
    return _remember(answer, intent, context)


def _better_facts(
    u: Understanding, query: Query, asked: Sequence[Mapping[str, Any]], answer: Answer
) -> Optional[Answer]:
    """Facts that answer the question's own words better than the handler did, if any.

    「バックオフィスって人員削減されることある？」 is classified as a question about efficiency, but
    the articles say something about 人員削減 itself. Only facts about the subject, its office
    or a topic of both offices count, only when they hold nearly every word of the question,
    and only when the handler's answer does not already contain the best of them.
    """
    # Words of the asking clause only, none unknown to the articles (「秘書検定って役立つ？」 shares
    # 役立つ with a fact, but asks about something the articles do not know), and rare enough
    # together to say what is asked.
    weight = u.index.group_weight(query.groups, query.noun_groups)
    if not query.groups or query.unknown or weight < MIN_OVERRIDE_WEIGHT:
        return None
    subject = _subject_about(asked)
    allowed = {subject} if subject else set()
    if subject and subject.startswith("role:") and subject.partition(":")[2] in u.kb.roles:
        allowed.add(f"office:{u.kb.roles[subject.partition(':')[2]].office}")
    hits = [hit for hit in good_hits(u.index.search(query, k=10)) if hit.coverage >= MIN_OVERRIDE_COVERAGE
            and (not subject or hit.passage.about in allowed or hit.passage.about.startswith("topic:"))]
    if not hits:
        return None
    said = "\n".join(str(value) for reply in answer.replies for value in reply.params.values())
    if hits[0].passage.text in said:
        return None
    return facts_answer(u.kb, hits)


def _subject_about(asked: Sequence[Mapping[str, Any]]) -> Optional[str]:
    """``role:<id>`` or ``office:<id>`` of the first role or office asked about."""
    for entity in asked:
        if entity.get("entity") == "job":
            return f"role:{entity.get('value')}"
        if entity.get("entity") == "office":
            return f"office:{entity.get('value')}"
    return None


def _subject_name(kb: Knowledge, asked: Sequence[Mapping[str, Any]], context: Context) -> Optional[str]:
    for entity in asked:
        value = str(entity.get("value"))
        if entity.get("entity") == "job" and value in kb.roles:
            return kb.roles[value].name
        if entity.get("entity") == "office" and value in kb.offices:
            return kb.offices[value].name
    return about_name(kb, context.topic) if context.topic else None


def _remember(answer: Answer, question: Optional[str], context: Context) -> Answer:
    """The answer, with the kind of question to keep for 「じゃあ経理は？」."""
    return Answer(answer.replies, answer.topic, question or context.question)


@cache
def default_understanding() -> Understanding:
    """The knowledge, index and reader of this process."""
    from actions.retrieval import default_index
    from actions.statements import default_reader
    from bot.knowledge.base import default_knowledge

    return Understanding(default_knowledge(), default_index(), default_reader())


def message_from(parse_data: Mapping[str, Any]) -> Message:
    """The NLU result of the tracker's latest message as a :class:`Message`."""
    intent = (parse_data.get("intent") or {}).get("name") or ""
    ranking = tuple(
        (str(r.get("name")), float(r.get("confidence") or 0.0))
        for r in parse_data.get("intent_ranking") or () if isinstance(r, Mapping) and r.get("name")
    )
    return Message(intent, str(parse_data.get("text") or ""), tuple(parse_data.get("entities") or ()), ranking)
