"""Harness of the production-profile tests: PostgreSQL, Redis and bot/scripts/run-prod.sh on free loopback ports.

PostgreSQL and Redis run from Debian's binaries in a temporary directory, never as system
services; ``make prod-deps`` installs them. PostgreSQL refuses to run as root, so as root its
data directory belongs to the ``postgres`` user and its commands run through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import requests

from bot.scripts.servers import MODEL, ROOT, answers, free_port, rest_texts

START_TIMEOUT_S = 600
ARTIFACTS = ROOT / "tests" / "artifacts"
DB_USER, DB_PASSWORD, DB_DATABASE = "rasa", "pg-secret-for-tests", "rasa"
REDIS_PASSWORD = "redis-secret-for-tests"


def postgres_bin() -> Optional[Path]:
    """The directory of Debian's PostgreSQL server binaries (newest version), if installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def missing_programs() -> List[str]:
    """What the production profile's tests need and this machine lacks, with the package to install."""
    missing = []
    if postgres_bin() is None:
        missing.append("PostgreSQL server (package postgresql)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server (package redis-server)")
    if shutil.which("nginx") is None:
        missing.append("nginx (package nginx)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing.append("runuser (package util-linux)")
    return missing


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    """Polls ``condition`` until it holds; fails naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout_s} s")


class Postgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1 with a password-protected user and database."""

    def __init__(self) -> None:
        self.port = free_port()
        self.bin = postgres_bin()
        assert self.bin is not None, "PostgreSQL is not installed: make prod-deps"
        # Under /tmp, not pytest's tmp_path: as root the postgres user must be able to reach it.
        self.directory = Path(tempfile.mkdtemp(prefix="rasa-prod-pg-"))
        self.data = self.directory / "data"
        self.as_root = os.geteuid() == 0

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        subprocess.run(prefix + list(command), check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       cwd=self.directory)

    def init(self) -> None:
        """initdb with scram passwords, then start and create the bot's database."""
        password_file = self.directory / "pw"
        password_file.write_text(DB_PASSWORD + "\n", encoding="utf-8")
        if self.as_root:
            user = pwd.getpwnam("postgres")
            os.chown(self.directory, user.pw_uid, user.pw_gid)
            os.chown(password_file, user.pw_uid, user.pw_gid)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", DB_USER, "--auth=scram-sha-256",
                  f"--pwfile={password_file}", "--encoding=UTF8", "--locale=C")
        password_file.unlink()
        self.start()
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=DB_USER, password=DB_PASSWORD,
                                      dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {DB_DATABASE}")
        connection.close()

    def start(self) -> None:
        """Starts the server and waits until it accepts connections."""
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.directory} "
                   "-c max_connections=200 -c fsync=off -c synchronous_commit=off")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "postgres.log"),
                  "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        """Stops the server (fast shutdown: open connections are cut, as in an outage)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def events(self, sender_id: str) -> List[Tuple[str, Dict]]:
        """The tracker events of one conversation, in order: ``(type_name, data)``."""
        import json

        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=DB_USER, password=DB_PASSWORD,
                                      dbname=DB_DATABASE)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender_id,))
                return [(type_name, json.loads(data)) for type_name, data in cursor.fetchall()]
        finally:
            connection.close()

    def user_event_counts(self, prefix: str) -> Dict[str, int]:
        """``{sender_id: number of user events}`` for the conversations whose id starts with ``prefix``."""
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=DB_USER, password=DB_PASSWORD,
                                      dbname=DB_DATABASE)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT sender_id, count(*) FROM events WHERE type_name = 'user' AND sender_id LIKE %s "
                               "GROUP BY sender_id", (prefix + "%",))
                return {sender: int(count) for sender, count in cursor.fetchall()}
        finally:
            connection.close()

    def remove(self) -> None:
        """Stops the server if it runs and deletes the cluster."""
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.directory, ignore_errors=True)


