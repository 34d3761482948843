"""Schema of the held-out natural-language evaluation cases (tests/natural/*.yml); no server needed.

Checks that both case files are well formed, that ids are unique, that dev and test share no
message, that each kind has enough cases, and that no case message is (even up to punctuation
and spacing) a training example in data/nlu/*.yml: the cases must stay unseen by the model.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from bench.quality.natural import EXPECT_KEYS, KINDS, Case, check_reply, is_honest, load_cases

ROOT = Path(__file__).resolve().parent.parent
NATURAL = ROOT / "tests" / "natural"
DEV = NATURAL / "dev.yml"
TEST = NATURAL / "test.yml"

MIN_TEST = {
    "preference": 50,
    "concept": 45,
    "description": 25,
    "context": 25,
    "ellipsis": 30,
    "unanswerable": 45,
    "out_of_scope": 15,
    "named": 30,
}
# dev.yml: the same kinds, roughly a third as many.
MIN_DEV = {
    "preference": 15,
    "concept": 14,
    "description": 8,
    "context": 8,
    "ellipsis": 10,
    "unanswerable": 14,
    "out_of_scope": 5,
    "named": 10,
}
REFUSALS = ("診断を行っていません", "うまく理解できませんでした")


def _key(text: str) -> str:
    """A message as compared across files: NFKC, entity markup removed, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", text)
    return re.sub(r"[\s?？!！。、,.…〜~ー]+", "", text)


def _training_examples() -> set[str]:
    examples: set[str] = set()
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            raw = block.get("examples")
            if not isinstance(raw, str):
                continue
            for line in raw.splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.add(_key(line[2:]))
    return examples


@pytest.fixture(scope="module")
def dev_cases() -> list[Case]:
    return load_cases(DEV)


@pytest.fixture(scope="module")
def test_cases() -> list[Case]:
    return load_cases(TEST)


@pytest.mark.parametrize("path", [DEV, TEST], ids=["dev", "test"])
def test_file_has_only_cases(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) == {"cases"}
    for raw in data["cases"]:
        assert set(raw) == {"id", "kind", "turns", "expect"}, raw


@pytest.mark.parametrize("which", ["dev", "test"])
def test_cases_are_well_formed(which: str, dev_cases: list[Case], test_cases: list[Case]) -> None:
    cases = dev_cases if which == "dev" else test_cases
    for case in cases:
        assert re.fullmatch(r"[a-z]+-\d{3}", case.id), case.id
        assert case.kind in KINDS, case.id
        assert case.turns and all(isinstance(t, str) and t.strip() for t in case.turns), case.id
        assert set(case.expect) <= EXPECT_KEYS, case.id
        assert case.expect, f"{case.id}: nothing is checked"
        for key in ("all", "any", "none"):
            entries = case.expect.get(key, [])
            assert isinstance(entries, list), case.id
            assert all(isinstance(e, str) and e and "||" not in e for e in entries), case.id
        for key in ("honest", "sources"):
            assert isinstance(case.expect.get(key, False), bool), case.id
        # An honest answer cites nothing, so a case cannot ask for both.
        assert not (case.expect.get("honest") and case.expect.get("sources")), case.id


@pytest.mark.parametrize("which", ["dev", "test"])
def test_kinds_follow_their_rules(which: str, dev_cases: list[Case], test_cases: list[Case]) -> None:
    cases = dev_cases if which == "dev" else test_cases
    for case in cases:
        expect = case.expect
        if case.kind == "ellipsis":
            assert len(case.turns) >= 2, case.id
        else:
            assert len(case.turns) == 1, case.id
        if case.kind == "unanswerable":
            assert expect.get("honest") is True, case.id
        elif case.kind == "out_of_scope":
            assert expect.get("any") == ["お答えできません", "オフィス"], case.id
            assert "出典" in expect.get("none", []), case.id
            assert not expect.get("sources"), case.id
        elif not expect.get("honest"):
            # A case that expects facts expects them to be cited.
            assert expect.get("sources") is True, case.id
            assert expect.get("all") or expect.get("any"), case.id
        if case.kind == "preference":
            assert set(REFUSALS) <= set(expect.get("none", [])), case.id
        if case.kind == "context":
            assert len(case.turns[0]) >= 20, f"{case.id}: a context message introduces the writer first"


def test_ids_are_unique(dev_cases: list[Case], test_cases: list[Case]) -> None:
    ids = [case.id for case in dev_cases + test_cases]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_no_message_in_both_files(dev_cases: list[Case], test_cases: list[Case]) -> None:
    dev = {_key(turn) for case in dev_cases for turn in case.turns}
    test = {_key(turn) for case in test_cases for turn in case.turns}
    assert not dev & test


def test_no_message_is_training_data(dev_cases: list[Case], test_cases: list[Case]) -> None:
    training = _training_examples()
    assert training, "data/nlu/*.yml has no examples"
    leaked = sorted({turn for case in dev_cases + test_cases for turn in case.turns if _key(turn) in training})
    assert not leaked


@pytest.mark.parametrize("which, minimum", [("dev", MIN_DEV), ("test", MIN_TEST)], ids=["dev", "test"])
def test_minimum_counts_per_kind(
    which: str, minimum: dict[str, int], dev_cases: list[Case], test_cases: list[Case]
) -> None:
    cases = dev_cases if which == "dev" else test_cases
    counts = {kind: sum(case.kind == kind for case in cases) for kind in KINDS}
    short = {kind: (counts[kind], need) for kind, need in minimum.items() if counts[kind] < need}
    assert not short, short
    if which == "test":
        assert len(cases) >= 260
    else:
        # Development cases: enough to see patterns, never merged into the held-out set.
        assert len(cases) >= 70


def test_checks_of_the_runner() -> None:
    expect = {"all": ["経理|会計"], "any": ["金庫番", "決算"], "none": ["営業は"], "sources": True}
    assert check_reply(expect, "経理は「会社の金庫番」です。\n（出典：002.txt）") == []
    failed = check_reply(expect, "営業は売上を作ります。")
    assert len(failed) == 4
    assert is_honest("記事には、経理の年収は書かれていません。")
    assert not is_honest("経理の年収は書かれていません。")
    assert not is_honest("記事には書かれていませんが、平均は400万円ほどです。")
    assert not is_honest("記事には載っていませんが、残業は月２０時間程度です。")
    assert is_honest("記事には経理の残業時間は書かれていません。経理には1円単位での正確さが求められます。")
