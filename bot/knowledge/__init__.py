"""The knowledge the bot talks about, and the Japanese text handling both sides share.

Imported by the NLU components (in the Rasa server) and by the custom actions (in the action
server): no Rasa imports, no side effects on import.

- ``base``: the knowledge base in ``data/knowledge/`` (offices, roles, facts, sources, aliases,
  the diagnosis), loaded and checked.
- ``text``: SudachiPy tokens and ``fold``, the one comparison form (NFKC, case-folded).
- ``japanese``: message normalisation and the alias matcher over SudachiPy readings.
"""
