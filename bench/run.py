"""`make bench`: how well and how fast the bot works, next to a stock Rasa set-up, in one run.

For each bot (ours: config.yml; baseline: bench/baseline/config.yml, what `rasa init` gives with
SpacyNLP on ja_ginza) it trains from scratch (the baseline only when its inputs changed since
it was last trained on this machine: see BASELINE_CACHE), scores the held-out NLU set, serves the bot the way
`make run` does (SQLite tracker store), measures start-up, long-conversation growth, load at 1, 10
and 50 users plus saturation with Locust, and peak memory. Ours also gets 5-fold cross-validation.
Results: bench/results/bench.json, bench.md, latency.png and the confusion matrices.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, cast

import requests

from bench import report, review
from bench.quality.natural import evaluate as evaluate_natural
from bench.quality.nlu_report import RESPONSIBLE as OURS_RESPONSIBLE
from bench.quality.nlu_report import entity_scores
from bot.scripts.servers import RasaServers

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "bench" / "results"
RASA = ROOT / ".venv" / "bin" / "rasa"
PYTHON = ROOT / ".venv" / "bin" / "python"
LOCUST = ROOT / ".venv-bench" / "bin" / "locust"
CREDENTIALS = "rest:\n"
# The stock baseline's trained model, per hash of its inputs, shared by every clone on the machine.
BASELINE_CACHE = Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "office-career-guide-bench"))
# DIET as we configure it trains as fast on one thread as on two; the stock DIET does not.
ONE_THREAD = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}

BOTS: Dict[str, Dict[str, str]] = {
    "ours": {"config": "config.yml", "endpoints": "bot/endpoints.yml"},
    "baseline": {"config": "bench/baseline/config.yml", "endpoints": "bench/baseline/endpoints.yml"},
}
# Extractor scored for each entity label: ours finds jobs and offices in the knowledge data;
# the stock set-up has only DIET.
RESPONSIBLE = {
    "ours": dict(OURS_RESPONSIBLE),
    "baseline": {"job": "DIETClassifier", "office": "DIETClassifier", "other_job": "DIETClassifier"},
}
# One long conversation: questions, follow-ups and whole diagnoses, repeated.
GROWTH_SCRIPT = [
    "経理って何？", "デメリットは？", "向いている人は？", "今はいい", "営業について教えて",
    "営業事務と比べると何が違う？", "どんな仕事が合うか診断してほしいです",
    *[f'/diagnosis_answer{{"answer": "{a}"}}' for a in
      ("agree", "strongly_agree", "neutral", "disagree", "agree", "strongly_disagree", "agree", "neutral")],
    "なぜ？", "他には？", "ありがとう",
]


def log(message: str) -> None:
    """Progress on stderr, with the time of day."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(command: List[str], log_file: Path, env: Optional[Dict[str, str]] = None) -> float:
    """Run a command to completion, output to a log file; returns the seconds it took."""
    started = time.perf_counter()
    with log_file.open("wb") as out:
        result = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}; see {log_file}")
    return time.perf_counter() - started


def train(name: str, out: Path, work: Path, env: Dict[str, str]) -> float:
    """Train from scratch (empty Rasa cache) and return the wall time."""
    env = dict(env, RASA_CACHE_DIRECTORY=str(work / f"cache-{name}"))
    return run([str(RASA), "train", "--config", BOTS[name]["config"], "--domain", "bot/domain", "--data", "data",
                "--out", str(out), "--fixed-model-name", name], out / f"train-{name}.log", env)


