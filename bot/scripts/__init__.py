"""Start-up and maintenance scripts (run.sh, shell.sh, purge.py)."""
