"""Teaching scenarios, self-checking exercises, the answer key and grading.

* every scenario's lesson is recovered by the kit's own functions for 20 seeds (directly on the
  simulated data, no notebook involved);
* :func:`cvmkit.teach.check` with numbers, sets, labels, unanswered and misplaced questions;
* the commands: ``simulate --list``, ``simulate --scenario``, ``teach key``, ``teach grade``;
* every exercise notebook executed twice in one shared fixture — with the key's answers (all
  right) and with wrong answers (each told where to look again) — and graded.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from cvmkit import teach
from cvmkit.cli import main
from cvmkit.errors import CvmkitError
from cvmkit.simulate.scenarios import SCENARIOS, simulate_scenario
from cvmkit.study import Study
from cvmkit.teach import write_scenario

REPO = Path(__file__).resolve().parents[1]
#: Respondents of the students' data sets in the executed exercises.
SMALL_N = 150
EXERCISES = REPO / "exercises"
#: The demo's words, which no scenario may use.
DEMO_WORDS = ("acme", "beanco", "roastly", "daily grind", "coffee", "barista", "espresso",
              "latte", "pastr", "hygien", "freshness", "wi-fi", "wifi", "ambience",
              "connoisseur", "commuter")


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_lesson_holds_for_20_seeds(name: str) -> None:
    numbers = []
    for seed in range(100, 120):
        data, spec, truth = simulate_scenario(name, seed=seed)
        study = Study.from_dict(spec)
        for q in teach.questions(name):
            found = q.find(data, study)
            if q.id in truth["answers"]:
                assert found == truth["answers"][q.id], (name, seed, q.id)
            else:
                assert np.isfinite(found), (name, seed, q.id)
                numbers.append((q.id, found))
    assert len({v for _, v in numbers}) > 1  # numbers differ from seed to seed
    if name == "nps_touchpoint":  # the planted fall, recovered in direction and size
        planted = truth["nps"]["change"]
        changes = [v for q, v in numbers if q.endswith(".change")]
        assert all(c < 0 for c in changes)
        assert abs(np.mean(changes) - planted) < 5


def test_scenarios_differ_by_seed_and_repeat_by_seed() -> None:
    a, _, _ = simulate_scenario("halo", seed=1, n=80)
    b, _, _ = simulate_scenario("halo", seed=2, n=80)
    c, _, _ = simulate_scenario("halo", seed=1, n=80)
    assert not a.equals(b)
    pd.testing.assert_frame_equal(a, c)


def test_scenarios_are_documented_and_use_their_own_words() -> None:
    assert len(SCENARIOS) >= 6
    brands = set()
    for name, sc in SCENARIOS.items():
        _, spec, truth = simulate_scenario(name, seed=1, n=60)
        text = json.dumps([spec, truth, sc.lesson, sc.title]).lower()
        assert not [w for w in DEMO_WORDS if w in text], name
        assert truth["lesson"] == sc.lesson and truth["answers"]
        assert set(truth["driver_weights"]) == {a for a, _, _ in sc.attributes}
        brands |= set(sc.brands)
        assert (EXERCISES / f"{name}.ipynb").is_file()
    assert len(brands) >= 6 * 2


def test_unknown_scenario_and_too_few_respondents() -> None:
    with pytest.raises(CvmkitError, match="unknown scenario 'nope'.*halo"):
        simulate_scenario("nope")
    with pytest.raises(CvmkitError, match="at least 60"):
        simulate_scenario("halo", n=10)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("scenario")
    paths = write_scenario(folder, "must_be", seed=5, n=120)
    return json.loads(paths["truth"].read_text())


def test_check_sets_labels_numbers_and_unanswered(drawn: dict) -> None:
    expected = drawn["expected"]
    right = teach.check("must_be.must_be", ["Safety", "baggage"], truth=drawn)
    assert right.correct and right.message.startswith("✓")
    by_label = teach.check("must_be.must_be", ["Well-maintained aircraft",
                                               "BAGGAGE ARRIVES WITH YOU"], truth=drawn)
    assert by_label.correct
    assert teach.check("must_be.must_be", "baggage, safety", truth=drawn).correct
    partial = teach.check("must_be.must_be", ["baggage", "snacks"], truth=drawn)
    assert not partial.correct
    assert "1 of the 2" in partial.message and "snacks should not be listed" in partial.message
    assert "Kano table" in partial.message
    gap = expected["must_be.gap"]
    assert teach.check("must_be.gap", gap + 0.015, truth=drawn).correct
    off = teach.check("must_be.gap", gap + 0.5, truth=drawn)
    assert not off.correct and "Look again" in off.message
    assert not teach.check("must_be.gap", "a lot", truth=drawn).correct
    none = teach.check("must_be.failed", None, truth=drawn)
    assert not none.correct and not none.answered and "no answer yet" in none.message
    assert teach.check("must_be.failed", ["baggage"], truth=drawn).correct
    record = right.record()
    assert record["scenario"] == "must_be" and record["seed"] == 5 and record["n"] == 120
    assert teach.CHECK_MIME in right._repr_mimebundle_()


def test_check_refuses_what_it_cannot_check(drawn: dict) -> None:
    with pytest.raises(CvmkitError, match="unknown question"):
        teach.check("must_be.nothing", 1, truth=drawn)
    with pytest.raises(CvmkitError, match="belongs to scenario 'halo'"):
        teach.check("halo.max_vif", 1.0, truth=drawn)


def test_simulate_list_and_scenario_commands(tmp_path: Path, capsys) -> None:
    assert main(["simulate", "--list"]) == 0
    listed = capsys.readouterr().out
    for name, sc in SCENARIOS.items():
        assert name in listed and sc.lesson.split()[0] in listed
    out = tmp_path / "hd"
    assert main(["simulate", "--scenario", "hidden_driver", "--seed", "3", "-n", "100",
                 "--out", str(out)]) == 0
    truth = json.loads((out / "truth.json").read_text())
    assert truth["seed"] == 3 and truth["answers"]["hidden_driver.hidden"] == ["documents"]
    assert set(truth["expected"]) == {q.id for q in teach.questions("hidden_driver")}
    assert (out / "study.yaml").is_file() and (out / "responses.csv").is_file()
    assert main(["simulate", "--scenario", "nope", "--out", str(tmp_path / "x")]) == 2


def test_teach_key_prints_every_expected_answer(capsys) -> None:
    assert main(["teach", "key", "--scenario", "value_winner", "--seed", "9", "-n", "100"]) == 0
    printed = capsys.readouterr().out
    key = teach.answer_key("value_winner", seed=9, n=100)
    for row in key.itertuples():
        assert row.question in printed and str(row.expected) in printed


# ----------------------------------------------------------------------------- the notebooks
def _wrong(row: pd.Series, names: list[str]) -> object:
    """A plausible wrong answer to a question (another name, or a number off by a lot)."""
    if row.kind == "number":
        return float(row.expected) + 10 * row.tolerance + 1
    if row.kind == "set":
        return [n for n in names if n not in row.expected][:len(row.expected)]
    return next(n for n in names if n != row.expected)


def _with_answers(source: Path, answers: dict[str, object]) -> nbformat.NotebookNode:
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if "answer" in cell.metadata.get("tags", []):
            qid = re.search(r'teach\.check\("([^"]+)"', cell.source).group(1)
            cell.source = cell.source.replace("answer = None", f"answer = {answers[qid]!r}", 1)
    return nb


def _candidates(name: str) -> list[str]:
    _, spec, truth = simulate_scenario(name, seed=1, n=60)
    return (list(truth["labels"]) + list(truth.get("touchpoint_labels", {}))
            + list(truth["brands"]) + list(truth.get("segments", {})))


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every exercise notebook run with wrong answers (``wrong/``) and then with the key's
    answers (``right/``), each student with their own seed.  The two runs of a notebook share
    one kernel forked from a zygote that has imported the libraries already (the first run
    starts from a fresh namespace, so a name the notebook forgot to define still fails)."""
    import papermill

    from cvmkit.pipeline import _KernelPool, _register_engine, notebook_imports

    root = tmp_path_factory.mktemp("exercises")
    sources = [EXERCISES / f"{name}.ipynb" for name in SCENARIOS]
    # statsmodels is imported on first use by the kit: have the zygote import it once
    pool = _KernelPool("python3", root, [["statsmodels.api", *notebook_imports(s)]
                                         for s in sources])
    pool.take_ahead()
    engine = _register_engine()
    try:
        for i, (name, source) in enumerate(zip(SCENARIOS, sources)):
            km = pool.take()
            try:
                for kind, seed in (("wrong", 31 + i), ("right", 11 + i)):
                    key = teach.answer_key(name, seed=seed, n=SMALL_N)
                    if kind == "right":
                        answers = dict(zip(key["question"], key["expected"]))
                    else:
                        names = _candidates(name)
                        answers = {r.question: _wrong(r, names) for r in key.itertuples()}
                    (root / kind).mkdir(exist_ok=True)
                    papermill.execute_notebook(
                        _with_answers(source, answers), str(root / kind / f"{name}.ipynb"),
                        parameters={"seed": seed, "n": SMALL_N,
                                    "data_dir": str(root / "data" / f"{kind}-{name}")},
                        cwd=str(root), kernel_name="python3", progress_bar=False, km=km,
                        engine_name=engine, request_save_on_cell_execute=False)
            finally:
                pool.release(km)
    finally:
        pool.close()
    return {"right": root / "right", "wrong": root / "wrong"}