def baseline_key() -> str:
    """Hash of everything the stock baseline's model depends on: its config, the domain, the data, the versions."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    files = [ROOT / BOTS["baseline"]["config"], *sorted((ROOT / "bot" / "domain").rglob("*.yml")),
             *sorted((ROOT / "data").rglob("*.yml"))]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    for package in ("rasa", "tensorflow", "spacy", "ja-ginza", "sudachidict-core"):
        digest.update(f"{package}=={version(package)}\0".encode())
    return digest.hexdigest()[:16]


def cached_baseline(fresh: bool) -> Optional[Dict[str, Any]]:
    """Copy the stock baseline's model from the machine's bench cache, if its inputs have not changed."""
    entry = BASELINE_CACHE / f"baseline-{baseline_key()}"
    model, meta = entry.with_suffix(".tar.gz"), entry.with_suffix(".json")
    if fresh or not meta.exists() or not model.exists():
        return None
    shutil.copy(model, RESULTS / "baseline.tar.gz")
    return cast(Dict[str, Any], json.loads(meta.read_text(encoding="utf-8")))


def cache_baseline(train_s: float) -> None:
    """Keep the freshly trained baseline for the next runs on this machine (any clone)."""
    BASELINE_CACHE.mkdir(parents=True, exist_ok=True)
    entry = BASELINE_CACHE / f"baseline-{baseline_key()}"
    shutil.copy(RESULTS / "baseline.tar.gz", entry.with_suffix(".tar.gz"))
    entry.with_suffix(".json").write_text(
        json.dumps({"train_s": train_s, "trained": time.strftime("%Y-%m-%d %H:%M")}), encoding="utf-8")


def train_and_score(name: str, work: Path, env: Dict[str, str], args: argparse.Namespace) -> Dict[str, Any]:
    """Train a bot (or reuse a model: --skip-training, the baseline cache), then score it on the held-out set."""
    result: Dict[str, Any] = {}
    model = RESULTS / f"{name}.tar.gz"
    cached = cached_baseline(args.fresh_baseline) if name == "baseline" else None
    if cached:
        log(f"baseline: inputs unchanged since {cached['trained']}; model and training time from {BASELINE_CACHE}")
        result.update(train_s=cached["train_s"], train_cached=cached["trained"])
    elif not (args.skip_training and model.exists()):
        log(f"{name}: training from scratch")
        result["train_s"] = train(name, RESULTS, work, env)
        log(f"{name}: trained in {result['train_s']:.0f} s")
        if name == "baseline":
            cache_baseline(result["train_s"])
    log(f"{name}: held-out NLU test")
    result["held_out"] = held_out(name, model, RESULTS, env)
    return result


def nlu_scores(results: Path, responsible: Dict[str, str]) -> Dict[str, Any]:
    """Intent accuracy, macro F1 and entity micro F1 from a `rasa test nlu` output folder."""
    intents = json.loads((results / "intent_report.json").read_text(encoding="utf-8"))
    entities = entity_scores(results, responsible)
    return {
        "intent_accuracy": intents["accuracy"],
        "intent_macro_f1": intents["macro avg"]["f1-score"],
        "entity_f1": entities["micro avg"]["f1-score"],
        "entity_f1_by_label": {k: v["f1-score"] for k, v in entities.items() if k != "micro avg"},
        "utterances": int(intents["weighted avg"]["support"]),
    }


def held_out(name: str, model: Path, out: Path, env: Dict[str, str]) -> Dict[str, Any]:
    """Scores on tests/nlu/test_nlu.yml (bench/nlu.py, Rasa's `run_evaluation`); keeps the confusion matrix."""
    folder = out / f"nlu-{name}"
    run([str(PYTHON), "-m", "bench.nlu", "heldout", "--model", str(model), "--out", str(folder)],
        out / f"nlu-{name}.log", env)
    matrix = folder / "intent_confusion_matrix.png"
    if matrix.exists():
        shutil.copy(matrix, out / f"confusion-{name}.png")
    return nlu_scores(folder, RESPONSIBLE[name])


def cv_folds(folds: int, only: List[int], out: Path, env: Dict[str, str]) -> None:
    """Some folds of ours' cross-validation (bench/nlu.py) in one process."""
    label = "-".join(map(str, only))
    run([str(PYTHON), "-m", "bench.nlu", "folds", "--folds", str(folds), "--only", *map(str, only),
                "--config", BOTS["ours"]["config"], "--out", str(out / "cv-ours")], out / f"cv-ours-{label}.log", env)


def cross_validation(folds: int, out: Path) -> Dict[str, Any]:
    """Rasa's reports over the folds' predictions, and the scores read from them."""
    folder = out / "cv-ours"
    run([str(PYTHON), "-m", "bench.nlu", "merge", "--out", str(folder)], out / "cv-merge.log")
    matrix = folder / "intent_confusion_matrix.png"
    if matrix.exists():
        shutil.copy(matrix, out / "confusion-ours-cv.png")
    summaries = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("fold-*.json"))]
    return {"folds": folds, "fold_train_s": [fold["train_s"] for fold in summaries],
            **nlu_scores(folder, RESPONSIBLE["ours"])}


