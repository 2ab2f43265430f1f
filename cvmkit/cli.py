"""The ``cvmkit`` command.

::

    cvmkit run [STUDY.yaml ...] [--data FILE] [--out reports] [-p name=value ...] [--seed N]
               [-j N | --cluster local | --scheduler ADDRESS] [--reuse]
    cvmkit new NAME [--title T] [--client C] [--demo-data]
    cvmkit validate STUDY.yaml [--data FILE]
    cvmkit simulate [--out data/demo] [--seed 2026] [-n 1200] [--shape NAME | --list-shapes]
                    [--scenario NAME | --list]
    cvmkit teach key --scenario NAME --seed S [-n N]
    cvmkit teach grade FOLDER [--out grades.csv]
    cvmkit teach exercises DIR [--force]
    cvmkit notebooks DIR [--force] [--study STUDY.yaml]

Errors are one message naming the file, key, column or row at fault; ``cvmkit --debug …`` also
shows the Python traceback.

``cvmkit run`` with several study files (or ``-j N``) runs them as a batch, ``N`` at a time in
worker processes, shows the overall progress and ends with a summary table of each study's
outcome, time and report; a failing study does not stop the others.  ``--cluster local`` or
``--scheduler ADDRESS`` runs each study as a task on a Dask cluster instead
(:mod:`cvmkit.pipeline.cluster`); ``--reuse`` re-executes only the notebooks whose inputs
changed since the latest complete run (:mod:`cvmkit.pipeline.reuse`).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import textwrap
import traceback
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from .errors import CvmkitError, CvmkitWarning

__all__ = ["main", "parse_parameters"]


def parse_parameters(items: Sequence[str]) -> dict[str, Any]:
    """Turn ``["n_boot=500", "segment=A"]`` into ``{"n_boot": 500, "segment": "A"}``.

    Values are read as YAML scalars, so numbers, booleans and ``null`` keep their type; a value
    YAML would read as nothing (``accent_color=#1f5f8b`` starts a YAML comment) stays a string.
    """
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise CvmkitError(f"-p {item!r}: expected name=value with a Python identifier as name")
        try:
            parsed = yaml.safe_load(value) if value.strip() else ""
        except yaml.YAMLError:
            parsed = value
        if parsed is None and value.strip() not in ("null", "Null", "NULL", "~"):
            parsed = value.strip()  # e.g. "#1f5f8b", which YAML reads as a comment
        out[name.strip()] = parsed
    return out


def _note_unused_notebooks(notebooks: str | None) -> None:
    """Say so when the current folder has a ``notebooks/`` that the run will not use."""
    here = Path("notebooks")
    if notebooks is not None or not here.is_dir():
        return
    from .pipeline import default_notebooks_dir

    used = default_notebooks_dir()
    if here.resolve() != used.resolve():
        print(f"note: running the notebooks the kit ships ({used}); pass --notebooks notebooks "
              "to run the ones in this folder", file=sys.stderr)


def _cmd_run(args: argparse.Namespace) -> int:
    from .parameters import check_parameters, declared_parameters
    from .pipeline import (
        default_notebooks_dir,
        discover_notebooks,
        format_batch_summary,
        run_batch,
        run_study,
    )

    _note_unused_notebooks(args.notebooks)
    params = parse_parameters(args.param or [])
    if params:  # a misspelt name or a value of the wrong type stops here, before any run
        notebooks = discover_notebooks(args.notebooks or default_notebooks_dir())
        params = check_parameters(params, declared_parameters(notebooks))
    studies = args.studies or [None]
    if len(studies) > 1 and args.data:
        raise CvmkitError("--data names one data file, so it goes with one study only")
    if args.jobs < 1:
        raise CvmkitError(f"-j {args.jobs}: expected a positive number of worker processes")
    if args.cluster and args.scheduler:
        raise CvmkitError("--cluster and --scheduler: give one of them")
    distributed = args.cluster or args.scheduler
    if len(studies) == 1 and not distributed:
        try:
            result = run_study(studies[0], data_path=args.data, out=args.out, parameters=params,
                               notebooks_dir=args.notebooks, seed=args.seed, reuse=args.reuse)
        except CvmkitError as exc:
            if getattr(exc, "run_dir", None) is None:  # a failed run has said why already
                print(f"error: {exc}", file=sys.stderr)
            return 1
        _print_sample(result.run_dir)
        if result.report is not None:
            print(f"report: {result.report}")
        return 0
    if distributed:
        from .pipeline.cluster import run_on_cluster

        results = run_on_cluster(studies, cluster=args.cluster, scheduler=args.scheduler,
                                 data_path=args.data, out=args.out, parameters=params,
                                 notebooks_dir=args.notebooks, seed=args.seed,
                                 reuse=args.reuse)
    else:
        results = run_batch(studies, jobs=args.jobs, out=args.out, parameters=params,
                            notebooks_dir=args.notebooks, seed=args.seed, reuse=args.reuse)
    print()
    print(format_batch_summary(results))
    failed = [r for r in results if r.status != "ok"]
    if failed:
        print(f"{len(failed)} of {len(results)} studies failed", file=sys.stderr)
    return 1 if failed else 0


def _print_sample(run_dir: Path | None) -> None:
    """Who the run analysed: respondents kept, excluded and why (notebook 01's results)."""
    import json

    from .summary import summarize_sample

    path = Path(run_dir or ".") / "results" / "01_data_collection.json"
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(results, dict):
        for sentence in summarize_sample(results):
            print(f"respondents: {sentence}")


def _cmd_new(args: argparse.Namespace) -> int:
    from .scaffold import new_study

    paths = new_study(args.name, title=args.title, client=args.client,
                      demo_data=args.demo_data, force=args.force)
    folder = Path(args.name)
    print(f"created {folder}/")
    for kind, p in paths.items():
        print(f"  {p.name:<15} {_NEW_WHAT[kind]}")
    print("next:")
    if not args.demo_data:
        print(f"  1. copy your survey export into {folder}/ and name it under `data:` in "
              "study.yaml")
        print("  2. change every line marked CHANGE in study.yaml to your export's columns")
    else:
        print(f"  1. the demo's survey export is in {folder}/; edit study.yaml to explore")
        print("  2. swap in your own export and columns when ready")
    print(f"  3. cvmkit validate {paths['study']}")
    print(f"  4. cvmkit run {paths['study']}")
    return 0


_NEW_WHAT = {"study": "the study file: every key explained, the demo as example",
             "readme": "the steps from survey export to report",
             "data": "the demo's survey export (and transaction files)"}


def _print_hints(problems: Sequence[str], columns: Sequence[str] = (),
                 study_file: str | None = None) -> None:
    from .scaffold import hints

    advice = [(p, h) for p, h in hints(problems, columns, study_file) if h]
    if advice:
        print("hints:", file=sys.stderr)
        for p, h in advice:
            print(f"  {p.split(':', 1)[0]}: {h}", file=sys.stderr)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .errors import StudySpecError
    from .io import read_responses
    from .study import load_study, validate_study

    try:
        study = load_study(args.study)
    except StudySpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        data_cols: list[str] = []
        if args.data and Path(args.data).is_file():
            try:
                data_cols = list(read_responses(args.data).columns)
            except CvmkitError:
                pass
        _print_hints(exc.problems, data_cols, args.study)
        print(f"fix the study file and run `cvmkit validate {args.study}` again",
              file=sys.stderr)
        return 1
    n_brands = len(study.brands)
    print(f"{args.study}: the study file is valid ({len(study.attributes)} attributes, "
          f"{n_brands} brand{'s' if n_brands > 1 else ''})")
    data_path = Path(args.data) if args.data else study.data_path
    if data_path is None:
        print("no data file named (key 'data'); pass --data to check the data too")
        print(f"hint: put the survey export next to {args.study} and add `data: FILE` to it, "
              "or pass --data FILE")
        return 0
    if not Path(data_path).is_file():
        print(f"error: survey data file '{data_path}' does not exist", file=sys.stderr)
        print(f"hint: copy the survey export to {data_path}, correct `data:` in {args.study}, "
              "or pass --data FILE", file=sys.stderr)
        return 1
    with warnings.catch_warnings(record=True) as read_notes:
        warnings.simplefilter("always", CvmkitWarning)
        try:
            data = read_responses(data_path, study)
        except CvmkitError as exc:
            print(f"error: {exc}", file=sys.stderr)
            print(f"fix the data file and run `cvmkit validate {args.study}` again",
                  file=sys.stderr)
            return 1
    for w in read_notes:
        if issubclass(w.category, CvmkitWarning):
            print(f"note: {w.message}")
    problems = validate_study(study, data, source=str(data_path))
    if problems:
        print(f"{data_path}: {len(problems)} problem(s) with the data:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        _print_hints(problems, list(data.columns), args.study)
        print(f"fix these and run `cvmkit validate {args.study}` again", file=sys.stderr)
        return 1
    print(f"{data_path}: every column the study names is present ({len(data):,} rows)")
    from .collect import collect

    # the data step of a run: coding, quality checks, exclusions, weighting, personal data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CvmkitWarning)
        try:
            result = collect(study, data_path, raw=data)
        except CvmkitError as exc:
            print(f"error: {exc}", file=sys.stderr)
            print(f"fix this and run `cvmkit validate {args.study}` again", file=sys.stderr)
            return 1
    notes = list(dict.fromkeys(str(w.message) for w in caught
                               if issubclass(w.category, CvmkitWarning)))
    for note in notes if args.check_quality else notes[:5]:
        print(f"note: {note}")
    if len(notes) > 5 and not args.check_quality:
        print(f"note: … and {len(notes) - 5} more (--check-quality lists them all)")
    from .quality import CHECKS

    excluded = ", ".join(f"{c} {int(result.dropped[c].sum())}" for c in CHECKS
                         if c in result.dropped and result.dropped[c].any()) or "none"
    print(f"quality checks: {len(result.clean):,} of {len(result.data):,} respondents kept "
          f"({len(result.dropped):,} excluded: {excluded})")
    caps = result.study.capabilities(result.clean)
    runs = [c.label for c in caps.values() if c.available and c.name != "truth"]
    print("will run: " + ", ".join(runs))
    for c in caps.values():
        if not c.available and c.name != "truth":
            print(f"will skip: {c.label} — {c.reason}")
    print(f"ready to run with `cvmkit run {args.study}`")
    return 0


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from .resources import copy_notebooks, demo_study_path

    copies = copy_notebooks(args.dir, force=args.force, study=args.study, run_dir=args.run_dir)
    print(f"copied {len(copies)} notebooks into {Path(args.dir)}/")
    for p in copies:
        print(f"  {p.name}")
    if args.study:
        print(f"their default study is {Path(args.study).resolve()}, and the sections it has no "
              "inputs for are left out; open them in JupyterLab, or run them with")
    else:
        print(f"their default study is the bundled demo ({demo_study_path()}); run them with")
    print(f"  cvmkit run STUDY.yaml --notebooks {args.dir}")
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import write_demo
    from .simulate.shapes import SHAPES, write_shape

    if args.list_shapes:
        for name, shape in SHAPES.items():
            have = [k if v is True else f"{k} {v}" for k, v in vars(shape).items()
                    if k not in ("name", "brands", "attributes")
                    and v is not False and v not in (0, "none")]
            print(f"{name:<24} {shape.brands} brand(s), {shape.attributes} attributes, "
                  + (", ".join(have) if have else "an overall rating only"))
        return 0
    if args.list:
        from .simulate.scenarios import SCENARIOS

        for name, sc in SCENARIOS.items():
            print(f"{name}  ({sc.title}; {len(sc.brands)} brand(s), {len(sc.attributes)} "
                  f"attributes, {sc.n} respondents)")
            print(textwrap.fill(sc.lesson, width=92, initial_indent="    ",
                                subsequent_indent="    "))
        return 0
    if args.scenario:
        from .teach import write_scenario

        if args.shape:
            raise CvmkitError("choose --shape or --scenario, not both")
        out = args.out or f"{args.scenario}-{args.seed}"
        paths = write_scenario(out, args.scenario, seed=args.seed, n=args.n)
        for kind, p in paths.items():
            print(f"{kind:>10}: {p}")
        return 0
    if args.shape:
        out = args.out or args.shape
        paths = write_shape(out, args.shape, n=args.n or 600, seed=args.seed)
        for kind, p in paths.items():
            print(f"{kind:>10}: {p}")
        return 0
    paths = write_demo(args.out or "data/demo", seed=args.seed, n=args.n)
    for kind, p in paths.items():
        print(f"{kind:>10}: {p}")
    return 0


def _cmd_teach(args: argparse.Namespace) -> int:
    from . import teach

    if args.action == "key":
        key = teach.answer_key(args.scenario, seed=args.seed, n=args.n)
        print(f"Answer key: scenario {args.scenario}, seed {args.seed}")
        for row in key.itertuples():
            expected = (", ".join(map(str, row.expected)) if isinstance(row.expected, list)
                        else row.expected)
            within = f"  (± {row.tolerance:g})" if row.kind == "number" else ""
            print(f"{row.question}\n    {row.text}\n    -> {expected}{within}")
        return 0
    if args.action == "grade":
        out = Path(args.out) if args.out else Path(args.folder) / "grades.csv"
        table = teach.grade(args.folder, out=out)
        shown = table[["notebook", "scenario", "seed", "correct", "questions", "score"]]
        print(shown.to_string(index=False) if len(table) else "no exercise notebooks found")
        print(f"wrote {out}")
        return 0
    from .resources import copy_exercises

    for p in copy_exercises(args.dir, force=args.force):
        print(p)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``cvmkit`` command."""
    parser = argparse.ArgumentParser(prog="cvmkit", description="Customer value mapping kit.")
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback of an error (for reporting a bug)")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the notebook sequence on one or more studies")
    run.add_argument("studies", nargs="*", help="study files (default: the bundled demo)")
    run.add_argument("--data", help="survey export (default: the file the study names)")
    run.add_argument("--out", default="reports", help="reports folder (default: reports)")
    run.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                     help="a notebook parameter, e.g. -p n_boot=500 (repeatable)")
    run.add_argument("--notebooks", metavar="DIR",
                     help="folder of numbered notebooks, e.g. copies made by `cvmkit notebooks "
                          "DIR` (default: the notebooks the kit ships)")
    run.add_argument("--seed", type=int, default=2026, help="random seed (default: 2026)")
    run.add_argument("-j", "--jobs", type=int, default=1,
                     help="studies to run at the same time, in worker processes (default: 1)")
    run.add_argument("--reuse", action="store_true",
                     help="start from the latest complete run of each study under --out: "
                          "re-execute only the notebooks whose inputs changed, copy the rest")
    run.add_argument("--cluster", choices=["local"],
                     help="run each study as a task on a Dask cluster: 'local' starts one on "
                          "this machine (needs the dask[distributed] package)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="run each study as a task on the existing Dask cluster whose "
                          "scheduler listens at ADDRESS (e.g. tcp://10.0.0.5:8786); --out "
                          "must be a folder every worker sees")
    run.set_defaults(func=_cmd_run)

    new = sub.add_parser("new", help="start a study folder: commented study.yaml + instructions")
    new.add_argument("name", help="the folder to create (its name becomes the study's slug)")
    new.add_argument("--title", help="the study's title")
    new.add_argument("--client", help="the client's name")
    new.add_argument("--demo-data", action="store_true",
                     help="copy the demo's survey export in, so the folder runs as it is")
    new.add_argument("--force", action="store_true", help="overwrite an existing study.yaml")
    new.set_defaults(func=_cmd_new)

    val = sub.add_parser("validate", help="check a study file (and its data) without running")
    val.add_argument("study")
    val.add_argument("--data", help="survey export (default: the file the study names)")
    val.add_argument("--check-quality", action="store_true",
                     help="list every note of the data step (the quality checks, exclusions "
                          "and weighting always run)")
    val.set_defaults(func=_cmd_validate)

    sim = sub.add_parser("simulate", help="regenerate the demo study, or write a study of "
                                          "another shape (--shape)")
    sim.add_argument("--out", help="folder to write (default: data/demo; with --shape the "
                                   "shape's name)")
    sim.add_argument("--shape", help="write a synthetic study of this shape instead of the "
                                     "demo (see --list-shapes)")
    sim.add_argument("--list-shapes", action="store_true", help="list the study shapes")
    sim.add_argument("--scenario", help="write a teaching scenario with one planted lesson "
                                        "(see --list); default folder NAME-SEED")
    sim.add_argument("--list", action="store_true",
                     help="list the teaching scenarios and the lesson each plants")
    sim.add_argument("--seed", type=int, default=2026)
    sim.add_argument("-n", type=int, default=None, help="number of respondents (default 1,200)")
    sim.set_defaults(func=_cmd_simulate)

    tch = sub.add_parser("teach", help="instructors: answer keys and grading of the exercises")
    tsub = tch.add_subparsers(dest="action", required=True)
    key = tsub.add_parser("key", help="print every question's expected answer for one "
                                      "student's data")
    key.add_argument("--scenario", required=True)
    key.add_argument("--seed", type=int, required=True)
    key.add_argument("-n", type=int, default=None,
                     help="respondents, if the student's data set was drawn with another n")
    grd = tsub.add_parser("grade", help="grade a folder of executed exercise notebooks into "
                                        "a CSV of scores")
    grd.add_argument("folder")
    grd.add_argument("--out", help="the CSV to write (default FOLDER/grades.csv)")
    exs = tsub.add_parser("exercises", help="copy the exercise notebooks into a folder")
    exs.add_argument("dir", metavar="DIR")
    exs.add_argument("--force", action="store_true", help="overwrite notebooks already there")
    tch.set_defaults(func=_cmd_teach)

    nbs = sub.add_parser("notebooks", help="copy the kit's notebooks into a folder, to change "
                                           "them and run them with `cvmkit run --notebooks DIR`")
    nbs.add_argument("dir", metavar="DIR", help="the folder to copy into (created if missing)")
    nbs.add_argument("--force", action="store_true", help="overwrite notebooks already there")
    nbs.add_argument("--study", help="make the copies for this study file: its path as the "
                                     "default, the sections it cannot run left out")
    nbs.add_argument("--run-dir", help="the folder the copies write their run into when opened "
                                        "in JupyterLab (default: ../reports/lab beside them)")
    nbs.set_defaults(func=_cmd_notebooks)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cvmkit`` console script."""
    from .pipeline import _skip_iri_checks

    _skip_iri_checks()
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings(), _terminate_as_interrupt():
        warnings.simplefilter("default", CvmkitWarning)
        try:
            return int(args.func(args) or 0)
        except CvmkitError as exc:
            if args.debug:
                traceback.print_exc()
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt as exc:  # Ctrl-C: one line, no traceback
            from .pipeline.interrupts import handled

            handled()  # so that the process ends with 130, not killed by SIGINT
            message = str(exc) or "interrupted"
            print(f"cvmkit {args.command}: {message}", file=sys.stderr)
            return 130
        except SystemExit:
            raise
        except Exception as exc:  # a bug: one line, the traceback on request
            if args.debug:
                traceback.print_exc()
            print(f"error: unexpected {type(exc).__name__}: {exc} (a bug in cvmkit; run again "
                  "with --debug to see where, and report it)", file=sys.stderr)
            return 1


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM as Ctrl-C while a command runs, so that a run stopped either way cleans
    up; either raises ``KeyboardInterrupt`` outside Python's import machinery
    (:func:`cvmkit.pipeline.interrupts.interrupt`)."""
    import signal
    import threading

    from .pipeline.interrupts import interrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, interrupt)
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
