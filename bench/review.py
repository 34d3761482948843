"""`make bench`: the time `make review` takes over 10,000 synthetic conversations (about 200,000 events).

The store is written in Rasa's own ``events`` table with rows shaped like those the bot stores
(bot/stores/tracker_store.py): question-and-answer turns, messages that fall through, rephrases, and
diagnoses that finish or stop at some question. The review then runs as `make review` runs it,
in a process of its own, and its wall time and peak memory (maximum resident set) are reported.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
CONVERSATIONS = 10_000
DAYS = 28
# Issue 16: a report over 10,000 conversations within a minute on this machine.
TARGET_S = 60.0

INTENTS = ["ask_overview", "ask_skills", "ask_merits", "ask_demerits", "ask_fit", "ask_difference",
           "ask_office_roles", "ask_kpi", "ask_problems", "greet", "thank", "out_of_scope"]
QUESTIONS = [  # (text, intent, confidence, entities, response)
    ("経理って何？", "ask_overview", 0.97, [("job", "accounting", "経理")], "utter_role_overview"),
    ("人事について教えて", "ask_overview", 0.93, [("job", "hr", "人事")], "utter_role_overview"),
    ("営業のデメリットは？", "ask_demerits", 0.91, [("job", "sales", "営業")], "utter_role_hard"),
    ("バックオフィスに向いている人は？", "ask_fit", 0.88, [("office", "back", "バックオフィス")], "utter_office_fits"),
    ("フロントオフィスとバックオフィスの違いは？", "ask_difference", 0.95,
     [("office", "front", "フロントオフィス"), ("office", "back", "バックオフィス")], "utter_office_difference"),
    ("総務の仕事内容は？", "ask_overview", 0.9, [("job", "general_affairs", "総務")], "utter_role_duties"),
    ("法務に必要なスキルは？", "ask_skills", 0.86, [("job", "legal", "法務")], "utter_role_skills"),
    ("フロントオフィスのKPIは？", "ask_kpi", 0.92, [("office", "front", "フロントオフィス")], "utter_office_kpis"),
]
FELL_THROUGH = [
    ("経理の年収はいくら？", "ask_overview", 0.71, [("job", "accounting", "経理")], "utter_no_figures"),
    ("経理の年収はどれくらいですか", "ask_overview", 0.66, [("job", "accounting", "経理")], "utter_no_figures"),
    ("パイロットになるには？", "ask_overview", 0.58, [("other_job", "パイロット", "パイロット")], "utter_unknown_role"),
    ("今日の天気は？", "out_of_scope", 0.94, [], "utter_out_of_scope"),
    ("リモートワークはできますか", "nlu_fallback", 0.32, [], "utter_default"),
    ("リモートワークできる？", "nlu_fallback", 0.38, [], "utter_default"),
    ("転職エージェントのおすすめは", "ask_industries", 0.52, [], "utter_not_in_articles"),
]
# An unanswerable question, said again in other words.
REPHRASES = {FELL_THROUGH[0][0]: FELL_THROUGH[1], FELL_THROUGH[4][0]: FELL_THROUGH[5]}
TRAITS = ["talk_people", "targets_pressure", "adapt_on_spot", "steady_accuracy", "support_others",
          "regular_holidays", "visible_results", "specialist_knowledge", "bridging_risk"]
OFFICES = ["フロントオフィス", "バックオフィス", "ミドルオフィス"]
CHANNELS = [("rest", 40), ("webchat", 40), ("slack", 15), ("cmdline", 5)]
METADATA = {"model_id": "0" * 32, "assistant_id": "office-career-guide"}


class Writer:
    """Builds the rows of one conversation, with timestamps that move on as a person types."""

    def __init__(self, sender: str, start: float, channel: str, rng: random.Random) -> None:
        self.sender, self.now, self.channel, self.rng = sender, start, channel, rng
        self.rows: List[Dict[str, Any]] = []

    def _row(self, type_name: str, data: Dict[str, Any], intent: Optional[str] = None,
             action: Optional[str] = None) -> None:
        self.now += 0.001
        data = {"event": type_name, "timestamp": self.now, "metadata": METADATA, **data}
        self.rows.append({"sender_id": self.sender, "type_name": type_name, "timestamp": self.now,
                          "intent_name": intent, "action_name": action, "data": json.dumps(data)})

    def action(self, name: str) -> None:
        """An action Rasa ran."""
        self._row("action", {"name": name, "policy": "RulePolicy", "confidence": 1.0, "action_text": None,
                             "hide_rule_turn": False}, action=name)

    def session(self) -> None:
        """The start of a session, as action_session_start writes it."""
        self.action("action_session_start")
        self._row("session_started", {})
        self.action("action_listen")

    def user(self, text: str, intent: str, confidence: float, entities: List[Tuple[str, str, str]]) -> None:
        """A user message some seconds after the last event, with the NLU's result."""
        self.now += self.rng.uniform(4, 40)
        ranking = [{"name": intent, "confidence": confidence}] + [
            {"name": other, "confidence": round((1 - confidence) / 9, 4)} for other in INTENTS[:9] if other != intent]
        parse = {"intent": {"name": intent, "confidence": confidence},
                 "entities": [{"entity": e, "value": v, "start": 0, "end": len(t), "text": t,
                               "extractor": "KnowledgeEntityExtractor"} for e, v, t in entities],
                 "text": text, "message_id": uuid.uuid4().hex, "metadata": {},
                 "text_tokens": [[i, i + 1] for i in range(len(text))], "intent_ranking": ranking}
        self._row("user", {"text": text, "parse_data": parse, "input_channel": self.channel,
                           "message_id": parse["message_id"]}, intent=intent)
        self._row("user_featurization", {"use_text_for_featurization": False})
        self.now += self.rng.lognormvariate(-2.8, 0.5)  # ~60 ms to the first answer

    def bot(self, response: str, text: str, **params: Any) -> None:
        """A bot message; Rasa keeps the response name and its parameters in the metadata."""
        self._row("bot", {"text": text, "data": {}, "metadata": {"utter_action": response, "template": response,
                                                                 **params}})

    def slot(self, name: str, value: Any) -> None:
        """A slot set by an action."""
        self._row("slot", {"name": name, "value": value}, action=name)


