"""End to end, faults: the action server down or hanging, the Rasa server killed, malformed
and over-long requests on every channel, the HTTP API behind a token.

One pair of real servers (bot/scripts/servers.py) with the REST, web chat and Slack channels and
the Rasa HTTP API switched on with a token, so the tests can read what the tracker kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import time
import uuid
from collections import Counter
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import urlencode

import pytest
import requests
import yaml

from bot.scripts.servers import ROOT, RasaServers, free_port, listening_addresses

pytestmark = pytest.mark.e2e

API_TOKEN = secrets.token_hex(16)
SLACK_SECRET = secrets.token_hex(16)
DOMAIN = ROOT / "bot" / "domain"
APOLOGY = yaml.safe_load((DOMAIN / "resilience.yml").read_text(encoding="utf-8"))[
    "responses"]["utter_action_unavailable"][0]["text"]
LIMIT = yaml.safe_load((DOMAIN / "limits.yml").read_text(encoding="utf-8"))["slots"]["max_message_chars"]["initial_value"]

# bot/credentials.yml plus the Slack block run.sh adds, with replies sent to a closed port.
CREDENTIALS = (ROOT / "bot" / "credentials.yml").read_text(encoding="utf-8") + """\
bot.channels.slack.ConfigurableSlackInput:
  slack_token: xoxb-test-not-a-real-token
  slack_signing_secret: ${SLACK_SIGNING_SECRET}
  slack_channel: ""
  slack_api_url: ${SLACK_API_URL}
