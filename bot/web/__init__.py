"""The web chat page and its Rasa channel (see channel.py)."""
