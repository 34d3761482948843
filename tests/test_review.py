"""`make review`: the counts on hand-built conversations, and the command on small SQLite stores."""

from __future__ import annotations

import csv
import itertools
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator, List, Optional, Tuple

import pytest

from bot.review import analysis
from bot.review.__main__ import UsageError, main, period_of, question_slots
from bot.review.analysis import (
    FALLBACK,
    LOW_CONFIDENCE,
    NOT_IN_ARTICLES,
    OUT_OF_SCOPE,
    FellThrough,
    Grouper,
    Review,
    StoredEvent,
    fell_through_reasons,
    hash_sender,
    percentile,
    rephrased,
    turns_of,
)
from bot.review.words import content_words

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = question_slots()
SALT = b"test-salt"
DAY = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc).timestamp()


class Clock:
    """Timestamps that move on 10 ms per event, and 10 s before each user message."""

    def __init__(self, start: float = DAY) -> None:
        self.now = start

    def tick(self, seconds: float = 0.01) -> float:
        self.now += seconds
        return self.now


def user(clock: Clock, text: str, intent: Optional[str] = "ask_overview", confidence: float = 0.95,
         entities: Tuple[Tuple[str, str], ...] = (), channel: str = "rest") -> StoredEvent:
    return StoredEvent("user", clock.tick(10), text=text, intent=intent, confidence=confidence,
                       entities=entities, channel=channel)


def bot(clock: Clock, response: str, text: str = "", **params: Any) -> StoredEvent:
    return StoredEvent("bot", clock.tick(), name=response, text=text or response, params=params)


def action(clock: Clock, name: str) -> StoredEvent:
    return StoredEvent("action", clock.tick(), name=name)


def question(clock: Clock, number: int) -> List[StoredEvent]:
    """The form asking a question, as Rasa stores it: requested_slot, then the question."""
    return [action(clock, "diagnosis_form"), StoredEvent("slot", clock.tick(), "requested_slot", value=QUESTIONS[number - 1]),
            bot(clock, "utter_diagnosis_question", number=number), action(clock, "action_listen")]


def answer(clock: Clock) -> StoredEvent:
    return user(clock, '/diagnosis_answer{"answer": "agree"}', "diagnosis_answer", 1.0)


def diagnosis(clock: Clock, until: int, result: Optional[str] = None) -> List[StoredEvent]:
    """A diagnosis that reaches question `until`, then shows `result` if given."""
    events = [user(clock, "診断したい", "request_diagnosis", 0.99), bot(clock, "utter_diagnosis_intro")]
    for number in range(1, until + 1):
        events += question(clock, number)
        if number < until or result:
            events.append(answer(clock))
    if result:
        events += [action(clock, "action_diagnosis_result"),
                   bot(clock, "utter_diagnosis_result_office", office=result), action(clock, "action_listen")]
    return events


def review(**kwargs: Any) -> Review:
    return Review(QUESTIONS, content_words, SALT, **kwargs)


# --- the diagnosis funnel -------------------------------------------------------------------------

def test_a_finished_and_an_abandoned_diagnosis_are_counted_as_such() -> None:
    r = review()
    clock = Clock()
    finished = diagnosis(clock, 9, result="バックオフィス")
    finished += [user(clock, "なぜ？", "why_result"), action(clock, "action_diagnosis_explain"),
                 bot(clock, "utter_diagnosis_explain_intro")]
    r.add("finished", finished)
    r.add("abandoned", diagnosis(Clock(), 3))
    r.add("no-diagnosis", [user(Clock(), "経理って何？"), bot(Clock(), "utter_role_overview")])

    funnel = r.summary().diagnosis
    assert funnel is not None
    assert (funnel.started, funnel.finished, funnel.abandoned) == (2, 1, 1)
    assert funnel.reached == [2, 2, 2, 1, 1, 1, 1, 1, 1]
    assert (funnel.asked_why, funnel.asked_more) == (1, 0)
    assert dict(funnel.results) == {"バックオフィス": 1}


