"""The real servers for end-to-end tests: action server and Rasa server on free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "office-guide.tar.gz"
START_TIMEOUT_S = 180


def free_port() -> int:
    """A port nothing listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    """Whether a GET of the URL succeeds within a second."""
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False


class RasaServers:
    """`rasa run actions` and `rasa run` with the given channels, each in its own process group."""

    def __init__(self, directory: Path, credentials: str, ready_path: str = "/",
                 env: Optional[Dict[str, str]] = None, model: Path = MODEL,
                 endpoints: str = "bot/endpoints.yml") -> None:
        self.port, self.action_port = free_port(), free_port()
        self.model, self.endpoints = model, endpoints
        self.credentials = directory / "credentials.yml"
        self.credentials.write_text(credentials, encoding="utf-8")
        self.log = directory / "servers.log"
        self.ready_path = ready_path
        self.env = dict(env if env is not None else os.environ)
        self.env.update(
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.action_port}/webhook",
            TRACKER_DB=str(directory / "tracker.db"),
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        self.processes: List[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.model.exists(), f"{self.model} is missing: run `make train` first"
        commands = [
            [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(self.action_port)],
            [str(VENV_BIN / "rasa"), "run", "--model", str(self.model), "--interface", "127.0.0.1",
             "--port", str(self.port), "--endpoints", self.endpoints, "--credentials", str(self.credentials)],
        ]
        with self.log.open("ab") as log:
            for command in commands:
                self.processes.append(subprocess.Popen(
                    command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                ))
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert all(p.poll() is None for p in self.processes), f"a server exited early; see {self.log}"
            if answers(self.url + self.ready_path) and answers(f"http://127.0.0.1:{self.action_port}/health"):
                return
            time.sleep(0.5)
        raise AssertionError(f"servers did not start within {START_TIMEOUT_S} s; see {self.log}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