def process_tree(pid: int) -> List[int]:
    """The process and all its descendants (Sanic's workers are children of the server)."""
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split():
                pids += process_tree(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return pids


def memory_mb(pid: int) -> float:
    """The memory of a process tree: the sum of its proportional set sizes (PSS).

    PSS counts a page shared by n processes as 1/n in each, so the sum is what the tree takes
    from the machine: the workers share what their parent loaded before forking them.
    """
    total_kb = 0
    for member in process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
                    break
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total_kb / 1024


class PeakMemory:
    """Samples the memory of process trees every half second, from start to stop, and keeps the peaks."""

    def __init__(self, pids: Dict[str, int]) -> None:
        self.pids, self.peaks = pids, {name: 0.0 for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            for name, pid in self.pids.items():
                self.peaks[name] = max(self.peaks[name], memory_mb(pid))
            if self._stop.wait(0.5):
                return

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()


def growth(url: str, messages: int) -> Dict[str, Any]:
    """Latency of each message of one long conversation."""
    sender, latencies = f"growth-{uuid.uuid4().hex}", []
    with requests.Session() as session:
        for i in range(messages):
            started = time.perf_counter()
            reply = session.post(f"{url}/webhooks/rest/webhook", timeout=60,
                                 json={"sender": sender, "message": GROWTH_SCRIPT[i % len(GROWTH_SCRIPT)]})
            latencies.append((time.perf_counter() - started) * 1000)
            reply.raise_for_status()
    first, last = statistics.median(latencies[:20]), statistics.median(latencies[-20:])
    return {"messages": messages, "first20_median_ms": first, "last20_median_ms": last,
            "ratio": last / first, "latencies_ms": latencies}


def locust(url: str, users: int, seconds: int, think: tuple, out: Path, label: str) -> Dict[str, Any]:
    """One headless Locust run: its CSV statistics, over all messages and for each kind of turn."""
    prefix = out / f"locust-{label}"
    env = dict(os.environ, BENCH_THINK_MIN=str(think[0]), BENCH_THINK_MAX=str(think[1]))
    run([str(LOCUST), "-f", "bench/locustfile.py", "--headless", "--only-summary", "-u", str(users),
         "-r", str(users), "-t", f"{seconds}s", "--stop-timeout", "2", "--host", url, "--csv", str(prefix)],
        out / f"locust-{label}.log", env)
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as stats:
        rows = {r["Name"]: r for r in csv.DictReader(stats)}

    def figures(row: Dict[str, str]) -> Dict[str, Any]:
        return {"messages": int(row["Request Count"]), "errors": int(row["Failure Count"]),
                "messages_per_s": float(row["Requests/s"]),
                "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"])}

    return {"users": users, "think_s": list(think), "seconds": seconds, **figures(rows.pop("Aggregated")),
            "by_kind": {name: figures(row) for name, row in rows.items()}}


NATURAL_CASES = ROOT / "tests" / "natural" / "test.yml"


def natural(url: str) -> Dict[str, Any]:
    """The natural evaluation set over REST: answer accuracy overall and per kind of message."""
    report_ = evaluate_natural(url, NATURAL_CASES)
    kinds = {kind: r.passed / r.total for kind, r in report_.kinds.items() if r.total}
    return {"accuracy": report_.rate, "cases": report_.total, "kinds": kinds}


