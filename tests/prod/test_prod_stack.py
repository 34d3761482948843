"""The production profile end to end: two Rasa instances (2 Sanic workers each) on PostgreSQL and Redis, behind nginx."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Dict, List

import pytest
import requests

from bot.scripts.servers import user_turns
from tests.prod.load import run_load
from tests.prod.stack import ProdStack, say, wait_for

pytestmark = pytest.mark.prod


def new_sender(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}"


def answer(answer_id: str) -> str:
    """The payload of a diagnosis answer button (bot/domain/diagnosis.yml)."""
    return f'/diagnosis_answer{{"answer": "{answer_id}"}}'


def test_a_follow_up_on_the_other_instance_knows_the_subject(prod_stack: ProdStack) -> None:
    first, second = prod_stack.instance_urls
    sender = new_sender("follow-up")

    assert "経理" in say(first, sender, "経理って何？")[0]
    demerits = say(second, sender, "デメリットは？")

    assert demerits[0].startswith("経理の大変なところ")


def test_a_diagnosis_started_on_one_instance_finishes_on_the_other(prod_stack: ProdStack) -> None:
    urls = prod_stack.instance_urls
    sender = new_sender("diagnosis")

    started = " ".join(say(urls[0], sender, "診断したい"))
    assert "9つの質問" in started
    # Nine answers, alternating between the instances; each instance must see the other's answers.
    replies: List[str] = []
    for turn in range(9):
        replies = say(urls[(turn + 1) % 2], sender, answer("strongly_agree" if turn % 2 else "disagree"))
        assert replies, f"no reply to answer {turn + 1}"

    assert any(text.startswith("診断結果です。") for text in replies), replies
    answers = [e for t, e in prod_stack.postgres.events(sender) if t == "user"]
    assert len(answers) == 10


def test_two_messages_at_the_same_moment_are_handled_one_after_the_other(prod_stack: ProdStack) -> None:
    sender = new_sender("simultaneous")
    messages = ["経理って何？", "人事について教えて"]
    replies: Dict[str, List[str]] = {}
    barrier = threading.Barrier(2)

    def send(url: str, message: str) -> None:
        barrier.wait()
        replies[message] = say(url, sender, message)

    threads = [threading.Thread(target=send, args=pair) for pair in zip(prod_stack.instance_urls, messages, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert replies.keys() == set(messages) and all(replies.values()), replies
    assert "経理" in replies["経理って何？"][0] and "人事" in replies["人事について教えて"][0]
    turns = user_turns(prod_stack.postgres.events(sender))
    assert sorted(text for text, _ in turns) == sorted(messages), turns
    # Locked: each message is fully answered (bot texts, then listening) before the next one starts.
    for text, after in turns:
        assert "bot" in after and after[-1] == "action_listen", (text, after)


def test_fifty_users_twenty_turns_each_through_nginx_are_all_answered_and_stored(prod_stack: ProdStack) -> None:
    users, turns = 50, 20
    prefix = f"load-{uuid.uuid4().hex[:8]}-"

    result = run_load(prod_stack.url, users, turns, prefix)
    print(f"\nproduction profile, {users} users x {turns} turns through nginx: {result.summary()}")

    assert result.failures == []
    assert len(result.latencies) == users * turns
    assert prod_stack.postgres.user_event_counts(prefix) == {sender: turns for sender in result.senders}


def test_the_web_chat_talks_over_a_websocket_through_nginx(prod_stack: ProdStack) -> None:
    import socketio

    session_id = new_sender("webchat")
    received: List[str] = []

    async def chat() -> None:
        client = socketio.AsyncClient(reconnection=False)
        confirmed, answered = asyncio.Event(), asyncio.Event()

        @client.on("session_confirm")
        async def on_confirm(_: object) -> None:
            confirmed.set()

        @client.on("bot_uttered")
        async def on_bot(data: Dict) -> None:
            received.append(data.get("text", ""))
            answered.set()

        await client.connect(prod_stack.url, transports=["websocket"], socketio_path="/socket.io")
        try:
            await client.emit("session_request", {"session_id": session_id})
            await asyncio.wait_for(confirmed.wait(), 30)
            await client.emit("user_uttered", {"message": "経理って何？", "session_id": session_id,
                                               "customData": {"language": "ja"}})
            await asyncio.wait_for(answered.wait(), 60)
        finally:
            await client.disconnect()

    asyncio.run(chat())

    assert received and "経理" in received[0]
    wait_for(lambda: any(t == "user" for t, _ in prod_stack.postgres.events(session_id)), "the message was not stored")


def test_the_web_chat_is_served_through_nginx_for_websocket_only(prod_stack: ProdStack) -> None:
    bundle = requests.get(f"{prod_stack.url}/webhooks/webchat/assets/webchat.js", timeout=30)
    polling = requests.get(f"{prod_stack.url}/socket.io/?EIO=4&transport=polling", timeout=30)

    assert bundle.status_code == 200 and 'this.transports=t.transports||["websocket"]' in bundle.text
    # A poll could reach another worker of the instance; the server refuses it instead of losing the session.
    assert polling.status_code == 400
    assert "rasa_node=" in polling.headers.get("Set-Cookie", "")


def test_a_redis_outage_is_survived(prod_stack: ProdStack) -> None:
    sender = new_sender("redis-outage")
    assert say(prod_stack.url, sender, "経理って何？")

    prod_stack.redis.stop()
    try:
        during = requests.post(f"{prod_stack.url}/webhooks/rest/webhook",
                               json={"sender": sender, "message": "人事について教えて"}, timeout=120)
    finally:
        prod_stack.redis.start()
    # Without the lock store no message is processed (it would risk a conversation's order).
    assert during.status_code != 200 or during.json() == [], during.text

    for url in prod_stack.instance_urls * 2:  # every worker of both instances, most likely
        assert say(url, sender, "デメリットは？")[0].startswith("経理の大変なところ")


def test_a_postgres_outage_is_survived(prod_stack: ProdStack) -> None:
    sender = new_sender("postgres-outage")
    assert say(prod_stack.url, sender, "経理って何？")

    prod_stack.postgres.stop()
    try:
        # Rasa's FailSafeTrackerStore answers from an empty in-memory tracker meanwhile (not stored).
        during = say(prod_stack.url, sender, "人事について教えて")
    finally:
        prod_stack.postgres.start()
    assert during

    replies = [say(url, sender, "デメリットは？") for url in prod_stack.instance_urls * 4]
    in_context = [r for r in replies if r[0].startswith("経理の大変なところ")]
    print(f"\nafter the PostgreSQL restart, {len(in_context)} of {len(replies)} follow-ups knew the subject")
    # All answered; a worker's first use of its stale connection pool may miss the history, once.
    assert all(replies)
    assert len(in_context) >= len(replies) - 2 * len(prod_stack.instance_urls)