class Redis:
    """A throw-away redis-server on 127.0.0.1, password-protected, without persistence."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: Optional[subprocess.Popen[bytes]] = None

    def start(self) -> None:
        """Starts redis-server (on the same port after a stop) and waits for its PING."""
        import redis

        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--requirepass", REDIS_PASSWORD, "--dir", str(self.directory), "--daemonize", "no"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        client = redis.Redis(host="127.0.0.1", port=self.port, password=REDIS_PASSWORD, socket_timeout=1)

        def pong() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(pong, "redis-server did not answer")

    def stop(self) -> None:
        """Stops redis-server."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class ProdStack:
    """bot/scripts/run-prod.sh (action server, two Rasa instances, nginx) on PostgreSQL and Redis."""

    def __init__(self, directory: Path, postgres: Postgres, redis: Redis, instances: int = 2) -> None:
        self.directory = directory
        self.postgres, self.redis = postgres, redis
        self.port, self.action_port = free_port(), free_port()
        self.rasa_ports = [free_port() for _ in range(instances)]
        self.log = directory / "run-prod.log"
        self.process: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        """nginx, the profile's entrance."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def instance_urls(self) -> List[str]:
        """Each Rasa instance, bypassing nginx."""
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    def env(self, **overrides: str) -> Dict[str, str]:
        """run-prod.sh's environment: every port and connection setting."""
        env = dict(os.environ)
        env.update(
            PORT=str(self.port), RASA_PORTS=" ".join(map(str, self.rasa_ports)), ACTION_PORT=str(self.action_port),
            STATE_DIR=str(self.directory / "state"), MODEL=str(MODEL),
            DB_HOST="127.0.0.1", DB_PORT=str(self.postgres.port), DB_USER=DB_USER, DB_PASSWORD=DB_PASSWORD,
            DB_DATABASE=DB_DATABASE, REDIS_HOST="127.0.0.1", REDIS_PORT=str(self.redis.port), REDIS_PASSWORD=REDIS_PASSWORD,
            REDIS_DB="1", SANIC_WORKERS="2", ACTION_SERVER_SANIC_WORKERS="2",
        )
        env.update(overrides)
        return env

    def start(self) -> None:
        """Starts run-prod.sh and waits until nginx, each instance and the action server answer."""
        assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([str(ROOT / "bot" / "scripts" / "run-prod.sh")], cwd=ROOT, env=self.env(),
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        urls = [self.url + "/", *(u + "/" for u in self.instance_urls), f"http://127.0.0.1:{self.action_port}/health"]
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"run-prod.sh exited early; see {self.log}"
            if all(answers(url) for url in urls):
                return
            time.sleep(0.5)
        raise AssertionError(f"the production profile did not start within {START_TIMEOUT_S} s; see {self.log}")

    def stop(self) -> None:
        """Ctrl-C to run-prod.sh's process group, as a terminal sends it."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def say(url: str, sender: str, message: str, session: Optional[requests.Session] = None) -> List[str]:
    """The bot's texts for one message over REST, with the longer wait a loaded stack may need."""
    return rest_texts(url, sender, message, timeout=120, session=session)


def started_stack(directory: Path) -> Iterator[ProdStack]:
    """PostgreSQL, Redis and the profile, started once; everything stopped and removed afterwards."""
    postgres = Postgres()
    redis = Redis(directory)
    stack = ProdStack(directory, postgres, redis)
    try:
        postgres.init()
        redis.start()
        stack.start()
        yield stack
    finally:
        stack.stop()
        redis.stop()
        # pytest keeps only its last three temporary directories; the logs outlive them here.
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for log in (stack.log, postgres.directory / "postgres.log", directory / "redis.log"):
            if log.exists():
                shutil.copyfile(log, ARTIFACTS / f"prod-{log.name}")
        postgres.remove()


def instance_order(stack: ProdStack, turns: int) -> Sequence[str]:
    """The instances' URLs alternating, one per turn: A, B, A, B, …"""
    urls = stack.instance_urls
    return [urls[i % len(urls)] for i in range(turns)]
