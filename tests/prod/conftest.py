"""The production profile, started once per test session (each Rasa worker loads the model for ~20 s)."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.prod.stack import ProdStack, missing_programs, started_stack


@pytest.fixture(scope="session")
def prod_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProdStack]:
    """PostgreSQL, Redis and bot/scripts/run-prod.sh: nginx in front of two Rasa instances."""
    missing = missing_programs()
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}; `make prod-deps` installs them (as root)")
    yield from started_stack(tmp_path_factory.mktemp("prod"))
