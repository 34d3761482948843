"""Rasa 3 NLU components for Japanese: text normalisation, knowledge-based entities, input guard."""
