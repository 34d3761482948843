"""Load: USERS conversations at once, TURNS messages each, over REST; messages/s and latency percentiles.

``python -m tests.prod.load --url http://127.0.0.1:5005 --users 50 --turns 20`` against a running
bot (``make run`` or ``make run-prod``). The production tests use :func:`run_load` for their load test.
"""

from __future__ import annotations

import argparse
import math
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import requests

# Knowledge questions and follow-ups: every turn gets an answer, none starts the diagnosis form.
MESSAGES = (
    "経理って何？", "デメリットは？", "人事について教えて", "メリットは？", "営業はどんな仕事をしますか",
    "フロントオフィスとバックオフィスの違いは？", "総務のことをもっと知りたい", "じゃあ法務は？",
    "マーケティングはどう？", "コールセンターについてもう少し詳しく教えてください", "こんにちは",
    "バックオフィスについてもっと教えてください", "それなら経理は？", "情シスについてもっと知りたいです",
    "一般事務のことをもっと聞かせて", "ありがとう", "ミドルオフィスって何？", "カスタマーサポートをもっと詳しく知りたい",
    "販売・接客について、もう少し教えて", "今度はコールセンターについて",
)


@dataclass
class LoadResult:
    """What a load run measured: one latency per answered message, one line per failed one."""

    senders: List[str]
    latencies: List[float] = field(default_factory=list)
    failures: List[str] = field(default_factory=list)
    elapsed: float = 0.0

    def summary(self) -> str:
        """One line: messages, failures, messages/s, p50 and p95 latency."""
        rate = len(self.latencies) / self.elapsed if self.elapsed else 0.0
        return (f"{len(self.latencies)} answered, {len(self.failures)} failed in {self.elapsed:.1f} s: "
                f"{rate:.1f} messages/s, p50 {percentile(self.latencies, 50) * 1000:.0f} ms, "
                f"p95 {percentile(self.latencies, 95) * 1000:.0f} ms")


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile of ``values`` (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def run_load(url: str, users: int, turns: int, prefix: Optional[str] = None) -> LoadResult:
    """``users`` threads, each one conversation of ``turns`` REST messages sent one after the other."""
    prefix = prefix or f"load-{uuid.uuid4().hex[:8]}-"
    result = LoadResult(senders=[f"{prefix}{i:03d}" for i in range(users)])
    lock = threading.Lock()
    start = threading.Barrier(users + 1)

    def converse(index: int, sender: str) -> None:
        with requests.Session() as session:
            start.wait()
            for turn in range(turns):
                message = MESSAGES[(index + turn) % len(MESSAGES)]
                began = time.perf_counter()
                try:
                    response = session.post(f"{url}/webhooks/rest/webhook",
                                            json={"sender": sender, "message": message}, timeout=120)
                    texts = [m.get("text", "") for m in response.json()] if response.ok else []
                    problem = None if response.status_code == 200 and any(texts) else (
                        f"{sender} turn {turn}: HTTP {response.status_code}, answer {texts!r}")
                except (requests.RequestException, ValueError) as error:
                    problem = f"{sender} turn {turn}: {error}"
                took = time.perf_counter() - began
                with lock:
                    if problem:
                        result.failures.append(problem)
                    else:
                        result.latencies.append(took)

    threads = [threading.Thread(target=converse, args=(i, s), daemon=True) for i, s in enumerate(result.senders)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - began
    return result


def main() -> None:
    """Runs the load against --url and prints the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the bot's base URL, e.g. http://127.0.0.1:5005")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args()
    result = run_load(args.url.rstrip("/"), args.users, args.turns)
    print(result.summary())
    for failure in result.failures[:10]:
        print("  " + failure)


if __name__ == "__main__":
    main()
