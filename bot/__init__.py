"""Rasa configuration, custom NLU components and the web page of the career-guide bot.

The Rasa server imports this package for the pipeline's components and the channels, so
what Rasa 3.6 has no hook for is installed here: an apology when a custom action fails
(bot/resilience.py), the message length limit before NLU (bot/limits.py) and a speed-up of
the check of action server responses (bot/rasa_patches.py).
"""

from bot import limits, rasa_patches, resilience

resilience.install()
limits.install()
rasa_patches.apply()