def _checks(notebook: Path) -> list[dict]:
    nb = nbformat.read(notebook, as_version=4)
    return [{**o["data"][teach.CHECK_MIME], "text": o["data"]["text/plain"]}
            for c in nb.cells for o in c.get("outputs", [])
            if teach.CHECK_MIME in o.get("data", {})]


def test_exercise_notebooks_are_clean_with_one_parameters_cell() -> None:
    for name in SCENARIOS:
        nb = nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4)
        tags = [c.metadata.get("tags", []) for c in nb.cells]
        assert sum("parameters" in t for t in tags) == 1
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
        answered = {re.search(r'teach\.check\("([^"]+)"', c.source).group(1)
                    for c, t in zip(nb.cells, tags) if "answer" in t}
        assert answered == {q.id for q in teach.questions(name)}


def test_the_keys_answers_are_all_right(executed: dict[str, Path]) -> None:
    for name in SCENARIOS:
        checks = _checks(executed["right"] / f"{name}.ipynb")
        assert {c["question"] for c in checks} == {q.id for q in teach.questions(name)}
        assert all(c["correct"] and c["text"].startswith("✓") for c in checks), checks


def test_wrong_answers_get_feedback(executed: dict[str, Path]) -> None:
    for name in SCENARIOS:
        checks = _checks(executed["wrong"] / f"{name}.ipynb")
        assert len(checks) == len(teach.questions(name))
        for c in checks:
            assert not c["correct"] and c["text"].startswith("✗"), c
            assert "Look again at" in c["text"], c


