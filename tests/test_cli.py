"""The cvmkit command: parameters, validate, and clear errors with exit codes."""

from __future__ import annotations

import shutil

import pytest
import yaml

from cvmkit.cli import main, parse_parameters
from cvmkit.errors import CvmkitError


def test_parse_parameters_keeps_types():
    assert parse_parameters(["n_boot=500", "segment=Commuters", "fast=true", "x=null",
                             "label=a=b", "ratio=0.5"]) == {
        "n_boot": 500, "segment": "Commuters", "fast": True, "x": None, "label": "a=b",
        "ratio": 0.5}
    with pytest.raises(CvmkitError, match="name=value"):
        parse_parameters(["oops"])


def test_validate_demo(repo, capsys):
    assert main(["validate", str(repo / "data" / "demo" / "study.yaml")]) == 0
    assert "ready to run" in capsys.readouterr().out


def test_validate_reports_unknown_column_with_key(repo, tmp_path, capsys):
    spec = yaml.safe_load((repo / "data" / "demo" / "study.yaml").read_text())
    spec["attributes"][3]["kano"]["functional"] = "kf_q4"
    spec["data"] = str(repo / "data" / "demo" / "responses.csv")
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(spec, allow_unicode=True))
    assert main(["validate", str(p)]) in (1, 2)
    err = capsys.readouterr().err
    assert "attributes[3].kano.functional: column 'kf_q4' not in data" in err


def test_run_with_missing_study_is_a_clear_error(tmp_path, capsys):
    assert main(["run", str(tmp_path / "missing.yaml"), "--out", str(tmp_path)]) == 1
    assert "missing.yaml" in capsys.readouterr().err
    assert not (tmp_path / "demo").exists()


def test_run_with_missing_data_file(repo, tmp_path, capsys):
    shutil.copy(repo / "data" / "demo" / "study.yaml", tmp_path / "study.yaml")
    assert main(["run", str(tmp_path / "study.yaml"), "--out", str(tmp_path / "out")]) == 1
    assert "responses.csv" in capsys.readouterr().err


def test_cvmkit_processes_skip_the_iri_checker_but_still_validate_notebooks():
    """The command and batch workers keep jsonschema from compiling its IRI grammars; notebook
    validation, which uses no IRI format, works as before."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from cvmkit.pipeline import _skip_iri_checks\n"
            "_skip_iri_checks()\n"
            "import nbformat, papermill\n"
            "nbformat.validate(nbformat.v4.new_notebook())\n"
            "try:\n"
            "    nbformat.validate({'cells': 'not a list'})\n"
            "except nbformat.ValidationError:\n"
            "    print('invalid notebook refused')\n"
            "print(sys.modules.get('rfc3987_syntax'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[:2] == ["invalid notebook refused", "None"]


def test_unknown_or_mistyped_parameters_stop_before_any_run(tmp_path, capsys):
    from cvmkit.cli import main

    out = tmp_path / "reports"
    assert main(["run", "--out", str(out), "-p", "n_bot=20"]) == 2
    err = capsys.readouterr().err
    assert "-p n_bot: no notebook declares this parameter (known: " in err and "n_boot" in err
    assert main(["run", "--out", str(out), "-p", "n_boot=abc"]) == 2
    assert "-p n_boot='abc': expected a whole number (the default is 200)" in \
        capsys.readouterr().err
    assert not out.exists()
