"""The bot's real servers, started from Python on free loopback ports: for the tests and ``make bench``.

The action server and the Rasa server run as ``bot/scripts/run.sh`` runs them (Sanic workers,
the file lock store, a SQLite tracker store in a directory of the caller's).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "office-guide.tar.gz"
START_TIMEOUT_S = 180


def free_port() -> int:
    """A port nothing listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening_addresses(port: int) -> List[str]:
    """Local addresses (hex, as in /proc/net/tcp and tcp6) of the sockets listening on a port."""
    found = []
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:] if table.exists() else []:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.append(address)
    return found


def answers(url: str) -> bool:
    """Whether a GET of the URL succeeds within a second."""
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False


REST_WEBHOOK = "/webhooks/rest/webhook"


def rest_replies(url: str, sender: str, message: object, timeout: float = 60,
                 session: Optional[requests.Session] = None) -> List[Dict[str, Any]]:
    """Sends one message to the REST channel at ``url``; the bot's replies (text, buttons …).

    Raises:
        requests.RequestException: when the server cannot be reached or does not answer 200.
        ValueError: when the answer is not JSON.

    """
    response = (session or requests).post(f"{url.rstrip('/')}{REST_WEBHOOK}",
                                          json={"sender": sender, "message": message}, timeout=timeout)
    response.raise_for_status()
    replies = response.json()
    return [reply for reply in replies if isinstance(reply, dict)] if isinstance(replies, list) else []


def rest_texts(url: str, sender: str, message: object, timeout: float = 60,
               session: Optional[requests.Session] = None) -> List[str]:
    """The texts of the bot's replies to one REST message (see ``rest_replies``)."""
    return [reply.get("text", "") for reply in rest_replies(url, sender, message, timeout, session)]


def say(url: str, sender: str, message: object, timeout: float = 60,
        session: Optional[requests.Session] = None) -> str:
    """The bot's answer to one REST message, its replies joined by newlines."""
    return "\n".join(rest_texts(url, sender, message, timeout, session))


class RasaServers:
    """`rasa run actions` and `rasa run` with the given channels, each in its own process group.

    Either server can be stopped, killed and started again on the same ports and SQLite file.
    """

    def __init__(self, directory: Path, credentials: str, ready_path: str = "/",
                 env: Optional[Dict[str, str]] = None, rasa_args: Sequence[str] = (), model: Path = MODEL,
                 endpoints: str = "bot/endpoints.yml") -> None:
        self.port, self.action_port = free_port(), free_port()
        self.model, self.endpoints = model, endpoints
        self.credentials = directory / "credentials.yml"
        self.credentials.write_text(credentials, encoding="utf-8")
        self.log = directory / "servers.log"
        self.ready_path = ready_path
        self.rasa_args = list(rasa_args)
        self.env = dict(env if env is not None else os.environ)
        self.env.update(
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.action_port}/webhook",
            TRACKER_DB=str(directory / "tracker.db"),
            # As bot/scripts/run.sh: a Sanic worker per core, sharing the file lock store.
            SANIC_WORKERS=self.env.get("SANIC_WORKERS", str(os.cpu_count() or 1)),
            LOCK_DIR=str(directory / "locks"),
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        self.processes: Dict[str, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        """The Rasa server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def say(self, sender: str, message: object, timeout: float = 60) -> str:
        """The bot's answer to one message over REST (``rest_texts`` for the separate replies)."""
        return say(self.url, sender, message, timeout)

    def texts(self, sender: str, message: object, timeout: float = 60) -> List[str]:
        """The texts of the bot's replies to one message over REST."""
        return rest_texts(self.url, sender, message, timeout)

    @property
    def action_url(self) -> str:
        """The action server's base URL."""
        return f"http://127.0.0.1:{self.action_port}"

    def start(self) -> None:
        """Starts both servers and waits until both answer."""
        self.start_actions(wait=False)
        self.start_rasa()

    def start_actions(self, wait: bool = True) -> None:
        """Starts the action server (on loopback, as bot/scripts/run.sh does)."""
        self._spawn("actions", [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions",
                                "--port", str(self.action_port)],
                    {"SANIC_HOST": "127.0.0.1", "SANIC_KEEP_ALIVE_TIMEOUT": "75"})
        if wait:
            self._wait_until(lambda: answers(f"{self.action_url}/health"))

    def start_rasa(self, wait_for_actions: bool = True) -> None:
        """Starts the Rasa server and waits until it (and, by default, the action server) answers."""
        assert self.model.exists(), f"{self.model} is missing: run `make train` first"
        # As bot/scripts/run.sh: the locks of a server that was killed go with it.
        shutil.rmtree(self.env["LOCK_DIR"], ignore_errors=True)
        self._spawn("rasa", [str(VENV_BIN / "rasa"), "run", "--model", str(self.model), "--interface", "127.0.0.1",
                             "--port", str(self.port), "--endpoints", self.endpoints,
                             "--credentials", str(self.credentials), *self.rasa_args])
        self._wait_until(lambda: answers(self.url + self.ready_path)
                         and (not wait_for_actions or answers(f"{self.action_url}/health")))

    def _spawn(self, name: str, command: List[str], extra_env: Optional[Dict[str, str]] = None) -> None:
        assert name not in self.processes or self.processes[name].poll() is not None, f"{name} is running"
        with self.log.open("ab") as log:
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env={**self.env, **(extra_env or {})}, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_until(self, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert all(p.poll() is None for p in self.processes.values()), f"a server exited early; see {self.log}"
            if ready():
                return
            time.sleep(0.5)
        raise AssertionError(f"servers did not start within {START_TIMEOUT_S} s; see {self.log}")

    def kill(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Sends a signal to one server's process group ("actions" or "rasa") and waits for it to end."""
        process = self.processes[name]
        os.killpg(process.pid, sig)
        process.wait(timeout=60)

    def stop(self) -> None:
        """Stops both servers as Ctrl-C does; kills what has not ended after a minute."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
        for process in self.processes.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def user_turns(events: List[Tuple[str, Dict[str, Any]]]) -> List[Tuple[str, List[str]]]:
    """``(user text, [event types and action names up to the next user message])`` per user message."""
    turns: List[Tuple[str, List[str]]] = []
    for type_name, data in events:
        if type_name == "user":
            turns.append((data.get("text", ""), []))
        elif turns:
            turns[-1][1].append(data["name"] if type_name == "action" else type_name)
    return turns