"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaServers]:
    """Servers of this module's own, in place of the shared ones: these tests stop and kill them."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in {"http_proxy", "https_proxy"}}
    env.update(SLACK_SIGNING_SECRET=SLACK_SECRET, SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/")
    running = RasaServers(tmp_path_factory.mktemp("e2e-faults"), CREDENTIALS, env=env,
                          rasa_args=["--enable-api", "--auth-token", API_TOKEN])
    running.start()
    yield running
    running.stop()


def user_texts(servers: RasaServers, sender: str) -> List[Dict[str, Any]]:
    tracker = requests.get(f"{servers.url}/conversations/{sender}/tracker",
                           params={"token": API_TOKEN}, timeout=30)
    assert tracker.status_code == 200, tracker.text
    return [e for e in tracker.json()["events"] if e["event"] == "user"]


def answer(answer_id: str) -> str:
    return f'/diagnosis_answer{{"answer": "{answer_id}"}}'


# --- the action server ------------------------------------------------------------------


def test_action_server_down_gets_an_apology_and_the_diagnosis_continues(servers: RasaServers) -> None:
    sender = str(uuid.uuid4())
    assert "質問1/9" in servers.say(sender, "診断したい")
    assert "質問2/9" in servers.say(sender, answer("agree"))

    servers.kill("actions", signal.SIGTERM)
    assert APOLOGY in servers.say(sender, "はい")
    assert APOLOGY in servers.say(sender, "経理って何？")

    servers.start_actions()
    # The form stayed on question 2: the same answer now moves on.
    assert "質問3/9" in servers.say(sender, "はい")
    step_out = servers.say(sender, "経理って何？")
    assert "経理はバックオフィスに属する職種です" in step_out and "質問3/9" in step_out
    assert "質問4/9" in servers.say(sender, "はい")


def test_a_hanging_action_server_gets_an_apology_within_the_timeout(servers: RasaServers) -> None:
    sender = str(uuid.uuid4())
    assert "人事・労務はバックオフィスに属する職種です" in servers.say(sender, "人事について教えて")
    servers.kill("actions", signal.SIGTERM)
    # Accepts connections (the kernel does, from the backlog) and never answers.
    with socket.socket() as hanging:
        hanging.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hanging.bind(("127.0.0.1", servers.action_port))
        hanging.listen(16)
        assert APOLOGY in servers.say(sender, "デメリットは？")
    servers.start_actions()
    # The topic (人事) survived the failed turn.
    assert "人事・労務の大変なところ" in servers.say(sender, "デメリットは？")


# --- the Rasa server --------------------------------------------------------------------


def test_rasa_server_killed_mid_diagnosis_continues_from_sqlite(servers: RasaServers) -> None:
    sender = str(uuid.uuid4())
    assert "質問1/9" in servers.say(sender, "どんな仕事が合うかチェックしたい")
    assert "質問2/9" in servers.say(sender, answer("strongly_agree"))
    assert "質問3/9" in servers.say(sender, "目標があるとやる気が出ます")

    servers.kill("rasa", signal.SIGKILL)
    servers.start_rasa()

    for reply, expected in [("得意です", "質問4/9"), ("苦手です", "質問5/9"), ("あまり", "質問6/9"),
                            ("いいえ", "質問7/9"), ("はい", "質問8/9"), (answer("strongly_disagree"), "質問9/9")]:
        assert expected in servers.say(sender, reply)
    assert "あなたには、フロントオフィスの仕事が合っていそうです" in servers.say(sender, answer("disagree"))


# --- malformed requests -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{not json",
        b"\xff\xfe\x00",
        b"[]",
        b'"text"',
        b"null",
        b'{"message": "hi"}',
        b'{"sender": "", "message": "hi"}',
        b'{"sender": "  ", "message": "hi"}',
        b'{"sender": 42, "message": "hi"}',
        b'{"sender": "s"}',
        b'{"sender": "s", "message": 42}',
        b'{"sender": "s", "message": ["hi"]}',
        b'{"sender": "s", "message": {"text": "hi"}}',
        b'{"sender": "s", "message": null}',
        b'{"sender": "s", "message": "hi", "metadata": "x"}',
        b'{"sender": "s", "message": "hi", "input_channel": 1}',
        json.dumps({"sender": "s" * 257, "message": "hi"}).encode(),
    ],
)
def test_malformed_rest_requests_get_a_400_with_a_reason(servers: RasaServers, body: bytes) -> None:
    response = requests.post(f"{servers.url}/webhooks/rest/webhook", data=body, timeout=30)
    assert response.status_code == 400, (response.status_code, response.text)
    assert response.json()["error"]


# socket.io reads the body itself (not before the middleware); a session id gets it that far.
@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/webhooks/slack/webhook",
                                  "/socket.io/?EIO=4&transport=polling&sid=x"])
def test_a_huge_body_gets_a_413(servers: RasaServers, path: str) -> None:
    body = json.dumps({"sender": "s", "message": "経" * 400_000}).encode()  # 1.2 MB
    response = requests.post(servers.url + path, data=body, timeout=30)
    assert response.status_code == 413, response.status_code


def slack_headers(body: bytes, content_type: str, secret: str = SLACK_SECRET) -> Dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def form(payload: Any) -> bytes:
    return urlencode({"payload": payload if isinstance(payload, str) else json.dumps(payload)}).encode()


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/json", b"{not json"),
        ("application/json", b"[1, 2]"),
        ("application/json", b'{"event": "text"}'),
        ("application/json", b'{"event": null}'),
        ("application/json", b'{"event": {"type": "message", "text": ["hi"], "user": "U1"}}'),
        ("application/json", b'{"event": {"type": "message", "text": "hi", "channel_type": "im"}}'),
        ("application/json", b'{"event": {"type": "message", "text": "hi", "user": 7}}'),
        ("application/json", b'{"authorizations": 3, "event": {}}'),
        ("application/x-www-form-urlencoded", b"no-payload=1"),
        ("application/x-www-form-urlencoded", form("not json")),
        ("application/x-www-form-urlencoded", form([1])),
        ("application/x-www-form-urlencoded", form({"actions": {"type": "button"}})),
        ("application/x-www-form-urlencoded", form({"actions": [{"type": "unknown"}], "user": {"id": "U1"}})),
        ("application/x-www-form-urlencoded", form({"actions": [{"type": "button", "value": "x"}]})),
        ("application/x-www-form-urlencoded",
         form({"actions": [{"type": "button", "value": 3}], "user": {"id": "U1"}})),
        ("application/x-www-form-urlencoded",
         form({"actions": [{"type": "static_select"}], "user": {"id": "U1"}, "channel": None})),
    ],
)
def test_malformed_signed_slack_requests_get_a_400(servers: RasaServers, content_type: str, body: bytes) -> None:
    response = requests.post(f"{servers.url}/webhooks/slack/webhook", data=body,
                             headers=slack_headers(body, content_type), timeout=30)
    assert response.status_code == 400, (response.status_code, response.text)
    assert response.json()["error"]


def test_unsigned_or_wrongly_signed_slack_requests_get_a_401(servers: RasaServers) -> None:
    body = json.dumps({"challenge": "c"}).encode()
    for headers in ({"Content-Type": "application/json"},
                    slack_headers(body, "application/json", secret="wrong")):
        response = requests.post(f"{servers.url}/webhooks/slack/webhook", data=body, headers=headers, timeout=30)
        assert response.status_code == 401, response.status_code
    signed = requests.post(f"{servers.url}/webhooks/slack/webhook", data=body,
                           headers=slack_headers(body, "application/json"), timeout=30)
    assert signed.status_code == 200 and "c" in signed.text


@pytest.mark.parametrize(
    "method, path, expected",
    [
        ("GET", "/webhooks/webchat/assets/..%2F..%2Fchannel.py", 404),
        ("GET", "/webhooks/webchat/assets/nothing.js", 404),
        ("POST", "/", 405),
        ("GET", "/socket.io/?EIO=4&transport=polling&sid=not-a-session", 400),
        ("POST", "/socket.io/?EIO=4&transport=polling", 400),
    ],
)
def test_web_routes_refuse_bad_requests_with_a_4xx(servers: RasaServers, method: str, path: str,
                                                   expected: int) -> None:
    response = requests.request(method, servers.url + path, data=b"\x00garbage", timeout=30)
    assert response.status_code == expected, (response.status_code, response.text[:200])


# --- over-long messages -------------------------------------------------------------------


def test_an_over_long_message_is_refused_before_nlu_and_kept(servers: RasaServers) -> None:
    sender = str(uuid.uuid4())
    too_long = "経理の仕事について" + "あ" * LIMIT
    reply = servers.say(sender, too_long)
    assert f"{LIMIT}文字以内" in reply
    at_the_limit = "経理の仕事内容は？" + "。" * (LIMIT - len("経理の仕事内容は？"))
    assert "長すぎる" not in servers.say(sender, at_the_limit)

    first, second = user_texts(servers, sender)
    # Kept as sent; NLU never saw it, so it has nothing but the guard's intent.
    assert first["text"] == too_long
    assert first["parse_data"]["intent"]["name"] == "message_too_long"
    assert first["parse_data"]["entities"] == []
    assert second["text"] == at_the_limit and second["parse_data"]["intent"]["name"] != "message_too_long"


# --- the HTTP API ---------------------------------------------------------------------------


def test_the_http_api_needs_the_token(servers: RasaServers) -> None:
    sender = str(uuid.uuid4())
    servers.say(sender, "こんにちは")
    url = f"{servers.url}/conversations/{sender}/tracker"
    assert requests.get(url, timeout=30).status_code == 401
    assert requests.get(url, params={"token": "wrong"}, timeout=30).status_code == 401
    assert requests.get(url, params={"token": API_TOKEN}, timeout=30).status_code == 200


def non_loopback_address() -> Optional[str]:
    """An IPv4 address of this machine other than 127.x, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent by a UDP connect
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_the_action_server_listens_on_loopback_only(servers: RasaServers) -> None:
    assert listening_addresses(servers.action_port) == ["0100007F"], "the action server must bind 127.0.0.1 only"
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    with socket.socket() as client:
        client.settimeout(3)
        assert client.connect_ex((address, servers.action_port)) != 0, f"reachable on {address}"


