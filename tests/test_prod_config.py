"""The production profile's configuration, without servers: endpoints, nginx, pre-flight messages, web chat."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Dict

import pytest
import yaml

from bot.prod import preflight
from bot.prod.nginx import TEMPLATE, render
from bot.scripts.servers import free_port
from bot.stores.lock_store import expire, issue, release
from bot.web.build import BUNDLES, DIST_DIR, BundleChanged, adapt_bundle, build
from bot.web.channel import load_assets

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = ROOT / "bot" / "prod" / "endpoints.yml"

ENV: Dict[str, str] = {
    "DB_HOST": "db.internal", "DB_PORT": "6432", "DB_USER": "bot", "DB_PASSWORD": "s3cret", "DB_DATABASE": "tracker",
    "REDIS_HOST": "cache.internal", "REDIS_PORT": "6380", "REDIS_PASSWORD": "", "REDIS_DB": "3",
    "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",
}


def test_the_endpoints_read_every_connection_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.lock_store import LockStore
    from rasa.core.utils import AvailableEndpoints, number_of_sanic_workers

    from bot.stores.redis_lock_store import AtomicRedisLockStore

    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SANIC_WORKERS", "3")

    endpoints = AvailableEndpoints.read_endpoints(str(ENDPOINTS))

    tracker, lock = endpoints.tracker_store, endpoints.lock_store
    assert tracker.type == "bot.stores.tracker_store.ForgettingSQLTrackerStore" and tracker.kwargs["dialect"] == "postgresql"
    assert (tracker.url, tracker.kwargs["port"], tracker.kwargs["username"], tracker.kwargs["password"],
            tracker.kwargs["db"]) == ("db.internal", "6432", "bot", "s3cret", "tracker")
    store = LockStore.create(lock)  # the Redis client connects on first use only
    assert isinstance(store, AtomicRedisLockStore) and store.key_prefix == "officeguide:lock:"
    connection = store.red.connection_pool.connection_kwargs
    assert (connection["host"], connection["port"], connection["db"]) == ("cache.internal", 6380, 3)
    # Rasa allows several Sanic workers only with a lock store other than in-memory.
    assert number_of_sanic_workers(lock) == 3


def test_no_connection_setting_is_written_in_the_endpoints() -> None:
    endpoints = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))

    for store in ("tracker_store", "lock_store"):
        for key, value in endpoints[store].items():
            if key not in ("type", "dialect", "key_prefix", "max_session_turns", "context_actions"):
                assert re.fullmatch(r"\$\{[A-Z_]+\}", str(value)), (store, key, value)


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"DB_HOST": ""}, "DB_HOST is not set"),
        ({"REDIS_HOST": ""}, "REDIS_HOST is not set"),
        ({"DB_PORT": "fivefourthreetwo"}, "DB_PORT must be a number, not 'fivefourthreetwo'"),
        ({"REDIS_DB": "x"}, "REDIS_DB must be a number, not 'x'"),
    ],
)
def test_missing_or_malformed_settings_are_named(change: Dict[str, str], problem: str) -> None:
    settings, problems = preflight.settings_from_env({**ENV, **change})

    assert settings is None and problems == [problem]


def test_empty_passwords_mean_no_authentication() -> None:
    settings, problems = preflight.settings_from_env({k: v for k, v in ENV.items() if "PASSWORD" not in k})

    assert problems == [] and settings is not None
    assert (settings.db_password, settings.redis_password, settings.redis_port) == ("", "", 6380)


def test_unreachable_services_are_named_with_their_variables() -> None:
    closed = str(free_port())
    env = {**ENV, "DB_HOST": "127.0.0.1", "DB_PORT": closed, "REDIS_HOST": "127.0.0.1", "REDIS_PORT": closed}

    postgres, redis = preflight.problems(env)

    assert postgres.startswith(f"PostgreSQL at 127.0.0.1:{closed} (DB_HOST, DB_PORT), database 'tracker' (DB_DATABASE)")
    assert "Connection refused" in postgres and "s3cret" not in postgres
    assert redis.startswith(f"Redis at 127.0.0.1:{closed} (REDIS_HOST, REDIS_PORT), db 3 (REDIS_DB) is not usable")


def conf() -> str:
    return render(TEMPLATE.read_text(encoding="utf-8"), "0.0.0.0:8080", "/srv/nginx",
                  ["127.0.0.1:5006", "127.0.0.1:5007"])


def block(text: str, head: str) -> str:
    """The body of the first ``head { ... }`` block (no nested blocks inside)."""
    match = re.search(re.escape(head) + r"\s*\{([^{}]*)\}", text)
    assert match, head
    return match.group(1)


def test_nginx_balances_rest_over_every_instance_and_keeps_socketio_sticky() -> None:
    text = conf()

    for upstream in ("upstream rasa", "upstream rasa_sticky"):
        servers = re.findall(r"server (\S+);", block(text, upstream))
        assert servers == ["127.0.0.1:5006", "127.0.0.1:5007"], upstream
    assert "hash $rasa_node consistent;" in block(text, "upstream rasa_sticky")
    socketio = block(text, "location /socket.io/")
    assert "proxy_pass http://rasa_sticky;" in socketio
    assert "proxy_set_header Upgrade $http_upgrade;" in socketio
    assert "proxy_set_header Connection $connection_upgrade;" in socketio
    assert "rasa_node=$rasa_node" in socketio
    assert "proxy_pass http://rasa;" in block(text, "location /")
    assert "listen 0.0.0.0:8080;" in text and "pid /srv/nginx/nginx.pid;" in text and "{{" not in text


@pytest.mark.parametrize(
    "listen, prefix, servers",
    [("8080", "/srv", ["127.0.0.1:5006"]), ("0.0.0.0:8080", "/srv", []),
     ("0.0.0.0:8080", "/srv; evil", ["127.0.0.1:5006"]), ("0.0.0.0:8080", "/srv", ["a b:1"])],
)
def test_nginx_refuses_what_would_break_its_configuration(listen: str, prefix: str, servers: list) -> None:
    with pytest.raises(ValueError):
        render(TEMPLATE.read_text(encoding="utf-8"), listen, prefix, servers)


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (make prod-deps)")
def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    path = tmp_path / "nginx.conf"
    path.write_text(render(TEMPLATE.read_text(encoding="utf-8"), f"127.0.0.1:{free_port()}", str(tmp_path),
                           ["127.0.0.1:5006", "127.0.0.1:5007"]), encoding="utf-8")

    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(path)], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr


BUNDLE_EXCERPT = (
    '.a{}@import url(https://fonts.googleapis.com/css?family=Inter:400,700);.b{}'
    'function E(t){this.transports=t.transports||["polling","websocket"]}'
)


def test_the_widget_is_adapted_once_at_install_for_polling_and_for_websocket_only(tmp_path: Path) -> None:
    source = tmp_path / "index.js"
    source.write_text(BUNDLE_EXCERPT, encoding="utf-8")
    build(source, tmp_path / "dist")
    default = (tmp_path / "dist" / BUNDLES[False]).read_text(encoding="utf-8")
    websocket_only = (tmp_path / "dist" / BUNDLES[True]).read_text(encoding="utf-8")

    assert "googleapis" not in default + websocket_only
    assert 'this.transports=t.transports||["polling","websocket"]' in default
    assert 'this.transports=t.transports||["websocket"]' in websocket_only
    assert '["polling","websocket"]' not in websocket_only


def test_a_changed_widget_stops_the_build() -> None:
    with pytest.raises(BundleChanged, match="transports"):
        adapt_bundle("function E(t){this.transports=t.transports||[]}", websocket_only=True)


@pytest.mark.skipif(not (DIST_DIR / BUNDLES[True]).is_file(), reason="the widget is not installed (make web)")
def test_the_server_serves_the_built_bundle_of_its_channel() -> None:
    assert load_assets(websocket_only=True)["webchat.js"].body == (DIST_DIR / BUNDLES[True]).read_bytes()
    assert load_assets()["webchat.js"].body == (DIST_DIR / BUNDLES[False]).read_bytes()


def test_the_production_credentials_use_the_websocket_web_chat() -> None:
    from bot.web.channel import WebSocketWebChatInput

    credentials = yaml.safe_load((ROOT / "bot" / "prod" / "credentials.yml").read_text(encoding="utf-8"))

    assert "rest" in credentials and "bot.web.channel.WebSocketWebChatInput" in credentials
    channel = WebSocketWebChatInput.from_credentials(credentials["bot.web.channel.WebSocketWebChatInput"])
    assert channel.websocket_only and channel.name() == "webchat" and channel.session_persistence


def test_tickets_are_numbered_in_order_on_a_new_or_existing_lock() -> None:
    first, lock = issue(None, "c", lifetime=60)
    second, lock = issue(lock, "c", lifetime=60)

    assert (first, second) == (0, 1) and lock.conversation_id == "c" and lock.now_serving == 0


def test_releasing_a_ticket_keeps_the_lock_while_others_wait_and_deletes_it_after_the_last() -> None:
    _, lock = issue(None, "c", lifetime=60)
    _, lock = issue(lock, "c", lifetime=60)

    _, kept = release(lock, 0)
    assert kept is not None and kept.now_serving == 1
    assert release(kept, 1) == (None, None)
    assert release(None, 3) == (None, None)


def test_expired_tickets_are_dropped() -> None:
    _, lock = issue(None, "c", lifetime=60)
    _, lock = issue(lock, "c", lifetime=60)
    lock.tickets[0].expires = time.time() - 1  # its holder died without releasing it

    _, updated = expire(lock)

    assert updated is not None and [t.number for t in updated.tickets] == [1]
    assert expire(None) == (None, None)
