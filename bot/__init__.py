"""Rasa configuration, custom NLU components and the web page of the career-guide bot.

The Rasa server imports this package for the pipeline's components and the channels, so
the two behaviours Rasa 3.6 has no hook for are installed here: an apology when a custom
action fails (bot/resilience.py) and the message length limit before NLU (bot/limits.py).
"""

from bot import limits, resilience

resilience.install()
limits.install()
