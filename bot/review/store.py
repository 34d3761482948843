"""Reading the tracker store for `make review`: the conversations of a period, streamed.

The store is the one the bot writes: the SQLite file of `make run PORT=N` (bot/endpoints.yml,
``TRACKER_DB``) or the PostgreSQL database of the production profile (bot/prod/endpoints.yml,
``DB_*``), opened with Rasa's own URL rules (``bot.scripts.purge.engine_from_endpoints``) and
read through Rasa's ``events`` table with SQLAlchemy Core. Rows come ordered by sender and id
from a server-side cursor, so one conversation at a time is in memory, whatever the store's size.
"""

from __future__ import annotations

import json
import os
import warnings
from functools import cache
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import sqlalchemy as sa

from bot.review.analysis import StoredEvent

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = {"run": str(ROOT / "bot" / "endpoints.yml"), "prod": str(ROOT / "bot" / "prod" / "endpoints.yml")}
# bot/scripts/run-prod.sh's defaults, so that `make review STORE=prod` reads what `make run-prod` writes.
PROD_DEFAULTS = {"DB_HOST": "127.0.0.1", "DB_PORT": "5432", "DB_USER": "rasa", "DB_PASSWORD": "", "DB_DATABASE": "rasa"}
# Rasa expands every ${VAR} of an endpoints file, also of the sections the review never uses.
UNUSED_SETTINGS = {"ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook", "LOCK_DIR": "var/locks",
                   "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_PASSWORD": "", "REDIS_DB": "1"}
# Rows fetched from the cursor at a time.
BATCH = 2000
# Event types whose JSON the review reads; for the others the table's columns suffice.
DECODED = ("user", "bot")
# The one slot whose value the review needs: which question the diagnosis asked.
REQUESTED_SLOT = "requested_slot"


class StoreError(Exception):
    """The tracker store cannot be read; the message names it and says why."""


def events_table() -> sa.Table:
    """Rasa's ``events`` table, as SQLTrackerStore defines it."""
    with warnings.catch_warnings():
        # Importing Rasa prints deprecation warnings that say nothing about the review.
        warnings.simplefilter("ignore")
        from rasa.core.tracker_store import SQLTrackerStore
    return SQLTrackerStore.SQLEvent.__table__


def engine_from_endpoints(path: str) -> sa.engine.Engine:
    """An engine on the SQL tracker store of an endpoints file, with Rasa's URL rules.

    As ``bot.scripts.purge.engine_from_endpoints``, except that the store's class is not imported
    to check it: importing bot.stores.tracker_store loads Rasa's server and TensorFlow (half a gigabyte)
    for nothing. A store that names a ``dialect`` is taken to be SQL, as Rasa's SQL store needs one.
    """
    from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, validate_port
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(path, "tracker_store")
    if config is None or not config.type:
        raise StoreError(f"{path} configures no tracker store")
    settings = config.kwargs
    if config.type.lower() != "sql" and "dialect" not in settings:
        raise StoreError(f"{path}: tracker store type {config.type!r} is not an SQL tracker store")
    dialect = settings.get("dialect", "sqlite")
    db = settings.get("db", "rasa.db")
    if dialect == "sqlite" and not config.url and not Path(db).is_file():
        # SQLite would create an empty file, and the report would say "no conversations".
        raise StoreError(f"there is no SQLite tracker database at {db} (is the bot's PORT right? "
                         f"`make run PORT=N` writes var/tracker-N.db)")
    # The events live in `db`; `login_db` is only where Rasa connects first to create it.
    url = SQLTrackerStore.get_db_url(
        dialect=dialect, host=config.url, port=validate_port(settings.get("port")), db=db,
        username=settings.get("username"), password=settings.get("password"), query=settings.get("query"),
    )
    return sa.create_engine(url, **create_engine_kwargs(url))


def open_store(store: str = "run", endpoints: Optional[str] = None) -> sa.engine.Engine:
    """An engine on the tracker store of `make run` (``store="run"``) or of `make run-prod` (``"prod"``)."""
    if store == "prod":
        for name, value in PROD_DEFAULTS.items():
            os.environ.setdefault(name, value)
    for name, value in UNUSED_SETTINGS.items():
        os.environ.setdefault(name, value)
    path = endpoints or ENDPOINTS[store]
    events_table()  # Rasa's import, with its warnings silenced
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return engine_from_endpoints(path)
    except StoreError:
        raise
    except Exception as error:  # a missing ${VAR}, an unknown dialect: Rasa's own messages
        raise StoreError(f"{path}: {error}") from None


