"""Hostile and broken input: a corpus of bad files, parameters and a fuzz of study files.

``tests/data/bad/cases.yaml`` lists every hand-made case of the corpus with what it is and how
``cvmkit validate`` must end: ``error`` (exit status 1, an error naming the file, key, column or
row: every word of the case's ``words`` appears in the output) or ``warning`` (exit status 0
and a note naming the place).  Study files (``study/*``) are checked on their own; exports
(``data/*``) against ``base/study.yaml`` with ``--data``.  Every case must end within a time
bound, and no output may hold a Python traceback.

A few cases are made at test time rather than committed (a study file over the size bound, a
200,000-row export); parameters of the wrong name, type or range must stop ``cvmkit run`` with
exit status 2 (command-line usage) before any notebook starts.  A hypothesis fuzz feeds study
files made of random YAML and mutations of a valid study to ``load_study``: each must load or
raise :class:`~cvmkit.errors.StudySpecError`, nothing else.
"""

from __future__ import annotations

import contextlib
import io
import signal
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvmkit.cli import main
from cvmkit.errors import StudySpecError
from cvmkit.study import load_study

BAD = Path(__file__).resolve().parent / "data" / "bad"
CORPUS = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))
CASES = CORPUS["cases"]
BASE = BAD / CORPUS["base"]
#: Seconds one `cvmkit validate` of a corpus case may take (they take well under one).
BOUND = 30


class Hang(Exception):
    """A case ran past its time bound."""


@contextlib.contextmanager
def bounded(seconds: int):
    """Raise :class:`Hang` in the test when the block runs longer than ``seconds``."""
    def alarm(signum, frame):
        raise Hang(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def cli(*argv: str, seconds: int = BOUND) -> tuple[int, str, float]:
    """``cvmkit ARGV`` in this process: exit status, stdout + stderr, seconds taken."""
    out = io.StringIO()
    start = time.monotonic()
    with bounded(seconds), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), time.monotonic() - start


def _argv(case: str) -> list[str]:
    path = BAD / case
    if case.startswith("study/"):
        return ["validate", str(path)]
    return ["validate", str(BASE), "--data", str(path)]


def _check(case: str, spec: dict, code: int, output: str) -> None:
    assert "Traceback" not in output, f"{case}: a traceback\n{output}"
    missing = [w for w in spec["words"] if w not in output]
    assert not missing, f"{case} ({spec['what']}): {missing} not in the output\n{output}"
    if spec["outcome"] == "error":
        assert code == spec.get("exit", 1), f"{case}: exit {code}\n{output}"
        lines = [ln for ln in output.splitlines() if any(w in ln for w in spec["words"])]
        assert lines, output
    else:
        assert code == 0, f"{case} ({spec['what']}): exit {code}, expected a note and go on\n" \
                          f"{output}"
        notes = [ln for ln in output.splitlines() if ln.startswith("note:")
                 and all(w in ln for w in spec["words"])]
        assert notes, f"{case}: no note naming {spec['words']}\n{output}"


def test_the_corpus_is_large_and_every_case_is_described() -> None:
    assert len(CASES) >= 60
    for case, spec in CASES.items():
        assert (BAD / case).is_file(), case
        assert spec["outcome"] in ("error", "warning") and spec["words"] and spec["what"], case
    outcomes = [spec["outcome"] for spec in CASES.values()]
    assert outcomes.count("error") > 50 and outcomes.count("warning") >= 5


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_bad_input_ends_in_a_named_error_or_warning(case: str) -> None:
    code, output, _ = cli(*_argv(case))
    _check(case, CASES[case], code, output)


def test_the_base_study_is_valid() -> None:
    code, output, _ = cli("validate", str(BASE))
    assert code == 0 and "ready to run" in output and "note:" not in output, output


def test_no_traceback_with_debug_either_way(tmp_path: Path) -> None:
    """A study file over the size bound (made here, not committed) is refused at once."""
    path = tmp_path / "study.yaml"
    path.write_text("title: " + "x" * 2_000_000 + "\n", encoding="utf-8")
    code, output, took = cli("validate", str(path))
    assert code == 1 and "more than a study file's" in output and took < 5, output


def test_a_huge_export_is_read_within_bounds(tmp_path: Path) -> None:
    """200,000 respondents whose every rating is text: one clear error, in bounded time."""
    header = (BASE.parent / "responses.csv").read_text(encoding="utf-8").splitlines()[0]
    ncol = header.count(",") + 1
    row = ",".join(["R1", "North", "300", "1"] + ["good"] * (ncol - 4))
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        for _ in range(200_000):
            fh.write(row + "\n")
    code, output, took = cli("validate", str(BASE), "--data", str(path), seconds=60)
    assert code == 1 and "should be numeric" in output and "Traceback" not in output, output
    assert took < 60


@pytest.mark.parametrize("params, words", [
    (["-p", "n_bot=20"], ["n_bot", "n_boot"]),
    (["-p", "n_boot=abc"], ["n_boot"]),
    (["-p", "n_boot=2.5"], ["n_boot"]),
    (["-p", "seed=[1, 2]"], ["seed"]),
    (["-p", "noequals"], ["noequals"]),
    (["-p", "=5"], ["=5"]),
    (["-j", "0"], ["-j 0"]),
    (["--seed", "abc"], ["--seed"]),
])
def test_bad_parameters_stop_before_any_run(tmp_path: Path, params, words) -> None:
    code, output, took = cli("run", str(BASE), "--out", str(tmp_path / "reports"), *params)
    assert code == 2, output
    assert all(w in output for w in words), output
    assert "Traceback" not in output and not (tmp_path / "reports").exists()
    assert took < 10


