"""NLU quality for `make bench`, with Rasa's own evaluation functions: held-out test and k-fold CV.

`rasa test nlu --cross-validation` trains the folds one after another and also predicts every
training utterance of every fold, which took about 3 minutes a fold here. This uses the same
pieces (`generate_folds`, `train_nlu`, `get_eval_data`, `evaluate_intents`, `evaluate_entities`,
`run_evaluation`) but predicts only each fold's held-out part, and it leaves out a deep copy that
Rasa's evaluation makes of spaCy Docs (see `_undo_fallback_without_spacy_docs`):

    python -m bench.nlu heldout --model M --out DIR        (what `rasa test nlu --model M` writes)
    python -m bench.nlu folds --folds 5 [--only 0 2] --out DIR   (DIR/fold-K.pkl, fold-K.json)
    python -m bench.nlu merge --out DIR                     (the reports over all folds)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
# The folds are drawn with sklearn's shuffle on numpy's global generator: a fixed seed gives
# every fold the same split, whichever process trains it.
SEED = 42
TEST_DATA = "tests/nlu/test_nlu.yml"


def _undo_fallback_without_spacy_docs(undo: Callable[[Dict[str, Any]], Dict[str, Any]]) -> Callable:
    """Rasa's `undo_fallback_prediction`, minus a deep copy of spaCy Docs that took 3 s a message.

    For every message the FallbackClassifier caught, `get_eval_data` undoes the fallback on a
    deep copy of the whole prediction. That includes the spaCy Doc, and copying a Doc copies its
    vocabulary with all 20,000 word vectors. The evaluation reads only the intent, entities and
    tokens, so the copy leaves the Docs out.
    """
    from rasa.nlu.constants import SPACY_DOCS

    def undo_without_docs(prediction: Dict[str, Any]) -> Dict[str, Any]:
        return undo({key: value for key, value in prediction.items() if key not in SPACY_DOCS.values()})

    return undo_without_docs


def _install_evaluation_fix() -> None:
    """Applies `_undo_fallback_without_spacy_docs` where `get_eval_data` looks it up."""
    from rasa.nlu.classifiers import fallback_classifier

    undo = fallback_classifier.undo_fallback_prediction
    if not getattr(undo, "_bench_fix", False):
        fixed = _undo_fallback_without_spacy_docs(undo)
        fixed._bench_fix = True  # type: ignore[attr-defined]
        fallback_classifier.undo_fallback_prediction = fixed


def held_out(model: str, data: str, out: Path) -> Dict[str, Any]:
    """Rasa's `run_evaluation` of a trained model on a test file; reports and plots in `out`."""
    from rasa.core.agent import Agent
    from rasa.nlu.test import run_evaluation

    _install_evaluation_fix()
    processor = Agent.load(model).processor
    asyncio.run(run_evaluation(data, processor, str(out), successes=False, errors=True, disable_plotting=False,
                               report_as_dict=True))
    return {"model": model, "data": data}


def run_folds(only: List[int], folds: int, config: str, nlu: str, out: Path) -> List[Dict[str, Any]]:
    """Train on all folds but one and predict that one, for each fold in `only`, in this process."""
    import numpy as np
    import rasa.model_training
    from rasa.core.agent import Agent
    from rasa.nlu.test import generate_folds, get_eval_data
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data

    _install_evaluation_fix()
    np.random.seed(SEED)
    splits = list(generate_folds(folds, load_data(nlu)))
    out.mkdir(parents=True, exist_ok=True)
    summaries = []
    for fold in only:
        train, test = splits[fold]
        with tempfile.TemporaryDirectory(prefix=f"cv-fold-{fold}-") as work:
            # From scratch: nothing cached from another fold's training.
            os.environ["RASA_CACHE_DIRECTORY"] = str(Path(work) / "cache")
            data = Path(work) / "train.yml"
            RasaYAMLWriter().dump(data, train)
            started = time.perf_counter()
            model = rasa.model_training.train_nlu(config, str(data), work)
            train_s = time.perf_counter() - started
            if model is None:
                raise SystemExit(f"fold {fold}: training failed")
            intents, _, entities = asyncio.run(get_eval_data(Agent.load(model).processor, test))
        with (out / f"fold-{fold}.pkl").open("wb") as file:
            pickle.dump({"intents": intents, "entities": entities}, file)
        summary = {"fold": fold, "train_s": train_s, "train_utterances": len(train.intent_examples),
                   "test_utterances": len(test.intent_examples)}
        (out / f"fold-{fold}.json").write_text(json.dumps(summary), encoding="utf-8")
        summaries.append(summary)
    return summaries


def merge(out: Path) -> Dict[str, Any]:
    """Rasa's reports over all folds' predictions: intent_report.json, <extractor>_report.json, errors, plots."""
    from rasa.nlu.test import _get_active_entity_extractors, evaluate_entities, evaluate_intents

    intents: List[Any] = []
    entities: List[Any] = []
    folds = sorted(out.glob("fold-*.pkl"))
    if not folds:
        raise SystemExit(f"no fold results in {out}")
    for path in folds:
        with path.open("rb") as file:
            fold = pickle.load(file)
        intents += fold["intents"]
        entities += fold["entities"]
    evaluate_intents(intents, str(out), successes=False, errors=True, disable_plotting=False, report_as_dict=True)
    evaluate_entities(entities, _get_active_entity_extractors(entities), str(out), successes=False, errors=True,
                      disable_plotting=True, report_as_dict=True)
    return {"folds": len(folds), "utterances": len(intents)}


def main() -> int:
    """Command line: `heldout`, `folds` or `merge`; prints a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["heldout", "folds", "merge"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", help="heldout: the model archive")
    parser.add_argument("--data", default=TEST_DATA, help="heldout: the test file")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", type=int, nargs="+", help="folds: which ones (default: all)")
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--nlu", default="data/nlu", help="folds: the training data")
    args = parser.parse_args()
    os.chdir(ROOT)
    summary: Any
    if args.command == "heldout":
        if not args.model:
            parser.error("heldout needs --model")
        summary = held_out(args.model, args.data, args.out)
    elif args.command == "folds":
        only = args.only if args.only is not None else list(range(args.folds))
        if not all(0 <= fold < args.folds for fold in only):
            parser.error(f"--only takes folds between 0 and {args.folds - 1}")
        summary = run_folds(only, args.folds, args.config, args.nlu, args.out)
    else:
        summary = merge(args.out)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