# What the bot says when it cannot answer (bot/domain/*.yml), shortened.
REPLIES = {
    "utter_no_figures": "申し訳ありません。{what}の具体的な数字は、私が参照している記事には書かれていません。",
    "utter_unknown_role": "申し訳ありません。「{what}」については、記事に情報がないため、お答えできません。",
    "utter_out_of_scope": "申し訳ありません。そのご質問にはお答えできません。オフィスの仕事についてお話しできます。",
    "utter_default": "すみません、うまく理解できませんでした。職種やオフィスの名前を入れて聞いていただけますか。",
    "utter_not_in_articles": "申し訳ありません。{what}については、私が参照している記事には書かれていません。",
}


def _question(w: Writer, item: Tuple[str, str, float, List[Tuple[str, str, str]], str]) -> None:
    text, intent, confidence, entities, response = item
    w.user(text, intent, confidence, entities)
    w.action("action_answer_question")
    what = entities[0][2] if entities else re.sub(r"(は|って)?[？?]?$", "", text)
    reply = REPLIES.get(response, "{what}は、記事では次のように紹介されています。…（出典：「記事」）")
    w.bot(response, reply.format(what=what), name=what, sources="「記事」")
    w.slot("topic", f"role:{entities[0][1]}" if entities else None)
    w.action("action_listen")


def _diagnosis(w: Writer, rng: random.Random) -> None:
    w.user("診断したい", "request_diagnosis", 0.99, [])
    w.bot("utter_diagnosis_intro", "これから9つの質問で診断します。")
    w.action("diagnosis_form")
    w._row("active_loop", {"name": "diagnosis_form"})
    stop_at = len(TRAITS) if rng.random() < 0.6 else rng.randrange(1, len(TRAITS))
    for number, trait in enumerate(TRAITS, start=1):
        # The form asks inside its own action: requested_slot says which question (bot/review/analysis.py).
        w.slot("requested_slot", f"diag_{trait}")
        w.bot("utter_diagnosis_question", f"質問{number}/9：…", number=number, total=9)
        w.action("action_listen")
        if number == stop_at and stop_at < len(TRAITS):
            return
        if rng.random() < 0.05 * (number % 3):  # an answer the bot cannot read: the question comes again
            w.user("うーん、場合によります", "diagnosis_answer", 0.62, [])
            w.action("diagnosis_form")
            w.slot("requested_slot", None)
            w.bot("utter_diagnosis_unclear", "すみません、お答えをうまく読み取れませんでした。")
            w.slot("requested_slot", f"diag_{trait}")
            w.bot("utter_diagnosis_question", f"質問{number}/9：…", number=number, total=9)
            w.action("action_listen")
        w.user('/diagnosis_answer{"answer": "agree"}', "diagnosis_answer", 1.0, [])
        w.action("diagnosis_form")
        w.slot(f"diag_{trait}", 1)
    w._row("active_loop", {"name": None})
    w.action("action_diagnosis_result")
    office = rng.choice(OFFICES)
    w.bot("utter_diagnosis_result_office", f"診断結果です。あなたには、{office}の仕事が合っていそうです。",
          office=office)
    w.bot("utter_diagnosis_top_roles", "特に合いそうな職種は次の3つです。")
    w.action("action_listen")
    if rng.random() < 0.3:
        w.user("なぜ？", "why_result", 0.97, [])
        w.action("action_diagnosis_explain")
        w.bot("utter_diagnosis_explain_intro", "各職種の適性は…")
        w.action("action_listen")
    if rng.random() < 0.2:
        w.user("他には？", "more_results", 0.95, [])
        w.action("action_diagnosis_more")
        w.bot("utter_diagnosis_more", "次に合いそうな職種です。")
        w.action("action_listen")