def retrieval_precision(k: int = 3) -> Dict[str, Any]:
    """Precision@k of the fact retrieval on the set's concept and description questions.

    A retrieved fact is relevant when it holds one of the words the case expects in the answer
    (its ``all`` and ``any`` entries); single-turn cases only, since retrieval sees one message.
    """
    import yaml

    from actions.natural import about_name
    from actions.retrieval import default_index
    from bot.knowledge.base import default_knowledge

    index = default_index()
    kb = default_knowledge()
    cases = yaml.safe_load(NATURAL_CASES.read_text(encoding="utf-8"))["cases"]
    precisions = []
    for case in cases:
        if case["kind"] not in ("concept", "description") or len(case["turns"]) != 1:
            continue
        entries = case["expect"].get("all", []) + case["expect"].get("any", [])
        expected = [word for entry in entries for word in entry.split("|")]
        hits = index.search(index.query(case["turns"][0]), k=k)
        relevant = [any(word in f"{about_name(kb, h.passage.about)} {h.passage.title} {h.passage.text}"
                        for word in expected) for h in hits]
        precisions.append(sum(relevant) / len(hits) if hits else 0.0)
    return {"precision": statistics.mean(precisions) if precisions else 0.0, "questions": len(precisions)}


def diagnosis_understanding() -> Dict[str, Any]:
    """How the diagnosis reads own-words answers (held-out and dev sets) and scores the article personas."""
    from bench.quality.answers import DEV, TEST, evaluate, load_cases
    from bench.quality.profiles import evaluate as evaluate_profiles
    from bench.quality.profiles import load_profiles

    held_out, dev = evaluate(load_cases(TEST)).figures(), evaluate(load_cases(DEV)).figures()
    held_out.pop("by_question")
    dev.pop("by_question")
    return {"held_out": held_out, "dev": dev, "profiles": evaluate_profiles(load_profiles()).figures()}


def personas(url: str) -> Dict[str, Any]:
    """The article personas take the whole diagnosis over REST, answering in their own words."""
    from bench.quality.converse import converse_all, summary
    from bench.quality.profiles import load_profiles

    return summary(converse_all(url, load_profiles()))


def serve(name: str, model: Path, out: Path, args: argparse.Namespace) -> Dict[str, Any]:
    """Start the bot, then start-up time, growth, load levels, saturation and peak memory."""
    directory = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    servers = RasaServers(directory, CREDENTIALS, model=model, endpoints=BOTS[name]["endpoints"])
    started = time.perf_counter()
    servers.start()
    result: Dict[str, Any] = {"ready_s": time.perf_counter() - started}
    memory = PeakMemory({name: servers.processes[name].pid for name in ("rasa", "actions")})
    try:
        with memory:
            log(f"{name}: ready after {result['ready_s']:.1f} s; the natural evaluation set")
            result["natural"] = natural(servers.url)
            if name == "ours":
                log(f"{name}: the personas' diagnoses")
                result["personas"] = personas(servers.url)
            log(f"{name}: one conversation of {args.growth} messages")
            result["growth"] = growth(servers.url, args.growth)
            result["load"] = []
            for users in args.users:
                log(f"{name}: {users} user{'' if users == 1 else 's'} for {args.duration} s")
                result["load"].append(locust(servers.url, users, args.duration, (args.think_min, args.think_max),
                                             out, f"{name}-{users}"))
            log(f"{name}: {args.burst_users} users without pauses")
            result["burst"] = locust(servers.url, args.burst_users, args.duration, (0, 0), out, f"{name}-burst")
            log(f"{name}: saturation, {args.saturation_users} users without pauses")
            result["saturation"] = locust(servers.url, args.saturation_users, args.duration, (0, 0), out,
                                          f"{name}-saturation")
        result["peak_memory_mb"] = dict(memory.peaks)
    finally:
        servers.stop()
        shutil.copy(servers.log, out / f"servers-{name}.log")
        shutil.rmtree(directory, ignore_errors=True)
    return result


def machine() -> Dict[str, Any]:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "date": time.strftime("%Y-%m-%d %H:%M"),
            "load_average_at_start": os.getloadavg()}