# ------------------------------------------------------------------ fuzz of study files
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                     st.floats(allow_nan=True, allow_infinity=True), _text)
_values = st.recursive(_scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(_text, kids, max_size=4)), max_leaves=12)
_KEYS = ["title", "brand", "competitors", "attributes", "scales", "outcomes", "segments",
         "weights", "price", "quality", "codeframe", "touchpoints", "stages", "kano", "slug",
         "pii", "verbatims", "reverse", "respondent_id", "wave", "client", "data"]
_BASE_SPEC = yaml.safe_load(BASE.read_text(encoding="utf-8"))


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_study_files_load_or_raise_a_study_error(tmp_path: Path, data) -> None:
    kind = data.draw(st.sampled_from(["mutate", "replace", "bytes", "yaml"]))
    spec = yaml.safe_load(yaml.safe_dump(_BASE_SPEC))
    if kind == "mutate":  # one key of a valid study given a random value
        spec[data.draw(st.sampled_from(_KEYS))] = data.draw(_values)
        content = yaml.safe_dump(spec, allow_unicode=True).encode("utf-8")
    elif kind == "replace":  # one attribute field given a random value
        field = data.draw(st.sampled_from(["id", "label", "component", "performance", "scale",
                                           "importance", "kano"]))
        spec["attributes"][0][field] = data.draw(_values)
        content = yaml.safe_dump(spec, allow_unicode=True).encode("utf-8")
    elif kind == "bytes":  # a valid study with random bytes spliced in
        text = yaml.safe_dump(spec).encode("utf-8")
        at = data.draw(st.integers(0, len(text)))
        content = text[:at] + data.draw(st.binary(max_size=30)) + text[at:]
    else:  # any YAML document
        content = yaml.safe_dump(data.draw(_values), allow_unicode=True).encode("utf-8")
    path = tmp_path / "study.yaml"
    path.write_bytes(content)
    with bounded(10):
        try:
            load_study(path)
        except StudySpecError as exc:
            assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)


# ------------------------------------------------------------------ tracebacks only on request
def test_the_command_prints_no_traceback_as_a_process() -> None:
    import subprocess
    import sys

    for case in ("study/latin1.yaml", "data/ragged_long_row.csv"):
        proc = subprocess.run([sys.executable, "-m", "cvmkit.cli", *_argv(case)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        assert all(w in proc.stdout + proc.stderr for w in CASES[case]["words"])


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    argv = ["run", str(BASE), "--out", str(tmp_path), "-p", "n_bot=1"]
    code, output, _ = cli(*argv)
    assert code == 2 and "Traceback" not in output
    code, output, _ = cli("--debug", *argv)
    assert code == 2 and "Traceback" in output and "n_bot" in output


def test_an_unexpected_exception_is_one_line(monkeypatch) -> None:
    import cvmkit.cli

    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cvmkit.cli, "build_parser", _parser_with(broken))
    code, output, _ = cli("validate", str(BASE))
    assert code == 1 and "Traceback" not in output
    assert "error: unexpected ZeroDivisionError: division by zero" in output
    code, output, _ = cli("--debug", "validate", str(BASE))
    assert code == 1 and "Traceback" in output


def _parser_with(func):
    from cvmkit.cli import build_parser

    def build():
        parser = build_parser()
        parser.set_defaults(func=func)
        for action in parser._subparsers._group_actions:  # noqa: SLF001 - test only
            action.choices["validate"].set_defaults(func=func)
        return parser

    return build


@pytest.mark.parametrize("case", ["study/yaml_alias_bomb.yaml", "study/slug_traversal.yaml"])
def test_run_refuses_a_bad_study_file_before_any_notebook(tmp_path: Path, case: str) -> None:
    code, output, took = cli("run", str(BAD / case), "--out", str(tmp_path / "reports"))
    assert code == 1 and "Traceback" not in output, output
    assert all(w in output for w in CASES[case]["words"]), output
    assert not list((tmp_path / "reports").rglob("manifest.json")) and took < 60


_PATHS = [("attributes", 0, f) for f in ("id", "label", "component", "performance", "scale",
                                          "importance", "kano", "importance_scale")] + [
    ("scales", "rating", f) for f in ("min", "max", "missing", "labels")] + [
    ("outcomes", "value", f) for f in ("column", "scale")] + [
    ("quality", f) for f in ("duration", "speeder_fraction", "straightline_min_items",
                             "max_missing", "exclude")] + [
    ("weights", f) for f in ("column", "targets")] + [
    ("price", f) for f in ("perceived", "van_westendorp", "purchase_likelihood",
                           "gabor_granger", "scale", "currency")] + [
    ("codeframe",), ("touchpoints",), ("segments",), ("brand",), ("competitors",),
    ("respondent_id",), ("verbatims",), ("pii",), ("reverse",), ("kano",), ("wave",),
    ("stages",), ("attributes", 0), ("scales", "rating")]


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(where=st.sampled_from(_PATHS), value=_values)
def test_fuzzed_studies_validate_against_data_without_a_traceback(tmp_path: Path, where, value):
    """A valid study with one value (at any depth) replaced, checked by `cvmkit validate`
    against the base export: exit 0 (ready) or 1 (a named problem), never an exception."""
    spec = yaml.safe_load(yaml.safe_dump(_BASE_SPEC))
    spec["data"] = str(BASE.parent / "responses.csv")
    spec.setdefault("price", {})
    node = spec
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = value
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    code, output, _ = cli("validate", str(path))
    assert code in (0, 1) and "Traceback" not in output and "unexpected" not in output, output
