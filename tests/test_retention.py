"""`make purge`: whole conversations idle for longer than the retention period are deleted."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from bot.scripts.purge import (
    DEFAULT_RETENTION_DAYS,
    SECONDS_PER_DAY,
    PurgeError,
    cutoff_time,
    engine_from_endpoints,
    main,
    purge,
    retention_days,
)
from tests.conftest import ConversationWriter, stored_events

ROOT = Path(__file__).resolve().parent.parent
NOW = 1_800_000_000.0  # 2027-01-15 08:00 UTC
DAY = float(SECONDS_PER_DAY)


@pytest.mark.parametrize("value, expected", [(None, DEFAULT_RETENTION_DAYS), ("", 30), (" 7 ", 7), ("1", 1)])
def test_retention_days(value: Any, expected: int) -> None:
    assert retention_days(value) == expected


@pytest.mark.parametrize("value", ["0", "-3", "1.5", "thirty"])
def test_retention_days_refuses_what_is_not_a_positive_whole_number(value: str) -> None:
    with pytest.raises(PurgeError, match="RETENTION_DAYS"):
        retention_days(value)


@pytest.fixture
def endpoints(tmp_path: Path, tracker_db: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The project's bot/endpoints.yml, pointed at the test's SQLite file as `make purge` points it."""
    monkeypatch.setenv("TRACKER_DB", str(tracker_db))
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    return str(ROOT / "bot" / "endpoints.yml")


@pytest.fixture
def history(open_store: Callable[..., Any], write_conversation: ConversationWriter) -> dict:
    """Conversations written by Rasa's SQLTrackerStore: ``{sender: event count}``."""
    store = open_store()
    return {
        # Last event exactly at the 30-day cutoff: not older than 30 days, kept.
        "at-cutoff": write_conversation(store, "at-cutoff", [NOW - 40 * DAY, NOW - 30 * DAY]),
        # One second earlier: deleted.
        "just-expired": write_conversation(store, "just-expired", [NOW - 30 * DAY - 1]),
        # Began 90 days ago but still active: kept whole, beginning included.
        "long-running": write_conversation(store, "long-running", [NOW - 90 * DAY, NOW - 60 * DAY, NOW - DAY]),
        "old": write_conversation(store, "old", [NOW - 200 * DAY, NOW - 100 * DAY]),
        "recent": write_conversation(store, "recent", [NOW - 60.0]),
    }


def senders(tracker_db: Path) -> set:
    return {row[0] for row in stored_events(tracker_db)}


def test_purge_deletes_whole_conversations_whose_last_event_is_older(
    history: dict, endpoints: str, tracker_db: Path
) -> None:
    kept_rows = {s: stored_events(tracker_db, s) for s in ("at-cutoff", "long-running", "recent")}
    result = purge(engine_from_endpoints(endpoints), cutoff_time(NOW, 30))
    assert [c.sender_id for c in result.conversations] == ["old", "just-expired"]  # oldest first
    assert result.events_deleted == history["old"] + history["just-expired"]
    assert senders(tracker_db) == {"at-cutoff", "long-running", "recent"}
    assert {s: stored_events(tracker_db, s) for s in kept_rows} == kept_rows


def test_dry_run_lists_and_deletes_nothing(
    history: dict, endpoints: str, tracker_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = stored_events(tracker_db)
    assert main(["--endpoints", endpoints, "--dry-run", "--days", "30"], now=NOW) == 0
    assert stored_events(tracker_db) == before
    lines = capsys.readouterr().out.splitlines()
    events = history["old"] + history["just-expired"]
    assert lines[0] == (
        f"Dry run, nothing deleted: would delete 2 conversations ({events} events) whose last event is "
        "before 2026-12-16 08:00:00 UTC (older than 30 days)."
    )
    assert lines[1] == f"  old: last event 2026-10-07 08:00:00 UTC, {history['old']} events"
    assert lines[2].startswith("  just-expired: last event 2026-12-16 07:59:59 UTC")
    assert len(lines) == 3


def test_retention_comes_from_the_environment(
    history: dict, endpoints: str, tracker_db: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RETENTION_DAYS", "90")
    assert main(["--endpoints", endpoints], now=NOW) == 0
    assert capsys.readouterr().out.startswith(f"Deleted 1 conversation ({history['old']} events)")
    assert "old" not in senders(tracker_db) and "just-expired" in senders(tracker_db)


def test_a_purge_before_any_conversation_deletes_nothing(
    open_store: Callable[..., Any], endpoints: str, tracker_db: Path
) -> None:
    open_store()  # Rasa creates the file and the table at start-up
    assert purge(engine_from_endpoints(endpoints), cutoff_time(NOW, 30)).events_deleted == 0


def test_a_missing_sqlite_file_is_an_error_not_an_empty_purge(
    endpoints: str, tracker_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--endpoints", endpoints], now=NOW) == 2
    assert "no SQLite tracker database" in capsys.readouterr().err
    assert not tracker_db.exists()


def test_a_tracker_store_that_is_not_sql_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text("tracker_store:\n  type: redis\n  url: localhost\n", encoding="utf-8")
    with pytest.raises(PurgeError, match="not an SQL tracker store"):
        engine_from_endpoints(str(path))


@pytest.mark.parametrize(
    "settings, url",
    [
        ("type: SQL\n  dialect: postgresql\n  url: db.internal\n  port: 5433\n  db: rasa\n"
         "  username: bot\n  password: secret\n  login_db: postgres",
         "postgresql://bot:***@db.internal:5433/rasa"),
        ("type: bot.stores.tracker_store.ForgettingSQLTrackerStore\n  dialect: postgresql\n"
         "  url: postgresql://bot:secret@db.internal/rasa", "postgresql://bot:***@db.internal/rasa"),
    ],
    ids=["fields", "url"],
)
def test_postgresql_settings_give_rasas_url_with_the_events_database(tmp_path: Path, settings: str, url: str) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text(f"tracker_store:\n  {settings}\n", encoding="utf-8")
    # `login_db` is where Rasa first connects to create `db`; the events are in `db`.
    assert repr(engine_from_endpoints(str(path)).url) == url
