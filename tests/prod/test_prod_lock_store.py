"""The atomic Redis lock store against the real Redis of the production profile."""

from __future__ import annotations

import threading
import uuid
from typing import List

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.stores.redis_lock_store import AtomicRedisLockStore
from tests.prod.stack import REDIS_PASSWORD, ProdStack
from tests.test_lock_store import assert_the_lock_is_kept_while_a_ticket_waits

pytestmark = pytest.mark.prod


@pytest.fixture
def store(prod_stack: ProdStack) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=str(prod_stack.redis.port), db="5",
                                               password=REDIS_PASSWORD, key_prefix="locktest"))


def test_tickets_requested_at_the_same_moment_are_all_different(store: AtomicRedisLockStore) -> None:
    conversation, requests = uuid.uuid4().hex, 20
    tickets: List[int] = []
    barrier = threading.Barrier(requests)

    def request() -> None:
        barrier.wait()
        tickets.append(store.issue_ticket(conversation))

    threads = [threading.Thread(target=request) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(tickets) == list(range(requests))


def test_the_lock_is_kept_while_a_ticket_waits_and_removed_after_the_last(store: AtomicRedisLockStore) -> None:
    assert_the_lock_is_kept_while_a_ticket_waits(store)


def test_a_key_claimed_by_several_clients_at_once_goes_to_exactly_one(store: AtomicRedisLockStore) -> None:
    key, requests = f"slack-event:{uuid.uuid4().hex}", 10
    claims: List[bool] = []
    barrier = threading.Barrier(requests)

    def claim() -> None:
        barrier.wait()
        claims.append(store.claim(key, 60))

    threads = [threading.Thread(target=claim) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(claims) == [False] * (requests - 1) + [True]
    assert 0 < store.red.pttl(f"{store.key_prefix}claim:{key}") <= 60_000
