"""`make review`: one HTML report on the stored conversations of a period (default: the last 30 days).

    python -m bot.review [--store run|prod] [--since DATE] [--until DATE] [--out DIRECTORY]

``--store run`` (default) reads the SQLite file of `make run` (``TRACKER_DB``, else
var/tracker-5005.db); ``--store prod`` the PostgreSQL database of `make run-prod` (``DB_*``).
``REVIEW_SINCE`` / ``REVIEW_UNTIL`` give the period when the options do not. The report and a
CSV of the messages that fell through go to var/review/; the report's path is the last line.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import sys
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Dict, List, Optional, Sequence, TextIO

import yaml

from bot.review.analysis import FellThrough, Review
from bot.review.report import Period, render
from bot.review.store import StoreError, conversations, count_events, describe, open_store

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DAYS = 30
DEFAULT_OUT = ROOT / "var" / "review"
DIAGNOSIS_DOMAIN = ROOT / "bot" / "domain" / "diagnosis.yml"
DIAGNOSIS_FORM = "diagnosis_form"
CSV_COLUMNS = ["date", "conversation", "message", "reasons", "intent", "confidence", "bot_reply", "intended_intent"]


class UsageError(Exception):
    """A setting the review cannot use; the message says which."""


def parse_time(value: str, zone: tzinfo, end: bool = False) -> datetime:
    """``2026-11-01`` or ``2026-11-01T09:30``, in the local time zone unless it names one.

    A bare date as the end of a period means the end of that day (``--until 2026-11-30``
    includes the 30th).
    """
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"not a date: {value!r} (write it as 2026-11-01 or 2026-11-01T09:30)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if end and len(value.strip()) == 10:
        moment += timedelta(days=1)
    return moment


def period_of(since: Optional[str], until: Optional[str], now: datetime) -> tuple[datetime, datetime]:
    """The period [since, until) from the settings; by default the last 30 days up to now."""
    zone = now.tzinfo
    assert zone is not None
    end = parse_time(until, zone, end=True) if until else now
    start = parse_time(since, zone) if since else end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise UsageError(f"the period is empty: {start:%Y-%m-%d %H:%M} is not before {end:%Y-%m-%d %H:%M}")
    return start, end


def question_slots(domain_file: Path = DIAGNOSIS_DOMAIN) -> List[str]:
    """The diagnosis form's slots in the order it asks them (bot/domain/diagnosis.yml)."""
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
    return [str(slot) for slot in domain["forms"][DIAGNOSIS_FORM]["required_slots"]]


def knowledge_names() -> Dict[str, str]:
    """Role and office ids → their Japanese names, for the topics chart."""
    from bot.knowledge.base import default_knowledge

    kb = default_knowledge()
    names = {role_id: role.name for role_id, role in kb.roles.items()}
    names.update({office_id: office.name for office_id, office in kb.offices.items()})
    return names


class CsvExport:
    """Writes each fell-through message as it is found, so the export never sits in memory."""

    def __init__(self, file: TextIO) -> None:
        self.writer = csv.writer(file)
        self.writer.writerow(CSV_COLUMNS)

    def __call__(self, item: FellThrough) -> None:
        """One row; ``intended_intent`` is left for the operator to fill in."""
        confidence = "" if item.confidence is None else f"{item.confidence:.3f}"
        self.writer.writerow([item.day.isoformat(), item.conversation, item.text, " ".join(item.reasons),
                              item.intent or "", confidence, item.reply, ""])


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def main(argv: Optional[Sequence[str]] = None, now: Optional[datetime] = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--store", choices=["run", "prod"], default=os.environ.get("REVIEW_STORE") or "run",
                        help="run: SQLite of `make run` (TRACKER_DB); prod: PostgreSQL of `make run-prod` (DB_*)")
    parser.add_argument("--endpoints", help="another Rasa endpoints file with an SQL tracker store")
    parser.add_argument("--since", default=os.environ.get("REVIEW_SINCE") or None, help="start (default: 30 days ago)")
    parser.add_argument("--until", default=os.environ.get("REVIEW_UNTIL") or None, help="end (default: now)")
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("REVIEW_OUT") or DEFAULT_OUT),
                        help="directory of the report (default: $REVIEW_OUT, else var/review)")
    parser.add_argument("--decoder", choices=["rasa", "json"], default="rasa",
                        help="read events with Rasa's event classes (default) or as plain JSON")
    args = parser.parse_args(argv)
    now = now or datetime.now().astimezone()
    if args.store == "run":
        os.environ.setdefault("TRACKER_DB", "var/tracker-5005.db")
    try:
        since, until = period_of(args.since, args.until, now)
        engine = open_store(args.store, args.endpoints)
        total = count_events(engine, since.timestamp(), until.timestamp())
    except (UsageError, StoreError) as error:
        print(f"review: {error}", file=sys.stderr)
        return 2
    salt = os.environ.get("REVIEW_SALT", "").encode("utf-8") or secrets.token_bytes(16)
    stamp = now.strftime("%Y%m%d-%H%M")
    args.out.mkdir(parents=True, exist_ok=True)
    html_path, csv_path = args.out / f"review-{stamp}.html", args.out / f"review-{stamp}.csv"
    from tqdm import tqdm

    from bot.review.words import content_words

    # utf-8-sig: Excel, which operators often open a CSV with, then reads the Japanese right.
    with csv_path.open("w", encoding="utf-8-sig", newline="") as csv_file:
        review = Review(question_slots(), content_words, salt, zone=since.tzinfo or timezone.utc,
                        on_fell_through=CsvExport(csv_file))
        # A bar on a terminal only (disable=None); its total is the period's number of events.
        with tqdm(total=total, unit=" events", desc="review", disable=None, file=sys.stderr) as bar:
            try:
                for sender_id, events in conversations(engine, since.timestamp(), until.timestamp(),
                                                       on_rows=bar.update, decoder=args.decoder):
                    review.add(sender_id, events)
            except StoreError as error:
                print(f"review: {error}", file=sys.stderr)
                return 2
    store = describe(engine)
    engine.dispose()
    summary = review.summary()
    if summary.empty:
        csv_path.unlink()
    period = Period(since, until, store, now, None if summary.empty else csv_path.name)
    html_path.write_text(render(summary, period, knowledge_names()), encoding="utf-8")
    if not summary.empty:
        print(f"fell-through messages (CSV): {_shown(csv_path)}", file=sys.stderr)
    print(_shown(html_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
