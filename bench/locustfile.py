"""Realistic users for `make bench`: own conversation, questions, follow-ups, a whole diagnosis.

Each user arrives after a pause, asks knowledge questions with follow-ups and completes the
diagnosis and asks why, in either order (half come for the diagnosis first), then a new user
takes their place. Messages are timed by kind of turn.

The pause between messages comes from BENCH_THINK_MIN/BENCH_THINK_MAX (seconds; 0 and 0 for the
saturation run).
"""

from __future__ import annotations

import json
import os
import random
import uuid
from typing import List

from locust import HttpUser, between, task

THINK_MIN = float(os.environ.get("BENCH_THINK_MIN", "0.5"))
THINK_MAX = float(os.environ.get("BENCH_THINK_MAX", "2.0"))

# Questions with follow-ups that rely on the conversation's topic.
QUESTION_SCRIPTS: List[List[str]] = [
    ["経理って何？", "デメリットは？", "向いている人は？", "今はいい"],
    ["営業の仕事内容を教えて", "やりがいは？", "営業事務と比べると何が違う？"],
    ["フロントオフィスとバックオフィスの違いは？", "ミドルオフィスにはどんな職種がある？"],
    ["人事ってどんな仕事？", "必要なスキルは？", "ありがとう"],
    ["コールセンターの大変なところは？", "どんな人に向いてる？", "いいえ"],
    ["マーケティングについて教えて", "KPIは？"],
]
DIAGNOSIS_START = "どんな仕事が合うか診断してほしいです"
# Mixed button payloads and typed answers, 8 questions.
ANSWERS = ["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree"]
TYPED_ANSWERS = ["はい、とても", "どちらかといえば", "あまり当てはまりません", "いいえ"]
RESULT_MARK = "診断結果です"


class ConversationUser(HttpUser):
    """One person talking to the bot over the REST channel."""

    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self) -> None:
        """A fresh conversation per simulated user."""
        self.sender = f"bench-{uuid.uuid4().hex}"
        self.messages = 0

    def say(self, text: str, kind: str, expect: str = "") -> str:
        """Send one message, timed under `kind`; a reply with no text, or without `expect`, fails."""
        # The first message also creates the conversation and runs its session start.
        kind = kind if self.messages else "first message"
        self.messages += 1
        with self.client.post(
            "/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
            name=kind,
            catch_response=True,
        ) as response:
            try:
                replies = response.json()
            except (ValueError, json.JSONDecodeError):
                response.failure(f"not JSON: {response.text[:80]}")
                return ""
            joined = "\n".join(r.get("text", "") for r in replies if isinstance(r, dict))
            if response.status_code != 200 or not joined:
                response.failure(f"HTTP {response.status_code}, no reply to {text!r}")
            elif expect and expect not in joined:
                response.failure(f"{expect!r} missing in the reply to {text!r}")
            else:
                response.success()
            return joined

    @task
    def conversation(self) -> None:
        """One person's visit: questions with follow-ups and a whole diagnosis, in either order."""
        # People do not all press Enter in the same instant: every visit starts after a pause.
        self.wait()
        parts = [self.questions, self.diagnosis]
        random.shuffle(parts)
        for part in parts:
            part()
        # The next visit is a new person's conversation.
        self.on_start()

    def questions(self) -> None:
        """Two knowledge questions, each with follow-ups that rely on the conversation's topic."""
        for script in random.sample(QUESTION_SCRIPTS, 2):
            for turn, text in enumerate(script):
                self.say(text, "follow-up" if turn else "question")
                self.wait()

    def diagnosis(self) -> None:
        """The nine questions (buttons and typed answers), the result, and why."""
        self.say(DIAGNOSIS_START, "diagnosis: start", expect="質問1/9")
        for number in range(9):
            self.wait()
            if number % 3 == 2:
                answer = random.choice(TYPED_ANSWERS)
            else:
                answer = f'/diagnosis_answer{{"answer": "{random.choice(ANSWERS)}"}}'
            if number == 8:
                self.say(answer, "diagnosis: last answer and result", expect=RESULT_MARK)
            else:
                self.say(answer, "diagnosis: answer", expect=f"質問{number + 2}/9")
        self.wait()
        self.say("なぜ？", "diagnosis: why")
        self.wait()
