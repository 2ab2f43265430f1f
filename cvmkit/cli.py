"""The ``cvmkit`` command.

::

    cvmkit run [STUDY.yaml ...] [--data FILE] [--out reports] [-p name=value ...] [--seed N]
    cvmkit validate STUDY.yaml [--data FILE]
    cvmkit simulate [--out data/demo] [--seed 2026] [-n 1200]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .errors import CvmkitError, CvmkitWarning

__all__ = ["main", "parse_parameters"]


def parse_parameters(items: Sequence[str]) -> dict[str, Any]:
    """Turn ``["n_boot=500", "segment=A"]`` into ``{"n_boot": 500, "segment": "A"}``.

    Values are read as YAML scalars, so numbers, booleans and ``null`` keep their type.
    """
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise CvmkitError(f"-p {item!r}: expected name=value with a Python identifier as name")
        try:
            out[name.strip()] = yaml.safe_load(value) if value.strip() else ""
        except yaml.YAMLError:
            out[name.strip()] = value
    return out


def _cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import run_study

    params = parse_parameters(args.param or [])
    studies = args.studies or [None]
    if len(studies) > 1 and args.data:
        raise CvmkitError("--data names one data file, so it goes with one study only")
    failures = 0
    for study in studies:
        try:
            run_study(study, data_path=args.data, out=args.out, parameters=params,
                      notebooks_dir=args.notebooks, seed=args.seed)
        except CvmkitError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failures += 1
    return 1 if failures else 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import read_responses
    from .study import load_study, validate_study

    study = load_study(args.study)
    print(f"{args.study}: the study file is valid ({len(study.attributes)} attributes, "
          f"{len(study.brands)} brands)")
    data_path = Path(args.data) if args.data else study.data_path
    if data_path is None:
        print("no data file named (key 'data'); pass --data to check the data too")
        return 0
    data = read_responses(data_path, study)
    problems = validate_study(study, data, source=str(data_path))
    if problems:
        print(f"{data_path}: {len(problems)} problem(s) with the data:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(f"{data_path}: every column the study names is present "
          f"({len(data)} rows); ready to run with `cvmkit run {args.study}`")
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import write_demo

    paths = write_demo(args.out, seed=args.seed, n=args.n)
    for kind, p in paths.items():
        print(f"{kind:>10}: {p}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``cvmkit`` command."""
    parser = argparse.ArgumentParser(prog="cvmkit", description="Customer value mapping kit.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the notebook sequence on one or more studies")
    run.add_argument("studies", nargs="*", help="study files (default: the bundled demo)")
    run.add_argument("--data", help="survey export (default: the file the study names)")
    run.add_argument("--out", default="reports", help="reports folder (default: reports)")
    run.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                     help="a notebook parameter, e.g. -p n_boot=500 (repeatable)")
    run.add_argument("--notebooks", help="folder of numbered notebooks (default: notebooks/)")
    run.add_argument("--seed", type=int, default=2026, help="random seed (default: 2026)")
    run.set_defaults(func=_cmd_run)

    val = sub.add_parser("validate", help="check a study file (and its data) without running")
    val.add_argument("study")
    val.add_argument("--data", help="survey export (default: the file the study names)")
    val.set_defaults(func=_cmd_validate)

    sim = sub.add_parser("simulate", help="regenerate the bundled demo study")
    sim.add_argument("--out", default="data/demo", help="folder to write (default: data/demo)")
    sim.add_argument("--seed", type=int, default=2026)
    sim.add_argument("-n", type=int, default=None, help="number of respondents (default 1,200)")
    sim.set_defaults(func=_cmd_simulate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cvmkit`` console script."""
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("default", CvmkitWarning)
        try:
            return int(args.func(args) or 0)
        except CvmkitError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
