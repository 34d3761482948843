"""Rasa configuration, custom NLU components and the web page of the career-guide bot."""
