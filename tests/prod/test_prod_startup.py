"""run-prod.sh refuses to start, naming what is missing, when PostgreSQL or Redis cannot be used."""

from __future__ import annotations

import subprocess

import pytest

from bot.scripts.servers import answers, free_port
from tests.prod.stack import ROOT, ProdStack

pytestmark = pytest.mark.prod


def run_prod(stack: ProdStack, **overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "bot" / "scripts" / "run-prod.sh")], cwd=ROOT, env=stack.env(**overrides),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def other_ports(prod_stack: ProdStack, tmp_path: object) -> dict:
    """Ports and a state directory of their own, so a start that wrongly succeeded would not clash."""
    return {"PORT": str(free_port()), "RASA_PORTS": f"{free_port()} {free_port()}", "ACTION_PORT": str(free_port()),
            "STATE_DIR": str(tmp_path)}


def test_unreachable_postgres_and_redis_are_named_and_nothing_starts(prod_stack: ProdStack, other_ports: dict) -> None:
    closed = str(free_port())

    result = run_prod(prod_stack, DB_PORT=closed, REDIS_PORT=closed, **other_ports)

    assert result.returncode == 1
    assert f"PostgreSQL at 127.0.0.1:{closed} (DB_HOST, DB_PORT)" in result.stderr
    assert f"Redis at 127.0.0.1:{closed} (REDIS_HOST, REDIS_PORT)" in result.stderr
    assert "not started: PostgreSQL and Redis must be reachable" in result.stderr
    assert not answers(f"http://127.0.0.1:{other_ports['PORT']}/")


def test_a_wrong_database_password_is_named(prod_stack: ProdStack, other_ports: dict) -> None:
    result = run_prod(prod_stack, DB_PASSWORD="wrong", **other_ports)

    assert result.returncode == 1
    assert "PostgreSQL" in result.stderr and "(DB_USER, DB_PASSWORD)" in result.stderr
    assert "password authentication failed" in result.stderr
    assert "Redis" not in result.stderr.replace("PostgreSQL and Redis must be reachable", "")


def test_a_wrong_redis_password_is_named(prod_stack: ProdStack, other_ports: dict) -> None:
    result = run_prod(prod_stack, REDIS_PASSWORD="wrong", **other_ports)

    assert result.returncode == 1
    assert "Redis at 127.0.0.1" in result.stderr and "check REDIS_PASSWORD" in result.stderr
    assert "PostgreSQL at" not in result.stderr


def test_a_missing_database_is_named(prod_stack: ProdStack, other_ports: dict) -> None:
    result = run_prod(prod_stack, DB_DATABASE="no_such_db", **other_ports)

    assert result.returncode == 1
    assert "database 'no_such_db' (DB_DATABASE)" in result.stderr and 'database "no_such_db" does not exist' in result.stderr
