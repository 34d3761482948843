"""Custom actions of the career-guide bot: knowledge loading, queries and answers."""
