"""`make purge`: deletes conversations whose last event is older than RETENTION_DAYS from the tracker store.

A conversation (all events of one sender id, every session) is deleted only as a whole and
only when its *last* event is older than the retention period, so a user who is still
talking never loses the beginning of their conversation. Works on the SQL tracker store
configured in bot/endpoints.yml (SQLite or PostgreSQL), with Rasa's own URL rules.

    python -m bot.scripts.purge [--days N] [--dry-run] [--endpoints bot/endpoints.yml]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional, Sequence, Text

import sqlalchemy as sa

DEFAULT_RETENTION_DAYS = 30
RETENTION_ENV = "RETENTION_DAYS"
SECONDS_PER_DAY = 86400


class PurgeError(Exception):
    """A setting that makes purging impossible; the message says which."""


@dataclass(frozen=True)
class Conversation:
    """One stored conversation: its sender id, the time of its last event and its size."""

    sender_id: Text
    last_event: float
    events: int


@dataclass(frozen=True)
class PurgeResult:
    """What was (or, in a dry run, would be) deleted."""

    cutoff: float
    conversations: List[Conversation]
    events_deleted: int


def retention_days(value: Optional[Text]) -> int:
    """The retention period from a setting: a whole number of days, at least 1 (unset: the default)."""
    if value is None or not value.strip():
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(value)
    except ValueError:
        raise PurgeError(f"{RETENTION_ENV} must be a whole number of days, not {value!r}") from None
    if days < 1:
        raise PurgeError(f"{RETENTION_ENV} must be at least 1 day, not {days}")
    return days


def cutoff_time(now: float, days: int) -> float:
    """Conversations whose last event is strictly before this time are deleted."""
    return now - days * SECONDS_PER_DAY


def _events_table() -> sa.Table:
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore.SQLEvent.__table__


def _expired_senders(events: sa.Table, cutoff: float) -> sa.sql.Select:
    # MAX ignores NULL timestamps; a conversation with none at all is never called expired.
    return (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < cutoff)
    )


def expired_conversations(engine: sa.engine.Engine, cutoff: float) -> List[Conversation]:
    """Conversations whose last event is before ``cutoff``, oldest first."""
    events = _events_table()
    last = sa.func.max(events.c.timestamp)
    query = (
        sa.select(events.c.sender_id, last, sa.func.count())
        .group_by(events.c.sender_id)
        .having(last < cutoff)
        .order_by(last, events.c.sender_id)
    )
    with engine.connect() as connection:
        return [Conversation(sender, float(ts), int(n)) for sender, ts, n in connection.execute(query)]


def purge(engine: sa.engine.Engine, cutoff: float, dry_run: bool = False) -> PurgeResult:
    """Deletes every event of the conversations whose last event is before ``cutoff`` (or only lists them)."""
    if not sa.inspect(engine).has_table(_events_table().name):
        return PurgeResult(cutoff, [], 0)  # Rasa has not stored anything yet
    conversations = expired_conversations(engine, cutoff)
    if dry_run:
        return PurgeResult(cutoff, conversations, sum(c.events for c in conversations))
    events = _events_table()
    # One statement that checks the age again: a user who writes between the listing and
    # the deletion keeps their conversation.
    statement = events.delete().where(events.c.sender_id.in_(_expired_senders(events, cutoff)))
    with engine.begin() as connection:
        deleted = connection.execute(statement).rowcount
    return PurgeResult(cutoff, conversations, int(deleted))


def engine_from_endpoints(path: Text) -> sa.engine.Engine:
    """An engine for the SQL tracker store in the endpoints file, built the way Rasa builds it."""
    from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, validate_port
    from rasa.shared.utils.common import class_from_module_path
    from rasa.utils.endpoints import read_endpoint_config

    # Rasa expands every ${VAR} of the file, even of sections it does not return; the lock
    # store's directory is the servers' business, not the purge's.
    os.environ.setdefault("LOCK_DIR", "var/locks")
    config = read_endpoint_config(path, "tracker_store")
    if config is None or not config.type:
        raise PurgeError(f"{path} configures no tracker store")
    if config.type.lower() != "sql":
        store_class = class_from_module_path(config.type) if "." in config.type else None
        if not (isinstance(store_class, type) and issubclass(store_class, SQLTrackerStore)):
            raise PurgeError(f"{path}: tracker store type {config.type!r} is not an SQL tracker store")
    settings = config.kwargs
    dialect = settings.get("dialect", "sqlite")
    db = settings.get("db", "rasa.db")
    if dialect == "sqlite" and not config.url and not Path(db).is_file():
        # SQLite would create an empty file; a wrong path should not look like "nothing to delete".
        raise PurgeError(f"{path}: there is no SQLite tracker database at {db}")
    # The events live in `db`; `login_db` is only where Rasa connects first to create it.
    url = SQLTrackerStore.get_db_url(
        dialect=dialect,
        host=config.url,
        port=validate_port(settings.get("port")),
        db=db,
        username=settings.get("username"),
        password=settings.get("password"),
        query=settings.get("query"),
    )
    return sa.create_engine(url, **create_engine_kwargs(url))


def _utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def report(result: PurgeResult, days: int, dry_run: bool) -> List[str]:
    """The lines `make purge` prints."""
    count = len(result.conversations)
    what = f"{count} conversation{'' if count == 1 else 's'} ({result.events_deleted} events)"
    when = f"whose last event is before {_utc(result.cutoff)} (older than {days} days)"
    if not dry_run:
        return [f"Deleted {what} {when}."]
    lines = [f"Dry run, nothing deleted: would delete {what} {when}."]
    lines += [f"  {c.sender_id}: last event {_utc(c.last_event)}, {c.events} events" for c in result.conversations]
    return lines


def main(argv: Optional[Sequence[str]] = None, now: Optional[float] = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", default="bot/endpoints.yml", help="Rasa endpoints file (default: %(default)s)")
    parser.add_argument("--days", help=f"retention in days (default: ${RETENTION_ENV}, else {DEFAULT_RETENTION_DAYS})")
    parser.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        # Importing Rasa prints pages of deprecation warnings that say nothing about purging.
        warnings.simplefilter("ignore")
        _events_table()
    try:
        days = retention_days(args.days if args.days is not None else os.environ.get(RETENTION_ENV))
        engine = engine_from_endpoints(args.endpoints)
    except PurgeError as error:
        print(f"purge: {error}", file=sys.stderr)
        return 2
    result = purge(engine, cutoff_time(time.time() if now is None else now, days), dry_run=args.dry_run)
    engine.dispose()
    print("\n".join(report(result, days, args.dry_run)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
