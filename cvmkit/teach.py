"""Exercises that check themselves, on teaching scenarios with a planted lesson.

Each scenario of :mod:`cvmkit.simulate.scenarios` comes with an exercise notebook (``exercises/``
in the repository, ``cvmkit/exercises/`` in an installed kit; ``cvmkit teach notebooks DIR``
copies them out) whose questions have ids such as ``"halo.top_drivers"``.  A student's notebook
calls :func:`dataset` to draw the student's own data (the seed makes it theirs) and
:func:`check` after each answer:

>>> data, study = dataset("must_be", seed=11, folder=tmp)          # doctest: +SKIP
>>> check("must_be.failed", "baggage")                              # doctest: +SKIP
✓ must_be.failed: right.

A question is one of three kinds: ``choice`` (one attribute, brand, segment or touchpoint, by
id or label, any case), ``set`` (a list of them, in any order) or ``number`` (right within the
question's tolerance).  Categorical answers are the planted truth (the tests check that the
kit's functions recover it for many seeds); a number is what the kit's function gives on the
student's data, so a student who ran the right analysis gets it exactly.  A wrong answer is
told what to look at again.

For the instructor, :func:`answer_key` lists every expected answer of a student's data
(``cvmkit teach key --scenario NAME --seed S``) and :func:`grade` checks a folder of executed
exercise notebooks (``cvmkit teach grade FOLDER``): each :func:`check` leaves a record in the
notebook's output, which is re-checked against the key regenerated from its scenario and seed —
editing the notebook's outputs does not change a grade.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import CvmkitError, CvmkitWarning

__all__ = ["CHECK_MIME", "QUESTIONS", "CheckResult", "Question", "answer_key", "check",
           "dataset", "exercises_dir", "expected_answers", "grade", "questions",
           "write_scenario"]

#: The MIME type of the record :func:`check` leaves in a notebook's output (read by :func:`grade`).
CHECK_MIME = "application/vnd.cvmkit.check+json"


@dataclass(frozen=True)
class Question:
    """An exercise question.

    Attributes
    ----------
    id : str
        ``"<scenario>.<name>"``.
    text : str
        The question as the student reads it.
    kind : {"choice", "set", "number"}
    hint : str
        What to look at again after a wrong answer.
    find : callable
        ``find(data, study)`` → the answer a correct analysis gives on ``data``, with the kit's
        functions.
    tolerance : float
        For numbers: the largest accepted absolute difference.
    """

    id: str
    text: str
    kind: str
    hint: str
    find: Callable[[pd.DataFrame, Any], Any]
    tolerance: float = 0.0

    @property
    def scenario(self) -> str:
        return self.id.split(".", 1)[0]


# ----------------------------------------------------------------------------- the analyses
def _quiet(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        return func(*args, **kwargs)


#: The last result of each analysis, with the data and study it was computed on (the questions
#: of a scenario ask about the same table: it is computed once per data set).
_MEMO: dict[str, tuple[Any, Any, Any]] = {}


def _memo(name: str, data: pd.DataFrame, study: Any,
          compute: Callable[[], Any]) -> Any:
    hit = _MEMO.get(name)
    if hit is not None and hit[0] is data and hit[1] is study:
        return hit[2]
    result = compute()
    _MEMO[name] = (data, study, result)
    return result


def _value(study: Any) -> str:
    return study.outcome_column("value")


def _lmg(data: pd.DataFrame, study: Any) -> pd.Series:
    from .drivers import relative_importance

    t = _memo("lmg", data, study, lambda: _quiet(
        relative_importance, data, _value(study), study.performance_columns(), methods="lmg"))
    return t.set_index("driver")["share"]


def _coefficients(data: pd.DataFrame, study: Any) -> pd.Series:
    from .drivers import ols_coefficients

    t = _quiet(ols_coefficients, data, _value(study), study.performance_columns())
    return t.set_index("driver")["estimate"].drop("(intercept)")


def _max_vif(data: pd.DataFrame, study: Any) -> float:
    from .drivers import collinearity

    cols = study.performance_columns()
    return round(float(_quiet(collinearity, data, cols)["vif"].max()), 2)


def _svd(data: pd.DataFrame, study: Any) -> pd.DataFrame:
    from .needs import stated_and_derived

    return _memo("svd", data, study, lambda: _quiet(
        stated_and_derived, data, study.importance_columns(), study.performance_columns(),
        _value(study)))


def _with_class(name: str) -> Callable[[pd.DataFrame, Any], list[str]]:
    def find(data: pd.DataFrame, study: Any) -> list[str]:
        t = _svd(data, study)
        return sorted(t.loc[t["class"] == name, "attribute"])
    return find


def _stated_mean(attribute: str) -> Callable[[pd.DataFrame, Any], float]:
    def find(data: pd.DataFrame, study: Any) -> float:
        t = _svd(data, study).set_index("attribute")
        return round(float(t.loc[attribute, "stated"]), 2)
    return find


def _kano(data: pd.DataFrame, study: Any) -> pd.Series:
    from .needs import kano_table

    t = _memo("kano", data, study, lambda: _quiet(kano_table, data, study.kano_pairs(),
                                                  study.kano_codes))
    return t.set_index("attribute")["category"]


def _gaps(data: pd.DataFrame, study: Any) -> pd.Series:
    """Focal brand's mean rating minus the competitors' mean, per must-be attribute."""
    must = [a for a, c in _kano(data, study).items() if c == "must-be"]
    focal = study.brands[0]
    others = study.brands[1:]
    gaps = {}
    for a in must:
        template = study.attribute(a).performance
        mine = data[template.format(brand=focal.code)].mean()
        theirs = pd.Series([data[template.format(brand=b.code)].mean() for b in others]).mean()
        gaps[a] = round(float(mine - theirs), 2)
    return pd.Series(gaps, dtype=float)


def _segment_lmg(data: pd.DataFrame, study: Any) -> pd.DataFrame:
    from .drivers import segment_importance

    return _memo("segments", data, study, lambda: _quiet(
        segment_importance, data, _value(study), study.performance_columns(),
        study.segments[0]))


def _fee_segment(data: pd.DataFrame, study: Any) -> str:
    t = _segment_lmg(data, study)
    fee = t[t["driver"] == "fee"].set_index("segment")["share"]
    return str(fee.idxmax())


def _top_in_price_segment(data: pd.DataFrame, study: Any) -> str:
    t = _segment_lmg(data, study)
    seg = t[t["segment"] == _fee_segment(data, study)]
    return str(seg.loc[seg["share"].idxmax(), "driver"])


def _fee_share(data: pd.DataFrame, study: Any) -> float:
    t = _segment_lmg(data, study)
    seg = t[(t["segment"] == _fee_segment(data, study)) & (t["driver"] == "fee")]
    return round(float(seg["share"].iloc[0]), 1)


def _value_map(data: pd.DataFrame, study: Any) -> pd.DataFrame:
    from .maps import value_map

    return _memo("value_map", data, study,
                 lambda: _quiet(value_map, data, study).set_index("brand"))


def _nps_by_wave(data: pd.DataFrame, study: Any) -> pd.Series:
    from .metrics import nps

    return _quiet(nps, data, "nps", by=study.wave).set_index(study.wave)["nps"]


def _touchpoint_change(data: pd.DataFrame, study: Any) -> pd.Series:
    from .metrics import touchpoint_scores

    t = _quiet(touchpoint_scores, data, study, by=study.wave)
    means = t.pivot(index="touchpoint", columns=study.wave, values="mean")
    return means[means.columns[-1]] - means[means.columns[0]]


def _q(id: str, text: str, kind: str, hint: str, find: Callable[[pd.DataFrame, Any], Any],
       tolerance: float = 0.0) -> Question:
    return Question(id, text, kind, hint, find, tolerance)


#: Every exercise question, by id, in the order of the exercise notebooks.
QUESTIONS: dict[str, Question] = {q.id: q for q in (
    _q("halo.top_drivers",
       "Which two attributes have the largest LMG shares of the focal brand's overall value?",
       "set", "the `lmg` table: sort it by `share` and take the first two rows",
       lambda d, s: sorted(_lmg(d, s).nlargest(2).index)),
    _q("halo.negative_coefficient",
       "Which attribute has the most negative regression coefficient?",
       "choice", "the `estimate` column of the regression table (not the LMG shares)",
       lambda d, s: str(_coefficients(d, s).idxmin())),
    _q("halo.max_vif",
       "What is the largest variance inflation factor (VIF) among the attributes (2 decimals)?",
       "number", "the `vif` column of the collinearity table, and its largest value",
       _max_vif, 0.02),
    _q("hidden_driver.hidden",
       "Which attribute(s) are hidden drivers (stated importance low, derived importance high)?",
       "set", "the `class` column of the stated-versus-derived table: rows marked "
              "'hidden driver'", _with_class("hidden driver")),
    _q("hidden_driver.stated_only",
       "Which attribute(s) are stated only (stated importance high, derived importance low)?",
       "set", "the `class` column of the stated-versus-derived table: rows marked "
              "'stated only'", _with_class("stated only")),
    _q("hidden_driver.documents_stated",
       "What is the mean stated importance (1–5) of 'Clear policy documents' (2 decimals)?",
       "number", "the `stated` column of the stated-versus-derived table",
       _stated_mean("documents"), 0.01),
    _q("must_be.must_be",
       "Which attributes are must-be attributes according to the Kano classification?",
       "set", "the `category` column of the Kano table (the dominant category of each "
              "attribute)", lambda d, s: sorted(a for a, c in _kano(d, s).items()
                                                if c == "must-be")),
    _q("must_be.failed",
       "On which must-be attribute does the focal brand trail its competitors the most?",
       "choice", "the gap table: the focal brand's mean rating minus the competitors' mean, "
                 "for the must-be attributes only", lambda d, s: str(_gaps(d, s).idxmin())),
    _q("must_be.gap",
       "By how many points (focal brand minus the competitors' mean, 2 decimals) does the "
       "focal brand trail on that attribute?",
       "number", "the gap table, and the sign: trailing is a negative gap",
       lambda d, s: float(_gaps(d, s).min()), 0.02),
    _q("price_segment.segment",
       "Which member type's overall value depends most on the membership fee?",
       "choice", "the LMG shares by segment: compare the fee's share across the segments",
       _fee_segment),
    _q("price_segment.top_driver",
       "In that segment, which attribute has the largest LMG share?",
       "choice", "the LMG shares of that one segment, sorted by `share`", _top_in_price_segment),
    _q("price_segment.fee_share",
       "What is the fee's LMG share (in percent, 1 decimal) in that segment?",
       "number", "the `share` column (percent) of the fee in that segment's rows",
       _fee_share, 0.1),
    _q("value_winner.quality_leader",
       "Which brand has the highest quality ratio on the customer value map?",
       "choice", "the `quality_ratio` column of the value map",
       lambda d, s: str(_value_map(d, s)["quality_ratio"].idxmax())),
    _q("value_winner.value_leader",
       "Which brand has the largest value advantage (best value for money)?",
       "choice", "the `value_advantage` column of the value map (fair price ratio minus the "
                 "actual one), not the quality ratio",
       lambda d, s: str(_value_map(d, s)["value_advantage"].idxmax())),
    _q("value_winner.leader_price_ratio",
       "What is that brand's price ratio (2 decimals)?",
       "number", "the `price_ratio` column of the value map, on the row of the value leader",
       lambda d, s: round(float(_value_map(d, s).sort_values("value_advantage")
                                ["price_ratio"].iloc[-1]), 2), 0.01),
    _q("nps_touchpoint.change",
       "By how many points did the NPS change from wave 1 to wave 2 (wave 2 minus wave 1)?",
       "number", "the NPS table by wave: subtract wave 1's `nps` from wave 2's (a fall is "
                 "negative)",
       lambda d, s: round(float(_nps_by_wave(d, s).iloc[-1] - _nps_by_wave(d, s).iloc[0]), 1),
       0.1),
    _q("nps_touchpoint.touchpoint",
       "Which touchpoint's satisfaction changed the most between the waves?",
       "choice", "the touchpoint means by wave: which one moved, and by how much",
       lambda d, s: str(_touchpoint_change(d, s).abs().idxmax())),
)}


def questions(scenario: str) -> list[Question]:
    """The questions of one scenario's exercise, in order.

    Examples
    --------
    >>> [q.id for q in questions("value_winner")][:2]
    ['value_winner.quality_leader', 'value_winner.value_leader']
    """
    from .simulate.scenarios import SCENARIOS

    if scenario not in SCENARIOS:
        raise CvmkitError(f"unknown scenario '{scenario}' (known: {', '.join(SCENARIOS)})")
    return [q for q in QUESTIONS.values() if q.scenario == scenario]


def expected_answers(scenario: str, data: pd.DataFrame, spec: Mapping[str, Any],
                     truth: Mapping[str, Any]) -> dict[str, Any]:
    """The expected answer of every question of ``scenario`` on ``data``.

    Categorical questions take the planted answer (``truth["answers"]``), numbers what the
    kit's function gives on ``data``.
    """
    from .study import Study

    study = Study.from_dict(dict(spec))
    planted = truth.get("answers", {})
    return {q.id: planted[q.id] if q.id in planted else q.find(data, study)
            for q in questions(scenario)}


def write_scenario(out_dir: str | Path, name: str, seed: int = 1,
                   n: int | None = None) -> dict[str, Path]:
    """Write a teaching scenario into ``out_dir``: ``study.yaml``, ``responses.csv`` and
    ``truth.json`` (with every exercise question's expected answer for this data).

    Examples
    --------
    >>> import tempfile
    >>> paths = write_scenario(tempfile.mkdtemp(), "hidden_driver", seed=7, n=100)
    >>> sorted(paths)
    ['responses', 'study', 'truth']
    """
    import yaml

    from .io.artifacts import atomic_write_text
    from .simulate.scenarios import simulate_scenario

    data, spec, truth = simulate_scenario(name, seed=seed, n=n)
    truth["expected"] = expected_answers(name, data, spec, truth)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"study": out / "study.yaml", "responses": out / "responses.csv",
             "truth": out / "truth.json"}
    atomic_write_text(paths["responses"], data.to_csv(index=False, lineterminator="\n",
                                                      float_format="%.10g"))
    header = (f"# A teaching scenario, written by `cvmkit simulate --scenario {name} --seed "
              f"{seed}`; what it plants is in truth.json.\n")
    atomic_write_text(paths["study"], header + yaml.safe_dump(
        spec, sort_keys=False, allow_unicode=True, width=100))
    atomic_write_text(paths["truth"], json.dumps(truth, indent=2, ensure_ascii=False) + "\n")
    return paths


def answer_key(scenario: str, seed: int, n: int | None = None) -> pd.DataFrame:
    """Every question's expected answer on the data of ``scenario`` drawn with ``seed``.

    Returns
    -------
    DataFrame
        ``question``, ``kind``, ``text``, ``expected``, ``tolerance``.

    Examples
    --------
    >>> answer_key("hidden_driver", seed=4, n=100)["question"].tolist()[:2]
    ['hidden_driver.hidden', 'hidden_driver.stated_only']
    """
    from .simulate.scenarios import simulate_scenario

    data, spec, truth = simulate_scenario(scenario, seed=seed, n=n)
    expected = expected_answers(scenario, data, spec, truth)
    return pd.DataFrame([{"question": q.id, "kind": q.kind, "text": q.text,
                          "expected": expected[q.id], "tolerance": q.tolerance}
                         for q in questions(scenario)])


# ----------------------------------------------------------------------------- checking
_ACTIVE: dict[str, Any] = {}


def dataset(scenario: str, seed: int, n: int | None = None,
            folder: str | Path | None = None) -> tuple[pd.DataFrame, Any]:
    """Draw (or reopen) a student's data set of ``scenario`` and make it the one
    :func:`check` checks against.

    Parameters
    ----------
    scenario : str
    seed : int
        The student's seed: each gives different numbers with the same lesson.
    n : int, optional
        Respondents (default: the scenario's own).
    folder : str or Path, optional
        Where to write the study (default ``data-<scenario>-<seed>`` in the current folder).

    Returns
    -------
    data : DataFrame
        The clean data (:func:`cvmkit.collect.collect`).
    study : Study
    """
    from .collect import collect
    from .simulate.scenarios import SCENARIOS
    from .study import load_study

    out = Path(folder) if folder is not None else Path(f"data-{scenario}-{seed}")
    truth_path = out / "truth.json"
    wanted = (scenario, seed, SCENARIOS[scenario].n if n is None and scenario in SCENARIOS
              else n)
    truth = _read_truth(truth_path) if truth_path.is_file() else None
    if truth is None or "expected" not in truth or (
            truth.get("scenario"), truth.get("seed"), truth.get("n_respondents")) != wanted:
        write_scenario(out, scenario, seed=seed, n=n)  # (re)drawn: the files are the seed's
        truth = _read_truth(truth_path)
    study = load_study(out / "study.yaml")
    data = _quiet(collect, study).clean
    _ACTIVE.clear()
    _ACTIVE.update(truth)
    return data, study


def _read_truth(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CvmkitError(f"cannot read the planted truth '{path}': {exc}") from exc


@dataclass
class CheckResult:
    """The outcome of :func:`check`; shown in a notebook as its message."""

    question: str
    answer: Any
    correct: bool
    answered: bool
    message: str
    scenario: str
    seed: int | None
    n: int | None

    def record(self) -> dict[str, Any]:
        """What :func:`grade` reads back from an executed notebook."""
        return {"question": self.question, "answer": _jsonable(self.answer),
                "correct": self.correct, "answered": self.answered, "scenario": self.scenario,
                "seed": self.seed, "n": self.n}

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/plain": self.message, "text/markdown": self.message,
                CHECK_MIME: self.record()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, pd.Index, pd.Series)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _names(truth: Mapping[str, Any]) -> dict[str, str]:
    """Everything an answer may say (lower case) → the id it means."""
    out: dict[str, str] = {}
    labels = {**(truth.get("labels") or {}), **(truth.get("touchpoint_labels") or {})}
    for aid, label in labels.items():
        out[str(label).strip().lower()] = aid
        out[str(aid).lower()] = aid
    return out


def _normal(value: Any, names: Mapping[str, str]) -> str:
    text = str(value).strip().lower()
    return names.get(text, text)


def _as_items(answer: Any) -> list[Any] | None:
    if isinstance(answer, str):
        return [a for a in (p.strip() for p in answer.split(",")) if a]
    if isinstance(answer, (list, tuple, set, frozenset, pd.Index, pd.Series)):
        return list(answer)
    return None


def _judge(q: Question, answer: Any, expected: Any, truth: Mapping[str, Any]
           ) -> tuple[bool, str]:
    """Whether ``answer`` is right and the sentence saying so."""
    look = f"Look again at {q.hint}."
    if q.kind == "number":
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return False, f"expected a number, got {answer!r}. {look}"
        if not math.isfinite(value):
            return False, f"expected a finite number, got {answer!r}. {look}"
        if abs(value - float(expected)) <= q.tolerance + 1e-9:
            return True, "right."
        return False, f"{value:g} is not it. {look}"
    names = _names(truth)
    if q.kind == "set":
        items = _as_items(answer)
        if items is None:
            return False, f"expected a list, e.g. [\"a\", \"b\"], got {answer!r}. {look}"
        got = {_normal(a, names) for a in items}
        want = {_normal(a, names) for a in expected}
        if got == want:
            return True, "right."
        wrong = sorted(got - want)
        parts = [f"{len(got & want)} of the {len(want)} expected"]
        if wrong:
            parts.append(f"{', '.join(wrong)} should not be listed")
        if want - got:
            parts.append(f"{len(want - got)} missing")
        return False, f"not quite ({'; '.join(parts)}). {look}"
    if isinstance(answer, (list, tuple)) and len(answer) == 1:
        answer = answer[0]
    if _normal(answer, names) == _normal(expected, names):
        return True, "right."
    return False, f"{answer!r} is not it. {look}"


def _judge_id(question: str, answer: Any, expected: Any, truth: Mapping[str, Any]
              ) -> tuple[bool, bool, str]:
    q = QUESTIONS[question]
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return False, False, f"… {question}: no answer yet — replace `None` with your answer."
    ok, why = _judge(q, answer, expected, truth)
    return ok, True, f"{'✓' if ok else '✗'} {question}: {why}"


def check(question: str, answer: Any, truth: Mapping[str, Any] | str | Path | None = None
          ) -> CheckResult:
    """Check an answer against the planted truth of the student's data.

    Parameters
    ----------
    question : str
        A question id (see :func:`questions`).
    answer
        A name or id (``choice``), a list of them (``set``) or a number.  ``None`` means not
        answered yet.
    truth : mapping or path, optional
        The ``truth.json`` to check against (default: the data set :func:`dataset` drew last).

    Returns
    -------
    CheckResult
        ``correct`` and a ``message`` saying what to look at again if not.

    Raises
    ------
    CvmkitError
        For an unknown question, no data set drawn yet, or a question of another scenario.

    Examples
    --------
    >>> import tempfile
    >>> from cvmkit.teach import write_scenario
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_scenario(folder, "value_winner", seed=2, n=100)
    >>> check("value_winner.value_leader", "openline", truth=f"{folder}/truth.json").correct
    True
    >>> r = check("value_winner.value_leader", "Wavecrest", truth=f"{folder}/truth.json")
    >>> r.correct, r.message.split(":")[0]
    (False, '✗ value_winner.value_leader')
    """
    if question not in QUESTIONS:
        raise CvmkitError(f"unknown question '{question}' (known: {', '.join(QUESTIONS)})")
    if isinstance(truth, (str, Path)):
        truth = _read_truth(Path(truth))
    truth = truth if truth is not None else _ACTIVE
    if not truth:
        raise CvmkitError("no data set to check against: run `data, study = "
                          "teach.dataset(scenario, seed)` first")
    scenario = QUESTIONS[question].scenario
    if truth.get("scenario") != scenario:
        raise CvmkitError(f"question '{question}' belongs to scenario '{scenario}', but the "
                          f"data set is of scenario '{truth.get('scenario')}'")
    expected = (truth.get("expected") or {}).get(question)
    if expected is None:
        raise CvmkitError(f"the planted truth holds no expected answer for '{question}'; "
                          "draw the data set again with teach.dataset")
    ok, answered, message = _judge_id(question, answer, expected, truth)
    return CheckResult(question, answer, ok, answered, message, scenario,
                       truth.get("seed"), truth.get("n_respondents"))


# ----------------------------------------------------------------------------- grading
def _records(notebook: Path) -> list[dict[str, Any]]:
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            rec = o.get("data", {}).get(CHECK_MIME)
            if isinstance(rec, Mapping) and rec.get("question") in QUESTIONS:
                out.append(dict(rec))
    return out


def grade(folder: str | Path, out: str | Path | None = None) -> pd.DataFrame:
    """Grade a folder of executed exercise notebooks.

    Each notebook's :func:`check` records say which scenario and seed the student drew and
    what they answered; every answer is checked again against the key regenerated from that
    scenario and seed (the last answer to a question counts).  A question never checked
    counts as unanswered.

    Parameters
    ----------
    folder : str or Path
        Searched recursively for ``*.ipynb``.
    out : str or Path, optional
        Where to write the CSV (default ``FOLDER/grades.csv``).

    Returns
    -------
    DataFrame
        One row per notebook: ``notebook``, ``scenario``, ``seed``, ``answered``, ``correct``,
        ``questions``, ``score`` (percent), ``wrong`` and ``unanswered`` (question ids).

    Raises
    ------
    CvmkitError
        When the folder does not exist.
    """
    root = Path(folder)
    if not root.is_dir():
        raise CvmkitError(f"'{root}' is not a folder of exercise notebooks")
    rows = []
    keys: dict[tuple, dict[str, Any]] = {}
    for nb in sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts):
        try:
            records = _records(nb)
        except Exception as exc:  # unreadable notebook: a row saying so
            rows.append({"notebook": str(nb.relative_to(root)), "note": f"unreadable: {exc}"})
            continue
        if not records:
            rows.append({"notebook": str(nb.relative_to(root)),
                         "note": "no checked answers (was the notebook executed?)"})
            continue
        first = records[-1]
        scenario, seed, n = first.get("scenario"), first.get("seed"), first.get("n")
        from .simulate.scenarios import simulate_scenario

        if (scenario, seed, n) not in keys:
            data, spec, truth = simulate_scenario(scenario, seed=int(seed), n=n)
            truth["expected"] = expected_answers(scenario, data, spec, truth)
            keys[(scenario, seed, n)] = truth
        truth = keys[(scenario, seed, n)]
        last = {r["question"]: r for r in records
                if (r.get("scenario"), r.get("seed"), r.get("n")) == (scenario, seed, n)}
        wrong, unanswered, correct = [], [], 0
        qs = questions(scenario)
        for q in qs:
            r = last.get(q.id)
            if r is None or r.get("answer") is None:
                unanswered.append(q.id)
                continue
            ok, _, _ = _judge_id(q.id, r["answer"], truth["expected"][q.id], truth)
            correct += ok
            if not ok:
                wrong.append(q.id)
        rows.append({"notebook": str(nb.relative_to(root)), "scenario": scenario, "seed": seed,
                     "answered": len(qs) - len(unanswered), "correct": correct,
                     "questions": len(qs), "score": round(100 * correct / len(qs), 1),
                     "wrong": " ".join(wrong), "unanswered": " ".join(unanswered), "note": ""})
    table = pd.DataFrame(rows, columns=["notebook", "scenario", "seed", "answered", "correct",
                                        "questions", "score", "wrong", "unanswered", "note"])
    from .io.artifacts import atomic_write_text

    atomic_write_text(Path(out) if out is not None else root / "grades.csv",
                      table.to_csv(index=False, lineterminator="\n"))
    return table


def exercises_dir() -> Path:
    """The folder of the exercise notebooks the kit ships (see :mod:`cvmkit.resources`)."""
    from .resources import exercises_dir as folder

    return folder()
