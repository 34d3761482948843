"""Rasa's ticket locks shared by several Sanic workers on one machine, with no server: files and ``flock``.

``make run`` serves with several Sanic workers, one per core. Rasa lets a conversation's messages
run one at a time through a lock store, and its ``InMemoryLockStore`` is private to one process:
two workers would run two messages of one conversation side by side and lose one's events. Rasa
only offers Redis for several workers, which ``make run`` must not need. This store keeps each
conversation's ``TicketLock`` (Rasa's own class and JSON form) in a file of its own, and makes
every change of it one step under an exclusive ``flock``: tickets are unique and served in order
across processes, as with the production profile's ``AtomicRedisLockStore``.

The ``flock``s are held for the few microseconds of a read and a write, never while a message is
handled; waiting for a ticket is Rasa's own polling (``LockStore._acquire_lock``). A fixed
number of lock files (``stripes``) guards all conversations, so nothing accumulates but the
state files of conversations being served, which go once their last ticket is done.

Enable it in the endpoints (``bot/endpoints.yml``)::

    lock_store:
      type: bot.stores.lock_store.FileLockStore
      path: ${LOCK_DIR}
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
# A change of a conversation's lock: the value to return, and the lock to store (None deletes it).
Change = Callable[[Optional[TicketLock]], Tuple[T, Optional[TicketLock]]]

# Claims live beside the conversations' locks, under names no conversation id has.
CLAIM_PREFIX = "\x00claim:"
# A claim file is left behind once its lifetime is over; every so many claims, a process sweeps them.
SWEEP_EVERY = 256

# Lock files shared by all conversations: enough that two workers rarely wait on each other's
# unrelated conversation, few enough to open once per process.
DEFAULT_STRIPES = 64


def issue(lock: Optional[TicketLock], conversation_id: Text, lifetime: float) -> Tuple[int, TicketLock]:
    """A new ticket on ``lock`` (a new lock if there is none): its number and the lock to store."""
    lock = lock or TicketLock(conversation_id)
    return lock.issue_ticket(lifetime), lock


def expire(lock: Optional[TicketLock]) -> Tuple[None, Optional[TicketLock]]:
    """``lock`` without its expired tickets (nothing if there is no lock)."""
    if lock is not None:
        lock.remove_expired_tickets()
    return None, lock


def first_claim(lock: Optional[TicketLock], key: Text, lifetime: float) -> Tuple[bool, TicketLock]:
    """Whether ``key`` is claimed for the first time within ``lifetime`` seconds, and the lock to store."""
    if lock is not None:
        lock.remove_expired_tickets()
        if lock.tickets:
            return False, lock
    lock = TicketLock(key)
    lock.issue_ticket(lifetime)
    return True, lock


def release(lock: Optional[TicketLock], ticket_number: int) -> Tuple[None, Optional[TicketLock]]:
    """``lock`` without the ticket ``ticket_number``; ``None`` (delete) when no one else waits."""
    if lock is None:
        return None, None
    lock.remove_ticket_for(ticket_number)
    return None, lock if lock.is_someone_waiting() else None


class AtomicTickets:
    """Rasa's ticket operations, each made one atomic change by the store's ``_change``.

    Rasa's ``LockStore`` reads a lock, changes it in Python and writes it back: two processes can
    both read "no lock" and get ticket 0. Put before a ``LockStore`` class that defines ``_change``.
    """

    def _change(self, conversation_id: Text, change: Change[T]) -> T:
        raise NotImplementedError

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issues the next ticket of the conversation's lock, creating the lock if needed."""
        try:
            return self._change(conversation_id, lambda lock: issue(lock, conversation_id, lock_lifetime))
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        """Removes the expired tickets of the conversation's lock."""
        self._change(conversation_id, expire)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the served ticket; deletes the lock only if no other ticket waits, in one step."""
        self._change(conversation_id, lambda lock: release(lock, ticket_number))

    def claim(self, key: Text, lifetime: float) -> bool:
        """True for the first claim of ``key`` within ``lifetime`` seconds, whichever process asks.

        Lets every worker and instance agree on a one-off job, such as answering one Slack event:
        Rasa's lock store is the one state they all share.
        """
        return self._change(CLAIM_PREFIX + key, lambda lock: first_claim(lock, CLAIM_PREFIX + key, lifetime))


class FileLockStore(AtomicTickets, LockStore):
    """Ticket locks in files under ``path``; every change of a lock is atomic across processes."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, path: Optional[Text] = None,
                 stripes: int = DEFAULT_STRIPES) -> None:
        """Takes the endpoint configuration (``path``, optional ``stripes``), as Rasa creates lock stores."""
        settings: Dict[Text, Any] = dict(endpoint_config.kwargs) if endpoint_config else {}
        path = path or settings.get("path") or (endpoint_config.url if endpoint_config else None)
        if not path:
            raise ValueError("FileLockStore needs a directory: set `path` under lock_store in the endpoints")
        self.directory = Path(path)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.stripes = int(settings.get("stripes", stripes))
        if self.stripes < 1:
            raise ValueError(f"FileLockStore needs at least one stripe, not {self.stripes}")
        # Opened lazily: Sanic forks its workers, and each must hold descriptors of its own.
        self._descriptors: Dict[int, int] = {}
        self._pid = os.getpid()
        super().__init__()

    def _names(self, conversation_id: Text) -> Tuple[Path, int]:
        digest = hashlib.sha1(conversation_id.encode("utf-8")).hexdigest()
        return self.directory / f"{digest}.json", int(digest[:8], 16) % self.stripes

    def _stripe(self, number: int) -> int:
        if self._pid != os.getpid():
            self._descriptors, self._pid = {}, os.getpid()
        descriptor = self._descriptors.get(number)
        if descriptor is None:
            descriptor = os.open(self.directory / f"stripe-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            self._descriptors[number] = descriptor
        return descriptor

    @staticmethod
    def _read(state: Path) -> Optional[TicketLock]:
        try:
            return TicketLock.from_dict(json.loads(state.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None

    @staticmethod
    def _write(state: Path, lock: Optional[TicketLock]) -> None:
        if lock is None:
            state.unlink(missing_ok=True)
            return
        # Written beside it and renamed: a reader without the flock sees the old or the new lock, whole.
        temporary = state.with_name(f"{state.name}.{os.getpid()}")
        temporary.write_text(lock.dumps(), encoding="utf-8")
        os.replace(temporary, state)

    def _change(self, conversation_id: Text, change: Change[T]) -> T:
        """Applies ``change`` to the stored lock while holding the conversation's stripe exclusively."""
        state, number = self._names(conversation_id)
        descriptor = self._stripe(number)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            value, lock = change(self._read(state))
            self._write(state, lock)
            return value
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)

    def claim(self, key: Text, lifetime: float) -> bool:
        """As ``AtomicTickets.claim``; now and then removes the locks whose tickets have all expired."""
        self._claims = getattr(self, "_claims", 0) + 1
        if self._claims % SWEEP_EVERY == 0:
            self.sweep()
        return super().claim(key, lifetime)

    def sweep(self) -> int:
        """Removes every stored lock whose tickets have all expired (old claims, crashed workers); how many."""
        removed = 0
        for state in self.directory.glob("*.json"):
            descriptor = self._stripe(int(state.stem[:8], 16) % self.stripes)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                lock = self._read(state)
                if lock is not None:
                    lock.remove_expired_tickets()
                    if not lock.tickets:
                        state.unlink(missing_ok=True)
                        removed += 1
            except (ValueError, KeyError):
                continue  # a file that is not a lock: left alone
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        return removed

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        """The conversation's lock as last stored, if any."""
        return self._read(self._names(conversation_id)[0])

    def delete_lock(self, conversation_id: Text) -> None:
        """Removes the conversation's lock."""
        self._change(conversation_id, lambda _lock: (None, None))

    def save_lock(self, lock: TicketLock) -> None:
        """Stores ``lock`` as it is (Rasa's read-then-write methods; this class overrides those it uses)."""
        self._change(lock.conversation_id, lambda _lock: (None, lock))