def test_a_question_asked_right_after_itself_is_counted_as_asked_again() -> None:
    clock = Clock()
    events = diagnosis(clock, 2)
    # As validate_diagnosis_form does: the slot is emptied, the form asks the same question again.
    events += [user(clock, "うーん", "diagnosis_answer", 0.5), bot(clock, "utter_diagnosis_unclear"),
               StoredEvent("slot", clock.tick(), "requested_slot", value=None),
               *question(clock, 2), answer(clock), *question(clock, 3)]
    r = review()
    r.add("reasked", events)
    funnel = r.summary().diagnosis
    assert funnel is not None and funnel.most_reasked == (2, 1)


def test_a_second_diagnosis_after_a_result_is_not_a_question_asked_again() -> None:
    clock = Clock()
    events = diagnosis(clock, 1, result="フロントオフィス") + diagnosis(clock, 1)
    # The first diagnosis ends at question 1 with a result; the next one starts at question 1 again.
    r = review()
    r.add("twice", events)
    funnel = r.summary().diagnosis
    assert funnel is not None and funnel.most_reasked is None and funnel.finished == 1


def test_a_close_call_result_is_kept_apart_from_single_offices() -> None:
    clock = Clock()
    events = diagnosis(clock, 9) + [answer(clock)]
    events += [action(clock, "action_diagnosis_result"),
               bot(clock, "utter_diagnosis_result_close", offices="フロントオフィス・バックオフィス")]
    r = review()
    r.add("close", events)
    funnel = r.summary().diagnosis
    assert funnel is not None and dict(funnel.results) == {("close", "フロントオフィス・バックオフィス"): 1}


# --- messages that fell through ------------------------------------------------------------------

@pytest.mark.parametrize("intent, confidence, responses, actions, expected", [
    ("nlu_fallback", 0.3, ["utter_default"], [], [FALLBACK]),
    ("ask_overview", 0.9, [], ["action_default_fallback"], [FALLBACK]),
    ("out_of_scope", 0.9, ["utter_out_of_scope"], [], [OUT_OF_SCOPE]),
    ("ask_overview", 0.8, ["utter_no_figures"], [], [NOT_IN_ARTICLES]),
    ("ask_overview", 0.8, ["utter_unknown_role"], [], [NOT_IN_ARTICLES]),
    ("ask_overview", 0.5, ["utter_not_in_articles"], [], [NOT_IN_ARTICLES, LOW_CONFIDENCE]),
    ("ask_fit", 0.59, ["utter_role_fits"], [], [LOW_CONFIDENCE]),
    ("ask_fit", 0.6, ["utter_role_fits"], [], []),
])
def test_why_a_message_fell_through(intent: str, confidence: float, responses: List[str], actions: List[str],
                                    expected: List[str]) -> None:
    clock = Clock()
    events = [user(clock, "営業の年収は？", intent, confidence)]
    events += [action(clock, name) for name in actions] + [bot(clock, name) for name in responses]
    (turn,) = turns_of(events)
    assert fell_through_reasons(turn) == expected


def test_a_button_payload_is_never_low_confidence() -> None:
    (turn,) = turns_of([user(Clock(), "/affirm", "affirm", 0.3)])
    assert fell_through_reasons(turn) == []


def _turns(*texts: str, intent: str = "ask_overview") -> Tuple[List[analysis.Turn], List[Any]]:
    clock = Clock()
    turns = turns_of([user(clock, text, intent) for text in texts])
    return turns, [content_words(text) for text in texts]


def test_a_question_said_again_in_other_words_within_two_messages_is_a_rephrase() -> None:
    assert rephrased(*_turns("経理の年収はいくら？", "経理の年収はどれくらいですか")) == {0}
    assert rephrased(*_turns("リモートワークできる？", "ありがとう", "リモートワークはできますか")) == {0}
    # Three messages later it is not a rephrase any more.
    assert rephrased(*_turns("リモートワークできる？", "経理は？", "人事は？", "リモートワークはできますか")) == set()


def test_a_follow_up_on_the_same_subject_is_not_a_rephrase() -> None:
    assert rephrased(*_turns("経理って何？", "経理の年収はどれくらいですか")) == set()  # one word of two in common
    assert rephrased(*_turns("経理の仕事内容は？", "経理のデメリットは？")) == set()