# --- fuzzing ----------------------------------------------------------------------------------

# Imported here: only the fuzz tests need hypothesis.
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
texts = st.text(max_size=40) | st.sampled_from(["経理って何？", "診断したい", "はい", "", "/restart"])


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


rest_bodies = st.one_of(
    st.binary(max_size=100),
    st.fixed_dictionaries({"sender": st.uuids().map(str), "message": texts}).map(dumps),
    json_values.map(dumps),
    st.fixed_dictionaries(
        {"sender": json_values | st.text(min_size=1, max_size=12), "message": json_values | texts},
        optional={"metadata": json_values, "input_channel": json_values},
    ).map(dumps),
)

slack_events = st.fixed_dictionaries(
    {"event": json_values | st.fixed_dictionaries(
        {"type": st.sampled_from(["message", "app_mention"]), "text": json_values | texts},
        optional={"user": json_values | st.just("UFUZZ"), "channel": json_values | st.just("DFUZZ"),
                  "channel_type": st.sampled_from(["im", "channel"]) | json_values, "bot_id": json_values,
                  "ts": json_values}),
     },
    optional={"authed_users": json_values, "authorizations": json_values, "event_id": json_values,
              "challenge": json_values},
)
slack_actions = st.fixed_dictionaries(
    {"type": st.sampled_from(["button", "static_select", "select", "overflow", "datepicker"]) | json_values},
    optional={"value": json_values | texts, "selected_option": json_values, "selected_options": json_values},
)
slack_payloads = st.fixed_dictionaries(
    {"actions": st.lists(slack_actions, max_size=2) | json_values},
    optional={"user": st.fixed_dictionaries({"id": json_values | st.just("UFUZZ")}) | json_values,
              "channel": json_values, "message": json_values},
)
slack_requests = st.one_of(
    st.tuples(st.just("application/json"), st.one_of(slack_events.map(dumps), json_values.map(dumps),
                                                     st.binary(max_size=100))),
    st.tuples(st.just("application/x-www-form-urlencoded"),
              st.one_of((slack_payloads | json_values).map(lambda p: form(json.dumps(p))), st.binary(max_size=100))),
    st.tuples(st.sampled_from(["text/plain", "application/json; charset=utf-8", ""]), st.binary(max_size=100)),
)


