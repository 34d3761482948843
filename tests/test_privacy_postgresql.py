"""The forgetting store and `make purge` on PostgreSQL, when TEST_POSTGRESQL_URL names a database to use.

Example: TEST_POSTGRESQL_URL=postgresql://postgres@127.0.0.1:5432/rasa pytest tests/test_privacy_postgresql.py
The tests write conversations with timestamps in January 1970 under random sender ids and
purge with a cutoff in 1970, so real conversations in the database are never touched.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.trackers import DialogueStateTracker

from bot.scripts.purge import cutoff_time, engine_from_endpoints, purge
from bot.stores.tracker_store import ForgettingSQLTrackerStore
from tests.conftest import conversation_events
from tests.test_privacy import forget_turn

URL = os.environ.get("TEST_POSTGRESQL_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="TEST_POSTGRESQL_URL is not set")

DAY = 86400.0
NOW = 100 * DAY  # 1970-04-11: every real conversation is younger than this


@pytest.fixture
def store(rasa_domain: Any) -> Iterator[Any]:
    pg = ForgettingSQLTrackerStore(domain=rasa_domain, dialect="postgresql", host=URL)
    yield pg
    pg.engine.dispose()


def save(store: Any, rasa_domain: Any, sender: str, timestamps: list) -> None:
    tracker = DialogueStateTracker.from_events(sender, conversation_events(timestamps), rasa_domain.slots)
    asyncio.run(store.save(tracker))


def count(store: Any, sender: str) -> int:
    with store.engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM events WHERE sender_id = :sender")
        return int(connection.execute(query, {"sender": sender}).scalar())


def test_forget_and_purge_on_postgresql(store: Any, rasa_domain: Any, tmp_path: Path) -> None:
    forget, keep, old, long_running = (f"pg-{name}-{uuid.uuid4()}" for name in ("forget", "keep", "old", "long"))
    save(store, rasa_domain, forget, [NOW - 10])
    save(store, rasa_domain, keep, [NOW - 5])
    save(store, rasa_domain, old, [NOW - 60 * DAY])
    save(store, rasa_domain, long_running, [NOW - 60 * DAY, NOW - DAY])

    tracker = asyncio.run(store.retrieve(forget))
    for event in forget_turn(NOW):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert count(store, forget) == 0 and count(store, keep) > 0

    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f"tracker_store:\n  type: bot.stores.tracker_store.ForgettingSQLTrackerStore\n  dialect: postgresql\n  url: {URL}\n",
        encoding="utf-8",
    )
    result = purge(engine_from_endpoints(str(endpoints)), cutoff_time(NOW, 30))
    assert [c.sender_id for c in result.conversations] == [old]
    assert count(store, old) == 0 and count(store, long_running) == 11 and count(store, keep) > 0
    with store.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE sender_id IN (:a, :b)"), {"a": keep, "b": long_running})
