"""The Markdown table and the latency plot of a `make bench` run."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

# (label, how to read the figure, target check on (ours, baseline), format, target text).
Check = Callable[[float, Optional[float]], bool]
Row = Tuple[str, Callable[[Dict[str, Any]], Optional[float]], Optional[Check], str, str]


def _load(bot: Dict[str, Any], users: int, key: str) -> Optional[float]:
    for level in bot["serving"]["load"]:
        if level["users"] == users:
            return float(level[key])
    return None


def _get(*path: str) -> Callable[[Dict[str, Any]], Optional[float]]:
    def read(bot: Dict[str, Any]) -> Optional[float]:
        value: Any = bot
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return float(value)
    return read


def _rows(users: List[int]) -> List[Row]:
    rows: List[Row] = [
        ("intent accuracy, held-out", _get("held_out", "intent_accuracy"), lambda v, b: v >= 0.95, "{:.3f}", "≥ 0.95"),
        ("intent macro F1, held-out", _get("held_out", "intent_macro_f1"), None, "{:.3f}", ""),
        ("entity F1, held-out", _get("held_out", "entity_f1"), lambda v, b: v >= 0.95, "{:.3f}", "≥ 0.95"),
        ("intent accuracy, 5-fold CV", _get("cross_validation", "intent_accuracy"), None, "{:.3f}", ""),
        ("entity F1, 5-fold CV", _get("cross_validation", "entity_f1"), None, "{:.3f}", ""),
        ("natural set: answers right (tests/natural/test.yml)", _get("serving", "natural", "accuracy"),
         lambda v, b: v >= 0.95, "{:.3f}", "≥ 0.95"),
        ("natural set: honest on unanswerable questions", _get("serving", "natural", "kinds", "unanswerable"),
         None, "{:.3f}", ""),
        ("natural set: statements about oneself", _get("serving", "natural", "kinds", "preference"),
         None, "{:.3f}", ""),
        ("natural set: follow-ups (ellipsis)", _get("serving", "natural", "kinds", "ellipsis"), None, "{:.3f}", ""),
        ("retrieval precision@3 (concept and description questions)", _get("retrieval", "precision"),
         None, "{:.3f}", ""),
        ("diagnosis answers, held-out: sign right (tests/answers/test.yml)",
         _get("diagnosis", "held_out", "sign_accuracy"), lambda v, b: v >= 0.95, "{:.3f}", "≥ 0.95"),
        ("diagnosis answers, held-out: exact value", _get("diagnosis", "held_out", "exact_accuracy"),
         lambda v, b: v >= 0.80, "{:.3f}", "≥ 0.80"),
        ("diagnosis answers, held-out: asked again though readable", _get("diagnosis", "held_out", "false_unclear"),
         None, "{:.0f}", ""),
        ("diagnosis answers, dev: sign right", _get("diagnosis", "dev", "sign_accuracy"), None, "{:.3f}", ""),
        ("article personas: office right from Likert answers", _get("diagnosis", "profiles", "office_accuracy_likert"),
         lambda v, b: v >= 0.90, "{:.3f}", "≥ 0.90"),
        ("article personas over REST, own words: office right", _get("serving", "personas", "office_accuracy"),
         lambda v, b: v >= 0.90, "{:.3f}", "≥ 0.90"),
        ("article personas over REST: at most one question asked again",
         _get("serving", "personas", "asked_again_at_most_once"), lambda v, b: v == 1.0, "{:.3f}", "1.000"),
        ("article personas over REST: results quoting their words",
         _get("serving", "personas", "results_quoting_words"), None, "{:.3f}", ""),
    ]
    for n in users:
        who = f"{n} user" if n == 1 else f"{n} users"
        # Issue 14: users who pause 1-3 s get an answer within 100 ms (p95) at 10 and at 50 users.
        paused = n in (10, 50)
        rows += [
            (f"{who}: p50 ms", partial(_load, users=n, key="p50_ms"), None, "{:.0f}", ""),
            (f"{who}: p95 ms", partial(_load, users=n, key="p95_ms"),
             (lambda v, b: v <= 100) if paused else None, "{:.0f}", "≤ 100" if paused else ""),
            (f"{who}: p99 ms", partial(_load, users=n, key="p99_ms"), None, "{:.0f}", ""),
            (f"{who}: messages/s", partial(_load, users=n, key="messages_per_s"), None, "{:.1f}", ""),
            (f"{who}: errors", partial(_load, users=n, key="errors"), lambda v, b: v == 0, "{:.0f}", "0"),
        ]
    rows += [
        ("10 users without pauses: p50 ms", _get("serving", "burst", "p50_ms"), None, "{:.0f}", ""),
        ("10 users without pauses: p95 ms", _get("serving", "burst", "p95_ms"), lambda v, b: v <= 150, "{:.0f}",
         "≤ 150"),
        ("10 users without pauses: messages/s", _get("serving", "burst", "messages_per_s"), None, "{:.1f}", ""),
        ("saturation: messages/s", _get("serving", "saturation", "messages_per_s"),
         lambda v, b: v >= 100, "{:.1f}", "≥ 100"),
        ("saturation: p95 ms", _get("serving", "saturation", "p95_ms"), None, "{:.0f}", ""),
        ("saturation: errors", _get("serving", "saturation", "errors"), lambda v, b: v == 0, "{:.0f}", "0"),
        ("long conversation: messages 1-20, median ms", _get("serving", "growth", "first20_median_ms"), None,
         "{:.0f}", ""),
        ("long conversation: messages 181-200, median ms", _get("serving", "growth", "last20_median_ms"), None,
         "{:.0f}", ""),
        ("long conversation: last / first", _get("serving", "growth", "ratio"), lambda v, b: v <= 1.2, "{:.2f}",
         "≤ 1.2"),
        ("training from scratch, s (side by side with another training)", _get("train_s"),
         lambda v, b: v <= 120, "{:.0f}", "≤ 120"),
        ("start to ready, s", _get("serving", "ready_s"), lambda v, b: v <= 10, "{:.1f}", "≤ 10"),
        ("Rasa server peak memory (all its processes, PSS), MB", _get("serving", "peak_memory_mb", "rasa"),
         lambda v, b: v <= 1024, "{:.0f}", "≤ 1024"),
        ("action server peak memory (PSS), MB", _get("serving", "peak_memory_mb", "actions"), None, "{:.0f}", ""),
        # Issue 16: bench/review.py's synthetic store (its size is in bench.json, bots.ours.review).
        ("make review, 10,000 conversations: s", _get("review", "seconds"), lambda v, b: v <= 60, "{:.1f}", "≤ 60"),
        ("make review, 10,000 conversations: peak memory (max RSS), MB", _get("review", "peak_memory_mb"), None,
         "{:.0f}", ""),
    ]
    return rows


def markdown(results: Dict[str, Any]) -> str:
    """One table: ours, the stock baseline, their ratio, the target and whether ours meets it."""
    bots = results["bots"]
    ours, base = bots.get("ours"), bots.get("baseline")
    m = results["machine"]
    s = results["settings"]
    lines = [
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, Python {m['python']}; "
        f"load average at start {m['load_average_at_start'][0]:.2f}. Load runs: {s['duration']} s per level, "
        f"users pause {s['think_min']:g}–{s['think_max']:g} s between messages; saturation: "
        f"{s['saturation_users']} users without pauses. Memory: the sum of the proportional set sizes of a "
        f"server's processes (Sanic's workers share what their parent loaded), sampled every 0.5 s.",
        "",
        "| measure | ours | stock baseline | ours / baseline | target | met |",
        "|---|---:|---:|---:|---|:-:|",
    ]
    for label, read, check, fmt, target in _rows(s["users"]):
        a = read(ours) if ours else None
        b = read(base) if base else None
        ratio = f"{a / b:.2f}" if a is not None and b else ""
        met = ("yes" if check(a, b) else "no") if check and a is not None else ""
        cells = [fmt.format(a) if a is not None else "–", fmt.format(b) if b is not None else "–"]
        lines.append(f"| {label} | {cells[0]} | {cells[1]} | {ratio} | {target} | {met} |")
    if base and base.get("train_cached"):
        lines += ["", f"The stock baseline's model and training time come from the bench cache: its inputs are "
                      f"unchanged since it was trained, {base['train_cached']} (`--fresh-baseline` trains it again)."]
    lines += _by_kind(bots, s["users"])
    phase1 = ""
    if "phase1_s" in results:
        phase1 = f" (trainings, tests and cross-validation: {results['phase1_s'] / 60:.1f} min)"
    total_min = results["total_s"] / 60
    lines += ["", f"Total bench time: {total_min:.1f} min{phase1}; target ≤ 15 min: "
                  f"{'met' if total_min <= 15 else 'not met'}.", ""]
    return "\n".join(lines)


def _by_kind(bots: Dict[str, Any], users: List[int]) -> List[str]:
    """Where the time goes: p50 / p95 per kind of turn, for each bot at each load level."""
    columns: List[Tuple[str, Dict[str, Any]]] = []
    for name, bot in bots.items():
        extra = [dict(bot["serving"][key], users=label) for key, label in
                 (("burst", "no pauses"), ("saturation", "saturation")) if key in bot["serving"]]
        for run in bot["serving"]["load"] + extra:
            if run["users"] in users or run["users"] in ("no pauses", "saturation"):
                columns.append((f"{name}, {run['users']}", run.get("by_kind", {})))
    kinds = list(dict.fromkeys(kind for _, by_kind in columns for kind in by_kind))
    if not kinds:
        return []
    lines = ["", "p50 / p95 (ms) by kind of turn, for each bot and number of users:", "",
             "| turn | " + " | ".join(label for label, _ in columns) + " |", "|---|" + "---:|" * len(columns)]
    for kind in kinds:
        cells = [f"{by_kind[kind]['p50_ms']:.0f} / {by_kind[kind]['p95_ms']:.0f}" if kind in by_kind else "–"
                 for _, by_kind in columns]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return lines


def plot(results: Dict[str, Any], path: Path) -> None:
    """Latency per message of the long conversation, and load percentiles, for every bot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, bot in results["bots"].items():
        latencies = bot["serving"]["growth"]["latencies_ms"]
        left.plot(range(1, len(latencies) + 1), latencies, label=name, linewidth=0.8)
        levels = bot["serving"]["load"] + [dict(bot["serving"]["saturation"], users="sat.")]
        right.plot([str(level["users"]) for level in levels], [level["p95_ms"] for level in levels],
                   marker="o", label=f"{name} p95")
        right.plot([str(level["users"]) for level in levels], [level["p50_ms"] for level in levels],
                   marker=".", linestyle="--", label=f"{name} p50")
    left.set(title="One long conversation", xlabel="message", ylabel="latency (ms)")
    right.set(title="Load (users; sat. = no pauses)", xlabel="users", ylabel="latency (ms)", yscale="log")
    left.legend()
    right.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
