"""Names and numbers that the Rasa server and the action server must agree on, written once.

No Rasa imports: both processes import it. Values that the domain also spells out (action and
intent names) are checked against the domain by tests/test_constants.py.
"""

from __future__ import annotations

# The action that resets a conversation the user asked to forget; the tracker store deletes
# every stored event of a conversation in which it ran (bot/stores/tracker_store.py).
FORGET_ACTION = "action_forget_conversation"

# Slack shows at most five buttons per message; the knowledge base refuses a longer answer
# scale, and the Slack channel drops extra buttons with a warning.
MAX_BUTTONS = 5

# Intents of questions about the knowledge (ask_role_overview …): while a diagnosis question is
# open they are answered, not read as answers; the review counts them as topics.
QUESTION_INTENT_PREFIX = "ask_"

# Intents the InputGuard gives to input the classifiers cannot read, by the normaliser's flag.
EMPTY_MESSAGE_INTENT = "empty_message"
SYMBOLS_ONLY_INTENT = "symbols_only"
TOO_LONG_INTENT = "message_too_long"