def test_grade_scores_both_folders(executed: dict[str, Path], tmp_path: Path, capsys) -> None:
    out = tmp_path / "grades.csv"
    assert main(["teach", "grade", str(executed["right"]), "--out", str(out)]) == 0
    right = pd.read_csv(out)
    assert sorted(right["scenario"]) == sorted(SCENARIOS)
    assert (right["score"] == 100).all() and (right["correct"] == right["questions"]).all()
    assert "wrote" in capsys.readouterr().out
    wrong = teach.grade(executed["wrong"])
    assert (wrong["score"] == 0).all() and (wrong["answered"] == wrong["questions"]).all()
    assert (executed["wrong"] / "grades.csv").is_file()
    assert all(len(w.split()) == q for w, q in zip(wrong["wrong"], wrong["questions"]))


def test_grade_rechecks_rather_than_trusting_the_record(executed: dict[str, Path],
                                                        tmp_path: Path) -> None:
    nb = nbformat.read(executed["wrong"] / "halo.ipynb", as_version=4)
    for c in nb.cells:
        for o in c.get("outputs", []):
            if teach.CHECK_MIME in o.get("data", {}):
                o["data"][teach.CHECK_MIME]["correct"] = True  # a hand-edited output
    nbformat.write(nb, tmp_path / "edited.ipynb")
    (tmp_path / "unrun.ipynb").write_text((EXERCISES / "halo.ipynb").read_text())
    table = teach.grade(tmp_path).set_index("notebook")
    assert table.loc["edited.ipynb", "score"] == 0
    assert "no checked answers" in table.loc["unrun.ipynb", "note"]


# ----------------------------------------------------------------------------- reveal the truth
def test_reveal_truth_shows_the_planted_values_only_when_asked(tmp_path: Path) -> None:
    from cvmkit.study import load_study
    from cvmkit.widgets import reveal_truth, truth_table

    paths = write_scenario(tmp_path / "s", "must_be", seed=2, n=80)
    study = load_study(paths["study"])
    found = {"baggage": "must-be", "safety": "indifferent"}
    box = reveal_truth(study, {"kano": found, "nothing.planted": 3})
    button, output = box.children
    assert not button.value and not output.outputs
    table = box.table.set_index("item")
    assert table.loc["baggage", "planted"] == "must-be"
    assert table.loc["safety", "estimate"] == "indifferent"
    assert pd.isna(table.loc["snacks", "estimate"])  # planted, not estimated
    assert "nothing.planted" not in set(box.table["quantity"])
    button.value = True
    assert button.description == "Hide the truth"
    assert reveal_truth(study, {"nothing.planted": 3}) is None
    assert reveal_truth(tmp_path, {"kano": found}) is None  # no truth.json: nothing
    nested = truth_table({"nps": {"change": -20.0}}, {"nps.change": np.float64(-18.25)})
    assert nested[["planted", "estimate"]].values.tolist() == [[-20.0, -18.25]]


def test_main_notebooks_reveal_cells_are_tagged_for_simulated_studies_only() -> None:
    for nb_path in sorted((REPO / "notebooks").glob("0[1-6]_*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        reveal = [c for c in nb.cells if "reveal_truth(" in c.source]
        assert reveal, nb_path.name
        assert all("requires-truth" in c.metadata.get("tags", []) for c in reveal)


def test_teach_exercises_copies_the_notebooks(tmp_path: Path, capsys) -> None:
    assert main(["teach", "exercises", str(tmp_path / "course")]) == 0
    assert sorted(p.name for p in (tmp_path / "course").glob("*.ipynb")) == sorted(
        f"{name}.ipynb" for name in SCENARIOS)
    assert main(["teach", "exercises", str(tmp_path / "course")]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["teach", "exercises", str(tmp_path / "course"), "--force"]) == 0
