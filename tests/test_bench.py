"""`make bench`'s own logic: cross-validation glue and the report table (no timing is asserted)."""

from __future__ import annotations

import copy
import json
import os
import pickle
import time
from pathlib import Path
from typing import Any, Dict, Optional

import pytest
from rasa.nlu.classifiers.fallback_classifier import undo_fallback_prediction
from rasa.nlu.test import EntityEvaluationResult, IntentEvaluationResult

from bench import nlu, report


class NoCopy:
    """Stands in for a spaCy Doc: deep-copying it is the cost the CV avoids."""

    def __deepcopy__(self, memo: Dict[int, Any]) -> NoCopy:
        raise AssertionError("the spaCy Doc was deep-copied")


def test_undoing_a_fallback_skips_the_spacy_docs_and_keeps_the_intent() -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_duties", "confidence": 0.4},
               {"name": "ask_merits", "confidence": 0.1}]
    prediction = {"text": "経理の仕事", "intent": ranking[0], "intent_ranking": ranking, "entities": [],
                  "text_spacy_doc": NoCopy()}
    with pytest.raises(AssertionError):
        undo_fallback_prediction(prediction)
    undone = nlu._undo_fallback_without_spacy_docs(undo_fallback_prediction)(prediction)
    assert undone["intent"] == {"name": "ask_duties", "confidence": 0.4}
    assert [i["name"] for i in undone["intent_ranking"]] == ["ask_duties", "ask_merits"]
    assert prediction["intent"]["name"] == "nlu_fallback"  # the caller's prediction is untouched


def _fold(out: Path, number: int, intents: list) -> None:
    entities = [EntityEvaluationResult([], [], [], text) for _, _, text in intents]
    results = [IntentEvaluationResult(target, predicted, text, 0.9) for target, predicted, text in intents]
    with (out / f"fold-{number}.pkl").open("wb") as file:
        pickle.dump({"intents": results, "entities": entities}, file)


def test_merge_scores_the_predictions_of_every_fold(tmp_path: Path) -> None:
    _fold(tmp_path, 0, [("greet", "greet", "こんにちは"), ("goodbye", "greet", "さようなら")])
    _fold(tmp_path, 1, [("greet", "greet", "やあ"), ("goodbye", "goodbye", "またね")])
    assert nlu.merge(tmp_path) == {"folds": 2, "utterances": 4}
    intents = json.loads((tmp_path / "intent_report.json").read_text(encoding="utf-8"))
    assert intents["accuracy"] == pytest.approx(0.75)
    errors = json.loads((tmp_path / "intent_errors.json").read_text(encoding="utf-8"))
    assert [e["text"] for e in errors] == ["さようなら"]


def test_merge_without_folds_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=str(tmp_path)):
        nlu.merge(tmp_path)


def _level(users: Any, p95: float, per_s: float, kinds: Optional[Dict[str, float]] = None) -> Dict[str, Any]:
    figures = {"messages": 100, "errors": 0, "messages_per_s": per_s, "p50_ms": p95 / 2, "p95_ms": p95,
               "p99_ms": p95 * 1.2}
    by_kind = {kind: dict(figures, p50_ms=value, p95_ms=value * 2) for kind, value in (kinds or {}).items()}
    return {"users": users, **figures, "by_kind": by_kind}


def _bot(p95_at_10: float, saturation: float, kinds: Dict[str, float]) -> Dict[str, Any]:
    return {"train_s": 100.0,
            "held_out": {"intent_accuracy": 0.96, "intent_macro_f1": 0.95, "entity_f1": 0.97},
            "serving": {"ready_s": 10.0, "load": [_level(10, p95_at_10, 5.0, kinds)],
                        "burst": _level("burst", 140.0, 60.0, kinds),
                        "saturation": _level("saturation", 900.0, saturation, kinds),
                        "growth": {"first20_median_ms": 20.0, "last20_median_ms": 21.0, "ratio": 1.05,
                                   "latencies_ms": [20.0, 21.0]},
                        "peak_memory_mb": {"rasa": 1100.0, "actions": 120.0}}}


