"""Rasa's Redis lock store with atomic ticket operations, for several Rasa instances and workers.

Rasa Open Source's ``RedisLockStore`` reads a conversation's ticket lock, changes it in Python and
writes it back (GET, then SET). Two messages of one conversation arriving at the same moment on two
workers both read "no lock", both get ticket 0 and run side by side: the second one's tracker events
are lost (the production tests showed it). Here every change runs in a Redis transaction (WATCH,
MULTI, EXEC; retried when the lock changed meanwhile), so tickets are unique and a lock with
waiting tickets is never deleted. Locks are stored exactly as Rasa stores them.

Enable it in the endpoints (``bot/prod/endpoints.yml``)::

    lock_store:
      type: bot.stores.redis_lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}
      ...
"""

from __future__ import annotations

import json
from typing import Any, Optional, Text, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.stores.lock_store import AtomicTickets, Change

T = TypeVar("T")


class AtomicRedisLockStore(AtomicTickets, RedisLockStore):
    """``RedisLockStore`` whose ticket issuing, expiry and release are Redis transactions."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        """Takes the endpoint configuration (how Rasa creates custom lock stores) or ``RedisLockStore``'s arguments."""
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text, change: Change[T]) -> T:
        """Applies ``change`` to the stored lock atomically; retried if another process changed it first."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> T:
            raw = pipe.get(key)  # WATCHed: EXEC fails if the key changes before it
            value, lock = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
            pipe.multi()
            if lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())
            return value

        return self.red.transaction(transaction, key, value_from_callable=True)

    def claim(self, key: Text, lifetime: float) -> bool:
        """True for the first claim of ``key`` within ``lifetime`` seconds; Redis forgets it after that."""
        return bool(self.red.set(f"{self.key_prefix}claim:{key}", 1, nx=True, px=max(1, int(lifetime * 1000))))
