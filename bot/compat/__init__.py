"""Every replacement of Rasa 3.6 behaviour, in one place, installed only on the Rasa it was written for.

Rasa Open Source 3.6 has no public hook for two things this bot needs, so they replace Rasa
methods (each module says what Rasa lacks and when it can go):

- ``resilience``: an apology when a custom action fails or is too slow
  (``RemoteAction.run``, ``MessageProcessor._run_action``);
- ``action_validation``: the action server's responses checked against a schema compiled once
  (``RemoteAction._validate_action_result``).

``bot.stores.sessions`` also depends on a private Rasa detail, checked here with the rest: it writes
event rows as ``SQLTrackerStore.save`` does.

Nothing is replaced on import. ``install()`` runs when the Rasa server creates the tracker
store that both profiles' endpoints name (``bot.stores.tracker_store.ForgettingSQLTrackerStore``).
It first checks the Rasa version and every signature it depends on, and refuses to start
with a message naming each difference.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, List, Optional, Sequence, Tuple

import rasa
from packaging.version import Version
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.exceptions import RasaException

from bot.compat import action_validation, resilience

# The Rasa releases these replacements were written and tested for: 3.6.x.
SUPPORTED = (Version("3.6"), Version("3.7"))

# (what, its parameter names) for every Rasa method replaced or extended.
SIGNATURES: Sequence[Tuple[Callable[..., Any], Tuple[str, ...]]] = (
    (RemoteAction.run, ("self", "output_channel", "nlg", "tracker", "domain")),
    (RemoteAction._validate_action_result, ("self", "result")),
    (MessageProcessor._run_action, ("self", "action", "tracker", "output_channel", "nlg", "prediction")),
    (SQLTrackerStore.save, ("self", "tracker")),
)
# The columns of Rasa's event table, as bot.stores.sessions writes them.
EVENT_COLUMNS = frozenset({"id", "sender_id", "type_name", "timestamp", "intent_name", "action_name", "data"})


class IncompatibleRasa(RasaException):
    """The installed Rasa differs from the one the replacements were written for."""


def _parameters(function: Callable[..., Any]) -> Tuple[str, ...]:
    # Installed wrappers keep the original reachable (functools.wraps); check what Rasa defines.
    return tuple(inspect.signature(inspect.unwrap(function)).parameters)


def problems(version: Optional[str] = None,
             signatures: Sequence[Tuple[Callable[..., Any], Tuple[str, ...]]] = SIGNATURES) -> List[str]:
    """Every difference between the installed Rasa and the one expected; empty when they match."""
    found: List[str] = []
    installed = Version(version or rasa.__version__)
    low, high = SUPPORTED
    if not low <= installed < high:
        found.append(f"Rasa {installed} is installed; bot.compat supports {low} <= Rasa < {high}")
    for function, expected in signatures:
        actual = _parameters(function)
        if actual != expected:
            found.append(f"{function.__qualname__}{actual} is not {function.__qualname__}{expected}")
    columns = frozenset(SQLTrackerStore.SQLEvent.__table__.columns.keys())
    if columns != EVENT_COLUMNS:
        found.append(f"SQLTrackerStore's event columns are {sorted(columns)}, not {sorted(EVENT_COLUMNS)}")
    return found


def install() -> None:
    """Checks the installed Rasa, then installs the replacements (idempotent).

    Raises:
        IncompatibleRasa: naming each difference; the server does not start.

    """
    found = problems()
    if found:
        raise IncompatibleRasa(
            "This bot replaces parts of Rasa 3.6 that Rasa offers no hook for (bot/compat/), and the "
            "installed Rasa differs: " + "; ".join(found)
            + ". Install the pinned Rasa (make install) or update bot/compat/ for this version."
        )
    resilience.install()
    action_validation.install()
