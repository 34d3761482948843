"""`make bench`: measurements of the bot next to a stock Rasa set-up."""