def still_answers(servers: RasaServers) -> None:
    assert servers.processes["rasa"].poll() is None, "the Rasa server died"
    assert "経理はバックオフィスに属する職種です" in servers.say(str(uuid.uuid4()), "経理って何？")


def test_fuzzed_rest_requests_never_get_a_5xx(servers: RasaServers) -> None:
    statuses: Counter[int] = Counter()

    @FUZZ
    @given(body=rest_bodies)
    def post(body: bytes) -> None:
        response = requests.post(f"{servers.url}/webhooks/rest/webhook", data=body, timeout=60)
        statuses[response.status_code] += 1
        assert response.status_code < 500, (response.status_code, body[:200])

    post()
    print("REST fuzz:", dict(statuses))
    # Both paths were exercised: refused requests and messages the bot answered.
    assert statuses[400] and statuses[200]
    still_answers(servers)


def test_fuzzed_signed_slack_requests_never_get_a_5xx(servers: RasaServers) -> None:
    statuses: Counter[int] = Counter()

    @FUZZ
    @given(request=slack_requests)
    def post(request: Any) -> None:
        content_type, body = request
        response = requests.post(f"{servers.url}/webhooks/slack/webhook", data=body,
                                 headers=slack_headers(body, content_type), timeout=60)
        statuses[response.status_code] += 1
        assert response.status_code < 500, (response.status_code, content_type, body[:200])

    post()
    print("Slack fuzz:", dict(statuses))
    assert statuses[400] and statuses[200]
    still_answers(servers)