def test_answers_to_the_bot_are_never_rephrases() -> None:
    assert rephrased(*_turns("はい", "はい", intent="affirm")) == set()
    assert rephrased(*_turns('/diagnosis_answer{"answer": "agree"}', '/diagnosis_answer{"answer": "agree"}')) == set()


def _item(text: str) -> FellThrough:
    return FellThrough(datetime(2026, 11, 20).date(), "c", text, [FALLBACK], "nlu_fallback", 0.3, "", "")


def test_similar_messages_are_grouped_most_frequent_first() -> None:
    grouper = Grouper()
    for text in ["今日の天気は？", "リモートワークできる？", "リモートワークはできますか", "リモートワークできる？",
                 "在宅勤務は可能ですか"]:
        grouper.add(_item(text), content_words(text))
    groups = grouper.ranked()
    assert [(g.text, g.count) for g in groups] == [
        ("リモートワークできる？", 3), ("今日の天気は？", 1), ("在宅勤務は可能ですか", 1)]
    assert groups[0].other_variants == ["リモートワークはできますか"]
    assert groups[0].example.text == "リモートワークできる？"


def test_request_words_do_not_make_different_subjects_alike() -> None:
    grouper = Grouper()
    for text in ["経理について教えて", "人事について教えて", "経理ってなに？"]:
        grouper.add(_item(text), content_words(text))
    assert [(g.text, g.count) for g in grouper.ranked()] == [("経理について教えて", 2), ("人事について教えて", 1)]


def test_messages_without_content_words_are_grouped_by_their_text() -> None:
    grouper = Grouper()
    for text in ["？？", "？？", "ｗｗ"]:
        grouper.add(_item(text), content_words(text))
    assert sorted(g.count for g in grouper.ranked()) == [1, 2]


def test_fell_through_messages_are_grouped_and_reported_with_their_reasons() -> None:
    exported: List[FellThrough] = []
    r = review(on_fell_through=exported.append)
    for n, text in enumerate(["経理の年収はいくら？", "経理の年収はどれくらいですか", "経理の年収はいくら？"]):
        clock = Clock()
        r.add(f"sender-{n}", [user(clock, text, "ask_overview", 0.8), bot(clock, "utter_no_figures", "数字はありません")])
    s = r.summary()
    assert s.fell_through == 3 and s.reasons == {NOT_IN_ARTICLES: 3}
    assert [(g.text, g.count, len(g.conversations)) for g in s.groups] == [("経理の年収はいくら？", 3, 3)]
    assert [item.reply for item in exported] == ["数字はありません"] * 3


# --- privacy --------------------------------------------------------------------------------------

def test_everything_before_a_forget_marker_is_left_out() -> None:
    clock = Clock()
    events = [user(clock, "人事について教えて"), bot(clock, "utter_role_overview"),
              user(clock, "会話の記録を消して", "request_forget"), bot(clock, "utter_confirm_forget"),
              user(clock, "はい", "affirm"), action(clock, "action_forget_conversation"),
              StoredEvent("restart", clock.tick()), user(clock, "経理って何？")]
    assert [turn.text for turn in turns_of(events)] == ["経理って何？"]


def test_a_restart_without_the_forget_action_keeps_the_conversation() -> None:
    clock = Clock()
    events = [user(clock, "人事について教えて"), StoredEvent("restart", clock.tick()), user(clock, "経理って何？")]
    assert len(turns_of(events)) == 2


def test_sender_ids_are_shown_as_keyed_hashes() -> None:
    hashed = hash_sender("U012345", SALT)
    assert re.fullmatch(r"[0-9a-f]{10}", hashed)
    assert hashed == hash_sender("U012345", SALT) != hash_sender("U012345", b"other")
    assert hashed != hash_sender("U012346", SALT)


# --- volume and speed -----------------------------------------------------------------------------

