"""The Rasa side of the career-guide bot: configuration, extensions, deployment and web page.

- ``domain/``, ``credentials.yml``, ``endpoints.yml``: the Rasa configuration of ``make run``.
- ``components/``, ``channels/``, ``lock_store``, ``tracker_store``, ``sessions``: Rasa
  extensions through its public interfaces; ``compat/`` holds what replaces Rasa methods.
- ``knowledge/``: the knowledge base and Japanese text handling, shared with the actions.
- ``scripts/``, ``prod/``: running it (``make run``, ``make run-prod``); ``web/``: the page.

Importing the package changes nothing in Rasa: ``bot.compat.install()`` does, once the
server creates its tracker store.
"""