def conversation(number: int, now: float, rng: random.Random) -> List[Dict[str, Any]]:
    """The rows of one synthetic conversation (about 20)."""
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    w = Writer(f"synthetic-{number:05d}", now - rng.uniform(0, DAYS * 86400), channel, rng)
    w.session()
    if rng.random() < 0.2:
        _diagnosis(w, rng)
        return w.rows
    # Different questions, one of them now and then unanswerable and then said again in other words.
    for item in rng.sample(QUESTIONS, rng.randint(1, 3)):
        if rng.random() < 0.15:
            first, second = rng.sample(FELL_THROUGH, 2)
            _question(w, first)
            if rng.random() < 0.3:
                _question(w, REPHRASES.get(first[0], second))
        _question(w, item)
    return w.rows


def synthetic_rows(conversations: int, seed: int = 16) -> Iterator[Dict[str, Any]]:
    """Every row of the synthetic store, conversation after conversation."""
    rng = random.Random(seed)
    now = time.time()
    for number in range(conversations):
        yield from conversation(number, now, rng)


def write_store(path: Path, conversations: int = CONVERSATIONS) -> int:
    """Writes a SQLite tracker store of synthetic conversations; returns its number of events."""
    import sqlalchemy as sa

    from bot.review.store import events_table

    path.unlink(missing_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    table = events_table()
    table.create(engine)
    count, batch = 0, []
    with engine.begin() as connection:
        for row in synthetic_rows(conversations):
            batch.append(row)
            if len(batch) == 5000:
                connection.execute(table.insert(), batch)
                count, batch = count + len(batch), []
        if batch:
            connection.execute(table.insert(), batch)
            count += len(batch)
    engine.dispose()
    return count


def measure(directory: Path, conversations: int = CONVERSATIONS) -> Dict[str, Any]:
    """Writes the synthetic store, runs the review over it; its wall time and peak memory."""
    directory.mkdir(parents=True, exist_ok=True)
    store = directory / "review-bench.db"
    events = write_store(store, conversations)
    env = dict(os.environ, TRACKER_DB=str(store), SQLALCHEMY_SILENCE_UBER_WARNING="1")
    output, errors = directory / "review-bench.out", directory / "review-bench.err"
    began = time.perf_counter()
    with output.open("wb") as out, errors.open("wb") as err:
        process = subprocess.Popen([str(PYTHON), "-m", "bot.review", "--out", str(directory)],
                                   cwd=ROOT, env=env, stdout=out, stderr=err)
        # wait4 gives this child's own peak memory (RUSAGE_CHILDREN would be the largest of all children).
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = output.read_text(encoding="utf-8"), errors.read_text(encoding="utf-8", errors="replace")
    for path in (store, output, errors):  # the store is 150 MB; the report and its CSV stay
        path.unlink()
    if process.returncode != 0:
        raise RuntimeError(f"make review failed on the synthetic store: {stderr.strip()[-2000:]}")
    return {"conversations": conversations, "events": events, "seconds": round(seconds, 2),
            "peak_memory_mb": round(usage.ru_maxrss / 1024, 1), "report": stdout.strip().splitlines()[-1],
            "target_s": TARGET_S}


def main() -> int:
    """`python -m bench.review [DIRECTORY]`: the measurement alone, printed as JSON."""
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "results" / "review"
    print(json.dumps(measure(directory), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
