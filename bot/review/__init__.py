"""`make review`: what people asked, what the bot could not answer, and where the diagnosis loses them.

``store`` streams the tracker store, ``analysis`` counts (pure functions, no Rasa), ``words``
reads messages with the bot's tokenizer, ``report`` draws the charts and fills the template,
``__main__`` is the command line (see docs/review.md).
"""
