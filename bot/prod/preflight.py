"""Pre-flight check of the production profile: are PostgreSQL and Redis reachable with the configured settings?

``python -m bot.prod.preflight`` reads the same environment variables as ``bot/prod/endpoints.yml``,
prints one line per problem, naming the service and the variables to fix, and exits 1 if there is any.
Without it, Rasa's SQL tracker store would retry a missing database every 5 s forever, and a missing
Redis would show only at the first message.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import List, Mapping, Optional, Tuple

CONNECT_TIMEOUT_S = 5

# bot/scripts/run-prod.sh sets the defaults; passwords may be empty (no authentication).
REQUIRED = ("DB_HOST", "DB_PORT", "DB_USER", "DB_DATABASE", "REDIS_HOST", "REDIS_PORT", "REDIS_DB")
PASSWORDS = ("DB_PASSWORD", "REDIS_PASSWORD")


@dataclass(frozen=True)
class Settings:
    """Connection settings of the tracker store (PostgreSQL) and the lock store (Redis)."""

    db_host: str
    db_port: int
    db_user: str
    db_password: str
    db_name: str
    redis_host: str
    redis_port: int
    redis_password: str
    redis_db: int


def settings_from_env(env: Mapping[str, str]) -> Tuple[Optional[Settings], List[str]]:
    """The settings from ``env``, or ``None`` and one problem per missing or malformed variable."""
    values = {name: env.get(name, "") for name in REQUIRED + PASSWORDS}
    problems = [f"{name} is not set" for name in REQUIRED if not values[name]]
    numbers = {}
    for name in ("DB_PORT", "REDIS_PORT", "REDIS_DB"):
        if not values[name]:
            continue
        try:
            numbers[name] = int(values[name])
        except ValueError:
            problems.append(f"{name} must be a number, not {values[name]!r}")
    if problems:
        return None, problems
    return Settings(
        values["DB_HOST"], numbers["DB_PORT"], values["DB_USER"], values["DB_PASSWORD"], values["DB_DATABASE"],
        values["REDIS_HOST"], numbers["REDIS_PORT"], values["REDIS_PASSWORD"], numbers["REDIS_DB"],
    ), []


def check_postgres(settings: Settings) -> Optional[str]:
    """``None`` if the tracker store's database accepts a connection, else what is wrong."""
    import psycopg2

    where = f"PostgreSQL at {settings.db_host}:{settings.db_port}"
    try:
        connection = psycopg2.connect(
            host=settings.db_host, port=settings.db_port, user=settings.db_user,
            password=settings.db_password, dbname=settings.db_name, connect_timeout=CONNECT_TIMEOUT_S,
        )
    except psycopg2.OperationalError as error:
        reason = " ".join(str(error).split())
        return (f"{where} (DB_HOST, DB_PORT), database {settings.db_name!r} (DB_DATABASE) as user "
                f"{settings.db_user!r} (DB_USER, DB_PASSWORD) is not usable: {reason}")
    connection.close()
    return None


def check_redis(settings: Settings) -> Optional[str]:
    """``None`` if the lock store's Redis answers a PING, else what is wrong."""
    import redis

    client = redis.Redis(
        host=settings.redis_host, port=settings.redis_port, db=settings.redis_db,
        password=settings.redis_password or None, socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=CONNECT_TIMEOUT_S,
    )
    try:
        client.ping()
    except redis.RedisError as error:
        # A wrong or missing password is an error reply (or AuthenticationError), not a refused connection.
        hint = " (check REDIS_PASSWORD)" if isinstance(error, (redis.AuthenticationError, redis.ResponseError)) else ""
        return (f"Redis at {settings.redis_host}:{settings.redis_port} (REDIS_HOST, REDIS_PORT), db "
                f"{settings.redis_db} (REDIS_DB) is not usable: {error}{hint}")
    finally:
        client.close()
    return None


def problems(env: Mapping[str, str]) -> List[str]:
    """Every reason why the production profile cannot start with ``env``; empty if it can."""
    settings, found = settings_from_env(env)
    if settings is None:
        return found
    return [problem for problem in (check_postgres(settings), check_redis(settings)) if problem]


def main() -> int:
    """Prints the problems to stderr; exit status 1 if there are any."""
    found = problems(os.environ)
    for problem in found:
        print(f"run-prod: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
