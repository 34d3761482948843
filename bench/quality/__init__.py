"""How well the bot understands and answers, measured on the held-out sets under ``tests/``.

Used by ``make bench`` (figures next to the stock Rasa set-up) and by the tests (thresholds):

- ``natural``: the natural-question sets (``tests/natural/``), through a running bot's REST channel;
- ``answers``: free-text diagnosis answers (``tests/answers/``), through the answer reader;
- ``profiles`` and ``converse``: personas answering the whole diagnosis in their own words
  (``tests/profiles/``), offline and through a running bot;
- ``nlu_report``: the held-out NLU figures from ``rasa test nlu`` (``make test-nlu``).

The sets themselves stay in ``tests/`` and are never used for training.
"""
