"""Rasa stores of the bot, through Rasa's public ``TrackerStore`` and ``LockStore`` interfaces.

- ``tracker_store``: the SQL store both profiles name (bounded sessions from ``sessions``, and
  「会話の記録を消して」 really deleting); creating it installs ``bot.compat``.
- ``lock_store``: ticket locks in files for the Sanic workers of ``make run``;
  ``redis_lock_store``: the same atomic tickets on Redis for the production profile.
"""
