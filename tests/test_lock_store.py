"""The file lock store that lets `make run`'s Sanic workers share conversations (bot/stores/lock_store.py)."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
import uuid
from pathlib import Path
from typing import List

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.stores.lock_store import FileLockStore

# Fork, as Sanic starts its workers: each process opens its own lock files.
FORK = multiprocessing.get_context("fork")


@pytest.fixture
def store(tmp_path: Path) -> FileLockStore:
    return FileLockStore(EndpointConfig(type="bot.stores.lock_store.FileLockStore", path=str(tmp_path / "locks")))


def _issue_tickets(directory: str, conversation: str, count: int, start: multiprocessing.synchronize.Event,
                   out: multiprocessing.Queue) -> None:
    store = FileLockStore(path=directory)
    start.wait()
    out.put([store.issue_ticket(conversation) for _ in range(count)])


def test_tickets_issued_by_several_processes_at_once_are_all_different(store: FileLockStore) -> None:
    conversation, processes, each = uuid.uuid4().hex, 4, 25
    start, out = FORK.Event(), FORK.Queue()
    workers = [FORK.Process(target=_issue_tickets, args=(str(store.directory), conversation, each, start, out))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    start.set()
    tickets: List[int] = [ticket for _ in workers for ticket in out.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=60)

    assert sorted(tickets) == list(range(processes * each))


def _handle_messages(directory: str, conversation: str, log: str, messages: int) -> None:
    """A worker handling messages of one conversation: read the log, pause, append (a lost update shows)."""
    store = FileLockStore(path=directory)

    async def handle() -> None:
        for _ in range(messages):
            async with store.lock(conversation, wait_time_in_seconds=0.005):
                seen = json.loads(Path(log).read_text(encoding="utf-8"))
                await asyncio.sleep(0.002)
                Path(log).write_text(json.dumps(seen + [f"{multiprocessing.current_process().pid}"]), encoding="utf-8")

    asyncio.run(handle())


def test_two_workers_on_one_conversation_handle_its_messages_one_at_a_time(store: FileLockStore, tmp_path: Path) -> None:
    conversation, messages = uuid.uuid4().hex, 30
    log = tmp_path / "handled.json"
    log.write_text("[]", encoding="utf-8")
    workers = [FORK.Process(target=_handle_messages, args=(str(store.directory), conversation, str(log), messages))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    handled = json.loads(log.read_text(encoding="utf-8"))
    # Every message of both workers is in the log: none ran beside another and overwrote it.
    assert len(handled) == 2 * messages
    assert len(set(handled)) == 2
    # Nothing is left behind once the last message is done.
    assert store.get_lock(conversation) is None
    assert not list(store.directory.glob("*.json*"))


def assert_the_lock_is_kept_while_a_ticket_waits(store: LockStore) -> None:
    """The check both atomic stores pass (the Redis one in tests/prod/): release keeps a waiting ticket."""
    conversation = uuid.uuid4().hex
    first, second = store.issue_ticket(conversation), store.issue_ticket(conversation)

    store.cleanup(conversation, first)
    waiting = store.get_lock(conversation)
    assert waiting is not None and waiting.now_serving == second

    store.cleanup(conversation, second)
    assert store.get_lock(conversation) is None


def test_the_lock_is_kept_while_a_ticket_waits_and_removed_after_the_last(store: FileLockStore) -> None:
    assert_the_lock_is_kept_while_a_ticket_waits(store)


def test_a_ticket_that_outlived_its_lifetime_no_longer_blocks(store: FileLockStore) -> None:
    conversation = uuid.uuid4().hex
    store.issue_ticket(conversation, lock_lifetime=0.01)  # a worker that died while handling a message
    time.sleep(0.05)

    async def next_message() -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.01):
            pass

    asyncio.run(asyncio.wait_for(next_message(), timeout=5))


def test_conversations_are_kept_apart(store: FileLockStore) -> None:
    store.issue_ticket("alice")
    assert store.get_lock("bob") is None
    assert store.issue_ticket("bob") == 0


def test_a_store_without_a_directory_is_refused() -> None:
    with pytest.raises(ValueError, match="path"):
        FileLockStore(EndpointConfig(type="bot.stores.lock_store.FileLockStore"))


def test_a_lock_file_that_cannot_be_opened_is_a_lock_error(tmp_path: Path) -> None:
    store = FileLockStore(path=str(tmp_path / "locks"), stripes=1)
    (tmp_path / "locks" / "stripe-0.lock").mkdir()  # not a file: opening it fails, even for root

    with pytest.raises(LockError):
        store.issue_ticket("someone")


def _claim(directory: str, key: str, start: multiprocessing.synchronize.Event, out: multiprocessing.Queue) -> None:
    store = FileLockStore(path=directory)
    start.wait()
    out.put(store.claim(key, 60))


def test_a_key_claimed_by_several_processes_at_once_goes_to_exactly_one(store: FileLockStore) -> None:
    key, processes = f"slack-event:{uuid.uuid4().hex}", 6
    start, out = FORK.Event(), FORK.Queue()
    workers = [FORK.Process(target=_claim, args=(str(store.directory), key, start, out)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    start.set()
    claims = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)

    assert sorted(claims) == [False] * (processes - 1) + [True]
    assert store.claim(key, 60) is False


def test_a_claim_can_be_made_again_after_its_lifetime_and_is_then_swept(store: FileLockStore) -> None:
    assert store.claim("event-1", 0.05) is True
    assert store.claim("event-1", 0.05) is False
    assert store.claim("event-2", 60) is True
    time.sleep(0.1)
    assert store.claim("event-1", 0.05) is True

    time.sleep(0.1)
    # event-1's second claim has expired; event-2's has not; nor has a waiting conversation's ticket.
    store.issue_ticket("conversation")
    assert store.sweep() == 1
    assert store.claim("event-2", 60) is False
    assert store.get_lock("conversation") is not None