def test_volume_per_day_and_channel_and_the_answer_times() -> None:
    r = review()
    clock = Clock()
    first = user(clock, "経理って何？", entities=(("job", "accounting"),), channel="webchat")
    answered = [bot(clock, "utter_role_overview"), StoredEvent("bot", first.timestamp + 0.2, "utter_role_duties")]
    later = user(Clock(DAY + 86400), "営業のデメリットは？", "ask_demerits", entities=(("job", "sales"),), channel="slack")
    r.add("a", [first, *answered])
    r.add("b", [later, StoredEvent("bot", later.timestamp + 0.05, "utter_role_hard")])
    s = r.summary()
    days = list(s.per_day)
    assert s.per_day[days[0]] == (1, 1) and s.per_day[days[1]] == (1, 1)
    assert sorted(s.channels) == [("slack", 1, 1), ("webchat", 1, 1)]
    # The answer is complete with the last bot message before the next user message.
    assert [(n, p50) for _, n, p50, _ in s.speed] == [(1, 200), (1, 50)]
    assert dict(s.roles) == {"accounting": 1, "sales": 1}
    assert dict(s.question_types) == {"ask_overview": 1, "ask_demerits": 1}


def test_percentiles_come_from_the_histogram() -> None:
    histogram = {10: 50, 20: 45, 900: 5}
    assert percentile(histogram, 0.5) == 10
    assert percentile(histogram, 0.95) == 20
    assert percentile(histogram, 0.96) == 900
    assert percentile({}, 0.5) is None


# --- the period -----------------------------------------------------------------------------------

def test_the_period_defaults_to_the_last_30_days_and_a_bare_end_date_includes_that_day() -> None:
    now = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
    assert period_of(None, None, now) == (now - timedelta(days=30), now)
    since, until = period_of("2026-11-01", "2026-11-30", now)
    assert (since.day, until) == (1, datetime(2026, 12, 1, tzinfo=timezone.utc))
    with pytest.raises(UsageError, match="not a date"):
        period_of("yesterday", None, now)
    with pytest.raises(UsageError, match="empty"):
        period_of("2026-12-01", "2026-11-01", now)


# --- the command on SQLite stores -----------------------------------------------------------------

def run_review(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], store: Path, out: Path,
               *args: str) -> Tuple[int, str, str]:
    monkeypatch.setenv("TRACKER_DB", str(store))
    status = main(["--endpoints", str(ROOT / "bot" / "endpoints.yml"), "--out", str(out), *args],
                  now=datetime.now().astimezone())
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_missing_store_is_named_in_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run_review(monkeypatch, capsys, tmp_path / "tracker-7777.db", tmp_path / "out")
    assert status == 2 and out == ""
    assert "tracker-7777.db" in err and "Traceback" not in err
    assert not (tmp_path / "tracker-7777.db").exists()  # not created by looking for it


def test_an_unreadable_store_is_named_in_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = tmp_path / "tracker.db"
    store.write_bytes(b"this is not a database" * 100)
    status, out, err = run_review(monkeypatch, capsys, store, tmp_path / "out")
    assert status == 2 and str(store) in err and "not a database" in err and "Traceback" not in err


def test_an_empty_store_gives_a_report_that_says_so(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from bench.review import write_store

    store = tmp_path / "tracker.db"
    write_store(store, conversations=0)
    status, out, err = run_review(monkeypatch, capsys, store, tmp_path / "out")
    assert status == 0
    report = Path(out.strip().splitlines()[-1])
    assert report.parent == tmp_path / "out" and report.suffix == ".html"
    assert "この期間の会話はありません" in report.read_text(encoding="utf-8")
    assert list((tmp_path / "out").glob("*.csv")) == []


def _insert(store: Path, sender: str, events: List[Tuple[str, float, Optional[str], Optional[str], str]]) -> None:
    with sqlite3.connect(store) as db:
        db.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                       "VALUES (?, ?, ?, ?, ?, ?)", [(sender, *event) for event in events])


def _user_row(text: str, timestamp: float, intent: str, confidence: float) -> Tuple[str, float, str, None, str]:
    import json

    data = {"event": "user", "timestamp": timestamp, "text": text, "input_channel": "rest",
            "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": []}}
    return ("user", timestamp, intent, None, json.dumps(data))


def _bot_row(response: str, timestamp: float) -> Tuple[str, float, None, None, str]:
    import json

    data = {"event": "bot", "timestamp": timestamp, "text": "すみません、うまく理解できませんでした。",
            "metadata": {"utter_action": response}}
    return ("bot", timestamp, None, None, json.dumps(data))