@pytest.fixture
def results() -> Dict[str, Any]:
    return {
        "machine": {"date": "2026-11-21 08:00", "cores": 2, "cpu": "test CPU", "memory_gb": 23.0,
                    "python": "3.10.13", "load_average_at_start": [1.0, 1.0, 1.0]},
        "settings": {"duration": 15, "think_min": 1.0, "think_max": 3.0, "saturation_users": 50, "users": [10]},
        "bots": {"ours": _bot(80.0, 120.0, {"question": 20.0, "diagnosis: answer": 30.0}),
                 "baseline": _bot(400.0, 50.0, {"question": 90.0})},
        "total_s": 600.0,
    }


def _row(table: str, label: str) -> list:
    line = next(line for line in table.splitlines() if line.startswith(f"| {label} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_report_gives_ratios_and_checks_targets(results: Dict[str, Any]) -> None:
    table = report.markdown(results)
    assert _row(table, "10 users: p95 ms") == ["10 users: p95 ms", "80", "400", "0.20", "≤ 100", "yes"]
    assert _row(table, "10 users without pauses: p95 ms")[1:] == ["140", "140", "1.00", "≤ 150", "yes"]
    assert _row(table, "saturation: messages/s")[1:] == ["120.0", "50.0", "2.40", "≥ 100", "yes"]
    assert _row(table, "Rasa server peak memory (all its processes, PSS), MB")[-1] == "no"  # 1100 > 1024
    assert "Total bench time: 10.0 min" in table and "target ≤ 15 min: met" in table
    slower = copy.deepcopy(results)
    slower["bots"]["ours"]["serving"]["saturation"]["messages_per_s"] = 99.0
    slower["total_s"] = 16 * 60
    assert _row(report.markdown(slower), "saturation: messages/s")[-1] == "no"
    assert "target ≤ 15 min: not met" in report.markdown(slower)


def test_report_lines_up_the_kinds_of_turn_of_both_bots(results: Dict[str, Any]) -> None:
    table = report.markdown(results)
    assert _row(table, "turn") == ["turn", "ours, 10", "ours, no pauses", "ours, saturation", "baseline, 10",
                                   "baseline, no pauses", "baseline, saturation"]
    assert _row(table, "question") == ["question", "20 / 40", "20 / 40", "20 / 40", "90 / 180", "90 / 180", "90 / 180"]
    assert _row(table, "diagnosis: answer") == ["diagnosis: answer", "30 / 60", "30 / 60", "30 / 60", "–", "–", "–"]


def test_baseline_cache_returns_the_model_trained_for_the_same_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench import run

    monkeypatch.setattr(run, "BASELINE_CACHE", tmp_path / "cache")
    monkeypatch.setattr(run, "RESULTS", tmp_path / "results")
    (tmp_path / "results").mkdir()
    assert run.cached_baseline(fresh=False) is None
    (tmp_path / "results" / "baseline.tar.gz").write_bytes(b"model")
    run.cache_baseline(461.5)
    (tmp_path / "results" / "baseline.tar.gz").unlink()
    assert run.cached_baseline(fresh=True) is None
    assert run.cached_baseline(fresh=False)["train_s"] == 461.5
    assert (tmp_path / "results" / "baseline.tar.gz").read_bytes() == b"model"
    monkeypatch.setattr(run, "baseline_key", lambda: "other-inputs")
    assert run.cached_baseline(fresh=False) is None


def test_memory_of_a_process_tree_counts_its_children(tmp_path: Path) -> None:
    import subprocess
    import sys

    from bench import run

    child = subprocess.Popen([sys.executable, "-c", "import time; x = bytearray(64 * 2**20); x[::4096] = b'1' * len(x[::4096]); time.sleep(30)"])
    try:
        time.sleep(1.5)
        assert child.pid in run.process_tree(os.getpid())
        assert run.memory_mb(child.pid) >= 60
        # This process (pytest with Rasa imported) and the child's 64 MB.
        assert run.memory_mb(os.getpid()) >= run.memory_mb(child.pid) + 50
    finally:
        child.kill()
        child.wait()
