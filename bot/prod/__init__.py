"""The production profile: PostgreSQL tracker store, Redis lock store, several instances behind nginx."""