@pytest.fixture
def small_store(tmp_path: Path) -> Iterator[Path]:
    """30 synthetic conversations, plus one that fell through with markup in it and one outside the period."""
    from bench.review import write_store

    store = tmp_path / "tracker.db"
    write_store(store, conversations=30)
    now = datetime.now().timestamp()
    _insert(store, "U-secret-sender", [_user_row("<script>alert(1)</script>で働ける？", now - 60, "nlu_fallback", 0.2),
                                       _bot_row("utter_default", now - 59.9)])
    _insert(store, "old-sender", [_user_row("去年の質問です", now - 90 * 86400, "nlu_fallback", 0.2),
                                  _bot_row("utter_default", now - 90 * 86400 + 0.1)])
    yield store


def test_the_report_covers_the_period_escapes_what_users_wrote_and_hides_sender_ids(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        small_store: Path) -> None:
    status, out, err = run_review(monkeypatch, capsys, small_store, tmp_path / "out")
    assert status == 0, err
    html = Path(out.strip().splitlines()[-1]).read_text(encoding="utf-8")
    for heading in ["利用状況", "答えられなかったメッセージ", "話題", "適職診断", "応答速度"]:
        assert heading in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;で働ける？" in html and "<script>" not in html
    assert "U-secret-sender" not in html and "synthetic-0" not in html
    assert "去年の質問です" not in html  # before the period
    assert "https://" not in html and "http://" not in html  # nothing to fetch: charts are embedded
    assert html.count("data:image/png;base64,") >= 5

    (csv_file,) = (tmp_path / "out").glob("*.csv")
    with csv_file.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["date", "conversation", "message", "reasons", "intent", "confidence", "bot_reply",
                             "intended_intent"]
    mine = [row for row in rows if row["message"].startswith("<script>")]
    assert mine and mine[0]["intent"] == "nlu_fallback" and mine[0]["confidence"] == "0.200"
    assert mine[0]["reasons"] == FALLBACK and mine[0]["intended_intent"] == ""
    assert all(row["conversation"] != "U-secret-sender" for row in rows)


def test_the_period_options_leave_out_what_is_outside(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                      small_store: Path) -> None:
    old = datetime.now() - timedelta(days=90)
    since = (old - timedelta(days=1)).strftime("%Y-%m-%d")
    until = (old + timedelta(days=1)).strftime("%Y-%m-%d")
    status, out, _ = run_review(monkeypatch, capsys, small_store, tmp_path / "out", "--since", since,
                                "--until", until)
    assert status == 0
    html = Path(out.strip().splitlines()[-1]).read_text(encoding="utf-8")
    assert "去年の質問です" in html and "<script>" not in html and "働ける" not in html


def test_both_decoders_read_the_same_counts(small_store: Path) -> None:
    import sqlalchemy as sa

    from bot.review.store import conversations

    engine = sa.create_engine(f"sqlite:///{small_store}")
    results = []
    for decoder in ("rasa", "json"):
        r = review()
        for sender, events in conversations(engine, 0, 1e12, decoder=decoder):
            r.add(sender, events)
        s = r.summary()
        results.append((s.conversations, s.messages, s.fell_through, dict(s.reasons), s.speed_overall))
    assert results[0] == results[1]
    assert results[0][0] == 32


def test_conversations_stream_in_sender_order_one_at_a_time(small_store: Path) -> None:
    import sqlalchemy as sa

    from bot.review.store import conversations

    engine = sa.create_engine(f"sqlite:///{small_store}")
    senders = [sender for sender, _ in conversations(engine, 0, 1e12)]
    assert senders == sorted(senders) and len(senders) == len(set(senders))
    first = next(iter(conversations(engine, 0, 1e12)))[1]
    assert [e.timestamp for e in first] == sorted(e.timestamp for e in first)
    assert list(itertools.islice(conversations(engine, 0, 1), 1)) == []


# --- make bench -----------------------------------------------------------------------------------

def test_bench_times_the_review_in_a_process_of_its_own(tmp_path: Path) -> None:
    from bench import review as bench_review

    figures = bench_review.measure(tmp_path, conversations=200)
    assert figures["conversations"] == 200 and figures["events"] > 200 * 10
    assert 0 < figures["seconds"] < 60 and figures["peak_memory_mb"] > 50
    html = Path(figures["report"])
    assert html.is_file() and "適職診断" in html.read_text(encoding="utf-8")


