"""An apology instead of silence when the action server is down, slow or failing.

What Rasa lacks: ``MessageProcessor._run_action`` logs any exception of a custom action and
carries on without a word to the user, and no public hook sees the failure. Two thin wrappers
fix that (they can go when Rasa offers an action failure hook or response):

- ``RemoteAction.run`` gets a time limit (``timeout`` of ``action_endpoint`` in
  ``bot/endpoints.yml``; Rasa's own is five minutes) and notes any failure but a rejection
  in the current turn.
- ``MessageProcessor._run_action`` runs the action as before; if it failed, it sends
  ``utter_action_unavailable`` and ends the turn with ``action_listen``. The failed
  action is logged without events, so a form stays active on the same question and the
  user can answer it again once the action server is back.

Installed by ``bot.compat.install()``, for every channel.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, List, Optional

from rasa.core.actions.action import (
    ActionExecutionRejection,
    ActionListen,
    RemoteAction,
    action_for_name_or_text,
)
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME

logger = logging.getLogger(__name__)

UNAVAILABLE_RESPONSE = "utter_action_unavailable"
# Seconds an action may take when endpoints.yml sets no `timeout`.
DEFAULT_ACTION_TIMEOUT_S = 10.0

# Set on the wrappers, so that install() wraps once.
_MARK = "_office_guide_resilience"
# Names of the custom actions that failed during the current `_run_action` call. A list
# (mutated, never re-set) so that a failure in a copied context is still seen.
_failures: ContextVar[Optional[List[str]]] = ContextVar("action_failures", default=None)


def action_timeout(endpoint_kwargs: Optional[dict]) -> float:
    """The time limit for one custom action: endpoints.yml's `timeout`, else the default."""
    value = (endpoint_kwargs or {}).get("timeout")
    try:
        timeout = float(value) if value not in (None, "") else DEFAULT_ACTION_TIMEOUT_S
    except (TypeError, ValueError):
        logger.warning("action_endpoint timeout %r is not a number; using %s s", value, DEFAULT_ACTION_TIMEOUT_S)
        return DEFAULT_ACTION_TIMEOUT_S
    return timeout if timeout > 0 else DEFAULT_ACTION_TIMEOUT_S


def _guard_remote_run(run: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(run)
    async def guarded_run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
        endpoint = getattr(self, "action_endpoint", None)
        timeout = action_timeout(getattr(endpoint, "kwargs", None))
        try:
            return await asyncio.wait_for(run(self, *args, **kwargs), timeout)
        except ActionExecutionRejection:
            raise
        except Exception as error:
            failures = _failures.get()
            if failures is not None:
                failures.append(self.name())
            if isinstance(error, asyncio.TimeoutError):
                raise TimeoutError(f"custom action '{self.name()}' took more than {timeout:g} s") from error
            raise

    setattr(guarded_run, _MARK, True)
    return guarded_run


def _apologise_on_failure(run_action: Callable[..., Awaitable[bool]]) -> Callable[..., Awaitable[bool]]:
    @functools.wraps(run_action)
    async def run_action_or_apologise(
        self: MessageProcessor, action: Any, tracker: Any, output_channel: Any, nlg: Any, prediction: Any
    ) -> bool:
        token = _failures.set([])
        try:
            should_continue = await run_action(self, action, tracker, output_channel, nlg, prediction)
            failed = list(_failures.get() or [])
        finally:
            _failures.reset(token)
        if not failed:
            return should_continue
        logger.warning("Custom action(s) %s failed; the user is told the answer could not be prepared.", failed)
        apology = action_for_name_or_text(UNAVAILABLE_RESPONSE, self.domain, self.action_endpoint)
        # Only the message, not an ActionExecuted: an active form must not count as interrupted.
        events = await apology.run(output_channel, nlg, tracker, self.domain)
        tracker.update_with_events(events, self.domain)
        await self.execute_side_effects(events, tracker, output_channel)
        # End the turn the way Rasa does, so the next message starts from action_listen.
        listen = PolicyPrediction.for_action_name(self.domain, ACTION_LISTEN_NAME)
        await run_action(self, ActionListen(), tracker, output_channel, nlg, listen)
        return False

    setattr(run_action_or_apologise, _MARK, True)
    return run_action_or_apologise


def install() -> None:
    """Wraps Rasa's custom-action call and action runner once per process."""
    if not hasattr(RemoteAction.run, _MARK):
        RemoteAction.run = _guard_remote_run(RemoteAction.run)
    if not hasattr(MessageProcessor._run_action, _MARK):
        MessageProcessor._run_action = _apologise_on_failure(MessageProcessor._run_action)