def describe(engine: sa.engine.Engine) -> str:
    """The store's address for messages and the report, without its password."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return str(url.set(password="***") if url.password else url)


def _period(table: sa.Table, since: float, until: float) -> Any:
    return sa.and_(table.c.timestamp >= since, table.c.timestamp < until)


def count_events(engine: sa.engine.Engine, since: float, until: float) -> int:
    """Events in the period (0 when Rasa has not created its table yet); checks that the store answers."""
    table = events_table()
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(table.name):
                return 0
            query = sa.select(sa.func.count()).select_from(table).where(_period(table, since, until))
            return int(connection.execute(query).scalar() or 0)
    except sa.exc.SQLAlchemyError as error:
        raise StoreError(f"cannot read the tracker store {describe(engine)}: {_reason(error)}") from None


def _reason(error: sa.exc.SQLAlchemyError) -> str:
    original = getattr(error, "orig", None)
    return " ".join(str(original or error).split())


def _entities(parse_data: Dict[str, Any]) -> Tuple[Tuple[str, str], ...]:
    return tuple((str(e.get("entity")), str(e.get("value"))) for e in parse_data.get("entities") or []
                 if isinstance(e, dict) and e.get("entity") and e.get("value") is not None)


def _requested(timestamp: float, data: str) -> StoredEvent:
    # A slot event holds nothing but its name and value: no need for Rasa's SlotSet here.
    return StoredEvent("slot", timestamp or 0.0, REQUESTED_SLOT, value=json.loads(data).get("value"))


def _decode_plain(type_name: str, timestamp: float, action_name: Optional[str], data: Optional[str]) -> StoredEvent:
    """A row as a :class:`StoredEvent`, reading the JSON of user and bot messages directly."""
    if type_name == "slot" and action_name == REQUESTED_SLOT and data:
        return _requested(timestamp, data)
    if type_name not in DECODED or not data:
        return StoredEvent(type_name, timestamp or 0.0, action_name)
    event = json.loads(data)
    if type_name == "user":
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        confidence = intent.get("confidence")
        return StoredEvent("user", timestamp or 0.0, None, event.get("text") or "", intent.get("name"),
                           float(confidence) if confidence is not None else None, _entities(parse),
                           event.get("input_channel"))
    metadata = event.get("metadata") or {}
    return StoredEvent("bot", timestamp or 0.0, metadata.get("utter_action") or metadata.get("template"),
                       event.get("text") or "", params=metadata)


@cache
def _event_class(type_name: str) -> Any:
    from rasa.shared.core.events import Event

    return Event.resolve_by_type(type_name)


def _decode_rasa(type_name: str, timestamp: float, action_name: Optional[str], data: Optional[str]) -> StoredEvent:
    """The same through Rasa's event classes (``Event.from_parameters``), as Rasa loads a tracker."""
    if type_name == "slot" and action_name == REQUESTED_SLOT and data:
        return _requested(timestamp, data)
    if type_name not in DECODED or not data:
        return StoredEvent(type_name, timestamp or 0.0, action_name)
    from rasa.shared.core.events import BotUttered, UserUttered

    # What Event.from_parameters does, with the class looked up once per type: Rasa walks the
    # whole Event class tree on every call, two thirds of the review's time on a large store.
    event = _event_class(type_name)._from_parameters(json.loads(data))
    if isinstance(event, UserUttered):
        intent = event.intent or {}
        confidence = intent.get("confidence")
        return StoredEvent("user", event.timestamp, None, event.text or "", intent.get("name"),
                           float(confidence) if confidence is not None else None,
                           _entities({"entities": event.entities}), event.input_channel)
    if isinstance(event, BotUttered):
        metadata = event.metadata or {}
        return StoredEvent("bot", event.timestamp, metadata.get("utter_action") or metadata.get("template"),
                           event.text or "", params=metadata)
    return StoredEvent(type_name, timestamp or 0.0, action_name)


Decoder = Callable[[str, float, Optional[str], Optional[str]], StoredEvent]
DECODERS: Dict[str, Decoder] = {"rasa": _decode_rasa, "json": _decode_plain}


def conversations(
    engine: sa.engine.Engine,
    since: float,
    until: float,
    on_rows: Optional[Callable[[int], None]] = None,
    decoder: str = "rasa",
) -> Iterator[Tuple[str, List[StoredEvent]]]:
    """(sender id, its events in the period, oldest first) for every sender, one at a time.

    ``on_rows(n)`` is called after every batch of ``n`` rows (for a progress bar).
    """
    table = events_table()
    decode = DECODERS[decoder]
    query = (
        sa.select(table.c.sender_id, table.c.type_name, table.c.timestamp, table.c.action_name, table.c.data)
        .where(_period(table, since, until))
        .order_by(table.c.sender_id, table.c.id)
    )
    sender: Optional[str] = None
    events: List[StoredEvent] = []
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(table.name):
                return
            # A server-side cursor on PostgreSQL (psycopg2 would otherwise fetch every row at
            # once); SQLite's cursor steps through the rows anyway.
            result = connection.execution_options(stream_results=True).execute(query)
            for rows in result.partitions(BATCH):
                for sender_id, type_name, timestamp, action_name, data in rows:
                    if sender_id != sender:
                        if sender is not None:
                            yield sender, events
                        sender, events = sender_id, []
                    events.append(decode(type_name, timestamp, action_name, data))
                if on_rows is not None:
                    on_rows(len(rows))
    except sa.exc.SQLAlchemyError as error:
        raise StoreError(f"cannot read the tracker store {describe(engine)}: {_reason(error)}") from None
    if sender is not None:
        yield sender, events