def test_bench_report_shows_the_review_time_against_its_target() -> None:
    from bench import report

    results = {
        "machine": {"date": "2026-12-03 10:00", "cores": 2, "cpu": "test CPU", "memory_gb": 23.0,
                    "python": "3.10.13", "load_average_at_start": [1.0, 1.0, 1.0]},
        "settings": {"duration": 15, "think_min": 1.0, "think_max": 3.0, "saturation_users": 50, "users": []},
        "bots": {"ours": {"review": {"seconds": 11.24, "peak_memory_mb": 250.3}, "serving": {"load": []}},
                 "baseline": {"serving": {"load": []}}},
        "total_s": 600.0,
    }
    lines = report.markdown(results).splitlines()
    row = next(line for line in lines if line.startswith("| make review, 10,000 conversations: s |"))
    assert [cell.strip() for cell in row.strip("|").split("|")][1:] == ["11.2", "–", "", "≤ 60", "yes"]
    results["bots"]["ours"]["review"]["seconds"] = 61.0
    assert "| ≤ 60 | no |" in report.markdown(results)


# --- from the CSV to training examples ------------------------------------------------------------

def _csv(path: Path, rows: List[Tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["date", "conversation", "message", "reasons", "intent", "confidence", "bot_reply",
                         "intended_intent"])
        for message, intended in rows:
            writer.writerow(["2026-12-01", "abc", message, "fallback", "nlu_fallback", "0.300", "", intended])
    return path


def test_filled_in_rows_become_nlu_examples_and_the_rest_is_explained(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    from bot.review import training

    held_out = next(iter(training.nlu_examples([ROOT / "tests" / "nlu" / "test_nlu.yml"])))
    trained, trained_intent = next(iter(training.nlu_examples([ROOT / "data" / "nlu" / "questions.yml"]).items()))
    path = _csv(tmp_path / "review.csv", [
        ("経理の平均年収っていくらくらい？", "ask_overview"), ("経理の平均年収っていくらくらい？", "ask_overview"),
        ("総務ってどんな人が多い？", "ask_fit"), ("何の話？", ""), ("宇宙の話", "ask_space"),
        (held_out, "greet"), (trained, trained_intent), ('/diagnosis_answer{"answer": "agree"}', "diagnosis_answer"),
    ])
    assert training.main([str(path)]) == 0
    captured = capsys.readouterr()
    data = yaml.safe_load(captured.out)
    assert data["nlu"] == [
        {"intent": "ask_fit", "examples": "- 総務ってどんな人が多い？\n"},
        {"intent": "ask_overview", "examples": "- 経理の平均年収っていくらくらい？\n"},
    ]
    assert "ask_space is not an intent" in captured.err and "held-out test set" in captured.err
    assert f"already a training example of {trained_intent}" in captured.err and "button payload" in captured.err


def test_a_csv_with_nothing_filled_in_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.review import training

    assert training.main([str(_csv(tmp_path / "review.csv", [("何の話？", "")]))]) == 1
    assert "no row has an intended_intent" in capsys.readouterr().err
    assert training.main([str(tmp_path / "missing.csv")]) == 2


def test_annotations_are_removed_before_comparing() -> None:
    from bot.review.training import plain

    assert plain("[経理](job)の[バックオフィス]{\"entity\": \"office\"}での  仕事") == "経理のバックオフィスでの 仕事"


def test_the_names_the_review_looks_for_are_the_domains(domain: Any) -> None:
    # A renamed response or intent would silently drop its messages from the report.
    responses = (analysis.FALLBACK_RESPONSES | analysis.OUT_OF_SCOPE_RESPONSES | analysis.NOT_IN_ARTICLES_RESPONSES
                 | analysis.EXPLAIN_RESPONSES | analysis.MORE_RESPONSES | {analysis.RESULT_OFFICE, analysis.RESULT_CLOSE})
    assert responses <= set(domain["responses"]), responses - set(domain["responses"])
    intents = analysis.OUT_OF_SCOPE_INTENTS | analysis.NOT_REPHRASABLE_INTENTS
    assert intents <= set(domain["intents"]), intents - set(domain["intents"])