def main() -> int:
    """Run every measurement and write the results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bots", nargs="+", default=list(BOTS), choices=list(BOTS))
    parser.add_argument("--users", nargs="+", type=int, default=[1, 10, 50])
    parser.add_argument("--saturation-users", type=int, default=50)
    parser.add_argument("--burst-users", type=int, default=10, help="users without pauses, for their latency")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "15")),
                        help="seconds per load level")
    parser.add_argument("--think-min", type=float, default=1.0, help="shortest pause between messages (s)")
    parser.add_argument("--think-max", type=float, default=3.0, help="longest pause between messages (s)")
    parser.add_argument("--growth", type=int, default=200, help="messages in the long conversation")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip-cv", action="store_true", help="leave out cross-validation")
    parser.add_argument("--lanes", type=int, default=os.cpu_count() or 1,
                        help="trainings, tests and CV halves run this many at a time (default: one per core)")
    parser.add_argument("--fresh-baseline", action="store_true",
                        help=f"train the stock baseline even if {BASELINE_CACHE} has it for the same inputs")
    parser.add_argument("--skip-training", action="store_true",
                        help="reuse the models of the last run (bench/results/*.tar.gz); no training time")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    results: Dict[str, Any] = {"machine": machine(), "settings": {k: v for k, v in vars(args).items()}, "bots": {}}
    began = time.perf_counter()
    try:
        # Phase 1, quality and training time, as separate processes, `--lanes` at a time: the
        # stock baseline's training (or its model from the cache), ours' training, and the CV's
        # folds in two halves, each followed by nothing but the next job. The baseline gets
        # TensorFlow's default threads: its DIET trains 1.5 times slower on one. Ours gets one
        # thread per job: our DIET trains as fast on one as on two, so two jobs share the cores.
        one_thread = dict(os.environ, **ONE_THREAD)
        jobs: Dict[str, Future] = {}
        with ThreadPoolExecutor(max_workers=args.lanes) as pool:
            if "baseline" in args.bots:
                jobs["baseline"] = pool.submit(train_and_score, "baseline", work, dict(os.environ), args)
            if "ours" in args.bots:
                jobs["ours"] = pool.submit(train_and_score, "ours", work, one_thread, args)
                if not args.skip_cv:
                    log(f"ours: {args.folds}-fold cross-validation")
                    shutil.rmtree(RESULTS / "cv-ours", ignore_errors=True)
                    folds = list(range(args.folds))
                    for half in (folds[0::2], folds[1::2]):
                        jobs[f"cv-{half}"] = pool.submit(cv_folds, args.folds, half, RESULTS, one_thread)
        for name in args.bots:
            results["bots"][name] = jobs[name].result()
        if "ours" in args.bots:
            results["bots"]["ours"]["retrieval"] = retrieval_precision()
            results["bots"]["ours"]["diagnosis"] = diagnosis_understanding()
        cv_jobs = [jobs[key] for key in jobs if key.startswith("cv-")]
        for job in cv_jobs:
            job.result()
        if cv_jobs:
            results["bots"]["ours"]["cross_validation"] = cross_validation(args.folds, RESULTS)
            log(f"ours: {args.folds}-fold cross-validation done")
        results["phase1_s"] = time.perf_counter() - began
        if "ours" in args.bots:
            # `make review` over 10,000 synthetic conversations, with the cores otherwise idle.
            log("ours: make review over 10,000 synthetic conversations")
            results["bots"]["ours"]["review"] = review.measure(RESULTS / "review")
        # Phase 2: serving, one bot at a time, nothing else running.
        for name in args.bots:
            model = RESULTS / f"{name}.tar.gz"
            results["bots"][name]["serving"] = serve(name, model, RESULTS, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["total_s"] = time.perf_counter() - began
    (RESULTS / "bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    table = report.markdown(results)
    (RESULTS / "bench.md").write_text(table, encoding="utf-8")
    report.plot(results, RESULTS / "latency.png")
    print(table)
    log(f"done in {results['total_s'] / 60:.1f} min; bench/results/bench.md, bench.json, latency.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
